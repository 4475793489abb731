"""The ledger's schema, as ordered migrations per SQL dialect.

``setup()`` reads the highest version recorded in ``neocloud_ledger_schema`` and applies the steps above
it, each recorded in the same transaction as its statements, under a lock that serialises concurrent
``setup()`` calls (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so two processes starting at
once apply each step exactly once. A new step is appended to both tuples with the next version; a released
step is never edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._errors import LedgerError

__all__ = ["ENTRIES", "POSTGRES", "SQLITE", "VERSIONS", "Migration", "to_apply"]

ENTRIES = "neocloud_ledger_entries"
VERSIONS = "neocloud_ledger_schema"


@dataclass(frozen=True)
class Migration:
    """Schema step ``version`` (1, 2, ...): its statements, run in order inside one transaction."""

    version: int
    description: str
    statements: tuple[str, ...]


def _entries_table(integer: str) -> str:
    # Money in integer micro-dollars and times in integer microseconds since the epoch: exact, and the same in
    # both dialects. One row per operation; the resource columns are filled by a successful outcome.
    return f"""
    CREATE TABLE {ENTRIES} (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        provider TEXT NOT NULL,
        run_id TEXT NOT NULL,
        model TEXT,
        idempotency_key TEXT,
        estimate_micros {integer} NOT NULL CHECK (estimate_micros >= 0),
        reserved_micros {integer} NOT NULL CHECK (reserved_micros >= 0),
        actual_micros {integer} CHECK (actual_micros >= 0),
        status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
        error TEXT,
        created_at_us {integer} NOT NULL,
        updated_at_us {integer} NOT NULL,
        resource_kind TEXT,
        resource_id TEXT,
        teardown_operation TEXT,
        teardown_args TEXT,
        torn_down_at_us {integer}
    )"""


def _v1(integer: str) -> Migration:
    return Migration(1, "entries: intents, outcomes, resources and their teardowns", (
        _entries_table(integer),
        f"CREATE INDEX {ENTRIES}_run ON {ENTRIES} (run_id, created_at_us)",
        f"CREATE INDEX {ENTRIES}_created ON {ENTRIES} (created_at_us)",
        f"CREATE INDEX {ENTRIES}_resource ON {ENTRIES} (provider, resource_id)",
        f"CREATE INDEX {ENTRIES}_open ON {ENTRIES} (status)",
        # One live entry per idempotency key: a failed attempt frees the key for the next one.
        f"CREATE UNIQUE INDEX {ENTRIES}_idempotency ON {ENTRIES} (provider, idempotency_key) "
        "WHERE idempotency_key IS NOT NULL AND status <> 'failed'",
    ))  # fmt: skip


def _v2(integer: str) -> Migration:
    # What it takes to resolve an unknown outcome from another process (the call's arguments, sent again with
    # its idempotency key) and to settle a resource billed by the hour from the time it ran.
    return Migration(2, "entries: the call's arguments and the hourly rate of what it created", (
        f"ALTER TABLE {ENTRIES} ADD COLUMN arguments TEXT",
        f"ALTER TABLE {ENTRIES} ADD COLUMN hourly_micros {integer} CHECK (hourly_micros >= 0)",
    ))  # fmt: skip


SQLITE: tuple[Migration, ...] = (_v1("INTEGER"), _v2("INTEGER"))
POSTGRES: tuple[Migration, ...] = (_v1("BIGINT"), _v2("BIGINT"))

VERSIONS_TABLE = {
    "sqlite": f"CREATE TABLE IF NOT EXISTS {VERSIONS} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at_us INTEGER NOT NULL)",
    "postgres": f"CREATE TABLE IF NOT EXISTS {VERSIONS} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at_us BIGINT NOT NULL)",
}


def to_apply(current: int | None, migrations: Sequence[Migration]) -> list[Migration]:
    """The steps a database at version ``current`` (``None``: new) still needs, in order.

    Refuses a database newer than ``migrations`` (an older neocloud must not write a schema it does not
    know) and a malformed list (versions must be 1, 2, ... with no gap).
    """
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(migrations) + 1)):
        raise LedgerError(f"ledger migrations must be numbered 1..n in order, got {versions}")
    have = current or 0
    if have > len(migrations):
        raise LedgerError(f"the ledger's schema is version {have}, newer than this neocloud-core knows "
                          f"({len(migrations)}): upgrade neocloud-core to use this ledger")  # fmt: skip
    return list(migrations[have:])
