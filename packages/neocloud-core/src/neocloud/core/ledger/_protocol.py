"""``LedgerStore``: the interface the wiring types against. ``BaseLedger`` and its three stores implement it;
a store of another kind (a ledger service, say) can too, without inheriting anything."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ._base import Budgets
from ._money import Money
from ._records import Entry, Intent, Resource, ResourceRecord, Spend, Status

__all__ = ["LedgerStore"]


@runtime_checkable
class LedgerStore(Protocol):
    """A durable ledger with an atomic budget check; every method synchronous and thread-safe. See
    ``BaseLedger`` for what each method guarantees."""

    def setup(self) -> None: ...

    def close(self) -> None: ...

    def schema_version(self) -> int: ...

    def reserve(self, intent: Intent, budgets: Budgets = None) -> Entry: ...

    def succeed(
        self, entry_id: str, *, actual_usd: Money | None = None, resource: ResourceRecord | None = None
    ) -> Entry: ...

    def fail(self, entry_id: str, *, error: str | None = None, actual_usd: Money | None = None) -> Entry: ...

    def mark_unknown(self, entry_id: str, *, error: str | None = None) -> Entry: ...

    def settle(self, entry_id: str, actual_usd: Money) -> Entry: ...

    def record_teardown(self, provider: str, resource_id: str, *, actual_usd: Money | None = None) -> list[Entry]: ...

    def get(self, entry_id: str) -> Entry: ...

    def entries(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: Status | None = None,
    ) -> list[Entry]: ...

    def resources(
        self, *, run_id: str | None = None, provider: str | None = None, include_torn_down: bool = False
    ) -> list[Resource]: ...

    def open_intents(
        self, *, run_id: str | None = None, provider: str | None = None, older_than: timedelta | None = None
    ) -> list[Entry]: ...

    def spend(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Spend: ...

    def spend_by(
        self,
        by: str,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str | None, Spend]: ...
