"""OpenAI-compatible embeddings."""

from __future__ import annotations

import base64
import struct
from typing import Literal, Union

from pydantic import ConfigDict, Field

from ._base import PricedModel, RequestModel, WireModel

__all__ = [
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingUsage",
    "decode_base64_embedding",
]


class EmbeddingRequest(RequestModel):
    """The OpenAI-compatible embeddings request."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    input: Union[str, list[str], list[int], list[list[int]]]
    encoding_format: Literal["float", "base64"] | None = None
    dimensions: int | None = Field(default=None, gt=0)
    user: str | None = None


def decode_base64_embedding(data: str) -> list[float]:
    """Decode the compact wire form (little-endian float32, base64) into floats."""
    raw = base64.b64decode(data)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


class Embedding(WireModel):
    """One embedding vector (``embedding`` is floats, or a base64 string with ``encoding_format="base64"``)."""

    index: int = 0
    object: str = "embedding"
    embedding: Union[list[float], str] = Field(default_factory=list)

    def vector(self) -> list[float]:
        """The vector as floats, whichever wire encoding was used."""
        if isinstance(self.embedding, str):
            return decode_base64_embedding(self.embedding)
        return self.embedding


class EmbeddingUsage(WireModel):
    """Token usage of an embeddings call."""

    prompt_tokens: int = 0
    total_tokens: int = 0


class CreateEmbeddingResponse(PricedModel):
    """An embeddings response (``object: "list"``)."""

    object: str = "list"
    data: list[Embedding] = Field(default_factory=list)
    model: str = ""
    usage: EmbeddingUsage | None = None
