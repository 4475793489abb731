"""The connection pools of the API clients: ``httpx2`` clients with neocloud's defaults (or a caller's ``httpx``
client, see ``_http``), one for a sync client and one per event loop for an async one, each closed with its
owner or its loop."""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import TYPE_CHECKING, Any, cast

import httpx2

from . import _deadline_io, _http, _probe
from ._types import Timeout

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_LIMITS", "AsyncPool", "DefaultAsyncHttpxClient", "DefaultHttpxClient", "SyncPool"]


DEFAULT_LIMITS = httpx2.Limits(**_http.LIMITS)  # type: ignore[arg-type]
_DEFAULT_TIMEOUT = Timeout().phases()


def _httpx_client(kwargs: dict[str, Any], *, asynchronous: bool) -> Any:
    """An ``httpx`` client with neocloud's defaults, for keyword arguments that carry ``httpx`` objects."""
    import httpx  # (already imported by whoever made those objects)

    _http.default_client_kwargs(httpx, kwargs, _DEFAULT_TIMEOUT)
    return httpx.AsyncClient(**kwargs) if asynchronous else httpx.Client(**kwargs)


class DefaultHttpxClient(httpx2.Client):
    """An ``httpx2.Client`` with neocloud's defaults (timeouts, pool limits, redirects); pass it as
    ``http_client=`` to customise proxies or transports without losing them.

    Given an ``httpx`` object (``transport=httpx.HTTPTransport(...)``, as in code written for the official SDKs), it
    makes an ``httpx.Client`` with the same defaults instead: an ``httpx2`` client cannot drive an ``httpx``
    transport, and the core accepts either client."""

    def __new__(cls, **kwargs: Any) -> DefaultHttpxClient:
        if _http.wants_httpx(kwargs):
            return cast("DefaultHttpxClient", _httpx_client(kwargs, asynchronous=False))
        return super().__new__(cls)

    def __init__(self, **kwargs: Any) -> None:
        _http.default_client_kwargs(httpx2, kwargs, _DEFAULT_TIMEOUT)
        super().__init__(**kwargs)


class DefaultAsyncHttpxClient(httpx2.AsyncClient):
    """Async twin of ``DefaultHttpxClient`` (an ``httpx.AsyncClient`` when given ``httpx`` objects)."""

    def __new__(cls, **kwargs: Any) -> DefaultAsyncHttpxClient:
        if _http.wants_httpx(kwargs):
            return cast("DefaultAsyncHttpxClient", _httpx_client(kwargs, asynchronous=True))
        return super().__new__(cls)

    def __init__(self, **kwargs: Any) -> None:
        _http.default_client_kwargs(httpx2, kwargs, _DEFAULT_TIMEOUT)
        super().__init__(**kwargs)


class SyncPool:
    """The sync client's ``httpx2.Client`` (made on first use) or the caller's. ``bounded``: every transport under
    it honours the total deadline in each socket operation (``_deadline_io``); when not (a custom transport),
    body reads fall back on the socket ``Watchdog``."""

    def __init__(self, client: httpx2.Client | None) -> None:
        self.client = client
        self.owned = client is None
        self.lock = threading.Lock()
        self.bounded = client is not None and _deadline_io.install(client)

    def get(self) -> httpx2.Client:
        client = self.client
        if client is None:
            with self.lock:
                if self.client is None:
                    self.client = DefaultHttpxClient()
                    self.bounded = _deadline_io.install(self.client)
                client = self.client
        return client


class AsyncPool:
    """One ``httpx2.AsyncClient`` per event loop, closed when its loop shuts down.

    A pooled connection is bound to the loop that opened it, so reusing one across ``asyncio.run()`` calls fails
    with "Event loop is closed"; and a pool left open when its loop ends keeps its sockets (half-closed, in
    CLOSE_WAIT) and its memory for as long as the process lives. So each loop's pool registers a closer with the
    loop: an async generator, which ``loop.shutdown_asyncgens()`` (called by ``asyncio.run`` and
    ``asyncio.Runner`` before they close the loop) finalizes while the loop still runs, closing the pool's
    connections properly. A loop closed without that call is noticed the next time a pool is made: its pool is
    forgotten then (its sockets go with the garbage collector, as any transport of a closed loop does).
    """

    def __init__(self, client: httpx2.AsyncClient | None) -> None:
        self.client = client
        self.owned = client is None
        self.per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        # The closer of each loop's pool. A running async generator holds its loop (its finalizer is a bound method
        # of the loop), so entries are removed explicitly: by the closer itself, or by ``_forget_closed``.
        self._closers: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}
        self._lock = threading.Lock()

    def get(self) -> httpx2.AsyncClient:
        if self.client is not None:
            return self.client
        import asyncio  # (lazily: see _client.AsyncAPIClient)

        loop = asyncio.get_running_loop()
        client = self.per_loop.get(loop)
        if client is not None and id(loop) in self._closers:
            return client
        with self._lock:
            stale = self._take_closed()
            client = self.per_loop.get(loop)
            if client is None:
                client = self.per_loop[loop] = DefaultAsyncHttpxClient()
                _probe.install(client)
            if id(loop) not in self._closers:
                self._closers[id(loop)] = (loop, _start_closer(self, loop, client))
        for closer in stale:
            _finish(closer)
        return client

    def forget(self, loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> bool:
        """Drop ``loop``'s pool if it is still ``client``; ``True`` when it was (whoever forgets it closes it)."""
        with self._lock:
            if self.per_loop.get(loop) is not client:
                return False
            del self.per_loop[loop]
            self._closers.pop(id(loop), None)
            return True

    async def aclose(self) -> None:
        """Close the running loop's pool now, and forget those of closed loops. Pools of other loops that still run
        (in other threads) are closed when those loops shut down."""
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            stale = self._take_closed()
            client = self.per_loop.pop(loop, None)
            current = self._closers.pop(id(loop), None)
        for closer in [*stale, *([current[1]] if current else [])]:
            _finish(closer)
        if client is not None:
            await client.aclose()

    def _take_closed(self) -> list[Any]:
        """Forget the pools of loops closed without shutting down their async generators; their closers, to finish."""
        stale = []
        for key, (loop, closer) in list(self._closers.items()):
            if loop.is_closed():
                del self._closers[key]
                self.per_loop.pop(loop, None)
                stale.append(closer)
        return stale


async def _closer(pool: AsyncPool, loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> Any:
    try:
        yield
    finally:
        # Run by loop.shutdown_asyncgens() while the loop still runs; not when the pool was forgotten (or closed by
        # AsyncAPIClient.close) already.
        if pool.forget(loop, client):
            await client.aclose()


def _start_closer(pool: AsyncPool, loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> Any:
    # Starting an async generator registers it with the running loop (its asyncgen "firstiter" hook); it then waits
    # at its ``yield`` until the loop finalizes it. The first step awaits nothing, so it completes synchronously.
    closer = _closer(pool, loop, client)
    with contextlib.suppress(StopIteration):
        closer.asend(None).send(None)
    return closer


def _finish(closer: Any) -> None:
    # Close a waiting closer without its loop (the pool is already forgotten, so its ``finally`` awaits nothing);
    # left waiting, the garbage collector would hand it to its closed loop, which cannot take it.
    with contextlib.suppress(StopIteration, RuntimeError):
        closer.aclose().send(None)
