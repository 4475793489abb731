"""InferenceKey's enums; each value is the exact wire string, so members and strings are interchangeable."""

from __future__ import annotations

from enum import Enum

__all__ = ["Backend", "ExecutionPolicy", "OnDrift", "TaskType"]


class Backend(str, Enum):
    """The inference engine of a workload."""

    OLLAMA = "ollama"
    VLLM = "vllm"
    VLLM_OMNI = "vllm-omni"
    SGLANG = "sglang"
    LLAMACPP = "llamacpp"


class TaskType(str, Enum):
    """The workload modality (server default ``text2text``)."""

    TEXT2TEXT = "text2text"
    EMBEDDING = "embedding"
    TEXT2IMAGE = "text2image"
    TEXT2VIDEO = "text2video"
    TEXT2AUDIO = "text2audio"
    IMAGE2IMAGE = "image2image"
    IMAGE2VIDEO = "image2video"
    AUDIO2TEXT = "audio2text"
    OMNI = "omni"
    RERANKER = "reranker"
    CLASSIFICATION = "classification"
    REWARD = "reward"
    FORECAST = "forecast"


class OnDrift(str, Enum):
    """What ``ensure`` does when the live workload differs from the spec."""

    RECONCILE = "reconcile"
    FAIL = "fail"
    DRY_RUN = "dry_run"
    WARN = "warn"
    IGNORE = "ignore"


class ExecutionPolicy(str, Enum):
    """How the platform schedules the workload."""

    FIXED = "fixed"
    SCHEDULED = "scheduled"
    AUTOSCALING = "autoscaling"
