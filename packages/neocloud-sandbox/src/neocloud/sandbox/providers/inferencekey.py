"""The InferenceKey plane, mounted at ``/inferencekey`` (wire facts: shared/providers/inferencekey.md).

Control plane (``ik_sdk_`` tokens): ``GET|POST /api/projects/{project}/workloads``,
``PATCH|DELETE /api/workloads/{id}`` (a workload's ``config`` object, its backend-specific settings, is kept
and returned as sent; a PATCH replaces it whole), ``GET /api/projects/{project}/workloads/{slug}/readiness-events``
(SSE of ``{phase, message, elapsed_ms, step}``: scheduling → provisioning → bootstrapping → ready, one
phase per ``phase_s``; each connection starts with the current phase, repeats it while waiting, and
closes after ``ready``/``error``; never ``[DONE]``). A workload pinned to ``gpu_resource_id="gpu-unavailable"``
ends in the ``error`` phase. Data plane (``ik_live_`` keys):
``/endpoint/{project}/{workload}/v1/chat/completions|embeddings|rerank`` (``model`` = workload slug; every
stream frame has ``choices[0]``; 503 ``workload_not_ready`` before ``ready``).
Tokens name their project in their last hyphen-separated word (``ik_sdk_sandbox-acme`` → ``acme``); a data key on
the control plane → 403 ``wrong_credential_type``; another project (or a control token naming none) → 403
``project_scope_mismatch``; a ``readonly`` token writing → 403 ``scope_insufficient``; a ``nocredits`` token
creating → 402 ``insufficient_credits`` (ASSUMPTION: the wire reference has no billing error; the SDK maps any
other status to ``ApiError``). A data key without a hyphen (the docs' ``ik_live_...`` placeholder) stands for
the per-workload key the platform would mint, so it is valid for any workload.
``POST /api/tenants/{tenant}/custom-backends`` publishes a custom backend (multipart, gzip ``file``).
Errors: ``{"error": "<code>", "message": ...}``. An ``Idempotency-Key`` on a create returns the same workload.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..common import Ctx, SSEPlan, begin, json_response, sse_response
from ..errors import error_body
from ..generate import embed
from ..keys import KEY_PREFIXES, SANDBOX_KEYS
from .embeddings import check_embeddings, embeddings_payload
from .lifecycle import iso, phase_of
from .openai_chat import chunk_frames, completion_payload, plan_answer, validate_chat

__all__ = ["env", "routes"]

NAME = "inferencekey"
PHASES = ("scheduling", "provisioning", "bootstrapping", "ready")
MESSAGES = {"scheduling": "Finding a worker", "provisioning": "Provisioning a cloud GPU",
            "bootstrapping": "Loading the model", "ready": "Serving"}  # fmt: skip
TASK_TYPES = {"text2text", "embedding", "text2image", "text2video", "text2audio", "image2image", "image2video",
              "audio2text", "omni", "reranker", "classification", "reward", "forecast"}  # fmt: skip
POLICIES = {"fixed", "scheduled", "autoscaling"}
_FIELDS = {"name", "slug", "model_name", "backend", "task_type", "description", "config", "execution_policy",
           "execution_policy_config", "worker_id", "gpu_resource_id"}  # fmt: skip
PATCHABLE = _FIELDS - {"slug", "task_type"}


def _token(ctx: Ctx) -> tuple[str, str | None, set[str]]:
    """``(kind, project, flags)`` of the caller's key: kind ``sdk`` or ``live``; project ``None`` for a key
    without a hyphen; flags such as ``readonly`` and ``nocredits``."""
    key = ctx.api_key or ""
    kind = "sdk" if key.startswith("ik_sdk_") else "live"
    words = key.split("_", 2)[-1].split("-")
    return kind, words[-1] if len(words) > 1 else None, set(words[:-1])


def _workloads(ctx: Ctx, project: str) -> dict[str, dict[str, Any]]:
    store: dict[str, dict[str, Any]] = ctx.state.store(NAME, project, dict)
    return store


async def _control(request: Request, project: str | None, write: bool) -> tuple[Ctx, str, Response | None]:
    """Authorise a control-plane call; returns the token's project."""
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return ctx, "", early
    kind, token_project, flags = _token(ctx)
    if kind != "sdk":
        return ctx, "", ctx.error(403, "a data key cannot use the control plane", code="wrong_credential_type")
    if token_project is None or (project is not None and project != token_project):
        return (
            ctx,
            "",
            ctx.error(403, f"this token is scoped to project {token_project}", code="project_scope_mismatch"),
        )
    if write and "readonly" in flags:
        return (
            ctx,
            "",
            ctx.error(403, "this token may not create, change or delete workloads", code="scope_insufficient"),
        )
    return ctx, token_project, None


def _validate(body: dict[str, Any], creating: bool) -> tuple[str, str] | None:
    unknown = set(body) - (_FIELDS if creating else PATCHABLE)
    if unknown:
        return sorted(unknown)[0], "unknown or read-only field"
    needed = ("name", "slug", "model_name", "backend") if creating else ()
    for name in needed:
        if not isinstance(body.get(name), str) or (name != "name" and not body[name]):
            return name, "is required"
    if creating and ("/" in body["slug"] or len(body["slug"]) > 64):
        return "slug", "must be at most 64 characters without '/'"
    if body.get("task_type", "text2text") not in TASK_TYPES:
        return "task_type", "unknown task type"
    if body.get("execution_policy") not in (None, *POLICIES):
        return "execution_policy", "unknown execution policy"
    for name in ("config", "execution_policy_config"):  # backend settings: stored and returned whole, as sent
        if body.get(name) is not None and not isinstance(body[name], dict):
            return name, "must be a JSON object"
    return None


async def workloads(request: Request) -> Response:
    project = request.path_params["project"]
    ctx, _, early = await _control(request, project, write=request.method == "POST")
    if early:
        return early
    store = _workloads(ctx, project)
    if request.method == "GET":
        return json_response(ctx, [_public(w) for w in store.values()])
    key = ctx.idempotency_key
    if key:
        existing = next((w for w in store.values() if w.get("_idempotency_key") == key), None)
        if existing is not None:
            return json_response(ctx, _public(existing), status=201)
    if "nocredits" in _token(ctx)[2]:
        return ctx.error(402, "this account has no credits left to run a workload", code="insufficient_credits")
    body, bad = ctx.json()
    if bad:
        return bad
    problem = _validate(body, creating=True)
    if problem:
        return ctx.error(400, f"{problem[0]} {problem[1]}", code="validation_error", param=problem[0])
    if any(w["slug"] == body["slug"] for w in store.values()):
        return ctx.error(409, f"a workload with slug {body['slug']!r} already exists", code="slug_taken")
    now = time.time()
    wid = ctx.state.new_id("wl_")
    store[wid] = {"id": wid, "project_id": project, "task_type": "text2text", "description": None, "config": None,
                  "execution_policy": None, "execution_policy_config": None, "worker_id": None, "gpu_resource_id": None,
                  **body, "created_at": iso(now), "updated_at": iso(now), "_created": now, "_idempotency_key": key}  # fmt: skip
    return json_response(ctx, _public(store[wid]), status=201)


def _public(workload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in workload.items() if not k.startswith("_")}


async def workload(request: Request) -> Response:
    ctx, project, early = await _control(request, None, write=True)
    if early:
        return early
    wid = request.path_params["workload_id"]
    owner = next((p for p, store in ctx.state.planes.get(NAME, {}).items() if wid in store), None)
    if owner is None:
        return ctx.error(404, f"workload {wid} not found", code="not_found")
    if owner != project:
        return ctx.error(403, f"this token is scoped to project {project}", code="project_scope_mismatch")
    store = _workloads(ctx, owner)
    if request.method == "DELETE":
        del store[wid]
        return json_response(ctx, {"deleted": True, "id": wid})
    body, bad = ctx.json()
    if bad:
        return bad
    problem = _validate(body, creating=False)
    if problem:
        return ctx.error(400, f"{problem[0]} {problem[1]}", code="validation_error", param=problem[0])
    store[wid].update(body, updated_at=iso(time.time()))
    return json_response(ctx, _public(store[wid]))


def _phase(ctx: Ctx, w: dict[str, Any]) -> tuple[str, str | None]:
    phase, _ = phase_of(w["_created"], PHASES, ctx.state.settings.phase_s)
    if w.get("gpu_resource_id") == "gpu-unavailable" and phase != "scheduling":
        return "error", None
    return phase, ("model_load" if phase == "bootstrapping" else None)


async def readiness(request: Request) -> Response:
    project, slug = request.path_params["project"], request.path_params["slug"]
    ctx, _, early = await _control(request, project, write=False)
    if early:
        return early
    w = next((w for w in _workloads(ctx, project).values() if w["slug"] == slug), None)
    if w is None:
        return ctx.error(404, f"workload {slug} not found", code="not_found")
    opened, beat = time.monotonic(), max(min(ctx.state.settings.phase_s / 2, 2.0), 0.01)
    fault = ctx.fault

    async def events() -> AsyncIterator[bytes]:
        sent = 0
        while True:
            phase, step = _phase(ctx, w)
            message = "No GPU is available for this pinned resource" if phase == "error" else MESSAGES[phase]
            event = {"phase": phase, "message": message, "elapsed_ms": int((time.monotonic() - opened) * 1000)}
            if step:
                event["step"] = step
            yield f"data: {json.dumps(event)}\n\n".encode()
            sent += 1
            if phase in ("ready", "error"):
                return
            if fault is not None and fault.kind == "drop_stream" and sent >= fault.after_chunks:
                return  # closes early: the client is expected to reconnect
            await asyncio.sleep(beat)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"x-request-id": ctx.rid})


async def _data(request: Request) -> tuple[Ctx, dict[str, Any] | None, Response | None]:
    project, slug = request.path_params["project"], request.path_params["slug"]
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return ctx, None, early
    kind, key_project, _ = _token(ctx)
    if kind != "live":
        return ctx, None, ctx.error(403, "the data plane takes ik_live_ keys", code="wrong_credential_type")
    if key_project not in (None, project):
        return ctx, None, ctx.error(403, f"this key is scoped to project {key_project}", code="project_scope_mismatch")
    w = next((w for w in _workloads(ctx, project).values() if w["slug"] == slug), None)
    if w is None:
        return ctx, None, ctx.error(404, f"workload {slug} not found", code="not_found")
    if _phase(ctx, w)[0] != "ready":
        return ctx, None, ctx.error(503, f"workload {slug} is not ready yet", code="workload_not_ready")
    body, bad = ctx.json()
    if bad:
        return ctx, None, bad
    if body.get("model") != slug:
        return (
            ctx,
            None,
            ctx.error(400, f"model must be the workload slug {slug!r}", code="validation_error", param="model"),
        )
    return ctx, body, None


async def chat(request: Request) -> Response:
    ctx, body, early = await _data(request)
    if early or body is None:
        return early  # type: ignore[return-value]
    problem = validate_chat(body, {body["model"]})
    if problem:
        return ctx.error(problem[0], problem[1], code="validation_error", param=problem[2])
    answer = plan_answer(
        body, ctx.state.next_script(NAME, ctx.api_key), seed=ctx.state.settings.seed, reasoning_model=False
    )
    cid = "chatcmpl-" + hashlib.sha256(ctx.body).hexdigest()[:24]
    if body.get("stream"):
        return sse_response(
            ctx, SSEPlan(chunk_frames(answer, body, cid, {})), lambda s: error_body(NAME, s, "injected fault", None)
        )
    return json_response(ctx, completion_payload(answer, body, cid, {}))


async def embeddings(request: Request) -> Response:
    ctx, body, early = await _data(request)
    if early or body is None:
        return early  # type: ignore[return-value]
    # Vectors are as wide as the model the workload serves (see the ``embeddings`` module).
    served = next(w for w in _workloads(ctx, request.path_params["project"]).values() if w["slug"] == body["model"])
    checked = check_embeddings(body, str(served["model_name"]))
    if len(checked) == 2:
        return ctx.error(400, f"{checked[0]}: {checked[1]}", code="validation_error", param=str(checked[0]))
    return json_response(ctx, embeddings_payload(checked[0], checked[1], checked[2], body["model"]))


async def rerank(request: Request) -> Response:
    ctx, body, early = await _data(request)
    if early or body is None:
        return early  # type: ignore[return-value]
    query, documents, top_n = body.get("query"), body.get("documents"), body.get("top_n")
    if not isinstance(query, str) or not query or not isinstance(documents, list) or not documents:
        return ctx.error(
            400, "query and a non-empty documents list are required", code="validation_error", param="query"
        )
    q = embed(query, 32)
    scores = [sum(a * b for a, b in zip(q, embed(str(d), 32), strict=True)) for d in documents]
    ranked = sorted(range(len(documents)), key=lambda i: scores[i], reverse=True)[: top_n or len(documents)]
    return json_response(
        ctx, {"model": body["model"], "results": [{"index": i, "relevance_score": round(scores[i], 6)} for i in ranked]}
    )


async def custom_backends(request: Request) -> Response:
    """Publish a packaged custom backend: multipart ``name``, ``slug``, ``version``, ``task_type``, ``entrypoint``
    and a gzip ``file``. A (slug, version) pair is published once per tenant (409 after that)."""
    ctx, _, early = await _control(request, None, write=True)
    if early:
        return early
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body is the caller's error, never a 500
        return ctx.error(400, "expected multipart/form-data", code="validation_error")
    upload = form.get("file")
    text = {name: form.get(name) for name in ("name", "slug", "version", "task_type", "entrypoint")}
    missing = next((n for n in ("name", "slug", "version") if not isinstance(text[n], str) or not text[n]), None)
    if upload is None or isinstance(upload, str):
        missing = "file"
    if missing:
        return ctx.error(400, f"{missing} is required", code="validation_error", param=missing)
    artifact = await upload.read()  # type: ignore[union-attr]
    if artifact[:2] != b"\x1f\x8b":
        return ctx.error(400, "file must be a gzip archive (.tar.gz)", code="validation_error", param="file")
    if text["task_type"] and text["task_type"] not in TASK_TYPES:
        return ctx.error(400, "unknown task type", code="validation_error", param="task_type")
    store: dict[str, dict[str, Any]] = ctx.state.store(NAME, "tenant:" + request.path_params["tenant_id"], dict)
    if any((b["slug"], b["version"]) == (text["slug"], text["version"]) for b in store.values()):
        return ctx.error(409, f"{text['slug']} {text['version']} is already published", code="version_exists")
    bid = ctx.state.new_id("cb_")
    store[bid] = {"id": bid, "tenant_id": request.path_params["tenant_id"], **text,
                  "sha256": hashlib.sha256(artifact).hexdigest(), "size_bytes": len(artifact),
                  "created_at": iso(time.time())}  # fmt: skip
    return json_response(ctx, store[bid], status=201)


def routes() -> list[Route]:
    return [
        Route("/api/projects/{project}/workloads", workloads, methods=["GET", "POST"]),
        Route("/api/projects/{project}/workloads/{slug}/readiness-events", readiness, methods=["GET"]),
        Route("/api/workloads/{workload_id}", workload, methods=["PATCH", "DELETE"]),
        Route("/endpoint/{project}/{slug}/v1/chat/completions", chat, methods=["POST"]),
        Route("/endpoint/{project}/{slug}/v1/embeddings", embeddings, methods=["POST"]),
        Route("/endpoint/{project}/{slug}/v1/rerank", rerank, methods=["POST"]),
        Route("/api/tenants/{tenant_id}/custom-backends", custom_backends, methods=["POST"]),
    ]


def env(base_url: str) -> dict[str, str]:
    """Environment variables that point InferenceKey clients at this plane (project ``acme``)."""
    keys = SANDBOX_KEYS[NAME]
    return {"INFERENCEKEY_BASE_URL": base_url, "INFERENCEKEY_PROJECT": keys["project"],
            "INFERENCEKEY_SDK_TOKEN": keys["valid"], "INFERENCEKEY_API_KEY": keys["data"]}  # fmt: skip
