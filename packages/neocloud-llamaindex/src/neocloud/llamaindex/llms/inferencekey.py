"""``InferenceKeyLLM``: one InferenceKey workload endpoint."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from llama_index.core.bridge.pydantic import Field

from .base import NeocloudLLM

__all__ = ["InferenceKeyLLM"]


class InferenceKeyLLM(NeocloudLLM):
    """An InferenceKey workload as a LlamaIndex LLM: ``model`` is the workload slug.

    ```python
    from neocloud.llamaindex import InferenceKeyLLM

    # INFERENCEKEY_API_KEY (the workload's ik_live_ key), INFERENCEKEY_PROJECT, INFERENCEKEY_BASE_URL
    llm = InferenceKeyLLM(model="support-bot", project="acme")
    print(llm.complete("Hola"))
    ```
    """

    provider: ClassVar[str] = "inferencekey"

    project: str | None = Field(default_factory=lambda: os.environ.get("INFERENCEKEY_PROJECT"))

    def _settings(self) -> dict[str, Any]:
        from neocloud.inferencekey import workload_root

        return {**super()._settings(), "base_url": workload_root(self.base_url, self.project, self.model)}
