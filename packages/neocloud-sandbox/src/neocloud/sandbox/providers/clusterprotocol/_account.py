"""Cluster Protocol plane: catalog, datasets and per-key accounts (balance, jobs, idempotency)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...common import Ctx, begin
from ...keys import KEY_PREFIXES, SANDBOX_KEYS

__all__ = ["DATASETS", "MODELS", "NAME", "Account", "ClusterModel", "charge", "open_request"]

NAME = "clusterprotocol"


@dataclass(frozen=True)
class ClusterModel:
    """A catalog entry: prices in USD per 1K tokens."""

    id: str
    name: str
    category: str
    input_price: float
    output_price: float
    total_runs: int
    context_length: int


MODELS = (
    ClusterModel("llama-3.1-70b", "Llama 3.1 70B Instruct", "chat", 0.00059, 0.00079, 182_340, 131_072),
    ClusterModel("llama-3.1-8b", "Llama 3.1 8B Instruct", "chat", 0.00005, 0.00008, 402_118, 131_072),
    ClusterModel("deepseek-ai/DeepSeek-V3", "DeepSeek V3", "chat", 0.00027, 0.0011, 95_002, 65_536),
    ClusterModel("bge-large-en-v1.5", "BGE Large EN v1.5", "embedding", 0.00002, 0.0, 51_877, 512),
)
_BY_ID = {m.id: m for m in MODELS}


def _dataset(ident: str, slug: str, name: str, pricing: str, price: str, cid: str, filename: str) -> dict[str, Any]:
    return {
        "id": ident, "slug": slug, "name": name, "description": f"{name} (sandbox dataset).", "pricingType": pricing,
        "priceUsd": price, "tags": [slug.split("-")[0]], "taskCategories": ["text"], "status": "published",
        "numRows": 3, "formats": ["jsonl"], "numFiles": 1,
        "files": [{"id": f"f_{ident}", "filename": filename, "ipfsCid": cid, "sizeBytes": 64, "format": "jsonl"}],
    }  # fmt: skip


DATASETS: tuple[dict[str, Any], ...] = (
    _dataset("ds_001", "gpu-telemetry", "GPU Telemetry", "free", "0", "bafytelemetry1", "telemetry.jsonl"),
    _dataset("ds_002", "code-reviews", "Code Reviews", "paid", "5.00", "bafyreviews1", "reviews.jsonl"),
)


@dataclass
class Account:
    """One key's account."""

    balance: float
    deposited: float
    spent: float = 0.0
    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    purchases: set[str] = field(default_factory=set)
    idempotent: dict[str, Any] = field(default_factory=dict)


def account_of(ctx: Ctx) -> Account:
    funded = 0.0 if ctx.api_key == SANDBOX_KEYS[NAME]["no_credits"] else 25.0
    account: Account = ctx.state.store(NAME, ctx.account, lambda: Account(balance=funded, deposited=funded))
    return account


def charge(ctx: Ctx, account: Account, cost: float) -> Response | None:
    if cost > account.balance:
        return ctx.error(402, "Insufficient balance. Please deposit more funds.", code="insufficient_balance",
                         balance=round(account.balance, 6), required=round(cost, 6))  # fmt: skip
    account.balance -= cost
    account.spent += cost
    return None


async def open_request(request: Request) -> tuple[Ctx, Account | None, Response | None]:
    ctx, early = await begin(request, NAME, KEY_PREFIXES[NAME])
    return ctx, (None if early else account_of(ctx)), early
