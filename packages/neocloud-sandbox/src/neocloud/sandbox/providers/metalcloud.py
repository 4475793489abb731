"""The MetalCloud plane, mounted at ``/metalcloud`` (wire facts: shared/providers/metalcloud.md; MetalCloud
documents only its Python surface, so every path here is the project's documented choice).

``POST /v1/inference`` (``prompt`` xor ``messages``; streaming frames ``{"text": delta}``, usage on the last,
``[DONE]``), ``GET /v1/models``, ``GET /v1/jobs/{id}``, ``GET /v1/jobs?limit=&status=&after=`` (newest first,
cursor pagination). Every inference is recorded as a job of the caller's account: completed when a
non-streamed answer returns; running while a stream flows, completed after ``[DONE]``.
Keys: any ``mc_`` key; ``mc_sandbox-nocredits`` gets 402 ``insufficient_credits``.
Errors: ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..common import Ctx, DropConnection, begin, json_response
from ..errors import error_body
from ..generate import count_tokens, generate_text, seed_for
from ..keys import KEY_PREFIXES, SANDBOX_KEYS
from .lifecycle import iso

__all__ = ["env", "routes"]

NAME = "metalcloud"
MODELS = (
    {"id": "meta-llama/Llama-3.3-70B", "parameters": 70, "context_length": 131_072, "owned_by": "meta-llama"},
    {"id": "meta-llama/Llama-3.1-8B", "parameters": 8, "context_length": 131_072, "owned_by": "meta-llama"},
    {"id": "mistralai/Mixtral-8x7B", "parameters": 46.7, "context_length": 32_768, "owned_by": "mistralai"},
)
_IDS = {m["id"] for m in MODELS}
_STATUSES = ("pending", "running", "completed", "failed")
_FIELDS = {"model", "prompt", "messages", "max_tokens", "temperature", "top_p", "stream", "stop"}


def _jobs(ctx: Ctx) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = ctx.state.store(NAME, ctx.account, dict)
    return jobs


def _validate(body: dict[str, Any]) -> tuple[int, str, str] | None:
    unknown = set(body) - _FIELDS
    if unknown:
        return 400, f"unknown field {sorted(unknown)[0]!r}", sorted(unknown)[0]
    has_prompt, has_messages = body.get("prompt") is not None, body.get("messages") is not None
    if has_prompt == has_messages:
        return 400, "send exactly one of 'prompt' and 'messages'", "prompt"
    if has_prompt and not isinstance(body["prompt"], str):
        return 400, "'prompt' must be a string", "prompt"
    if has_messages:
        messages = body["messages"]
        if (
            not isinstance(messages, list)
            or not messages
            or not all(
                isinstance(m, dict)
                and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)
                for m in messages
            )
        ):
            return (
                400,
                "'messages' must be a non-empty list of {role: system|user|assistant, content: string}",
                "messages",
            )
    checks = (("max_tokens", int, 1, None), ("temperature", (int, float), 0, 2), ("top_p", (int, float), 0, 1))
    for name, kind, low, high in checks:
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, kind) or value < low or (high is not None and value > high)
        ):
            return 400, f"'{name}' is out of range", name
    stop = body.get("stop")
    if stop is not None and (not isinstance(stop, list) or not all(isinstance(s, str) for s in stop)):
        return 400, "'stop' must be a list of strings", "stop"
    if not isinstance(body.get("model"), str) or body["model"] not in _IDS:
        return 404, f"Model {body.get('model')!r} not found", "model"
    return None


async def inference(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    body, bad = ctx.json()
    if bad:
        return bad
    problem = _validate(body)
    if problem:
        status, message, param = problem
        return ctx.error(status, message, param=param, code="model_not_found" if status == 404 else None)
    if ctx.api_key == SANDBOX_KEYS[NAME]["no_credits"]:
        return ctx.error(402, "Add credits to continue.", code="insufficient_credits")
    source = body.get("prompt") or " ".join(m["content"] for m in body["messages"])
    scripted = ctx.state.next_script(NAME, ctx.api_key)  # a test's explicit answer (text only: no tools here)
    if scripted is not None and scripted.content is not None:
        text, finish = scripted.content, scripted.finish_reason or "stop"
    else:
        text, finish = generate_text(seed_for(ctx.state.settings.seed, body["model"], source),
                                     body.get("max_tokens", 256), body.get("stop"))  # fmt: skip
    usage = {"prompt_tokens": count_tokens(source), "completion_tokens": count_tokens(text)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    jobs = _jobs(ctx)
    now = time.time()
    job_id = ctx.state.new_id("job_")
    result = {"text": text, "finish_reason": finish, "usage": usage}
    job = {"id": job_id, "object": "job", "status": "running", "model": body["model"], "created_at": iso(now),
           "started_at": iso(now), "completed_at": None, "result": None, "error": None, "_created": now}  # fmt: skip
    jobs[job_id] = job
    head = {"id": job_id, "created": int(now), "model": body["model"]}
    if not body.get("stream"):
        job.update(status="completed", completed_at=iso(time.time()), result=result)
        return json_response(ctx, {**head, "object": "inference", **result})
    return _stream(ctx, job, head, result)


def _stream(ctx: Ctx, job: dict[str, Any], head: dict[str, Any], result: dict[str, Any]) -> Response:
    import asyncio
    import json

    words = result["text"].split(" ")
    fault = ctx.fault
    delay = ctx.state.settings.stream_chunk_delay_s

    async def body() -> AsyncIterator[bytes]:
        frame: dict[str, Any]
        for index, word in enumerate(words):
            if fault is not None and fault.kind == "error_frame" and index == fault.after_chunks:
                job.update(status="failed", error={"message": "generation failed", "code": "server_error"})
                frame = error_body(NAME, fault.status_code, "generation failed", "server_error")
                yield f"data: {json.dumps(frame)}\n\n".encode()
                return  # MetalCloud closes the stream after an error frame, without [DONE]
            if fault is not None and fault.kind == "stall_stream" and index == fault.after_chunks:
                await asyncio.sleep(fault.seconds)
            if fault is not None and fault.kind == "drop_stream" and index == fault.after_chunks:
                raise DropConnection("injected fault: stream dropped")
            if fault is not None and fault.kind == "malformed_frame" and index == fault.after_chunks:
                yield b'data: {"text": "trunc\n\n'  # not JSON: the frame was cut
            last = index == len(words) - 1
            frame = {**head, "object": "inference.chunk", "text": word if index == 0 else " " + word,
                                     "finish_reason": result["finish_reason"] if last else None}  # fmt: skip
            if last:
                frame["usage"] = result["usage"]
            yield f"data: {json.dumps(frame)}\n\n".encode()
            if delay:
                await asyncio.sleep(delay)
        job.update(status="completed", completed_at=iso(time.time()), result=result)
        yield b"data: [DONE]\n\n"

    return StreamingResponse(body(), media_type="text/event-stream", headers={"x-request-id": ctx.rid})


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


async def models(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    return json_response(
        ctx, {"object": "list", "data": [{**m, "object": "model", "created": 1_733_000_000} for m in MODELS]}
    )


async def jobs(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    store = _jobs(ctx)
    job_id = request.path_params.get("job_id")
    if job_id is not None:
        job = store.get(job_id)
        if job is None:
            return ctx.error(404, f"Job {job_id} not found", code="job_not_found", param="job_id")
        return json_response(ctx, _public(job))
    params = request.query_params
    limit, status, after = params.get("limit", "10"), params.get("status"), params.get("after")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        return ctx.error(400, "'limit' must be an integer from 1 to 100", param="limit")
    if status is not None and status not in _STATUSES:
        return ctx.error(400, f"'status' must be one of {', '.join(_STATUSES)}", param="status")
    ordered = sorted(store.values(), key=lambda j: j["_created"], reverse=True)
    if status:
        ordered = [j for j in ordered if j["status"] == status]
    if after:
        ids = [j["id"] for j in ordered]
        if after not in ids:
            return ctx.error(400, f"unknown cursor {after!r}", param="after")
        ordered = ordered[ids.index(after) + 1 :]
    page = ordered[: int(limit)]
    return json_response(
        ctx, {"object": "list", "data": [_public(j) for j in page], "has_more": len(ordered) > len(page)}
    )


def routes() -> list[Route]:
    return [
        Route("/v1/inference", inference, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/jobs", jobs, methods=["GET"]),
        Route("/v1/jobs/{job_id}", jobs, methods=["GET"]),
    ]


def env(base_url: str) -> dict[str, str]:
    """Environment variables that point MetalCloud clients at this plane."""
    return {"METALCLOUD_API_KEY": SANDBOX_KEYS[NAME]["valid"], "METALCLOUD_BASE_URL": base_url}
