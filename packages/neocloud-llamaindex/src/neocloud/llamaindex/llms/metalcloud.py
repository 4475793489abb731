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

    MetalCloud's wire API has no tools; function calling and ``structured_predict`` work through the prompted
    protocol (``neocloud.core.prompted``, documented in docs/providers/metalcloud.md), so
    ``metadata.is_function_calling_model`` is True and agents use tools as with any function-calling LLM. An
    answer that does not follow the protocol raises ``neocloud.core.ModelOutputError``; with tools or an output
    schema, a stream is parsed at its end and yields the answer at once.
    """

    provider: ClassVar[str] = "metalcloud"
