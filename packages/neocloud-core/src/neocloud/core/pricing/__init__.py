"""Prices and costs of inference calls, and their way through the ledger and budget.

Every chat completion, completion and embeddings response (and a stream's usage chunk) carries ``cost``:
``{"usd": "0.000123", "source": "provider" | "catalog" | "price_table:<date>"}``, or ``None`` when unknown.
A client given ``ledger=`` / ``budget=`` reserves each call's worst case before sending and settles it with
the actual cost; ``costs()`` totals a run's calls (and may carry its own budget). See ``docs/budgets.md``.
"""

from __future__ import annotations

from ._cost import (
    DEFAULT_MAX_OUTPUT_TOKENS,
    MESSAGE_OVERHEAD_TOKENS,
    Cost,
    ModelPrice,
    PriceTable,
    catalog_price,
    output_token_bound,
    prompt_token_bound,
    reported_cost,
    usage_cost,
    worst_case_usd,
)
from ._meter import Kind, Meter, Unpriced
from ._totals import CostTotals, ModelTotals, TotalsView, active_totals, costs, usd_of

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "MESSAGE_OVERHEAD_TOKENS",
    "Cost",
    "CostTotals",
    "Kind",
    "Meter",
    "ModelPrice",
    "ModelTotals",
    "PriceTable",
    "TotalsView",
    "Unpriced",
    "active_totals",
    "catalog_price",
    "costs",
    "output_token_bound",
    "prompt_token_bound",
    "reported_cost",
    "usage_cost",
    "usd_of",
    "worst_case_usd",
]
