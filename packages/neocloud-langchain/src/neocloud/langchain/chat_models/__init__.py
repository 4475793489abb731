"""LangChain chat models (imported lazily: a provider's class loads only that provider)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neocloud.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from .base import BaseNeocloudChatModel
    from .cerebras import ChatCerebras
    from .clusterprotocol import ChatClusterProtocol
    from .inferencekey import ChatInferenceKey
    from .metalcloud import ChatMetalCloud
    from .runcrate import ChatRuncrate

__all__ = ["BaseNeocloudChatModel", "ChatCerebras", "ChatClusterProtocol", "ChatInferenceKey", "ChatMetalCloud",
           "ChatRuncrate"]  # fmt: skip

_LAZY = {"BaseNeocloudChatModel": ".base", "ChatCerebras": ".cerebras", "ChatClusterProtocol": ".clusterprotocol",
         "ChatInferenceKey": ".inferencekey", "ChatMetalCloud": ".metalcloud", "ChatRuncrate": ".runcrate"}  # fmt: skip


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
