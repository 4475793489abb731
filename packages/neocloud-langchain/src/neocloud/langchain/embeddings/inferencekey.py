"""``InferenceKeyEmbeddings``: an embedding workload's endpoint."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import Field

from .base import BaseNeocloudEmbeddings

__all__ = ["InferenceKeyEmbeddings"]


class InferenceKeyEmbeddings(BaseNeocloudEmbeddings):
    """An InferenceKey embedding workload: ``model`` is the workload slug.

    ```python
    from neocloud.langchain import InferenceKeyEmbeddings

    emb = InferenceKeyEmbeddings(model="embedder", project="acme")  # INFERENCEKEY_API_KEY
    emb.embed_query("hello")
    ```
    """

    _provider: ClassVar[str] = "inferencekey"

    project: str | None = Field(default_factory=lambda: os.environ.get("INFERENCEKEY_PROJECT"))

    def _settings(self) -> dict[str, Any]:
        from neocloud.inferencekey import workload_root

        return {**super()._settings(), "base_url": workload_root(self.base_url, self.project, self.model)}
