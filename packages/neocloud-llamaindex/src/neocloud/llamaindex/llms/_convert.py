"""Conversions between LlamaIndex chat messages and the core's OpenAI-shaped wire models (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection

from neocloud.core.built import built
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk, ToolCall, Usage

from ._raw import LazyRaw

__all__ = ["StreamAccumulator", "to_chat_response", "to_wire_messages", "tool_selections", "usage_kwargs"]


def _image_part(block: ImageBlock) -> dict[str, Any] | None:
    if block.url:
        return {"type": "image_url", "image_url": {"url": str(block.url)}}
    if block.image:
        mime = block.image_mimetype or "image/png"
        data = block.image.decode() if isinstance(block.image, bytes) else str(block.image)
        return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}
    return None


def _content(message: ChatMessage) -> str | list[dict[str, Any]] | None:
    parts: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            part = _image_part(block)
            if part:
                parts.append(part)
    if all(p["type"] == "text" for p in parts):
        text = "".join(p["text"] for p in parts)
        return text if text or message.role != MessageRole.ASSISTANT else None
    return parts


def _tool_calls(message: ChatMessage) -> list[dict[str, Any]]:
    calls = list(message.additional_kwargs.get("tool_calls") or [])
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            args = block.tool_kwargs if isinstance(block.tool_kwargs, str) else json.dumps(block.tool_kwargs)
            calls.append(
                {"id": block.tool_call_id, "type": "function", "function": {"name": block.tool_name, "arguments": args}}
            )
    return [c if isinstance(c, dict) else c.model_dump() for c in calls]


def to_wire_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """LlamaIndex messages → OpenAI chat messages."""
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.role.value if isinstance(message.role, MessageRole) else str(message.role)
        if role in {"function", "chatbot", "model"}:
            role = "tool" if role == "function" else "assistant"
        wire: dict[str, Any] = {"role": role, "content": _content(message)}
        if role == "assistant":
            calls = _tool_calls(message)
            if calls:
                wire["tool_calls"] = calls
        elif role == "tool":
            wire["tool_call_id"] = message.additional_kwargs.get("tool_call_id", "")
            wire["content"] = wire["content"] or ""
        elif wire["content"] is None:
            wire["content"] = ""
        out.append(wire)
    return out


def usage_kwargs(usage: Usage | None) -> dict[str, int]:
    """Token usage as LlamaIndex's ``additional_kwargs`` keys."""
    if usage is None:
        return {}
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens}  # fmt: skip


# Minimal valid arguments of each class (``built`` learns the defaults from them once). The values given are strings,
# plain dicts and lists, and an assistant role: LlamaIndex's validators (the legacy ``images`` key of
# additional_kwargs) have nothing to change, so the objects are built without validating them again.
_TEXT: dict[str, Any] = {"text": ""}
_THINKING: dict[str, Any] = {"content": ""}
_NOTHING: dict[str, Any] = {}
_RESPONSE: dict[str, Any] = {"message": ChatMessage()}


def _message(content: str | None, reasoning: str | None, tool_calls: list[dict[str, Any]]) -> ChatMessage:
    blocks: list[Any] = []
    if reasoning:
        blocks.append(built(ThinkingBlock, _THINKING, content=reasoning))
    blocks.append(built(TextBlock, _TEXT, text=content or ""))
    kwargs: dict[str, Any] = {"tool_calls": tool_calls} if tool_calls else {}
    return built(ChatMessage, _NOTHING, role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)


def _response(message: ChatMessage, raw: LazyRaw, extra: dict[str, Any], delta: str | None = None) -> ChatResponse:
    if delta is None:
        return built(ChatResponse, _RESPONSE, message=message, raw=raw, additional_kwargs=extra)
    return built(ChatResponse, _RESPONSE, message=message, delta=delta, raw=raw, additional_kwargs=extra)


def _priced(extra: dict[str, Any], provider: str, cost: dict[str, str] | None) -> dict[str, Any] | None:
    # The core's price of the call (see neocloud.core.pricing) is no wire field: it goes into the kwargs, and
    # into raw as the extra key returned here.
    extra["model_provider"] = provider
    if cost is None:
        return None
    extra["cost"] = cost
    return {"cost": cost}


def _call_dict(call: ToolCall) -> dict[str, Any]:
    """A tool call as the JSON dict LlamaIndex keeps (``None`` fields left out), built without a dump."""
    function = call.function
    if call.model_extra or function.model_extra:  # provider fields we do not model: let pydantic write them
        dumped: dict[str, Any] = call.model_dump(mode="json", exclude_none=True)
        return dumped
    out: dict[str, Any] = {} if call.id is None else {"id": call.id}
    out["type"] = call.type
    out["function"] = {k: v for k, v in (("name", function.name), ("arguments", function.arguments)) if v is not None}
    if call.index is not None:
        out["index"] = call.index
    return out


def to_chat_response(completion: ChatCompletion, provider: str) -> ChatResponse:
    """A chat completion → ``ChatResponse`` (usage and cost in ``raw`` and ``additional_kwargs``; ``raw`` is
    dumped from the wire model when first read)."""
    choice = completion.choices[0]
    calls = [_call_dict(c) for c in choice.message.tool_calls or ()]
    extra: dict[str, Any] = {**usage_kwargs(completion.usage), "finish_reason": choice.finish_reason}
    raw = LazyRaw(completion, _priced(extra, provider, completion.cost))
    return _response(_message(choice.message.content, choice.message.reasoning, calls), raw, extra)


class StreamAccumulator:
    """Builds the growing ``ChatResponse`` of a stream: text, reasoning, tool-call fragments, usage, cost."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.cost: dict[str, str] | None = None
        self.text = ""
        self.reasoning = ""
        self.calls: dict[int, dict[str, Any]] = {}
        self.usage: dict[str, int] = {}
        self.finish_reason: str | None = None

    def add(self, chunk: ChatCompletionChunk) -> ChatResponse | None:
        if chunk.usage is not None:
            self.usage = usage_kwargs(chunk.usage)
            self.cost = chunk.cost or self.cost
        delta_text = ""
        if chunk.choices:
            choice = chunk.choices[0]
            delta = choice.delta
            delta_text = delta.content or ""
            self.text += delta_text
            self.reasoning += delta.reasoning or ""
            for fragment in delta.tool_calls or []:
                call = self.calls.setdefault(
                    fragment.index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
                )
                if fragment.id:
                    call["id"] = fragment.id
                if fragment.function is not None:
                    call["function"]["name"] += fragment.function.name or ""
                    call["function"]["arguments"] += fragment.function.arguments or ""
            self.finish_reason = choice.finish_reason or self.finish_reason
        elif chunk.usage is None:
            return None
        extra: dict[str, Any] = dict(self.usage)
        if self.finish_reason:
            extra["finish_reason"] = self.finish_reason
        message = _message(self.text, self.reasoning or None, [self.calls[i] for i in sorted(self.calls)])
        return _response(message, LazyRaw(chunk, _priced(extra, self.provider, self.cost)), extra, delta_text)


def tool_selections(response: ChatResponse, error_on_no_tool_call: bool) -> list[ToolSelection]:
    """The tool calls of a (possibly streamed) response as ``ToolSelection`` objects."""
    calls = response.message.additional_kwargs.get("tool_calls") or []
    if not calls and error_on_no_tool_call:
        reason = response.additional_kwargs.get("finish_reason")
        raise ValueError(f"expected at least one tool call, got none (finish reason: {reason})")
    selections = []
    for call in calls:
        function = call.get("function") or {}
        raw = function.get("arguments") or "{}"
        try:
            args = json.loads(raw)
        except ValueError:
            args = {}
        selections.append(ToolSelection(tool_id=call.get("id") or "", tool_name=function.get("name") or "",
                                        tool_kwargs=args if isinstance(args, dict) else {}))  # fmt: skip
    return selections
