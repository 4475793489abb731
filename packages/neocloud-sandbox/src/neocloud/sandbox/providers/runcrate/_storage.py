"""Runcrate plane: storage volumes, billing (balance, ledger, usage) and templates."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..lifecycle import iso
from ._control import GB_WEEK, new_id, public, refresh_instances
from ._workspace import REGIONS, TEMPLATES, envelope, environment, open_request

__all__ = ["storage_routes"]

WEEK_S = 7 * 24 * 3600


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100_000


async def volumes(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    env = environment(ctx)
    if request.method == "GET":
        search = request.query_params.get("search", "").lower()
        return envelope(
            ctx, [public(v) for v in ws.volumes.values() if v["_env"] == env and search in v["name"].lower()]
        )
    key = ctx.idempotency_key
    if key and ws.idempotent.get(key) in ws.volumes:  # the same create again: the same volume
        return envelope(ctx, public(ws.volumes[ws.idempotent[key]]), status=201)
    body, bad = ctx.json()
    if bad:
        return bad
    if not isinstance(body.get("name"), str) or not body["name"] or not _positive_int(body.get("size_gb")):
        return ctx.error(
            422, "name and a positive integer size_gb are required", code="validation_error", param="size_gb"
        )
    if body.get("region") not in {r["id"] for r in REGIONS}:
        return ctx.error(422, f"unknown region {body.get('region')!r}", code="validation_error", param="region")
    charge = round(body["size_gb"] * GB_WEEK, 6)
    if ws.credits < charge:
        return ctx.error(402, "Not enough credits for a week of storage", code="insufficient_credits")
    now = time.time()
    vol_id = new_id("vol_", ctx)
    ws.record("storage", -charge, f"storage {body['name']} ({body['size_gb']} GB, 1 week)")
    ws.volumes[vol_id] = {"id": vol_id, "name": body["name"], "sizeGb": body["size_gb"], "region": body["region"],
                          "providerType": "s3", "status": "available", "createdAt": iso(now), "updatedAt": iso(now),
                          "_env": env, "_paid_until": now + WEEK_S, "_charge": charge}  # fmt: skip
    if key:
        ws.idempotent[key] = vol_id
    return envelope(ctx, public(ws.volumes[vol_id]), status=201)


async def volume(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    vol = ws.volumes.get(request.path_params["volume_id"])
    if vol is None or vol["_env"] != environment(ctx):
        return ctx.error(404, f"Volume {request.path_params['volume_id']} not found", code="not_found")
    if request.method == "GET":
        return envelope(ctx, public(vol))
    if request.method == "DELETE":
        now = time.time()
        refund = round(vol["_charge"] * max(vol["_paid_until"] - now, 0) / WEEK_S, 6)
        ws.record("refund", refund, f"storage {vol['name']} deleted")
        del ws.volumes[vol["id"]]
        return envelope(ctx, {"message": f"Volume {vol['name']} deleted", "refund_amount": refund})
    body, bad = ctx.json()
    if bad:
        return bad
    size = body.get("size_gb")
    if not _positive_int(size) or size <= vol["sizeGb"]:
        return ctx.error(422, f"size_gb must be larger than {vol['sizeGb']} (volumes only grow)", code="validation_error",
                         param="size_gb")  # fmt: skip
    extra = round((size - vol["sizeGb"]) * GB_WEEK * max(vol["_paid_until"] - time.time(), 0) / WEEK_S, 6)
    ws.record("storage", -extra, f"storage {vol['name']} resized to {size} GB")
    vol.update(sizeGb=size, updatedAt=iso(time.time()), _charge=vol["_charge"] + extra)
    return envelope(ctx, public(vol))


async def regions(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    return early or envelope(ctx, list(REGIONS))


async def balance(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    refresh_instances(ctx, ws)
    burn = sum(i["cost_per_hour"] for i in ws.instances.values() if i["status"] == "running")
    return envelope(ctx, {"creditsBalance": round(ws.credits, 6), "activeUsageCost": round(burn, 6),
                          "floating_balance_usd": round(ws.credits, 6), "burn_usd_per_hour": round(burn, 6),
                          "runway_hours": round(ws.credits / burn, 2) if burn else None})  # fmt: skip


async def transactions(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    q = request.query_params
    limit, offset = q.get("limit", "50"), q.get("offset", "0")
    if not limit.isdigit() or not 1 <= int(limit) <= 100 or not offset.isdigit():
        return ctx.error(422, "limit must be 1..100 and offset >= 0", code="validation_error", param="limit")
    ledger = [t for t in reversed(ws.ledger) if q.get("type") in (None, t["type"])]
    page = ledger[int(offset) : int(offset) + int(limit)]
    return envelope(ctx, page, total=len(ledger), has_more=int(offset) + len(page) < len(ledger))


async def usage(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    u = ws.inference
    return envelope(ctx, {"total_requests": int(u["requests"]), "total_prompt_tokens": int(u["prompt"]),
                          "total_completion_tokens": int(u["completion"]),
                          "total_tokens": int(u["prompt"] + u["completion"]), "total_cost": round(u["cost"], 6)})  # fmt: skip


async def templates(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    if early:
        return early
    q = request.query_params
    page, size = q.get("page", "1"), q.get("page_size", "25")
    if not page.isdigit() or int(page) < 1 or not size.isdigit() or not 1 <= int(size) <= 100:
        return ctx.error(422, "page must be >= 1 and page_size 1..100", code="validation_error", param="page")
    search, category = q.get("search", "").lower(), q.get("category")
    found = [t for t in TEMPLATES if search in str(t["name"]).lower() and category in (None, t["category"])]
    start = (int(page) - 1) * int(size)
    chunk = found[start : start + int(size)]
    return envelope(ctx, chunk, total=len(found), has_more=start + len(chunk) < len(found))


def storage_routes() -> list[Route]:
    return [
        Route("/api/v1/storage/regions", regions, methods=["GET"]),
        Route("/api/v1/storage", volumes, methods=["GET", "POST"]),
        Route("/api/v1/storage/{volume_id}", volume, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/v1/billing/balance", balance, methods=["GET"]),
        Route("/api/v1/billing/transactions", transactions, methods=["GET"]),
        Route("/api/v1/billing/usage", usage, methods=["GET"]),
        Route("/api/v1/templates", templates, methods=["GET"]),
    ]
