"""``InMemoryLedger``: the ledger in this process's memory, for tests and dry runs (nothing survives the
process, and other processes do not share it)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ._base import BaseLedger, Clock, iter_spend
from ._query import Filter, GroupKey
from ._records import Entry, Spend, Status

__all__ = ["InMemoryLedger"]


class _MemoryTx:
    """Reads see the store plus this transaction's writes; the writes land only when the transaction ends
    without an exception (so a refused reservation leaves nothing behind, as in the SQL stores)."""

    def __init__(self, rows: dict[str, Entry]) -> None:
        self._rows = rows
        self.staged: dict[str, Entry] = {}

    def _all(self) -> Iterator[Entry]:
        merged = {**self._rows, **self.staged}
        return iter(sorted(merged.values(), key=lambda e: (e.created_at_us, e.id)))

    def get(self, entry_id: str, *, for_update: bool = False) -> Entry | None:
        return self.staged.get(entry_id) or self._rows.get(entry_id)

    def by_key(self, provider: str, idempotency_key: str) -> Entry | None:
        matches = [e for e in self._all() if e.provider == provider and e.idempotency_key == idempotency_key
                   and e.status is not Status.FAILED]  # fmt: skip
        return matches[-1] if matches else None

    def insert(self, entry: Entry) -> None:
        self.staged[entry.id] = entry

    def update(self, entry: Entry) -> None:
        self.staged[entry.id] = entry

    def select(self, flt: Filter, *, for_update: bool = False) -> list[Entry]:
        return [e for e in self._all() if flt.matches(e)]

    def totals(self, flt: Filter, by: GroupKey | None = None) -> dict[str | None, Spend]:
        return iter_spend(self.select(flt), by)


class InMemoryLedger(BaseLedger):
    """The ledger in a dict, with the same rules as the durable stores (one lock makes each operation
    atomic across threads and, through ``AsyncLedger``, asyncio tasks). Not durable and not shared between
    processes: use ``SQLiteLedger`` or ``PostgresLedger`` for anything that spends real money."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        super().__init__(clock=clock)
        self._rows: dict[str, Entry] = {}
        self._lock = threading.RLock()

    def setup(self) -> None:
        """Nothing to create: the schema is the ``Entry`` class."""

    def close(self) -> None:
        """Nothing to release; the entries stay readable."""

    @contextmanager
    def _write(self, *, budget_lock: bool) -> Iterator[_MemoryTx]:
        with self._lock:
            tx = _MemoryTx(self._rows)
            yield tx
            self._rows.update({k: dataclasses.replace(v, replayed=False) for k, v in tx.staged.items()})

    @contextmanager
    def _read(self) -> Iterator[_MemoryTx]:
        with self._lock:
            yield _MemoryTx(self._rows)

    def __repr__(self) -> str:
        return f"InMemoryLedger(entries={len(self._rows)})"
