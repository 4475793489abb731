"""OpenAI-compatible embeddings shared by the planes that serve them (Cluster Protocol, InferenceKey).

Vectors have the real width of the model they name, so a vector store sized against the sandbox fits the real
provider (``EMBEDDING_DIMENSIONS``; a name is matched without its organisation and case-insensitively, and a model
the table does not know gets ``DEFAULT_DIMENSION``). Their values come from ``generate.embed``: deterministic unit
vectors in which texts that share words are close.

``input`` is a string, a list of strings, a list of token ids or a list of token-id lists (ids read through the
sandbox's vocabulary, ``neocloud.sandbox.tokens``). ``encoding_format`` is ``float`` (default) or ``base64``
(little-endian float32). ``dimensions`` may shorten the vectors of Matryoshka-trained models (``MATRYOSHKA``) and
must otherwise equal the model's width.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..generate import count_tokens, embed
from ..tokens import decode_ids

__all__ = ["DEFAULT_DIMENSION", "EMBEDDING_DIMENSIONS", "MATRYOSHKA", "check_embeddings", "dimension_of",
           "embeddings_payload"]  # fmt: skip

# Output widths published on the models' cards.
EMBEDDING_DIMENSIONS: Mapping[str, int] = MappingProxyType({
    "bge-large-en-v1.5": 1024, "bge-base-en-v1.5": 768, "bge-small-en-v1.5": 384, "bge-m3": 1024,
    "all-minilm-l6-v2": 384, "all-mpnet-base-v2": 768,
    "e5-large-v2": 1024, "e5-base-v2": 768, "e5-small-v2": 384, "multilingual-e5-large": 1024,
    "gte-large": 1024, "gte-base": 768, "nomic-embed-text-v1.5": 768, "mxbai-embed-large-v1": 1024,
    "snowflake-arctic-embed-l": 1024, "jina-embeddings-v2-base-en": 768,
    "qwen3-embedding-0.6b": 1024, "qwen3-embedding-4b": 2560, "qwen3-embedding-8b": 4096,
    "text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536,
})  # fmt: skip
# Models trained so that a prefix of the vector is itself an embedding (they accept ``dimensions``).
MATRYOSHKA = frozenset({"nomic-embed-text-v1.5", "mxbai-embed-large-v1", "snowflake-arctic-embed-l",
                        "qwen3-embedding-0.6b", "qwen3-embedding-4b", "qwen3-embedding-8b",
                        "text-embedding-3-small", "text-embedding-3-large"})  # fmt: skip
DEFAULT_DIMENSION = 768  # ASSUMPTION: the width of the BERT-base-sized models most open embedders are


def _key(model: str) -> str:
    return model.rsplit("/", 1)[-1].lower()


def dimension_of(model: str) -> int:
    """The width of ``model``'s vectors."""
    return EMBEDDING_DIMENSIONS.get(_key(model), DEFAULT_DIMENSION)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def input_texts(value: Any) -> list[str] | None:
    """The inputs as texts, or None when ``value`` is none of the four allowed shapes."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(v, str) for v in value):
        return list(value)
    if all(_is_int(v) for v in value):
        return [decode_ids(value)]
    if all(isinstance(v, list) and v and all(_is_int(i) for i in v) for v in value):
        return [decode_ids(v) for v in value]
    return None


def check_embeddings(body: dict[str, Any], model: str) -> tuple[list[str], int, str] | tuple[str, str]:
    """``(texts, dimensions, encoding_format)`` of a valid request for ``model``, else ``(param, message)``."""
    texts = input_texts(body.get("input"))
    if texts is None:
        return "input", "'input' must be a string, a list of strings, a list of token ids or a list of those"
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        return "encoding_format", "'encoding_format' must be float or base64"
    native, wanted = dimension_of(model), body.get("dimensions")
    if wanted is None:
        return texts, native, fmt
    if not _is_int(wanted) or not 1 <= wanted <= native:
        return "dimensions", f"'dimensions' must be an integer from 1 to {native} for {model}"
    if wanted != native and _key(model) not in MATRYOSHKA:
        return "dimensions", f"{model} produces {native}-dimensional vectors only"
    return texts, wanted, fmt


def embeddings_payload(texts: list[str], dimensions: int, fmt: str, model: str) -> dict[str, Any]:
    """The ``{"object": "list", "data", "model", "usage"}`` answer."""
    data = []
    for index, text in enumerate(texts):
        vector = embed(text, dimensions)
        encoded: Any = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode() if fmt == "base64" else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(count_tokens(t) for t in texts)
    return {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
