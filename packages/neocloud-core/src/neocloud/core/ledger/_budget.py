"""One budget in dollars, over everything billable (tokens and GPU-hours alike), and its arithmetic.

The arithmetic is pure (integer micro-dollars in, a ``Decision`` out) so every rule has table-driven and
property tests; the stores only supply the numbers, inside the transaction that makes reserving atomic:

- what a scope has *committed* is the sum over its entries of ``reserved + actual``: settled costs plus the
  worst case still held by calls in flight, calls whose outcome is unknown and resources whose bill is open;
- a call asking ``asked`` fits when ``committed + asked <= cap``; equality fits (a cap is a maximum);
- a window counts the entries created in ``[now - window, now]``; without one, all time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from ..errors import RequestValidationError
from ._errors import BudgetExceeded
from ._money import Money, format_usd, micros_to_usd, to_micros
from ._query import Filter

__all__ = ["Budget", "Decision", "Scope", "decide", "refusal", "scope_filter", "window_start_us"]

Scope = Literal["run", "ledger"]
_SCOPES: tuple[Scope, ...] = ("run", "ledger")


@dataclass(frozen=True)
class Budget:
    """A cap of ``max_usd`` dollars over one ``scope``: ``"run"`` (the entries of the calling run) or
    ``"ledger"`` (every entry in the ledger: every run, process and machine sharing it), for all time or
    over a rolling ``window`` (e.g. ``timedelta(days=1)``: at most ``max_usd`` in any 24 hours)."""

    max_usd: Money
    scope: Scope = "run"
    window: timedelta | None = None
    cap_micros: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.scope not in _SCOPES:
            raise RequestValidationError(f"scope must be 'run' or 'ledger', got {self.scope!r}", param="scope",
                                         allowed="'run' or 'ledger'")  # fmt: skip
        if self.window is not None and (not isinstance(self.window, timedelta) or self.window <= timedelta(0)):
            raise RequestValidationError(f"window must be a positive timedelta or None, got {self.window!r}",
                                         param="window", allowed="a positive datetime.timedelta, or None")  # fmt: skip
        object.__setattr__(self, "cap_micros", to_micros(self.max_usd, param="max_usd"))

    def describe(self) -> str:
        """``this run's budget``, ``the shared budget (every run on this ledger) over the last day``: for
        messages."""
        whose = "this run's budget" if self.scope == "run" else "the shared budget (every run on this ledger)"
        return whose if self.window is None else f"{whose} over the last {_span(self.window)}"


@dataclass(frozen=True)
class Decision:
    """Whether ``asked`` fits: ``left`` is what the cap allows beyond ``committed`` (never negative)."""

    allowed: bool
    cap_micros: int
    committed_micros: int
    asked_micros: int
    left_micros: int


def decide(cap_micros: int, committed_micros: int, asked_micros: int) -> Decision:
    """The budget rule: fits iff ``committed + asked <= cap``. Integers only: no rounding can let a call in."""
    left = max(cap_micros - committed_micros, 0)
    return Decision(committed_micros + asked_micros <= cap_micros, cap_micros, committed_micros, asked_micros, left)


def window_start_us(now_us: int, window: timedelta | None) -> int | None:
    """The first instant (microseconds) a window counts, or ``None`` for all time."""
    if window is None:
        return None
    return now_us - (window.days * 86_400 + window.seconds) * 1_000_000 - window.microseconds


def scope_filter(budget: Budget, run_id: str, now_us: int) -> Filter:
    """The entries ``budget`` counts for a call of ``run_id`` made at ``now_us``."""
    return Filter(run_id=run_id if budget.scope == "run" else None, since_us=window_start_us(now_us, budget.window))


def refusal(budget: Budget, decision: Decision, *, operation: str, run_id: str) -> BudgetExceeded:
    """The ``BudgetExceeded`` for a refused call, its message written for the agent that made it."""
    asked, left, cap = (format_usd(m) for m in (decision.asked_micros, decision.left_micros, decision.cap_micros))
    message = (
        f"{operation} was refused before anything was sent: it may cost up to {asked} and {budget.describe()} "
        f"has {left} left of {cap} ({format_usd(decision.committed_micros)} already spent or reserved). "
        "Choose a cheaper option (a smaller instance, a shorter runtime, fewer tokens), tear down what is no "
        "longer needed, or ask the user to raise the budget. Retrying the same call will be refused again."
    )
    return BudgetExceeded(message, asked_usd=micros_to_usd(decision.asked_micros),
                          left_usd=micros_to_usd(decision.left_micros), cap_usd=micros_to_usd(decision.cap_micros),
                          scope=budget.scope, window=budget.window, run_id=run_id, operation=operation)  # fmt: skip


def _span(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}" if count != 1 else unit
    return f"{window.total_seconds():g} seconds"
