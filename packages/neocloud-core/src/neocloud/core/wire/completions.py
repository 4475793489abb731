"""OpenAI-compatible text completions."""

from __future__ import annotations

from typing import Any, Union

from pydantic import ConfigDict, Field

from ._base import PricedModel, RequestModel, WireModel
from .chat import Usage

__all__ = ["Completion", "CompletionChoice", "CompletionRequest"]


class CompletionRequest(RequestModel):
    """The OpenAI-compatible text-completion request."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    prompt: Union[str, list[str], list[int], list[list[int]]]
    max_tokens: int | None = Field(default=None, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    echo: bool | None = None
    best_of: int | None = Field(default=None, ge=1)
    logprobs: int | None = Field(default=None, ge=0, le=20)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = None
    suffix: str | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    user: str | None = None


class CompletionChoice(WireModel):
    """One alternative of a text completion (also the shape of a streamed frame's choice)."""

    index: int = 0
    text: str | None = None
    finish_reason: str | None = None
    logprobs: Any = None


class Completion(PricedModel):
    """A text completion (``object: "text_completion"``); stream frames have the same shape."""

    id: str = ""
    object: str = "text_completion"
    created: int = 0
    model: str = ""
    choices: list[CompletionChoice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
