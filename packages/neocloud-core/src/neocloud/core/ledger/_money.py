"""Money as integer micro-dollars: the ledger's only unit, so sums are exact and never drift.

Amounts arrive as ``Decimal``, ``int``, ``str`` or ``float`` (provider price tables are floats). Each is read
exactly (a float through its shortest ``repr``, so ``0.1`` is one tenth, not 0.1000000000000000055...) and
rounded *up* to the next micro-dollar: the ledger may over-count by under a millionth of a dollar per entry,
never under-count. Sums are integer additions; no float is ever accumulated.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Union

from ..errors import RequestValidationError

__all__ = ["MICROS_PER_USD", "Money", "format_usd", "micros_to_usd", "to_micros"]

MICROS_PER_USD = 1_000_000
# The largest amount a BIGINT column holds, in dollars (about 9.2 trillion): anything above is a mistake.
_MAX_MICROS = 2**63 - 1

Money = Union[Decimal, int, float, str]
"""What the ledger accepts as an amount of US dollars."""


def to_micros(value: Money, *, param: str) -> int:
    """``value`` US dollars as whole micro-dollars, rounded up; ``param`` names the argument in errors.

    Refused (``RequestValidationError``): negative, NaN or infinite amounts, non-numbers, ``bool``.
    """
    allowed = "a finite, non-negative amount of US dollars (Decimal, int, float or numeric str)"
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise RequestValidationError(f"{param} must be {allowed}, got {type(value).__name__}", param=param,
                                     allowed=allowed)  # fmt: skip
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RequestValidationError(f"{param} must be {allowed}, got {value!r}", param=param, allowed=allowed)
        exact = Decimal(repr(value))
    else:
        try:
            exact = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            raise RequestValidationError(f"{param} must be {allowed}, got {value!r}", param=param,
                                         allowed=allowed) from None  # fmt: skip
    if not exact.is_finite() or exact < 0:
        raise RequestValidationError(f"{param} must be {allowed}, got {value!r}", param=param, allowed=allowed)
    micros = int((exact * MICROS_PER_USD).to_integral_value(rounding=ROUND_CEILING))
    if micros > _MAX_MICROS:
        raise RequestValidationError(f"{param} is too large ({value!r} USD)", param=param, allowed=allowed)
    return micros


def micros_to_usd(micros: int) -> Decimal:
    """Whole micro-dollars as an exact ``Decimal`` number of dollars."""
    return Decimal(micros).scaleb(-6)


def format_usd(micros: int) -> str:
    """``$12.50``; sub-cent amounts keep the digits that matter (``$0.000125``), so a message never says $0.00
    about a non-zero amount."""
    sign = "-" if micros < 0 else ""
    whole, frac = divmod(abs(micros), MICROS_PER_USD)
    digits = f"{frac:06d}".rstrip("0").ljust(2, "0")
    return f"{sign}${whole:,}.{digits}"
