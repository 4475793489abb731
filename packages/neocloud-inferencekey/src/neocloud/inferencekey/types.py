"""InferenceKey's documented value types, and the wire shape of a workload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neocloud.core.wire import WireModel

from .enums import Backend, ExecutionPolicy, TaskType

__all__ = [
    "EmbedResult",
    "EndpointRef",
    "ReadinessEvent",
    "RerankResult",
    "TextChunk",
    "TextResult",
    "Workload",
    "WorkloadSpec",
]


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") else v


@dataclass
class WorkloadSpec:
    """The declarative workload handed to ``ensure`` (``name``, ``slug``, ``model``, ``backend`` required)."""

    name: str
    slug: str
    model: str
    backend: Backend | str
    project: str | None = None
    description: str | None = None
    command: str | None = None
    vllm_version: str | None = None
    task_type: TaskType | str | None = None
    config: dict[str, Any] | None = None
    execution_policy: ExecutionPolicy | str | None = None
    execution_policy_config: dict[str, Any] | None = None
    worker_id: str | None = None
    gpu_resource_id: str | None = None

    def desired(self) -> dict[str, Any]:
        """The wire fields this spec sets (``model`` → ``model_name``; ``config`` see ``wire_config``)."""
        fields: dict[str, Any] = {
            "name": self.name,
            "model_name": self.model,
            "backend": _value(self.backend),
            "description": self.description,
            "config": self.wire_config(),
            "execution_policy": _value(self.execution_policy),
            "execution_policy_config": self.execution_policy_config,
            "worker_id": self.worker_id,
            "gpu_resource_id": self.gpu_resource_id,
        }
        return {k: v for k, v in fields.items() if v is not None}

    def wire_config(self) -> dict[str, Any] | None:
        """The workload's ``config``: the spec's own ``config`` (backend-specific settings) with ``command`` and
        ``vllm_version`` added when set; ``None`` when none of them is. (The platform's SDK sends only
        ``command``/``vllm_version`` and drops ``config``: we send what the spec says.)"""
        config = {**(self.config or {})}
        if self.command:
            config["command"] = self.command
        if self.vllm_version:
            config["vllm_version"] = self.vllm_version
        return config if config or self.config is not None else None

    def create_body(self) -> dict[str, Any]:
        """The ``POST`` body: the desired fields plus ``slug`` and ``task_type`` (default ``text2text``)."""
        return {**self.desired(), "slug": self.slug, "task_type": _value(self.task_type) or TaskType.TEXT2TEXT.value}


@dataclass(frozen=True)
class EndpointRef:
    """The slugs addressing a workload's data-plane endpoint (returned by ``ensure``)."""

    project_slug: str
    workload_slug: str


@dataclass(frozen=True)
class TextResult:
    """A non-streaming completion."""

    text: str
    model: str
    finish_reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextChunk:
    """One streamed event: ``text`` is the delta; ``finish_reason`` only on the terminal chunk."""

    text: str
    finish_reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadinessEvent:
    """One progress update while a workload comes up."""

    phase: str
    message: str
    elapsed_ms: int = 0
    step: str | None = None


@dataclass(frozen=True)
class EmbedResult:
    """One vector per input, in order."""

    embeddings: list[list[float]]
    model: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RerankItem:
    """One scored document of a rerank result (``index`` into the documents sent)."""

    index: int
    relevance_score: float


@dataclass(frozen=True)
class RerankResult:
    """Documents ranked best-first, as the server ordered them."""

    results: list[RerankItem]
    model: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class Workload(WireModel):
    """A workload as the control plane returns it."""

    id: str
    project_id: str
    name: str
    slug: str
    task_type: TaskType
    backend: str
    model_name: str
    created_at: str
    updated_at: str
    description: str | None = None
    config: Any = None
    execution_policy: ExecutionPolicy | None = None
    execution_policy_config: Any = None
    worker_id: str | None = None
    gpu_resource_id: str | None = None
