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

    MetalCloud's wire API has no tools and no structured output; ``bind_tools`` and ``with_structured_output``
    work through the prompted protocol (``neocloud.core.prompted``, documented in docs/providers/metalcloud.md):
    the tools' JSON schemas are written into a system instruction, the answer is parsed strictly into
    ``AIMessage.tool_calls`` (fresh ``call_`` ids) or the structured output, and an answer that does not follow
    the protocol raises ``neocloud.core.ModelOutputError`` (also LangChain's ``OutputParserException``). With
    tools bound, a stream is parsed at its end and yields the answer in one chunk.
    """

    _provider: ClassVar[str] = "metalcloud"
