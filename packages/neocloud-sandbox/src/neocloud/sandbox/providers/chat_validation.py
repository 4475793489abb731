"""Validating an OpenAI-compatible chat request (pure): the first problem, as ``(status, message, param, code)``.

Every parameter the official SDKs' types allow is accepted when its value is in range; anything else is a 400
naming the parameter (never a 500).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_N", "validate_chat"]

_ROLES = {"system", "developer", "user", "assistant", "tool"}
MAX_N = 16
# Enumerated parameters, as the SDK types declare them.
_ENUMS = {
    "reasoning_effort": {"none", "low", "medium", "high"},
    "reasoning_format": {"none", "parsed", "text_parsed", "raw", "hidden"},
    "service_tier": {"auto", "default", "flex", "priority"},
}
_RANGES = {"temperature": (0, 2), "top_p": (0, 1), "frequency_penalty": (-2, 2), "presence_penalty": (-2, 2)}


def _one_of(value: Any, allowed: set[str]) -> bool:
    # Membership only for strings: a list or an object sent where a name belongs is refused, not hashed.
    return isinstance(value, str) and value in allowed


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_number(body: dict[str, Any]) -> tuple[str, str] | None:
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (not _is_int(value) or value <= 0):
            return name, f"'{name}' must be a positive integer"
    for name, (low, high) in _RANGES.items():
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high
        ):
            return name, f"'{name}' must be between {low} and {high}"
    n = body.get("n")
    if n is not None and (not _is_int(n) or not 1 <= n <= MAX_N):
        return "n", f"'n' must be an integer from 1 to {MAX_N}"
    if body.get("logprobs") is not None and not isinstance(body["logprobs"], bool):
        return "logprobs", "'logprobs' must be true or false"
    top = body.get("top_logprobs")
    if top is not None and (not _is_int(top) or not 0 <= top <= 20):
        return "top_logprobs", "'top_logprobs' must be an integer from 0 to 20"
    if top is not None and body.get("logprobs") is not True:
        return "top_logprobs", "'top_logprobs' requires 'logprobs': true"
    return None


def _bad_option(body: dict[str, Any]) -> tuple[str, str] | None:
    for name, allowed in _ENUMS.items():
        if body.get(name) is not None and not _one_of(body[name], allowed):
            return name, f"'{name}' must be one of {', '.join(sorted(allowed))}"
    stop = body.get("stop")
    if (
        stop is not None
        and not isinstance(stop, str)
        and not (isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop))
    ):
        return "stop", "'stop' must be a string or a list of at most 4 strings"
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        return "stream_options", "'stream_options' must be an object"
    return None


def _bad_tools(body: dict[str, Any]) -> tuple[str, str] | None:
    tools = body.get("tools")
    if tools is not None and (
        not isinstance(tools, list)
        or not all(
            isinstance(t, dict)
            and isinstance(t.get("function"), dict)
            and isinstance(t["function"].get("name"), str)
            and isinstance(t["function"].get("parameters", {}), (dict, type(None)))
            for t in tools
        )
    ):
        return "tools", "'tools' must be a list of {type: function, function: {name, parameters}}"
    choice = body.get("tool_choice")
    names = {t["function"]["name"] for t in tools or []}
    if isinstance(choice, str) and not _one_of(choice, {"auto", "none", "required"}):
        return "tool_choice", "'tool_choice' must be auto, none, required or a named function"
    if choice is not None and not isinstance(choice, (str, dict)):
        return "tool_choice", "'tool_choice' must be auto, none, required or a named function"
    if isinstance(choice, dict):
        chosen = (choice.get("function") or {}).get("name") if isinstance(choice.get("function"), dict) else None
        if not isinstance(chosen, str) or chosen not in names:
            return "tool_choice", f"tool_choice names an unknown function {chosen!r}"
    if choice is not None and choice != "none" and not tools:
        return "tool_choice", "'tool_choice' requires 'tools'"
    fmt = body.get("response_format")
    if fmt is not None and (
        not isinstance(fmt, dict) or not _one_of(fmt.get("type"), {"text", "json_object", "json_schema"})
    ):
        return "response_format", "'response_format.type' must be text, json_object or json_schema"
    if (
        isinstance(fmt, dict)
        and fmt.get("type") == "json_schema"
        and (
            not isinstance(fmt.get("json_schema"), dict)
            or not isinstance(fmt["json_schema"].get("schema", {}), (dict, type(None)))
        )
    ):
        return "response_format.json_schema", "'response_format.json_schema' must be {name, schema: object}"
    return None


def validate_chat(body: dict[str, Any], models: set[str]) -> tuple[int, str, str | None, str | None] | None:
    """``(status, message, param, code)`` for an invalid chat request, else ``None``."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return 400, "'model' is required", "model", "invalid_request_error"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, "'messages' must be a non-empty list", "messages", "invalid_request_error"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not _one_of(message.get("role"), _ROLES):
            return 400, f"messages[{i}].role must be one of {sorted(_ROLES)}", f"messages.{i}.role", None
        if message["role"] == "tool" and not message.get("tool_call_id"):
            return 400, f"messages[{i}].tool_call_id is required for tool messages", f"messages.{i}", None
    problem = _bad_number(body) or _bad_option(body) or _bad_tools(body)
    if problem:
        return 400, problem[1], problem[0], None
    if model not in models:
        return 404, f"Model {model} does not exist or you do not have access to it.", "model", "model_not_found"
    return None
