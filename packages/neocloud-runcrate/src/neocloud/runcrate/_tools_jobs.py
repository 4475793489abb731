"""Runcrate batch jobs for agents: run, run a group, rerun (billable), get, list, logs, cancel (destructive).

A job runs a command on a GPU for at most ``max_runtime_minutes`` per attempt, and is retried up to
``max_retries`` times: its worst case is the highest hourly rate among the instance types its GPU candidates
match, times the runtime, times the attempts (a group: times its jobs; a rerun: the original job's spec with the
overrides). The platform deduplicates submissions and reruns by Idempotency-Key for 24 h, so one whose answer was
lost is sent again with its key to find what it started (``recover``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

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
    storage_id: ResourceId | None = Field(default=None, description="A volume to mount at /workspace.")
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


class RunGroupArgs(RunJobArgs):
    count: int | None = Field(default=None, ge=1, le=1000, description="Run this many copies of the job.")
    params: list[dict[str, str]] | None = Field(default=None, min_length=1, description="Or one job per entry, "
                                                "each entry's variables merged over env.")  # fmt: skip
    max_parallel: int | None = Field(default=None, ge=1, le=1000, description="At most this many at once.")

    @model_validator(mode="after")
    def _count_or_params(self) -> RunGroupArgs:
        if (self.count is None) == (self.params is None):
            raise ValueError("pass exactly one of count or params")
        return self


class RerunArgs(BaseModel):
    # Every JobSpec field, optional: an omitted one keeps the original job's value.
    job_id: ResourceId = Field(description="The job to run again.")
    command: str | None = Field(default=None, min_length=1, max_length=65_536)
    gpu_type: str | list[str] | None = None
    max_runtime_minutes: int | None = Field(default=None, ge=1, le=10080)
    gpu_count: int | None = Field(default=None, ge=1, le=8)
    name: str | None = None
    template: str | None = None
    image: str | None = None
    env: dict[str, str] | None = Field(default=None, description="Merged over the original job's variables.")
    storage_id: ResourceId | None = None
    region: str | None = None
    capacity_wait_minutes: int | None = Field(default=None, ge=0, le=1440)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    retry_on: list[Literal["machine_failure", "nonzero_exit"]] | None = None
    retry_exit_codes: list[int] | None = None
    tags: dict[str, str] | None = None
    webhook_url: str | None = Field(default=None, pattern=r"^https://")
    webhook_events: list[Literal["started", "finished"]] | None = None
    code: dict[str, Any] | None = None
    image_registry_auth: dict[str, str] | None = None
    allow_cpu_container: bool | None = None


class GroupArgs(BaseModel):
    group_id: ResourceId = Field(description="The job group id.")


class JobArgs(BaseModel):
    job_id: ResourceId = Field(description="The job id.")


class ListJobsArgs(BaseModel):
    status: str | None = Field(default=None, description="One status or a comma-separated list.")
    limit: int | None = Field(default=20, ge=1, le=100)


class JobLogsArgs(BaseModel):
    job_id: ResourceId = Field(min_length=1)
    after: int = Field(default=0, ge=0, description="The cursor of the last chunk already read.")
    limit: int | None = Field(default=None, ge=1, le=10_000)


def _candidates(gpu_type: str | list[str], gpu_count: int | None) -> list[tuple[str, int]]:
    out = []
    for item in [gpu_type] if isinstance(gpu_type, str) else gpu_type:
        kind, _, count = item.partition(":")
        out.append((kind, int(count) if count.isdigit() else (gpu_count or 1)))
    return out


def _price(c: Any, gpu_type: str | list[str], gpu_count: int | None, minutes: int, retries: int | None,
           jobs: int = 1) -> CostEstimate:  # fmt: skip
    rates = [(t.hourly_rate, t.id) for kind, n in _candidates(gpu_type, gpu_count)
             for t in c.instances.list_types(gpu_type=kind, gpu_count=n)]  # fmt: skip
    if not rates:
        return CostEstimate(None, None, f"no instance type matches {gpu_type!r}")
    rate, found = max(rates)
    attempts = 1 + (retries or 0)
    basis = f"{found} at ${rate}/h for at most {minutes} minutes x {attempts} attempt(s)"
    basis += f" x {jobs} jobs" if jobs > 1 else ""
    return CostEstimate(rate * jobs, rate * minutes / 60 * attempts * jobs, basis)


def _estimate(c: Any, a: RunJobArgs) -> CostEstimate:
    return _price(c, a.gpu_type, a.gpu_count, a.max_runtime_minutes, a.max_retries)


def _group_estimate(c: Any, a: RunGroupArgs) -> CostEstimate:
    jobs = a.count if a.count is not None else len(a.params or [])
    return _price(c, a.gpu_type, a.gpu_count, a.max_runtime_minutes, a.max_retries, jobs)


def _rerun_estimate(c: Any, a: RerunArgs) -> CostEstimate:
    old = c.jobs.get(a.job_id)
    gpu_type = a.gpu_type if a.gpu_type is not None else old.gpu_type
    return _price(c, gpu_type, a.gpu_count or old.gpu_count, a.max_runtime_minutes or old.max_runtime_minutes,
                  a.max_retries if a.max_retries is not None else old.max_retries)  # fmt: skip


def _run_group(c: Any, a: RunGroupArgs, key: str | None) -> dict[str, Any]:
    return dict(c.jobs.run_group(idempotency_key=key, **a.model_dump(exclude_none=True)).model_dump(
        mode="json", exclude_none=True))  # fmt: skip


def _rerun(c: Any, a: RerunArgs, key: str | None) -> dict[str, Any]:
    # Only the overrides given: an omitted field keeps the original's value (a None sent would drop it).
    overrides = a.model_dump(exclude_none=True, exclude={"job_id"})
    return dict(c.jobs.rerun(a.job_id, idempotency_key=key, **overrides).model_dump(mode="json", exclude_none=True))


def _run(c: Any, a: RunJobArgs, key: str | None) -> dict[str, Any]:
    return dict(c.jobs.run(idempotency_key=key, **a.model_dump(exclude_none=True)).model_dump(
        mode="json", exclude_none=True))  # fmt: skip


def _cancel(c: Any, a: JobArgs, key: str | None) -> dict[str, Any]:
    from neocloud.core.errors import APIStatusError

    try:
        return dict(c.jobs.cancel(a.job_id).model_dump(mode="json", exclude_none=True))
    except APIStatusError as exc:
        # Cancelling a job that ended on its own is refused (409): it no longer runs, which is what was wanted.
        job = c.jobs.get(a.job_id) if exc.status_code == 409 else None
        if job is None or job.status in _LIVE:
            raise
        return {"id": job.id, "status": job.status, "already_ended": True}


JOB_OPERATIONS = [
    Operation("runcrate_run_job", "Run a batch job: a bash command on a GPU, billed by the minute while it runs, "
              "for at most max_runtime_minutes per attempt. Returns the job; follow it with runcrate_get_job and "
              "runcrate_job_logs.", RunJobArgs, SideEffect.BILLABLE, _run, estimate=_estimate,
              created=lambda a, r: Created("job", r["id"], "runcrate_cancel_job", {"job_id": r["id"]},
                                           r.get("cost_per_hour")),
              recover=_run),
    Operation("runcrate_run_job_group", "Run count copies of a job, or one per params entry, at most max_parallel "
              "at once; each is billed like runcrate_run_job. Returns the group and its jobs.", RunGroupArgs,
              SideEffect.BILLABLE, _run_group, estimate=_group_estimate,
              created=lambda a, r: Created("job_group", r["id"], "runcrate_cancel_job_group", {"group_id": r["id"]}),
              recover=_run_group),
    Operation("runcrate_rerun_job", "Run a job again, changing only the fields given (env is merged). Billed like "
              "runcrate_run_job.", RerunArgs, SideEffect.BILLABLE, _rerun, estimate=_rerun_estimate,
              created=lambda a, r: Created("job", r["id"], "runcrate_cancel_job", {"job_id": r["id"]},
                                           r.get("cost_per_hour")),
              recover=_rerun),
    Operation("runcrate_get_job_group", "A job group's counts by status and its cost.", GroupArgs, SideEffect.READ,
              lambda c, a, k: c.job_groups.get(a.group_id).model_dump(mode="json", exclude_none=True)),
    Operation("runcrate_cancel_job_group", "Cancel every job of a group that is still queued or running.",
              GroupArgs, SideEffect.DESTRUCTIVE,
              lambda c, a, k: c.job_groups.cancel(a.group_id).model_dump(mode="json", exclude_none=True),
              removes=lambda a: a.group_id),
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
