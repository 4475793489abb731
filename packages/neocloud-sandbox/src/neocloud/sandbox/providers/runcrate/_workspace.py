"""Runcrate plane: the per-key workspace (credits, ledger, SSH keys, per-environment instances and
volumes), the catalogs, and the request opener with the ``{"data", "meta"}`` envelope."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...common import Ctx, begin, json_response
from ...keys import KEY_PREFIXES, SANDBOX_KEYS
from ..lifecycle import iso

__all__ = ["INSTANCE_TYPES", "NAME", "REGIONS", "TEMPLATES", "Workspace", "envelope", "open_request"]

NAME = "runcrate"
STARTING_CREDITS = 100.0
# The GPUs the SDK's own examples name ("A4000", "A100-80GB:2", "H100", "L40S", "A100"), with hourly USD per GPU;
# each comes in 1, 2, 4 and 8-GPU machines in both regions.
GPU_RATES = (("A100", 1.29), ("A100-80GB", 1.79), ("H100", 2.49), ("L40S", 0.89), ("A4000", 0.35))
INSTANCE_TYPES = tuple(
    {"id": f"{gpu.lower()}-{count}x-{region}", "gpu_type": gpu, "gpu_count": count, "cpu_cores": 8 * count,
     "memory_gb": 64.0 * count, "storage_gb": 200.0 * count, "region": region, "hourly_rate": round(rate * count, 2),
     "deployment_type": "vm"}
    for gpu, rate in GPU_RATES
    for count in (1, 2, 4, 8)
    for region in ("us-east", "eu-west")
)  # fmt: skip
REGIONS = ({"id": "us-east-1", "name": "US East (Virginia)", "provider": "aws"},
           {"id": "eu-central-1", "name": "EU Central (Frankfurt)", "provider": "wasabi"})  # fmt: skip
TEMPLATES = tuple(
    {"id": f"tpl_{i}", "name": name, "description": f"{name} image", "category": category, "created_at": "2026-01-01T00:00:00Z"}
    for i, (name, category) in enumerate((("PyTorch 2.6", "ml"), ("PyTorch Lightning", "ml"), ("JAX", "ml"),
                                          ("vLLM Server", "inference"), ("Jupyter Lab", "notebook"), ("Ubuntu 24.04", "base")))
)  # fmt: skip


@dataclass
class Workspace:
    """One key's workspace."""

    credits: float
    ledger: list[dict[str, Any]] = field(default_factory=list)
    ssh_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)  # each tagged with its environment
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, str] = field(default_factory=dict)
    replies: dict[str, Any] = field(default_factory=dict)  # Idempotency-Key → the first answer
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    topups: dict[str, dict[str, Any]] = field(default_factory=dict)
    auto_recharge: dict[str, Any] = field(default_factory=lambda: {"enabled": False, "threshold_usd": None,
                                                                   "target_usd": None, "last_failure_reason": None,
                                                                   "last_failure_at": None})  # fmt: skip
    funded: bool = True
    inference: dict[str, float] = field(
        default_factory=lambda: {"requests": 0, "prompt": 0, "completion": 0, "cost": 0.0}
    )

    def record(self, kind: str, amount: float, description: str) -> None:
        """Book a charge (negative) or refund (positive) and move the credits."""
        self.credits = round(self.credits + amount, 6)
        self.ledger.append({"id": f"txn_{len(self.ledger) + 1}", "type": kind, "amount": round(amount, 6),
                            "description": description, "created_at": iso(time.time())})  # fmt: skip


def workspace(ctx: Ctx) -> Workspace:
    funded = 0.0 if ctx.api_key == SANDBOX_KEYS[NAME]["no_credits"] else STARTING_CREDITS
    ws: Workspace = ctx.state.store(NAME, ctx.account, lambda: Workspace(credits=funded, funded=funded > 0))
    return ws


async def open_request(request: Request) -> tuple[Ctx, Workspace | None, Response | None]:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    return ctx, (None if early else workspace(ctx)), early


def environment(ctx: Ctx) -> str:
    return ctx.request.query_params.get("environment") or "main"


def envelope(ctx: Ctx, data: Any, status: int = 200, **meta: Any) -> Response:
    """A control-plane answer: ``{"data": ..., "meta": {...}}``."""
    return json_response(ctx, {"data": data, **({"meta": meta} if meta else {})}, status=status)
