"""Runcrate provisioning operations for agents, defined once (the LangChain toolkit and the LlamaIndex tool spec
are generated from ``OPERATIONS``). Prices come from Runcrate: instance types carry ``hourly_rate``; storage is
0.03 USD per GB-month, charged a week in advance (Runcrate's documented volume price), also when a volume grows.

Every operation that spends has an estimate (the worst case the session reserves in its budget): a launch at the
highest rate among the instance types that match (the provider may pick any of them), for ``max_runtime_minutes``
when given; a new or grown volume at a week of its (added) size. Instance and volume creates carry an
Idempotency-Key, so a create whose answer was lost is sent again with it to find what it made (``recover``).

SSH keys are free, but adding one changes the account, so ``runcrate_create_ssh_key`` comes with the billable
tools (at $0): an agent allowed to launch can make the key its instance needs, and ``cleanup`` removes it after the
instance. Batch jobs are in ``_tools_jobs``, media (images, video, speech, transcription) in ``_tools_media``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

from ._tools_jobs import JOB_OPERATIONS
from ._tools_media import MEDIA_OPERATIONS

__all__ = ["NOT_TOOLS", "OPERATIONS", "make_clients"]

_INFERENCE = (
    "inference: the provider's chat model, embeddings and LLM classes are how agents call models (they meter tokens)"
)

# Client methods that create or spend and are deliberately not agent tools, with why.
NOT_TOOLS = {
    "billing.top_up": "buys credits with the user's card: a run is bounded by its budget and must not raise its own "
    "funds",
    "billing.set_auto_recharge": "lets the account buy credits by itself later: a person's decision about payment",
    "schedules.create": "a schedule launches on its own later, outside the run, its budget and its cleanup: the "
    "ledger cannot reserve what it will cost",
    "schedules.update": "changes what a schedule launches later, outside the run (see schedules.create)",
    "schedules.run_now": "launches what a schedule holds, which the run did not price or create (see schedules.create)",
    "environments.create": "workspace administration (environments scope budgets and secrets); it spends nothing",
    "environments.update": "workspace administration; it spends nothing",
    "jobs.uploads.create": "uploads a code archive from this machine's disk; it spends nothing, and "
    "runcrate_run_job takes code from git or an image",
    "jobs.uploads.upload": "as jobs.uploads.create",
    "models.chat_completion": _INFERENCE,
    "chat.completions.create": _INFERENCE,
    "models.generate_video_and_save": "runcrate_generate_video, runcrate_video_status (wait_seconds) and "
    "runcrate_save_video do it in steps an agent can follow",
}

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
    name: str = Field(min_length=1, description="A name for the instance.")
    gpu_type: str = Field(min_length=1, description="GPU model from runcrate_list_gpu_types, e.g. 'A100'.")
    gpu_count: int = Field(default=1, ge=1, le=8)
    instance_type_id: ResourceId | None = Field(default=None, description="An exact instance type id from "
                                         "runcrate_list_gpu_types (e.g. 'a100-1x-us-east').")  # fmt: skip
    region: str | None = Field(default=None, description="Region; any when omitted.")
    ssh_key_id: ResourceId = Field(description="Id of an SSH key from runcrate_list_ssh_keys or "
                                   "runcrate_create_ssh_key.")  # fmt: skip
    template: str | None = Field(default=None, description="Image template id from runcrate_list_templates.")
    cpu_cores: int | None = Field(default=None, ge=1, description="vCPUs, when the type lets you choose.")
    memory: int | None = Field(default=None, ge=1, description="Memory in GB, when the type lets you choose.")
    storage: int | None = Field(default=None, ge=1, description="Boot disk in GB.")
    env_vars: dict[str, str] | None = Field(default=None, description="Environment variables on the instance.")
    startup_commands: list[str] | None = Field(default=None, description="Shell commands run once at boot, in order.")
    storage_id: ResourceId | None = Field(default=None, description="A volume from runcrate_list_volumes to attach.")
    launch_script: str | None = Field(default=None, description="A script run at launch.")
    max_runtime_minutes: int | None = Field(
        default=None, ge=5, le=10080, description="Stop automatically after this long (recommended)."
    )
    idle_shutdown_minutes: int | None = Field(default=None, ge=5, le=1440, description="Stop after this long with "
                                              "the GPU under 5% and nobody connected.")  # fmt: skip


class UpdateInstanceArgs(BaseModel):
    # Removing a limit is a flag, not a null: frameworks fill omitted arguments with their defaults, so a null could
    # not tell "leave it" from "remove it".
    instance_id: ResourceId = Field(description="The instance id (inst_...).")
    max_runtime_minutes: int | None = Field(default=None, ge=5, le=10080,
                                            description="The new maximum runtime, counted from launch.")  # fmt: skip
    idle_shutdown_minutes: int | None = Field(default=None, ge=5, le=1440, description="The new idle shutdown.")
    remove_max_runtime: bool = Field(default=False, description="Remove the maximum runtime (it runs until "
                                     "terminated).")  # fmt: skip
    disable_idle_shutdown: bool = Field(default=False, description="Turn the idle shutdown off.")

    @model_validator(mode="after")
    def _one_change_each(self) -> UpdateInstanceArgs:
        if self.max_runtime_minutes is not None and self.remove_max_runtime:
            raise ValueError("pass max_runtime_minutes or remove_max_runtime, not both")
        if self.idle_shutdown_minutes is not None and self.disable_idle_shutdown:
            raise ValueError("pass idle_shutdown_minutes or disable_idle_shutdown, not both")
        if not self.changes():
            raise ValueError("pass max_runtime_minutes and/or idle_shutdown_minutes (or remove_max_runtime / "
                             "disable_idle_shutdown)")  # fmt: skip
        return self

    def changes(self) -> dict[str, int | None]:
        """The PATCH fields: a new value, or null to remove the limit."""
        out: dict[str, int | None] = {}
        for field, remove in (("max_runtime_minutes", self.remove_max_runtime),
                              ("idle_shutdown_minutes", self.disable_idle_shutdown)):  # fmt: skip
            value = getattr(self, field)
            if value is not None or remove:
                out[field] = value
        return out


class SSHKeyArgs(BaseModel):
    name: str = Field(min_length=1, description="A name for the key.")
    public_key: str = Field(pattern=r"^(ssh-|ecdsa-)", description="An OpenSSH public key ('ssh-ed25519 AAAA...').")
    type: str | None = Field(default=None, description="The key type (read from the key when omitted).")


class KeyArgs(BaseModel):
    key_id: ResourceId = Field(description="The SSH key id.")


class TransactionsArgs(BaseModel):
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0)
    type: str | None = Field(default=None, description="Only this type, e.g. 'storage', 'job', 'topup', 'refund'.")


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
    types = [t for t in c.instances.list_types(gpu_type=a.gpu_type, gpu_count=a.gpu_count, region=a.region)
             if a.instance_type_id is None or t.id == a.instance_type_id]  # fmt: skip
    # The worst case: without a region the provider may place it on any matching type.
    return max(types, key=lambda t: t.hourly_rate) if types else None


def _instance_estimate(c: Any, a: CreateInstanceArgs) -> CostEstimate:
    found = _instance_type(c, a)
    if found is None:
        return CostEstimate(None, None, f"no {a.gpu_count}x {a.gpu_type} instance type is offered")
    if not a.max_runtime_minutes:
        return CostEstimate(found.hourly_rate, None, f"{found.id} at ${found.hourly_rate}/h, Runcrate's listed price")
    # Not rounded: the ledger rounds amounts up to the micro-dollar, never down.
    basis = f"{found.id} at ${found.hourly_rate}/h for at most {a.max_runtime_minutes} minutes"
    return CostEstimate(found.hourly_rate, found.hourly_rate * a.max_runtime_minutes / 60, basis)


def _volume_estimate(size_gb: int) -> CostEstimate:
    return CostEstimate(size_gb * GB_MONTH_USD / HOURS_PER_MONTH, size_gb * GB_MONTH_USD * 12 / 52,
                        f"{size_gb} GB at ${GB_MONTH_USD}/GB-month, a week charged in advance")  # fmt: skip


def _create_instance(c: Any, a: CreateInstanceArgs, key: str | None) -> dict[str, Any]:
    made = c.instances.create(idempotency_key=key, **a.model_dump(exclude_none=True))
    return dict(made.model_dump(mode="json", exclude_none=True))


def _create_volume(c: Any, a: CreateVolumeArgs, key: str | None) -> dict[str, Any]:
    made = c.storage.create(a.name, a.size_gb, a.region, idempotency_key=key)
    return dict(made.model_dump(mode="json", exclude_none=True))


def _update_estimate(c: Any, a: UpdateInstanceArgs) -> CostEstimate:
    """What a new maximum runtime may add: the rate times the minutes it adds (a limit removed: the rate, unbounded;
    a limit set where there was none, or only the idle shutdown changed: nothing beyond what already runs)."""
    if "max_runtime_minutes" not in a.changes():
        return CostEstimate(0.0, 0.0, "the maximum runtime is unchanged")
    found = c.instances.get(a.instance_id)
    rate, old, new = found.cost_per_hour or 0.0, found.max_runtime_minutes, a.max_runtime_minutes
    if new is None:
        return CostEstimate(rate, None, f"{found.id} at ${rate}/h with its maximum runtime removed")
    if old is None:
        return CostEstimate(rate, 0.0, f"{found.id} had no maximum runtime: a limit only shortens it")
    added = max(new - old, 0)
    return CostEstimate(rate, rate * added / 60, f"{found.id} at ${rate}/h for {added} more minutes")


def _update_instance(c: Any, a: UpdateInstanceArgs, key: str | None) -> dict[str, Any]:
    return dict(c.instances.update(a.instance_id, **a.changes()).model_dump(mode="json", exclude_none=True))


def _transactions(c: Any, a: TransactionsArgs, key: str | None) -> dict[str, Any]:
    page = c.billing.list_transactions(limit=a.limit, offset=a.offset, type=a.type)
    return {"transactions": _dump(page.data), "total": page.total, "has_more": page.has_more}


def _resize_estimate(c: Any, a: ResizeVolumeArgs) -> CostEstimate:
    current = c.storage.get(a.volume_id).size_gb or 0
    return _volume_estimate(max(a.size_gb - current, 0))


OPERATIONS = [
    Operation("runcrate_list_gpu_types", "List Runcrate GPU instance types with their hourly price in USD. "
              "Filter by gpu_type, gpu_count or region.", GpuTypesArgs, SideEffect.READ,
              lambda c, a, k: _dump(c.instances.list_types(**a.model_dump(exclude_none=True)))),
    Operation("runcrate_list_ssh_keys", "List the SSH keys that can be put on a new instance.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.ssh_keys.list())),
    Operation("runcrate_create_ssh_key", "Add an SSH public key (free) so instances can be launched with it; "
              "returns its id for runcrate_create_instance.", SSHKeyArgs, SideEffect.BILLABLE,
              lambda c, a, k: c.ssh_keys.create(**a.model_dump(exclude_none=True)).model_dump(
                  mode="json", exclude_none=True),
              estimate=lambda c, a: CostEstimate(0.0, 0.0, "SSH keys are free"),
              created=lambda a, r: Created("ssh_key", r["id"], "runcrate_delete_ssh_key", {"key_id": r["id"]})),
    Operation("runcrate_delete_ssh_key", "Remove an SSH key (instances already running keep it).", KeyArgs,
              SideEffect.DESTRUCTIVE,
              lambda c, a, k: (c.ssh_keys.delete(a.key_id), {"deleted": a.key_id})[1],
              removes=lambda a: a.key_id),
    Operation("runcrate_list_templates", "List the machine images (templates) an instance can boot.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.templates.list(page_size=100))),
    Operation("runcrate_list_instances", "List this workspace's GPU instances and their status.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.instances.list())),
    Operation("runcrate_instance_status", "Get an instance's status (pending, starting, running, terminating, "
              "terminated) and IP address.", InstanceArgs, SideEffect.READ,
              lambda c, a, k: c.instances.get_status(a.instance_id).model_dump(mode="json")),
    Operation("runcrate_create_instance", "Launch a GPU instance. Costs money every hour until terminated; set "
              "max_runtime_minutes. Returns the instance (status 'pending'); poll runcrate_instance_status.",
              CreateInstanceArgs, SideEffect.BILLABLE, _create_instance, estimate=_instance_estimate,
              created=lambda a, r: Created("instance", r["id"], "runcrate_terminate_instance",
                                           {"instance_id": r["id"]}, r.get("cost_per_hour")),
              recover=_create_instance),
    Operation("runcrate_update_instance", "Change a running instance's max_runtime_minutes (counted from launch) "
              "and/or idle_shutdown_minutes, or remove them. Extending the runtime can cost more.",
              UpdateInstanceArgs, SideEffect.BILLABLE, _update_instance, estimate=_update_estimate),
    Operation("runcrate_terminate_instance", "Terminate (destroy) an instance. Its disk is lost.", InstanceArgs,
              SideEffect.DESTRUCTIVE,
              lambda c, a, k: (c.instances.terminate(a.instance_id), {"terminated": a.instance_id})[1],
              removes=lambda a: a.instance_id),
    Operation("runcrate_list_storage_regions", "List the regions where storage volumes can be created.", NoArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.storage.list_regions())),
    Operation("runcrate_list_volumes", "List storage volumes.", NoArgs, SideEffect.READ,
              lambda c, a, k: _dump(c.storage.list())),
    Operation("runcrate_create_volume", "Create a storage volume (USD 0.03 per GB-month, a week charged up front).",
              CreateVolumeArgs, SideEffect.BILLABLE, _create_volume, estimate=lambda c, a: _volume_estimate(a.size_gb),
              created=lambda a, r: Created("volume", r["id"], "runcrate_delete_volume", {"volume_id": r["id"]}),
              recover=_create_volume),
    Operation("runcrate_resize_volume", "Grow a storage volume to size_gb (it cannot shrink; the added GB are "
              "charged a week up front).", ResizeVolumeArgs,
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
    Operation("runcrate_list_transactions", "The workspace's billing transactions, newest first: charges "
              "(negative amounts), refunds and top-ups, with total and has_more for paging.", TransactionsArgs,
              SideEffect.READ, _transactions),
    *JOB_OPERATIONS,
    *MEDIA_OPERATIONS,
]  # fmt: skip
