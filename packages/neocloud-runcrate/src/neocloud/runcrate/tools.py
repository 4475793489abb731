"""Runcrate provisioning operations for agents, defined once (the LangChain toolkit and the LlamaIndex tool spec
are generated from ``OPERATIONS``). Prices come from Runcrate: instance types carry ``hourly_rate``; storage is
0.03 USD per GB-month, charged a week in advance (Runcrate's documented volume price)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

__all__ = ["OPERATIONS", "make_clients"]

GB_MONTH_USD = 0.03
HOURS_PER_MONTH = 730.0


def make_clients(**settings: Any) -> Any:
    """The client the operations run against (``RUNCRATE_API_KEY`` etc. when not given)."""
    from ._client import Runcrate

    return Runcrate(**settings)


def _dump(items: Any) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in items]


class GpuTypesArgs(BaseModel):
    gpu_type: str | None = Field(default=None, description="GPU model, e.g. 'A100' or 'H100'.")
    gpu_count: int | None = Field(default=None, ge=1, le=8, description="GPUs per instance.")
    region: str | None = Field(default=None, description="Region, e.g. 'us-east'.")


class CreateInstanceArgs(BaseModel):
    name: str = Field(description="A name for the instance.")
    gpu_type: str = Field(description="GPU model from runcrate_list_gpu_types, e.g. 'A100'.")
    gpu_count: int = Field(default=1, ge=1, le=8)
    region: str | None = Field(default=None, description="Region; any when omitted.")
    ssh_key_id: ResourceId = Field(description="Id of an SSH key from runcrate_list_ssh_keys.")
    template: str | None = Field(default=None, description="Image template id from runcrate_list_templates.")
    max_runtime_minutes: int | None = Field(
        default=None, ge=5, le=10080, description="Stop automatically after this long (recommended)."
    )


class InstanceArgs(BaseModel):
    instance_id: ResourceId = Field(description="The instance id (inst_...).")


class NoArgs(BaseModel):
    pass


class CreateVolumeArgs(BaseModel):
    name: str
    size_gb: int = Field(ge=1, le=100_000, description="Size in GB.")
    region: str = Field(description="A storage region id from runcrate_list_storage_regions, e.g. 'us-east-1'.")


class ResizeVolumeArgs(BaseModel):
    volume_id: ResourceId
    size_gb: int = Field(ge=1, le=100_000, description="The new, larger size in GB (volumes only grow).")


class VolumeArgs(BaseModel):
    volume_id: ResourceId


class UsageArgs(BaseModel):
    from_date: str | None = Field(default=None, description="YYYY-MM-DD")
    to_date: str | None = Field(default=None, description="YYYY-MM-DD")


def _instance_type(c: Any, a: CreateInstanceArgs) -> Any:
    types = [t for t in c.instances.list_types(gpu_type=a.gpu_type, gpu_count=a.gpu_count, region=a.region)]
    return min(types, key=lambda t: t.hourly_rate) if types else None


def _instance_estimate(c: Any, a: CreateInstanceArgs) -> CostEstimate:
    found = _instance_type(c, a)
    if found is None:
        return CostEstimate(None, None, f"no {a.gpu_count}x {a.gpu_type} instance type is offered")
    hours = a.max_runtime_minutes / 60 if a.max_runtime_minutes else None
    total = round(found.hourly_rate * hours, 4) if hours else None
    return CostEstimate(found.hourly_rate, total, f"{found.id} at ${found.hourly_rate}/h (Runcrate instance types)")


def _volume_estimate(size_gb: int) -> CostEstimate:
    week = size_gb * GB_MONTH_USD * 12 / 52
    return CostEstimate(round(size_gb * GB_MONTH_USD / HOURS_PER_MONTH, 6), round(week, 4),
                        f"{size_gb} GB at ${GB_MONTH_USD}/GB-month, a week charged in advance")  # fmt: skip


def _resize_estimate(c: Any, a: ResizeVolumeArgs) -> CostEstimate:
    current = c.storage.get(a.volume_id).size_gb or 0
    return _volume_estimate(max(a.size_gb - current, 0))


OPERATIONS = [
    Operation("runcrate_list_gpu_types", "List Runcrate GPU instance types with their hourly price in USD. "
              "Filter by gpu_type, gpu_count or region.", GpuTypesArgs, SideEffect.READ,
              lambda c, a, k: _dump(c.instances.list_types(**a.model_dump(exclude_none=True)))),
    Operation("runcrate_list_ssh_keys", "List the SSH keys that can be put on a new instance.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.ssh_keys.list())),
    Operation("runcrate_list_templates", "List the machine images (templates) an instance can boot.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.templates.list(page_size=100))),
    Operation("runcrate_list_instances", "List this workspace's GPU instances and their status.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.instances.list())),
    Operation("runcrate_instance_status", "Get an instance's status (pending, starting, running, terminating, "
              "terminated) and IP address.", InstanceArgs, SideEffect.READ,
              lambda c, a, k: c.instances.get_status(a.instance_id).model_dump(mode="json")),
    Operation("runcrate_create_instance", "Launch a GPU instance. Costs money every hour until terminated; set "
              "max_runtime_minutes. Returns the instance (status 'pending'); poll runcrate_instance_status.",
              CreateInstanceArgs, SideEffect.BILLABLE,
              lambda c, a, k: c.instances.create(idempotency_key=k, **a.model_dump(exclude_none=True)).model_dump(
                  mode="json", exclude_none=True),
              estimate=_instance_estimate,
              created=lambda a, r: Created("instance", r["id"], "runcrate_terminate_instance",
                                           {"instance_id": r["id"]}, r.get("cost_per_hour"))),
    Operation("runcrate_terminate_instance", "Terminate (destroy) an instance. Its disk is lost.", InstanceArgs,
              SideEffect.DESTRUCTIVE,
              lambda c, a, k: (c.instances.terminate(a.instance_id), {"terminated": a.instance_id})[1],
              removes=lambda a: a.instance_id),
    Operation("runcrate_list_storage_regions", "List the regions where storage volumes can be created.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.storage.list_regions())),
    Operation("runcrate_list_volumes", "List storage volumes.", NoArgs, SideEffect.READ,
              lambda c, a, k: _dump(c.storage.list())),
    Operation("runcrate_create_volume", "Create a storage volume (USD 0.03 per GB-month, a week charged up front).",
              CreateVolumeArgs, SideEffect.BILLABLE,
              lambda c, a, k: c.storage.create(a.name, a.size_gb, a.region, idempotency_key=k).model_dump(
                  mode="json", exclude_none=True),
              estimate=lambda c, a: _volume_estimate(a.size_gb),
              created=lambda a, r: Created("volume", r["id"], "runcrate_delete_volume", {"volume_id": r["id"]})),
    Operation("runcrate_resize_volume", "Grow a storage volume to size_gb (it cannot shrink).", ResizeVolumeArgs,
              SideEffect.BILLABLE,
              lambda c, a, k: c.storage.resize(a.volume_id, a.size_gb).model_dump(mode="json", exclude_none=True),
              estimate=_resize_estimate),
    Operation("runcrate_delete_volume", "Delete a storage volume and its data (unused time is refunded).",
              VolumeArgs, SideEffect.DESTRUCTIVE,
              lambda c, a, k: c.storage.delete(a.volume_id).model_dump(mode="json", exclude_none=True),
              removes=lambda a: a.volume_id),
    Operation("runcrate_balance", "The workspace's credit balance and current spend rate in USD.", NoArgs,
              SideEffect.READ, lambda c, a, k: c.billing.get_balance().model_dump(mode="json", exclude_none=True)),
    Operation("runcrate_usage", "Inference usage (requests, tokens, cost) between two dates.", UsageArgs,
              SideEffect.READ,
              lambda c, a, k: c.billing.usage(a.from_date, a.to_date).model_dump(mode="json", exclude_none=True)),
]  # fmt: skip
