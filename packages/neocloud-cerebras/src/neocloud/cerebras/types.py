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
    "ChatCompletionParser",
    "ChatCompletionResponse",
    "CompletionResponse",
    "StreamOptions",
    "TimeInfo",
]


class TimeInfo(WireModel):
    """Server-side timing of one call, in seconds."""

    queue_time: float | None = None
    prompt_time: float | None = None
    completion_time: float | None = None
    total_time: float | None = None
    created: float | None = None


class StreamOptions(WireModel):
    """The ``stream_options`` a chat completion was requested with (``include_usage``)."""

    include_usage: bool | None = None


class ChatCompletionResponse(ChatCompletion):
    """A Cerebras chat completion: OpenAI's shape plus ``time_info``.

    ``stream_options`` is the request's own value (the SDK README's nested-params example prints it); the server
    does not send it, so it is not in ``model_fields_set`` / ``to_dict()``. ``None`` when the call set none.
    """

    time_info: TimeInfo | None = None
    stream_options: StreamOptions | None = None


class ChatCompletionParser:
    """Reads a chat completion and records on it the ``stream_options`` the request carried."""

    __name__ = "ChatCompletionResponse"  # named in a "not a valid ..." error, as the model itself would be

    def __init__(self, stream_options: Any) -> None:
        self._options = StreamOptions.model_validate(stream_options) if stream_options is not None else None

    def model_validate_json(self, content: str | bytes) -> ChatCompletionResponse:
        response = ChatCompletionResponse.model_validate_json(content)
        if response.stream_options is None and self._options is not None:
            # Into __dict__, not through the setter: the field stays out of model_fields_set (the server's fields).
            response.__dict__["stream_options"] = self._options
        return response


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
