"""InferenceKey provisioning operations for agents, defined once (the LangChain toolkit and the LlamaIndex tool
spec are generated from ``OPERATIONS``). InferenceKey publishes no prices: a workload's cost is unknown unless the
session's spend policy sets ``unpriced_hourly_usd``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

from ._common import endpoint_root
from .enums import Backend, TaskType

__all__ = ["OPERATIONS", "Clients", "make_clients"]

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
    slug: ResourceId = Field(description="Workload slug (also its name), e.g. 'support-bot'.")
    model: str = Field(description="The model to serve, e.g. 'meta-llama/Llama-3.1-8B-Instruct'.")
    backend: Backend = Field(default=Backend.VLLM, description="Serving engine.")
    task_type: TaskType = Field(default=TaskType.TEXT2TEXT, description="What the workload does.")
    command: str | None = Field(default=None, description="Optional serve command.")


class SlugArgs(BaseModel):
    slug: ResourceId = Field(description="The workload slug.")


class WaitArgs(BaseModel):
    slug: ResourceId = Field(description="The workload slug.")
    timeout_seconds: float = Field(default=600, gt=0, le=3600)


def _ensure(c: Clients, a: EnsureArgs, key: str | None) -> dict[str, Any]:
    from .types import WorkloadSpec

    existed = any(w.slug == a.slug for w in c.management.list_workloads())
    spec = WorkloadSpec(name=a.slug, slug=a.slug, model=a.model, backend=a.backend, task_type=a.task_type,
                        command=a.command)  # fmt: skip
    ref = c.management.ensure(spec, idempotency_key=key)
    return {"project": ref.project_slug, "workload": ref.workload_slug, "created": not existed,
            "endpoint": endpoint_root(c.base_url, ref.project_slug, ref.workload_slug) + "/v1"}  # fmt: skip


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
              "if absent; runs on a GPU and costs money until deleted). Then call inferencekey_wait_until_ready.",
              EnsureArgs, SideEffect.BILLABLE, _ensure, estimate=lambda c, a: UNPRICED,
              created=lambda a, r: Created("workload", r["workload"], "inferencekey_delete_workload",
                                           {"slug": r["workload"]}) if r["created"] else None),
    Operation("inferencekey_wait_until_ready", "Wait until a workload serves requests; returns its provisioning "
              "progress (scheduling, provisioning, bootstrapping, ready).", WaitArgs, SideEffect.READ, _wait),
    Operation("inferencekey_get_endpoint", "The OpenAI-compatible URL of a workload (use its ik_live_ key).",
              SlugArgs, SideEffect.READ,
              lambda c, a, k: {"endpoint": endpoint_root(c.base_url, c.project, a.slug) + "/v1", "model": a.slug}),
    Operation("inferencekey_delete_workload", "Delete a workload (stops its GPU). Safe to repeat.", SlugArgs,
              SideEffect.DESTRUCTIVE, lambda c, a, k: {"deleted": c.management.delete(a.slug), "slug": a.slug},
              removes=lambda a: a.slug),
]  # fmt: skip
