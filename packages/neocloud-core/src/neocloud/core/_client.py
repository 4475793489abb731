"""The sync API client (the async one is in ``_async_client``; both are exported here): one request loop each,
thin over httpx2 (or a caller's httpx client) and the pure policies.

Contract (both clients):

- The first attempt runs inline; only a failure the policy calls retryable enters the tenacity loop,
  so the common path pays nothing for retries.
- Every attempt of one logical call carries the same ``Idempotency-Key`` (when the call has one).
- Error responses are read, closed, and raised as the typed tree. When an exchange ends (answered or failed),
  every request object it made has its credentials masked (``BaseAPIClient._finish``), so no error reaches one.
- A total deadline bounds body reads too (a body dripped byte by byte ends at the deadline).
- ``stream=True`` calls return once the status line and headers say success; the body is then
  consumed by ``Stream`` / ``AsyncStream``, which own and close the response.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from . import _deadline_io, _http
from ._async_client import AsyncAPIClient
from ._base import BaseAPIClient, FinalRequest
from ._byte_stream import ByteStream
from ._pools import DefaultAsyncHttpxClient, DefaultHttpxClient, SyncPool
from ._resource import AsyncAPIResource, SyncAPIResource
from ._response import RAW_MODE, APIResponse
from ._transport import SEND_ERRORS, Attempts, follow_redirects, log_response, log_retry, retry_of, retrying_options
from .errors import APIError
from .streaming import Stream

if TYPE_CHECKING:
    import httpx

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


class SyncAPIClient(BaseAPIClient):
    """Synchronous client base: providers subclass it with a ``profile`` and their resources."""

    def __init__(self, *, http_client: httpx2.Client | httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if http_client is not None and not _http.is_client(http_client, asynchronous=False):
            from .errors import ConfigurationError

            raise ConfigurationError(
                f"http_client must be an httpx2.Client or httpx.Client, got {type(http_client).__name__}"
            )
        self._pool = SyncPool(_http.as_httpx2(http_client))
        self._sleep: Callable[[float], None] = time.sleep

    def with_options(self: _Self, *, http_client: httpx2.Client | httpx.Client | None = None, **kwargs: Any) -> _Self:
        """A copy with some options changed; it shares this client's connection pool unless given one."""
        new = self._copy(**kwargs)  # type: ignore[attr-defined]
        if http_client is not None:
            new._pool = SyncPool(_http.as_httpx2(http_client))
            new._pool.owned = False
        return new  # type: ignore[no-any-return]

    copy = with_options

    # -- the request loop -------------------------------------------------------------------------------
    def _attempt(self, calls: Attempts, attempt: int, stream: bool) -> httpx2.Response:
        http = self._pool.get()
        request = self._build_request(http, calls.req, attempt, calls.remaining())
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s attempt=%d", self.profile.provider, request.method, request.url.path, attempt)
        try:
            response = self._exchange(http, calls, request, attempt, stream)
        except BaseException as exc:
            self._finish(exc)
            self._finish(request)
            raise
        self._finish(response)
        return response

    def _exchange(self, http: httpx2.Client, calls: Attempts, request: httpx2.Request, attempt: int,
                  stream: bool) -> httpx2.Response:  # fmt: skip
        # Each socket operation of this exchange waits at most until the total deadline (``_deadline_io``): a
        # status line and headers dripped byte by byte end there too, not only the body.
        token = None if calls.deadline is None else _deadline_io.DEADLINE.set(calls.deadline)
        try:
            try:
                response = http.send(request, stream=True, follow_redirects=follow_redirects(http, calls.req))
            except SEND_ERRORS() as exc:
                if calls.passed():
                    raise calls.deadline_error(request) from exc
                raise calls.transport_error(exc, request, attempt) from exc
            if log.isEnabledFor(logging.INFO):
                log_response(self.profile.provider, request, response, self._request_id(response))
            if response.status_code >= 400 or not stream:
                calls.read(response, request, attempt, bounded=self._pool.bounded)
        finally:
            if token is not None:
                _deadline_io.DEADLINE.reset(token)
        if response.status_code >= 400:
            raise calls.status_error(response, attempt)
        return response

    def _send(self, req: FinalRequest, *, stream: bool = False, calls: Attempts | None = None) -> httpx2.Response:
        calls = Attempts(self, req) if calls is None else calls
        try:
            return self._attempt(calls, 0, stream)
        except APIError as exc:
            decision = retry_of(exc)
            if decision is None:
                raise
            log_retry(self.profile.provider, req, 0, exc, decision.delay)
            self._sleep(decision.delay)
        from tenacity import Retrying

        retrying = Retrying(**retrying_options(self.profile.provider, req, self._sleep))
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

    def request_stream(
        self, parse: Callable[[Any], _T], req: FinalRequest, *, parse_json: Callable[[str], _T] | None = None
    ) -> Stream[_T]:
        """Send ``req`` and return a ``Stream`` that parses each SSE data frame with ``parse`` (decoded JSON), or
        with ``parse_json`` (the frame's raw JSON text, one validation pass) when given."""
        response = self._send(req, stream=True)
        stream: Stream[_T] = Stream(
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

    @contextlib.contextmanager
    def stream_bytes(self, req: FinalRequest) -> Iterator[ByteStream]:
        """Send ``req`` (with retries until the headers arrive) and yield its body for ``iter_bytes()``, bounded by
        the total deadline and with typed errors (``_byte_stream``); the response is closed on exit."""
        calls = Attempts(self, req)
        response = self._send(req, stream=True, calls=calls)
        try:
            yield ByteStream(response, calls, bounded=self._pool.bounded)
        except BaseException as exc:
            self._finish(exc)
            raise
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
