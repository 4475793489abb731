"""Runcrate jobs as data: validating a ``JobSpec`` and advancing a job through its lifecycle (pure, no HTTP).

A job spends ``phase_s`` queued, ``phase_s`` starting and ``2 * phase_s`` running, then exits. The sandbox
runs no code: the exit code is the last ``exit N`` in the command (0 when there is none), which is what bash
would return for such a script. A failed attempt is retried while ``max_retries`` and ``retry_on`` /
``retry_exit_codes`` allow. Jobs of a group beyond ``max_parallel`` wait for a slot (``queue_reason``).
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from ..lifecycle import iso
from ._workspace import INSTANCE_TYPES, Workspace

__all__ = ["LIVE", "advance", "cancel", "check_spec", "new_job", "public_job", "spec_fields"]

GPU_TYPES = {str(t["gpu_type"]) for t in INSTANCE_TYPES}
REGION_PREFIXES = {str(t["region"]) for t in INSTANCE_TYPES}
LIVE = ("queued", "starting", "running")
SPEC_FIELDS = ("command", "gpu_type", "max_runtime_minutes", "gpu_count", "template", "image", "env", "storage_id",
               "name", "region", "capacity_wait_minutes", "max_retries", "retry_on", "retry_exit_codes", "tags",
               "webhook_url", "webhook_events", "code", "image_registry_auth", "allow_cpu_container")  # fmt: skip
_EXIT = re.compile(r"\bexit\s+(\d{1,3})\b")


def spec_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in SPEC_FIELDS if k in body and body[k] is not None}


def _candidates(gpu_type: Any, gpu_count: Any) -> list[dict[str, Any]] | str:
    """``[{gpu_type, gpu_count}]`` from ``"H100"``, ``"H100:2"`` or a list of those; an error text otherwise."""
    items = gpu_type if isinstance(gpu_type, list) else [gpu_type]
    out = []
    for item in items:
        if not isinstance(item, str) or not item:
            return "gpu_type must be a string or a list of strings"
        name, _, count = item.partition(":")
        if name not in GPU_TYPES:
            return f"unknown gpu_type {name!r}; available: {', '.join(sorted(GPU_TYPES))}"
        if count and not (count.isdigit() and 1 <= int(count) <= 8):
            return f"bad GPU count in {item!r}"
        out.append({"gpu_type": name, "gpu_count": int(count) if count else gpu_count})
    return out or "gpu_type is required"


def _int_in(body: dict[str, Any], name: str, low: int, high: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        return f"{name} is required" if required else None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        return f"{name} must be an integer from {low} to {high}"
    return None


def check_spec(body: Any, ws: Workspace, env: str, partial: bool = False) -> tuple[str, str] | None:
    """``(param, message)`` of the first problem of a ``JobSpec`` (``partial``: a rerun's overrides)."""
    if not isinstance(body, dict):
        return "body", "a JSON object is required"
    command = body.get("command")
    if not (partial and command is None) and (not isinstance(command, str) or not command.strip()):
        return "command", "command is required"
    if isinstance(command, str) and len(command.encode()) > 65_536:
        return "command", "command must be at most 64 KB"
    for name, low, high, required in (("max_runtime_minutes", 1, 10080, not partial), ("gpu_count", 1, 8, False),
                                      ("capacity_wait_minutes", 0, 1440, False), ("max_retries", 0, 10, False)):  # fmt: skip
        problem = _int_in(body, name, low, high, required)
        if problem:
            return name, problem
    if not (partial and body.get("gpu_type") is None):
        found = _candidates(body.get("gpu_type"), body.get("gpu_count") or 1)
        if isinstance(found, str):
            return "gpu_type", found
    if not set(body.get("retry_on") or []) <= {"machine_failure", "nonzero_exit"}:
        return "retry_on", "retry_on takes machine_failure and/or nonzero_exit"
    if not set(body.get("webhook_events") or []) <= {"started", "finished"}:
        return "webhook_events", "webhook_events takes started and/or finished"
    if body.get("webhook_url") is not None and not str(body["webhook_url"]).startswith("https://"):
        return "webhook_url", "webhook_url must be an https URL"
    for name in ("env", "tags"):
        value = body.get(name)
        if value is not None and (not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values())):
            return name, f"{name} must map strings to strings"
    region = body.get("region")
    if region is not None and not any(r.startswith(str(region)) for r in REGION_PREFIXES):
        return "region", f"no region matches {region!r}"
    if body.get("storage_id") is not None:
        volume = ws.volumes.get(body["storage_id"])
        if volume is None or volume["_env"] != env:
            return "storage_id", f"unknown storage volume {body['storage_id']!r}"
    code = body.get("code")
    if code is not None:
        upload = ws.uploads.get(code.get("upload_id", "")) if isinstance(code, dict) else None
        git = code.get("git") if isinstance(code, dict) else None
        if upload is None and not (isinstance(git, dict) and git.get("url")):
            return "code", "code must be {upload_id} of a finished upload or {git: {url, ref}}"
        if upload is not None and upload.get("sha256") is None:
            return "code", "the upload has not been completed (PUT the archive first)"
    return None


def _shorten(url: str | None) -> str | None:
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/…"


def new_job(ws: Workspace, spec: dict[str, Any], *, job_id: str, env: str, now: float, start: float,
            group_id: str | None = None, index: int = 0, rerun_of: str | None = None) -> dict[str, Any]:  # fmt: skip
    """A queued job record (private fields start with ``_``)."""
    candidates = _candidates(spec["gpu_type"], spec.get("gpu_count") or 1)
    assert isinstance(candidates, list)
    chosen = candidates[0]
    rate = next(t["hourly_rate"] for t in INSTANCE_TYPES
                if t["gpu_type"] == chosen["gpu_type"] and t["gpu_count"] == chosen["gpu_count"])  # fmt: skip
    code = spec.get("code")
    if isinstance(code, dict) and "upload_id" in code:
        code = {"source": "upload", "ref": code["upload_id"], "sha256": ws.uploads[code["upload_id"]]["sha256"]}
    elif isinstance(code, dict):
        code = {"source": "git", "url": code["git"]["url"], "ref": code["git"].get("ref") or "main",
                "commit": hashlib.sha256(str(code["git"]).encode()).hexdigest()[:40]}  # fmt: skip
    return {
        "id": job_id, "name": spec.get("name") or f"job-{job_id[-6:]}", "status": "queued", "command": spec["command"],
        "gpu_type": chosen["gpu_type"], "gpu_count": chosen["gpu_count"], "gpu_candidates": candidates,
        "max_runtime_minutes": spec["max_runtime_minutes"], "created_at": iso(now), "template": spec.get("template"),
        "image": spec.get("image"), "env_keys": sorted(spec.get("env") or {}), "storage_id": spec.get("storage_id"),
        "capacity_wait_minutes": spec.get("capacity_wait_minutes", 30),
        "queue_reason": "max_parallel" if start > now else None, "next_attempt_at": None, "attempt": 1,
        "max_retries": spec.get("max_retries", 0), "retry_on": spec.get("retry_on", []),
        "retry_exit_codes": spec.get("retry_exit_codes", []), "attempts": [], "exit_code": None, "error": None,
        "instance_id": None, "environment_id": env, "tags": spec.get("tags", {}), "group_id": group_id,
        "job_index": index, "rerun_of": rerun_of, "webhook_url": _shorten(spec.get("webhook_url")),
        "webhook_events": spec.get("webhook_events", []), "started_at": None, "ended_at": None, "cost_per_hour": rate,
        "cost_usd": 0.0, "log_bytes": 0, "logs_truncated": False, "code": code,
        "allow_cpu_container": bool(spec.get("allow_cpu_container")), "image_registry_auth": spec.get("image_registry_auth"),
        "artifacts_count": 0, "gpu_util_avg": None, "gpu_mem_peak_mb": None, "region": spec.get("region"),
        "_spec": spec, "_start": start, "_reached": -1, "_events": [], "_logs": [], "_metrics": [], "_artifacts": {},
    }  # fmt: skip


def public_job(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_") and k != "region"}


def _log(job: dict[str, Any], ts: float, text: str) -> None:
    job["_logs"].append({"seq": len(job["_logs"]) + 1, "ts": iso(ts), "text": text})
    job["log_bytes"] += len(text.encode())


def _exit_code(command: str) -> int:
    codes = _EXIT.findall(command)
    return int(codes[-1]) if codes else 0


def cancel(job: dict[str, Any], ws: Workspace, now: float) -> None:
    """Stop a live job now (what ran is billed)."""
    _charge(job, ws, now)
    job.update(status="cancelled", ended_at=iso(now), queue_reason=None, _reached=99)
    job["_events"].append(
        {"at": iso(now), "kind": "cancelled", "detail": "cancelled by request", "attempt": job["attempt"]}
    )


def _charge(job: dict[str, Any], ws: Workspace, now: float) -> None:
    began = job.get("_running_since")
    if began is None:
        return
    cost = round(job["cost_per_hour"] * (now - began) / 3600, 6)
    job["cost_usd"] = round(job["cost_usd"] + cost, 6)
    job["_running_since"] = None
    ws.record("job", -cost, f"Job {job['name']} ({job['gpu_count']}x {job['gpu_type']})")


def advance(job: dict[str, Any], ws: Workspace, phase_s: float, now: float | None = None) -> None:
    """Bring ``job`` up to date: every phase it has reached since it was last looked at is recorded."""
    now = time.time() if now is None else now
    while job["status"] in LIVE:
        reached = min(int((now - job["_start"]) // phase_s) if phase_s > 0 else 4, 4) if now >= job["_start"] else -1
        if reached <= job["_reached"]:
            return
        step = job["_reached"] + 1
        at = job["_start"] + max(step, 0) * phase_s
        job["_reached"] = step
        attempt = job["attempt"]
        if step == 0:
            if attempt == 1:
                job["_events"] += [{"at": job["created_at"], "kind": "created"}, {"at": iso(at), "kind": "queued"}]
            job["queue_reason"] = None
        elif step == 1:
            job.update(status="starting", instance_id=f"inst_job_{job['id'][-8:]}_{attempt}")
            job["_events"].append({"at": iso(at), "kind": "launch_attempt", "attempt": attempt,
                                   "detail": f"{job['gpu_count']}x {job['gpu_type']}"})  # fmt: skip
            _log(job, at, f"[runcrate] launching {job['gpu_count']}x {job['gpu_type']} (attempt {attempt})")
        elif step == 2:
            job.update(status="running", started_at=job["started_at"] or iso(at), _running_since=at)
            job["_events"].append({"at": iso(at), "kind": "started", "attempt": attempt})
            _log(job, at, f"[runcrate] running in /workspace: {job['command'].splitlines()[0][:200]}")
            job["_metrics"].append({"at": iso(at), "gpus": [{"util": 0.91, "mem_used_mb": 61_440, "mem_total_mb": 81_920}
                                                            for _ in range(job["gpu_count"])]})  # fmt: skip
        elif step == 3:
            _log(job, at, "[runcrate] step 1/1 complete")
            job["_metrics"].append({"at": iso(at), "gpus": [{"util": 0.87, "mem_used_mb": 63_488, "mem_total_mb": 81_920}
                                                            for _ in range(job["gpu_count"])]})  # fmt: skip
        else:
            _finish(job, ws, at)


def _finish(job: dict[str, Any], ws: Workspace, at: float) -> None:
    code = _exit_code(job["command"])
    _charge(job, ws, at)
    attempt = {"attempt": job["attempt"], "status": "succeeded" if code == 0 else "failed", "gpu_type": job["gpu_type"],
               "gpu_count": job["gpu_count"], "deployment_id": job["instance_id"], "exit_code": code,
               "error": None if code == 0 else f"command exited with code {code}", "started_at": job["started_at"],
               "ended_at": iso(at), "cost_usd": job["cost_usd"], "region": job["region"] or "us-east"}  # fmt: skip
    job["attempts"].append(attempt)
    job["_events"].append({"at": iso(at), "kind": "exited", "detail": f"exit code {code}", "attempt": job["attempt"]})
    _log(job, at, f"[runcrate] exit {code}")
    retry_codes = job["retry_exit_codes"]
    retry = code != 0 and "nonzero_exit" in job["retry_on"] and (not retry_codes or code in retry_codes)
    if retry and job["attempt"] <= job["max_retries"]:
        job.update(attempt=job["attempt"] + 1, status="queued", next_attempt_at=iso(at), _start=at, _reached=-1)
        return
    job.update(status="succeeded" if code == 0 else "failed", exit_code=code, ended_at=iso(at), next_attempt_at=None,
               error=attempt["error"], gpu_util_avg=0.89, gpu_mem_peak_mb=63_488)  # fmt: skip
    if code == 0:
        content = f"job {job['id']} finished: {job['command'].splitlines()[0][:200]}\n".encode()
        job["_artifacts"]["outputs/result.txt"] = content
        job["artifacts_count"] = 1
