"""A raw byte body handed to the caller to iterate (file downloads): its reads stay within the call's total
deadline and its failures are typed, like every other body the core reads.

The iteration happens in the caller's code, after the request loop has returned, so the loop's own guards do
not cover it: each read here is bounded again (sync: by ``_deadline_io`` under the client's transports, or the
socket ``Watchdog`` under a custom one; async: awaited with the time left), and a transport failure, a body that
cannot be decoded or a deadline that cuts the body short is raised as the matching neocloud error, never as a
silently truncated file or a raw ``httpx`` exception.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from . import _deadline_io
from ._http import errors
from ._reading import Watchdog

if TYPE_CHECKING:
    import httpx2

    from ._transport import Attempts

__all__ = ["AsyncByteStream", "ByteStream"]


class _Body:
    def __init__(self, response: httpx2.Response, calls: Attempts) -> None:
        self.response = response
        self._calls = calls

    @property
    def headers(self) -> httpx2.Headers:
        return self.response.headers

    @property
    def status_code(self) -> int:
        return self.response.status_code

    def _failure(self, exc: Exception) -> Exception:
        if isinstance(exc, errors("DecodingError")):
            return self._calls.undecodable(self.response, exc)
        return self._calls.cut_short(exc, self.response, 0)


class ByteStream(_Body):
    """The body of a successful response, read by ``iter_bytes``; closed by the client's ``stream_bytes``."""

    def __init__(self, response: httpx2.Response, calls: Attempts, *, bounded: bool) -> None:
        super().__init__(response, calls)
        self._bounded = bounded

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body's bytes (decoded per its Content-Encoding), ending with ``APITimeoutError`` at the deadline."""
        deadline = self._calls.deadline
        watchdog = None if deadline is None or self._bounded else Watchdog(self.response, deadline)
        pieces = self.response.iter_bytes(chunk_size)
        try:
            while True:
                # Set around each read only: between reads the caller's code runs under its own context.
                token = None if deadline is None else _deadline_io.DEADLINE.set(deadline)
                try:
                    piece = next(pieces)
                except StopIteration:
                    break
                except errors("TransportError", "DecodingError") as exc:
                    raise self._failure(exc) from exc
                finally:
                    if token is not None:
                        _deadline_io.DEADLINE.reset(token)
                yield piece
        finally:
            if watchdog is not None:
                watchdog.stop()
        if watchdog is not None and watchdog.expired:
            # The shut-down socket looked like the end of the body: the file is not complete.
            raise self._calls.deadline_error(self.response.request, self.response)


class AsyncByteStream(_Body):
    """Async twin of ``ByteStream``: each read is awaited with only the time left before the deadline."""

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        import asyncio

        deadline = self._calls.deadline
        pieces = self.response.aiter_bytes(chunk_size)
        while True:
            try:
                if deadline is None:
                    piece = await pieces.__anext__()
                else:
                    piece = await asyncio.wait_for(pieces.__anext__(), max(deadline - time.monotonic(), 0.0))
            except StopAsyncIteration:
                return
            except asyncio.TimeoutError as exc:
                raise self._calls.deadline_error(self.response.request, self.response) from exc
            except errors("TransportError", "DecodingError") as exc:
                raise self._failure(exc) from exc
            yield piece
