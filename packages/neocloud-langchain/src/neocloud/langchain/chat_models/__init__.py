"""LangChain chat models (imported lazily: a provider's class loads only that provider)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import BaseNeocloudChatModel
    from .cerebras import ChatCerebras

__all__ = ["BaseNeocloudChatModel", "ChatCerebras"]

_LAZY = {"BaseNeocloudChatModel": ".base", "ChatCerebras": ".cerebras"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'neocloud.langchain.chat_models' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
