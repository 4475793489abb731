"""Runcrate, declared once for the framework adapters, the docs and the CLI."""

from __future__ import annotations

from typing import Any

from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec, lazy_client, seconds_timeout

__all__ = ["PROVIDER_SPEC"]


def _inference_host(kwargs: dict[str, Any]) -> dict[str, Any]:
    # Framework adapters talk to the inference host: their base_url is Runcrate's inference_url.
    kwargs = seconds_timeout(kwargs)
    inference_url = kwargs.pop("base_url", None)
    return {**kwargs, "inference_url": inference_url}


PROVIDER_SPEC = ProviderSpec(
    name="runcrate",
    display_name="Runcrate",
    distribution="neocloud-runcrate",
    api_key_env="RUNCRATE_API_KEY",
    base_url_env="RUNCRATE_INFERENCE_URL",  # the adapters talk to the inference host
    default_base_url="https://api.runcrate.ai",
    default_model="deepseek-ai/DeepSeek-V3",
    capabilities=Capabilities(
        chat=True,
        tools=True,
        tool_choice=frozenset({"auto", "none", "required", "named"}),
        parallel_tool_calls=True,
        structured_output=("json_schema", "json_mode", "function_calling"),
        stream_usage=True,
        image_inputs=False,
        provisioning=True,
    ),
    models=(
        ModelInfo("deepseek-ai/DeepSeek-V3", context_window=65_536, max_output_tokens=8_192),
        ModelInfo("meta-llama/Llama-3.3-70B-Instruct", context_window=131_072, max_output_tokens=8_192),
        ModelInfo("Qwen/Qwen2.5-Coder-32B-Instruct", context_window=32_768, max_output_tokens=8_192),
    ),
    sync_client=lazy_client("neocloud.runcrate._client", "Runcrate", _inference_host),
    async_client=lazy_client("neocloud.runcrate._client", "AsyncRuncrate", _inference_host),
)
