"""Bounded reading of a response, shared by streams and whole-body reads: the deadline ``Watchdog`` that ends a
blocked sync read when the total deadline passes, and the line splitter of event streams that refuses a line (or
an event) longer than the cap before buffering it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from httpx_sse import ServerSentEvent

__all__ = ["Watchdog", "asse_events", "check_event_stream", "sse_events"]


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


def check_event_stream(response: httpx2.Response) -> None:
    """Raise httpx-sse's ``SSEError`` unless ``response`` is an event stream (as its ``EventSource`` does)."""
    from httpx_sse import SSEError

    ctype = response.headers.get("content-type", "").partition(";")[0]
    if "text/event-stream" not in ctype:
        raise SSEError(f"Expected response header Content-Type to contain 'text/event-stream', got {ctype!r}")


def data_frames(text: str, clean: bool) -> list[str] | None:
    """The data of each frame when ``text`` (one network chunk) is only whole single-line ``data:`` frames, each
    with its blank line, arriving when nothing is pending: what servers that stream tokens send, one write per
    event (several when a busy socket coalesces them). ``None`` otherwise. Pure."""
    if not clean or text[-2:] != "\n\n" or "\r" in text:
        return None
    frames = text[:-2].split("\n\n")
    for frame in frames:
        if frame[:6] != "data: " or "\n" in frame:
            return None
    return [frame[6:] for frame in frames]


# The events of an event stream: httpx-sse's own line and event decoders (SSE newline and field rules), fed by us
# so that a line's length can be capped before it is buffered. A chunk made only of whole single-line ``data:``
# frames, with nothing pending (``data_frames``), is yielded as their data strings without going through the
# decoders: the same events (``message`` events with that data) for a third of the per-chunk cost. The consumers
# read ``event`` and ``data`` only (never ``id``), so the decoders' ``last_event_id`` is not needed on that path.
def sse_events(response: httpx2.Response, check: Callable[[int], None]) -> Iterator[ServerSentEvent | str]:
    """The events of ``response`` (an event stream, else ``SSEError``); ``check(size)`` is called with the size of
    the line (or event) being buffered, and raises when it is too long. ``asse_events`` is the async twin."""
    check_event_stream(response)
    splitter = _Splitter(check)
    for text in response.iter_text():
        yield from splitter.feed(text)
    yield from splitter.flush()


async def asse_events(response: httpx2.Response,
                      check: Callable[[int], None]) -> AsyncGenerator[ServerSentEvent | str, None]:  # fmt: skip
    check_event_stream(response)
    splitter = _Splitter(check)
    async for text in response.aiter_text():
        for sse in splitter.feed(text):
            yield sse
    for sse in splitter.flush():
        yield sse


class _Splitter:
    """The state of one stream's splitting, shared by the sync and async readers: the decoders, the sizes carried
    over (the unfinished line's and the unfinished event's; the event's is 0 after a blank line), and whether
    nothing is pending (when the fast path may be taken)."""

    def __init__(self, check: Callable[[int], None]) -> None:
        from httpx_sse._decoders import SSEDecoder, SSELineDecoder

        self.check = check
        self.lines, self.decoder = SSELineDecoder(), SSEDecoder()
        self.carried, self.event, self.clean = 0, 0, True

    def feed(self, text: str) -> list[ServerSentEvent] | list[str]:
        """The events completed by one chunk: its data strings on the fast path, else through the decoders, each
        line's (or the pending event's) size checked first."""
        check = self.check
        found = data_frames(text, self.clean)
        if found is not None:
            for data in found:
                check(len(data))
            return found
        lines, event, out = self.lines, self.event, []
        decoded = lines.decode(text)
        carried = sum(map(len, lines.buffer)) if decoded else self.carried + len(text)
        for line in decoded:
            event = 0 if not line else event + len(line)
            check(max(event, carried))
            sse = self.decoder.decode(line.rstrip("\n"))
            if sse is not None:
                out.append(sse)
        check(event + carried)
        self.carried, self.event = carried, event
        self.clean = not lines.buffer and not lines.trailing_cr and event == 0
        return out

    def flush(self) -> list[ServerSentEvent]:
        """The event of an unterminated last line, if any."""
        events = (self.decoder.decode(line.rstrip("\n")) for line in self.lines.flush())
        return [sse for sse in events if sse is not None]
