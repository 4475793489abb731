"""The OpenAI-compatible chat emulation shared by every OpenAI-shaped plane (Cerebras first).

Validation answers 400 with the offending ``param``; answers are scripted (``/_sandbox/script``) or
generated: text from the seeded word list, tool calls and JSON documents from the request's schemas.
Requests are checked by ``chat_validation``.

Tool rule (general, documented): with tools and ``tool_choice`` "required" or a named function, the
answer is a tool call (the named function, else the first tool); with "auto" (or no choice) the first
tool is called when the last message is the user's, and a tool result is answered with text.

Token budget: ``max_completion_tokens`` (else ``max_tokens``) bounds everything the model writes, reasoning
included: reasoning models think up to 10 tokens within the budget and the answer gets what is left; an answer
cut by the budget ends with ``finish_reason: "length"`` (a cut tool call or JSON document is left incomplete,
as a real model's would be). ``n`` (1-16) asks for that many choices, each generated from its own seed (a
scripted answer is given as every choice). ``logprobs``/``top_logprobs`` add the deterministic log
probabilities of ``neocloud.sandbox.tokens`` to every choice.
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
from ..tokens import chat_logprobs, tokens_of
from .chat_validation import validate_chat

__all__ = [
    "Answer",
    "Choice",
    "chunk_frames",
    "completion_payload",
    "plan_answer",
    "time_info",
    "usage_of",
    "validate_chat",
]

REASONING_TOKENS = 10


@dataclass
class Choice:
    """What the model says in one choice, before it is shaped into a response or stream frames."""

    content: str | None
    finish_reason: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str | None = None
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    seed: int = 0  # seeds this choice's log probabilities


@dataclass
class Answer:
    """Every choice of one request, with the request's token counts (summed over the choices)."""

    choices: list[Choice]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    top_logprobs: int | None = None  # None: no logprobs asked for


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


def _cut(text: str, budget: int | None) -> tuple[str, bool]:
    """``text`` limited to ``budget`` tokens (words; None: no limit); whether it was cut. Whitespace is kept."""
    if budget is None or count_tokens(text) <= budget:
        return text, False
    kept, seen = [], 0
    for piece in text.split(" "):
        seen += bool(piece.strip())
        if seen > budget:
            break
        kept.append(piece)
    return " ".join(kept), True


def _scripted(body: dict[str, Any], scripted: ScriptedResponse, base: int) -> Choice:
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
    tokens = count_tokens(scripted.content or "") + sum(count_tokens(c["arguments"]) for c in calls)
    finish = scripted.finish_reason or ("tool_calls" if calls else "stop")
    return Choice(scripted.content, finish, calls, scripted.reasoning, tokens, 0, base)


def _generated(body: dict[str, Any], base: int, reasoning_model: bool) -> Choice:
    rng = random.Random(base)
    budget: int | None = body.get("max_completion_tokens") or body.get("max_tokens")
    reasoning, r_tokens = None, 0
    hidden = body.get("reasoning_format") == "hidden" or body.get("disable_reasoning") is True
    if reasoning_model and not hidden:
        thinking = REASONING_TOKENS if budget is None else min(REASONING_TOKENS, budget)
        reasoning, _ = generate_text(base ^ 0x5EED, thinking)
        r_tokens = count_tokens(reasoning)
    left = None if budget is None else budget - r_tokens  # what the answer may still write
    tool = _wanted_tool(body)
    if tool is not None:
        schema = tool["function"].get("parameters") or {"type": "object"}
        arguments, cut = _cut(json.dumps(instance_from_schema(schema, rng)), left)
        call = {"id": _call_id(base, 0), "name": tool["function"]["name"], "arguments": arguments}
        finish = "length" if cut else "tool_calls"
        return Choice(None, finish, [call], reasoning, count_tokens(arguments) + r_tokens, r_tokens, base)
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt["json_schema"].get("schema") or {"type": "object"}
        text, cut = _cut(json.dumps(instance_from_schema(schema, rng)), left)
        finish = "length" if cut else "stop"
    elif fmt.get("type") == "json_object":
        sentence, finish = generate_text(base, left, body.get("stop"))
        text, cut = _cut(json.dumps({"result": sentence}), left)
        finish = "length" if cut else finish
    else:
        text, finish = generate_text(base, left, body.get("stop"))
    return Choice(text, finish, [], reasoning, count_tokens(text) + r_tokens, r_tokens, base)


def plan_answer(body: dict[str, Any], scripted: ScriptedResponse | None, *, seed: int, reasoning_model: bool) -> Answer:
    """Decide the answer (every choice) for a validated chat request."""
    messages = body["messages"]
    p_tokens = prompt_tokens(messages)
    base = seed_for(seed, body["model"], messages)
    # Choice 0 keeps the request's own seed, so asking for n choices never changes the first one.
    seeds = [base if i == 0 else seed_for(base, i) for i in range(body.get("n") or 1)]
    if scripted is not None:
        choices = [_scripted(body, scripted, s) for s in seeds]
        usage = scripted.usage or {}
        p_tokens = usage.get("prompt_tokens", p_tokens)
        completion = usage.get("completion_tokens", sum(c.completion_tokens for c in choices))
    else:
        choices = [_generated(body, s, reasoning_model) for s in seeds]
        completion = sum(c.completion_tokens for c in choices)
    top = (body.get("top_logprobs") or 0) if body.get("logprobs") else None
    return Answer(choices, p_tokens, completion, sum(c.reasoning_tokens for c in choices), top)


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


def time_info(prompt: int, completion: int) -> dict[str, float]:
    """Cerebras' ``time_info`` for a request of ``prompt`` and ``completion`` tokens (seconds)."""
    p_time, c_time = round(prompt * 1e-5, 6), round(completion * 5e-4, 6)
    return {"queue_time": 1e-4, "prompt_time": p_time, "completion_time": c_time,
            "total_time": round(1e-4 + p_time + c_time, 6), "created": time.time()}  # fmt: skip


def _logprobs(answer: Answer, text: str | None, seed: int, start: int = 0) -> dict[str, Any] | None:
    """A ``logprobs`` object for ``text`` (its tokens from position ``start``), or None when none was asked for."""
    if answer.top_logprobs is None or text is None:
        return None
    return {"content": chat_logprobs(tokens_of(text), seed, answer.top_logprobs, start), "refusal": None}


def _message(choice: Choice) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.content}
    if choice.reasoning:
        message["reasoning"] = choice.reasoning
    if choice.tool_calls:
        message["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in choice.tool_calls
        ]
    return message


def completion_payload(answer: Answer, body: dict[str, Any], cid: str, extra: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` body."""
    choices = []
    for index, choice in enumerate(answer.choices):
        item = {"index": index, "message": _message(choice), "finish_reason": choice.finish_reason,
                "logprobs": _logprobs(answer, choice.content, choice.seed)}  # fmt: skip
        if choice.reasoning and answer.top_logprobs is not None:  # Cerebras' reasoning_logprobs
            item["reasoning_logprobs"] = _logprobs(answer, choice.reasoning, choice.seed ^ 0x5EED)
        choices.append(item)
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_sandbox",
        "choices": choices,
        "usage": usage_of(answer),
        **extra,
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _deltas(text: str) -> list[str]:
    """Word-sized deltas (the sandbox's tokens) that concatenate back to ``text`` exactly."""
    return tokens_of(text) or [text]


def _choice_frames(answer: Answer, index: int, frame: Any) -> list[dict[str, Any]]:
    choice = answer.choices[index]
    frames = [frame(index, {"role": "assistant", "content": ""})]
    for position, piece in enumerate(_deltas(choice.reasoning) if choice.reasoning else []):
        extra = {}
        if answer.top_logprobs is not None:
            extra["reasoning_logprobs"] = _logprobs(answer, piece, choice.seed ^ 0x5EED, position)
        frames.append(frame(index, {"reasoning": piece}, **extra))
    for position, piece in enumerate(_deltas(choice.content) if choice.content else []):
        frames.append(frame(index, {"content": piece}, logprobs=_logprobs(answer, piece, choice.seed, position)))
    for number, call in enumerate(choice.tool_calls):
        parts = _pieces(call["arguments"], 8)
        frames.append(frame(index, {"tool_calls": [{"index": number, "id": call["id"], "type": "function",
                                                    "function": {"name": call["name"], "arguments": parts[0]}}]}))  # fmt: skip
        # Every fragment names its type (the Cerebras SDK's chunk schema requires it); only the first carries the
        # id and the name, so accumulating clients that concatenate fragments rebuild the call exactly.
        frames += [frame(index, {"tool_calls": [{"index": number, "type": "function", "function": {"arguments": p}}]})
                   for p in parts[1:]]  # fmt: skip
    frames.append(frame(index, {}, finish=choice.finish_reason))
    return frames


def chunk_frames(
    answer: Answer,
    body: dict[str, Any],
    cid: str,
    final_extra: dict[str, Any],
    *,
    usage_frame: bool = False,
    usage_extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The stream frames of ``answer``: per choice (in order) role, reasoning, content words, tool-call
    fragments and finish; then the usage.

    Cerebras puts usage in the last frame (unless ``include_usage`` is false). OpenAI-style planes
    (``usage_frame=True``) send usage only when asked, in a separate frame with ``"choices": []``.
    """
    created = int(time.time())
    head = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": body["model"],
            "system_fingerprint": "fp_sandbox"}  # fmt: skip

    def frame(index: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "finish_reason": finish, "logprobs": None, **extra}
        return {**head, "choices": [choice]}

    frames = [f for index in range(len(answer.choices)) for f in _choice_frames(answer, index, frame)]
    last = frames[-1]
    options = body.get("stream_options") or {}
    usage = {**usage_of(answer), **(usage_extra or {})}
    if not usage_frame and options.get("include_usage") is not False:
        last["usage"] = usage
    last.update(final_extra)
    if usage_frame and options.get("include_usage") is True:
        frames.append({**head, "choices": [], "usage": usage})
    return frames
