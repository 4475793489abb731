"""The providers LlamaIndex users can reach: one line each. A test checks this matches the classes."""

from __future__ import annotations

from dataclasses import dataclass

from neocloud.core.provider import ProviderSpec, import_provider_spec

__all__ = ["PROVIDERS", "ProviderEntry", "load_spec"]


@dataclass(frozen=True)
class ProviderEntry:
    """Where a provider lives and which extra installs it."""

    module: str
    extra: str
    llm_class: str
    embedding_class: str | None = None


PROVIDERS: dict[str, ProviderEntry] = {
    "cerebras": ProviderEntry("neocloud.cerebras", "cerebras", "CerebrasLLM"),
    "clusterprotocol": ProviderEntry(
        "neocloud.clusterprotocol", "clusterprotocol", "ClusterProtocolLLM", "ClusterProtocolEmbedding"
    ),
    "runcrate": ProviderEntry("neocloud.runcrate", "runcrate", "RuncrateLLM"),
    "inferencekey": ProviderEntry("neocloud.inferencekey", "inferencekey", "InferenceKeyLLM", "InferenceKeyEmbedding"),
    "metalcloud": ProviderEntry("neocloud.metalcloud", "metalcloud", "MetalCloudLLM"),
}


# Specs already imported, by provider name: every call reads the spec, and importlib costs microseconds each time.
_loaded: dict[str, ProviderSpec] = {}


def load_spec(name: str) -> ProviderSpec:
    """The provider's ``PROVIDER_SPEC``, importing its package on first use (with an install hint)."""
    spec = _loaded.get(name)
    if spec is not None:
        return spec
    entry = PROVIDERS.get(name)
    if entry is None:
        raise ValueError(f"unknown provider {name!r}; known providers: {', '.join(sorted(PROVIDERS))}")
    hint = f'the {name} provider is not installed: pip install "neocloud-llamaindex[{entry.extra}]"'
    spec = _loaded[name] = import_provider_spec(entry.module, hint)
    return spec
