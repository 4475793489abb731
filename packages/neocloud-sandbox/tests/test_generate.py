"""The deterministic generators (pure, table-driven)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from neocloud.sandbox.generate import count_tokens, generate_text, instance_from_schema, seed_for


def test_text_is_deterministic_and_seed_dependent() -> None:
    assert generate_text(seed_for("a"), 50) == generate_text(seed_for("a"), 50)
    assert generate_text(seed_for("a"), 50) != generate_text(seed_for("b"), 50)


def test_max_tokens_and_finish_reason() -> None:
    text, finish = generate_text(seed_for("x"), 3)
    assert count_tokens(text) == 3 and finish == "length" and not text.endswith(".")
    text, finish = generate_text(seed_for("x"), 100)
    assert 8 <= count_tokens(text) <= 14 and finish == "stop" and text.endswith(".")


def test_stop_sequences_cut_the_text() -> None:
    full, _ = generate_text(seed_for("y"), 100)
    word = full.split()[2]
    text, finish = generate_text(seed_for("y"), 100, stop=[word])
    assert text == full[: full.find(word)] and finish == "stop"


SCHEMAS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "integer"}, 1),
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "number"}, 1.5),
    ({"type": "boolean"}, True),
    ({"type": "null"}, None),
    ({"enum": ["celsius", "fahrenheit"]}, "celsius"),
    ({"const": "fixed"}, "fixed"),
    ({"anyOf": [{"type": "null"}, {"type": "integer"}]}, 1),
    ({"type": ["null", "boolean"]}, True),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}}, "required": ["b"]},
        {"b": True},
    ),
    ({"type": "object", "properties": {"a": {"type": "integer"}}}, {"a": 1}),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
    (
        {
            "$defs": {"P": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}},
            "type": "object",
            "properties": {"p": {"$ref": "#/$defs/P"}},
            "required": ["p"],
        },
        {"p": {"n": 1}},
    ),
    ({"allOf": [{"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}]}, {"x": 1}),
]


@pytest.mark.parametrize(("schema", "expected"), SCHEMAS)
def test_instance_from_schema(schema: dict[str, Any], expected: Any) -> None:
    assert instance_from_schema(schema, random.Random(0)) == expected


def test_strings_are_words() -> None:
    value = instance_from_schema({"type": "object", "properties": {"city": {"type": "string"}}}, random.Random(1))
    assert isinstance(value["city"], str) and value["city"].isalpha()
