"""The toolkits' budget rules, pure and table-driven: a call's worst case, the budgets a session holds, what the
agent reads when refused, and what a torn-down resource billed by the hour is settled at."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from neocloud.core.ledger import Budget
from neocloud.core.tools import UNLIMITED, CostEstimate, SpendPolicy, worst_case
from neocloud.core.tools._spend import BudgetChoice, caps_for, refusal_message, settled_micros, unbounded_message

BASIS = "price list"


@pytest.mark.parametrize(
    ("estimate", "policy", "usd", "hourly"),
    [
        (CostEstimate(1.29, 2.58, BASIS), SpendPolicy(), "2.58", "1.29"),  # rate x a declared runtime
        (CostEstimate(None, 0.69, BASIS), SpendPolicy(), "0.69", None),  # a one-off charge
        (CostEstimate(1.29, None, BASIS), SpendPolicy(), "1.29", "1.29"),  # rate x the assumed hour
        (CostEstimate(1.29, None, BASIS), SpendPolicy(default_runtime_hours=6), "7.74", "1.29"),
        (CostEstimate(0.1, None, BASIS), SpendPolicy(default_runtime_hours=3), "0.3", "0.1"),  # exact, not 0.300...04
        (CostEstimate(None, None, BASIS), SpendPolicy(unpriced_hourly_usd=2), "2", "2"),
        (CostEstimate(None, None, BASIS), SpendPolicy(unpriced_hourly_usd=2, default_runtime_hours=0.5), "1.0", "2"),
        (None, SpendPolicy(unpriced_hourly_usd=1.5), "1.5", "1.5"),
        (CostEstimate(None, None, BASIS), SpendPolicy(), None, None),  # cannot be bounded
        (None, SpendPolicy(max_total_usd=100), None, None),
    ],
)  # fmt: skip
def test_worst_case(estimate: CostEstimate | None, policy: SpendPolicy, usd: str | None, hourly: str | None) -> None:
    worst = worst_case(estimate, policy)
    assert worst.usd == (None if usd is None else Decimal(usd))
    assert worst.hourly_usd == (None if hourly is None else Decimal(hourly))
    assert (estimate.basis if estimate else "no estimate") in worst.how


DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("choice", "policy", "expected"),
    [
        (None, SpendPolicy(), [("10", "run", None, "this run's default budget")]),
        (UNLIMITED, SpendPolicy(), []),
        (Budget(max_usd=3), SpendPolicy(), [("3", "run", None, "this run's budget")]),
        (Budget(max_usd=50, scope="ledger", window=DAY), SpendPolicy(),
         [("50", "ledger", DAY, "the shared budget (every run on this ledger) over the last day")]),
        ([Budget(max_usd=3), Budget(max_usd=20, window=DAY)], SpendPolicy(),
         [("3", "run", None, "this run's budget"), ("20", "run", DAY, "this run's budget over the last day")]),
        (None, SpendPolicy(max_total_usd=20), [("20", "run", None, "this run's budget")]),
        (None, SpendPolicy(max_hourly_usd=2.5), [("2.5", "run", None, "this run's hourly cap ($2.50/h x 1 h)")]),
        (None, SpendPolicy(max_hourly_usd=2, default_runtime_hours=4),
         [("8", "run", None, "this run's hourly cap ($2.00/h x 4 h)")]),
        (None, SpendPolicy(max_hourly_usd=5, max_total_usd=20),
         [("20", "run", None, "this run's budget"), ("5", "run", None, "this run's hourly cap ($5.00/h x 1 h)")]),
        (Budget(max_usd=3), SpendPolicy(max_total_usd=20),  # both apply
         [("3", "run", None, "this run's budget"), ("20", "run", None, "this run's budget")]),
        (UNLIMITED, SpendPolicy(max_total_usd=20), [("20", "run", None, "this run's budget")]),  # caps still hold
        (None, SpendPolicy(unpriced_hourly_usd=2), [("10", "run", None, "this run's default budget")]),
    ],
)  # fmt: skip
def test_caps_for(
    choice: BudgetChoice, policy: SpendPolicy, expected: list[tuple[str, str, timedelta | None, str]]
) -> None:
    got = [(c.budget.cap_micros, c.budget.scope, c.budget.window, c.label) for c in caps_for(choice, policy)]
    assert got == [(int(Decimal(usd) * 1_000_000), scope, window, label) for usd, scope, window, label in expected]


@pytest.mark.parametrize(
    ("asked", "left", "cap", "room"),
    [
        (1_290_000, 420_000, 3_000_000, "has $0.42 left of $3.00 ($2.58 already spent or reserved)"),
        (2_490_000, 2_000_000, 2_000_000, "has $2.00 left of $2.00 (nothing spent or reserved yet)"),
        (1_000_000, 0, 3_000_000, "has nothing left of $3.00"),
        (500, 125, 1_000, "has $0.000125 left of $0.001 ($0.000875 already spent or reserved)"),
    ],
)
def test_the_refusal_says_what_was_asked_what_is_left_and_why(asked: int, left: int, cap: int, room: str) -> None:
    [chosen] = caps_for(Budget(max_usd=Decimal(cap).scaleb(-6)), SpendPolicy())
    worst = worst_case(CostEstimate(1.29, None, "a100 at $1.29/h"), SpendPolicy())
    text = refusal_message("runcrate_create_instance", worst, chosen, asked, left)
    assert text.startswith("runcrate_create_instance was refused before anything was sent: it may cost up to $")
    assert "(a100 at $1.29/h; no maximum runtime declared, so 1 h is assumed)" in text
    assert f"and this run's budget {room}." in text and text.endswith("Retrying the same call will be refused again.")
    assert "cost cannot be estimated (no price)" in unbounded_message("x", worst_case(CostEstimate(None, None,
                                                                                                   "no price"),
                                                                                      SpendPolicy()))  # fmt: skip


MINUTE = 60_000_000


@pytest.mark.parametrize(
    ("hourly", "reserved", "ran_us", "settled"),
    [
        (None, 5_000_000, 3 * MINUTE, None),  # nothing billed by the hour: the reservation stays the cost
        (1_290_000, 1_290_000, 30 * MINUTE, 645_000),
        (1_290_000, 1_290_000, 30 * MINUTE + 1, 666_500),  # a started minute counts
        (1_290_000, 1_290_000, 0, 21_500),  # at least a minute
        (1_290_000, 1_290_000, 300 * MINUTE, 1_290_000),  # never more than was reserved
        (1_000_001, 5_000_000, MINUTE, 16_667),  # rounded up to the micro-dollar
    ],
)
def test_settled_at_teardown(hourly: int | None, reserved: int, ran_us: int, settled: int | None) -> None:
    assert settled_micros(hourly, reserved, 1_000_000, 1_000_000 + ran_us) == settled
