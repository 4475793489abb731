"""The provider commands of ``neocloud``: models and chat.

Every client is configured from the environment exactly as in Python (``CEREBRAS_API_KEY``,
``RUNCRATE_BASE_URL``, ...), so ``eval "$(neocloud sandbox env)"`` points all of them at a running sandbox.
Provider packages are imported only when their command runs; a missing one is an install hint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from rich.console import Console

from neocloud.core.errors import ConfigurationError, RequestValidationError
from neocloud.core.provider import ProviderSpec, import_provider_spec

from .output import emit_list

__all__ = ["PROVIDERS", "MissingWorkload", "chat", "load", "models", "read_prompt", "register", "require_key"]

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


def require_key(spec: ProviderSpec) -> None:
    """Refuse early, naming the variable, when the provider's API key is not set (before any request is made)."""
    if spec.api_key_env and not os.environ.get(spec.api_key_env):
        raise ConfigurationError(f"{spec.display_name} needs an API key: set {spec.api_key_env}")


class MissingWorkload(Exception):
    """``neocloud chat -p inferencekey`` named a workload the project does not have (with what to do about it)."""


def models(args: argparse.Namespace, console: Console) -> None:
    """The provider's models (for InferenceKey: the project's workloads, each served as a model)."""
    provider = args.provider
    if provider == "inferencekey":
        from .jobs import WORKLOAD_COLUMNS, workload_rows

        emit_list(workload_rows(), WORKLOAD_COLUMNS, title="InferenceKey models (workloads)", as_json=args.json,
                  console=console)  # fmt: skip
        return
    spec = load(provider)
    require_key(spec)
    client = spec.sync_client()
    lister = getattr(client, "list_models", None) or getattr(getattr(client, "models", None), "list", None)
    if lister is None:  # (Runcrate publishes no model list: show the table the package ships)
        rows = [{"id": m.id, "context_window": m.context_window} for m in spec.models]
        emit_list(rows, ("id", "context_window"), title=f"{spec.display_name} models (shipped table; the API has no "
                  "model list)", as_json=args.json, console=console)  # fmt: skip
        return
    listing = lister()
    items = list(getattr(listing, "data", None) or getattr(listing, "models", None) or listing)
    rows = [{"id": getattr(m, "id", None) or getattr(m, "name", None), "owned_by": getattr(m, "owned_by", None)}
            for m in items]  # fmt: skip
    emit_list(rows, ("id", "owned_by"), title=f"{spec.display_name} models", as_json=args.json, console=console)


def read_prompt(prompt: str | None, stdin: TextIO) -> str:
    """The prompt: the argument, else stdin when it is ``-`` or stdin is piped (``echo hi | neocloud chat ...``)."""
    if prompt is not None and prompt != "-":
        return prompt
    if prompt is None and stdin.isatty():
        raise RequestValidationError("chat needs a prompt: pass it as an argument, or '-' (or a pipe) to read stdin",
                                     param="prompt", allowed="text, or '-' for stdin")  # fmt: skip
    text = stdin.read().strip()
    if not text:
        raise RequestValidationError("the prompt read from stdin is empty", param="prompt", allowed="non-empty text")
    return text


def chat(args: argparse.Namespace, console: Console) -> None:
    """Stream one answer to the prompt (for InferenceKey, ``--model`` is the workload slug)."""
    from neocloud.core.errors import NotFoundError
    from neocloud.core.shared_clients import chat_backend

    spec = load(args.provider)
    model = args.model or spec.default_model
    prompt = read_prompt(args.prompt, sys.stdin)
    settings: dict[str, Any] = {}
    if args.provider == "inferencekey":
        from neocloud.inferencekey import workload_root

        settings["base_url"] = workload_root(None, None, model)
    require_key(spec)
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    if args.max_tokens is not None:
        body["max_tokens"] = args.max_tokens
    parts: list[str] = []
    finish: str | None = None
    try:
        for chunk in chat_backend(spec, "sync", **settings).stream_chat(body):
            if not chunk.choices:
                continue
            finish = chunk.choices[0].finish_reason or finish
            text = chunk.choices[0].delta.content
            if text:
                parts.append(text)
                if not args.json:
                    sys.stdout.write(text)
                    sys.stdout.flush()
    except NotFoundError as err:
        if args.provider != "inferencekey":
            raise
        # On InferenceKey the model is a workload of the project: a fresh project (or sandbox) has none yet.
        rid = f" (request id {err.request_id})" if err.request_id and err.request_id not in str(err) else ""
        raise MissingWorkload(
            f"{err}{rid}. Hint: the project has no workload {model!r}; create it with `neocloud workloads ensure "
            f"{model} --model meta-llama/Llama-3.1-8B-Instruct --assume-hourly 1 --wait` (or pick one from "
            "`neocloud workloads list` with --model)"
        ) from err
    if args.json:
        print(json.dumps({"provider": args.provider, "model": model, "content": "".join(parts),
                          "finish_reason": finish}, indent=2))  # fmt: skip
    else:
        print()


def register(sub: Any) -> None:
    """Add ``models`` and ``chat`` to the ``neocloud`` parser."""
    providers = sorted(PROVIDERS)
    p = sub.add_parser("models", help="list a provider's models", description="List a provider's models "
                       "(InferenceKey: the project's workloads, each served as a model).")  # fmt: skip
    p.add_argument("--provider", "-p", required=True, choices=providers, help="the provider")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=models)
    p = sub.add_parser("chat", help="stream one answer from a provider's chat model",
                       description="Stream one answer to a prompt. The prompt is read from stdin when it is '-' or "
                       "when stdin is piped: echo hi | neocloud chat -p cerebras -")  # fmt: skip
    p.add_argument("--provider", "-p", required=True, choices=providers, help="the provider")
    p.add_argument("--model", "-m", help="model id (InferenceKey: the workload slug); default: the provider's")
    p.add_argument("--max-tokens", type=int, default=None, help="the most tokens the answer may have")
    p.add_argument("--json", action="store_true", help="print the whole answer as JSON instead of streaming it")
    p.add_argument("prompt", nargs="?", help="what to ask ('-' or omitted with a pipe: read stdin)")
    p.set_defaults(handler=chat)
