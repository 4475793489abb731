"""InferenceKey provisioning operations for agents, defined once (the LangChain toolkit and the LlamaIndex tool
spec are generated from ``OPERATIONS``). InferenceKey publishes no prices: under a budget, ensuring a workload is
refused unless the session's spend policy sets ``unpriced_hourly_usd`` (what to assume a workload costs per hour).
An ensure that finds the workload already there made nothing and costs nothing. The slug is what keys an ensure
(it looks the slug up before it creates), so an ensure whose answer was lost is resolved by ``cleanup`` through
the workload's ``created_at`` (``find_lost``): a workload under that slug created after the call's intent was
recorded was made by it; one created more than ``CLOCK_SKEW`` earlier was there before; in between, and for a
``created_at`` it cannot read, cleanup reports it rather than guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

from ._common import endpoint_root
from .enums import Backend, ExecutionPolicy, OnDrift, TaskType

__all__ = ["NOT_TOOLS", "OPERATIONS", "Clients", "make_clients"]

# Client methods that create or spend and are deliberately not agent tools, with why.
NOT_TOOLS = {
    "publish_custom_backend": "packages and uploads code from this machine as a serving backend: a developer's "
    "release step that spends nothing (a workload using it is made with inferencekey_ensure_workload)",
}

UNPRICED = CostEstimate(None, None, "InferenceKey publishes no prices")


@dataclass
class Clients:
    """The control-plane client, and where endpoints live."""

    management: Any
    base_url: str
    project: str


def make_clients(*, base_url: str | None = None, sdk_token: str | None = None, project: str | None = None) -> Clients:
    """From arguments, else ``INFERENCEKEY_BASE_URL`` / ``INFERENCEKEY_SDK_TOKEN`` / ``INFERENCEKEY_PROJECT``."""
    from ._management import ManagementClient

    mgmt = ManagementClient.from_env(base_url=base_url, sdk_token=sdk_token, project=project)
    return Clients(mgmt, str(mgmt._client.base_url).rstrip("/"), mgmt._project(None))


class NoArgs(BaseModel):
    pass


class EnsureArgs(BaseModel):
    # ``WorkloadSpec``'s fields and ``ensure``'s ``on_drift``; ``check_spec`` validates them again before sending.
    slug: ResourceId = Field(description="Workload slug, e.g. 'support-bot'.")
    model: str = Field(min_length=1, description="The model to serve, e.g. 'meta-llama/Llama-3.1-8B-Instruct'.")
    name: str | None = Field(default=None, description="A display name (defaults to the slug).")
    description: str | None = Field(default=None, description="What the workload is for.")
    backend: Backend | str = Field(default=Backend.VLLM, description="Serving engine: vllm, vllm-omni, sglang, "
                                   "llamacpp, ollama, or a published custom backend's slug.")  # fmt: skip
    task_type: TaskType = Field(default=TaskType.TEXT2TEXT, description="What the workload does.")
    command: str | None = Field(default=None, description="Optional serve command.")
    vllm_version: str | None = Field(default=None, description="Pin the vLLM version (vllm backends).")
    config: dict[str, Any] | None = Field(default=None, description="Backend-specific settings, sent whole.")
    execution_policy: ExecutionPolicy | None = Field(default=None, description="How the platform schedules it: "
                                                     "fixed, scheduled or autoscaling.")  # fmt: skip
    execution_policy_config: dict[str, Any] | None = Field(default=None, description="The policy's settings "
                                                           "(e.g. min/max replicas, a schedule).")  # fmt: skip
    worker_id: ResourceId | None = Field(default=None, description="Pin to a worker.")
    gpu_resource_id: ResourceId | None = Field(default=None, description="Pin to a GPU resource.")
    on_drift: OnDrift = Field(default=OnDrift.RECONCILE, description="When a workload with this slug exists and "
                              "differs: reconcile (update it), fail, warn, dry_run or ignore (leave it).")  # fmt: skip


class SlugArgs(BaseModel):
    slug: ResourceId = Field(description="The workload slug.")


class WaitArgs(BaseModel):
    slug: ResourceId = Field(description="The workload slug.")
    timeout_seconds: float = Field(default=600, gt=0, le=3600)


def _ensure(c: Clients, a: EnsureArgs, key: str | None) -> dict[str, Any]:
    from .types import WorkloadSpec

    existed = any(w.slug == a.slug for w in c.management.list_workloads())
    fields = a.model_dump(exclude={"on_drift", "name"}, exclude_none=True)
    spec = WorkloadSpec(name=a.name or a.slug, **fields)
    ref = c.management.ensure(spec, on_drift=a.on_drift, idempotency_key=key)
    return {"project": ref.project_slug, "workload": ref.workload_slug, "created": not existed,
            "endpoint": endpoint_root(c.base_url, ref.project_slug, ref.workload_slug) + "/v1"}  # fmt: skip


# How far the platform's clock may lag ours: a workload created less than this before the intent is ambiguous.
CLOCK_SKEW = timedelta(seconds=60)


def _find_lost(c: Clients, a: EnsureArgs, since: datetime) -> dict[str, Any] | None:
    found = next((w for w in c.management.list_workloads() if w.slug == a.slug), None)
    answer = {"project": c.project, "workload": a.slug, "created": False,
              "endpoint": endpoint_root(c.base_url, c.project, a.slug) + "/v1"}  # fmt: skip
    if found is None:
        return answer  # nothing under the slug: the call made nothing (or what it made is gone)
    try:
        text = str(found.created_at)
        created = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    if created >= since:
        return {**answer, "created": True}
    return answer if created < since - CLOCK_SKEW else None


def _wait(c: Clients, a: WaitArgs, key: str | None) -> dict[str, Any]:
    phases: list[str] = []
    c.management.wait_until_ready(a.slug, timeout=a.timeout_seconds, silent=True,
                                  on_progress=lambda e: phases.append(f"{e.phase}: {e.message}"))  # fmt: skip
    # Every phase change, in order (the agent sees how provisioning went, not just "ready").
    changes = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    return {"ready": True, "progress": changes}


OPERATIONS = [
    Operation("inferencekey_list_workloads", "List this project's InferenceKey workloads (slug, model, backend).",
              NoArgs, SideEffect.READ,
              lambda c, a, k: [w.model_dump(mode="json", exclude_none=True) for w in c.management.list_workloads()]),
    Operation("inferencekey_ensure_workload", "Make sure a workload serving `model` exists under `slug` (creates it "
              "if absent, and per on_drift updates one that differs; runs on a GPU and costs money until deleted). "
              "Then call inferencekey_wait_until_ready.",
              EnsureArgs, SideEffect.BILLABLE, _ensure, estimate=lambda c, a: UNPRICED,
              created=lambda a, r: Created("workload", r["workload"], "inferencekey_delete_workload",
                                           {"slug": r["workload"]}) if r["created"] else None,
              find_lost=_find_lost,
              actual=lambda a, r: None if r["created"] else 0.0),
    Operation("inferencekey_wait_until_ready", "Wait until a workload serves requests; returns its provisioning "
              "progress (scheduling, provisioning, bootstrapping, ready).", WaitArgs, SideEffect.READ, _wait),
    Operation("inferencekey_get_endpoint", "The OpenAI-compatible URL of a workload (use its ik_live_ key).",
              SlugArgs, SideEffect.READ,
              lambda c, a, k: {"endpoint": endpoint_root(c.base_url, c.project, a.slug) + "/v1", "model": a.slug}),
    Operation("inferencekey_delete_workload", "Delete a workload (stops its GPU). Safe to repeat.", SlugArgs,
              SideEffect.DESTRUCTIVE, lambda c, a, k: {"deleted": c.management.delete(a.slug), "slug": a.slug},
              removes=lambda a: a.slug),
]  # fmt: skip
