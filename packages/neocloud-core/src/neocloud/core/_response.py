"""Raw-response access: ``client.resource.with_raw_response.method(...)`` returns an ``APIResponse``.

A context variable tells the transport to hand back the response wrapper instead of the parsed value,
so every resource method gets a raw twin without a second implementation.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar

import httpx2

__all__ = ["APIResponse", "async_raw_response_wrapper", "raw_response_wrapper"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

RAW_MODE: contextvars.ContextVar[bool] = contextvars.ContextVar("neocloud_raw_mode", default=False)


class APIResponse(Generic[_T]):
    """An HTTP response plus the parsed value: ``headers``, ``status_code``, ``request_id``, ``parse()``."""

    def __init__(self, response: httpx2.Response, parsed: Callable[[], _T], request_id: str | None) -> None:
        self.http_response = response
        self._parsed = parsed
        self.request_id = request_id

    @property
    def headers(self) -> httpx2.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def http_request(self) -> httpx2.Request:
        return self.http_response.request

    @property
    def url(self) -> httpx2.URL:
        return self.http_response.url

    @property
    def elapsed(self) -> Any:
        return self.http_response.elapsed

    def parse(self) -> _T:
        """The object the plain method would have returned (a stream for streamed calls)."""
        return self._parsed()

    def read(self) -> bytes:
        return self.http_response.read()

    def json(self) -> Any:
        return self.http_response.json()

    @property
    def text(self) -> str:
        return self.http_response.text

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.http_request.method} {self.url.path}>"


def raw_response_wrapper(func: Callable[_P, _T]) -> Callable[_P, APIResponse[_T]]:
    """Wrap a sync resource method so that it returns the ``APIResponse`` instead of the parsed value."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_T]:
        token = RAW_MODE.set(True)
        try:
            return func(*args, **kwargs)  # type: ignore[return-value]
        finally:
            RAW_MODE.reset(token)

    return wrapped


def async_raw_response_wrapper(
    func: Callable[_P, Awaitable[_T]],
) -> Callable[_P, Awaitable[APIResponse[_T]]]:
    """Async twin of ``raw_response_wrapper``."""

    @functools.wraps(func)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_T]:
        token = RAW_MODE.set(True)
        try:
            return await func(*args, **kwargs)  # type: ignore[return-value]
        finally:
            RAW_MODE.reset(token)

    return wrapped
