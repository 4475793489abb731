"""Cluster Protocol, declared once for the framework adapters, the docs and the CLI."""

from __future__ import annotations

from neocloud.core.provider import Capabilities, ModelInfo, ProviderSpec, lazy_client, seconds_timeout

__all__ = ["PROVIDER_SPEC"]

PROVIDER_SPEC = ProviderSpec(
    name="clusterprotocol",
    display_name="Cluster Protocol",
    distribution="neocloud-clusterprotocol",
    api_key_env="CLUSTER_API_KEY",
    base_url_env="CLUSTER_BASE_URL",
    default_base_url="https://api.clusterprotocol.ai",
    default_model="llama-3.1-70b",
    capabilities=Capabilities(
        chat=True,
        tools=True,
        tool_choice=frozenset({"auto", "none", "required", "named"}),
        parallel_tool_calls=True,
        structured_output=("json_schema", "json_mode", "function_calling"),
        embeddings=True,
        stream_usage=True,
        provisioning=True,  # fine-tuning jobs
    ),
    models=(
        ModelInfo("llama-3.1-70b", context_window=131_072, max_output_tokens=8_192),
        ModelInfo("llama-3.1-8b", context_window=131_072, max_output_tokens=8_192),
        ModelInfo("deepseek-ai/DeepSeek-V3", context_window=65_536, max_output_tokens=8_192),
        ModelInfo("bge-large-en-v1.5", context_window=512, max_output_tokens=0, tools=False, structured_output=False),
    ),
    default_embedding_model="bge-large-en-v1.5",
    sync_client=lazy_client("neocloud.clusterprotocol._client", "ClusterClient", seconds_timeout),
    async_client=lazy_client("neocloud.clusterprotocol._client", "AsyncClusterClient", seconds_timeout),
)
