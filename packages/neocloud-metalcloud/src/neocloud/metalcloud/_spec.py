"""MetalCloud, declared once for the framework adapters, the docs and the CLI."""

from __future__ import annotations

from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec, lazy_client, seconds_timeout

from ._chat import MetalCloudAsyncChatBackend, MetalCloudChatBackend

__all__ = ["PROVIDER_SPEC"]

PROVIDER_SPEC = ProviderSpec(
    name="metalcloud",
    display_name="MetalCloud",
    distribution="neocloud-metalcloud",
    api_key_env="METALCLOUD_API_KEY",
    base_url_env="METALCLOUD_BASE_URL",
    default_base_url="https://api.metalcloud.space",
    default_model="meta-llama/Llama-3.3-70B",
    capabilities=Capabilities(chat=True, completions=True, tools=False, stream_usage=True),
    models=(
        ModelInfo(
            "meta-llama/Llama-3.3-70B",
            context_window=131_072,
            max_output_tokens=4_096,
            tools=False,
            structured_output=False,
        ),
        ModelInfo(
            "meta-llama/Llama-3.1-8B",
            context_window=131_072,
            max_output_tokens=4_096,
            tools=False,
            structured_output=False,
        ),
        ModelInfo(
            "mistralai/Mixtral-8x7B",
            context_window=32_768,
            max_output_tokens=4_096,
            tools=False,
            structured_output=False,
        ),
    ),
    # The inference request's own parameters: anything else given to a framework class is an error.
    chat_params=frozenset({"max_tokens", "max_completion_tokens", "temperature", "top_p", "stop"}),
    sync_client=lazy_client("neocloud.metalcloud._client", "Client", seconds_timeout),
    async_client=lazy_client("neocloud.metalcloud._client", "AsyncClient", seconds_timeout),
    chat_backend=MetalCloudChatBackend,
    async_chat_backend=MetalCloudAsyncChatBackend,
)
