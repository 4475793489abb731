"""The prompt-and-parse protocol (tools and structured output for providers without them), table-driven."""

from __future__ import annotations

import json
from typing import Any

import pytest

from neocloud.core.errors import ModelOutputError, RequestValidationError
from neocloud.core.prompted import Plan, instruction, parse_answer, plan_from_body, render_messages, schema_errors


def tool(name: str, parameters: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    function: dict[str, Any] = {"name": name, "description": description}
    if parameters is not None:
        function["parameters"] = parameters
    return {"type": "function", "function": function}


ADD = tool("add", {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                   "required": ["a", "b"]}, "Add two integers.")  # fmt: skip
WEATHER = tool("weather", {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                           "additionalProperties": False})  # fmt: skip
NOARGS = tool("now")
FILM = {"type": "object", "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["title", "year"]}  # fmt: skip


def plan(**body: Any) -> Plan:
    found = plan_from_body({"messages": [], **body})
    assert found is not None
    return found


AUTO = plan(tools=[ADD, WEATHER, NOARGS])
REQUIRED = plan(tools=[ADD, WEATHER], tool_choice="required")
NAMED = plan(tools=[ADD, WEATHER], tool_choice={"type": "function", "function": {"name": "weather"}})
SINGLE = plan(tools=[ADD, WEATHER], parallel_tool_calls=False)
SCHEMA = plan(response_format={"type": "json_schema", "json_schema": {"name": "Film", "schema": FILM}})
OBJECT = plan(response_format={"type": "json_object"})
TOOLS_AND_SCHEMA = plan(tools=[ADD], response_format={"type": "json_schema", "json_schema": {"schema": FILM}})


# -- what a body asks for ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, None),
        ({"tools": []}, None),
        ({"response_format": {"type": "text"}}, None),
        ({"tools": [ADD], "tool_choice": "none"}, None),
        ({"tools": [ADD]}, ("auto", True, ["add"], None)),
        ({"tools": [ADD], "tool_choice": "required", "parallel_tool_calls": False}, ("required", False, ["add"], None)),
        ({"tools": [ADD, WEATHER], "tool_choice": {"type": "function", "function": {"name": "weather"}}},
         ("weather", True, ["add", "weather"], None)),
        ({"response_format": {"type": "json_object"}}, ("auto", True, [], "json_object")),
        ({"tools": [ADD], "tool_choice": "none", "response_format": {"type": "json_object"}},
         ("auto", True, [], "json_object")),
    ],
)  # fmt: skip
def test_plan_from_body(body: dict[str, Any], expected: tuple[Any, ...] | None) -> None:
    found = plan_from_body({"messages": [], **body})
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.choice, found.parallel, [t.name for t in found.tools], found.output) == expected


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"tools": [{"type": "function"}]}, "tools.0"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]}, "tools.0"),
        ({"tools": [ADD], "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"tools": [ADD], "tool_choice": "sometimes"}, "tool_choice"),
        ({"response_format": {"type": "xml"}}, "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": "x"}}, "response_format"),
    ],
)
def test_bad_requests_are_refused_before_sending(body: dict[str, Any], param: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        plan_from_body({"messages": [], **body})
    assert info.value.param == param


# -- the instruction and the history -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "present", "absent"),
    [
        (AUTO, ['- add: Add two integers.', '"required":["a","b"]', '{"tool_calls": [{"name": "<tool name>"',
                '{"content": "<your answer>"}', "only when it helps"], ["must call", "at most one"]),
        (REQUIRED, ["You must call at least one tool."], ['{"content"']),
        (NAMED, ["You must call the tool 'weather'."], ['{"content"']),
        (SINGLE, ["Call at most one tool per reply."], []),
        (SCHEMA, ["Reply with exactly one JSON object", "(named Film)", '"year":{"type":"integer"}'], ["tool"]),
        (OBJECT, ["Reply with exactly one JSON object"], ["Schema"]),
        (TOOLS_AND_SCHEMA, ['{"content": {<a JSON object as described below>}}', "The content of your answer must"],
         []),
    ],
)  # fmt: skip
def test_instruction(which: Plan, present: list[str], absent: list[str]) -> None:
    text = instruction(which)
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text


def test_history_with_tool_calls_and_results_becomes_text() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "1+2?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "3"},
        {"role": "assistant", "content": "It is 3."},
    ]
    out = render_messages(messages, AUTO)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user", "assistant"]
    assert out[0]["content"].startswith("Be brief.\n\nYou can call tools.")
    assert json.loads(out[2]["content"]) == {"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]}
    assert out[3]["content"] == "Result of the tool call add:\n3"
    assert json.loads(out[4]["content"]) == {"content": "It is 3."}
    # without a plan (no tools bound now) the history is still text, and no instruction is added
    plain = render_messages(messages, None)
    assert plain[0] == {"role": "system", "content": "Be brief."} and plain[4] == messages[4]
    assert plain[3]["content"] == "Result of the tool call add:\n3"


def test_the_instruction_is_a_new_system_message_when_there_is_none() -> None:
    out = render_messages([{"role": "user", "content": "Hi"}], SCHEMA)
    assert out[0]["role"] == "system" and "JSON Schema" in out[0]["content"] and out[1]["content"] == "Hi"


# -- reading the answer ------------------------------------------------------------------------------------------


def calls_of(text: str, which: Plan) -> list[tuple[str, dict[str, Any]]]:
    answer = parse_answer(text, which)
    assert all(c["id"].startswith("call_") and c["type"] == "function" for c in answer.tool_calls)
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in answer.tool_calls]


@pytest.mark.parametrize(
    ("text", "which", "content", "calls"),
    [
        ('{"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]}', AUTO, None, [("add", {"a": 1, "b": 2})]),
        ('```json\n{"tool_calls": [{"name": "now"}]}\n```', AUTO, None, [("now", {})]),
        ('  {"tool_calls": [{"name": "now", "arguments": {}}]}\n', AUTO, None, [("now", {})]),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}, {"name": "weather", "arguments": '
         '{"city": "東京"}}]}', AUTO, None, [("add", {"a": 1, "b": 2}), ("weather", {"city": "東京"})]),
        ('{"content": "Hello."}', AUTO, "Hello.", []),
        ('{"content": "Let me check.", "tool_calls": [{"name": "now"}]}', AUTO, "Let me check.", [("now", {})]),
        ('{"tool_calls": [{"name": "weather", "arguments": {"city": "Paris"}}]}', NAMED, None,
         [("weather", {"city": "Paris"})]),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": 2.0, "b": 3}}]}', SINGLE, None, [("add", {"a": 2.0, "b": 3})]),
        ('{"title": "Alien", "year": 1979}', SCHEMA, '{"title": "Alien", "year": 1979}', []),
        ('```\n{"title": "Alien", "year": 1979}\n```', SCHEMA, '{"title": "Alien", "year": 1979}', []),
        ('{"anything": [1, 2]}', OBJECT, '{"anything": [1, 2]}', []),
        ('{"content": {"title": "Alien", "year": 1979}}', TOOLS_AND_SCHEMA, '{"title": "Alien", "year": 1979}', []),
    ],
)  # fmt: skip
def test_answers_that_follow_the_protocol(
    text: str, which: Plan, content: str | None, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    assert parse_answer(text, which).content == content
    assert calls_of(text, which) == calls


def test_each_call_gets_a_fresh_id() -> None:
    text = '{"tool_calls": [{"name": "now"}, {"name": "now"}]}'
    ids = [c["id"] for c in parse_answer(text, AUTO).tool_calls + parse_answer(text, AUTO).tool_calls]
    assert len(set(ids)) == 4


@pytest.mark.parametrize(
    ("text", "which", "reason"),
    [
        ("The answer is 3.", AUTO, "not one JSON document"),
        ('Sure! {"content": "Hi"}', AUTO, "not one JSON document"),
        ('{"content": "Hi"} {"content": "again"}', AUTO, "not one JSON document"),
        ('{"tool_calls": [{"name": "now"}]', AUTO, "not one JSON document"),
        ('{"x": NaN}', OBJECT, "not one JSON document"),
        ('["content"]', AUTO, 'must be {"tool_calls": [...]} or {"content": ...}'),
        ("{}", AUTO, 'must be {"tool_calls": [...]} or {"content": ...}'),
        ('{"content": "Hi", "mood": "happy"}', AUTO, 'must be {"tool_calls": [...]} or {"content": ...}'),
        ('{"content": 3}', AUTO, '"content" must be a string'),
        ('{"content": null}', AUTO, '"content" must be a string'),
        ('{"tool_calls": []}', AUTO, "non-empty list"),
        ('{"tool_calls": {"name": "now"}}', AUTO, "non-empty list"),
        ('{"tool_calls": [{"tool": "now"}]}', AUTO, 'tool call 0 must be {"name": ..., "arguments": {...}}'),
        ('{"tool_calls": [{"name": "now", "id": "x"}]}', AUTO, "tool call 0 must be"),
        ('{"tool_calls": [{"name": "delete_all"}]}', AUTO, "names 'delete_all', which is not an offered tool"),
        ('{"tool_calls": [{"name": "now", "arguments": "{}"}]}', AUTO, "must be a JSON object"),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": 1}}]}', AUTO, "missing required property 'b'"),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": "1", "b": 2}}]}', AUTO, "$.a: expected integer, got string"),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": true, "b": 2}}]}', AUTO, "expected integer, got boolean"),
        ('{"tool_calls": [{"name": "weather", "arguments": {"city": "P", "unit": "C"}}]}', AUTO,
         "unexpected property 'unit'"),
        ('{"content": "No."}', REQUIRED, "a tool call was required"),
        ('{"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]}', NAMED, "but 'weather' was required"),
        ('{"tool_calls": [{"name": "now"}, {"name": "now"}]}', plan(tools=[NOARGS], parallel_tool_calls=False),
         "at most one was allowed"),
        ('{"title": "Alien"}', SCHEMA, "missing required property 'year'"),
        ('{"title": "Alien", "year": "1979"}', SCHEMA, "$.year: expected integer"),
        ("[1, 2]", OBJECT, "must be a JSON object"),
        ('{"content": "Alien, 1979"}', TOOLS_AND_SCHEMA, "must be a JSON object"),
    ],
)  # fmt: skip
def test_answers_that_do_not_follow_the_protocol_raise_a_typed_error(text: str, which: Plan, reason: str) -> None:
    with pytest.raises(ModelOutputError) as info:
        parse_answer(text, which)
    assert reason in info.value.reason
    assert info.value.text == text and isinstance(info.value, ValueError)


# -- the schema check --------------------------------------------------------------------------------------------

DEFS = {"$defs": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
        "type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}}}}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "schema", "errors"),
    [
        (3, {"type": "integer"}, []),
        (3.0, {"type": "integer"}, []),
        (3.5, {"type": "integer"}, ["$: expected integer, got number"]),
        (True, {"type": "number"}, ["$: expected number, got boolean"]),
        (None, {"type": ["string", "null"]}, []),
        ("x", {"anyOf": [{"type": "integer"}, {"type": "null"}]}, ["$: must match any of the 2 allowed schemas (none matched)"]),
        (1, {"oneOf": [{"type": "integer"}, {"type": "number"}]}, ["$: must match one of the 2 allowed schemas (2 matched)"]),
        ("b", {"enum": ["a", "c"]}, ["$: must be one of ['a', 'c']"]),
        ("b", {"const": "a"}, ["$: must be 'a'"]),
        (5, {"type": "integer", "minimum": 1, "maximum": 4}, ["$: 5 breaks maximum 4"]),
        (1, {"exclusiveMinimum": 1}, ["$: 1 breaks exclusiveMinimum 1"]),
        ("abc", {"type": "string", "maxLength": 2}, ["$: length 3 is outside the allowed range"]),
        ("abc", {"pattern": "^[0-9]+$"}, ["$: does not match the pattern '^[0-9]+$'"]),
        ([1, "x"], {"type": "array", "items": {"type": "integer"}}, ["$[1]: expected integer, got string"]),
        ([], {"type": "array", "minItems": 1}, ["$: 0 items is outside the allowed range"]),
        ({"pets": [{"name": "Rex"}, {}]}, DEFS, ["$.pets[1]: missing required property 'name'"]),
        ({"a": 1}, {"type": "object", "additionalProperties": {"type": "string"}}, ["$.a: expected string, got integer"]),
        ({"a": 1}, {"allOf": [{"required": ["a"]}, {"required": ["b"]}]}, ["$: missing required property 'b'"]),
        ({"x": 1}, {"type": "object", "title": "X", "description": "d", "format": "whatever"}, []),
        ("anything", True, []),
        ("anything", False, ["$: no value is allowed here"]),
        ({"n": 1}, {"properties": {"n": {"$ref": "https://example.com/schema"}}}, []),
    ],
)  # fmt: skip
def test_schema_errors(value: Any, schema: Any, errors: list[str]) -> None:
    assert schema_errors(value, schema) == errors
