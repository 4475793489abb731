"""Runcrate workspace settings: environments, secrets (names only), top-ups, auto-recharge, payment methods,
and schedules (created, edited and run on demand; the sandbox never fires a schedule by the clock, so tests
decide when a run happens with ``run-now``)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...common import Ctx
from ..lifecycle import iso
from ._control import launch, new_id, public, refresh_instances
from ._jobs_model import check_spec, new_job, public_job
from ._workspace import Workspace, envelope, environment, open_request

__all__ = ["account_routes"]

SECRETS = ({"key": "HF_TOKEN", "sensitive": True}, {"key": "WANDB_PROJECT", "sensitive": False})
CARD = {"type": "card", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030, "default": True}


def _environments(ctx: Ctx, ws: Workspace) -> dict[str, dict[str, Any]]:
    if not ws.environments:  # every workspace starts with its default environment
        ws.environments["env_main"] = {"id": "env_main", "name": "main", "is_default": True, "created_at": iso(0),
                                       "updated_at": iso(0), "monthly_budget_usd": None}  # fmt: skip
    for env in ws.environments.values():
        spent = sum(j["cost_usd"] for j in ws.jobs.values() if j["environment_id"] == env["name"])
        env.update(month_to_date_usd=round(spent, 6), budget_remaining_usd=None)
    return ws.environments


async def environments(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    envs = _environments(ctx, ws)
    if request.method == "GET":
        return envelope(ctx, list(envs.values()))
    body, bad = ctx.json()
    if bad:
        return bad
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        return ctx.error(422, "name is required (at most 64 characters)", code="validation_error", param="name")
    if any(e["name"] == name for e in envs.values()):
        return ctx.error(409, f"an environment named {name!r} exists", code="conflict")
    env_id, now = new_id("env_", ctx), iso(time.time())
    envs[env_id] = {"id": env_id, "name": name, "is_default": False, "created_at": now, "updated_at": now,
                    "monthly_budget_usd": None, "month_to_date_usd": 0.0, "budget_remaining_usd": None}  # fmt: skip
    return envelope(ctx, envs[env_id], status=201)


async def environment_item(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    envs = _environments(ctx, ws)
    env = envs.get(request.path_params["env_id"])
    if env is None:
        return ctx.error(404, f"Environment {request.path_params['env_id']} not found", code="not_found")
    if request.method == "DELETE":
        refresh_instances(ctx, ws)
        busy = any(i["_env"] == env["name"] and i["status"] != "terminated" for i in ws.instances.values()) or any(
            v["_env"] == env["name"] for v in ws.volumes.values()
        )
        if env["is_default"] or busy:
            return ctx.error(409, "the default environment, or one with live resources, cannot be deleted",
                             code="conflict")  # fmt: skip
        del envs[env["id"]]
        return Response(status_code=204, headers={"x-request-id": ctx.rid})
    if request.method == "PATCH":
        body, bad = ctx.json()
        if bad:
            return bad
        if not body or set(body) - {"name", "is_default"}:
            return ctx.error(422, "update takes name and/or is_default", code="validation_error", param="name")
        if "name" in body:
            if not isinstance(body["name"], str) or not body["name"].strip():
                return ctx.error(422, "name must be a non-empty string", code="validation_error", param="name")
            env["name"] = body["name"]
        if body.get("is_default") is True:
            for other in envs.values():
                other["is_default"] = other is env
        env["updated_at"] = iso(time.time())
    return envelope(ctx, env)


async def secrets(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    if early:
        return early
    return envelope(ctx, [{**s, "updated_at": iso(0)} for s in SECRETS])


async def topups(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    key = body.get("idempotency_key") or ctx.idempotency_key
    if not isinstance(key, str) or not key:
        return ctx.error(422, "idempotency_key is required", code="validation_error", param="idempotency_key")
    if key in ws.topups:
        return envelope(ctx, ws.topups[key])
    amount = body.get("amount_usd")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or not 20 <= amount <= 10_000:
        return ctx.error(422, "amount_usd must be from 20 to 10000", code="validation_error", param="amount_usd")
    if not ws.funded:
        return ctx.error(402, "no payment method on file", code="NO_PAYMENT_METHOD")
    ws.record("topup", float(amount), f"Top-up of ${amount:.2f}")
    ws.topups[key] = {"id": new_id("top_", ctx), "status": "succeeded", "amount_usd": float(amount),
                      "idempotency_key": key, "invoice_number": f"INV-{len(ws.topups) + 1:05d}",
                      "balance_usd": ws.credits, "created_at": iso(time.time())}  # fmt: skip
    return envelope(ctx, ws.topups[key], status=201)


async def auto_recharge(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    if request.method == "PUT":
        body, bad = ctx.json()
        if bad:
            return bad
        enabled, low, high = body.get("enabled"), body.get("threshold_usd"), body.get("target_usd")
        if not isinstance(enabled, bool):
            return ctx.error(422, "enabled must be true or false", code="validation_error", param="enabled")
        if enabled and not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and 0 <= low < high):
            return ctx.error(422, "threshold_usd must be below target_usd", code="validation_error",
                             param="threshold_usd")  # fmt: skip
        ws.auto_recharge.update(enabled=enabled, threshold_usd=low, target_usd=high)
    return envelope(ctx, ws.auto_recharge)


async def payment_methods(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    return envelope(ctx, [CARD] if ws.funded else [])


_SCHEDULE_FIELDS = {"kind", "spec", "run_at", "cron", "timezone", "overlap", "name", "enabled"}


def _check_schedule(body: dict[str, Any], creating: bool) -> tuple[str, str] | None:
    if set(body) - _SCHEDULE_FIELDS:
        return sorted(set(body) - _SCHEDULE_FIELDS)[0], "unknown field"
    if creating and body.get("kind") not in ("instance", "job"):
        return "kind", "kind must be instance or job"
    if creating or "spec" in body:
        spec = body.get("spec")
        if not isinstance(spec, dict) or "max_runtime_minutes" not in spec:
            return "spec", "spec must be an object with max_runtime_minutes"
    if body.get("run_at") is not None and body.get("cron") is not None:
        return "cron", "pass run_at or cron, not both"
    if creating and body.get("run_at") is None and body.get("cron") is None:
        return "run_at", "run_at or cron is required"
    if body.get("cron") is not None and len(str(body["cron"]).split()) != 5:
        return "cron", "cron must have 5 fields"
    if body.get("run_at") is not None:
        try:
            at = datetime.fromisoformat(str(body["run_at"]).replace("Z", "+00:00"))
        except ValueError:
            return "run_at", "run_at must be ISO 8601"
        if at.tzinfo is None or at > datetime.now(timezone.utc) + timedelta(days=365):
            return "run_at", "run_at must carry a time zone and be at most 365 days ahead"
    if body.get("overlap") not in (None, "skip", "allow"):
        return "overlap", "overlap must be skip or allow"
    return None


async def schedules(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    env = environment(ctx)
    mine = [s for s in ws.schedules.values() if s["environment_id"] == env]
    if request.method == "GET":
        return envelope(ctx, [public(s) for s in reversed(mine)])
    key = ctx.idempotency_key  # the same create again (a retry after a lost answer): the same schedule
    if key and ws.idempotent.get(key) in ws.schedules:
        return envelope(ctx, ws.schedules[ws.idempotent[key]], status=201)
    body, bad = ctx.json()
    if bad:
        return bad
    problem = _check_schedule(body, creating=True)
    if problem:
        return ctx.error(422, problem[1], code="validation_error", param=problem[0])
    if len(mine) >= 50:
        return ctx.error(422, "at most 50 schedules per environment", code="validation_error", param="kind")
    sid, now = new_id("sch_", ctx), iso(time.time())
    ws.schedules[sid] = {"id": sid, "name": body.get("name") or body["spec"].get("name") or f"{body['kind']}-schedule",
                         "kind": body["kind"], "spec": body["spec"], "environment_id": env, "created_by": "api_key",
                         "run_as": "api_key", "run_as_credential": "api_key",
                         "max_runtime_minutes": body["spec"]["max_runtime_minutes"], "run_at": body.get("run_at"),
                         "cron": body.get("cron"), "timezone": body.get("timezone") or "UTC",
                         "overlap": body.get("overlap") or "skip", "enabled": body.get("enabled", True),
                         "next_run_at": body.get("run_at"), "last_run_at": None, "last_status": None,
                         "last_error": None, "last_instance_id": None, "last_job_id": None, "run_count": 0,
                         "created_at": now, "updated_at": now}  # fmt: skip
    if key:
        ws.idempotent[key] = sid
    return envelope(ctx, ws.schedules[sid], status=201)


async def schedule(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    found = ws.schedules.get(request.path_params["schedule_id"])
    if found is None or found["environment_id"] != environment(ctx):
        return ctx.error(404, f"Schedule {request.path_params['schedule_id']} not found", code="not_found")
    if request.method == "DELETE":
        del ws.schedules[found["id"]]
        return Response(status_code=204, headers={"x-request-id": ctx.rid})
    if request.method == "POST":
        return _run_now(ctx, ws, found)
    if request.method == "PATCH":
        body, bad = ctx.json()
        if bad:
            return bad
        problem = _check_schedule(body, creating=False) if body else ("enabled", "nothing to update")
        if problem:
            return ctx.error(422, problem[1], code="validation_error", param=problem[0])
        if "run_at" in body and body["run_at"] is not None:
            found["cron"] = None
        if "cron" in body and body["cron"] is not None:
            found["run_at"] = None
        found.update(body, updated_at=iso(time.time()))
        found["next_run_at"] = found["run_at"]
    return envelope(ctx, found)


def _run_now(ctx: Ctx, ws: Workspace, found: dict[str, Any]) -> Response:
    now = time.time()
    answer: dict[str, Any] = {}
    if found["kind"] == "job":
        problem = check_spec(found["spec"], ws, found["environment_id"])
        run: Any = None if problem else new_job(ws, found["spec"], job_id=new_id("job_", ctx),
                                                env=found["environment_id"], now=now, start=now)  # fmt: skip
        if run is not None:
            ws.jobs[run["id"]] = run
            answer["job"], found["last_job_id"] = public_job(run), run["id"]
        error = f"{problem[0]}: {problem[1]}" if problem else None
    else:
        launched = launch(ctx, ws, found["spec"])
        error = json.loads(bytes(launched.body))["error"]["message"] if isinstance(launched, Response) else None
        if not isinstance(launched, Response):
            answer["instance"], found["last_instance_id"] = public(launched), launched["id"]
    found.update(last_run_at=iso(now), last_status="failed" if error else "launched", last_error=error,
                 run_count=found["run_count"] + 1)  # fmt: skip
    return envelope(ctx, {"schedule": found, **answer})


def account_routes() -> list[Route]:
    return [
        Route("/api/v1/environments", environments, methods=["GET", "POST"]),
        Route("/api/v1/environments/{env_id}", environment_item, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/v1/secrets", secrets, methods=["GET"]),
        Route("/api/v1/billing/topups", topups, methods=["POST"]),
        Route("/api/v1/billing/auto-recharge", auto_recharge, methods=["GET", "PUT"]),
        Route("/api/v1/billing/payment-methods", payment_methods, methods=["GET"]),
        Route("/api/v1/schedules", schedules, methods=["GET", "POST"]),
        Route("/api/v1/schedules/{schedule_id}", schedule, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/v1/schedules/{schedule_id}/run-now", schedule, methods=["POST"]),
    ]
