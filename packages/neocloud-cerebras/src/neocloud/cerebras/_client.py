"""``Cerebras`` and ``AsyncCerebras``: the Python surface of the Cerebras SDK on the neocloud core.

Differences from the official SDK, on purpose: constructing a client sends nothing (the SDK's
``/v1/tcp_warming`` requests are available as ``warm_connection()``); error frames inside a 200 response
are raised as typed errors instead of being returned as data; a stream that ends without ``[DONE]``
raises ``StreamError`` instead of looking complete.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx2

from neocloud.core._base import ClientProfile, FinalRequest
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import NOT_GIVEN, NotGiven, Timeout, TimeoutTypes

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

    # The resources (and the pydantic wire models under them) load on first use, so that importing and
    # constructing a client costs little more than importing httpx2 (a target of the benchmark).
    from ._resources import (
        AsyncCerebrasCompletions,
        AsyncCerebrasModels,
        AsyncChat,
        CerebrasCompletions,
        CerebrasModels,
        Chat,
    )

__all__ = ["PROFILE", "AsyncCerebras", "Cerebras"]

PROFILE = ClientProfile(
    provider="cerebras",
    label="Cerebras",
    distribution="neocloud-cerebras",
    default_base_url="https://api.cerebras.ai",
    api_key_env="CEREBRAS_API_KEY",
    base_url_env="CEREBRAS_BASE_URL",
    default_timeout=Timeout(connect=5.0, read=60.0, write=60.0),  # the wait for a pooled connection: unbounded
    default_max_retries=2,
    body_status_overrides=True,
    log_env="CEREBRAS_LOG",
)


def _custom_headers_from_env() -> dict[str, str]:
    """``CEREBRAS_CUSTOM_HEADERS``: newline-separated ``Name: value`` lines added to every request."""
    raw = os.environ.get("CEREBRAS_CUSTOM_HEADERS", "")
    headers: dict[str, str] = {}
    for line in raw.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers[name.strip()] = value.strip()
    return headers


def _init_kwargs(default_headers: Mapping[str, str] | None, warm_tcp_connection: bool) -> dict[str, str]:
    # warm_tcp_connection is accepted so the SDK's calls keep working, and ignored: a constructor never sends
    # anything here (the official SDK sends GET /v1/tcp_warming requests from its constructor by default). Call
    # warm_connection() for the same effect, when and where you choose.
    del warm_tcp_connection
    return {**_custom_headers_from_env(), **(default_headers or {})}


class Cerebras(SyncAPIClient):
    """Synchronous Cerebras client: ``chat.completions``, ``completions``, ``models``.

    Configuration: ``api_key`` (else ``CEREBRAS_API_KEY``), ``base_url`` (else ``CEREBRAS_BASE_URL``, the
    host root without ``/v1``), ``timeout`` (seconds, ``httpx2.Timeout`` or ``httpx.Timeout``; default 60 s, 5 s
    connect), ``max_retries`` (default 2), ``default_headers``, ``default_query``, ``http_client`` (an
    ``httpx2.Client`` or ``httpx.Client``).
    """

    profile = PROFILE

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | httpx2.URL | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx2.Client | httpx.Client | None = None,
        warm_tcp_connection: bool = True,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=_init_kwargs(default_headers, warm_tcp_connection),
            default_query=default_query,
            http_client=http_client,
            ledger=ledger,
            budget=budget,
            run_id=run_id,
            prices=prices,
            unpriced=unpriced,
        )

    @cached_property
    def chat(self) -> Chat:
        from ._resources import Chat

        return Chat(self)

    @cached_property
    def completions(self) -> CerebrasCompletions:
        from ._resources import CerebrasCompletions

        return CerebrasCompletions(self)

    @cached_property
    def models(self) -> CerebrasModels:
        from ._resources import CerebrasModels

        return CerebrasModels(self)

    def warm_connection(self) -> bool:
        """Open a pooled connection ahead of the first call (``GET /v1/tcp_warming``); never raises."""
        try:
            self.request(
                httpx2.Response,
                FinalRequest("GET", "/v1/tcp_warming", timeout=Timeout(1, 1, 1, 1), max_retries=0),
            )
        except Exception:  # warming is best effort by design: the real call reports real errors
            return False
        return True


class AsyncCerebras(AsyncAPIClient):
    """Asynchronous Cerebras client; same configuration and resources as ``Cerebras``, awaited."""

    profile = PROFILE

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | httpx2.URL | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        warm_tcp_connection: bool = True,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=_init_kwargs(default_headers, warm_tcp_connection),
            default_query=default_query,
            http_client=http_client,
            ledger=ledger,
            budget=budget,
            run_id=run_id,
            prices=prices,
            unpriced=unpriced,
        )

    @cached_property
    def chat(self) -> AsyncChat:
        from ._resources import AsyncChat

        return AsyncChat(self)

    @cached_property
    def completions(self) -> AsyncCerebrasCompletions:
        from ._resources import AsyncCerebrasCompletions

        return AsyncCerebrasCompletions(self)

    @cached_property
    def models(self) -> AsyncCerebrasModels:
        from ._resources import AsyncCerebrasModels

        return AsyncCerebrasModels(self)

    async def warm_connection(self) -> bool:
        """Open a pooled connection ahead of the first call (``GET /v1/tcp_warming``); never raises."""
        try:
            await self.request(
                httpx2.Response,
                FinalRequest("GET", "/v1/tcp_warming", timeout=Timeout(1, 1, 1, 1), max_retries=0),
            )
        except Exception:  # warming is best effort by design: the real call reports real errors
            return False
        return True
