"""Every tool_choice form, translated per provider capabilities (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from neocloud.core.provider import Capabilities
from neocloud.core.tool_choice import translate_tool_choice

A = {"type": "function", "function": {"name": "a"}}
B = {"type": "function", "function": {"name": "b"}}
FULL = Capabilities(tools=True, tool_choice=frozenset({"auto", "none", "required", "named"}))
NO_NAMED = Capabilities(tools=True, tool_choice=frozenset({"auto", "none", "required"}))
AUTO_ONLY = Capabilities(tools=True, tool_choice=frozenset({"auto"}))


@pytest.mark.parametrize(
    ("choice", "caps", "expected_choice", "expected_tools"),
    [
        (None, FULL, None, [A, B]),
        (False, FULL, None, [A, B]),
        ("auto", FULL, "auto", [A, B]),
        ("none", FULL, "none", [A, B]),
        ("any", FULL, "required", [A, B]),
        (True, FULL, "required", [A, B]),
        ("required", FULL, "required", [A, B]),
        ("b", FULL, {"type": "function", "function": {"name": "b"}}, [A, B]),
        (
            {"type": "function", "function": {"name": "b"}},
            FULL,
            {"type": "function", "function": {"name": "b"}},
            [A, B],
        ),
        ("b", NO_NAMED, "required", [B]),
        ({"type": "function", "function": {"name": "a"}}, NO_NAMED, "required", [A]),
        ("any", NO_NAMED, "required", [A, B]),
        ("required", AUTO_ONLY, None, [A, B]),
        ("b", AUTO_ONLY, None, [B]),
        ("none", AUTO_ONLY, None, [A, B]),
    ],
)
def test_translate(choice: Any, caps: Capabilities, expected_choice: Any, expected_tools: list[dict[str, Any]]) -> None:
    assert translate_tool_choice(choice, [A, B], caps) == (expected_choice, expected_tools)


def test_never_a_choice_without_tools() -> None:
    assert translate_tool_choice("required", [], FULL) == (None, [])


@pytest.mark.parametrize("bad", ["c", {"type": "function", "function": {"name": "zzz"}}])
def test_unknown_named_tool(bad: Any) -> None:
    with pytest.raises(ValueError, match="not among the bound tools"):
        translate_tool_choice(bad, [A, B], FULL)


def test_unsupported_form() -> None:
    with pytest.raises(ValueError, match="unsupported tool_choice"):
        translate_tool_choice(3, [A], FULL)
