"""Cerebras, declared once for the framework adapters, the docs and the CLI."""

from __future__ import annotations

from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec, lazy_client

__all__ = ["PROVIDER_SPEC"]

PROVIDER_SPEC = ProviderSpec(
    name="cerebras",
    display_name="Cerebras",
    distribution="neocloud-cerebras",
    api_key_env="CEREBRAS_API_KEY",
    base_url_env="CEREBRAS_BASE_URL",
    default_base_url="https://api.cerebras.ai",
    default_model="llama3.1-8b",
    capabilities=Capabilities(
        chat=True,
        completions=True,
        tools=True,
        # Cerebras rejects a named tool_choice: adapters translate it to "required" with one tool.
        tool_choice=frozenset({"auto", "none", "required"}),
        parallel_tool_calls=True,
        structured_output=("json_schema", "json_mode", "function_calling"),
        embeddings=False,
        reasoning=True,
        stream_usage=True,
    ),
    # Fallback table (the catalog's models.retrieve has the same facts when reachable).
    models=(
        ModelInfo("llama3.1-8b", context_window=32_768, max_output_tokens=8_192),
        ModelInfo("llama-3.3-70b", context_window=65_536, max_output_tokens=8_192),
        ModelInfo("qwen-3-32b", context_window=65_536, max_output_tokens=8_192, reasoning=True),
        ModelInfo("gpt-oss-120b", context_window=131_072, max_output_tokens=32_768, reasoning=True),
    ),
    sync_client=lazy_client("neocloud.cerebras._client", "Cerebras"),
    async_client=lazy_client("neocloud.cerebras._client", "AsyncCerebras"),
    metadata_fields=("time_info",),
    extra_request_fields=frozenset(
        {"reasoning_effort", "reasoning_format", "disable_reasoning", "max_completion_tokens", "service_tier"}
    ),
)
