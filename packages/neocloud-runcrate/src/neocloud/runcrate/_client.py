"""``Runcrate`` and ``AsyncRuncrate``: two hosts, one key, every call through the common core.

- control plane (``base_url``, default ``https://runcrate.ai``): ``/api/v1/...``, the ``{"data", "meta"}``
  envelope, ``?environment=<name>`` on every call when ``environment`` is set, retries with
  ``Idempotency-Key`` on launches;
- inference host (``inference_url``, default ``https://api.runcrate.ai``): OpenAI-style ``/v1/...``.

Unlike the official SDK, the inference host also gets the core's timeouts, typed errors and (for calls
that are safe to repeat) retries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx2
from pydantic import SecretStr

from neocloud.core._base import ClientProfile
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import Timeout, TimeoutTypes, coerce_timeout
from neocloud.core.errors import ConfigurationError
from neocloud.core.openai_compat import AsyncChatCompletions, ChatCompletions
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk

from .exceptions import InsufficientCreditsError, RuncrateValidationError
from .resources import (
    AsyncBillingResource,
    AsyncEnvironmentsResource,
    AsyncInstancesResource,
    AsyncJobGroupsResource,
    AsyncJobsResource,
    AsyncSchedulesResource,
    AsyncSecretsResource,
    AsyncSSHKeysResource,
    AsyncStorageResource,
    AsyncTemplatesResource,
    BillingResource,
    EnvironmentsResource,
    InstancesResource,
    JobGroupsResource,
    JobsResource,
    SchedulesResource,
    SecretsResource,
    SSHKeysResource,
    StorageResource,
    TemplatesResource,
)
from .resources.models import AsyncModels, Models

if TYPE_CHECKING:
    import httpx

__all__ = ["CONTROL_PROFILE", "INFERENCE_PROFILE", "AsyncRuncrate", "Runcrate"]

KEY_PREFIX = "rc_live_"
CONTROL_PROFILE = ClientProfile(
    provider="runcrate",
    label="Runcrate",
    distribution="neocloud-runcrate",
    default_base_url="https://runcrate.ai",
    api_key_env="RUNCRATE_API_KEY",
    # Runcrate documents no URL variables; ours follow the one precedence rule (argument > env > default).
    base_url_env="RUNCRATE_BASE_URL",
    default_timeout=Timeout(connect=10.0, read=30.0, write=30.0, pool=30.0),
    default_max_retries=3,
    error_classes={402: InsufficientCreditsError},
    # A machine refused for this very request: repeating it cannot help.
    never_retry_codes=frozenset({"launch_refused"}),
    # A 409 is retried only while the same Idempotency-Key is still being processed, as the SDK does.
    conflict_retry_reason="idempotency_in_progress",
    local_error=RuncrateValidationError,
)
INFERENCE_PROFILE = replace(
    CONTROL_PROFILE, default_base_url="https://api.runcrate.ai", base_url_env="RUNCRATE_INFERENCE_URL"
)


class _Control(SyncAPIClient):
    profile = CONTROL_PROFILE


class _Inference(SyncAPIClient):
    profile = INFERENCE_PROFILE


class _AsyncControl(AsyncAPIClient):
    profile = CONTROL_PROFILE


class _AsyncInference(AsyncAPIClient):
    profile = INFERENCE_PROFILE


def _key(api_key: str | SecretStr | None) -> SecretStr:
    value = api_key if api_key is not None else os.environ.get("RUNCRATE_API_KEY")
    if value is None or value == "":
        raise ConfigurationError("No API key for runcrate: pass api_key=... or set RUNCRATE_API_KEY.")
    secret = value if isinstance(value, SecretStr) else SecretStr(value)
    if not secret.get_secret_value().startswith(KEY_PREFIX):
        raise ConfigurationError(f"Runcrate API keys start with {KEY_PREFIX!r}")
    return secret


def _common(
    timeout: TimeoutTypes, max_retries: int | None, environment: str | None, default_headers: Mapping[str, str] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    shared: dict[str, Any] = {"max_retries": max_retries, "default_headers": default_headers}
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        if timeout <= 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
        shared["timeout"] = Timeout(connect=min(10.0, timeout), read=timeout, write=timeout, pool=timeout)
    elif timeout is not None:  # a neocloud Timeout (with ``total``, the whole-call deadline) or an httpx.Timeout
        shared["timeout"] = coerce_timeout(timeout, CONTROL_PROFILE.default_timeout)
    if environment is not None and (not isinstance(environment, str) or not environment):
        raise ConfigurationError("environment must be a non-empty environment name")
    control = {**shared, "default_query": {"environment": environment} if environment else None}
    return control, shared


class Runcrate:
    """The Runcrate client: ``models`` (inference), ``instances``, ``jobs``, ``job_groups``, ``schedules``,
    ``environments``, ``secrets``, ``ssh_keys``, ``storage``, ``billing``, ``templates``, and the OpenAI-style
    ``chat.completions``.

    ``ledger=`` / ``budget=`` / ``run_id=`` / ``prices=`` / ``unpriced=`` meter the inference host's billable calls
    (chat, images, video, speech, transcription) as every client's do (``neocloud.core.pricing.Meter``)."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        inference_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        environment: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.Client | httpx.Client | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        key = _key(api_key)
        control, inference = _common(timeout, max_retries, environment, default_headers)
        # Inference (chat and the media calls) is what the meter prices; the control plane's spending calls are
        # the provisioning tools', recorded by their ToolSession.
        inference.update(ledger=ledger, budget=budget, run_id=run_id, prices=prices, unpriced=unpriced)
        self.environment = environment
        self._control = _Control(api_key=key, base_url=base_url, http_client=http_client, **control)
        self._inference = _Inference(api_key=key, base_url=inference_url, http_client=http_client, **inference)

    def __repr__(self) -> str:
        return (
            f"Runcrate(base_url={self._control.base_url!r}, inference_url={self._inference.base_url!r}, "
            f"environment={self.environment!r})"
        )

    @cached_property
    def instances(self) -> InstancesResource:
        return InstancesResource(self)

    @cached_property
    def ssh_keys(self) -> SSHKeysResource:
        return SSHKeysResource(self)

    @cached_property
    def storage(self) -> StorageResource:
        return StorageResource(self)

    @cached_property
    def billing(self) -> BillingResource:
        return BillingResource(self)

    @cached_property
    def templates(self) -> TemplatesResource:
        return TemplatesResource(self)

    @cached_property
    def jobs(self) -> JobsResource:
        return JobsResource(self)

    @cached_property
    def job_groups(self) -> JobGroupsResource:
        return JobGroupsResource(self)

    @cached_property
    def schedules(self) -> SchedulesResource:
        return SchedulesResource(self)

    @cached_property
    def environments(self) -> EnvironmentsResource:
        return EnvironmentsResource(self)

    @cached_property
    def secrets(self) -> SecretsResource:
        return SecretsResource(self)

    @cached_property
    def models(self) -> Models:
        return Models(self)

    @cached_property
    def chat(self) -> Any:
        """OpenAI-style ``chat.completions.create`` on the inference host."""
        return _Chat(ChatCompletions[ChatCompletion, ChatCompletionChunk](self._inference))

    def close(self) -> None:
        """Close both hosts' connection pools."""
        self._control.close()
        self._inference.close()

    def __enter__(self) -> Runcrate:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncRuncrate:
    """Async twin of ``Runcrate``: every method awaited."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        inference_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        environment: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        key = _key(api_key)
        control, inference = _common(timeout, max_retries, environment, default_headers)
        # Inference (chat and the media calls) is what the meter prices; the control plane's spending calls are
        # the provisioning tools', recorded by their ToolSession.
        inference.update(ledger=ledger, budget=budget, run_id=run_id, prices=prices, unpriced=unpriced)
        self.environment = environment
        self._control = _AsyncControl(api_key=key, base_url=base_url, http_client=http_client, **control)
        self._inference = _AsyncInference(api_key=key, base_url=inference_url, http_client=http_client, **inference)

    def __repr__(self) -> str:
        return (
            f"AsyncRuncrate(base_url={self._control.base_url!r}, inference_url={self._inference.base_url!r}, "
            f"environment={self.environment!r})"
        )

    @cached_property
    def instances(self) -> AsyncInstancesResource:
        return AsyncInstancesResource(self)

    @cached_property
    def ssh_keys(self) -> AsyncSSHKeysResource:
        return AsyncSSHKeysResource(self)

    @cached_property
    def storage(self) -> AsyncStorageResource:
        return AsyncStorageResource(self)

    @cached_property
    def billing(self) -> AsyncBillingResource:
        return AsyncBillingResource(self)

    @cached_property
    def templates(self) -> AsyncTemplatesResource:
        return AsyncTemplatesResource(self)

    @cached_property
    def jobs(self) -> AsyncJobsResource:
        return AsyncJobsResource(self)

    @cached_property
    def job_groups(self) -> AsyncJobGroupsResource:
        return AsyncJobGroupsResource(self)

    @cached_property
    def schedules(self) -> AsyncSchedulesResource:
        return AsyncSchedulesResource(self)

    @cached_property
    def environments(self) -> AsyncEnvironmentsResource:
        return AsyncEnvironmentsResource(self)

    @cached_property
    def secrets(self) -> AsyncSecretsResource:
        return AsyncSecretsResource(self)

    @cached_property
    def models(self) -> AsyncModels:
        return AsyncModels(self)

    @cached_property
    def chat(self) -> Any:
        """OpenAI-style ``chat.completions.create`` on the inference host."""
        return _Chat(AsyncChatCompletions[ChatCompletion, ChatCompletionChunk](self._inference))

    async def close(self) -> None:
        await self._control.close()
        await self._inference.close()

    async def __aenter__(self) -> AsyncRuncrate:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class _Chat:
    def __init__(self, completions: Any) -> None:
        self.completions = completions
