"""The Cerebras plane, mounted at ``/cerebras`` (wire facts: shared/providers/cerebras.md).

``GET /v1/tcp_warming``, ``POST /v1/chat/completions``, ``POST /v1/completions`` (both streaming or not),
``GET /v1/models`` (``format`` default | openrouter | huggingface) and ``GET /v1/models/{id}``.
Keys: any ``csk-`` key; ``csk-sandbox-nocredits`` answers 402 on billable calls.
Errors: ``{"error": {"message", "type", "param", "code"}, "status_code": N}``.
Streams end with ``usage`` and ``time_info`` in the final chunk, then ``data: [DONE]``. Chat follows
``openai_chat`` (``n``, ``logprobs``, the token budget), text completions ``text_completions`` (every prompt
shape, ``n``, ``echo``, ``best_of``, ``logprobs``, ``time_info``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..common import Ctx, SSEPlan, begin, json_response, sse_response
from ..errors import error_body
from ..keys import KEY_PREFIXES, SANDBOX_KEYS
from .openai_chat import chunk_frames, completion_payload, plan_answer, time_info, validate_chat
from .text_completions import text_completion_frames, text_completion_payload, validate_completion

__all__ = ["MODELS", "env", "routes"]

NAME = "cerebras"


@dataclass(frozen=True)
class CerebrasModel:
    """One catalog entry (prices in USD per token)."""

    id: str
    owned_by: str
    context_length: int
    max_output: int
    prompt_price: str
    completion_price: str
    reasoning: bool = False


MODELS = (
    CerebrasModel("llama3.1-8b", "Meta", 32_768, 8_192, "0.0000001", "0.0000001"),
    CerebrasModel("llama-3.3-70b", "Meta", 65_536, 8_192, "0.00000085", "0.0000012"),
    CerebrasModel("qwen-3-32b", "Qwen", 65_536, 8_192, "0.0000004", "0.0000008", reasoning=True),
    CerebrasModel("gpt-oss-120b", "OpenAI", 131_072, 32_768, "0.00000035", "0.00000075", reasoning=True),
)
_BY_ID = {m.id: m for m in MODELS}
_CREATED = 1_721_000_000


def _model_json(model: CerebrasModel, fmt: str) -> dict[str, Any]:
    if fmt == "openrouter":
        return {"id": f"cerebras/{model.id}", "name": model.id, "created": _CREATED,
                "context_length": model.context_length, "max_output_length": model.max_output,
                "pricing": {"prompt": model.prompt_price, "completion": model.completion_price}}  # fmt: skip
    if fmt == "huggingface":
        per_million = {
            "input": round(float(model.prompt_price) * 1e6, 6),
            "output": round(float(model.completion_price) * 1e6, 6),
        }
        return {"id": model.id, "object": "model", "created": _CREATED, "owned_by": model.owned_by,
                "context_length": model.context_length, "pricing": per_million,
                "capabilities": {"function_calling": True, "streaming": True, "structured_outputs": True,
                                 "vision": False}}  # fmt: skip
    return {"id": model.id, "object": "model", "created": _CREATED, "owned_by": model.owned_by}


def _fmt(ctx: Ctx) -> tuple[str, Response | None]:
    fmt = ctx.request.query_params.get("format", "default")
    if fmt not in {"default", "openrouter", "huggingface"}:
        return fmt, ctx.error(400, "'format' must be default, openrouter or huggingface", param="format")
    return fmt, None


async def list_models(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    fmt, bad = _fmt(ctx)
    if bad:
        return bad
    data = [_model_json(m, fmt) for m in MODELS]
    return json_response(ctx, {"object": "list", "data": data} if fmt != "openrouter" else {"data": data})


async def retrieve_model(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    fmt, bad = _fmt(ctx)
    if bad:
        return bad
    model = _BY_ID.get(request.path_params["model_id"])
    if model is None:
        return ctx.error(
            404, f"Model {request.path_params['model_id']} does not exist.", code="model_not_found", param="model"
        )
    return json_response(ctx, _model_json(model, fmt))


async def tcp_warming(request: Request) -> Response:
    return PlainTextResponse("ok")


def _cid(prefix: str, ctx: Ctx) -> str:
    return prefix + hashlib.sha256(ctx.body).hexdigest()[:24]


def _billable(ctx: Ctx) -> Response | None:
    if ctx.api_key == SANDBOX_KEYS[NAME]["no_credits"]:
        return ctx.error(402, "Your account has no credits left.", code="payment_required")
    return None


def _error_frame(status: int) -> dict[str, Any]:
    return error_body(NAME, status, "injected fault: error frame", None)


async def chat(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    body, bad = ctx.json()
    if bad:
        return bad
    problem = validate_chat(body, set(_BY_ID))
    if problem:
        status, message, param, code = problem
        return ctx.error(status, message, param=param, code=code)
    no_credit = _billable(ctx)
    if no_credit:
        return no_credit
    scripted = ctx.state.next_script(NAME, ctx.api_key)
    answer = plan_answer(body, scripted, seed=ctx.state.settings.seed, reasoning_model=_BY_ID[body["model"]].reasoning)
    cid = _cid("chatcmpl-", ctx)
    timing = {"time_info": time_info(answer.prompt_tokens, answer.completion_tokens)}
    if body.get("stream"):
        return sse_response(ctx, SSEPlan(chunk_frames(answer, body, cid, timing)), _error_frame)
    return json_response(ctx, completion_payload(answer, body, cid, timing))


async def completions(request: Request) -> Response:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    if early:
        return early
    body, bad = ctx.json()
    if bad:
        return bad
    problem = validate_completion(body, set(_BY_ID))
    if problem:
        status, message, param, code = problem
        return ctx.error(status, message, param=param, code=code)
    no_credit = _billable(ctx)
    if no_credit:
        return no_credit
    cid, seed = _cid("cmpl-", ctx), ctx.state.settings.seed
    if body.get("stream"):
        return sse_response(ctx, SSEPlan(text_completion_frames(body, cid, seed)), _error_frame)
    return json_response(ctx, text_completion_payload(body, cid, seed))


def routes() -> list[Route]:
    return [
        Route("/v1/tcp_warming", tcp_warming, methods=["GET"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/completions", completions, methods=["POST"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", retrieve_model, methods=["GET"]),
    ]


def env(base_url: str) -> dict[str, str]:
    """Environment variables that point Cerebras clients at this plane."""
    return {"CEREBRAS_API_KEY": SANDBOX_KEYS[NAME]["valid"], "CEREBRAS_BASE_URL": base_url}
