"""MetalCloud, declared once for the framework adapters, the docs and the CLI."""

from __future__ import annotations

from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec, lazy_client, seconds_timeout

from ._chat import MetalCloudAsyncChatBackend, MetalCloudChatBackend

__all__ = ["PROVIDER_SPEC"]

_INFERENCE_PARAMS = frozenset({"max_tokens", "max_completion_tokens", "temperature", "top_p", "stop"})
_PROTOCOL_PARAMS = frozenset({"tools", "tool_choice", "parallel_tool_calls", "response_format"})

PROVIDER_SPEC = ProviderSpec(
    name="metalcloud",
    display_name="MetalCloud",
    distribution="neocloud-metalcloud",
    api_key_env="METALCLOUD_API_KEY",
    base_url_env="METALCLOUD_BASE_URL",
    default_base_url="https://api.metalcloud.space",
    default_model="meta-llama/Llama-3.3-70B",
    # No tools or structured output on the wire: both are emulated by the prompted protocol (see _chat.py), which
    # can ask for every tool_choice form and honours parallel_tool_calls=False.
    capabilities=Capabilities(
        chat=True,
        completions=True,
        tools=True,
        tool_choice=frozenset({"auto", "none", "required", "named"}),
        parallel_tool_calls=True,
        structured_output=("json_schema", "function_calling", "json_mode"),
        stream_usage=True,
        prompted=True,
    ),
    models=(
        ModelInfo(
            "meta-llama/Llama-3.3-70B",
            context_window=131_072,
            max_output_tokens=4_096,
        ),
        ModelInfo(
            "meta-llama/Llama-3.1-8B",
            context_window=131_072,
            max_output_tokens=4_096,
        ),
        ModelInfo(
            "mistralai/Mixtral-8x7B",
            context_window=32_768,
            max_output_tokens=4_096,
        ),
    ),
    # The inference request's own parameters, and the protocol's.
    chat_params=_INFERENCE_PARAMS | _PROTOCOL_PARAMS,
    sync_client=lazy_client("neocloud.metalcloud._client", "Client", seconds_timeout),
    async_client=lazy_client("neocloud.metalcloud._client", "AsyncClient", seconds_timeout),
    chat_backend=MetalCloudChatBackend,
    async_chat_backend=MetalCloudAsyncChatBackend,
)
