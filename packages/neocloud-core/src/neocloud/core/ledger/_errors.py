"""The ledger's errors: ``LedgerError`` for misuse and storage problems, ``BudgetExceeded`` for a refusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..errors import NeocloudError

__all__ = ["BudgetExceeded", "LedgerError"]


class LedgerError(NeocloudError):
    """The ledger cannot do what was asked: an unknown entry, an outcome that contradicts the recorded one
    (a failed call cannot succeed later), a schema newer than this neocloud, or an unreachable store."""


class BudgetExceeded(LedgerError):
    """A billable call was refused *before anything was sent*: its worst-case cost does not fit the budget.

    ``asked_usd`` is what the call could cost, ``left_usd`` what the budget has left (cap minus what is spent
    or reserved in its scope), ``cap_usd`` the cap, ``scope`` ``"run"`` or ``"ledger"``, ``window`` the
    rolling window the cap applies to (``None``: all time), ``run_id`` and ``operation`` the call's. The
    message is written for an agent: what was refused, why, and what it can do instead.
    """

    def __init__(
        self,
        message: str,
        *,
        asked_usd: Decimal,
        left_usd: Decimal,
        cap_usd: Decimal,
        scope: str,
        window: timedelta | None,
        run_id: str,
        operation: str,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.asked_usd = asked_usd
        self.left_usd = left_usd
        self.cap_usd = cap_usd
        self.scope = scope
        self.window = window
        self.run_id = run_id
        self.operation = operation

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only attributes do not survive the default exception pickling; a worker process may raise it.
        state = {k: getattr(self, k) for k in ("asked_usd", "left_usd", "cap_usd", "scope", "window", "run_id",
                                                "operation")}  # fmt: skip
        return (_rebuild, (self.message, state))


def _rebuild(message: str, state: dict[str, Any]) -> BudgetExceeded:
    return BudgetExceeded(message, **state)
