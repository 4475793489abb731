"""Totals per run: ``with costs() as run:`` adds up tokens and dollars per provider and model for every priced call
made inside it (any client, any framework class), and may carry a budget that refuses calls before they are sent.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..ledger._base import Budgets
from ..ledger._protocol import LedgerStore
from ._cost import Cost

__all__ = ["CostTotals", "ModelTotals", "TotalsView", "active_totals", "costs", "usd_of"]


@dataclass
class ModelTotals:
    """Tokens and dollars of one provider's model; ``unpriced_calls`` counts calls whose cost was unknown."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usd: Decimal = Decimal(0)
    unpriced_calls: int = 0


@dataclass
class CostTotals:
    """What a run spent, per ``(provider, model)``; with ``budget`` its calls are reserved in ``ledger`` first."""

    budget: Budgets = None
    ledger: LedgerStore | None = None
    run_id: str = field(default_factory=lambda: f"run-{uuid.uuid4().hex[:12]}")
    by_model: dict[tuple[str, str], ModelTotals] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, provider: str, model: str, usage: Any, cost: Cost | None) -> None:
        """Count one finished call (thread-safe)."""
        prompt, completion = _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")
        self.count(provider, model, prompt, completion, None if cost is None else cost.usd)

    def count(self, provider: str, model: str, prompt_tokens: int, completion_tokens: int, usd: Decimal | None) -> None:
        """Count one finished call from plain numbers (``usd=None``: its cost was unknown); thread-safe."""
        with self._lock:
            row = self.by_model.setdefault((provider, model), ModelTotals())
            row.calls += 1
            row.prompt_tokens += prompt_tokens
            row.completion_tokens += completion_tokens
            if usd is None:
                row.unpriced_calls += 1
            else:
                row.usd += usd

    @property
    def total_usd(self) -> Decimal:
        return sum((row.usd for row in self.by_model.values()), Decimal(0))

    @property
    def prompt_tokens(self) -> int:
        return sum(row.prompt_tokens for row in self.by_model.values())

    @property
    def completion_tokens(self) -> int:
        return sum(row.completion_tokens for row in self.by_model.values())

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def calls(self) -> int:
        return sum(row.calls for row in self.by_model.values())

    def __str__(self) -> str:
        lines = [f"Calls: {self.calls}", f"Tokens: {self.total_tokens} (prompt {self.prompt_tokens}, completion "
                 f"{self.completion_tokens})", f"Total cost (USD): ${self.total_usd}"]  # fmt: skip
        for (provider, model), row in sorted(self.by_model.items()):
            unpriced = f", {row.unpriced_calls} unpriced" if row.unpriced_calls else ""
            lines.append(f"  {provider}/{model}: {row.calls} calls, ${row.usd}{unpriced}")
        return "\n".join(lines)


class TotalsView:
    """The totals of ``self.totals`` (a ``CostTotals``) as attributes: for framework cost handlers."""

    totals: CostTotals

    @property
    def by_model(self) -> dict[tuple[str, str], ModelTotals]:
        return self.totals.by_model

    @property
    def total_usd(self) -> Decimal:
        return self.totals.total_usd

    @property
    def prompt_tokens(self) -> int:
        return self.totals.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.totals.completion_tokens

    @property
    def total_tokens(self) -> int:
        return self.totals.total_tokens

    @property
    def calls(self) -> int:
        return self.totals.calls

    def __str__(self) -> str:
        return str(self.totals)


def _tokens(usage: Any, name: str) -> int:
    value = getattr(usage, name, None) if usage is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def usd_of(cost: Any) -> Decimal | None:
    """The dollars of a ``.cost`` dict (``{"usd": "...", "source": ...}``) as carried in framework metadata."""
    usd = cost.get("usd") if isinstance(cost, dict) else None
    try:
        value = Decimal(usd) if isinstance(usd, str) else None
    except InvalidOperation:
        return None  # not our form (metadata another library wrote): unknown, never a guess
    return value if value is not None and value.is_finite() and value >= 0 else None


_ACTIVE: ContextVar[tuple[CostTotals, ...]] = ContextVar("neocloud_cost_totals", default=())


def active_totals() -> tuple[CostTotals, ...]:
    """The totals open in this context, outermost first."""
    return _ACTIVE.get()


@contextmanager
def costs(
    *, budget: Budgets = None, ledger: LedgerStore | None = None, run_id: str | None = None
) -> Iterator[CostTotals]:
    """Total every priced call made inside the block; with ``budget`` (a ``Budget`` or several), reserve each call's
    worst case in ``ledger`` (default: a fresh ``InMemoryLedger``) first, so a call that would exceed it raises
    ``BudgetExceeded`` before anything is sent."""
    if budget is not None and ledger is None:
        from ..ledger._memory import InMemoryLedger

        ledger = InMemoryLedger()
    totals = CostTotals(budget=budget, ledger=ledger)
    if run_id:
        totals.run_id = run_id
    token = _ACTIVE.set((*_ACTIVE.get(), totals))
    try:
        yield totals
    finally:
        _ACTIVE.reset(token)
