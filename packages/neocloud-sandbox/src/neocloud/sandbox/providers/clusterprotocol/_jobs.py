"""Cluster Protocol plane: fine-tuning jobs (time-driven lifecycle) and the dataset marketplace."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...common import Ctx, json_response
from ..lifecycle import iso, phase_of
from ._account import DATASETS, MODELS, Account, charge, open_request

__all__ = ["datasets_routes", "fine_tuning_routes", "refresh_jobs"]

_PHASES = ("queued", "running", "succeeded")
_FINAL = {"succeeded", "failed", "cancelled"}
FINE_TUNE_PRICE = 2.0  # USD per job (sandbox price list)


def refresh_jobs(ctx: Ctx, account: Account) -> None:
    """Advance every job to the phase its age implies (a cancelled job stays cancelled)."""
    for job in account.jobs.values():
        if job["status"] in {"failed", "cancelled"} or job["status"] == "succeeded":
            continue
        status, progress = phase_of(job["_created"], _PHASES, ctx.state.settings.work_phase_s)
        job["status"] = status
        job["progress"] = round(progress, 3) if status == "running" else (1.0 if status == "succeeded" else None)
        job["train_loss"] = round(2.0 - 1.5 * progress, 4) if status != "queued" else None
        if status == "succeeded":
            job["fine_tuned_model"] = f"{job['base_model']}:ft-{job['suffix'] or job['id'][-6:]}"
            job["finished_at"] = iso(time.time())


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


_FIELDS = {"base_model", "training_file", "suffix", "epochs", "learning_rate", "lora_rank", "lora_alpha"}


def _validate(body: dict[str, Any]) -> tuple[str, str] | None:
    unknown = set(body) - _FIELDS
    if unknown:
        return sorted(unknown)[0], "unknown field"
    chat_models = {m.id for m in MODELS if m.category == "chat"}
    if body.get("base_model") not in chat_models:
        return "base_model", f"must be one of {sorted(chat_models)}"
    training = body.get("training_file")
    if not isinstance(training, str) or not training.startswith("https://"):
        return "training_file", "must be an https:// URL to a JSONL file"
    for name, low, high in (("epochs", 1, 100), ("lora_rank", 1, 256), ("lora_alpha", 1, 512)):
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
            return name, f"must be an integer from {low} to {high}"
    rate = body.get("learning_rate")
    if rate is not None and (not isinstance(rate, (int, float)) or not 0 < rate < 1):
        return "learning_rate", "must be a number between 0 and 1"
    return None


async def fine_tunes(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    refresh_jobs(ctx, account)
    if request.method == "GET":
        jobs = sorted(account.jobs.values(), key=lambda j: j["_created"], reverse=True)
        limit = request.query_params.get("limit")
        if limit is not None:
            if not limit.isdigit() or not 1 <= int(limit) <= 100:
                return ctx.error(400, "'limit' must be 1..100", param="limit")
            jobs = jobs[: int(limit)]
        return json_response(ctx, {"object": "list", "data": [_public(j) for j in jobs]})
    key = ctx.idempotency_key
    if key and key in account.idempotent:
        return json_response(ctx, _public(account.jobs[account.idempotent[key]]))
    body, bad = ctx.json()
    if bad:
        return bad
    problem = _validate(body)
    if problem:
        return ctx.error(400, f"'{problem[0]}' {problem[1]}", param=problem[0])
    broke = charge(ctx, account, FINE_TUNE_PRICE)
    if broke:
        return broke
    now = time.time()
    job_id = ctx.state.new_id("ft_job_")
    job = {"id": job_id, "object": "fine_tuning.job", "status": "queued", "base_model": body["base_model"],
           "training_file": body["training_file"], "suffix": body.get("suffix"), "progress": None, "train_loss": None,
           "fine_tuned_model": None, "created_at": iso(now), "finished_at": None, "error": None,
           "hyperparameters": {k: body[k] for k in ("epochs", "learning_rate", "lora_rank", "lora_alpha") if k in body},
           "_created": now}  # fmt: skip
    account.jobs[job_id] = job
    if key:
        account.idempotent[key] = job_id
    return json_response(ctx, _public(job), status=200)


async def fine_tune(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    refresh_jobs(ctx, account)
    job = account.jobs.get(request.path_params["job_id"])
    if job is None:
        return ctx.error(404, f"Fine-tuning job {request.path_params['job_id']} not found", code="not_found")
    if request.url.path.endswith("/cancel") and job["status"] not in _FINAL:
        job.update(status="cancelled", finished_at=iso(time.time()))
    return json_response(ctx, _public(job))


def fine_tuning_routes() -> list[Route]:
    return [
        Route("/v1/fine_tuning/jobs", fine_tunes, methods=["GET", "POST"]),
        Route("/v1/fine_tuning/jobs/{job_id}", fine_tune, methods=["GET"]),
        Route("/v1/fine_tuning/jobs/{job_id}/cancel", fine_tune, methods=["POST"]),
    ]


def _find(slug_or_id: str) -> dict[str, Any] | None:
    return next((d for d in DATASETS if slug_or_id in (d["id"], d["slug"])), None)


async def datasets(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    if early:
        return early
    params = request.query_params
    page, limit = params.get("page", "1"), params.get("limit", "20")
    if not page.isdigit() or int(page) < 1 or not limit.isdigit() or not 1 <= int(limit) <= 100:
        return ctx.error(400, "'page' must be >= 1 and 'limit' 1..100", param="page")
    q, category = params.get("q", "").lower(), params.get("category")
    found = [d for d in DATASETS if q in str(d["name"]).lower() and (not category or category in d["taskCategories"])]
    start = (int(page) - 1) * int(limit)
    pagination = {"total": len(found), "page": int(page), "limit": int(limit)}
    return json_response(ctx, {"datasets": found[start : start + int(limit)], "pagination": pagination})


async def dataset(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    data = _find(request.path_params["slug"])
    if data is None:
        return ctx.error(404, f"Dataset {request.path_params['slug']} not found", code="not_found")
    path = request.url.path
    owned = data["pricingType"] == "free" or data["id"] in account.purchases
    if path.endswith("/access"):
        return json_response(ctx, {"hasAccess": owned, "reason": None if owned else "purchase required"})
    if path.endswith("/purchase"):
        return await _purchase(ctx, account, data)
    if "/ipfs-download/" in path:
        cid = request.path_params["cid"]
        if not owned:
            return ctx.error(403, "Purchase this dataset before downloading it", code="access_denied")
        if cid not in {f["ipfsCid"] for f in data["files"]}:
            return ctx.error(404, f"File {cid} not found", code="not_found")
        content = b"".join(b'{"row": %d, "cid": "%s"}\n' % (i, cid.encode()) for i in range(3))
        return Response(content, media_type="application/octet-stream", headers={"x-request-id": ctx.rid})
    return json_response(ctx, data)


async def _purchase(ctx: Ctx, account: Account, data: dict[str, Any]) -> Response:
    key = ctx.idempotency_key
    if key and key in account.idempotent:
        return json_response(ctx, account.idempotent[key])
    body, bad = ctx.json() if ctx.body else ({}, None)
    if bad:
        return bad
    method = (body or {}).get("paymentMethod", "balance")
    if method not in ("balance", "eth", "token"):
        return ctx.error(400, "'paymentMethod' must be balance, eth or token", param="paymentMethod")
    if data["id"] in account.purchases:
        result = {"datasetId": data["id"], "status": "already_owned", "message": "You already own this dataset."}
    else:
        if method == "balance":
            broke = charge(ctx, account, float(data["priceUsd"]))
            if broke:
                return broke
        account.purchases.add(data["id"])
        result = {"id": f"pur_{len(account.purchases)}", "datasetId": data["id"], "status": "completed"}
    if key:
        account.idempotent[key] = result
    return json_response(ctx, result)


def datasets_routes() -> list[Route]:
    return [
        Route("/api/datasets", datasets, methods=["GET"]),
        Route("/api/datasets/{slug}", dataset, methods=["GET"]),
        Route("/api/datasets/{slug}/purchase", dataset, methods=["POST"]),
        Route("/api/datasets/{slug}/access", dataset, methods=["GET"]),
        Route("/api/datasets/{slug}/ipfs-download/{cid}", dataset, methods=["GET"]),
    ]
