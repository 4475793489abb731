"""Money in the ledger: exact integer micro-dollars, rounded up, never a float sum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neocloud.core import RequestValidationError
from neocloud.core.ledger import format_usd, micros_to_usd, to_micros


@pytest.mark.parametrize(
    ("value", "micros"),
    [
        (0, 0),
        (5, 5_000_000),
        (0.1, 100_000),  # the float's shortest repr: one tenth exactly, not 0.1000000000000000055...
        (0.3, 300_000),
        (1e-7, 1),  # a tenth of a micro-dollar rounds up: never under-count
        ("1.0000001", 1_000_001),
        ("12.50", 12_500_000),
        (" 3 ", 3_000_000),
        (Decimal("0.000001"), 1),
        (Decimal("0.0000010000001"), 2),
        (Decimal("2.5E+3"), 2_500_000_000),
        (Decimal("-0"), 0),
    ],
)
def test_to_micros_is_exact_and_rounds_up(value: object, micros: int) -> None:
    assert to_micros(value, param="estimate_usd") == micros  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [-1, -0.000001, float("nan"), float("inf"), "abc", "", True, None, [1], Decimal("NaN"), "1e30"]
)
def test_to_micros_refuses_what_is_not_a_non_negative_amount(value: object) -> None:
    with pytest.raises(RequestValidationError) as info:
        to_micros(value, param="estimate_usd")  # type: ignore[arg-type]
    assert info.value.param == "estimate_usd"
    assert "estimate_usd" in str(info.value)


@pytest.mark.parametrize(
    ("micros", "text"),
    [(0, "$0.00"), (12_500_000, "$12.50"), (125, "$0.000125"), (1_234_567_890_000, "$1,234,567.89"),
     (1, "$0.000001"), (-2_000_000, "-$2.00"), (100_000, "$0.10")],
)  # fmt: skip
def test_format_usd_never_shows_zero_for_a_non_zero_amount(micros: int, text: str) -> None:
    assert format_usd(micros) == text


def test_micros_to_usd_is_exact() -> None:
    assert micros_to_usd(123) == Decimal("0.000123")
    assert micros_to_usd(10_000_000) == Decimal(10)


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_amounts_with_at_most_six_places_round_trip(value: Decimal) -> None:
    assert micros_to_usd(to_micros(value, param="x")) == value


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False))
def test_rounding_up_never_under_counts_and_adds_under_a_micro_dollar(value: Decimal) -> None:
    counted = micros_to_usd(to_micros(value, param="x"))
    # Compared as a difference: value + 0.000001 would round away a tiny value at Decimal's 28 digits.
    assert value <= counted and counted - value < Decimal("0.000001")


@given(st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), max_size=50))
def test_sums_of_float_prices_are_integer_sums(prices: list[float]) -> None:
    # Each float is read once through its repr; summing the micros is exact whatever the order.
    micros = [to_micros(p, param="x") for p in prices]
    assert sum(micros) == sum(reversed(micros))
    assert all(m >= 0 for m in micros)
