"""The ledger's operations, written once over a small transaction interface (``Tx``) that each store
implements: the in-memory store on dicts under a lock, the SQL stores on SQLite and PostgreSQL.

Every write runs in one store transaction; ``reserve`` runs in the one that also takes the store's budget
lock (a process lock in memory, ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so that
reading what a scope has committed and inserting the new reservation are one atomic step for every thread,
task and process sharing the ledger.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from typing import Protocol, TypeVar, Union

from ._budget import Budget, decide, refusal, scope_filter, window_start_us
from ._errors import LedgerError
from ._money import Money, to_micros
from ._query import Filter, GroupKey, check_group_key, make_filter
from ._records import Entry, Intent, Resource, ResourceRecord, Spend, Status, to_us
from ._transitions import fail, mark_unknown, new_entry, settle, succeed, tear_down

__all__ = ["BaseLedger", "Budgets", "Clock", "Tx"]

log = logging.getLogger("neocloud.ledger")

Clock = Callable[[], datetime]
Budgets = Union[Budget, Sequence[Budget], None]
_L = TypeVar("_L", bound="BaseLedger")
_OPEN = frozenset({Status.PENDING, Status.UNKNOWN})


class Tx(Protocol):
    """What a store does inside one transaction; ``BaseLedger`` builds every operation from these."""

    def get(self, entry_id: str, *, for_update: bool = False) -> Entry | None: ...

    def by_key(self, provider: str, idempotency_key: str) -> Entry | None:
        """The entry holding this key that is open or succeeded (failed attempts free the key)."""
        ...

    def insert(self, entry: Entry) -> None: ...

    def update(self, entry: Entry) -> None: ...

    def select(self, flt: Filter, *, for_update: bool = False) -> list[Entry]:
        """Matching entries, oldest first."""
        ...

    def totals(self, flt: Filter, by: GroupKey | None = None) -> dict[str | None, Spend]:
        """Spend of the matching entries, under ``None`` (no ``by``) or per value of ``by``."""
        ...


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BaseLedger(abc.ABC):
    """The durable ledger of billable operations and the budget check; see ``neocloud.core.ledger``.

    A subclass provides ``setup``, ``close`` and the two transaction contexts. Every method is synchronous and
    thread-safe; ``AsyncLedger`` runs them off the event loop. Use a ledger as a context manager to close it.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock = clock or _utcnow

    # -- what a store provides ----------------------------------------------------------------------------
    @abc.abstractmethod
    def setup(self) -> None:
        """Create or migrate the schema to this version; idempotent and safe to run from several processes."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store's connection (when the ledger opened it)."""

    def schema_version(self) -> int:
        """The highest schema step applied to the store (0: none; the in-memory store has no schema)."""
        return 0

    @abc.abstractmethod
    def _write(self, *, budget_lock: bool) -> AbstractContextManager[Tx]:
        """One write transaction; ``budget_lock`` also serialises it with every other reservation."""

    @abc.abstractmethod
    def _read(self) -> AbstractContextManager[Tx]:
        """A consistent read."""

    # -- intents and outcomes -----------------------------------------------------------------------------
    def reserve(self, intent: Intent, budgets: Budgets = None) -> Entry:
        """Record ``intent`` as ``pending`` and reserve its worst-case estimate, atomically, if it fits every
        budget; otherwise raise ``BudgetExceeded`` and record nothing. Call it *before* sending the request.

        If the intent's idempotency key already has an open or succeeded entry for this provider, that entry
        is returned (``replayed=True``) and nothing new is reserved: a retried call is counted once.
        """
        chosen = _as_budgets(budgets)
        with self._write(budget_lock=True) as tx:
            now = self._now_us()
            if intent.idempotency_key is not None:
                existing = tx.by_key(intent.provider, intent.idempotency_key)
                if existing is not None:
                    return dataclasses.replace(existing, replayed=True)
            for budget in chosen:
                committed = tx.totals(scope_filter(budget, intent.run_id, now))[None].committed_micros
                decision = decide(budget.cap_micros, committed, intent.estimate_micros)
                if not decision.allowed:
                    log.info("ledger: refused %s for run %s: %s", intent.operation, intent.run_id, decision)
                    raise refusal(budget, decision, operation=intent.operation, run_id=intent.run_id)
            entry = new_entry(intent, uuid.uuid4().hex, now)
            tx.insert(entry)
            return entry

    def succeed(
        self, entry_id: str, *, actual_usd: Money | None = None, resource: ResourceRecord | None = None
    ) -> Entry:
        """The call succeeded; ``resource`` is what it created (with its teardown). With ``actual_usd`` the cost
        is settled; without, the reservation stays held as its cost until ``settle`` or ``record_teardown``."""
        actual = None if actual_usd is None else to_micros(actual_usd, param="actual_usd")
        return self._change(entry_id, lambda e, now: succeed(e, actual_micros=actual, resource=resource, now_us=now))

    def fail(self, entry_id: str, *, error: str | None = None, actual_usd: Money | None = None) -> Entry:
        """The provider refused the call (or it was never sent): nothing exists; the reservation is released.
        ``actual_usd`` records a charge the failure still incurred."""
        actual = None if actual_usd is None else to_micros(actual_usd, param="actual_usd")
        return self._change(entry_id, lambda e, now: fail(e, error=error, actual_micros=actual, now_us=now))

    def mark_unknown(self, entry_id: str, *, error: str | None = None) -> Entry:
        """The answer was lost: the entry stays open (it may exist) and its reservation stays held."""
        return self._change(entry_id, lambda e, now: mark_unknown(e, error=error, now_us=now))

    def settle(self, entry_id: str, actual_usd: Money) -> Entry:
        """The final cost of a succeeded call: replaces its reservation (or an earlier settlement)."""
        actual = to_micros(actual_usd, param="actual_usd")
        return self._change(entry_id, lambda e, now: settle(e, actual_micros=actual, now_us=now))

    def record_teardown(self, provider: str, resource_id: str, *, actual_usd: Money | None = None) -> list[Entry]:
        """``resource_id`` of ``provider`` was torn down (or found gone): its entries stop counting it as
        existing; ``actual_usd`` settles its final bill. Returns the updated entries (none if the ledger never
        recorded that resource)."""
        actual = None if actual_usd is None else to_micros(actual_usd, param="actual_usd")
        flt = Filter(provider=provider, resource_id=resource_id, statuses=frozenset({Status.SUCCEEDED}))
        with self._write(budget_lock=False) as tx:
            now = self._now_us()
            changed = []
            for entry in tx.select(flt, for_update=True):
                gone = tear_down(entry, actual_micros=actual, now_us=now)
                tx.update(gone)
                changed.append(gone)
            return changed

    # -- queries --------------------------------------------------------------------------------------------
    def get(self, entry_id: str) -> Entry:
        """The entry with this id (``LedgerError`` if there is none)."""
        with self._read() as tx:
            entry = tx.get(entry_id)
        if entry is None:
            raise LedgerError(f"no ledger entry {entry_id!r}")
        return entry

    def entries(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: Status | None = None,
    ) -> list[Entry]:
        """Entries, oldest first, narrowed by run, provider, model, creation time ``[since, until)``, status."""
        flt = make_filter(run_id=run_id, provider=provider, model=model, since=since, until=until)
        if status is not None:
            flt = dataclasses.replace(flt, statuses=frozenset({Status(status)}))
        with self._read() as tx:
            return tx.select(flt)

    def resources(
        self, *, run_id: str | None = None, provider: str | None = None, include_torn_down: bool = False
    ) -> list[Resource]:
        """Resources the ledger knows were created and not torn down (all of them with
        ``include_torn_down``). Together with ``open_intents`` this is everything that may exist."""
        flt = Filter(run_id=run_id, provider=provider, statuses=frozenset({Status.SUCCEEDED}), with_resource=True,
                     live_resources=not include_torn_down)  # fmt: skip
        with self._read() as tx:
            return [Resource.of(entry) for entry in tx.select(flt)]

    def open_intents(
        self, *, run_id: str | None = None, provider: str | None = None, older_than: timedelta | None = None
    ) -> list[Entry]:
        """Entries with no known outcome (``pending`` or ``unknown``): what they asked for may exist and may be
        billing. ``older_than`` leaves out intents younger than that (calls probably still in flight), for a
        process recovering after a crash."""
        until = None if older_than is None else window_start_us(self._now_us(), older_than)
        flt = Filter(run_id=run_id, provider=provider, statuses=_OPEN, until_us=until)
        with self._read() as tx:
            return tx.select(flt)

    def spend(
        self,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Spend:
        """Money committed (settled + still reserved) by the matching entries (created in ``[since, until)``)."""
        flt = make_filter(run_id=run_id, provider=provider, model=model, since=since, until=until)
        with self._read() as tx:
            return tx.totals(flt)[None]

    def spend_by(
        self,
        by: str,
        *,
        run_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str | None, Spend]:
        """``spend`` per ``run_id``, ``provider``, ``model`` or ``operation`` (``None``: entries without one)."""
        key = check_group_key(by)
        flt = make_filter(run_id=run_id, provider=provider, model=model, since=since, until=until)
        with self._read() as tx:
            return tx.totals(flt, key)

    # -- plumbing -------------------------------------------------------------------------------------------
    def _now_us(self) -> int:
        return to_us(self._clock())

    def _change(self, entry_id: str, change: Callable[[Entry, int], Entry]) -> Entry:
        with self._write(budget_lock=False) as tx:
            entry = tx.get(entry_id, for_update=True)
            if entry is None:
                raise LedgerError(f"no ledger entry {entry_id!r}")
            changed = change(entry, self._now_us())
            if changed != entry:
                tx.update(changed)
            return changed

    def __enter__(self: _L) -> _L:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_budgets(budgets: Budgets) -> tuple[Budget, ...]:
    if budgets is None:
        return ()
    if isinstance(budgets, Budget):
        return (budgets,)
    chosen = tuple(budgets)
    for budget in chosen:
        if not isinstance(budget, Budget):
            raise LedgerError(f"budgets must be Budget objects, got {type(budget).__name__}")
    return chosen


def iter_spend(entries: Iterator[Entry] | list[Entry], by: GroupKey | None) -> dict[str | None, Spend]:
    """Spend of ``entries``, grouped like ``Tx.totals`` (the in-memory store's implementation)."""
    groups: dict[str | None, Spend] = {}
    if by is None:
        groups[None] = Spend()
    for entry in entries:
        key = None if by is None else getattr(entry, by)
        groups[key] = groups.get(key, Spend()).add(entry)
    return groups
