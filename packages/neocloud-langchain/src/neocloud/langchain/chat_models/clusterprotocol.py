"""``ChatClusterProtocol``."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseNeocloudChatModel

__all__ = ["ChatClusterProtocol"]


class ChatClusterProtocol(BaseNeocloudChatModel):
    """Cluster Protocol as a LangChain chat model.

    ```python
    from neocloud.langchain import ChatClusterProtocol

    chat = ChatClusterProtocol(model="llama-3.1-70b")  # CLUSTER_API_KEY, CLUSTER_BASE_URL
    chat.invoke("Why is fast inference important?")
    ```
    """

    _provider: ClassVar[str] = "clusterprotocol"
