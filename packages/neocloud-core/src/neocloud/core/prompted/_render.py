"""The request half of the prompted protocol: what was asked for (``Plan``), the system instruction, and a chat
history with tool calls and results written as text (pure)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RequestValidationError

__all__ = ["Plan", "ToolSpec", "instruction", "plan_from_body", "render_messages"]

# The body fields the protocol consumes (a backend removes them before the provider sees the request).
PROTOCOL_FIELDS = ("tools", "tool_choice", "parallel_tool_calls", "response_format")


@dataclass(frozen=True)
class ToolSpec:
    """One offered tool: its name, description and the JSON Schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Plan:
    """What a request asks the model for, beyond text.

    ``tools`` are the tools the model may call (none when ``tool_choice`` is ``"none"``); ``choice`` is
    ``"auto"``, ``"required"`` or the one tool's name; ``output`` is ``None``, ``"json_object"`` or
    ``"json_schema"`` (with ``schema`` and ``schema_name``).
    """

    tools: tuple[ToolSpec, ...] = ()
    choice: str = "auto"
    parallel: bool = True
    output: str | None = None
    schema: Mapping[str, Any] | None = None
    schema_name: str = ""

    def tool(self, name: str) -> ToolSpec | None:
        """The offered tool called ``name``."""
        return next((t for t in self.tools if t.name == name), None)


def _tool(entry: Any, index: int) -> ToolSpec:
    function = entry.get("function") if isinstance(entry, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str) or not function["name"]:
        raise RequestValidationError(
            "each tool must be {'type': 'function', 'function': {'name': ..., 'parameters': {...}}}",
            param=f"tools.{index}",
        )
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    if not isinstance(parameters, Mapping):
        raise RequestValidationError("a tool's parameters must be a JSON Schema object", param=f"tools.{index}")
    return ToolSpec(function["name"], str(function.get("description") or ""), parameters)


def _choice(raw: Any, tools: Sequence[ToolSpec]) -> str:
    if raw is None or raw == "auto":
        return "auto"
    if raw in ("none", "required"):
        return str(raw)
    name = raw.get("function", {}).get("name") if isinstance(raw, Mapping) else None
    if not isinstance(name, str) or not any(t.name == name for t in tools):
        known = ", ".join(t.name for t in tools) or "no tools"
        raise RequestValidationError(
            f"tool_choice must be 'auto', 'none', 'required' or name a bound tool ({known})", param="tool_choice"
        )
    return name


def plan_from_body(body: Mapping[str, Any]) -> Plan | None:
    """The ``Plan`` of an OpenAI-shaped chat body; ``None`` when it asks for nothing but text."""
    tools = tuple(_tool(t, i) for i, t in enumerate(body.get("tools") or ()))
    choice = _choice(body.get("tool_choice"), tools) if tools else "auto"
    fmt = body.get("response_format")
    output: str | None = None
    schema: Mapping[str, Any] | None = None
    name = ""
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("schema", {}), Mapping):
            raise RequestValidationError(
                "response_format json_schema needs {'name', 'schema'}", param="response_format"
            )
        output, schema, name = "json_schema", spec.get("schema") or {"type": "object"}, str(spec.get("name") or "")
    elif isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        output = "json_object"
    elif fmt is not None and not (isinstance(fmt, Mapping) and fmt.get("type") == "text"):
        raise RequestValidationError(
            "response_format must be {'type': 'text' | 'json_object' | 'json_schema', ...}", param="response_format"
        )
    if choice == "none":
        tools, choice = (), "auto"  # the model must not call tools: it is not told about them
    if not tools and output is None:
        return None
    return Plan(tools, choice, body.get("parallel_tool_calls") is not False, output, schema, name)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def instruction(plan: Plan) -> str:
    """The system instruction that asks for ``plan`` (the documented protocol)."""
    lines: list[str] = []
    if plan.tools:
        lines.append("You can call tools. Each tool is listed with the JSON Schema of its arguments:")
        for tool in plan.tools:
            # Descriptions often come from docstrings, indented on Pythons before 3.13: the model sees them clean.
            about = f": {inspect.cleandoc(tool.description)}" if tool.description else ""
            lines.append(f"- {tool.name}{about}\n  arguments schema: {_dump(tool.parameters)}")
        lines += ["", "Reply with exactly one JSON object and nothing else (no prose, no Markdown):"]
        lines.append('- to call tools: {"tool_calls": [{"name": "<tool name>", "arguments": {<arguments>}}]}')
        if plan.choice == "auto":
            answer = '"<your answer>"' if plan.output is None else "{<a JSON object as described below>}"
            lines.append(f'- to answer without a tool: {{"content": {answer}}}')
            lines.append("Call a tool only when it helps; otherwise answer with content.")
        elif plan.choice == "required":
            lines.append("You must call at least one tool.")
        else:
            lines.append(f"You must call the tool {plan.choice!r}.")
        if not plan.parallel:
            lines.append("Call at most one tool per reply.")
    if plan.output is not None:
        where = "The content of your answer must be" if plan.tools else "Reply with exactly"
        lines.append(f"{where} one JSON object and nothing else (no prose, no Markdown).")
        if plan.output == "json_schema":
            named = f" (named {plan.schema_name})" if plan.schema_name else ""
            lines.append(f"It must be valid for this JSON Schema{named}: {_dump(plan.schema)}")
    return "\n".join(lines)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping) and p.get("type") == "text")
    return "" if content is None else str(content)


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw or "{}")
        except ValueError:
            return raw  # shown as it was sent: the model sees what it (or a caller) wrote
    return raw


def render_messages(messages: Sequence[Mapping[str, Any]], plan: Plan | None) -> list[dict[str, Any]]:
    """The chat history for a provider without tools: the instruction joins the (first) system message, an
    assistant's tool calls become the JSON object the protocol asks for, and a tool result becomes a user
    message naming the tool. Other messages are unchanged."""
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for message in messages:
        role = message.get("role")
        calls = message.get("tool_calls") if role == "assistant" else None
        if calls:
            rendered = []
            for call in calls:
                function = call.get("function") or {}
                names[str(call.get("id"))] = str(function.get("name", ""))
                rendered.append({"name": function.get("name", ""), "arguments": _arguments(function.get("arguments"))})
            envelope: dict[str, Any] = {"tool_calls": rendered}
            if _text(message.get("content")):
                envelope = {"content": _text(message.get("content")), **envelope}
            out.append({"role": "assistant", "content": _dump(envelope)})
        elif role == "tool":
            name = names.get(str(message.get("tool_call_id")), "") or str(message.get("name") or "a tool")
            out.append({"role": "user", "content": f"Result of the tool call {name}:\n{_text(message.get('content'))}"})
        elif role == "assistant" and plan is not None and plan.tools:
            # Earlier answers are shown in the shape the protocol asks for, so the history agrees with the rules.
            out.append({"role": "assistant", "content": _dump({"content": _text(message.get("content"))})})
        else:
            out.append({k: v for k, v in message.items() if k != "tool_calls"})
    if plan is None:
        return out
    text = instruction(plan)
    if out and out[0].get("role") in ("system", "developer"):
        first = _text(out[0].get("content"))
        out[0] = {**out[0], "content": f"{first}\n\n{text}" if first else text}
    else:
        out.insert(0, {"role": "system", "content": text})
    return out
