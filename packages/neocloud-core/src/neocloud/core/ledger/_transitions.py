"""How an entry moves from intent to outcome, as pure functions: every store applies these, inside its own
transaction, so the rules (and the money they hold or release) are the same everywhere.

```
pending ──succeed──▶ succeeded ──settle / tear down──▶ succeeded (settled, torn down)
   │  └────fail────▶ failed                     (reservation released)
   └─────unknown──▶ unknown ──succeed / fail──▶ …  (reservation held until then)
```

A recorded outcome is never contradicted: a failed entry cannot succeed (reserve again instead), a succeeded
one cannot fail or become unknown. Repeating the same outcome is harmless (a replayed call records twice).
"""

from __future__ import annotations

import dataclasses

from ._errors import LedgerError
from ._records import Entry, Intent, ResourceRecord, Status

__all__ = ["fail", "mark_unknown", "new_entry", "settle", "succeed", "tear_down"]


def new_entry(intent: Intent, entry_id: str, now_us: int) -> Entry:
    """The ``pending`` entry for ``intent``: its whole worst-case estimate is reserved."""
    return Entry(id=entry_id, operation=intent.operation, provider=intent.provider, run_id=intent.run_id,
                 model=intent.model, idempotency_key=intent.idempotency_key, estimate_micros=intent.estimate_micros,
                 reserved_micros=intent.estimate_micros, actual_micros=None, status=Status.PENDING, error=None,
                 created_at_us=now_us, updated_at_us=now_us,
                 arguments=None if intent.arguments is None else dict(intent.arguments),
                 hourly_micros=intent.hourly_micros)  # fmt: skip


def succeed(entry: Entry, *, actual_micros: int | None, resource: ResourceRecord | None, now_us: int) -> Entry:
    """The call succeeded. With ``actual_micros`` its cost is settled and the reservation released; without,
    the reservation stays as its cost until ``settle`` (a GPU bills until it is torn down)."""
    if entry.status is Status.FAILED:
        raise LedgerError(f"entry {entry.id} ({entry.operation}) is recorded as failed; a failed call cannot "
                          "succeed later: reserve a new entry for a new attempt")  # fmt: skip
    if entry.status is Status.SUCCEEDED:
        # A replay (the same idempotency key answered twice) names the same resource; anything else is a bug.
        if resource is not None and entry.resource is not None and resource.id != entry.resource.id:
            raise LedgerError(f"entry {entry.id} ({entry.operation}) already created {entry.resource.kind} "
                              f"{entry.resource.id}, not {resource.kind} {resource.id}")  # fmt: skip
        resource = entry.resource or resource
        if actual_micros is None:
            return dataclasses.replace(entry, resource=resource)
    return dataclasses.replace(
        entry,
        status=Status.SUCCEEDED,
        error=None,
        resource=resource,
        reserved_micros=entry.reserved_micros if actual_micros is None else 0,
        actual_micros=actual_micros if actual_micros is not None else entry.actual_micros,
        updated_at_us=now_us,
    )


def fail(entry: Entry, *, error: str | None, actual_micros: int | None, now_us: int) -> Entry:
    """The call failed and nothing was created: the reservation is released. ``actual_micros`` records a
    charge the failure still incurred (tokens billed before an error), if any."""
    if entry.status is Status.SUCCEEDED:
        raise LedgerError(f"entry {entry.id} ({entry.operation}) is recorded as succeeded; it cannot fail "
                          "afterwards (tear its resource down instead)")  # fmt: skip
    if entry.status is Status.FAILED and actual_micros is None:
        return entry
    return dataclasses.replace(entry, status=Status.FAILED, error=error, reserved_micros=0,
                               actual_micros=actual_micros if actual_micros is not None else entry.actual_micros,
                               updated_at_us=now_us)  # fmt: skip


def mark_unknown(entry: Entry, *, error: str | None, now_us: int) -> Entry:
    """The answer was lost (timeout, dropped connection, cancellation, crash). The reservation stays held:
    the provider may have acted and may be billing, and releasing it would let the same money be spent twice."""
    if entry.status in (Status.SUCCEEDED, Status.FAILED):
        raise LedgerError(f"entry {entry.id} ({entry.operation}) already has an outcome ({entry.status.value}); "
                          "it cannot become unknown")  # fmt: skip
    return dataclasses.replace(entry, status=Status.UNKNOWN, error=error, updated_at_us=now_us)


def settle(entry: Entry, *, actual_micros: int, now_us: int) -> Entry:
    """The final cost of a succeeded call is known: it replaces the reservation (and any earlier settlement)."""
    if entry.status is not Status.SUCCEEDED:
        raise LedgerError(f"entry {entry.id} ({entry.operation}) is {entry.status.value}; only a succeeded entry "
                          "can be settled (record its outcome first)")  # fmt: skip
    return dataclasses.replace(entry, reserved_micros=0, actual_micros=actual_micros, updated_at_us=now_us)


def tear_down(entry: Entry, *, actual_micros: int | None, now_us: int) -> Entry:
    """The entry's resource was removed at ``now_us`` (kept if it was already); ``actual_micros`` settles the
    bill at the same time."""
    if entry.status is not Status.SUCCEEDED or entry.resource is None:
        raise LedgerError(f"entry {entry.id} ({entry.operation}) created no resource to tear down")
    gone = dataclasses.replace(entry, torn_down_at_us=entry.torn_down_at_us or now_us, updated_at_us=now_us)
    return gone if actual_micros is None else settle(gone, actual_micros=actual_micros, now_us=now_us)
