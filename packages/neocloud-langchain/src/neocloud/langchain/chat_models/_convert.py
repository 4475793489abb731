"""Conversions between LangChain messages and the OpenAI-shaped wire models of the core (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from neocloud.core.built import built

if TYPE_CHECKING:  # (annotations only: the wire models load with the first request, not with this module)
    from neocloud.core.provider import ProviderSpec
    from neocloud.core.wire import ChatCompletion, ChatCompletionChunk, Usage

__all__ = ["to_chat_result", "to_generation_chunk", "to_wire_messages", "usage_metadata"]


def _content(content: str | list[Any]) -> str | list[dict[str, Any]]:
    """LangChain content → OpenAI content: strings stay strings; blocks become text / image_url parts."""
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
        elif block.get("type") == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        elif block.get("type") == "image_url":
            parts.append({"type": "image_url", "image_url": block["image_url"]})
        elif block.get("type") == "image":
            if block.get("url"):
                parts.append({"type": "image_url", "image_url": {"url": block["url"]}})
            elif block.get("base64"):
                mime = block.get("mime_type", "image/png")
                parts.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{block['base64']}"}})
        # Reasoning and provider-specific blocks are not sent back to the provider.
    if all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


def _text(content: str | list[Any]) -> str:
    converted = _content(content)
    if isinstance(converted, str):
        return converted
    return "".join(p.get("text", "") for p in converted if p["type"] == "text")


def to_wire_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """LangChain messages → OpenAI chat messages."""
    out: list[dict[str, Any]] = []
    for message in messages:
        wire: dict[str, Any]
        if isinstance(message, SystemMessage):
            wire = {"role": "system", "content": _text(message.content)}
        elif isinstance(message, HumanMessage):
            wire = {"role": "user", "content": _content(message.content)}
        elif isinstance(message, AIMessage):
            wire = {"role": "assistant", "content": _text(message.content) or None}
            if message.tool_calls:
                wire["tool_calls"] = [
                    {"id": tc["id"], "type": "function",
                     "function": {"name": tc["name"], "arguments": json.dumps(tc["args"])}}
                    for tc in message.tool_calls
                ]  # fmt: skip
        elif isinstance(message, ToolMessage):
            wire = {"role": "tool", "content": _text(message.content), "tool_call_id": message.tool_call_id}
        elif isinstance(message, ChatMessage):
            wire = {"role": message.role, "content": _content(message.content)}
        else:
            raise ValueError(f"unsupported message type {type(message).__name__}")
        if message.name and wire["role"] in {"system", "user", "assistant"}:
            wire["name"] = message.name
        out.append(wire)
    return out


def usage_metadata(usage: Usage) -> UsageMetadata:
    """Wire usage → LangChain ``UsageMetadata`` (cache reads and reasoning tokens when reported)."""
    result = UsageMetadata(
        input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens, total_tokens=usage.total_tokens
    )
    cached = usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else None
    if cached:
        result["input_token_details"] = InputTokenDetails(cache_read=cached)
    reasoning = usage.completion_tokens_details.reasoning_tokens if usage.completion_tokens_details else None
    if reasoning:
        result["output_token_details"] = OutputTokenDetails(reasoning=reasoning)
    return result


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if dump is not None else value


def _metadata(spec: ProviderSpec, source: Any) -> dict[str, Any]:
    """Provider extras (Cerebras ``time_info``) as plain JSON data, so metadata serialises."""
    return {f: _plain(getattr(source, f)) for f in spec.metadata_fields if getattr(source, f, None) is not None}


# Minimal valid arguments of each class LangChain builds (``built`` learns the defaults from them once).
_MESSAGE: dict[str, Any] = {"content": ""}
_GENERATION: dict[str, Any] = {"message": AIMessage(content="")}
_GENERATION_CHUNK: dict[str, Any] = {"message": AIMessageChunk(content="")}
_RESULT: dict[str, Any] = {"generations": []}


def _generation(cls: type[Any], example: dict[str, Any], message: Any, info: dict[str, Any] | None) -> Any:
    # What ChatGeneration's own validator does for text content: ``text`` is the message's text.
    fields: dict[str, Any] = {"message": message, "text": message.text}
    if info is not None:
        fields["generation_info"] = info
    return built(cls, example, **fields)


def to_chat_result(completion: ChatCompletion, spec: ProviderSpec) -> ChatResult:
    """A chat completion → ``ChatResult`` (tool calls parsed, reasoning as a standard block)."""
    generations = []
    cost = completion.cost  # the core's price of the call (see neocloud.core.pricing)
    for choice in completion.choices:
        msg = choice.message
        # Only the fields the answer has are given (as LangChain's own defaults would leave the rest).
        fields: dict[str, Any] = {"content": msg.content or ""}
        if msg.tool_calls:
            tool_calls, invalid = [], []
            for call in msg.tool_calls:
                raw = call.function.arguments or "{}"
                try:
                    args = json.loads(raw)
                    if not isinstance(args, dict):
                        raise ValueError("arguments are not an object")
                    tool_calls.append(tool_call(name=call.function.name or "", args=args, id=call.id))
                except ValueError as exc:
                    invalid.append(invalid_tool_call(name=call.function.name, args=raw, id=call.id, error=str(exc)))
            if tool_calls:
                fields["tool_calls"] = tool_calls
            if invalid:
                fields["invalid_tool_calls"] = invalid
        if msg.reasoning:
            # The key core's content_blocks turns into a standard {"type": "reasoning"} block.
            fields["additional_kwargs"] = {"reasoning_content": msg.reasoning}
        metadata = {
            "model_name": completion.model,
            "model_provider": spec.name,
            "finish_reason": choice.finish_reason,
            "system_fingerprint": completion.system_fingerprint,
            "id": completion.id,
            **_metadata(spec, completion),
        }
        if cost is not None:
            metadata["cost"] = cost
        if completion.usage:
            fields["usage_metadata"] = usage_metadata(completion.usage)
        fields["response_metadata"] = metadata
        if completion.id:
            fields["id"] = completion.id
        # Tool calls go through LangChain's validators, which normalise them; a text answer needs none.
        tools = "tool_calls" in fields or "invalid_tool_calls" in fields
        message = AIMessage(**fields) if tools else built(AIMessage, _MESSAGE, **fields)
        generations.append(_generation(ChatGeneration, _GENERATION, message, {"finish_reason": choice.finish_reason}))
    llm_output: dict[str, Any] = {"model_name": completion.model, "system_fingerprint": completion.system_fingerprint}
    if cost is not None:
        # UsageMetadata has no cost keys, so a tracer (LangSmith's) finds the price in the run's llm_output too.
        llm_output["cost"] = cost
    return built(ChatResult, _RESULT, generations=generations, llm_output=llm_output)


def _chunk(content: str, metadata: dict[str, Any], chunk_id: str, fields: dict[str, Any],
           info: dict[str, Any] | None = None) -> ChatGenerationChunk:  # fmt: skip
    if chunk_id:
        fields["id"] = chunk_id
    if "tool_call_chunks" in fields:  # LangChain's validator parses the fragments into tool_calls
        message = AIMessageChunk(content=content, response_metadata=metadata, **fields)
    else:
        message = built(AIMessageChunk, _MESSAGE, content=content, response_metadata=metadata, **fields)
    generation: ChatGenerationChunk = _generation(ChatGenerationChunk, _GENERATION_CHUNK, message, info)
    return generation


def to_generation_chunk(chunk: ChatCompletionChunk, spec: ProviderSpec) -> ChatGenerationChunk | None:
    """One stream chunk → ``ChatGenerationChunk`` (``None`` for chunks that carry nothing)."""
    usage = usage_metadata(chunk.usage) if chunk.usage else None
    metadata: dict[str, Any] = {"model_provider": spec.name}
    cost = chunk.cost if usage is not None else None
    if cost is not None:
        metadata["cost"] = cost  # on the one chunk with usage, so the merged message has it once
    if not chunk.choices:
        if usage is None:
            return None
        # No model_name here: the finish chunk carried it, and LangChain concatenates repeated strings on merge.
        return _chunk("", metadata, chunk.id, {"usage_metadata": usage})
    choice = chunk.choices[0]
    delta = choice.delta
    # Only the fields a chunk actually carries are given, as LangChain's defaults would leave the rest.
    fields: dict[str, Any] = {}
    if delta.tool_calls:
        fields["tool_call_chunks"] = [
            tool_call_chunk(
                name=tc.function.name if tc.function else None,
                args=tc.function.arguments if tc.function else None,
                id=tc.id,
                index=tc.index,
            )
            for tc in delta.tool_calls
        ]
    if delta.reasoning:
        fields["additional_kwargs"] = {"reasoning_content": delta.reasoning}
    if usage is not None:
        fields["usage_metadata"] = usage
    if choice.finish_reason:
        metadata.update(
            finish_reason=choice.finish_reason,
            model_name=chunk.model,
            system_fingerprint=chunk.system_fingerprint,
            **_metadata(spec, chunk),
        )
        return _chunk(delta.content or "", metadata, chunk.id, fields, {"finish_reason": choice.finish_reason})
    if usage is not None:
        metadata["model_name"] = chunk.model
    return _chunk(delta.content or "", metadata, chunk.id, fields)
