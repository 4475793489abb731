"""Runcrate batch jobs for agents: run (billable), get, list, logs, cancel (destructive).

A job runs a command on a GPU for at most ``max_runtime_minutes`` per attempt, and is retried up to
``max_retries`` times: its worst case is the highest hourly rate among the instance types its GPU candidates
match, times the runtime, times the attempts. The platform deduplicates submissions by Idempotency-Key for 24 h,
so a run whose answer was lost is sent again with its key to find the job it started (``recover``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, SideEffect

__all__ = ["JOB_OPERATIONS"]

_LIVE = ("queued", "starting", "running")  # the documented live states; any other has ended


class RunJobArgs(BaseModel):
    command: str = Field(min_length=1, max_length=65_536, description="A bash script, run in /workspace.")
    gpu_type: str | list[str] = Field(description="A GPU type such as 'A100' or 'H100:2' (TYPE:count), or a list "
                                      "of candidates in order of preference.")  # fmt: skip
    max_runtime_minutes: int = Field(ge=1, le=10080, description="The longest one attempt may run (billed time).")
    gpu_count: int | None = Field(default=None, ge=1, le=8, description="GPUs (default 1).")
    name: str | None = None
    template: str | None = Field(default=None, description="A template id from runcrate_list_templates.")
    image: str | None = Field(default=None, description="A container image to run the command in.")
    env: dict[str, str] | None = Field(default=None, description="Environment variables (write-only).")
    storage_id: str | None = Field(default=None, description="A volume to mount at /workspace.")
    region: str | None = Field(default=None, description="A region id, prefix such as 'us-east', or a city.")
    capacity_wait_minutes: int | None = Field(default=None, ge=0, le=1440,
                                              description="How long to wait for a GPU (default 30).")  # fmt: skip
    max_retries: int | None = Field(default=None, ge=0, le=10, description="Attempts after the first.")
    retry_on: list[Literal["machine_failure", "nonzero_exit"]] | None = None
    retry_exit_codes: list[int] | None = None
    tags: dict[str, str] | None = None
    webhook_url: str | None = Field(default=None, pattern=r"^https://", description="Notified on webhook_events.")
    webhook_events: list[Literal["started", "finished"]] | None = None
    code: dict[str, Any] | None = Field(default=None, description="{'upload_id': ...} or {'git': {'url', 'ref'}}.")
    image_registry_auth: dict[str, str] | None = Field(default=None,
                                                       description="{'username_env', 'password_env'}.")  # fmt: skip
    allow_cpu_container: bool | None = None


class JobArgs(BaseModel):
    job_id: str = Field(min_length=1, description="The job id.")


class ListJobsArgs(BaseModel):
    status: str | None = Field(default=None, description="One status or a comma-separated list.")
    limit: int | None = Field(default=20, ge=1, le=100)


class JobLogsArgs(BaseModel):
    job_id: str = Field(min_length=1)
    after: int = Field(default=0, ge=0, description="The cursor of the last chunk already read.")
    limit: int | None = Field(default=None, ge=1, le=10_000)


def _candidates(a: RunJobArgs) -> list[tuple[str, int]]:
    out = []
    for item in [a.gpu_type] if isinstance(a.gpu_type, str) else a.gpu_type:
        kind, _, count = item.partition(":")
        out.append((kind, int(count) if count.isdigit() else (a.gpu_count or 1)))
    return out


def _estimate(c: Any, a: RunJobArgs) -> CostEstimate:
    rates = [(t.hourly_rate, t.id) for kind, n in _candidates(a)
             for t in c.instances.list_types(gpu_type=kind, gpu_count=n)]  # fmt: skip
    if not rates:
        return CostEstimate(None, None, f"no instance type matches {a.gpu_type!r}")
    rate, found = max(rates)
    attempts = 1 + (a.max_retries or 0)
    basis = f"{found} at ${rate}/h for at most {a.max_runtime_minutes} minutes x {attempts} attempt(s)"
    return CostEstimate(rate, rate * a.max_runtime_minutes / 60 * attempts, basis)


def _run(c: Any, a: RunJobArgs, key: str | None) -> dict[str, Any]:
    return dict(c.jobs.run(idempotency_key=key, **a.model_dump(exclude_none=True)).model_dump(
        mode="json", exclude_none=True))  # fmt: skip


def _cancel(c: Any, a: JobArgs, key: str | None) -> dict[str, Any]:
    job = c.jobs.get(a.job_id)
    if job.status not in _LIVE:  # cancelling a job that ended is refused (409): it is already not running
        return {"id": job.id, "status": job.status, "already_ended": True}
    return dict(c.jobs.cancel(a.job_id).model_dump(mode="json", exclude_none=True))


JOB_OPERATIONS = [
    Operation("runcrate_run_job", "Run a batch job: a bash command on a GPU, billed by the minute while it runs, "
              "for at most max_runtime_minutes per attempt. Returns the job; follow it with runcrate_get_job and "
              "runcrate_job_logs.", RunJobArgs, SideEffect.BILLABLE, _run, estimate=_estimate,
              created=lambda a, r: Created("job", r["id"], "runcrate_cancel_job", {"job_id": r["id"]},
                                           r.get("cost_per_hour")),
              recover=_run),
    Operation("runcrate_get_job", "A job's status, attempts, exit code and cost.", JobArgs, SideEffect.READ,
              lambda c, a, k: c.jobs.get(a.job_id).model_dump(mode="json", exclude_none=True)),
    Operation("runcrate_list_jobs", "List jobs, newest first, optionally by status.", ListJobsArgs, SideEffect.READ,
              lambda c, a, k: [j.model_dump(mode="json", exclude_none=True)
                               for j in c.jobs.list(status=a.status, limit=a.limit)]),
    Operation("runcrate_job_logs", "A job's output since cursor `after` (pass the answer's cursor to read on).",
              JobLogsArgs, SideEffect.READ,
              lambda c, a, k: c.jobs.logs(a.job_id, after=a.after, limit=a.limit).model_dump(
                  mode="json", exclude_none=True)),
    Operation("runcrate_cancel_job", "Cancel a job (its GPU is released; a job that already ended is left as is).",
              JobArgs, SideEffect.DESTRUCTIVE, _cancel, removes=lambda a: a.job_id),
]  # fmt: skip
