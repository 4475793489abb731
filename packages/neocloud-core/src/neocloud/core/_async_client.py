"""The async API client: the twin of ``_client.SyncAPIClient`` (see its module for the contract), with one
connection pool per event loop (``_pools.AsyncPool``) and the total deadline applied by awaiting each step with
the time left."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from . import _http
from ._base import BaseAPIClient, FinalRequest
from ._byte_stream import AsyncByteStream
from ._pools import AsyncPool
from ._response import RAW_MODE, APIResponse
from ._transport import SEND_ERRORS, Attempts, follow_redirects, log_response, log_retry, retry_of, retrying_options
from .errors import APIError
from .streaming import AsyncStream

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncAPIClient"]

log = logging.getLogger("neocloud.core")
_T = TypeVar("_T")
_Self = TypeVar("_Self")


class AsyncAPIClient(BaseAPIClient):
    """Asynchronous client base: providers subclass it with a ``profile`` and their resources."""

    def __init__(self, *, http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if http_client is not None and not _http.is_client(http_client, asynchronous=True):
            from .errors import ConfigurationError

            raise ConfigurationError(
                f"http_client must be an httpx2.AsyncClient or httpx.AsyncClient, got {type(http_client).__name__}"
            )
        self._pool = AsyncPool(_http.as_httpx2(http_client))
        import asyncio  # here, not at import: a sync-only program never pays for asyncio

        self._sleep: Callable[[float], Any] = asyncio.sleep

    def with_options(
        self: _Self, *, http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None, **kwargs: Any
    ) -> _Self:
        """A copy with some options changed; it shares this client's connection pool unless given one."""
        new = self._copy(**kwargs)  # type: ignore[attr-defined]
        if http_client is not None:
            new._pool = AsyncPool(_http.as_httpx2(http_client))
            new._pool.owned = False
        return new  # type: ignore[no-any-return]

    copy = with_options

    async def _attempt(self, calls: Attempts, attempt: int, stream: bool) -> httpx2.Response:
        http = self._pool.get()
        request = self._build_request(http, calls.req, attempt, calls.remaining())
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s attempt=%d", self.profile.provider, request.method, request.url.path, attempt)
        try:
            response = await self._exchange(http, calls, request, attempt, stream)
        except BaseException as exc:
            self._finish(exc)
            self._finish(request)
            raise
        self._finish(response)
        return response

    async def _exchange(self, http: httpx2.AsyncClient, calls: Attempts, request: httpx2.Request, attempt: int,
                        stream: bool) -> httpx2.Response:  # fmt: skip
        import asyncio

        send = http.send(request, stream=True, follow_redirects=follow_redirects(http, calls.req))
        try:
            # The headers too must come within the total deadline (a server may drip them as well).
            left = None if calls.deadline is None else max(calls.deadline - time.monotonic(), 0.0)
            response = await (send if left is None else asyncio.wait_for(send, left))
        except asyncio.TimeoutError as exc:
            raise calls.deadline_error(request) from exc
        except SEND_ERRORS() as exc:
            raise calls.transport_error(exc, request, attempt) from exc
        if log.isEnabledFor(logging.INFO):
            log_response(self.profile.provider, request, response, self._request_id(response))
        if response.status_code >= 400 or not stream:
            await calls.aread(response, request, attempt)
        if response.status_code >= 400:
            raise calls.status_error(response, attempt)
        return response

    async def _send(self, req: FinalRequest, *, stream: bool = False, calls: Attempts | None = None) -> httpx2.Response:
        calls = Attempts(self, req) if calls is None else calls
        try:
            return await self._attempt(calls, 0, stream)
        except APIError as exc:
            decision = retry_of(exc)
            if decision is None:
                raise
            log_retry(self.profile.provider, req, 0, exc, decision.delay)
            await self._sleep(decision.delay)
        from tenacity import AsyncRetrying

        retrying = AsyncRetrying(**retrying_options(self.profile.provider, req, self._sleep))
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

    async def request_stream(
        self, parse: Callable[[Any], _T], req: FinalRequest, *, parse_json: Callable[[str], _T] | None = None
    ) -> AsyncStream[_T]:
        """Send ``req`` and return an ``AsyncStream`` that parses each SSE data frame with ``parse``."""
        response = await self._send(req, stream=True)
        stream: AsyncStream[_T] = AsyncStream(
            response,
            parse,
            self._make_error_from_payload,
            require_done=self.profile.stream_requires_done,
            deadline=self._deadline(req),
            parse_json=parse_json,
            max_event_chars=self.event_cap,
            finish=self._finish,
        )
        if RAW_MODE.get():
            return APIResponse(response, lambda: stream, self._request_id(response))  # type: ignore[return-value]
        return stream

    @contextlib.asynccontextmanager
    async def stream_bytes(self, req: FinalRequest) -> AsyncIterator[AsyncByteStream]:
        """Async twin of ``SyncAPIClient.stream_bytes``."""
        calls = Attempts(self, req)
        response = await self._send(req, stream=True, calls=calls)
        try:
            yield AsyncByteStream(response, calls)
        except BaseException as exc:
            self._finish(exc)
            raise
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
        """Close the connection pool this client created for the running event loop. (Each loop's pool is also
        closed when that loop shuts down, so ``asyncio.run()`` after ``asyncio.run()`` leaves nothing open.)"""
        if self._owns_pool and self._pool.owned:
            await self._pool.aclose()

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
