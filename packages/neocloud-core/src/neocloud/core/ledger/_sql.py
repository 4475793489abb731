"""What the SQLite and PostgreSQL stores share: the entries table's columns, the ``Tx`` over a DB-API cursor,
and the rows ↔ ``Entry`` mapping. Queries are written once with ``?`` placeholders; a dialect rewrites them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ._migrations import ENTRIES
from ._query import Filter, GroupKey
from ._records import Entry, ResourceRecord, Spend, Status, arguments_json

__all__ = ["COLUMNS", "SQLTx", "entry_row", "row_entry"]

COLUMNS = ("id", "operation", "provider", "run_id", "model", "idempotency_key", "estimate_micros", "reserved_micros",
           "actual_micros", "status", "error", "created_at_us", "updated_at_us", "resource_kind", "resource_id",
           "teardown_operation", "teardown_args", "torn_down_at_us", "arguments", "hourly_micros")  # fmt: skip
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {ENTRIES}"
_UPDATE = f"UPDATE {ENTRIES} SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])} WHERE id = ?"
_INSERT = f"INSERT INTO {ENTRIES} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
_SUMS = "COUNT(*), COALESCE(SUM(reserved_micros), 0), COALESCE(SUM(COALESCE(actual_micros, 0)), 0)"

Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def entry_row(entry: Entry) -> tuple[Any, ...]:
    res = entry.resource
    return (entry.id, entry.operation, entry.provider, entry.run_id, entry.model, entry.idempotency_key,
            entry.estimate_micros, entry.reserved_micros, entry.actual_micros, entry.status.value, entry.error,
            entry.created_at_us, entry.updated_at_us, res and res.kind, res and res.id,
            res and res.teardown_operation, res and res.args_json(), entry.torn_down_at_us,
            arguments_json(entry.arguments), entry.hourly_micros)  # fmt: skip


def row_entry(row: Sequence[Any]) -> Entry:
    (id_, operation, provider, run_id, model, key, estimate, reserved, actual, status, error, created, updated,
     kind, resource_id, teardown, args, torn_down, arguments, hourly) = row  # fmt: skip
    resource = None
    if resource_id is not None:
        resource = ResourceRecord(kind, resource_id, teardown, json.loads(args) if args else {})
    return Entry(id=id_, operation=operation, provider=provider, run_id=run_id, model=model, idempotency_key=key,
                 estimate_micros=int(estimate), reserved_micros=int(reserved),
                 actual_micros=None if actual is None else int(actual), status=Status(status), error=error,
                 created_at_us=int(created), updated_at_us=int(updated), resource=resource,
                 torn_down_at_us=None if torn_down is None else int(torn_down),
                 arguments=None if arguments is None else json.loads(arguments),
                 hourly_micros=None if hourly is None else int(hourly))  # fmt: skip


class SQLTx:
    """``Tx`` over one open transaction; ``execute`` runs a ``?``-placeholder statement and returns its rows.
    ``lock_rows`` is the dialect's row-lock suffix (``FOR UPDATE``; empty where the transaction already
    holds the database's write lock)."""

    def __init__(self, execute: Execute, *, lock_rows: str = "") -> None:
        self._execute = execute
        self._lock_rows = lock_rows

    def get(self, entry_id: str, *, for_update: bool = False) -> Entry | None:
        rows = self._execute(f"{_SELECT} WHERE id = ?{self._suffix(for_update)}", (entry_id,))
        return row_entry(rows[0]) if rows else None

    def by_key(self, provider: str, idempotency_key: str) -> Entry | None:
        rows = self._execute(f"{_SELECT} WHERE provider = ? AND idempotency_key = ? AND status <> 'failed' "
                             "ORDER BY created_at_us DESC, id DESC LIMIT 1", (provider, idempotency_key))  # fmt: skip
        return row_entry(rows[0]) if rows else None

    def insert(self, entry: Entry) -> None:
        self._execute(_INSERT, entry_row(entry))

    def update(self, entry: Entry) -> None:
        row = entry_row(entry)
        self._execute(_UPDATE, (*row[1:], row[0]))

    def select(self, flt: Filter, *, for_update: bool = False) -> list[Entry]:
        where, params = flt.where()
        rows = self._execute(f"{_SELECT} WHERE {where} ORDER BY created_at_us, id{self._suffix(for_update)}", params)
        return [row_entry(row) for row in rows]

    def totals(self, flt: Filter, by: GroupKey | None = None) -> dict[str | None, Spend]:
        where, params = flt.where()
        if by is None:
            rows = self._execute(f"SELECT NULL, {_SUMS} FROM {ENTRIES} WHERE {where}", params)
        else:  # ``by`` is one of GROUP_KEYS (checked by the caller): a column name, never user text
            rows = self._execute(f"SELECT {by}, {_SUMS} FROM {ENTRIES} WHERE {where} GROUP BY {by}", params)
        out: dict[str | None, Spend] = {}
        for key, count, reserved, actual in rows:
            reserved, actual = int(reserved), int(actual)
            out[key] = Spend(reserved + actual, actual, reserved, int(count))
        return out

    def _suffix(self, for_update: bool) -> str:
        return f" {self._lock_rows}" if for_update and self._lock_rows else ""
