"""Pure checks of what arrives from outside: JSON bodies (bounded depth) and the control plane's faults and
scripted answers, each refused with a :class:`BadInput` naming the field and what is allowed, so bad input is a
400 when it is given, never a 500 (or a dropped connection) on a later call."""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["FAULT_KINDS", "MAX_DEPTH", "BadInput", "check_fault", "check_script", "parse_json"]

# Deeper than any real request (the clients refuse more than 64), and shallow enough that nothing that walks a body
# recursively (validation, schema-driven generation, json.dumps) can exhaust Python's stack.
MAX_DEPTH = 100
FAULT_KINDS = ("drop", "malformed_json", "stall_stream", "drop_stream", "error_frame", "drop_after_act",
               "oversized_body", "malformed_frame")  # fmt: skip
MAX_PADDING = 64 * 1024 * 1024  # an ``oversized_body`` fault pads at most this much (it is built in memory)
MAX_SECONDS = 3600.0
# RFC 9110 header field names are tokens; values are visible ASCII/Latin-1 text, spaces and tabs (no CR, LF, NUL).
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")
FINISH_REASONS = ("stop", "length", "content_filter", "tool_calls")
USAGE_KEYS = ("prompt_tokens", "completion_tokens")


class BadInput(ValueError):
    """Input refused: ``field`` names what was wrong, the message says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _depth(value: Any) -> int:
    """How deeply ``value`` nests, iteratively (a recursive walk is what must not run out of stack)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            todo.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json(body: bytes | str) -> Any:
    """The JSON document in ``body``; :class:`BadInput` when it is not JSON or nests more than ``MAX_DEPTH``
    levels (the parser itself gives up with ``RecursionError`` long before 50,000 levels)."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise BadInput("body", f"the JSON body is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # also UnicodeDecodeError
        raise BadInput("body", "the body is not valid JSON") from None
    if _depth(data) > MAX_DEPTH:
        raise BadInput("body", f"the JSON body is nested more than {MAX_DEPTH} levels deep")
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(data: dict[str, Any], name: str, low: int, high: int, what: str) -> None:
    if name in data and not (_is_int(data[name]) and low <= data[name] <= high):
        raise BadInput(name, f"'{name}' must be {what} ({low} to {high}), got {data[name]!r}")


def check_fault(data: Any) -> dict[str, Any]:
    """``data`` (one fault, as JSON) checked field by field; the keyword arguments of ``Fault``."""
    if not isinstance(data, dict):
        raise BadInput("faults", f"each of 'faults' must be a JSON object, got {data!r}")
    allowed = ("status", "kind", "headers", "body", "times", "path", "method", "size", "after_chunks", "seconds",
               "status_code")  # fmt: skip
    for name in data:
        if name not in allowed:
            raise BadInput(name, f"unknown fault field '{name}'; allowed: {', '.join(allowed)}")
    if data.get("status") is None and data.get("kind") is None:
        raise BadInput("status", "a fault needs 'status' (an HTTP error status) or 'kind'")
    if data.get("status") is not None:
        _int(data, "status", 400, 599, "an integer HTTP error status")
    if data.get("kind") is not None and data["kind"] not in FAULT_KINDS:
        raise BadInput("kind", f"'kind' must be one of {', '.join(FAULT_KINDS)}, got {data['kind']!r}")
    headers = data.get("headers") or {}
    if not isinstance(headers, dict):
        raise BadInput("headers", f"'headers' must be an object of header names to string values, got {headers!r}")
    for name, value in headers.items():
        if not (_TOKEN.match(name) and isinstance(value, str) and _VALUE.match(value)):
            raise BadInput("headers", f"'headers' must map header names (tokens) to single-line text values, got "
                                      f"{name!r}: {value!r}")  # fmt: skip
    _int(data, "times", 1, 1_000_000, "a positive integer")
    _int(data, "size", 0, MAX_PADDING, "an integer number of bytes")
    _int(data, "after_chunks", 0, 1_000_000, "an integer number of chunks")
    _int(data, "status_code", 400, 599, "an integer HTTP error status")
    for name in ("path", "method"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise BadInput(name, f"'{name}' must be a string or null, got {data[name]!r}")
    seconds = data.get("seconds", 0)
    if not (isinstance(seconds, int | float) and not isinstance(seconds, bool) and math.isfinite(seconds)
            and 0 <= seconds <= MAX_SECONDS):  # fmt: skip
        raise BadInput("seconds", f"'seconds' must be a number of seconds (0 to {MAX_SECONDS:g}), got {seconds!r}")
    return {**data, "headers": dict(headers)}


def _check_call(call: Any) -> dict[str, Any]:
    problem = None
    if not isinstance(call, dict) or not isinstance(call.get("name"), str) or not call["name"]:
        problem = "needs a non-empty string 'name'"
    elif set(call) - {"name", "arguments", "id"}:
        problem = f"has unknown fields {sorted(set(call) - {'name', 'arguments', 'id'})}; allowed: name, arguments, id"
    elif call.get("arguments") is not None and not isinstance(call["arguments"], str | dict):
        problem = "'arguments' must be a JSON string or an object"
    elif call.get("id") is not None and not isinstance(call["id"], str):
        problem = "'id' must be a string"
    if problem:
        raise BadInput("tool_calls", f"each of 'tool_calls' {problem}, got {call!r}")
    return dict(call)


def check_script(data: Any) -> dict[str, Any]:
    """One scripted answer checked field by field; the keyword arguments of ``ScriptedResponse``."""
    if not isinstance(data, dict):
        raise BadInput("responses", f"each of 'responses' must be a JSON object, got {data!r}")
    allowed = ("content", "reasoning", "tool_calls", "finish_reason", "usage")
    for name in data:
        if name not in allowed:
            raise BadInput(name, f"unknown scripted-response field '{name}'; allowed: {', '.join(allowed)}")
    for name in ("content", "reasoning"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise BadInput(name, f"'{name}' must be a string or null, got {data[name]!r}")
    if data.get("finish_reason") is not None and data["finish_reason"] not in FINISH_REASONS:
        raise BadInput("finish_reason", f"'finish_reason' must be one of {', '.join(FINISH_REASONS)} or null, got "
                                        f"{data['finish_reason']!r}")  # fmt: skip
    usage = data.get("usage")
    if usage is not None and not (isinstance(usage, dict) and set(usage) <= set(USAGE_KEYS)
                                  and all(_is_int(v) and v >= 0 for v in usage.values())):  # fmt: skip
        raise BadInput("usage", f"'usage' must be an object of {', '.join(USAGE_KEYS)} (non-negative integers), "
                                f"got {usage!r}")  # fmt: skip
    calls = data.get("tool_calls") or []
    if not isinstance(calls, list):
        raise BadInput("tool_calls", f"'tool_calls' must be a list, got {calls!r}")
    return {
        "content": data.get("content"),
        "reasoning": data.get("reasoning"),
        "tool_calls": [_check_call(c) for c in calls],
        "finish_reason": data.get("finish_reason"),
        "usage": usage,
    }
