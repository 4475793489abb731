"""``ChatInferenceKey``: a chat model bound to one InferenceKey workload endpoint."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import Field

from .base import BaseNeocloudChatModel

__all__ = ["ChatInferenceKey"]


class ChatInferenceKey(BaseNeocloudChatModel):
    """An InferenceKey workload as a LangChain chat model: ``model`` is the workload slug.

    ```python
    from neocloud.langchain import ChatInferenceKey

    # INFERENCEKEY_API_KEY (the workload's ik_live_ key), INFERENCEKEY_PROJECT, INFERENCEKEY_BASE_URL
    chat = ChatInferenceKey(model="support-bot", project="acme")
    chat.invoke("Hola")
    ```

    ``base_url`` may instead be the endpoint root itself (``.../endpoint/<project>/<workload>``).
    """

    _provider: ClassVar[str] = "inferencekey"

    project: str | None = Field(default_factory=lambda: os.environ.get("INFERENCEKEY_PROJECT"))
    """The workload's project; defaults to ``INFERENCEKEY_PROJECT``."""

    def _settings(self) -> dict[str, Any]:
        from neocloud.inferencekey import workload_root

        return {**super()._settings(), "base_url": workload_root(self.base_url, self.project, self.model_name)}
