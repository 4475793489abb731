"""OpenAI-compatible model listing."""

from __future__ import annotations

from pydantic import Field

from ._base import WireModel

__all__ = ["Model", "ModelList"]


class Model(WireModel):
    """One model (providers add fields such as pricing or context length; they are kept as extras)."""

    id: str
    object: str | None = "model"
    created: int | None = None
    owned_by: str | None = None


class ModelList(WireModel):
    """A list of models."""

    object: str | None = "list"
    data: list[Model] = Field(default_factory=list)
