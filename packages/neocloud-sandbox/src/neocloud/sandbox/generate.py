"""Deterministic, general output: text from a seeded word list, JSON documents from JSON schemas.

Nothing here looks at what a prompt *means*. The same request always yields the same answer (the seed
is a hash of the request's messages and model), different requests yield different answers, and
structured answers (tool arguments, ``response_format`` JSON) are derived from the caller's schema.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["WORDS", "count_tokens", "generate_text", "instance_from_schema", "seed_for"]

WORDS = (
    "accelerator", "bandwidth", "batch", "cache", "cluster", "compute", "context", "core", "data", "deploy",
    "efficient", "fabric", "fast", "gpu", "graph", "inference", "kernel", "latency", "layer", "memory",
    "model", "network", "node", "parallel", "pipeline", "queue", "rack", "request", "scale", "schedule",
    "serve", "shard", "stream", "tensor", "throughput", "token", "training", "vector", "wafer", "workload",
)  # fmt: skip

DEFAULT_MAX_TOKENS = 16


def seed_for(*parts: Any) -> int:
    """A stable seed from any JSON-serialisable parts."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def count_tokens(text: str) -> int:
    """The sandbox's token count: whitespace-separated words (documented, not a real tokenizer)."""
    return len(text.split())


def generate_text(seed: int, max_tokens: int | None, stop: Sequence[str] | str | None = None) -> tuple[str, str]:
    """``(text, finish_reason)``: up to ``max_tokens`` words forming one sentence.

    A natural answer is 8-14 words; when ``max_tokens`` is smaller the text is cut and the finish reason
    is ``length``. The first ``stop`` string found cuts the text before it (finish reason ``stop``).
    """
    rng = random.Random(seed)
    natural = rng.randint(8, 14)
    limit = max_tokens if max_tokens is not None else DEFAULT_MAX_TOKENS
    n = min(natural, limit)
    words = [rng.choice(WORDS) for _ in range(n)]
    text = " ".join(words).capitalize()
    finish = "stop"
    if n == natural:
        text += "."
    else:
        finish = "length"
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    if cut >= 0:
        text, finish = text[:cut], "stop"
    return text, finish


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        return _resolve(node, root) if isinstance(node, Mapping) else {}
    return schema


def instance_from_schema(
    schema: Mapping[str, Any], rng: random.Random, root: Mapping[str, Any] | None = None, depth: int = 0
) -> Any:
    """A JSON value valid for ``schema`` (objects fill required properties, or all when none are listed)."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if depth > 8:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if _resolve(o, root).get("type") != "null"] or options
            if key == "allOf":
                merged: dict[str, Any] = {}
                for option in options:
                    merged.update(_resolve(option, root))
                return instance_from_schema(merged, rng, root, depth + 1)
            return instance_from_schema(non_null[0], rng, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = schema.get("required")
        names = list(props) if required is None else [n for n in props if n in required]
        return {name: instance_from_schema(props[name], rng, root, depth + 1) for name in names}
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        count = max(1, int(schema.get("minItems", 1)))
        return [instance_from_schema(items, rng, root, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(schema.get("minimum", 1)) if "minimum" in schema else 1
    if kind == "number":
        return float(schema.get("minimum", 1.5)) if "minimum" in schema else 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return rng.choice(WORDS)


def embed(text: str, dimensions: int) -> list[float]:
    """A deterministic unit vector for ``text``: texts sharing words get similar vectors (bag of hashed
    words), so a small retrieval demo ranks sensibly without any model."""
    vector = [0.0] * dimensions
    for word in text.lower().split():
        digest = hashlib.sha256(word.strip(".,!?;:").encode()).digest()
        for i in range(dimensions):
            vector[i] += (digest[i % len(digest)] - 127.5) / 127.5
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [round(v / norm, 6) for v in vector]
