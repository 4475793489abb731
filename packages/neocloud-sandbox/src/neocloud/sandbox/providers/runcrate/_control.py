"""Runcrate plane: instances (time-driven lifecycle, billed per hour), SSH keys, storage volumes
(charged weekly in advance, refunded pro rata), billing and templates."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...common import Ctx
from ..lifecycle import iso, phase_of
from ._workspace import INSTANCE_TYPES, Workspace, envelope, environment, open_request

__all__ = ["control_routes", "new_id", "public", "refresh_instances"]

_PHASES = ("pending", "starting", "running")
GB_WEEK = 0.03 * 12 / 52  # $0.03 per GB-month, charged a week at a time


def new_id(prefix: str, ctx: Ctx) -> str:
    return ctx.state.new_id(prefix, width=10)


def refresh_instances(ctx: Ctx, ws: Workspace) -> None:
    """Advance lifecycles and bill running hours up to now."""
    now = time.time()
    for inst in ws.instances.values():
        if inst["status"] in ("terminated", "failed"):
            continue
        if inst["status"] == "terminating":
            if now - inst["_terminate_at"] >= ctx.state.settings.phase_s:
                inst.update(status="terminated", ip=None, updated_at=iso(now))
            continue
        status, _ = phase_of(inst["_created"], _PHASES, ctx.state.settings.phase_s, now)
        if status == "running" and inst["status"] != "running":
            inst.update(status="running", ip=f"10.0.{len(ws.instances) % 250}.{int(now) % 250}", deployed_at=iso(now))
            inst["_billed_until"] = now
        else:
            inst["status"] = status
        if inst["status"] == "running":
            hours = (now - inst["_billed_until"]) / 3600
            if hours > 0:
                ws.credits = round(ws.credits - hours * inst["cost_per_hour"], 6)
                inst["_billed_until"] = now


def public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _find_type(body: dict[str, Any]) -> dict[str, Any] | None:
    wanted = body.get("instance_type_id")
    for t in INSTANCE_TYPES:
        if wanted and t["id"] == wanted:
            return t
        if (
            not wanted
            and t["gpu_type"] == body.get("gpu_type")
            and t["gpu_count"] == body.get("gpu_count", 1)
            and (body.get("region") in (None, t["region"]))
        ):
            return t
    return None


async def instances(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    refresh_instances(ctx, ws)
    env = environment(ctx)
    if request.method == "GET":
        search = request.query_params.get("search", "").lower()
        found = [public(i) for i in ws.instances.values() if i["_env"] == env and search in i["name"].lower()]
        return envelope(ctx, found, total=len(found))
    key = ctx.idempotency_key
    if key and key in ws.idempotent:
        return envelope(ctx, public(ws.instances[ws.idempotent[key]]), status=201)
    body, bad = ctx.json()
    if bad:
        return bad
    launched = launch(ctx, ws, body)
    if isinstance(launched, Response):
        return launched
    if key:
        ws.idempotent[key] = launched["id"]
    return envelope(ctx, public(launched), status=201)


def launch(ctx: Ctx, ws: Workspace, body: dict[str, Any]) -> dict[str, Any] | Response:
    """Create an instance from an ``InstanceCreate`` body (also used by schedules); an error response if refused."""
    if not isinstance(body, dict):
        return ctx.error(422, "a JSON object is required", code="validation_error")
    if not isinstance(body.get("name"), str) or not body["name"]:
        return ctx.error(422, "name is required", code="validation_error", param="name")
    if body.get("ssh_key_id") not in ws.ssh_keys:
        return ctx.error(
            422, f"unknown ssh_key_id {body.get('ssh_key_id')!r}", code="validation_error", param="ssh_key_id"
        )
    itype = _find_type(body)
    if itype is None:
        return ctx.error(422, "no instance type matches gpu_type / gpu_count / region", code="validation_error",
                         param="gpu_type")  # fmt: skip
    if ws.credits < itype["hourly_rate"]:
        return ctx.error(402, "Not enough credits for one hour of this instance", code="insufficient_credits",
                         balance=ws.credits, required=itype["hourly_rate"])  # fmt: skip
    now = time.time()
    inst_id = new_id("inst_", ctx)
    inst = {"id": inst_id, "name": body["name"], "status": "pending", "gpu_type": itype["gpu_type"],
            "gpu_count": itype["gpu_count"], "cpu_cores": itype["cpu_cores"], "memory": int(itype["memory_gb"]),
            "storage": int(itype["storage_gb"]), "region": itype["region"], "ip": None, "os_image": body.get("template"),
            "cost_per_hour": itype["hourly_rate"], "deployed_at": None, "created_at": iso(now), "updated_at": iso(now),
            "max_runtime_minutes": body.get("max_runtime_minutes"), "idle_shutdown_minutes": body.get("idle_shutdown_minutes"),
            "auto_stop_at": None, "stop_reason": None, "_env": environment(ctx), "_created": now, "_billed_until": now}  # fmt: skip
    ws.instances[inst_id] = inst
    return inst


async def instance(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    refresh_instances(ctx, ws)
    ident = request.path_params["instance_id"]
    inst = next(
        (i for i in ws.instances.values() if i["_env"] == environment(ctx) and ident in (i["id"], i["name"])), None
    )
    if inst is None:
        return ctx.error(404, f"Instance {ident} not found", code="not_found")
    if request.url.path.endswith("/status"):
        return envelope(ctx, {"id": inst["id"], "status": inst["status"], "ip": inst["ip"]})
    if request.method == "DELETE":
        if inst["status"] not in ("terminating", "terminated"):
            inst.update(
                status="terminating", stop_reason="user", updated_at=iso(time.time()), _terminate_at=time.time()
            )
        return Response(status_code=204, headers={"x-request-id": ctx.rid})
    if request.method == "PATCH":
        body, bad = ctx.json()
        if bad:
            return bad
        for name, low, high in (("max_runtime_minutes", 5, 10080), ("idle_shutdown_minutes", 5, 1440)):
            value = body.get(name)
            if value is not None and (not isinstance(value, int) or not low <= value <= high):
                return ctx.error(422, f"{name} must be {low}..{high}", code="validation_error", param=name)
            if name in body:
                inst[name] = value
    return envelope(ctx, public(inst))


async def instance_types(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    if early:
        return early
    q = request.query_params
    found = [t for t in INSTANCE_TYPES
             if q.get("gpu_type") in (None, t["gpu_type"]) and q.get("region") in (None, t["region"])
             and q.get("gpu_count") in (None, str(t["gpu_count"]))]  # fmt: skip
    return envelope(ctx, found, total=len(found))


async def ssh_keys(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    if request.method == "GET":
        return envelope(ctx, list(ws.ssh_keys.values()))
    if request.method == "DELETE":
        if ws.ssh_keys.pop(request.path_params["key_id"], None) is None:
            return ctx.error(404, "SSH key not found", code="not_found")
        return Response(status_code=204, headers={"x-request-id": ctx.rid})
    body, bad = ctx.json()
    if bad:
        return bad
    key_text = body.get("public_key")
    if (
        not isinstance(body.get("name"), str)
        or not isinstance(key_text, str)
        or not key_text.startswith(("ssh-", "ecdsa-"))
    ):
        return ctx.error(
            422, "name and an OpenSSH public_key are required", code="validation_error", param="public_key"
        )
    if any(k["_public_key"] == key_text for k in ws.ssh_keys.values()):
        return ctx.error(409, "This SSH key already exists", code="conflict")
    key_id = new_id("key_", ctx)
    fingerprint = "SHA256:" + hashlib.sha256(key_text.encode()).hexdigest()[:43]
    ws.ssh_keys[key_id] = {"id": key_id, "name": body["name"], "fingerprint": fingerprint, "type": key_text.split()[0],
                           "createdAt": iso(time.time()), "lastUsed": None, "_public_key": key_text}  # fmt: skip
    return envelope(ctx, public(ws.ssh_keys[key_id]), status=201)


def control_routes() -> list[Route]:
    return [
        Route("/api/v1/instances/types", instance_types, methods=["GET"]),
        Route("/api/v1/instances", instances, methods=["GET", "POST"]),
        Route("/api/v1/instances/{instance_id}/status", instance, methods=["GET"]),
        Route("/api/v1/instances/{instance_id}", instance, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/v1/ssh-keys", ssh_keys, methods=["GET", "POST"]),
        Route("/api/v1/ssh-keys/{key_id}", ssh_keys, methods=["DELETE"]),
    ]
