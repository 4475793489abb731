"""The sync and async API clients: one request loop each, thin over httpx and the pure policies.

Contract (both clients):

- The first attempt runs inline; only a failure the policy calls retryable enters the tenacity loop,
  so the common path pays nothing for retries.
- Every attempt of one logical call carries the same ``Idempotency-Key`` (when the call has one).
- Error responses are read, closed, and raised as the typed tree; the ``Authorization`` header of the
  request attached to an error is masked.
- ``stream=True`` calls return once the status line and headers say success; the body is then
  consumed by ``Stream`` / ``AsyncStream``, which own and close the response.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._base import BaseAPIClient, FinalRequest
from ._response import RAW_MODE, APIResponse
from ._types import Timeout
from .errors import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError
from .retry import RetryDecision, decide_retry
from .streaming import AsyncStream, Stream

__all__ = [
    "AsyncAPIClient",
    "AsyncAPIResource",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "SyncAPIClient",
    "SyncAPIResource",
]

log = logging.getLogger("neocloud.core")
_T = TypeVar("_T")
_Self = TypeVar("_Self")

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0)
_DEFAULT_HTTPX_TIMEOUT = Timeout().to_httpx()


class DefaultHttpxClient(httpx.Client):
    """An ``httpx.Client`` with neocloud's defaults (timeouts, pool limits, redirects); pass it as
    ``http_client=`` to customise proxies or transports without losing them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", _DEFAULT_HTTPX_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_LIMITS)
        # httpx drops Authorization when a redirect leaves the original origin, so following is safe.
        kwargs.setdefault("follow_redirects", True)
        super().__init__(**kwargs)


class DefaultAsyncHttpxClient(httpx.AsyncClient):
    """Async twin of ``DefaultHttpxClient``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", _DEFAULT_HTTPX_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        super().__init__(**kwargs)


def _too_large(response: httpx.Response, limit: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"the response body is larger than {limit} bytes; refused rather than read into memory",
        request=_mask(response.request, "authorization"),
    )


def _declared_over(response: httpx.Response, limit: int) -> bool:
    declared = response.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


# httpx reads a body whole; these stop at ``limit`` bytes (an oversized or endless body cannot exhaust memory)
# and then hand the bytes to httpx as if it had read them itself.
def _read_bounded(response: httpx.Response, limit: int) -> None:
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


async def _aread_bounded(response: httpx.Response, limit: int) -> None:
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


def _follow(http: httpx.Client | httpx.AsyncClient, req: FinalRequest) -> bool:
    return http.follow_redirects if req.follow_redirects is None else req.follow_redirects


def _mask(request: httpx.Request, header: str) -> httpx.Request:
    if header in request.headers:
        request.headers[header] = "**********"
    return request


def _retry_of(exc: BaseException) -> RetryDecision | None:
    decision = getattr(exc, "_neocloud_retry", None)
    return decision if isinstance(decision, RetryDecision) and decision.retry else None


def _log_retry(provider: str, req: FinalRequest, attempt: int, exc: BaseException, delay: float) -> None:
    log.info(
        "%s %s %s failed (%s); retry %d in %.2fs",
        provider,
        req.method,
        req.path,
        getattr(exc, "status_code", type(exc).__name__),
        attempt + 1,
        delay,
    )


class _Attempts:
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
            initial_delay=getattr(self.client, "retry_delay", 0.5),
            **kwargs,
        )

    def transport_error(self, exc: httpx.TransportError, request: httpx.Request, attempt: int) -> APIError:
        header = self.client.profile.auth_header
        never_opened = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        err: APIError
        if isinstance(exc, httpx.TimeoutException):
            err = APITimeoutError(request=_mask(request, header), idempotency_key=self.req.idempotency_key)
        else:
            err = APIConnectionError(
                f"Connection error: {type(exc).__name__}",
                request=_mask(request, header),
                idempotency_key=self.req.idempotency_key,
            )
        err._neocloud_retry = self.decide(attempt, status=None, connection_opened=not never_opened)  # type: ignore[attr-defined]
        return err

    def status_error(self, response: httpx.Response, attempt: int) -> APIError:
        err = self.client._make_status_error(response, self.req)
        _mask(response.request, self.client.profile.auth_header)
        if err.code in self.client.profile.never_retry_codes:
            err._neocloud_retry = RetryDecision(False, reason=f"error code {err.code} is never retried")  # type: ignore[attr-defined]
        else:
            err._neocloud_retry = self.decide(attempt, status=response.status_code, headers=response.headers)  # type: ignore[attr-defined]
        return err


class _RawProxy:
    """``resource.with_raw_response``: the resource's methods, returning ``APIResponse`` objects."""

    def __init__(self, resource: Any, wrap: Callable[[Any], Any]) -> None:
        self._resource = resource
        self._wrap = wrap

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._resource, name)
        if name.startswith("_") or not callable(attr):
            raise AttributeError(f"{type(self._resource).__name__}.with_raw_response has no method {name!r}")
        return self._wrap(attr)


class SyncAPIResource:
    """Base of a group of operations (``client.chat.completions``); holds its client."""

    _is_resource = True

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> Any:
        """Every method of this resource, returning ``APIResponse`` (headers, request id, ``parse()``)."""
        from ._response import raw_response_wrapper

        return _RawProxy(self, raw_response_wrapper)


class AsyncAPIResource:
    """Async twin of ``SyncAPIResource``."""

    _is_resource = True

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> Any:
        """Every method of this resource, returning ``APIResponse`` (headers, request id, ``parse()``)."""
        from ._response import async_raw_response_wrapper

        return _RawProxy(self, async_raw_response_wrapper)


class _SyncPool:
    def __init__(self, client: httpx.Client | None) -> None:
        self.client = client
        self.owned = client is None
        self.lock = threading.Lock()

    def get(self) -> httpx.Client:
        client = self.client
        if client is None:
            with self.lock:
                if self.client is None:
                    self.client = DefaultHttpxClient()
                client = self.client
        return client


class SyncAPIClient(BaseAPIClient):
    """Synchronous client base: providers subclass it with a ``profile`` and their resources."""

    def __init__(self, *, http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            from .errors import ConfigurationError

            raise ConfigurationError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        self._pool = _SyncPool(http_client)
        self._sleep: Callable[[float], None] = time.sleep

    def with_options(self: _Self, *, http_client: httpx.Client | None = None, **kwargs: Any) -> _Self:
        """A copy with some options changed; it shares this client's connection pool unless given one."""
        new = self._copy(**kwargs)  # type: ignore[attr-defined]
        if http_client is not None:
            new._pool = _SyncPool(http_client)
            new._pool.owned = False
        return new  # type: ignore[no-any-return]

    copy = with_options

    # -- the request loop -------------------------------------------------------------------------------
    def _attempt(self, calls: _Attempts, attempt: int, stream: bool) -> httpx.Response:
        http = self._pool.get()
        request = self._build_request(http, calls.req, attempt, calls.remaining())
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s attempt=%d", self.profile.provider, request.method, request.url.path, attempt)
        try:
            response = http.send(request, stream=True, follow_redirects=_follow(http, calls.req))
        except httpx.TransportError as exc:
            raise calls.transport_error(exc, request, attempt) from exc
        if response.status_code >= 400:
            try:
                _read_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                raise calls.transport_error(exc, request, attempt) from exc
            finally:
                response.close()
            raise calls.status_error(response, attempt)
        if not stream:
            try:
                _read_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                raise calls.transport_error(exc, request, attempt) from exc
            finally:
                response.close()
        return response

    def _send(self, req: FinalRequest, *, stream: bool = False) -> httpx.Response:
        calls = _Attempts(self, req)
        try:
            return self._attempt(calls, 0, stream)
        except APIError as exc:
            decision = _retry_of(exc)
            if decision is None:
                raise
            _log_retry(self.profile.provider, req, 0, exc, decision.delay)
            self._sleep(decision.delay)
        from tenacity import Retrying, retry_if_exception, stop_never

        retrying = Retrying(
            stop=stop_never,  # decide_retry counts attempts and watches the deadline
            retry=retry_if_exception(lambda e: _retry_of(e) is not None),
            wait=lambda rs: _retry_of(rs.outcome.exception()).delay,  # type: ignore[union-attr,arg-type]
            before_sleep=lambda rs: _log_retry(
                self.profile.provider,
                req,
                rs.attempt_number,
                rs.outcome.exception(),  # type: ignore[union-attr,arg-type]
                _retry_of(rs.outcome.exception()).delay,  # type: ignore[union-attr,arg-type]
            ),
            sleep=self._sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._attempt(calls, attempt.retry_state.attempt_number, stream)
        raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover

    def request(self, cast_to: type[_T] | Callable[[Any], _T], req: FinalRequest) -> _T:
        """Send ``req`` (with retries) and parse the body into ``cast_to``."""
        response = self._send(req)
        if RAW_MODE.get():
            return APIResponse(response, lambda: self._process_response(response, cast_to), self._request_id(response))  # type: ignore[return-value]
        return self._process_response(response, cast_to)

    def request_stream(self, parse: Callable[[Any], _T], req: FinalRequest) -> Stream[_T]:
        """Send ``req`` and return a ``Stream`` that parses each SSE data frame with ``parse``."""
        response = self._send(req, stream=True)
        stream: Stream[_T] = Stream(
            response,
            parse,
            self._make_error_from_payload,
            require_done=self.profile.stream_requires_done,
            deadline=self._deadline(req),
        )
        if RAW_MODE.get():
            return APIResponse(response, lambda: stream, self._request_id(response))  # type: ignore[return-value]
        return stream

    @contextlib.contextmanager
    def stream_bytes(self, req: FinalRequest) -> Iterator[httpx.Response]:
        """Send ``req`` (with retries until the headers arrive) and yield the unread response for
        ``iter_bytes()``; it is closed on exit, whatever happens."""
        response = self._send(req, stream=True)
        try:
            yield response
        finally:
            response.close()

    # -- custom requests (undocumented endpoints) -------------------------------------------------------
    def get(self, path: str, *, cast_to: type[_T], params: Mapping[str, Any] | None = None) -> _T:
        """GET an arbitrary path with this client's auth, retries and error mapping."""
        return self.request(cast_to, FinalRequest("GET", path, params=params))

    def post(self, path: str, *, cast_to: type[_T], body: Any = None, idempotent: bool = False) -> _T:
        """POST to an arbitrary path; not retried unless ``idempotent=True``."""
        return self.request(cast_to, FinalRequest("POST", path, json=body, idempotent=idempotent))

    def delete(self, path: str, *, cast_to: type[_T]) -> _T:
        return self.request(cast_to, FinalRequest("DELETE", path))

    # -- lifecycle --------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool (only the one this client created; copies never close it)."""
        if self._owns_pool and self._pool.owned and self._pool.client is not None:
            self._pool.client.close()
            self._pool.client = None

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _AsyncPool:
    """One ``httpx.AsyncClient`` per event loop: a pooled connection is bound to the loop that opened it,
    so reusing one across ``asyncio.run()`` calls fails with "Event loop is closed"."""

    def __init__(self, client: httpx.AsyncClient | None) -> None:
        self.client = client
        self.owned = client is None
        self.per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> httpx.AsyncClient:
        if self.client is not None:
            return self.client
        loop = asyncio.get_running_loop()
        client = self.per_loop.get(loop)
        if client is None:
            client = self.per_loop[loop] = DefaultAsyncHttpxClient()
        return client


class AsyncAPIClient(BaseAPIClient):
    """Asynchronous client base: providers subclass it with a ``profile`` and their resources."""

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            from .errors import ConfigurationError

            raise ConfigurationError(f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}")
        self._pool = _AsyncPool(http_client)
        self._sleep: Callable[[float], Any] = asyncio.sleep

    def with_options(self: _Self, *, http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> _Self:
        """A copy with some options changed; it shares this client's connection pool unless given one."""
        new = self._copy(**kwargs)  # type: ignore[attr-defined]
        if http_client is not None:
            new._pool = _AsyncPool(http_client)
            new._pool.owned = False
        return new  # type: ignore[no-any-return]

    copy = with_options

    async def _attempt(self, calls: _Attempts, attempt: int, stream: bool) -> httpx.Response:
        http = self._pool.get()
        request = self._build_request(http, calls.req, attempt, calls.remaining())
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s attempt=%d", self.profile.provider, request.method, request.url.path, attempt)
        try:
            response = await http.send(request, stream=True, follow_redirects=_follow(http, calls.req))
        except httpx.TransportError as exc:
            raise calls.transport_error(exc, request, attempt) from exc
        if response.status_code >= 400:
            try:
                await _aread_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                raise calls.transport_error(exc, request, attempt) from exc
            finally:
                await response.aclose()
            raise calls.status_error(response, attempt)
        if not stream:
            try:
                await _aread_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                raise calls.transport_error(exc, request, attempt) from exc
            finally:
                await response.aclose()
        return response

    async def _send(self, req: FinalRequest, *, stream: bool = False) -> httpx.Response:
        calls = _Attempts(self, req)
        try:
            return await self._attempt(calls, 0, stream)
        except APIError as exc:
            decision = _retry_of(exc)
            if decision is None:
                raise
            _log_retry(self.profile.provider, req, 0, exc, decision.delay)
            await self._sleep(decision.delay)
        from tenacity import AsyncRetrying, retry_if_exception, stop_never

        retrying = AsyncRetrying(
            stop=stop_never,  # decide_retry counts attempts and watches the deadline
            retry=retry_if_exception(lambda e: _retry_of(e) is not None),
            wait=lambda rs: _retry_of(rs.outcome.exception()).delay,  # type: ignore[union-attr,arg-type]
            before_sleep=lambda rs: _log_retry(
                self.profile.provider,
                req,
                rs.attempt_number,
                rs.outcome.exception(),  # type: ignore[union-attr,arg-type]
                _retry_of(rs.outcome.exception()).delay,  # type: ignore[union-attr,arg-type]
            ),
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(calls, attempt.retry_state.attempt_number, stream)
        raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover

    async def request(self, cast_to: type[_T] | Callable[[Any], _T], req: FinalRequest) -> _T:
        """Send ``req`` (with retries) and parse the body into ``cast_to``."""
        response = await self._send(req)
        if RAW_MODE.get():
            return APIResponse(response, lambda: self._process_response(response, cast_to), self._request_id(response))  # type: ignore[return-value]
        return self._process_response(response, cast_to)

    async def request_stream(self, parse: Callable[[Any], _T], req: FinalRequest) -> AsyncStream[_T]:
        """Send ``req`` and return an ``AsyncStream`` that parses each SSE data frame with ``parse``."""
        response = await self._send(req, stream=True)
        stream: AsyncStream[_T] = AsyncStream(
            response,
            parse,
            self._make_error_from_payload,
            require_done=self.profile.stream_requires_done,
            deadline=self._deadline(req),
        )
        if RAW_MODE.get():
            return APIResponse(response, lambda: stream, self._request_id(response))  # type: ignore[return-value]
        return stream

    @contextlib.asynccontextmanager
    async def stream_bytes(self, req: FinalRequest) -> AsyncIterator[httpx.Response]:
        """Async twin of ``SyncAPIClient.stream_bytes``."""
        response = await self._send(req, stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def get(self, path: str, *, cast_to: type[_T], params: Mapping[str, Any] | None = None) -> _T:
        """GET an arbitrary path with this client's auth, retries and error mapping."""
        return await self.request(cast_to, FinalRequest("GET", path, params=params))

    async def post(self, path: str, *, cast_to: type[_T], body: Any = None, idempotent: bool = False) -> _T:
        """POST to an arbitrary path; not retried unless ``idempotent=True``."""
        return await self.request(cast_to, FinalRequest("POST", path, json=body, idempotent=idempotent))

    async def delete(self, path: str, *, cast_to: type[_T]) -> _T:
        return await self.request(cast_to, FinalRequest("DELETE", path))

    async def close(self) -> None:
        """Close the connection pools this client created (one per event loop it ran on)."""
        if not (self._owns_pool and self._pool.owned):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - close() is a coroutine, so a loop is running
            loop = None
        for pool_loop, client in list(self._pool.per_loop.items()):
            if pool_loop is loop:
                await client.aclose()
            del self._pool.per_loop[pool_loop]

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
