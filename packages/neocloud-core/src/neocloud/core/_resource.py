"""The base of a provider's resource groups (``client.chat.completions``) and their ``with_raw_response``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._async_client import AsyncAPIClient
    from ._client import SyncAPIClient

__all__ = ["AsyncAPIResource", "SyncAPIResource"]


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
