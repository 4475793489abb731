"""``ChatMetalCloud``."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseNeocloudChatModel

__all__ = ["ChatMetalCloud"]


class ChatMetalCloud(BaseNeocloudChatModel):
    """MetalCloud as a LangChain chat model.

    ```python
    from neocloud.langchain import ChatMetalCloud

    chat = ChatMetalCloud(model="meta-llama/Llama-3.3-70B")  # METALCLOUD_API_KEY, METALCLOUD_BASE_URL
    chat.invoke("Why is fast inference important?")
    ```

    MetalCloud's wire API has no tools and no structured output: ``bind_tools`` and
    ``with_structured_output`` raise ``NotImplementedError`` naming the provider.
    """

    _provider: ClassVar[str] = "metalcloud"
