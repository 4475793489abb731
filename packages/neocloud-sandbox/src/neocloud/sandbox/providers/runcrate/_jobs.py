"""Runcrate jobs over HTTP: run (single or group), list (cursor pages), get, cancel, delete, rerun, logs (long
poll with ``follow``), events, metrics, artifacts (a redirect to a signed URL served without auth), uploads
(a signed PUT URL), and job groups. Lifecycle rules live in ``_jobs_model``."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...common import Ctx
from ..lifecycle import iso, parse_iso
from ._control import new_id
from ._jobs_model import LIVE, advance, cancel, check_spec, new_job, public_job, spec_fields
from ._workspace import NAME, Workspace, envelope, environment, open_request

__all__ = ["job_routes"]

MAX_UPLOAD = 1 << 30


def _sig(*parts: str) -> str:
    return hashlib.sha256(":".join(("sandbox-signing", *parts)).encode()).hexdigest()[:24]


def _refresh(ctx: Ctx, ws: Workspace) -> None:
    now = time.time()
    for job in ws.jobs.values():
        advance(job, ws, ctx.state.settings.work_phase_s, now)


def _job(ctx: Ctx, ws: Workspace) -> dict[str, Any] | None:
    job = ws.jobs.get(ctx.request.path_params["job_id"])
    return job if job is not None and job["environment_id"] == environment(ctx) else None


def _submit(ctx: Ctx, ws: Workspace, body: dict[str, Any], rerun_of: str | None = None) -> Response:
    env, now = environment(ctx), time.time()
    if ws.credits <= 0:
        return ctx.error(402, "Not enough credits to run a job", code="insufficient_credits", balance=ws.credits)
    params, count = body.get("params"), body.get("count")
    grouped = params is not None or count is not None
    if params is not None and count is not None:
        return ctx.error(422, "pass count or params, not both", code="validation_error", param="count")
    if params is not None and (
        not isinstance(params, list) or not params or not all(isinstance(p, dict) for p in params)
    ):
        return ctx.error(422, "params must be a non-empty list of objects", code="validation_error", param="params")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1000):
        return ctx.error(422, "count must be an integer from 1 to 1000", code="validation_error", param="count")
    size = len(params) if params is not None else (count or 1)
    parallel = body.get("max_parallel") or size
    if not isinstance(parallel, int) or isinstance(parallel, bool) or parallel < 1:
        return ctx.error(422, "max_parallel must be a positive integer", code="validation_error", param="max_parallel")
    spec = spec_fields(body)
    secret = "whsec_" + _sig(ctx.rid)[:20] if spec.get("webhook_url") else None
    slot = 4 * ctx.state.settings.work_phase_s  # a job's whole life: the next one in a group starts after it
    group_id = new_id("grp_", ctx) if grouped else None
    jobs = []
    for index in range(size):
        one = dict(spec)
        if params is not None:
            one["env"] = {**spec.get("env", {}), **{k: str(v) for k, v in params[index].items()}}
        if grouped:
            one["name"] = f"{spec.get('name') or 'job'}-{index}"
        job = new_job(ws, one, job_id=new_id("job_", ctx), env=env, now=now, start=now + (index // parallel) * slot,
                      group_id=group_id, index=index, rerun_of=rerun_of)  # fmt: skip
        ws.jobs[job["id"]] = job
        jobs.append(job)
    if group_id is None:
        answer = public_job(jobs[0]) | ({"webhook_secret": secret} if secret else {})
    else:
        ws.groups[group_id] = {"id": group_id, "count": size, "max_parallel": parallel, "created_at": iso(now),
                               "_env": env, "_jobs": [j["id"] for j in jobs]}  # fmt: skip
        answer = _group(ws, ws.groups[group_id]) | {"jobs": [public_job(j) for j in jobs]}
        answer |= {"webhook_secret": secret} if secret else {}
    if ctx.idempotency_key:
        ws.replies[ctx.idempotency_key] = answer
    return envelope(ctx, answer, status=201)


def _group(ws: Workspace, group: dict[str, Any]) -> dict[str, Any]:
    members = [ws.jobs[j] for j in group["_jobs"] if j in ws.jobs]
    return {k: v for k, v in group.items() if not k.startswith("_")} | {
        "status_counts": dict(Counter(j["status"] for j in members)),
        "cost_usd": round(sum(j["cost_usd"] for j in members), 6),
    }


async def jobs(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    _refresh(ctx, ws)
    if request.method == "POST":
        key = ctx.idempotency_key
        if key and key in ws.replies:  # the same submission again: the same job, nothing new
            return envelope(ctx, ws.replies[key], status=201)
        body, bad = ctx.json()
        if bad:
            return bad
        problem = check_spec(body, ws, environment(ctx))
        if problem:
            return ctx.error(422, problem[1], code="validation_error", param=problem[0])
        return _submit(ctx, ws, body)
    return _list(ctx, ws)


def _list(ctx: Ctx, ws: Workspace) -> Response:
    q = ctx.request.query_params
    try:
        limit = int(q.get("limit", "20"))
        offset = int(q.get("cursor", "c_0").removeprefix("c_"))
        after = parse_iso(q["created_after"]).timestamp() if "created_after" in q else None
    except ValueError:
        return ctx.error(422, "limit, cursor or created_after is malformed", code="validation_error", param="limit")
    if not 1 <= limit <= 100:
        return ctx.error(422, "limit must be from 1 to 100", code="validation_error", param="limit")
    statuses = set(q["status"].split(",")) if q.get("status") else None
    tags = [t.partition(":") for t in q.getlist("tag")]
    found = [j for j in reversed(ws.jobs.values())
             if j["environment_id"] == environment(ctx)
             and (statuses is None or j["status"] in statuses)
             and all(j["tags"].get(k) == v for k, _, v in tags)
             and q.get("group_id") in (None, j["group_id"])
             and q.get("gpu_type") in (None, j["gpu_type"])
             and (not q.get("q") or q["q"].lower() in (j["name"] + " " + j["command"]).lower())
             and (after is None or parse_iso(j["created_at"]).timestamp() > after)]  # fmt: skip
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return envelope(ctx, [public_job(j) for j in page], cursor=f"c_{offset + limit}" if more else None, has_more=more)


async def job(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    _refresh(ctx, ws)
    found = _job(ctx, ws)
    if found is None:
        return ctx.error(404, f"Job {request.path_params['job_id']} not found", code="not_found")
    action = request.url.path.rsplit("/", 1)[-1]
    if request.method == "DELETE":
        if found["status"] in LIVE:
            return ctx.error(409, "the job is still live: cancel it first", code="job_live")
        del ws.jobs[found["id"]]
        return Response(status_code=204, headers={"x-request-id": ctx.rid})
    if action == "cancel":
        if found["status"] in LIVE:
            cancel(found, ws, time.time())
        elif found["status"] != "cancelled":
            return ctx.error(409, f"the job already {found['status']}", code="job_not_live")
    elif action == "rerun":
        return await _rerun(ctx, ws, found)
    elif action == "events":
        return envelope(ctx, found["_events"])
    elif action == "metrics":
        step = request.query_params.get("step")
        if step is not None and not (step.isdigit() and 60 <= int(step) <= 86_400):
            return ctx.error(422, "step must be 60..86400 seconds", code="validation_error", param="step")
        return envelope(ctx, found["_metrics"])
    elif action == "logs":
        return await _logs(ctx, ws, found)
    return envelope(ctx, public_job(found))


async def _rerun(ctx: Ctx, ws: Workspace, old: dict[str, Any]) -> Response:
    key = ctx.idempotency_key
    if key and key in ws.replies:
        return envelope(ctx, ws.replies[key], status=201)
    overrides, bad = ctx.json() if ctx.body else ({}, None)
    if bad:
        return bad
    if not isinstance(overrides, dict):
        return ctx.error(422, "overrides must be an object", code="validation_error")
    spec = dict(old["_spec"])
    for name, value in overrides.items():
        if name == "env" and isinstance(value, dict):
            spec["env"] = {**spec.get("env", {}), **value}  # merged over the old values
        elif value is None:
            spec.pop(name, None)  # an explicit null drops the field (e.g. webhook_url)
        else:
            spec[name] = value
    problem = check_spec(spec, ws, environment(ctx))
    if problem:
        return ctx.error(422, problem[1], code="validation_error", param=problem[0])
    return _submit(ctx, ws, spec, rerun_of=old["id"])


async def _logs(ctx: Ctx, ws: Workspace, job: dict[str, Any]) -> Response:
    q = ctx.request.query_params
    try:
        after, limit = int(q.get("after", "0")), int(q.get("limit", "1000"))
    except ValueError:
        return ctx.error(422, "after and limit must be integers", code="validation_error", param="after")
    if q.get("follow") == "true":  # long poll: hold an empty read until a line arrives or the job ends
        waited, beat = 0.0, max(ctx.state.settings.work_phase_s / 4, 0.01)
        while not [c for c in job["_logs"] if c["seq"] > after] and job["status"] in LIVE and waited < 25:
            await asyncio.sleep(beat)
            waited += beat
            advance(job, ws, ctx.state.settings.work_phase_s)
    chunks = [c for c in job["_logs"] if c["seq"] > after][:limit]
    cursor = chunks[-1]["seq"] if chunks else after
    done = job["status"] not in LIVE and cursor >= len(job["_logs"])
    return envelope(ctx, {"job_id": job["id"], "status": job["status"], "chunks": chunks, "cursor": cursor,
                          "truncated": False, "done": done})  # fmt: skip


async def artifacts(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    _refresh(ctx, ws)
    found = _job(ctx, ws)
    if found is None:
        return ctx.error(404, f"Job {request.path_params['job_id']} not found", code="not_found")
    path = request.path_params.get("path")
    if path is None:
        return envelope(ctx, [{"path": p, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                              for p, b in found["_artifacts"].items()])  # fmt: skip
    if path not in found["_artifacts"]:
        return ctx.error(404, f"no artifact {path!r}", code="not_found")
    root = str(request.url).split("/api/v1/")[0]
    expires = str(int(time.time()) + 3600)
    location = f"{root}/_signed/artifacts/{found['id']}/{path}?expires={expires}&sig={_sig(found['id'], path, expires)}"
    return RedirectResponse(location, status_code=302, headers={"x-request-id": ctx.rid})


def _all_jobs(request: Request) -> dict[str, dict[str, Any]]:
    state = request.app.state.sandbox
    return {
        jid: j for ws in state.planes.get(NAME, {}).values() if isinstance(ws, Workspace) for jid, j in ws.jobs.items()
    }


async def signed_artifact(request: Request) -> Response:
    """The signed download URL: no API key, only a valid signature."""
    job_id, path = request.path_params["job_id"], request.path_params["path"]
    expires = request.query_params.get("expires", "0")
    found = _all_jobs(request).get(job_id)
    if request.query_params.get("sig") != _sig(job_id, path, expires) or float(expires) < time.time() or not found:
        return Response("signature invalid or expired", status_code=403, media_type="text/plain")
    return Response(found["_artifacts"][path], media_type="application/octet-stream")


async def uploads(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    size, digest = body.get("bytes"), body.get("sha256")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_UPLOAD:
        return ctx.error(422, "bytes must be from 1 to 1 GB", code="validation_error", param="bytes")
    now = time.time()
    done = next((u for u in ws.uploads.values() if digest and u["sha256"] == digest), None)
    if done is not None:  # already have this archive: no PUT needed
        return envelope(ctx, {**_upload(done), "url": None, "url_expires_at": None}, status=201)
    upload_id = new_id("upl_", ctx)
    root = str(request.url).split("/api/v1/")[0]
    ws.uploads[upload_id] = {"upload_id": upload_id, "sha256": None, "expires_at": iso(now + 86_400),
                             "max_bytes": size, "_expected": digest,
                             "_url": f"{root}/_signed/uploads/{upload_id}?sig={_sig(upload_id)}"}  # fmt: skip
    return envelope(ctx, {**_upload(ws.uploads[upload_id]), "url_expires_at": iso(now + 3600)}, status=201)


def _upload(upload: dict[str, Any]) -> dict[str, Any]:
    return {"upload_id": upload["upload_id"], "url": upload["_url"], "expires_at": upload["expires_at"],
            "max_bytes": upload["max_bytes"]}  # fmt: skip


async def signed_upload(request: Request) -> Response:
    """The signed PUT URL of an upload: no API key; the body is the archive."""
    upload_id = request.path_params["upload_id"]
    state = request.app.state.sandbox
    upload = next((ws.uploads[upload_id] for ws in state.planes.get(NAME, {}).values()
                   if isinstance(ws, Workspace) and upload_id in ws.uploads), None)  # fmt: skip
    if upload is None or request.query_params.get("sig") != _sig(upload_id):
        return Response("signature invalid", status_code=403, media_type="text/plain")
    data = await request.body()
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > upload["max_bytes"] or upload["_expected"] not in (None, digest):
        return Response("size or sha256 does not match the upload", status_code=400, media_type="text/plain")
    upload["sha256"] = digest
    return Response(status_code=200)


async def job_group(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    _refresh(ctx, ws)
    group = ws.groups.get(request.path_params["group_id"])
    if group is None or group["_env"] != environment(ctx):
        return ctx.error(404, f"Job group {request.path_params['group_id']} not found", code="not_found")
    if request.method == "POST":
        now = time.time()
        for jid in group["_jobs"]:
            if jid in ws.jobs and ws.jobs[jid]["status"] in LIVE:
                cancel(ws.jobs[jid], ws, now)
    return envelope(ctx, _group(ws, group))


def job_routes() -> list[Route]:
    # /jobs/uploads must be matched before /jobs/{job_id}.
    return [
        Route("/api/v1/jobs/uploads", uploads, methods=["POST"]),
        Route("/api/v1/jobs", jobs, methods=["GET", "POST"]),
        Route("/api/v1/jobs/{job_id}", job, methods=["GET", "DELETE"]),
        Route("/api/v1/jobs/{job_id}/cancel", job, methods=["POST"]),
        Route("/api/v1/jobs/{job_id}/rerun", job, methods=["POST"]),
        Route("/api/v1/jobs/{job_id}/logs", job, methods=["GET"]),
        Route("/api/v1/jobs/{job_id}/events", job, methods=["GET"]),
        Route("/api/v1/jobs/{job_id}/metrics", job, methods=["GET"]),
        Route("/api/v1/jobs/{job_id}/artifacts", artifacts, methods=["GET"]),
        Route("/api/v1/jobs/{job_id}/artifacts/{path:path}", artifacts, methods=["GET"]),
        Route("/api/v1/job-groups/{group_id}", job_group, methods=["GET"]),
        Route("/api/v1/job-groups/{group_id}/cancel", job_group, methods=["POST"]),
        Route("/_signed/artifacts/{job_id}/{path:path}", signed_artifact, methods=["GET"]),
        Route("/_signed/uploads/{upload_id}", signed_upload, methods=["PUT"]),
    ]
