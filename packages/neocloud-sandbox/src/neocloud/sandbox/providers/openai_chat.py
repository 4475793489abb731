"""The OpenAI-compatible chat emulation shared by every OpenAI-shaped plane (Cerebras first).

Validation answers 400 with the offending ``param``; answers are scripted (``/_sandbox/script``) or
generated: text from the seeded word list, tool calls and JSON documents from the request's schemas.

Tool rule (general, documented): with tools and ``tool_choice`` "required" or a named function, the
answer is a tool call (the named function, else the first tool); with "auto" (or no choice) the first
tool is called when the last message is the user's, and a tool result is answered with text.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from ..generate import count_tokens, generate_text, instance_from_schema, seed_for
from ..state import ScriptedResponse

__all__ = ["Answer", "chunk_frames", "completion_payload", "plan_answer", "validate_chat"]

_ROLES = {"system", "developer", "user", "assistant", "tool"}


@dataclass
class Answer:
    """What the model says, before it is shaped into a response or stream frames."""

    content: str | None
    finish_reason: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0


def _positive_int(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
        return f"'{name}' must be a positive integer"
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
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return 400, f"messages[{i}].role must be one of {sorted(_ROLES)}", f"messages.{i}.role", None
        if message["role"] == "tool" and not message.get("tool_call_id"):
            return 400, f"messages[{i}].tool_call_id is required for tool messages", f"messages.{i}", None
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2):
        return 400, "'temperature' must be between 0 and 2", "temperature", None
    for name in ("max_tokens", "max_completion_tokens"):
        problem = _positive_int(body, name)
        if problem:
            return 400, problem, name, None
    if body.get("n") not in (None, 1):
        return 400, "the sandbox supports n=1 only", "n", None
    tools = body.get("tools")
    if tools is not None and (
        not isinstance(tools, list)
        or not all(
            isinstance(t, dict) and isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str)
            for t in tools
        )
    ):
        return 400, "'tools' must be a list of {type: function, function: {name, parameters}}", "tools", None
    choice = body.get("tool_choice")
    names = {t["function"]["name"] for t in tools or []}
    if isinstance(choice, str) and choice not in {"auto", "none", "required"}:
        return 400, "'tool_choice' must be auto, none, required or a named function", "tool_choice", None
    if isinstance(choice, dict):
        chosen = (choice.get("function") or {}).get("name")
        if chosen not in names:
            return 400, f"tool_choice names an unknown function {chosen!r}", "tool_choice", None
    if choice is not None and choice != "none" and not tools:
        return 400, "'tool_choice' requires 'tools'", "tool_choice", None
    fmt = body.get("response_format")
    if fmt is not None and (not isinstance(fmt, dict) or fmt.get("type") not in {"text", "json_object", "json_schema"}):
        return 400, "'response_format.type' must be text, json_object or json_schema", "response_format", None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and not isinstance(fmt.get("json_schema"), dict):
        return 400, "'response_format.json_schema' is required", "response_format.json_schema", None
    if model not in models:
        return 404, f"Model {model} does not exist or you do not have access to it.", "model", "model_not_found"
    return None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """Words in every message plus a small per-message overhead (the sandbox's documented tokenizer)."""
    return sum(count_tokens(_text_of(m.get("content"))) + 3 for m in messages)


def _call_id(seed: int, index: int) -> str:
    return "call_" + hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:20]


def _wanted_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        chosen: dict[str, Any] = next(t for t in tools if t["function"]["name"] == name)
        return chosen
    if choice == "required" or body["messages"][-1].get("role") == "user":
        return tools[0]  # type: ignore[no-any-return]
    return None


def plan_answer(body: dict[str, Any], scripted: ScriptedResponse | None, *, seed: int, reasoning_model: bool) -> Answer:
    """Decide the answer for a validated chat request."""
    messages = body["messages"]
    p_tokens = prompt_tokens(messages)
    base = seed_for(seed, body["model"], messages)
    if scripted is not None:
        calls = [
            {
                "id": c.get("id") or _call_id(base, i),
                "name": c["name"],
                "arguments": c["arguments"]
                if isinstance(c.get("arguments"), str)
                else json.dumps(c.get("arguments") or {}),
            }
            for i, c in enumerate(scripted.tool_calls)
        ]
        text = scripted.content
        c_tokens = count_tokens(text or "") + sum(count_tokens(c["arguments"]) for c in calls)
        usage = scripted.usage or {}
        return Answer(
            content=text,
            finish_reason=scripted.finish_reason or ("tool_calls" if calls else "stop"),
            tool_calls=calls,
            reasoning=scripted.reasoning,
            prompt_tokens=usage.get("prompt_tokens", p_tokens),
            completion_tokens=usage.get("completion_tokens", c_tokens),
        )
    rng = random.Random(base)
    reasoning = None
    r_tokens = 0
    hidden = body.get("reasoning_format") == "hidden" or body.get("disable_reasoning") is True
    if reasoning_model and not hidden:
        reasoning, _ = generate_text(base ^ 0x5EED, 10)
        r_tokens = count_tokens(reasoning)
    tool = _wanted_tool(body)
    if tool is not None:
        args = instance_from_schema(tool["function"].get("parameters") or {"type": "object"}, rng)
        arguments = json.dumps(args)
        call = {"id": _call_id(base, 0), "name": tool["function"]["name"], "arguments": arguments}
        return Answer(None, "tool_calls", [call], reasoning, p_tokens, count_tokens(arguments) + r_tokens, r_tokens)
    fmt = body.get("response_format") or {}
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if fmt.get("type") == "json_schema":
        schema = fmt["json_schema"].get("schema") or {"type": "object"}
        text = json.dumps(instance_from_schema(schema, rng))
        finish = "stop"
    elif fmt.get("type") == "json_object":
        sentence, finish = generate_text(base, limit, body.get("stop"))
        text = json.dumps({"result": sentence})
    else:
        text, finish = generate_text(base, limit, body.get("stop"))
    return Answer(text, finish, [], reasoning, p_tokens, count_tokens(text) + r_tokens, r_tokens)


def usage_of(answer: Answer) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": answer.prompt_tokens + answer.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if answer.reasoning_tokens:
        usage["completion_tokens_details"] = {"reasoning_tokens": answer.reasoning_tokens}
    return usage


def time_info(answer: Answer) -> dict[str, float]:
    prompt, completion = answer.prompt_tokens * 1e-5, answer.completion_tokens * 5e-4
    return {"queue_time": 1e-4, "prompt_time": prompt, "completion_time": completion,
            "total_time": 1e-4 + prompt + completion, "created": time.time()}  # fmt: skip


def completion_payload(answer: Answer, body: dict[str, Any], cid: str, extra: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.content}
    if answer.reasoning:
        message["reasoning"] = answer.reasoning
    if answer.tool_calls:
        message["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in answer.tool_calls
        ]
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_sandbox",
        "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason, "logprobs": None}],
        "usage": usage_of(answer),
        **extra,
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def chunk_frames(
    answer: Answer,
    body: dict[str, Any],
    cid: str,
    final_extra: dict[str, Any],
    *,
    usage_frame: bool = False,
    usage_extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The stream frames of ``answer``: role, reasoning, content words, tool-call fragments, final usage.

    Cerebras puts usage in the last frame (unless ``include_usage`` is false). OpenAI-style planes
    (``usage_frame=True``) send usage only when asked, in a separate frame with ``"choices": []``.
    """
    created = int(time.time())
    head = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": body["model"],
            "system_fingerprint": "fp_sandbox"}  # fmt: skip

    def frame(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    frames = [frame({"role": "assistant", "content": ""})]
    if answer.reasoning:
        frames += [frame({"reasoning": w}) for w in _words(answer.reasoning)]
    if answer.content:
        frames += [frame({"content": w}) for w in _words(answer.content)]
    for index, call in enumerate(answer.tool_calls):
        parts = _pieces(call["arguments"], 8)
        frames.append(frame({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                             "function": {"name": call["name"], "arguments": parts[0]}}]}))  # fmt: skip
        frames += [frame({"tool_calls": [{"index": index, "function": {"arguments": p}}]}) for p in parts[1:]]
    last = frame({}, answer.finish_reason)
    options = body.get("stream_options") or {}
    usage = {**usage_of(answer), **(usage_extra or {})}
    if not usage_frame and options.get("include_usage") is not False:
        last["usage"] = usage
    last.update(final_extra)
    frames.append(last)
    if usage_frame and options.get("include_usage") is True:
        frames.append({**head, "choices": [], "usage": usage})
    return frames


def _words(text: str) -> list[str]:
    """Split into word-sized deltas that concatenate back to ``text`` exactly."""
    out: list[str] = []
    for i, word in enumerate(text.split(" ")):
        out.append(word if i == 0 else " " + word)
    return out
