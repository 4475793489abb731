"""The answer half of the prompted protocol: the model's text, checked strictly, as OpenAI-shaped content and
tool calls (pure, apart from the generated call ids)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..errors import ModelOutputError
from ._render import Plan
from ._schema import schema_errors

__all__ = ["Answer", "parse_answer"]

# One Markdown code fence around the whole answer is tolerated (models add them despite being asked not to);
# anything else around the JSON object is not.
_FENCE = re.compile(r"^```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?```$", re.S)


@dataclass(frozen=True)
class Answer:
    """A parsed answer: ``content`` (text, or the JSON document asked for) and OpenAI-shaped ``tool_calls``
    (``{"id", "type": "function", "function": {"name", "arguments": "<JSON>"}}``)."""

    content: str | None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _document(text: str) -> tuple[str, Any]:
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body").strip()
    try:
        return body, json.loads(body, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ModelOutputError(f"the answer is not one JSON document ({exc})", text=text) from None


def _schema_check(value: Any, schema: Any, what: str, text: str) -> None:
    problems = schema_errors(value, schema)
    if problems:
        raise ModelOutputError(f"{what} do not match the schema: {'; '.join(problems[:5])}", text=text)


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


def _calls(raw: Any, plan: Plan, text: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ModelOutputError('"tool_calls" must be a non-empty list of {"name", "arguments"} objects', text=text)
    if not plan.parallel and len(raw) > 1:
        raise ModelOutputError(f"{len(raw)} tool calls, but at most one was allowed", text=text)
    calls = []
    for index, call in enumerate(raw):
        if not isinstance(call, dict) or not set(call) <= {"name", "arguments"} or "name" not in call:
            raise ModelOutputError(f'tool call {index} must be {{"name": ..., "arguments": {{...}}}}', text=text)
        name, arguments = call["name"], call.get("arguments", {})
        tool = plan.tool(name) if isinstance(name, str) else None
        if tool is None:
            offered = ", ".join(t.name for t in plan.tools)
            raise ModelOutputError(f"tool call {index} names {name!r}, which is not an offered tool ({offered})",
                                   text=text)  # fmt: skip
        if plan.choice not in ("auto", "required") and name != plan.choice:
            raise ModelOutputError(f"tool call {index} names {name!r}, but {plan.choice!r} was required", text=text)
        if not isinstance(arguments, dict):
            raise ModelOutputError(f"the arguments of tool call {index} ({name}) must be a JSON object", text=text)
        _schema_check(arguments, tool.parameters, f"the arguments of tool call {index} ({name})", text)
        calls.append({"id": _call_id(), "type": "function",
                      "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}})  # fmt: skip
    return calls


def _output(value: Any, plan: Plan, text: str) -> None:
    if not isinstance(value, dict):
        raise ModelOutputError("the answer must be a JSON object", text=text)
    if plan.output == "json_schema":
        _schema_check(value, plan.schema, "the answer's fields", text)


def parse_answer(text: str, plan: Plan) -> Answer:
    """The model's ``text`` read strictly against ``plan``; raises ``ModelOutputError`` saying what is wrong.

    Without tools the answer is the JSON document asked for (``content`` is that document). With tools it is
    ``{"tool_calls": [{"name", "arguments"}...]}`` or ``{"content": ...}`` (both keys together are allowed,
    nothing else): calls must name offered tools (the required one, if named), respect ``parallel``, and carry
    arguments valid for the tool's schema; each call gets a fresh id.
    """
    body, value = _document(text)
    if not plan.tools:
        _output(value, plan, text)
        return Answer(content=body)
    if not isinstance(value, dict) or not value or not set(value) <= {"tool_calls", "content"}:
        raise ModelOutputError('the answer must be {"tool_calls": [...]} or {"content": ...}', text=text)
    calls = _calls(value["tool_calls"], plan, text) if "tool_calls" in value else []
    if not calls and plan.choice != "auto":
        raise ModelOutputError("a tool call was required, but the answer calls none", text=text)
    content = value.get("content")
    if "content" not in value or (content is None and calls):
        return Answer(content=None, tool_calls=calls)
    if plan.output is not None:
        _output(content, plan, text)
        return Answer(content=json.dumps(content, ensure_ascii=False), tool_calls=calls)
    if not isinstance(content, str):
        raise ModelOutputError('"content" must be a string', text=text)
    return Answer(content=content, tool_calls=calls)
