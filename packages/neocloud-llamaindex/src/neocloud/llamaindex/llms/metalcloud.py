"""``MetalCloudLLM``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudLLM

__all__ = ["MetalCloudLLM"]


class MetalCloudLLM(NeocloudLLM):
    """MetalCloud as a LlamaIndex LLM.

    ```python
    from neocloud.llamaindex import MetalCloudLLM

    llm = MetalCloudLLM(model="meta-llama/Llama-3.3-70B")
    print(llm.complete("Why is fast inference important?"))
    ```

    MetalCloud's wire API has no tools: ``metadata.is_function_calling_model`` is False, so agents and
    ``structured_predict`` take LlamaIndex's prompt-based routes, and ``chat_with_tools`` raises.
    """

    provider: ClassVar[str] = "metalcloud"
