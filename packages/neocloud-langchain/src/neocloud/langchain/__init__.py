"""neocloud.langchain: LangChain chat models and embeddings for the neocloud providers.

Importing this package imports no provider; ``from neocloud.langchain import ChatCerebras`` imports
Cerebras only. ``init_chat_model("cerebras:llama3.1-8b")`` builds a model from a "provider:model" string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neocloud.core.lazy import lazy_dir, lazy_getattr, lazy_index

from ._registry import PROVIDERS

if TYPE_CHECKING:
    from .callbacks import NeocloudCostHandler, neocloud_costs
    from .chat_models.base import BaseNeocloudChatModel
    from .chat_models.cerebras import ChatCerebras
    from .chat_models.clusterprotocol import ChatClusterProtocol
    from .chat_models.inferencekey import ChatInferenceKey
    from .chat_models.metalcloud import ChatMetalCloud
    from .chat_models.runcrate import ChatRuncrate
    from .embeddings.base import BaseNeocloudEmbeddings
    from .embeddings.clusterprotocol import ClusterProtocolEmbeddings
    from .embeddings.inferencekey import InferenceKeyEmbeddings
    from .toolkits.base import NeocloudTool, NeocloudToolkit
    from .toolkits.clusterprotocol import ClusterProtocolToolkit
    from .toolkits.inferencekey import InferenceKeyToolkit
    from .toolkits.metalcloud import MetalCloudToolkit
    from .toolkits.runcrate import RuncrateToolkit

__all__ = [
    "PROVIDERS",
    "BaseNeocloudChatModel",
    "BaseNeocloudEmbeddings",
    "ChatCerebras",
    "ChatClusterProtocol",
    "ChatInferenceKey",
    "ChatMetalCloud",
    "ChatRuncrate",
    "ClusterProtocolEmbeddings",
    "ClusterProtocolToolkit",
    "InferenceKeyEmbeddings",
    "InferenceKeyToolkit",
    "MetalCloudToolkit",
    "NeocloudCostHandler",
    "NeocloudTool",
    "NeocloudToolkit",
    "RuncrateToolkit",
    "init_chat_model",
    "neocloud_costs",
]

__version__ = "0.1.0"

# Each class lives in its own module, so importing one provider's class never imports another provider.
_LAZY = {
    "BaseNeocloudChatModel": ".chat_models.base",
    "BaseNeocloudEmbeddings": ".embeddings.base",
    "ChatCerebras": ".chat_models.cerebras",
    "ChatClusterProtocol": ".chat_models.clusterprotocol",
    "ChatInferenceKey": ".chat_models.inferencekey",
    "ChatMetalCloud": ".chat_models.metalcloud",
    "ChatRuncrate": ".chat_models.runcrate",
    "ClusterProtocolEmbeddings": ".embeddings.clusterprotocol",
    "InferenceKeyEmbeddings": ".embeddings.inferencekey",
    "NeocloudTool": ".toolkits.base",
    "NeocloudToolkit": ".toolkits.base",
    "RuncrateToolkit": ".toolkits.runcrate",
    "InferenceKeyToolkit": ".toolkits.inferencekey",
    "ClusterProtocolToolkit": ".toolkits.clusterprotocol",
    "MetalCloudToolkit": ".toolkits.metalcloud",
    "NeocloudCostHandler": ".callbacks",
    "neocloud_costs": ".callbacks",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
__dir__ = lazy_dir(globals(), __all__)
# help() names every class per provider, from the table above (no import: the classes load on first use).
__doc__ = (__doc__ or "").rstrip() + lazy_index(_LAZY, PROVIDERS)


def init_chat_model(model: str, **kwargs: Any) -> BaseNeocloudChatModel:
    """Build a chat model from ``"provider:model"`` (e.g. ``"cerebras:llama3.1-8b"``)."""
    provider, sep, model_id = model.partition(":")
    if not sep or not model_id:
        raise ValueError(f"expected 'provider:model', got {model!r}; providers: {', '.join(sorted(PROVIDERS))}")
    entry = PROVIDERS.get(provider)
    if entry is None:
        raise ValueError(f"unknown provider {provider!r}; known providers: {', '.join(sorted(PROVIDERS))}")
    from ._registry import load_spec

    load_spec(provider)  # raises the install hint when the provider is missing
    cls: type[BaseNeocloudChatModel] = __getattr__(entry.chat_class)
    return cls(model=model_id, **kwargs)
