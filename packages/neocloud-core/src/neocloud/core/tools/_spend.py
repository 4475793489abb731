"""How a toolkit's spending maps onto the ledger's budget, as pure functions: a call's worst case, the budgets a
session reserves against (an explicit ``budget=``, the caps of a ``SpendPolicy``, or the default budget), the
refusal the agent reads, the note its billable tools carry, and what a resource billed by the hour is settled at
when it is torn down.

A billable call reserves its worst case in the ledger (atomically against every budget) before anything is sent:

- a provider-priced call with a total (a one-off charge, or an hourly rate times a declared maximum runtime,
  such as an instance's ``max_runtime_minutes``) reserves that total;
- a call priced only by the hour reserves ``hourly rate x default_runtime_hours`` (nothing bounds how long it
  runs, so the policy's runtime assumption does; ``cleanup`` ends it);
- a call whose provider publishes no price reserves ``unpriced_hourly_usd x default_runtime_hours`` when the
  policy states that assumption, and is refused under any budget otherwise (its cost cannot be bounded).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from ..errors import RequestValidationError
from ..ledger import Budget, BudgetExceeded, format_usd, to_micros
from ._model import CostEstimate

__all__ = [
    "DEFAULT_BUDGET_USD",
    "UNLIMITED",
    "BudgetChoice",
    "Cap",
    "SpendPolicy",
    "Unlimited",
    "WorstCase",
    "budget_note",
    "caps_for",
    "refusal_from",
    "refusal_message",
    "settled_micros",
    "unbounded_message",
    "worst_case",
]

# Ten dollars per run: enough for a few GPU-hours (seven hours of an A100 at Runcrate's $1.29/h, or a day of a
# 100 GB volume many times over) yet small enough that an agent stuck in a loop stops after a handful of creates,
# not hundreds. A run that needs more says so with ``budget=``.
DEFAULT_BUDGET_USD = Decimal(10)


class Unlimited(enum.Enum):
    """``budget=UNLIMITED``: no budget at all (calls are still recorded in the ledger). Only ever explicit."""

    UNLIMITED = "unlimited"


UNLIMITED = Unlimited.UNLIMITED

BudgetChoice = Union[Budget, Sequence[Budget], Unlimited, None]
"""What ``budget=`` accepts: a ``Budget`` or several, ``UNLIMITED``, or ``None`` for the default budget (when the
toolkit may run billable tools and ``spend_policy`` sets no cap)."""

_CHOICES = "a neocloud.core.ledger.Budget, a list of them, neocloud.core.tools.UNLIMITED, or None (the default budget)"


@dataclass(frozen=True)
class SpendPolicy:
    """Caps and pricing assumptions for one toolkit, mapped onto ledger budgets of its run.

    ``max_total_usd`` becomes a run budget of that many dollars. ``max_hourly_usd`` becomes the hourly cap: a run
    budget of ``max_hourly_usd x default_runtime_hours`` dollars, against which each call reserves its hourly rate
    times its runtime bound (its declared maximum runtime, else ``default_runtime_hours``); what is torn down is
    settled at its rate times the time it ran, so stopping something frees the cap. ``unpriced_hourly_usd`` is what
    to assume for a call whose provider publishes no price (``None``: such a call is refused under any budget).
    """

    max_hourly_usd: float | None = None
    max_total_usd: float | None = None
    unpriced_hourly_usd: float | None = None
    default_runtime_hours: float = 1.0

    def __post_init__(self) -> None:
        for name in ("max_hourly_usd", "max_total_usd", "unpriced_hourly_usd"):
            value = getattr(self, name)
            if value is not None:
                to_micros(value, param=name)  # a finite, non-negative amount, or a clear error naming it
        hours = self.default_runtime_hours
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours < math.inf:
            raise RequestValidationError(f"default_runtime_hours must be a positive number of hours, got {hours!r}",
                                         param="default_runtime_hours", allowed="a positive number")  # fmt: skip


@dataclass(frozen=True)
class Cap:
    """One budget a session reserves against; ``label`` names it to the agent, ``note`` tells the agent its
    limit in the billable tools' descriptions."""

    budget: Budget
    label: str
    note: str


@dataclass(frozen=True)
class WorstCase:
    """What a call may cost at most (``usd``; ``None``: it cannot be bounded), the hourly rate of what it starts,
    and how that was worked out (for the refusal message)."""

    usd: Decimal | None
    hourly_usd: Decimal | None
    how: str


def _d(value: float) -> Decimal:
    return Decimal(repr(value))  # a float read exactly as written (0.1 is one tenth)


def _hours(hours: float) -> str:
    return f"{hours:g} h"


def worst_case(estimate: CostEstimate | None, policy: SpendPolicy) -> WorstCase:
    """A call's worst case from its estimate and the policy's assumptions (see the module docstring)."""
    basis = estimate.basis if estimate is not None else "no estimate"
    hours = _d(policy.default_runtime_hours)
    if estimate is not None and estimate.total_usd is not None:
        hourly = None if estimate.hourly_usd is None else _d(estimate.hourly_usd)
        return WorstCase(_d(estimate.total_usd), hourly, basis)
    if estimate is not None and estimate.hourly_usd is not None:
        rate = _d(estimate.hourly_usd)
        how = f"{basis}; no maximum runtime declared, so {_hours(policy.default_runtime_hours)} is assumed"
        return WorstCase(rate * hours, rate, how)
    if policy.unpriced_hourly_usd is not None:
        rate = _d(policy.unpriced_hourly_usd)
        how = f"{basis}: assumed ${policy.unpriced_hourly_usd:g}/h for {_hours(policy.default_runtime_hours)}"
        return WorstCase(rate * hours, rate, how)
    return WorstCase(None, None, basis)


def caps_for(choice: BudgetChoice, policy: SpendPolicy) -> tuple[Cap, ...]:
    """The budgets a session holds: ``choice``'s, the policy's caps, or the default budget when neither sets one
    (``UNLIMITED``: only the policy's caps, if any). Refuses anything else, naming ``budget``."""
    chosen: list[Cap] = []
    if isinstance(choice, Budget):
        chosen.append(_explicit(choice))
    elif isinstance(choice, Sequence) and not isinstance(choice, (str, bytes)):
        for item in choice:
            if not isinstance(item, Budget):
                raise RequestValidationError(f"budget must be {_CHOICES}; the list holds {item!r}", param="budget",
                                             allowed=_CHOICES)  # fmt: skip
            chosen.append(_explicit(item))
    elif choice is not None and choice is not UNLIMITED:
        raise RequestValidationError(f"budget must be {_CHOICES}, got {choice!r}", param="budget", allowed=_CHOICES)
    if policy.max_total_usd is not None:
        total = format_usd(to_micros(policy.max_total_usd, param="max_total_usd"))
        chosen.append(Cap(Budget(max_usd=policy.max_total_usd), "this run's budget",
                          f"this run may commit at most {total}"))  # fmt: skip
    if policy.max_hourly_usd is not None:
        rate = format_usd(to_micros(policy.max_hourly_usd, param="max_hourly_usd"))
        runtime = _hours(policy.default_runtime_hours)
        chosen.append(Cap(Budget(max_usd=_d(policy.max_hourly_usd) * _d(policy.default_runtime_hours)),
                          f"this run's hourly cap ({rate}/h x {runtime})",
                          f"this run may keep at most {rate}/h running (each call reserves its hourly rate x its "
                          f"maximum runtime, or x {runtime} when it declares none)"))  # fmt: skip
    if not chosen and choice is None:
        default = format_usd(to_micros(DEFAULT_BUDGET_USD, param="budget"))
        chosen.append(Cap(Budget(max_usd=DEFAULT_BUDGET_USD), "this run's default budget",
                          f"this run may commit at most {default} (the default budget; ask the user if a task "
                          "needs more)"))  # fmt: skip
    return tuple(chosen)


def _explicit(budget: Budget) -> Cap:
    cap = format_usd(budget.cap_micros)
    return Cap(budget, budget.describe(), f"{budget.describe()} allows at most {cap}")


def budget_note(caps: Sequence[Cap]) -> str:
    """What the billable tools' descriptions add, so the agent knows its limit before it hits it."""
    if not caps:
        return ""
    return (f" Budget: {'; '.join(c.note for c in caps)}. Every call reserves its worst-case cost before anything "
            "is sent; a call that does not fit is refused.")  # fmt: skip


_ADVICE = (
    "Choose something cheaper (a smaller instance or volume, a shorter max runtime), tear down what this run no "
    "longer needs, or ask the user to raise the budget. Retrying the same call will be refused again."
)


def refusal_message(operation: str, worst: WorstCase, cap: Cap, asked_micros: int, left_micros: int) -> str:
    """The agent's message for a call that does not fit ``cap``: what it asked, what is left, and why."""
    cap_micros = cap.budget.cap_micros
    if left_micros >= cap_micros:
        room = f"has {format_usd(left_micros)} left of {format_usd(cap_micros)} (nothing spent or reserved yet)"
    elif left_micros > 0:
        room = (f"has {format_usd(left_micros)} left of {format_usd(cap_micros)} "
                f"({format_usd(cap_micros - left_micros)} already spent or reserved)")  # fmt: skip
    else:
        room = f"has nothing left of {format_usd(cap_micros)}"
    return (f"{operation} was refused before anything was sent: it may cost up to {format_usd(asked_micros)} "
            f"({worst.how}) and {cap.label} {room}. {_ADVICE}")  # fmt: skip


def refusal_from(operation: str, worst: WorstCase, caps: Sequence[Cap], exc: BudgetExceeded) -> str:
    """``refusal_message`` for the ledger's ``BudgetExceeded`` (the cap it names, by amount, scope and window)."""
    cap_micros = to_micros(exc.cap_usd, param="cap_usd")
    named = (cap_micros, exc.scope, exc.window)
    cap = next((c for c in caps if (c.budget.cap_micros, c.budget.scope, c.budget.window) == named), caps[0])
    return refusal_message(operation, worst, cap, to_micros(exc.asked_usd, param="asked_usd"),
                           to_micros(exc.left_usd, param="left_usd"))  # fmt: skip


def unbounded_message(operation: str, worst: WorstCase) -> str:
    """The agent's message for a call whose cost cannot be bounded under a budget."""
    return (f"{operation} was refused before anything was sent: its cost cannot be estimated ({worst.how}) and this "
            "run has a budget. Ask the user to allow it: the toolkit can state what to assume it costs per hour "
            "(SpendPolicy(unpriced_hourly_usd=...)).")  # fmt: skip


def settled_micros(hourly_micros: int | None, reserved_micros: int, started_us: int, ended_us: int) -> int | None:
    """What a torn-down resource billed by the hour is settled at: its rate times the time it existed, rounded up
    to the whole minute, never more than its reservation (``None``: no hourly rate, keep the reservation)."""
    if hourly_micros is None:
        return None
    minutes = max(math.ceil((ended_us - started_us) / 60_000_000), 1)
    return min(-(-hourly_micros * minutes // 60), reserved_micros)
