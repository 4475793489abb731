"""neocloud.llamaindex: LlamaIndex LLMs and embeddings for the neocloud providers.

Importing this package imports no provider; ``from neocloud.llamaindex import CerebrasLLM`` imports
Cerebras only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neocloud.core.lazy import lazy_dir, lazy_getattr, lazy_index

from ._registry import PROVIDERS

if TYPE_CHECKING:
    from .costs import NeocloudCostHandler, neocloud_costs
    from .embeddings.base import NeocloudEmbedding
    from .embeddings.clusterprotocol import ClusterProtocolEmbedding
    from .embeddings.inferencekey import InferenceKeyEmbedding
    from .llms.base import NeocloudLLM
    from .llms.cerebras import CerebrasLLM
    from .llms.clusterprotocol import ClusterProtocolLLM
    from .llms.inferencekey import InferenceKeyLLM
    from .llms.metalcloud import MetalCloudLLM
    from .llms.runcrate import RuncrateLLM
    from .tools.base import NeocloudToolSpec
    from .tools.clusterprotocol import ClusterProtocolToolSpec
    from .tools.inferencekey import InferenceKeyToolSpec
    from .tools.metalcloud import MetalCloudToolSpec
    from .tools.runcrate import RuncrateToolSpec

__all__ = [
    "PROVIDERS",
    "CerebrasLLM",
    "ClusterProtocolEmbedding",
    "ClusterProtocolLLM",
    "ClusterProtocolToolSpec",
    "InferenceKeyEmbedding",
    "InferenceKeyLLM",
    "InferenceKeyToolSpec",
    "MetalCloudLLM",
    "MetalCloudToolSpec",
    "NeocloudCostHandler",
    "NeocloudEmbedding",
    "NeocloudLLM",
    "NeocloudToolSpec",
    "RuncrateLLM",
    "RuncrateToolSpec",
    "neocloud_costs",
]

__version__ = "0.1.0"

# Each class lives in its own module, so importing one provider's class never imports another provider.
_LAZY = {
    "NeocloudLLM": ".llms.base",
    "NeocloudEmbedding": ".embeddings.base",
    "CerebrasLLM": ".llms.cerebras",
    "ClusterProtocolLLM": ".llms.clusterprotocol",
    "RuncrateLLM": ".llms.runcrate",
    "InferenceKeyLLM": ".llms.inferencekey",
    "MetalCloudLLM": ".llms.metalcloud",
    "ClusterProtocolEmbedding": ".embeddings.clusterprotocol",
    "InferenceKeyEmbedding": ".embeddings.inferencekey",
    "NeocloudToolSpec": ".tools.base",
    "RuncrateToolSpec": ".tools.runcrate",
    "InferenceKeyToolSpec": ".tools.inferencekey",
    "ClusterProtocolToolSpec": ".tools.clusterprotocol",
    "MetalCloudToolSpec": ".tools.metalcloud",
    "NeocloudCostHandler": ".costs",
    "neocloud_costs": ".costs",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
__dir__ = lazy_dir(globals(), __all__)
# help() names every class per provider, from the table above (no import: the classes load on first use).
__doc__ = (__doc__ or "").rstrip() + lazy_index(_LAZY, PROVIDERS)
