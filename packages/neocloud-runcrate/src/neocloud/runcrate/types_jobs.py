"""Runcrate wire models of jobs, job groups, schedules, environments, secrets and the billing settings."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from neocloud.core.wire import WireModel

__all__ = [
    "AutoRecharge",
    "Environment",
    "GpuSample",
    "Job",
    "JobArtifact",
    "JobAttempt",
    "JobEvent",
    "JobGroup",
    "JobLogs",
    "JobMetricPoint",
    "JobUpload",
    "LogChunk",
    "PaymentMethod",
    "Schedule",
    "ScheduleRun",
    "Secret",
    "SubmittedJobGroup",
    "TopUp",
]

TERMINAL = frozenset({"succeeded", "failed", "cancelled", "timed_out"})


class JobAttempt(WireModel):
    """One try of a job on one machine."""

    attempt: int
    status: str
    gpu_type: str
    gpu_count: int
    deployment_id: str | None = None
    exit_code: int | None = None
    error: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    cost_usd: float | None = None
    region: str | None = None


class Job(WireModel):
    """A batch job (``status``: queued → starting → running → succeeded / failed / cancelled)."""

    id: str
    name: str
    status: str
    command: str
    gpu_type: str
    gpu_count: int
    max_runtime_minutes: int
    created_at: str
    gpu_candidates: list[dict[str, Any]] = Field(default_factory=list)
    template: str | None = None
    image: str | None = None
    env_keys: list[str] = Field(default_factory=list)
    storage_id: str | None = None
    capacity_wait_minutes: int = 0
    queue_reason: str | None = None
    next_attempt_at: str | None = None
    attempt: int = 1
    max_retries: int = 0
    retry_on: list[str] = Field(default_factory=list)
    retry_exit_codes: list[int] = Field(default_factory=list)
    attempts: list[JobAttempt] = Field(default_factory=list)
    exit_code: int | None = None
    error: str | None = None
    instance_id: str | None = None
    environment_id: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    group_id: str | None = None
    job_index: int = 0
    rerun_of: str | None = None
    webhook_url: str | None = None
    webhook_events: list[str] = Field(default_factory=list)
    webhook_secret: str | None = None  # only on the response that created the job
    started_at: str | None = None
    ended_at: str | None = None
    cost_per_hour: float | None = None
    cost_usd: float | None = None
    log_bytes: int = 0
    logs_truncated: bool = False
    code: dict[str, Any] | None = None
    allow_cpu_container: bool = False
    image_registry_auth: dict[str, Any] | None = None
    artifacts_count: int = 0
    gpu_util_avg: float | None = None
    gpu_mem_peak_mb: int | None = None

    @property
    def done(self) -> bool:
        """The job has ended (succeeded, failed, cancelled or timed out)."""
        return self.status in TERMINAL


class JobGroup(WireModel):
    """Jobs submitted together (``count`` copies or one per ``params`` entry)."""

    id: str
    count: int
    max_parallel: int
    created_at: str
    status_counts: dict[str, int] = Field(default_factory=dict)
    cost_usd: float | None = None


class SubmittedJobGroup(JobGroup):
    """The answer to ``run_group``: the group and its jobs."""

    jobs: list[Job] = Field(default_factory=list)
    webhook_secret: str | None = None


class LogChunk(WireModel):
    """A piece of a job's output (``seq`` / ``ts`` are ``None`` on an "output dropped" marker)."""

    text: str
    seq: int | None = None
    ts: str | None = None


class JobLogs(WireModel):
    """A page of logs: pass ``cursor`` as ``after`` to continue; ``done`` when the job ended and all is read."""

    job_id: str
    status: str
    chunks: list[LogChunk] = Field(default_factory=list)
    cursor: int = 0
    truncated: bool = False
    done: bool = False


class JobEvent(WireModel):
    """A lifecycle event (``created``, ``queued``, ``launch_attempt``, ``started``, ``exited``, ...)."""

    at: str
    kind: str
    detail: str | None = None
    attempt: int | None = None


class GpuSample(WireModel):
    """One GPU at one instant."""

    util: float
    mem_used_mb: float
    mem_total_mb: float


class JobMetricPoint(WireModel):
    """GPU utilisation and memory at one instant."""

    at: str
    gpus: list[GpuSample] = Field(default_factory=list)


class JobArtifact(WireModel):
    """A file the job left in ``/workspace/outputs``."""

    path: str
    bytes: int
    sha256: str


class JobUpload(WireModel):
    """Where to PUT a code archive; ``url`` is ``None`` when the platform already has those bytes."""

    upload_id: str
    expires_at: str
    max_bytes: int
    url: str | None = None
    url_expires_at: str | None = None


class Schedule(WireModel):
    """A one-off (``run_at``) or recurring (``cron``) launch of an instance or a job."""

    id: str
    name: str
    kind: str
    spec: dict[str, Any]
    environment_id: str | None = None
    created_by: str | None = None
    run_as: str | None = None
    run_as_credential: str | None = None
    max_runtime_minutes: int | None = None
    run_at: str | None = None
    cron: str | None = None
    timezone: str = "UTC"
    overlap: str = "skip"
    enabled: bool = True
    next_run_at: str | None = None
    last_run_at: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_instance_id: str | None = None
    last_job_id: str | None = None
    run_count: int = 0
    created_at: str | None = None
    updated_at: str | None = None


class ScheduleRun(WireModel):
    """``run_now``: the schedule after the run, and what it started."""

    schedule: Schedule
    instance: dict[str, Any] | None = None
    job: dict[str, Any] | None = None


class Environment(WireModel):
    """A workspace environment (instances, volumes, jobs, schedules and secrets live in one)."""

    id: str
    name: str
    is_default: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    monthly_budget_usd: float | None = None
    month_to_date_usd: float | None = None
    budget_remaining_usd: float | None = None


class Secret(WireModel):
    """A secret's name (values are never returned)."""

    key: str
    sensitive: bool = False
    updated_at: str | None = None


class TopUp(WireModel):
    """A credit purchase (``status``: succeeded, requires_action, declined, ...)."""

    id: str
    status: str
    amount_usd: float
    idempotency_key: str
    invoice_number: str | None = None
    balance_usd: float | None = None
    confirm_url: str | None = None
    expires_at: str | None = None
    reason: str | None = None
    message: str | None = None
    created_at: str | None = None


class AutoRecharge(WireModel):
    """Automatic top-up when the balance falls below ``threshold_usd``."""

    enabled: bool
    threshold_usd: float | None = None
    target_usd: float | None = None
    last_failure_reason: str | None = None
    last_failure_at: str | None = None


class PaymentMethod(WireModel):
    """A payment method on file."""

    type: str
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    default: bool = False
