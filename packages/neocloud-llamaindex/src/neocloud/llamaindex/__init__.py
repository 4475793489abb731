"""neocloud.llamaindex: LlamaIndex LLMs for the neocloud providers.

Importing this package imports no provider; ``from neocloud.llamaindex import CerebrasLLM`` imports
Cerebras only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neocloud.core.lazy import lazy_getattr

from ._registry import PROVIDERS

if TYPE_CHECKING:
    from .llms.base import NeocloudLLM
    from .llms.cerebras import CerebrasLLM

__all__ = ["PROVIDERS", "CerebrasLLM", "NeocloudLLM"]

__version__ = "0.1.0"

_LAZY = {"NeocloudLLM": ".llms.base", "CerebrasLLM": ".llms.cerebras"}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
