"""Control-plane operations for jobs, job groups, schedules, environments and secrets (``/api/v1``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import httpx2

from neocloud.core._base import FinalRequest, new_idempotency_key
from neocloud.core._types import Timeout

from .._ops import Op, clean, ident, none, one, page_of, ranged, route
from .._requests import JobGroupSpec, JobOverrides, JobSpec, ScheduleCreate, ScheduleUpdate, body_of
from ..exceptions import RuncrateValidationError
from ..types import Page
from ..types_jobs import (
    Environment,
    Job,
    JobArtifact,
    JobEvent,
    JobGroup,
    JobLogs,
    JobMetricPoint,
    JobUpload,
    Schedule,
    ScheduleRun,
    Secret,
    SubmittedJobGroup,
)

__all__ = ["Environments", "JobGroups", "Jobs", "Schedules", "Secrets"]

JOB_TIMEOUT = Timeout(connect=10.0, read=135.0, write=135.0, pool=135.0)
GROUP_CANCEL_TIMEOUT = Timeout(connect=10.0, read=315.0, write=315.0, pool=315.0)
FOLLOW_TIMEOUT = Timeout(connect=10.0, read=40.0, write=40.0, pool=40.0)  # the server holds an empty read 25 s
_CRON = re.compile(r"^\S+(\s+\S+){4}$")


def _job_path(job_id: str, suffix: str = "", **more: Any) -> str:
    return route("/api/v1/jobs/{job_id}" + suffix, job_id=job_id, **more)


def check_job_spec(spec: dict[str, Any], *, partial: bool = False, group: bool = False) -> dict[str, Any]:
    """Refuse a malformed ``JobSpec`` before sending (``partial``: rerun overrides, where ``None`` means "drop");
    the body to send, as validated (``JobSpec``: strict types, no unknown fields)."""
    if not partial or "command" in spec:
        command = spec.get("command")
        if not isinstance(command, str) or not command.strip():
            raise RuncrateValidationError("'command' must be a non-empty bash script", param="command")
        if len(command.encode()) > 65_536:
            raise RuncrateValidationError("'command' must be at most 64 KB", param="command")
    if not partial and spec.get("gpu_type") in (None, "", []):
        raise RuncrateValidationError("'gpu_type' is required (e.g. 'H100', 'H100:2' or a list)", param="gpu_type")
    if not partial and spec.get("max_runtime_minutes") is None:
        raise RuncrateValidationError("'max_runtime_minutes' is required (1..10080)", param="max_runtime_minutes")
    model = JobOverrides if partial else JobGroupSpec if group else JobSpec
    return body_of(model, spec, "jobs.rerun" if partial else "jobs.run", keep_none=partial)


def _submit(body: dict[str, Any], idempotency_key: str | None) -> FinalRequest:
    # The platform dedupes job submissions by Idempotency-Key for 24 h, so a retry never runs a job twice.
    return FinalRequest("POST", "/api/v1/jobs", json=body, idempotency_key=idempotency_key or new_idempotency_key(),
                        min_timeout=JOB_TIMEOUT)  # fmt: skip


class Jobs:
    """``client.jobs``: run, run_group, list, get, cancel, delete, rerun, logs, events, metrics, artifacts, uploads."""

    @staticmethod
    def run(idempotency_key: str | None = None, **spec: Any) -> Op[Job]:
        """Run a batch job (``POST /api/v1/jobs``): image or code, command, GPU, env, secrets, artifacts, limits."""
        return Op(_submit(check_job_spec(spec), idempotency_key), one(Job))

    @staticmethod
    def run_group(
        count: int | None = None,
        params: list[dict[str, str]] | None = None,
        max_parallel: int | None = None,
        idempotency_key: str | None = None,
        **spec: Any,
    ) -> Op[SubmittedJobGroup]:
        """Run ``count`` jobs (or one per ``params`` entry) as a group, at most ``max_parallel`` at once."""
        if (count is None) == (params is None):
            raise RuncrateValidationError("pass exactly one of count= or params=", param="count")
        body = check_job_spec({**spec, "count": count, "params": params, "max_parallel": max_parallel}, group=True)
        return Op(_submit(body, idempotency_key), one(SubmittedJobGroup))

    @staticmethod
    def list(
        status: str | Sequence[str] | None = None,
        tags: dict[str, str] | None = None,
        group_id: str | None = None,
        q: str | None = None,
        gpu_type: str | None = None,
        created_after: datetime | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Op[Page[Job]]:
        ranged(limit, "limit", 1, 100)
        if isinstance(created_after, datetime):
            if created_after.tzinfo is None:
                raise RuncrateValidationError("'created_after' needs a time zone", param="created_after")
            created_after = created_after.isoformat()
        if (
            status is not None
            and not isinstance(status, str)
            and (not isinstance(status, (list, tuple)) or not all(isinstance(one, str) for one in status))
        ):
            raise RuncrateValidationError("'status' must be a status or a list of statuses", param="status")
        if tags is not None and (
            not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
        ):
            raise RuncrateValidationError("'tags' must map strings to strings", param="tags")
        statuses = status if isinstance(status, str) or status is None else ",".join(status)
        params: dict[str, Any] = clean({
            "status": statuses, "group_id": group_id, "q": q, "gpu_type": gpu_type, "created_after": created_after,
            "limit": limit, "cursor": cursor,
        })  # fmt: skip
        if tags:
            params["tag"] = [f"{k}:{v}" for k, v in tags.items()]
        return Op(FinalRequest("GET", "/api/v1/jobs", params=params), page_of(Job))

    @staticmethod
    def get(job_id: str) -> Op[Job]:
        return Op(FinalRequest("GET", _job_path(job_id)), one(Job))

    @staticmethod
    def cancel(job_id: str) -> Op[Job]:
        return Op(FinalRequest("POST", _job_path(job_id, "/cancel"), min_timeout=JOB_TIMEOUT), one(Job))

    @staticmethod
    def delete(job_id: str) -> Op[None]:
        return Op(FinalRequest("DELETE", _job_path(job_id)), none)

    @staticmethod
    def rerun(job_id: str, idempotency_key: str | None = None, **overrides: Any) -> Op[Job]:
        """Run a job again with ``overrides`` (``None`` drops a field; ``env`` is merged over the old values)."""
        key = idempotency_key or new_idempotency_key()
        body = check_job_spec(overrides, partial=True)
        request = FinalRequest(
            "POST", _job_path(job_id, "/rerun"), json=body, idempotency_key=key, min_timeout=JOB_TIMEOUT
        )
        return Op(request, one(Job))

    @staticmethod
    def logs(job_id: str, after: int = 0, limit: int | None = None, follow: bool = False) -> Op[JobLogs]:
        ranged(after, "after", 0, 2**62)
        ranged(limit, "limit", 1, 10_000)
        params = clean({"after": after, "limit": limit, "follow": "true" if follow else None})
        timeout = FOLLOW_TIMEOUT if follow else None
        return Op(FinalRequest("GET", _job_path(job_id, "/logs"), params=params, min_timeout=timeout), one(JobLogs))

    @staticmethod
    def events(job_id: str) -> Op[Page[JobEvent]]:
        return Op(FinalRequest("GET", _job_path(job_id, "/events")), page_of(JobEvent))

    @staticmethod
    def metrics(job_id: str, step: int | None = None) -> Op[Page[JobMetricPoint]]:
        ranged(step, "step", 60, 86_400)
        return Op(FinalRequest("GET", _job_path(job_id, "/metrics"), params=clean({"step": step})),
                  page_of(JobMetricPoint))  # fmt: skip

    @staticmethod
    def list_artifacts(job_id: str) -> Op[Page[JobArtifact]]:
        return Op(FinalRequest("GET", _job_path(job_id, "/artifacts")), page_of(JobArtifact))

    @staticmethod
    def artifact_url(job_id: str, path: str) -> Op[str]:
        """The signed download URL (valid 1 h): the redirect's ``Location``, not followed here."""
        request = FinalRequest("GET", _job_path(job_id, "/artifacts/{path:path}", path=path), follow_redirects=False)
        return Op(request, _location, raw=True)

    @staticmethod
    def create_upload(*, bytes: int, sha256: str | None = None) -> Op[JobUpload]:
        """Reserve an upload for a code archive of ``bytes`` bytes (returns where to PUT it)."""
        size = bytes
        ranged(size, "bytes", 1, 1 << 30)
        if sha256 is not None and (not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", sha256)):
            raise RuncrateValidationError("'sha256' must be 64 lowercase hex digits", param="sha256")
        # Safe to resend only when the digest identifies the archive (the platform dedupes on it).
        request = FinalRequest("POST", "/api/v1/jobs/uploads", json=clean({"bytes": size, "sha256": sha256}),
                               idempotent=sha256 is not None)  # fmt: skip
        return Op(request, one(JobUpload))


def _location(response: httpx2.Response) -> str:
    location = response.headers.get("location")
    if not response.is_redirect or not location:
        from neocloud.core.errors import APIResponseValidationError

        raise APIResponseValidationError(f"expected a redirect to a signed URL, got HTTP {response.status_code}")
    return str(location)


class JobGroups:
    """``client.job_groups``: get, cancel (every live job of the group)."""

    @staticmethod
    def get(group_id: str) -> Op[JobGroup]:
        return Op(FinalRequest("GET", route("/api/v1/job-groups/{group_id}", group_id=group_id)), one(JobGroup))

    @staticmethod
    def cancel(group_id: str) -> Op[JobGroup]:
        path = route("/api/v1/job-groups/{group_id}/cancel", group_id=group_id)
        return Op(FinalRequest("POST", path, min_timeout=GROUP_CANCEL_TIMEOUT), one(JobGroup))


def _run_at(value: datetime | str) -> str:
    """UTC ISO 8601 with milliseconds and ``Z``; naive datetimes are refused (their zone is a guess)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RuncrateValidationError(f"'run_at' must be an ISO 8601 time; got {value!r}", param="run_at") from None
    if not isinstance(value, datetime):
        raise RuncrateValidationError("'run_at' must be a datetime or an ISO 8601 string", param="run_at")
    if value.tzinfo is None:
        raise RuncrateValidationError("'run_at' needs a time zone (naive datetimes are ambiguous)", param="run_at")
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _schedule_body(fields: dict[str, Any], creating: bool) -> dict[str, Any]:
    if creating and fields.get("kind") not in ("instance", "job"):
        raise RuncrateValidationError("'kind' must be 'instance' or 'job'", param="kind", allowed="instance, job")
    if (creating or "spec" in fields) and (not isinstance(fields.get("spec"), dict)
                                           or "max_runtime_minutes" not in fields["spec"]):  # fmt: skip
        raise RuncrateValidationError("'spec' must be a create body with max_runtime_minutes", param="spec")
    run_at, cron = fields.get("run_at"), fields.get("cron")
    if run_at is not None and cron is not None:
        raise RuncrateValidationError("pass run_at or cron, not both", param="cron")
    if creating and run_at is None and cron is None:
        raise RuncrateValidationError("a schedule needs run_at (once) or cron (recurring)", param="run_at")
    if cron is not None and not _CRON.match(str(cron)):
        raise RuncrateValidationError("'cron' must have 5 fields", param="cron")
    if fields.get("overlap") not in (None, "skip", "allow"):
        raise RuncrateValidationError("'overlap' must be skip or allow", param="overlap", allowed="skip, allow")
    body = dict(fields)
    if run_at is not None:
        body["run_at"] = _run_at(run_at)
    if creating:
        return body_of(ScheduleCreate, body, "schedules.create")
    return body_of(ScheduleUpdate, body, "schedules.update")


class Schedules:
    """``client.schedules``: create, list, get, update, delete, run_now."""

    @staticmethod
    def create(idempotency_key: str | None = None, **fields: Any) -> Op[Schedule]:
        """Create a schedule that runs a job spec on a cron expression or at a time."""
        request = FinalRequest("POST", "/api/v1/schedules", json=_schedule_body(fields, creating=True),
                               idempotent=False, idempotency_key=idempotency_key or new_idempotency_key())  # fmt: skip
        return Op(request, one(Schedule))

    @staticmethod
    def list() -> Op[Page[Schedule]]:
        return Op(FinalRequest("GET", "/api/v1/schedules"), page_of(Schedule))

    @staticmethod
    def get(schedule_id: str) -> Op[Schedule]:
        return Op(FinalRequest("GET", route("/api/v1/schedules/{schedule_id}", schedule_id=schedule_id)), one(Schedule))

    @staticmethod
    def update(schedule_id: str, **fields: Any) -> Op[Schedule]:
        """Change a schedule (cron, spec, paused)."""
        if not fields:
            raise RuncrateValidationError("update needs at least one field", param="fields")
        path = route("/api/v1/schedules/{schedule_id}", schedule_id=schedule_id)
        return Op(FinalRequest("PATCH", path, json=_schedule_body(fields, creating=False)), one(Schedule))

    @staticmethod
    def delete(schedule_id: str) -> Op[None]:
        return Op(FinalRequest("DELETE", route("/api/v1/schedules/{schedule_id}", schedule_id=schedule_id)), none)

    @staticmethod
    def run_now(schedule_id: str) -> Op[ScheduleRun]:
        path = route("/api/v1/schedules/{schedule_id}/run-now", schedule_id=schedule_id)
        launch = Timeout(connect=10.0, read=75.0, write=75.0, pool=75.0)
        return Op(FinalRequest("POST", path, idempotent=False, min_timeout=launch), one(ScheduleRun))


class Environments:
    """``client.environments``: list, create, get, update, delete."""

    @staticmethod
    def list() -> Op[Page[Environment]]:
        return Op(FinalRequest("GET", "/api/v1/environments"), page_of(Environment))

    @staticmethod
    def create(*, name: str) -> Op[Environment]:
        """Create an environment (a named set of variables and secrets for jobs)."""
        body = {"name": ident(name, "name")}
        return Op(FinalRequest("POST", "/api/v1/environments", json=body, idempotent=False), one(Environment))

    @staticmethod
    def get(environment_id: str) -> Op[Environment]:
        return Op(FinalRequest("GET", route("/api/v1/environments/{environment_id}", environment_id=environment_id)),
                  one(Environment))  # fmt: skip

    @staticmethod
    def update(environment_id: str, name: str | None = None, is_default: bool | None = None) -> Op[Environment]:
        """Rename an environment or make it the default."""
        if name is not None:
            ident(name, "name")
        if is_default is not None and not isinstance(is_default, bool):
            raise RuncrateValidationError("'is_default' must be True or False", param="is_default")
        body = clean({"name": name, "is_default": is_default})
        if not body:
            raise RuncrateValidationError("update takes name and/or is_default", param="name")
        path = route("/api/v1/environments/{environment_id}", environment_id=environment_id)
        return Op(FinalRequest("PATCH", path, json=body), one(Environment))

    @staticmethod
    def delete(environment_id: str) -> Op[None]:
        return Op(
            FinalRequest("DELETE", route("/api/v1/environments/{environment_id}", environment_id=environment_id)), none
        )


class Secrets:
    """``client.secrets``: names and flags of the environment's secrets (never their values)."""

    @staticmethod
    def list() -> Op[Page[Secret]]:
        return Op(FinalRequest("GET", "/api/v1/secrets"), page_of(Secret))
