"""MetalCloud as a ``ChatBackend``: OpenAI-shaped chat bodies in, MetalCloud inference on the wire.

MetalCloud's API takes text messages and returns text. Tools and structured output (``tools``, ``tool_choice``,
``parallel_tool_calls``, ``response_format``) are emulated by the prompt-and-parse protocol of
``neocloud.core.prompted``: the request's tools or schema become a system instruction, and the answer is parsed
strictly into tool calls or the JSON document (``ModelOutputError`` when it does not follow the protocol). Any
other field the API does not have is refused by name, never dropped.

With tools or a response format, a stream is read to its end and parsed there (a half-written JSON object
cannot be checked); it then yields the parsed answer as one chunk and a last chunk with the finish reason and
usage. Without them, text streams as it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from neocloud.core.shared_clients import aclose_stream, close_stream
from neocloud.core.wire import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    Choice,
    ChoiceDelta,
    ChunkChoice,
    ToolCall,
    Usage,
)

from .exceptions import LocalBadRequestError
from .types import InferenceChunk, InferenceResponse

if TYPE_CHECKING:  # the protocol loads with the first request, not with the provider
    from neocloud.core.prompted import Plan

__all__ = ["MetalCloudAsyncChatBackend", "MetalCloudChatBackend", "inference_kwargs"]

_UNSUPPORTED = ("n", "logprobs", "top_logprobs", "seed")
# The body fields this backend reads: the inference fields, the protocol's, and the streaming switches (MetalCloud
# always reports usage on its last frame, so ``stream_options`` needs nothing on the wire).
_ACCEPTED = {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream",
             "stream_options", "tools", "tool_choice", "parallel_tool_calls", "response_format"}  # fmt: skip
_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, Mapping) and part.get("type") == "text":
                parts.append(str(part.get("text", "")))
            else:
                raise LocalBadRequestError("MetalCloud accepts text messages only", param="messages")
        return "".join(parts)
    return "" if content is None else str(content)


def _check_fields(body: Mapping[str, Any]) -> None:
    for key in body:
        if key in _UNSUPPORTED and body[key] is not None:
            raise LocalBadRequestError(f"MetalCloud does not support {key!r}", param=key)
        if key not in _ACCEPTED and key not in _UNSUPPORTED:
            raise LocalBadRequestError(
                f"MetalCloud's inference API has no field {key!r}",
                param=key,
                allowed=", ".join(sorted(_ACCEPTED - {"stream", "stream_options"})),
            )


def inference_kwargs(body: Mapping[str, Any], plan: Plan | None = None) -> dict[str, Any]:
    """Translate an OpenAI chat body into ``inference`` keyword arguments (pure); ``plan`` is the body's
    prompted-protocol plan (``plan_from_body``), whose instruction joins the messages."""
    from neocloud.core.prompted import render_messages

    _check_fields(body)
    messages = []
    for message in render_messages(body["messages"], plan):
        role = _ROLES.get(message.get("role", ""))
        if role is None:
            raise LocalBadRequestError(
                f"MetalCloud accepts system, user, assistant and tool messages, not {message.get('role')!r}",
                param="messages",
            )
        messages.append({"role": role, "content": _text(message.get("content"))})
    stop = body.get("stop")
    return {
        "model": body["model"],
        "messages": messages,
        "max_tokens": body.get("max_tokens") or body.get("max_completion_tokens"),
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "stop": [stop] if isinstance(stop, str) else stop,
    }


def _message(text: str, finish: str | None, plan: Plan | None) -> tuple[ChatCompletionMessage, str | None]:
    if plan is None:
        return ChatCompletionMessage(content=text), finish
    from neocloud.core.prompted import parse_answer

    answer = parse_answer(text, plan)
    calls = [ToolCall.model_validate(c) for c in answer.tool_calls] or None
    return ChatCompletionMessage(content=answer.content, tool_calls=calls), ("tool_calls" if calls else finish)


def to_completion(reply: InferenceResponse, plan: Plan | None = None) -> ChatCompletion:
    """MetalCloud's inference result as a chat completion (parsed by the protocol when ``plan`` is given)."""
    message, finish = _message(reply.text, reply.finish_reason, plan)
    return ChatCompletion(id=reply.id, created=reply.created, model=reply.model,
                          choices=[Choice(message=message, finish_reason=finish)], usage=reply.usage)  # fmt: skip


def to_chunk(chunk: InferenceChunk, first: bool) -> ChatCompletionChunk:
    """One MetalCloud stream chunk as a chat completion chunk."""
    delta = ChoiceDelta(role="assistant" if first else None, content=chunk.text)
    return ChatCompletionChunk(
        id=chunk.id,
        created=chunk.created,
        model=chunk.model,
        choices=[ChunkChoice(delta=delta, finish_reason=chunk.finish_reason)],
        usage=chunk.usage,
    )


def _plan(body: Mapping[str, Any]) -> Plan | None:
    from neocloud.core.prompted import plan_from_body

    return plan_from_body(body)


class _Collected:
    """A stream read to its end, for the protocol: the text, the finish reason, usage and ids."""

    def __init__(self) -> None:
        self.text = ""
        self.finish: str | None = None
        self.usage: Usage | None = None
        self.head: InferenceChunk | None = None

    def add(self, chunk: InferenceChunk) -> None:
        self.text += chunk.text
        self.finish = chunk.finish_reason or self.finish
        self.usage = chunk.usage or self.usage
        self.head = self.head or chunk

    def chunks(self, plan: Plan) -> Iterable[ChatCompletionChunk]:
        message, finish = _message(self.text, self.finish, plan)
        calls = [{"index": i, **c.model_dump(exclude_none=True)} for i, c in enumerate(message.tool_calls or [])]
        first = self.head or InferenceChunk()
        head: dict[str, Any] = {"id": first.id, "created": first.created, "model": first.model}
        delta = ChoiceDelta.model_validate(
            {"role": "assistant", "content": message.content, "tool_calls": calls or None}
        )
        yield ChatCompletionChunk(**head, choices=[ChunkChoice(delta=delta)])
        end = ChunkChoice(delta=ChoiceDelta(), finish_reason=finish)
        yield ChatCompletionChunk(**head, choices=[end], usage=self.usage)


class MetalCloudChatBackend:
    """``ChatBackend`` over ``neocloud.metalcloud.Client``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        plan = _plan(body)
        return to_completion(self.client.inference(**inference_kwargs(body, plan)), plan)

    def stream_chat(self, body: Mapping[str, Any]) -> Iterator[ChatCompletionChunk]:
        plan = _plan(body)
        stream = self.client.inference(**inference_kwargs(body, plan), stream=True)
        try:
            if plan is None:
                for index, chunk in enumerate(stream):
                    yield to_chunk(chunk, index == 0)
                return
            collected = _Collected()
            for chunk in stream:
                collected.add(chunk)
        finally:
            close_stream(stream)  # also when the consumer stops early
        yield from collected.chunks(plan)

    def close(self) -> None:
        self.client.close()


class MetalCloudAsyncChatBackend:
    """``AsyncChatBackend`` over ``neocloud.metalcloud.AsyncClient``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        plan = _plan(body)
        return to_completion(await self.client.inference(**inference_kwargs(body, plan)), plan)

    async def stream_chat(self, body: Mapping[str, Any]) -> AsyncIterator[ChatCompletionChunk]:
        plan = _plan(body)
        stream = await self.client.inference(**inference_kwargs(body, plan), stream=True)
        return _astream(stream, plan)


async def _astream(stream: Any, plan: Plan | None) -> AsyncIterator[ChatCompletionChunk]:
    try:
        if plan is None:
            index = 0
            async for chunk in stream:
                yield to_chunk(chunk, index == 0)
                index += 1
            return
        collected = _Collected()
        async for chunk in stream:
            collected.add(chunk)
    finally:
        await aclose_stream(stream)
    for out in collected.chunks(plan):
        yield out
