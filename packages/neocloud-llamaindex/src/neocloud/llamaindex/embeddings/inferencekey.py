"""``InferenceKeyEmbedding``: an embedding workload's endpoint."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from llama_index.core.bridge.pydantic import Field

from .base import NeocloudEmbedding

__all__ = ["InferenceKeyEmbedding"]


class InferenceKeyEmbedding(NeocloudEmbedding):
    """An InferenceKey embedding workload: ``model_name`` is the workload slug (``INFERENCEKEY_API_KEY``)."""

    provider: ClassVar[str] = "inferencekey"

    project: str | None = Field(default_factory=lambda: os.environ.get("INFERENCEKEY_PROJECT"))

    def _settings(self) -> dict[str, Any]:
        from neocloud.inferencekey import workload_root

        return {**super()._settings(), "base_url": workload_root(self.base_url, self.project, self.model_name)}
