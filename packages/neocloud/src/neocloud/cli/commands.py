"""The provider commands of ``neocloud``: models, chat, instances, workloads.

Every client is configured from the environment exactly as in Python (``CEREBRAS_API_KEY``,
``RUNCRATE_BASE_URL``, ...), so ``eval "$(neocloud sandbox --print-env)"`` points all of them at a sandbox.
Provider packages are imported only when their command runs; a missing one is an install hint.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console
from rich.table import Table

from neocloud.core.errors import ConfigurationError
from neocloud.core.provider import ProviderSpec, import_provider_spec

__all__ = ["PROVIDERS", "chat", "instances", "load", "models", "workloads"]

# The providers the CLI can reach: one line each (name → module).
PROVIDERS: dict[str, str] = {
    "cerebras": "neocloud.cerebras",
    "clusterprotocol": "neocloud.clusterprotocol",
    "metalcloud": "neocloud.metalcloud",
    "runcrate": "neocloud.runcrate",
    "inferencekey": "neocloud.inferencekey",
}


def load(provider: str) -> ProviderSpec:
    """The provider's spec; ``ImportError`` with an install hint when its package is missing."""
    hint = f'the {provider} provider is not installed: pip install "neocloud[{provider}]"'
    return import_provider_spec(PROVIDERS[provider], hint)


def _require_key(spec: ProviderSpec) -> None:
    # Checked here so the error names the variable, before any request is made.
    if spec.api_key_env and not os.environ.get(spec.api_key_env):
        raise ConfigurationError(f"{spec.display_name} needs an API key: set {spec.api_key_env}")


def _table(console: Console, title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def models(provider: str, console: Console) -> None:
    """The provider's models (for InferenceKey: the project's workloads, each served as a model)."""
    if provider == "inferencekey":
        workloads(console, title="InferenceKey models (workloads)")
        return
    spec = load(provider)
    _require_key(spec)
    client = spec.sync_client()
    lister = getattr(client, "list_models", None) or getattr(getattr(client, "models", None), "list", None)
    if lister is None:  # (Runcrate publishes no model list: show the table the package ships)
        rows: list[tuple[Any, ...]] = [(m.id, f"{m.context_window:,}") for m in spec.models]
        _table(console, f"{spec.display_name} models (shipped table; the API has no model list)",
               ("id", "context window"), rows)  # fmt: skip
        return
    listing = lister()
    items = list(getattr(listing, "data", None) or getattr(listing, "models", None) or listing)
    rows = [(getattr(m, "id", None) or getattr(m, "name", None), getattr(m, "owned_by", None)) for m in items]
    _table(console, f"{spec.display_name} models", ("id", "owned by"), rows)


def chat(provider: str, model: str | None, prompt: str, console: Console, *, max_tokens: int | None) -> None:
    """Stream one answer to ``prompt`` (for InferenceKey, ``model`` is the workload slug)."""
    from neocloud.core.shared_clients import chat_backend

    spec = load(provider)
    model = model or spec.default_model
    settings: dict[str, Any] = {}
    if provider == "inferencekey":
        from neocloud.inferencekey import workload_root

        settings["base_url"] = workload_root(None, None, model)
    _require_key(spec)
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    for chunk in chat_backend(spec, "sync", **settings).stream_chat(body):
        if chunk.choices and chunk.choices[0].delta.content:
            console.print(chunk.choices[0].delta.content, end="", soft_wrap=True, highlight=False)
    console.print()


def instances(action: str, console: Console) -> None:
    """Runcrate GPU instances (``list``) or the instance types with their prices (``types``)."""
    spec = load("runcrate")
    _require_key(spec)
    client = spec.sync_client()
    if action == "types":
        rows = [
            (t.id, t.gpu_type, t.gpu_count, t.region, f"{t.hourly_rate:.2f}") for t in client.instances.list_types()
        ]
        _table(console, "Runcrate instance types", ("id", "gpu", "count", "region", "USD/h"), rows)
        return
    rows = [(i.id, i.name, i.status, i.gpu_type, i.gpu_count) for i in client.instances.list()]
    _table(console, "Runcrate instances", ("id", "name", "status", "gpu", "count"), rows)


def workloads(console: Console, *, title: str = "InferenceKey workloads") -> None:
    """The InferenceKey project's workloads (``INFERENCEKEY_SDK_TOKEN``, ``INFERENCEKEY_PROJECT``)."""
    load("inferencekey")
    from neocloud.inferencekey import ManagementClient

    for name in ("INFERENCEKEY_SDK_TOKEN", "INFERENCEKEY_PROJECT"):
        if not os.environ.get(name):
            raise ConfigurationError(f"InferenceKey workloads need {name}")
    rows = [
        (w.slug, w.name, w.task_type, w.backend, w.model_name) for w in ManagementClient.from_env().list_workloads()
    ]
    _table(console, title, ("slug", "name", "task", "backend", "model"), rows)
