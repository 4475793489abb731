"""Provider clients shared by every framework model with the same configuration (one pool each).

Nothing is created at import: the cache fills on the first call. It is bounded (LRU) so a program that
builds models with ever-changing settings does not hoard connection pools.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any

from pydantic import SecretStr

from .provider import ProviderSpec

__all__ = ["METERING_FIELDS", "metering_settings", "provider_client"]

# The client arguments that meter inference (``neocloud.core.pricing.Meter``): every framework class has them too.
METERING_FIELDS = ("ledger", "budget", "run_id", "prices", "unpriced")

_MAX = 32
_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def _key_digest(api_key: SecretStr | None) -> str:
    # Only a digest identifies the key in the cache; the key itself lives in the client alone.
    value = api_key.get_secret_value() if api_key is not None else ""
    return hashlib.sha256(value.encode()).hexdigest()


def provider_client(spec: ProviderSpec, kind: str, *, http_client: Any = None, **settings: Any) -> Any:
    """The ``kind`` ("sync" / "async") client for these settings, shared when ``http_client`` is None."""
    factory = spec.sync_client if kind == "sync" else spec.async_client
    kwargs = {k: v for k, v in settings.items() if v is not None}
    if http_client is not None:
        return factory(http_client=http_client, **kwargs)  # caller-owned transport: never shared
    # The environment is part of the configuration: a client made while CEREBRAS_BASE_URL pointed elsewhere
    # must not be handed out after it changed.
    env_key = SecretStr(os.environ.get(spec.api_key_env, "")) if spec.api_key_env else None
    key = (
        spec.name,
        kind,
        _key_digest(kwargs.get("api_key")),
        _key_digest(env_key),
        os.environ.get(spec.base_url_env) if spec.base_url_env else None,
        # A ledger is identified by the object itself (two stores may print alike); the client holds it, so its id
        # is not reused while the entry lives.
        *sorted((k, id(v) if k == "ledger" else repr(v)) for k, v in kwargs.items() if k != "api_key"),
    )
    with _lock:
        client = _cache.get(key)
        if client is not None:
            _cache.move_to_end(key)
            return client
        client = factory(**kwargs)
        _cache[key] = client
        if len(_cache) > _MAX:
            _cache.popitem(last=False)
        return client


def metering_settings(owner: Any) -> dict[str, Any]:
    """The metering arguments of a framework class (``ledger``, ``budget``, ``run_id``, ``prices``, ``unpriced``)
    for its provider client. With a ledger or budget and no ``run_id``, one is chosen on first use and kept on the
    owner, so every call it makes (sync, async, each embeddings batch) reserves in one run and its budget."""
    if owner.run_id is None and (owner.ledger is not None or owner.budget is not None):
        import uuid

        owner.run_id = f"run-{uuid.uuid4().hex[:12]}"
    settings = {name: getattr(owner, name) for name in METERING_FIELDS}
    if settings["unpriced"] == "refuse":
        del settings["unpriced"]  # the default: keeps unmetered classes on the same shared client as before
    return settings


def chat_backend(spec: ProviderSpec, kind: str, *, http_client: Any = None, **settings: Any) -> Any:
    """The provider's ``ChatBackend`` ("sync") or ``AsyncChatBackend`` ("async") over a shared client."""
    client = provider_client(spec, kind, http_client=http_client, **settings)
    return spec.chat_backend(client) if kind == "sync" else spec.async_chat_backend(client)


def finalize_chat_body(body: dict[str, Any], spec: ProviderSpec, *, stream: bool, stream_usage: bool) -> dict[str, Any]:
    """The last rules every adapter applies to a chat body: never a ``tool_choice`` without tools, and
    streaming usage requested where the provider reports it (unless turned off)."""
    if not body.get("tools"):
        for key in ("tools", "tool_choice", "parallel_tool_calls"):
            body.pop(key, None)
    if stream and stream_usage and spec.capabilities.stream_usage:
        body.setdefault("stream_options", {"include_usage": True})
    return body


def close_stream(stream: Any) -> None:
    """Release a stream's connection (used in ``finally`` so early exits never leak)."""
    close = getattr(stream, "close", None)
    if close is not None:
        close()


async def aclose_stream(stream: Any) -> None:
    """Async twin of ``close_stream`` (accepts ``close`` coroutines and async generators' ``aclose``)."""
    close = getattr(stream, "close", None) or getattr(stream, "aclose", None)
    if close is not None:
        result = close()
        if hasattr(result, "__await__"):
            await result
