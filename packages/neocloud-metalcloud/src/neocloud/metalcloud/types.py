"""MetalCloud wire models (MetalCloud's own inference shape, models and jobs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from neocloud.core.wire import RequestModel, Usage, WireModel

__all__ = [
    "InferenceChunk",
    "InferenceRequest",
    "InferenceResponse",
    "Job",
    "JobError",
    "JobList",
    "JobResult",
    "JobStatus",
    "Model",
]

JobStatus = Literal["pending", "running", "completed", "failed"]


class _Message(RequestModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: str


class InferenceRequest(RequestModel):
    """``POST /v1/inference``: exactly one of ``prompt`` and ``messages``."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    prompt: str | None = None
    messages: list[_Message] | None = None
    max_tokens: int | None = Field(default=None, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    stream: bool | None = None
    stop: list[str] | None = None

    @model_validator(mode="after")
    def _prompt_xor_messages(self) -> InferenceRequest:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("prompt: pass exactly one of prompt= or messages=")
        if self.messages is not None and not self.messages:
            raise ValueError("messages: must not be empty")
        return self


class InferenceResponse(WireModel):
    """The result of ``inference``: ``text`` plus ``usage``; ``id`` is the job id (``job_…``)."""

    id: str = ""
    object: str = "inference"
    created: int = 0
    model: str = ""
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


class InferenceChunk(WireModel):
    """One streamed piece of an inference: ``text`` is the delta; the last one has ``usage``."""

    id: str = ""
    object: str = "inference.chunk"
    created: int = 0
    model: str = ""
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


class Model(WireModel):
    """A model: ``parameters`` is its size in billions of parameters."""

    id: str
    object: str = "model"
    parameters: int | float | None = None
    context_length: int | None = None
    owned_by: str | None = None
    created: int | None = None


class JobResult(WireModel):
    """A completed job's output."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


class JobError(WireModel):
    """Why a job failed."""

    message: str = ""
    code: str | None = None


class Job(WireModel):
    """A job: ``status`` is pending, running, completed or failed; ``result`` once completed."""

    id: str
    object: str = "job"
    status: JobStatus
    model: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    result: JobResult | None = None
    error: JobError | None = None


class JobList(WireModel):
    """A page of jobs, newest first; iterate it directly. ``has_more`` says whether older ones exist."""

    object: str = "list"
    data: list[Job] = Field(default_factory=list)
    has_more: bool = False

    def __iter__(self) -> Iterator[Job]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class ModelList(WireModel):
    """All models; iterate it directly."""

    object: str = "list"
    data: list[Model] = Field(default_factory=list)

    def __iter__(self) -> Iterator[Model]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
