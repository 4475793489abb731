"""``RuncrateLLM``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudLLM

__all__ = ["RuncrateLLM"]


class RuncrateLLM(NeocloudLLM):
    """Runcrate (the inference host) as a LlamaIndex LLM.

    ```python
    from neocloud.llamaindex import RuncrateLLM

    llm = RuncrateLLM(model="deepseek-ai/DeepSeek-V3")
    print(llm.complete("Why is fast inference important?"))
    ```
    """

    provider: ClassVar[str] = "runcrate"
