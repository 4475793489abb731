"""What the API clients send requests through: httpx2 defaults (or a caller's httpx client, see ``_http``),
connection pools (one per event loop for async), bounded body reads, and the per-call retry bookkeeping. The
request loops themselves are in ``_client``."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, cast

import httpx2

from . import _http
from ._base import BaseAPIClient, FinalRequest
from ._http import errors
from ._reading import Watchdog
from ._types import Timeout
from .errors import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError
from .retry import RetryDecision, decide_retry

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULT_LIMITS",
    "AsyncPool",
    "Attempts",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "SyncPool",
    "aread_bounded",
    "follow_redirects",
    "log_retry",
    "read_bounded",
    "retry_of",
]

log = logging.getLogger("neocloud.core")


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


def _too_large(response: httpx2.Response, limit: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"the response body is larger than {limit} bytes; refused rather than read into memory",
        request=response.request,
    )


def _declared_over(response: httpx2.Response, limit: int) -> bool:
    declared = response.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


# httpx2 (and httpx) read a body whole; these stop at ``limit`` bytes (an oversized or endless body cannot exhaust
# memory) and then hand the bytes to the response as if it had read them itself.
def read_bounded(response: httpx2.Response, limit: int) -> None:
    if _declared_over(response, limit):
        response.close()
        raise _too_large(response, limit)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            response.close()
            raise _too_large(response, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)


async def aread_bounded(response: httpx2.Response, limit: int) -> None:
    if _declared_over(response, limit):
        await response.aclose()
        raise _too_large(response, limit)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            await response.aclose()
            raise _too_large(response, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)


def follow_redirects(http: httpx2.Client | httpx2.AsyncClient, req: FinalRequest) -> bool:
    return http.follow_redirects if req.follow_redirects is None else req.follow_redirects


def retry_of(exc: BaseException) -> RetryDecision | None:
    decision = getattr(exc, "_neocloud_retry", None)
    return decision if isinstance(decision, RetryDecision) and decision.retry else None


def log_response(provider: str, request: httpx2.Request, response: httpx2.Response, request_id: str | None) -> None:
    """One INFO line per HTTP exchange (what the official SDKs print with ``<PROVIDER>_LOG=info``): method, path
    and status only; never headers, query or bodies, so never a key."""
    rid = f" (request id {request_id})" if request_id else ""
    log.info("%s %s %s -> %d%s", provider, request.method, request.url.path, response.status_code, rid)


def log_retry(provider: str, req: FinalRequest, attempt: int, exc: BaseException, delay: float) -> None:
    log.info(
        "%s %s %s failed (%s); retry %d in %.2fs",
        provider,
        req.method,
        req.path,
        getattr(exc, "status_code", type(exc).__name__),
        attempt + 1,
        delay,
    )


class Attempts:
    """Shared per-call bookkeeping: deadline, decisions, error construction for transport failures."""

    def __init__(self, client: BaseAPIClient, req: FinalRequest) -> None:
        self.client = client
        self.req = req
        self.deadline = client._deadline(req)
        self.max_retries = client.max_retries if req.max_retries is None else req.max_retries

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise APITimeoutError("the total deadline passed before the call could complete")
        return left

    def decide(self, attempt: int, **kwargs: Any) -> RetryDecision:
        import random

        remaining = None if self.deadline is None else self.deadline - time.monotonic()
        return decide_retry(
            attempt=attempt,
            max_retries=self.max_retries,
            idempotent=self.req.idempotent or bool(self.req.idempotency_key),
            now=time.time(),
            jitter=random.random(),
            remaining=remaining,
            backoff=self.client.retry_backoff,
            **kwargs,
        )

    def transport_error(self, exc: Exception, request: httpx2.Request, attempt: int) -> APIError:
        """The typed error for a failure with no usable response (``httpx`` or ``httpx2``), with its retry decision."""
        never_opened = isinstance(exc, errors("ConnectError", "ConnectTimeout", "PoolTimeout"))
        host = request.url.host or str(request.url)
        reason = _reason_of(exc)
        err: APIError
        if isinstance(exc, errors("TimeoutException")):
            err = APITimeoutError(f"no answer from {host} in time ({reason})", request=request,
                                  idempotency_key=self.req.idempotency_key)  # fmt: skip
        else:
            err = APIConnectionError(f"could not connect to {host}: {reason}", request=request,
                                     idempotency_key=self.req.idempotency_key)  # fmt: skip
        if isinstance(exc, errors("TransportError")):
            err._neocloud_retry = self.decide(attempt, status=None, connection_opened=not never_opened)  # type: ignore[attr-defined]
        return err  # a redirect loop or an invalid redirect target: repeating cannot help

    def deadline_error(self, request: httpx2.Request, response: httpx2.Response | None = None) -> APITimeoutError:
        total = self.client._timeout(self.req).total
        message = f"the total deadline of {total or 0:g} s passed while reading the answer from {request.url.host}"
        request_id = None if response is None else self.client._request_id(response)
        return APITimeoutError(message, request=request, idempotency_key=self.req.idempotency_key,
                               request_id=request_id)  # fmt: skip

    def undecodable(self, response: httpx2.Response, exc: Exception) -> APIResponseValidationError:
        encoding = response.headers.get("content-encoding", "")
        return APIResponseValidationError(
            f"the body cannot be decoded as its Content-Encoding {encoding!r} says ({_reason_of(exc)})",
            request=response.request, idempotency_key=self.req.idempotency_key,
            request_id=self.client._request_id(response),
        )  # fmt: skip

    def read(self, response: httpx2.Response, request: httpx2.Request, attempt: int) -> None:
        """Read the whole body within the size limit and the total deadline: a body dripped byte by byte cannot
        outlive the deadline (the socket is shut down when it passes, as for a stream, ``_reading.Watchdog``)."""
        watchdog = None if self.deadline is None else Watchdog(response, self.deadline)
        try:
            read_bounded(response, self.client.max_response_bytes)
        except errors("DecodingError") as exc:
            self._undecodable_body(response, exc)
        except errors("TransportError") as exc:
            if watchdog is not None and watchdog.expired:
                raise self.deadline_error(request, response) from exc
            raise self.transport_error(exc, request, attempt) from exc
        finally:
            if watchdog is not None:
                watchdog.stop()
            response.close()
        if watchdog is not None and watchdog.expired:
            raise self.deadline_error(request, response)  # the shut-down socket looked like the end of the body

    async def aread(self, response: httpx2.Response, request: httpx2.Request, attempt: int) -> None:
        """Async twin of ``read``: the read is awaited with only the time left before the deadline."""
        import asyncio

        try:
            if self.deadline is None:
                await aread_bounded(response, self.client.max_response_bytes)
            else:
                await asyncio.wait_for(aread_bounded(response, self.client.max_response_bytes),
                                       max(self.deadline - time.monotonic(), 0.0))  # fmt: skip
        except asyncio.TimeoutError as exc:
            raise self.deadline_error(request, response) from exc
        except errors("DecodingError") as exc:
            self._undecodable_body(response, exc)
        except errors("TransportError") as exc:
            raise self.transport_error(exc, request, attempt) from exc
        finally:
            await response.aclose()

    def _undecodable_body(self, response: httpx2.Response, exc: Exception) -> None:
        if response.status_code < 400:
            raise self.undecodable(response, exc) from exc
        response._content = b""  # an error status is still that error; its body is just unreadable

    def status_error(self, response: httpx2.Response, attempt: int) -> APIError:
        err = self.client._make_status_error(response, self.req)
        profile = self.client.profile
        if err.code in profile.never_retry_codes:
            err._neocloud_retry = RetryDecision(False, reason=f"error code {err.code} is never retried")  # type: ignore[attr-defined]
        else:
            err._neocloud_retry = self.decide(  # type: ignore[attr-defined]
                attempt, status=response.status_code, headers=response.headers,
                conflict_retry_reason=profile.conflict_retry_reason, conflict_reason=_reason(err),
                keyed=bool(self.req.idempotency_key),
            )  # fmt: skip
        return err


def _reason_of(exc: BaseException) -> str:
    # The exception's own words (host and port at most: httpx never puts headers in them), or its class name.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__


def _reason(err: APIError) -> object:
    details = getattr(err, "details", None)
    return details.get("reason") if isinstance(details, dict) else None


class SyncPool:
    def __init__(self, client: httpx2.Client | None) -> None:
        self.client = client
        self.owned = client is None
        self.lock = threading.Lock()

    def get(self) -> httpx2.Client:
        client = self.client
        if client is None:
            with self.lock:
                if self.client is None:
                    self.client = DefaultHttpxClient()
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
