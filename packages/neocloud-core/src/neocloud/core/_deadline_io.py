"""The total deadline inside every blocking socket operation of a sync call.

httpx fixes each phase's timeout (``read``, ``write``, ``connect``) when a request is sent, and applies it to each
socket operation separately: a server that sends its status line and headers one byte every 0.2 s never trips a
5 s read timeout, so ``send()`` could outlive the caller's ``total`` without bound. No library offers a total
deadline for a sync exchange, so this module adds one at the lowest level, under httpcore's connection pool:

- ``DeadlineBackend`` wraps the pool's network backend; each stream it opens gives every ``read``/``write``
  (and TLS handshake) at most the time left before the deadline of the call running in this thread
  (``DEADLINE``, a context variable set by the client around its exchange), and raises the library's own
  ``ReadTimeout``/``WriteTimeout`` once it has passed. Outside a neocloud call the variable is unset and the
  wrapper only forwards: a caller's client it was installed on behaves as before for its other uses.
- ``install(client)`` puts it under a sync client of either library (``httpx2`` or a caller's ``httpx``) whose
  transports are the stock ones; a custom transport (a mock, a replayer) is left alone, and the socket
  ``_reading.Watchdog`` still bounds bodies there.

The arithmetic is the pure ``_types.time_left``.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable
from typing import Any

from ._types import time_left

__all__ = ["DEADLINE", "core_library", "install", "pools"]

#: The monotonic deadline of the sync call running in this context, or None.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("neocloud_deadline", default=None)


def _bounded(library: Any, timeout: float | None, error: str) -> float | None:
    """``timeout`` cut to the time left before ``DEADLINE``; the library's ``error`` once it has passed."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = time_left(timeout, deadline, time.monotonic())
    if left is None or left > 0:
        return left
    raise getattr(library, error)("the total deadline passed")


class _DeadlineStream:
    """A network stream whose operations never wait past ``DEADLINE``."""

    def __init__(self, inner: Any, library: Any) -> None:
        self._inner = inner
        self._library = library  # httpcore or httpcore2: the exceptions its pool expects

    def _bound(self, timeout: float | None, error: str) -> float | None:
        return _bounded(self._library, timeout, error)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._bound(timeout, "ReadTimeout"))  # type: ignore[no-any-return]

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._bound(timeout, "WriteTimeout"))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> _DeadlineStream:  # fmt: skip
        inner = self._inner.start_tls(ssl_context, server_hostname, self._bound(timeout, "ConnectTimeout"))
        return _DeadlineStream(inner, self._library)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend:
    """A sync network backend whose streams honour ``DEADLINE`` (see the module docstring)."""

    def __init__(self, inner: Any, library: Any) -> None:
        self.inner = inner
        self._library = library

    def _bound(self, timeout: float | None) -> float | None:
        return _bounded(self._library, timeout, "ConnectTimeout")

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> _DeadlineStream:  # fmt: skip
        stream = self.inner.connect_tcp(host, port, self._bound(timeout), local_address, socket_options)
        return _DeadlineStream(stream, self._library)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> _DeadlineStream:  # fmt: skip
        stream = self.inner.connect_unix_socket(path, self._bound(timeout), socket_options)
        return _DeadlineStream(stream, self._library)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def core_library(pool: Any) -> Any:
    """``httpcore`` or ``httpcore2``: the library of ``pool`` (its exceptions and helpers are the ones it expects)."""
    import importlib

    return importlib.import_module(type(pool).__module__.partition(".")[0])  # httpcore or httpcore2


def pools(client: Any) -> list[Any]:
    """The httpcore pool under each transport of an ``httpx``/``httpx2`` client (its mounts too), ``None`` for a
    transport without one (custom, mocked); a mount that disables a scheme is not a transport."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    return [getattr(transport, "_pool", None) for transport in transports if transport is not None]


def install(client: Any) -> bool:
    """Put ``DeadlineBackend`` under each stock transport of the sync ``client``; True when every transport has
    it (idempotent). A transport without an httpcore pool (custom, mocked) is left as it is."""
    covered = True
    for pool in pools(client):
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            covered = False
            continue
        if not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend, core_library(pool))
    return covered
