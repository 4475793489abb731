"""``ChatCerebras``."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseNeocloudChatModel

__all__ = ["ChatCerebras"]


class ChatCerebras(BaseNeocloudChatModel):
    """Cerebras Inference as a LangChain chat model.

    ```python
    from neocloud.langchain import ChatCerebras

    chat = ChatCerebras(model="llama3.1-8b")  # CEREBRAS_API_KEY, CEREBRAS_BASE_URL
    chat.invoke("Why is fast inference important?")
    ```

    Named ``tool_choice`` values are sent as ``"required"`` with only that tool, since Cerebras accepts
    auto / none / required. Reasoning models return reasoning as standard reasoning blocks.
    """

    _provider: ClassVar[str] = "cerebras"
