"""Bounded reading of a response, shared by streams and whole-body reads: the deadline ``Watchdog`` that ends a
blocked sync read when the total deadline passes, and the line splitter of event streams that refuses a line (or
an event) longer than the cap before buffering it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any

import httpx2

__all__ = ["Watchdog", "acapped_lines", "capped_lines", "check_event_stream"]


def _socket_of(response: httpx2.Response) -> socket.socket | None:
    """The socket under a response read over a real HTTP/1 connection (httpcore exposes its network stream). Not
    for HTTP/2, whose one connection carries other calls' streams too."""
    if not response.http_version.startswith("HTTP/1"):
        return None
    stream = response.extensions.get("network_stream")
    get_extra_info = getattr(stream, "get_extra_info", None)
    sock = get_extra_info("socket") if callable(get_extra_info) else None
    return sock if isinstance(sock, socket.socket) else None


class Watchdog:
    """Ends a sync stream's blocked read when its deadline passes by shutting its socket down: the read returns
    at once and the reader, seeing ``expired``, raises the deadline. ``stop()`` (before the response is closed
    and its connection pooled) makes sure a pooled connection is never shut down."""

    def __init__(self, response: httpx2.Response, deadline: float) -> None:
        self.expired = False
        self._response = response
        self._lock = threading.Lock()
        self._stopped = False
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.expired = True
            sock = _socket_of(self._response)
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: nothing left to interrupt
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._timer.cancel()


def _line_decoder() -> Any:
    # httpx-sse's own line splitter (SSE newline rules), fed by us so that a line's length can be capped.
    from httpx_sse._decoders import SSELineDecoder

    return SSELineDecoder()


def check_event_stream(response: httpx2.Response) -> None:
    """Raise httpx-sse's ``SSEError`` unless ``response`` is an event stream (as its ``EventSource`` does)."""
    from httpx_sse import SSEError

    ctype = response.headers.get("content-type", "").partition(";")[0]
    if "text/event-stream" not in ctype:
        raise SSEError(f"Expected response header Content-Type to contain 'text/event-stream', got {ctype!r}")


def capped_lines(texts: Iterator[str], check: Callable[[int], None]) -> Iterator[str]:
    """The lines of an event stream; ``check(size)`` is called with the size of the line (or event) being
    buffered, and raises when it is too long. ``acapped_lines`` is the async twin."""
    decoder, carried, event = _line_decoder(), 0, 0
    for text in texts:
        lines = decoder.decode(text)
        carried = sum(map(len, decoder.buffer)) if lines else carried + len(text)
        for line in lines:
            event = 0 if not line else event + len(line)
            check(max(event, carried))
            yield line
        check(event + carried)
    yield from decoder.flush()


async def acapped_lines(texts: AsyncIterator[str], check: Callable[[int], None]) -> AsyncGenerator[str, None]:
    decoder, carried, event = _line_decoder(), 0, 0
    async for text in texts:
        lines = decoder.decode(text)
        carried = sum(map(len, decoder.buffer)) if lines else carried + len(text)
        for line in lines:
            event = 0 if not line else event + len(line)
            check(max(event, carried))
            yield line
        check(event + carried)
    for line in decoder.flush():
        yield line
