"""A cheap readability probe for the connections of the core's own async pools.

Each time httpcore's pool hands out a connection (twice per request), it asks every idle connection whether its
socket is readable: an idle HTTP/1.1 socket with bytes to read has been closed by the server. On asyncio its
stream answers through anyio's typed attributes, which rebuild the socket's whole attribute table on every
question, with a ``getpeername`` system call. Under 100 concurrent streams that probe ran ~27 times per request
and was the largest cost our client added over raw ``httpx2`` (which keeps fewer idle connections to probe; the
core keeps its pool warm, see ``_http.LIMITS``). No library option changes it, so this small wrapper under the
pool looks the socket up once per connection and asks ``poll`` directly (httpcore's own ``is_socket_readable``).
Reads and writes are the wrapped stream's own bound methods: they cost nothing extra.

Only the pools the core makes get it; a caller's client is left exactly as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import _deadline_io

__all__ = ["ProbingBackend", "install"]


class _ProbingStream:
    """An async network stream with the readability probe answered from its socket, looked up once."""

    def __init__(self, inner: Any, readable: Any) -> None:
        self._inner = inner
        self._readable = readable  # httpcore(2)._utils.is_socket_readable
        self._socket = inner.get_extra_info("socket")
        # The hot path is the stream's own: no frame is added to each read or write.
        self.read = inner.read
        self.write = inner.write
        self.aclose = inner.aclose

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> _ProbingStream:  # fmt: skip
        return _ProbingStream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._readable)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return self._readable(self._socket)
        return self._inner.get_extra_info(info)  # (a stream with no socket to look at answers for itself)


class ProbingBackend:
    """An async network backend whose streams answer the pool's readability probe cheaply."""

    def __init__(self, inner: Any, readable: Any) -> None:
        self.inner = inner
        self._readable = readable

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> _ProbingStream:  # fmt: skip
        stream = await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _ProbingStream(stream, self._readable)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> _ProbingStream:  # fmt: skip
        stream = await self.inner.connect_unix_socket(path, timeout, socket_options)
        return _ProbingStream(stream, self._readable)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def install(client: Any) -> None:
    """Put ``ProbingBackend`` under each stock transport of the async ``client`` (idempotent)."""
    for pool in _deadline_io.pools(client):
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, ProbingBackend):
            readable = _deadline_io.core_library(pool)._utils.is_socket_readable
            pool._network_backend = ProbingBackend(backend, readable)
