"""The bodies of Runcrate's typed creates, as strict request models: a field of the wrong type (``gpu_count="8"``,
``gpu_type=123``, ``region=["x"]``) or a misspelled one (``gpu_cuont=8``) is refused before sending, naming it.

The fields are those Runcrate documents (``InstanceCreate``, ``JobSpec``, ``ScheduleCreate``); the cross-field
rules that read better as sentences (a job's command size, a schedule's ``run_at`` or ``cron``) stay with the
operations.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from neocloud.core.validation import validated_body
from neocloud.core.wire import RequestModel

from .exceptions import RuncrateValidationError

__all__ = ["InstanceCreate", "JobGroupSpec", "JobOverrides", "JobSpec", "ScheduleCreate", "ScheduleUpdate", "body_of"]


class InstanceCreate(RequestModel):
    """``POST /api/v1/instances``: what to run (``gpu_type`` or ``instance_type_id``), its name and SSH key."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    ssh_key_id: str = Field(min_length=1)
    gpu_type: str | None = Field(default=None, min_length=1)
    instance_type_id: str | None = Field(default=None, min_length=1)
    region: str | None = Field(default=None, min_length=1)
    gpu_count: int | None = Field(default=None, ge=1, le=8)
    cpu_cores: int | None = Field(default=None, ge=1)
    memory: int | None = Field(default=None, ge=1)
    storage: int | None = Field(default=None, ge=1)
    template: str | None = None
    env_vars: dict[str, str] | None = None
    startup_commands: list[str] | None = None
    storage_id: str | None = None
    launch_script: str | None = None
    launch_script_base64: str | None = None
    max_runtime_minutes: int | None = Field(default=None, ge=5, le=10080)
    idle_shutdown_minutes: int | None = Field(default=None, ge=5, le=1440)

    @model_validator(mode="after")
    def _names_a_machine(self) -> InstanceCreate:
        if self.gpu_type is None and self.instance_type_id is None:
            raise ValueError("gpu_type: pass a GPU model (e.g. 'A100', from instances.list_types) or instance_type_id")
        return self


class _GitCode(RequestModel):
    url: str = Field(min_length=1)
    ref: str | None = None
    token_env: str | None = None


class _Code(RequestModel):
    model_config = ConfigDict(extra="forbid")

    upload_id: str | None = None
    git: _GitCode | None = None


class _RegistryAuth(RequestModel):
    model_config = ConfigDict(extra="forbid")

    username_env: str
    password_env: str


class JobSpec(RequestModel):
    """``POST /api/v1/jobs``: a batch job. Required: ``command``, ``gpu_type``, ``max_runtime_minutes``."""

    model_config = ConfigDict(extra="forbid")

    command: str
    gpu_type: str | list[str]
    max_runtime_minutes: int = Field(ge=1, le=10080)
    gpu_count: int | None = Field(default=None, ge=1, le=8)
    template: str | None = None
    image: str | None = None
    env: dict[str, str] | None = None
    storage_id: str | None = None
    name: str | None = None
    region: str | None = None
    capacity_wait_minutes: int | None = Field(default=None, ge=0, le=1440)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    retry_on: list[Literal["machine_failure", "nonzero_exit"]] | None = None
    retry_exit_codes: list[int] | None = None
    tags: dict[str, str] | None = None
    webhook_url: str | None = Field(default=None, pattern=r"^https://")
    webhook_events: list[Literal["started", "finished"]] | None = None
    code: _Code | None = None
    image_registry_auth: _RegistryAuth | None = None
    allow_cpu_container: bool | None = None


class JobGroupSpec(JobSpec):
    """A job group: a ``JobSpec`` run ``count`` times, or once per ``params`` entry, ``max_parallel`` at once."""

    count: int | None = Field(default=None, ge=1, le=1000)
    params: list[dict[str, str]] | None = Field(default=None, min_length=1)
    max_parallel: int | None = Field(default=None, ge=1, le=1000)


class JobOverrides(JobSpec):
    """``jobs.rerun`` overrides: every ``JobSpec`` field optional (``None`` is sent as null: it drops the field)."""

    command: str | None = None  # type: ignore[assignment]
    gpu_type: str | list[str] | None = None  # type: ignore[assignment]
    max_runtime_minutes: int | None = Field(default=None, ge=1, le=10080)  # type: ignore[assignment]


class ScheduleUpdate(RequestModel):
    """``PATCH /api/v1/schedules/{id}``: any of these."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    run_at: str | None = None
    cron: str | None = None
    timezone: str | None = None
    overlap: Literal["skip", "allow"] | None = None
    name: str | None = None
    spec: dict[str, Any] | None = None


class ScheduleCreate(ScheduleUpdate):
    """``POST /api/v1/schedules``: run a create body (``kind``: ``instance`` or ``job``) at a time or on a cron."""

    kind: Literal["instance", "job"]
    spec: dict[str, Any]


def body_of(model: type[RequestModel], fields: dict[str, Any], what: str, *, keep_none: bool = False) -> dict[str, Any]:
    """``fields`` validated by ``model``: the body to send, as validated (``None`` values dropped, unless kept)."""
    given = fields if keep_none else {k: v for k, v in fields.items() if v is not None}
    return validated_body(model, given, error=RuncrateValidationError, what=what)
