"""``CerebrasLLM``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudLLM

__all__ = ["CerebrasLLM"]


class CerebrasLLM(NeocloudLLM):
    """Cerebras Inference as a LlamaIndex function-calling LLM.

    ```python
    from neocloud.llamaindex import CerebrasLLM

    llm = CerebrasLLM(model="llama3.1-8b", additional_kwargs={"reasoning_effort": "low"})
    print(llm.complete("Why is fast inference important?"))
    ```
    """

    provider: ClassVar[str] = "cerebras"
