"""The Cluster Protocol plane, mounted at ``/clusterprotocol`` (wire facts: shared/providers/clusterprotocol.md).

OpenAI routes under ``/v1`` (chat with ``usage.total_cost``, models with prices, embeddings, fine-tuning
jobs) and account routes under ``/api`` (balance, usage, datasets: list/get/purchase/access/download).
Keys: any ``sk-cluster-`` key (the doc's form) or ``cp_`` key (the SDK README's) is an account with $25.00;
``sk-cluster-sandbox-nocredits`` has $0 and gets 402 ``insufficient_balance`` (with ``balance`` and ``required``) on billable calls. Balances go down with
every billed call. Fine-tunes move queued → running → succeeded over ``phase_s`` seconds each; the
fine-tuned model then answers chat. An ``Idempotency-Key`` on a create returns the first result again.
Errors: ``{"error": {"message", "type", "param", "code"}}`` (no top-level ``status_code``).
"""

from __future__ import annotations

from starlette.routing import Route

from ...keys import SANDBOX_KEYS
from ._account import NAME
from ._inference import balance, chat, embeddings, models, usage
from ._jobs import datasets_routes, fine_tuning_routes

__all__ = ["env", "routes"]


def routes() -> list[Route]:
    return [
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", models, methods=["GET"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/api/balance", balance, methods=["GET"]),
        Route("/api/usage", usage, methods=["GET"]),
        *fine_tuning_routes(),
        *datasets_routes(),
    ]


def env(base_url: str) -> dict[str, str]:
    """Environment variables that point Cluster Protocol clients at this plane."""
    return {"CLUSTER_API_KEY": SANDBOX_KEYS[NAME]["valid"], "CLUSTER_BASE_URL": base_url}
