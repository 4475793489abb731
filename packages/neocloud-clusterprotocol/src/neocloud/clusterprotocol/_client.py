"""``ClusterClient`` and ``AsyncClusterClient``: Cluster Protocol's documented surface on the core.

Configuration as documented: ``api_key`` (else ``CLUSTER_API_KEY``), ``base_url`` (else
``CLUSTER_BASE_URL``, the host root), ``timeout`` and ``connect_timeout`` (seconds), ``max_retries``
(default 3), ``retry_delay`` (seconds between retries, default 1 s: the same wait before every retry; a
server's longer ``Retry-After`` wins), ``default_headers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx2
from pydantic import SecretStr

from neocloud.core._base import ClientProfile
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import Timeout, TimeoutTypes, coerce_timeout
from neocloud.core.errors import ConfigurationError
from neocloud.core.openai_compat import AsyncEmbeddings, Embeddings
from neocloud.core.retry import Backoff

from . import errors as exc
from ._resources import (
    Account,
    AsyncAccount,
    AsyncChat,
    AsyncClusterModels,
    AsyncDatasets,
    AsyncFineTuning,
    Chat,
    ClusterModels,
    Datasets,
    FineTuning,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["PROFILE", "AsyncClusterClient", "ClusterClient"]

PROFILE = ClientProfile(
    provider="clusterprotocol",
    label="Cluster Protocol",
    distribution="neocloud-clusterprotocol",
    default_base_url="https://api.clusterprotocol.ai",
    api_key_env="CLUSTER_API_KEY",
    base_url_env="CLUSTER_BASE_URL",
    default_timeout=Timeout(connect=10.0, read=60.0, write=60.0),  # the wait for a pooled connection: unbounded
    default_max_retries=3,
    # "retry_delay=1.0  # seconds between retries": a fixed wait, as documented.
    retry_backoff=Backoff.fixed(1.0),
    error_classes={
        401: exc.AuthenticationError,
        402: exc.InsufficientBalanceError,
        404: exc.NotFoundError,
        429: exc.RateLimitError,
        **{status: exc.ServerError for status in range(500, 600)},
    },
    local_error=exc.LocalBadRequestError,
)


def _settings(
    timeout: TimeoutTypes, connect_timeout: float | None, retry_delay: float | None
) -> tuple[dict[str, Any], float | None]:
    kwargs: dict[str, Any] = {}
    if timeout is not None and not isinstance(timeout, (int, float)):
        # A neocloud Timeout (``total``: the whole-call deadline) or an httpx.Timeout, as every client accepts.
        kwargs["timeout"] = coerce_timeout(timeout, PROFILE.default_timeout)
        if connect_timeout is not None:
            kwargs["timeout"] = replace(kwargs["timeout"], connect=float(connect_timeout))
    elif timeout is not None or connect_timeout is not None:
        read = float(timeout) if timeout is not None else PROFILE.default_timeout.read
        connect = float(connect_timeout) if connect_timeout is not None else min(10.0, read or 10.0)
        if (read is not None and read <= 0) or connect <= 0:
            raise ConfigurationError("timeout and connect_timeout must be positive numbers of seconds")
        kwargs["timeout"] = Timeout(connect=connect, read=read, write=read)
    if retry_delay is not None and (
        not isinstance(retry_delay, (int, float)) or isinstance(retry_delay, bool) or retry_delay < 0
    ):
        raise ConfigurationError(f"retry_delay must be a number of seconds >= 0, got {retry_delay!r}")
    return kwargs, retry_delay


class _RetryDelay:
    """``retry_delay``: the fixed seconds between retries (a view of the client's ``retry_backoff``)."""

    retry_backoff: Backoff

    @property
    def retry_delay(self) -> float:
        return self.retry_backoff.initial


class ClusterClient(_RetryDelay, SyncAPIClient):
    """Cluster Protocol: ``chat.completions``, ``models``, ``embeddings``, ``fine_tuning``, ``datasets``,
    ``balance``, ``usage``."""

    profile = PROFILE

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        retry_delay: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.Client | httpx.Client | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        kwargs, delay = _settings(timeout, connect_timeout, retry_delay)
        super().__init__(
            api_key=api_key, base_url=base_url, max_retries=max_retries, default_headers=default_headers,
            http_client=http_client, ledger=ledger, budget=budget, run_id=run_id,
            prices=prices, unpriced=unpriced, **kwargs,
        )  # fmt: skip
        if delay is not None:
            self.retry_backoff = Backoff.fixed(float(delay))

    @cached_property
    def chat(self) -> Chat:
        return Chat(self)

    @cached_property
    def models(self) -> ClusterModels:
        return ClusterModels(self)

    @cached_property
    def embeddings(self) -> Embeddings:
        return Embeddings(self)

    @cached_property
    def fine_tuning(self) -> FineTuning:
        return FineTuning(self)

    @cached_property
    def datasets(self) -> Datasets:
        return Datasets(self)

    @cached_property
    def balance(self) -> Account:
        return Account(self, "balance")

    @cached_property
    def usage(self) -> Account:
        return Account(self, "usage")


class AsyncClusterClient(_RetryDelay, AsyncAPIClient):
    """Async twin of ``ClusterClient``: the same methods, awaited."""

    profile = PROFILE

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        retry_delay: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        kwargs, delay = _settings(timeout, connect_timeout, retry_delay)
        super().__init__(
            api_key=api_key, base_url=base_url, max_retries=max_retries, default_headers=default_headers,
            http_client=http_client, ledger=ledger, budget=budget, run_id=run_id,
            prices=prices, unpriced=unpriced, **kwargs,
        )  # fmt: skip
        if delay is not None:
            self.retry_backoff = Backoff.fixed(float(delay))

    @cached_property
    def chat(self) -> AsyncChat:
        return AsyncChat(self)

    @cached_property
    def models(self) -> AsyncClusterModels:
        return AsyncClusterModels(self)

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        return AsyncEmbeddings(self)

    @cached_property
    def fine_tuning(self) -> AsyncFineTuning:
        return AsyncFineTuning(self)

    @cached_property
    def datasets(self) -> AsyncDatasets:
        return AsyncDatasets(self)

    @cached_property
    def balance(self) -> AsyncAccount:
        return AsyncAccount(self, "balance")

    @cached_property
    def usage(self) -> AsyncAccount:
        return AsyncAccount(self, "usage")
