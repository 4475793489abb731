"""MetalCloud as a ``ChatBackend``: OpenAI-shaped chat bodies in, MetalCloud inference on the wire.

MetalCloud's API has no tools, no structured output and text-only messages, so those fields are
refused with a clear error instead of being silently dropped (the spec declares no such capability, so
the framework adapters never send them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from neocloud.core.wire import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    Choice,
    ChoiceDelta,
    ChunkChoice,
)

from .exceptions import LocalBadRequestError
from .types import InferenceChunk, InferenceResponse

__all__ = ["MetalCloudAsyncChatBackend", "MetalCloudChatBackend", "inference_kwargs"]

_UNSUPPORTED = ("tools", "tool_choice", "response_format", "n", "logprobs", "seed")
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


def inference_kwargs(body: Mapping[str, Any]) -> dict[str, Any]:
    """Translate an OpenAI chat body into ``inference`` keyword arguments (pure)."""
    for key in _UNSUPPORTED:
        if body.get(key) is not None:
            raise LocalBadRequestError(f"MetalCloud does not support {key!r}", param=key)
    messages = []
    for message in body["messages"]:
        role = _ROLES.get(message.get("role", ""))
        if role is None:
            raise LocalBadRequestError(
                f"MetalCloud accepts system, user and assistant messages, not {message.get('role')!r}", param="messages"
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


def to_completion(reply: InferenceResponse) -> ChatCompletion:
    """MetalCloud's inference result as a chat completion."""
    return ChatCompletion(
        id=reply.id,
        created=reply.created,
        model=reply.model,
        choices=[Choice(message=ChatCompletionMessage(content=reply.text), finish_reason=reply.finish_reason)],
        usage=reply.usage,
    )


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


class MetalCloudChatBackend:
    """``ChatBackend`` over ``neocloud.metalcloud.Client``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        return to_completion(self.client.inference(**inference_kwargs(body)))

    def stream_chat(self, body: Mapping[str, Any]) -> Iterator[ChatCompletionChunk]:
        stream = self.client.inference(**inference_kwargs(body), stream=True)
        for index, chunk in enumerate(stream):
            yield to_chunk(chunk, index == 0)

    def close(self) -> None:
        self.client.close()


class MetalCloudAsyncChatBackend:
    """``AsyncChatBackend`` over ``neocloud.metalcloud.AsyncClient``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        return to_completion(await self.client.inference(**inference_kwargs(body)))

    async def stream_chat(self, body: Mapping[str, Any]) -> AsyncIterator[ChatCompletionChunk]:
        stream = await self.client.inference(**inference_kwargs(body), stream=True)
        return _astream(stream)


async def _astream(stream: Any) -> AsyncIterator[ChatCompletionChunk]:
    index = 0
    async for chunk in stream:
        yield to_chunk(chunk, index == 0)
        index += 1
