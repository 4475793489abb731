"""``AsyncLedger``: the same ledger for asyncio code.

Each method runs the synchronous store in a worker thread (``asyncio.to_thread``) rather than having a
second, async implementation of every store: the stores' drivers (``sqlite3``, psycopg's connection) block,
a thread keeps the event loop free while they wait (a ``BEGIN IMMEDIATE`` may wait seconds for another
process), and the atomicity rules live in one place, so the sync and async paths cannot drift apart. The
store's own lock makes the calls of many tasks atomic exactly as it does for threads.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from ._base import Budgets
from ._money import Money
from ._protocol import LedgerStore
from ._records import Entry, Intent, Resource, ResourceRecord, Spend, Status

__all__ = ["AsyncLedger", "aopen_ledger"]


class AsyncLedger:
    """An asyncio face on a ledger store: the same methods, awaited. ``async with`` closes the store."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    async def setup(self) -> None:
        await asyncio.to_thread(self.store.setup)

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)

    async def schema_version(self) -> int:
        return await asyncio.to_thread(self.store.schema_version)

    async def reserve(self, intent: Intent, budgets: Budgets = None) -> Entry:
        return await asyncio.to_thread(self.store.reserve, intent, budgets)

    async def succeed(
        self, entry_id: str, *, actual_usd: Money | None = None, resource: ResourceRecord | None = None
    ) -> Entry:
        return await asyncio.to_thread(lambda: self.store.succeed(entry_id, actual_usd=actual_usd, resource=resource))

    async def fail(self, entry_id: str, *, error: str | None = None, actual_usd: Money | None = None) -> Entry:
        return await asyncio.to_thread(lambda: self.store.fail(entry_id, error=error, actual_usd=actual_usd))

    async def mark_unknown(self, entry_id: str, *, error: str | None = None) -> Entry:
        return await asyncio.to_thread(lambda: self.store.mark_unknown(entry_id, error=error))

    async def settle(self, entry_id: str, actual_usd: Money) -> Entry:
        return await asyncio.to_thread(self.store.settle, entry_id, actual_usd)

    async def record_teardown(self, provider: str, resource_id: str, *, actual_usd: Money | None = None) -> list[Entry]:
        return await asyncio.to_thread(lambda: self.store.record_teardown(provider, resource_id, actual_usd=actual_usd))

    async def get(self, entry_id: str) -> Entry:
        return await asyncio.to_thread(self.store.get, entry_id)

    async def entries(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: Status | None = None,
    ) -> list[Entry]:
        return await asyncio.to_thread(lambda: self.store.entries(run_id=run_id, provider=provider, model=model,
                                                                  since=since, until=until, status=status))  # fmt: skip

    async def resources(
        self, *, run_id: str | None = None, provider: str | None = None, include_torn_down: bool = False
    ) -> list[Resource]:
        return await asyncio.to_thread(lambda: self.store.resources(run_id=run_id, provider=provider,
                                                                    include_torn_down=include_torn_down))  # fmt: skip

    async def open_intents(
        self, *, run_id: str | None = None, provider: str | None = None, older_than: timedelta | None = None
    ) -> list[Entry]:
        return await asyncio.to_thread(lambda: self.store.open_intents(run_id=run_id, provider=provider,
                                                                       older_than=older_than))  # fmt: skip

    async def spend(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Spend:
        return await asyncio.to_thread(lambda: self.store.spend(run_id=run_id, provider=provider, model=model,
                                                                since=since, until=until))  # fmt: skip

    async def spend_by(
        self,
        by: str,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str | None, Spend]:
        return await asyncio.to_thread(lambda: self.store.spend_by(by, run_id=run_id, provider=provider, model=model,
                                                                   since=since, until=until))  # fmt: skip

    async def __aenter__(self) -> AsyncLedger:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncLedger({self.store!r})"


async def aopen_ledger(url: str | None = None, *, setup: bool = True) -> AsyncLedger:
    """``open_ledger`` for asyncio code: connects (and sets up) in a worker thread."""
    from ._open import open_ledger

    return AsyncLedger(await asyncio.to_thread(lambda: open_ledger(url, setup=setup)))
