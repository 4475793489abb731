"""OpenAI-compatible chat completions: request validation models, responses and stream chunks."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import ConfigDict, Field, field_validator

from ._base import PricedModel, RequestModel, WireModel

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionRequest",
    "ChatMessageParam",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChunkChoice",
    "CompletionTokensDetails",
    "FunctionCall",
    "PromptTokensDetails",
    "ToolCall",
    "Usage",
]

# ---------------------------------------------------------------------------------------------------------
# Request side (validated strictly, see RequestModel; what is sent is the validated request)
# ---------------------------------------------------------------------------------------------------------


class _TextPart(RequestModel):
    type: Literal["text"]
    text: str


class _ImageURL(RequestModel):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class _ImagePart(RequestModel):
    type: Literal["image_url"]
    image_url: _ImageURL


class _OtherPart(RequestModel):
    type: Literal["image", "input_audio", "file"]


ContentPart = Annotated[Union[_TextPart, _ImagePart, _OtherPart], Field(discriminator="type")]
Content = Union[str, list[ContentPart]]


class _FunctionCallParam(RequestModel):
    name: str = Field(min_length=1)
    arguments: str


class _ToolCallParam(RequestModel):
    id: str
    type: Literal["function"] = "function"
    function: _FunctionCallParam


class _SystemMessage(RequestModel):
    role: Literal["system", "developer"]
    content: Content
    name: str | None = None


class _UserMessage(RequestModel):
    role: Literal["user"]
    content: Content
    name: str | None = None


class _AssistantMessage(RequestModel):
    role: Literal["assistant"]
    content: Content | None = None
    name: str | None = None
    tool_calls: list[_ToolCallParam] | None = None
    reasoning: Any = None


class _ToolMessage(RequestModel):
    role: Literal["tool"]
    content: Content
    tool_call_id: str = Field(min_length=1)


ChatMessageParam = Annotated[
    Union[_SystemMessage, _UserMessage, _AssistantMessage, _ToolMessage], Field(discriminator="role")
]


class _FunctionDef(RequestModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_.\-]+$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class _ToolParam(RequestModel):
    type: Literal["function"]
    function: _FunctionDef


class _NamedFunction(RequestModel):
    name: str


class _NamedToolChoice(RequestModel):
    type: Literal["function"]
    function: _NamedFunction


class _TextFormat(RequestModel):
    type: Literal["text"]


class _JSONObjectFormat(RequestModel):
    type: Literal["json_object"]


class _JSONSchemaSpec(RequestModel):
    name: str = Field(min_length=1)
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class _JSONSchemaFormat(RequestModel):
    type: Literal["json_schema"]
    json_schema: _JSONSchemaSpec


ResponseFormat = Annotated[Union[_TextFormat, _JSONObjectFormat, _JSONSchemaFormat], Field(discriminator="type")]


class _StreamOptions(RequestModel):
    include_usage: bool | None = None


class ChatCompletionRequest(RequestModel):
    """The OpenAI-compatible chat request; providers subclass it for their own fields and limits."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    messages: list[ChatMessageParam] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, gt=0)
    max_completion_tokens: int | None = Field(default=None, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    tools: list[_ToolParam] | None = None
    tool_choice: Literal["none", "auto", "required"] | _NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    stream: bool | None = None
    stream_options: _StreamOptions | None = None
    user: str | None = None

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences")
        return value


# ---------------------------------------------------------------------------------------------------------
# Response side
# ---------------------------------------------------------------------------------------------------------


class FunctionCall(WireModel):
    """The function a tool call invokes; ``arguments`` is a JSON string (possibly partial in a stream)."""

    name: str | None = None
    arguments: str | None = None


class ToolCall(WireModel):
    """A tool call in a complete assistant message."""

    id: str | None = None
    type: str = "function"
    function: FunctionCall = Field(default_factory=FunctionCall)
    index: int | None = None


class ChatCompletionMessage(WireModel):
    """The assistant's message; ``reasoning`` carries reasoning text where the provider returns it."""

    role: str = "assistant"
    content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None


class Choice(WireModel):
    """One alternative of a chat completion."""

    index: int = 0
    message: ChatCompletionMessage = Field(default_factory=ChatCompletionMessage)
    finish_reason: str | None = None
    logprobs: Any = None


class PromptTokensDetails(WireModel):
    """Breakdown of prompt tokens."""

    cached_tokens: int | None = None


class CompletionTokensDetails(WireModel):
    """Breakdown of completion tokens."""

    reasoning_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class Usage(WireModel):
    """Token usage of one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class ChatCompletion(PricedModel):
    """A chat completion (``object: "chat.completion"``)."""

    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[Choice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None


class ChoiceDeltaFunction(WireModel):
    """A fragment of a streamed function call."""

    name: str | None = None
    arguments: str | None = None


class ChoiceDeltaToolCall(WireModel):
    """A fragment of a streamed tool call; fragments with the same ``index`` belong together."""

    index: int = 0
    id: str | None = None
    type: str | None = None
    function: ChoiceDeltaFunction | None = None


class ChoiceDelta(WireModel):
    """What one stream chunk adds to the message."""

    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None


class ChunkChoice(WireModel):
    """One alternative in a stream chunk."""

    index: int = 0
    delta: ChoiceDelta = Field(default_factory=ChoiceDelta)
    finish_reason: str | None = None
    logprobs: Any = None


class ChatCompletionChunk(PricedModel):
    """A stream chunk (``object: "chat.completion.chunk"``); the last one may carry ``usage``."""

    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
