"""neocloud.llamaindex: LlamaIndex LLMs for the neocloud providers.

Importing this package imports no provider; ``from neocloud.llamaindex import CerebrasLLM`` imports
Cerebras only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._registry import PROVIDERS

if TYPE_CHECKING:
    from .llms.base import NeocloudLLM
    from .llms.cerebras import CerebrasLLM

__all__ = ["PROVIDERS", "CerebrasLLM", "NeocloudLLM"]

__version__ = "0.1.0"

_LAZY = {"NeocloudLLM": ".llms.base", "CerebrasLLM": ".llms.cerebras"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'neocloud.llamaindex' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
