"""Runcrate wire models: the control plane's resources (snake_case, with the camelCase fields Runcrate
uses for balances, SSH keys and volumes) and the inference host's media results."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, Field

from neocloud.core.wire import WireModel

__all__ = [
    "Balance",
    "ImageData",
    "ImageResponse",
    "Instance",
    "InstanceStatus",
    "InstanceType",
    "Page",
    "Region",
    "SSHKey",
    "StorageDeleteResult",
    "StorageVolume",
    "Template",
    "Transaction",
    "Transcription",
    "UsageSummary",
    "VideoJob",
]

_T = TypeVar("_T")


class Page(WireModel, Generic[_T]):
    """A list answer: iterate it; ``has_more`` / ``total`` / ``cursor`` come from the envelope's ``meta``."""

    data: list[_T] = Field(default_factory=list)
    has_more: bool = False
    total: int | None = None
    cursor: str | None = None

    def __iter__(self) -> Iterator[_T]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> _T:
        return self.data[index]


def _alias(snake: str, camel: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(snake, camel))


class Instance(WireModel):
    """A GPU instance (``status``: pending → starting → running → terminating → terminated)."""

    id: str
    name: str
    status: str
    gpu_type: str | None = None
    gpu_count: int | None = None
    cpu_cores: int | None = None
    memory: int | None = None
    storage: int | None = None
    region: str | None = None
    ip: str | None = None
    os_image: str | None = None
    cost_per_hour: float | None = None
    deployed_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    max_runtime_minutes: int | None = None
    idle_shutdown_minutes: int | None = None
    auto_stop_at: str | None = None
    stop_reason: str | None = None


class InstanceStatus(WireModel):
    """``get_status``: what to poll."""

    id: str
    status: str
    ip: str | None = None


class InstanceType(WireModel):
    """A launchable GPU configuration and its price."""

    id: str
    gpu_type: str
    gpu_count: int
    cpu_cores: int
    memory_gb: float
    storage_gb: float
    region: str
    hourly_rate: float
    deployment_type: str | None = None


class SSHKey(WireModel):
    """An SSH public key of the workspace."""

    id: str
    name: str
    fingerprint: str | None = None
    type: str | None = None
    created_at: str | None = _alias("created_at", "createdAt")
    last_used: str | None = _alias("last_used", "lastUsed")


class Region(WireModel):
    """A storage region."""

    id: str
    name: str
    provider: str | None = None


class StorageVolume(WireModel):
    """A storage volume (environment-scoped; $0.03 per GB-month, charged weekly in advance)."""

    id: str
    name: str
    size_gb: int | None = _alias("size_gb", "sizeGb")
    provider_type: str | None = _alias("provider_type", "providerType")
    region: str | None = None
    status: str | None = None
    created_at: str | None = _alias("created_at", "createdAt")
    updated_at: str | None = _alias("updated_at", "updatedAt")


class StorageDeleteResult(WireModel):
    """What deleting a volume returned (``refund_amount`` in USD)."""

    message: str = ""
    refund_amount: float | None = None


class Balance(WireModel):
    """Credits: ``credits_balance`` and what running resources cost now (``active_usage_cost``)."""

    credits_balance: float = Field(validation_alias=AliasChoices("creditsBalance", "credits_balance"))
    active_usage_cost: float = Field(validation_alias=AliasChoices("activeUsageCost", "active_usage_cost"))
    floating_balance_usd: float | None = None
    burn_usd_per_hour: float | None = None
    runway_hours: float | None = None


class Transaction(WireModel):
    """One billing transaction (``amount`` negative for charges)."""

    id: str
    type: str | None = None
    amount: float | None = None
    description: str | None = None
    created_at: str | None = None


class UsageSummary(WireModel):
    """Inference usage over a date range."""

    total_requests: int | None = None
    total_prompt_tokens: int | None = None
    total_completion_tokens: int | None = None
    total_tokens: int | None = None
    total_cost: float | None = None


class Template(WireModel):
    """A launch template."""

    id: str
    name: str
    description: str | None = None
    category: str | None = None
    created_at: str | None = None


class ImageData(WireModel):
    """One generated image: ``b64_json`` or ``url``; ``save(path)`` writes it."""

    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None

    def save(self, path: str | Path) -> Path:
        """Write the image to ``path`` (decoding ``b64_json``, or downloading ``url``)."""
        target = Path(path)
        if self.b64_json:
            target.write_bytes(base64.b64decode(self.b64_json))
        elif self.url:
            import httpx2

            with httpx2.Client(follow_redirects=True, timeout=60) as client:
                response = client.get(self.url)
                response.raise_for_status()
                target.write_bytes(response.content)
        else:
            raise ValueError("this image has neither b64_json nor url")
        return target


class ImageResponse(WireModel):
    """The result of ``generate_image``."""

    created: int | None = None
    data: list[ImageData] = Field(default_factory=list)


class VideoJob(WireModel):
    """A video generation job: queued → processing → completed | failed."""

    id: str
    status: str
    model: str | None = None
    progress: float | None = None
    error: Any = None


class Transcription(WireModel):
    """A transcription (``text``; ``segments`` when the format has them)."""

    text: str
    duration: float | None = None
    language: str | None = None
    segments: list[Any] | None = None
