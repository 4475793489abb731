"""Cerebras resources: the core's OpenAI-compatible resources with Cerebras' paths and wire models."""

from __future__ import annotations

from typing import Any

from neocloud.core._client import AsyncAPIResource, SyncAPIResource
from neocloud.core.openai_compat import (
    AsyncChatCompletions,
    AsyncCompletions,
    AsyncModels,
    ChatCompletions,
    Completions,
    Models,
)

from .types import (
    CerebrasChatRequest,
    CerebrasCompletionRequest,
    ChatChunkResponse,
    ChatCompletionParser,
    ChatCompletionResponse,
    CompletionResponse,
)

__all__ = ["AsyncCerebrasModels", "AsyncChat", "CerebrasModels", "Chat"]


def _parser(body: Any) -> Any:
    """A completion carries the request's ``stream_options`` (what the SDK README's nested-params example prints)."""
    options = body.get("stream_options") if isinstance(body, dict) else None
    return ChatCompletionParser(options) if options is not None else ChatCompletionResponse


class CerebrasChatCompletions(ChatCompletions[ChatCompletionResponse, ChatChunkResponse]):
    """``client.chat.completions`` (``POST /v1/chat/completions``)."""

    request_model = CerebrasChatRequest
    response_model = ChatCompletionResponse
    chunk_model = ChatChunkResponse

    def _parser(self, body: Any) -> Any:
        return _parser(body)


class AsyncCerebrasChatCompletions(AsyncChatCompletions[ChatCompletionResponse, ChatChunkResponse]):
    """``client.chat.completions`` of ``AsyncCerebras``."""

    request_model = CerebrasChatRequest
    response_model = ChatCompletionResponse
    chunk_model = ChatChunkResponse

    def _parser(self, body: Any) -> Any:
        return _parser(body)


class Chat(SyncAPIResource):
    """``client.chat``."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions = CerebrasChatCompletions(client)


class AsyncChat(AsyncAPIResource):
    """``client.chat`` of ``AsyncCerebras``."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions = AsyncCerebrasChatCompletions(client)


class CerebrasCompletions(Completions[CompletionResponse]):
    """``client.completions`` (``POST /v1/completions``)."""

    request_model = CerebrasCompletionRequest
    response_model = CompletionResponse


class AsyncCerebrasCompletions(AsyncCompletions[CompletionResponse]):
    """``client.completions`` of ``AsyncCerebras``."""

    request_model = CerebrasCompletionRequest
    response_model = CompletionResponse


class CerebrasModels(Models):
    """``client.models``: ``list(format=...)``, ``retrieve(model_id, format=...)``.

    ``format`` is ``default`` | ``openrouter`` | ``huggingface``; provider-specific fields (pricing,
    context length, capabilities) are kept on each model as extra attributes.
    """


class AsyncCerebrasModels(AsyncModels):
    """``client.models`` of ``AsyncCerebras``."""
