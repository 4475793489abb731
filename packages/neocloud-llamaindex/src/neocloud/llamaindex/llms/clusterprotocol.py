"""``ClusterProtocolLLM``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudLLM

__all__ = ["ClusterProtocolLLM"]


class ClusterProtocolLLM(NeocloudLLM):
    """Cluster Protocol as a LlamaIndex LLM.

    ```python
    from neocloud.llamaindex import ClusterProtocolLLM

    llm = ClusterProtocolLLM(model="llama-3.1-70b")
    print(llm.complete("Why is fast inference important?"))
    ```
    """

    provider: ClassVar[str] = "clusterprotocol"
