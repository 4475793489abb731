"""InferenceKey, declared once for the framework adapters, the docs and the CLI.

Framework models address one workload endpoint: ``base_url`` is the endpoint root
(``https://api.inferencekey.com/endpoint/<project>/<workload>``, see ``endpoint_url``) and ``model`` is
the workload slug; the key is that workload's ``ik_live_`` key (``INFERENCEKEY_API_KEY``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core.openai_compat import AsyncChatCompletions, AsyncEmbeddings, ChatCompletions, Embeddings
from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk

from ._common import DATA_PROFILE, DEFAULT_BASE_URL, endpoint_root
from .errors import ConfigurationError

__all__ = ["PROVIDER_SPEC", "endpoint_url", "workload_root"]


def endpoint_url(project: str, workload_slug: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The OpenAI-compatible root of a workload (append ``/v1/chat/completions`` etc.)."""
    return endpoint_root(base_url, project, workload_slug)


def workload_root(base_url: str | None, project: str | None, workload: str) -> str:
    """Where a framework model for ``workload`` sends requests: ``base_url`` when it already is a workload root
    (``.../endpoint/<project>/<workload>``), else built from the platform root (``base_url`` >
    ``INFERENCEKEY_BASE_URL`` > production) and ``project`` (> ``INFERENCEKEY_PROJECT``)."""
    import os

    if base_url and "/endpoint/" in base_url:
        return base_url
    project = project or os.environ.get("INFERENCEKEY_PROJECT")
    if not project:
        raise ConfigurationError("InferenceKey needs the workload's project: pass project= or set INFERENCEKEY_PROJECT")
    return endpoint_url(project, workload, base_url or os.environ.get("INFERENCEKEY_BASE_URL") or DEFAULT_BASE_URL)


class _Chat:
    def __init__(self, completions: Any) -> None:
        self.completions = completions


class EndpointClient(SyncAPIClient):
    """An OpenAI-style client bound to one workload endpoint (``chat.completions``, ``embeddings``)."""

    profile = DATA_PROFILE

    @cached_property
    def chat(self) -> _Chat:
        return _Chat(ChatCompletions[ChatCompletion, ChatCompletionChunk](self))

    @cached_property
    def embeddings(self) -> Embeddings:
        return Embeddings(self)


class AsyncEndpointClient(AsyncAPIClient):
    """Async twin of ``EndpointClient``."""

    profile = DATA_PROFILE

    @cached_property
    def chat(self) -> _Chat:
        return _Chat(AsyncChatCompletions[ChatCompletion, ChatCompletionChunk](self))

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        return AsyncEmbeddings(self)


def _key(kwargs: dict[str, Any]) -> dict[str, Any]:
    import os

    if kwargs.get("api_key") is None:
        kwargs["api_key"] = os.environ.get("INFERENCEKEY_API_KEY")
    return kwargs


PROVIDER_SPEC = ProviderSpec(
    name="inferencekey",
    display_name="InferenceKey",
    distribution="neocloud-inferencekey",
    api_key_env="INFERENCEKEY_API_KEY",
    # One platform root for both planes; every client (and endpoint_url) reads it from here.
    base_url_env="INFERENCEKEY_BASE_URL",
    default_base_url=DEFAULT_BASE_URL,
    default_model="support-bot",
    capabilities=Capabilities(
        chat=True,
        tools=True,
        tool_choice=frozenset({"auto", "none", "required", "named"}),
        parallel_tool_calls=True,
        structured_output=("json_schema", "json_mode", "function_calling"),
        embeddings=True,
        # Every stream frame carries choices[0]: usage arrives on the last content chunk, never alone.
        stream_usage=True,
        provisioning=True,
    ),
    models=(ModelInfo("support-bot", context_window=8_192, max_output_tokens=2_048),),
    sync_client=lambda **kw: EndpointClient(**_key(kw)),
    async_client=lambda **kw: AsyncEndpointClient(**_key(kw)),
)
