"""LangChain chat models (imported lazily: a provider's class loads only that provider)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neocloud.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from .base import BaseNeocloudChatModel
    from .cerebras import ChatCerebras

__all__ = ["BaseNeocloudChatModel", "ChatCerebras"]

_LAZY = {"BaseNeocloudChatModel": ".base", "ChatCerebras": ".cerebras"}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
