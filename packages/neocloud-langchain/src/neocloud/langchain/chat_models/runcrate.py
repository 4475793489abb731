"""``ChatRuncrate``."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseNeocloudChatModel

__all__ = ["ChatRuncrate"]


class ChatRuncrate(BaseNeocloudChatModel):
    """Runcrate (the inference host) as a LangChain chat model.

    ```python
    from neocloud.langchain import ChatRuncrate

    chat = ChatRuncrate(model="deepseek-ai/DeepSeek-V3")  # RUNCRATE_API_KEY, RUNCRATE_INFERENCE_URL
    chat.invoke("Why is fast inference important?")
    ```
    """

    _provider: ClassVar[str] = "runcrate"
