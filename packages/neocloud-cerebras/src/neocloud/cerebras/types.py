"""Cerebras wire models: the OpenAI-compatible core models plus what Cerebras adds (``time_info``,
reasoning controls, predicted outputs, service tiers)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from neocloud.core.wire import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    WireModel,
)

__all__ = [
    "CerebrasChatRequest",
    "CerebrasCompletionRequest",
    "ChatChunkResponse",
    "ChatCompletionResponse",
    "CompletionResponse",
    "TimeInfo",
]


class TimeInfo(WireModel):
    """Server-side timing of one call, in seconds."""

    queue_time: float | None = None
    prompt_time: float | None = None
    completion_time: float | None = None
    total_time: float | None = None
    created: float | None = None


class ChatCompletionResponse(ChatCompletion):
    """A Cerebras chat completion: OpenAI's shape plus ``time_info``."""

    time_info: TimeInfo | None = None


class ChatChunkResponse(ChatCompletionChunk):
    """A Cerebras stream chunk; the final one carries ``usage`` and ``time_info``."""

    time_info: TimeInfo | None = None


class CompletionResponse(Completion):
    """A Cerebras text completion (and stream frame)."""

    time_info: TimeInfo | None = None


class CerebrasChatRequest(ChatCompletionRequest):
    """The chat request Cerebras documents; unknown arguments are refused (use ``extra_body``)."""

    model_config = ConfigDict(extra="forbid")

    min_completion_tokens: int | None = Field(default=None, ge=-1)
    min_tokens: int | None = Field(default=None, ge=-1)
    reasoning_effort: Literal["none", "low", "medium", "high"] | None = None
    reasoning_format: Literal["none", "parsed", "text_parsed", "raw", "hidden"] | None = None
    disable_reasoning: bool | None = None
    clear_thinking: bool | None = None
    prediction: dict[str, Any] | None = None
    prompt_cache_key: str | None = None
    service_tier: Literal["auto", "default", "flex", "priority"] | None = None
    model_parameters: dict[str, Any] | None = None


class CerebrasCompletionRequest(CompletionRequest):
    """The text-completion request Cerebras documents; unknown arguments are refused."""

    model_config = ConfigDict(extra="forbid")

    min_tokens: int | None = Field(default=None, ge=-1)
    grammar_root: str | None = None
    prompt_cache_key: str | None = None
    reasoning_format: Literal["none", "parsed", "text_parsed", "raw", "hidden"] | None = None
    return_raw_tokens: bool | None = None
