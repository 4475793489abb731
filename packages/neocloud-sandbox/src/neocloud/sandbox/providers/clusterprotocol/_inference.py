"""Cluster Protocol plane: chat (billed, ``usage.total_cost``), models, embeddings, balance, usage."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...common import SSEPlan, json_response, sse_response
from ...errors import error_body
from ..embeddings import check_embeddings, embeddings_payload
from ..openai_chat import chunk_frames, completion_payload, plan_answer, validate_chat
from ._account import MODELS, NAME, Account, ClusterModel, charge, open_request
from ._jobs import refresh_jobs

__all__ = ["balance", "chat", "embeddings", "models", "usage"]

_BY_ID = {m.id: m for m in MODELS}


def _chat_models(account: Account) -> set[str]:
    tuned = {j["fine_tuned_model"] for j in account.jobs.values() if j.get("fine_tuned_model")}
    return {m.id for m in MODELS if m.category == "chat"} | tuned


async def chat(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    refresh_jobs(ctx, account)
    problem = validate_chat(body, _chat_models(account))
    if problem:
        status, message, param, code = problem
        return ctx.error(status, message, param=param, code=code)
    answer = plan_answer(
        body, ctx.state.next_script(NAME, ctx.api_key), seed=ctx.state.settings.seed, reasoning_model=False
    )
    prices = _BY_ID.get(body["model"], _BY_ID["llama-3.1-8b"])
    cost = round(
        answer.prompt_tokens / 1000 * prices.input_price + answer.completion_tokens / 1000 * prices.output_price, 8
    )
    broke = charge(ctx, account, cost)
    if broke:
        return broke
    account.requests += 1
    account.tokens_in += answer.prompt_tokens
    account.tokens_out += answer.completion_tokens
    cid = "chatcmpl-" + hashlib.sha256(ctx.body).hexdigest()[:24]
    if body.get("stream"):
        frames = chunk_frames(answer, body, cid, {}, usage_frame=True, usage_extra={"total_cost": cost})
        return sse_response(ctx, SSEPlan(frames), lambda status: error_body(NAME, status, "injected fault", None))
    payload = completion_payload(answer, body, cid, {})
    payload["usage"]["total_cost"] = cost
    return json_response(ctx, payload)


def _model_json(model: ClusterModel) -> dict[str, Any]:
    return {
        "id": model.id, "object": "model", "name": model.name, "category": model.category,
        "input_price": model.input_price, "output_price": model.output_price, "total_runs": model.total_runs,
        "context_length": model.context_length, "owned_by": "cluster-protocol", "created": 1_717_000_000,
    }  # fmt: skip


async def models(request: Request) -> Response:
    ctx, _, early = await open_request(request)
    if early:
        return early
    model_id = request.path_params.get("model_id")
    if model_id is None:
        return json_response(ctx, {"object": "list", "data": [_model_json(m) for m in MODELS]})
    model = _BY_ID.get(model_id)
    if model is None:
        return ctx.error(404, f"Model {model_id} not found", code="model_not_found", param="model")
    return json_response(ctx, _model_json(model))


async def embeddings(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    model = _BY_ID.get(body.get("model", "")) if isinstance(body.get("model"), str) else None
    if model is None or model.category != "embedding":
        return ctx.error(404, f"Embedding model {body.get('model')!r} not found", code="model_not_found", param="model")
    checked = check_embeddings(body, model.id)
    if len(checked) == 2:
        return ctx.error(400, str(checked[1]), param=str(checked[0]))
    texts, dimensions, fmt = checked
    payload = embeddings_payload(texts, dimensions, fmt, model.id)
    broke = charge(ctx, account, round(payload["usage"]["prompt_tokens"] / 1000 * model.input_price, 8))
    if broke:
        return broke
    return json_response(ctx, payload)


async def balance(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    return json_response(ctx, {"balanceUsd": f"{account.balance:.6f}", "totalDeposited": account.deposited,
                               "totalSpent": round(account.spent, 8)})  # fmt: skip


async def usage(request: Request) -> Response:
    ctx, account, early = await open_request(request)
    if early or account is None:
        return early  # type: ignore[return-value]
    n = account.requests
    return json_response(ctx, {
        "totalRequests": n, "totalTokensIn": account.tokens_in, "totalTokensOut": account.tokens_out,
        "totalTokens": account.tokens_in + account.tokens_out, "totalCost": round(account.spent, 8),
        "avgCostPerRequest": round(account.spent / n, 8) if n else 0, "avgLatencyMs": 12.5 if n else 0,
    })  # fmt: skip
