"""``SQLiteLedger``: the default store, one SQLite file shared by every process on the machine.

Durability and concurrency come from SQLite itself: WAL journaling (readers never block the writer),
``synchronous=FULL`` (a committed intent survives a power cut, not just a crash), ``busy_timeout`` (a writer
waits for another process's transaction instead of failing), and ``BEGIN IMMEDIATE`` for every write, which
takes the database's write lock at the start, so a reservation's read of the committed total and its insert
cannot interleave with another process's reservation.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from ._base import BaseLedger, Clock
from ._errors import LedgerError
from ._migrations import SQLITE, VERSIONS, VERSIONS_TABLE, Migration, to_apply
from ._sql import SQLTx

__all__ = ["SQLiteLedger"]

BUSY_TIMEOUT_S = 30.0


class SQLiteLedger(BaseLedger):
    """The ledger in a SQLite database (``setup()`` creates or migrates its tables; the first operation runs
    it when nobody did). ``SQLiteLedger.from_conn_string(path)`` opens and closes a connection around a
    ``with`` block; ``SQLiteLedger.connect(path)`` returns one that owns its connection until ``close()``;
    ``SQLiteLedger(conn)`` uses a connection you opened (the ledger takes control of its transactions, so give
    it one of its own)."""

    migrations: Sequence[Migration] = SQLITE

    def __init__(
        self, conn: sqlite3.Connection, *, clock: Clock | None = None, owns_connection: bool = False, name: str = ""
    ) -> None:
        super().__init__(clock=clock)
        self.conn = conn
        self.name = name
        # Explicit BEGIN/COMMIT only: Python's implicit transactions would start a deferred one first.
        conn.isolation_level = None
        self._owns = owns_connection
        # One connection serves every thread of the process (check_same_thread=False), one statement at a time.
        self._lock = threading.RLock()
        self._is_setup = False

    @classmethod
    def connect(cls, path: str | Path, *, clock: Clock | None = None) -> SQLiteLedger:
        """A ledger on the SQLite file ``path`` (``":memory:"`` for a private in-memory database), owning its
        connection. Creates the file, not its directory."""
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger database {str(path)!r}: {exc}") from exc
        return cls(conn, clock=clock, owns_connection=True, name=str(path))

    @classmethod
    @contextmanager
    def from_conn_string(cls, conn_string: str, *, clock: Clock | None = None) -> Iterator[SQLiteLedger]:
        """``with SQLiteLedger.from_conn_string("ledger.sqlite3") as ledger: ...`` (as LangGraph's savers)."""
        with closing(cls.connect(conn_string, clock=clock)) as ledger:
            yield ledger

    def setup(self) -> None:
        """Set WAL, ``synchronous=FULL`` and the busy timeout on the connection, then apply the missing schema
        steps in one ``BEGIN IMMEDIATE`` transaction (a second process waits, then finds nothing to do)."""
        with self._lock:
            if self._is_setup:
                return
            try:
                self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                self._enable_wal()
                self.conn.execute("PRAGMA synchronous = FULL")
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    self.conn.execute(VERSIONS_TABLE["sqlite"])
                    (current,) = self.conn.execute(f"SELECT MAX(version) FROM {VERSIONS}").fetchone()
                    for step in to_apply(current, self.migrations):
                        for statement in step.statements:
                            self.conn.execute(statement)
                        self.conn.execute(
                            f"INSERT INTO {VERSIONS} (version, description, applied_at_us) VALUES (?, ?, ?)",
                            (step.version, step.description, self._now_us()),
                        )
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise LedgerError(f"cannot set up the ledger database: {exc}") from exc
            self._is_setup = True

    def _enable_wal(self) -> None:
        # Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once (without
        # its busy handler) while another process is doing the same: retry until the busy timeout has passed.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:  # noqa: PERF203 (a setup-time wait, not a hot loop)
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def schema_version(self) -> int:
        """The highest schema step applied (0 for a database ``setup()`` never ran on)."""
        with self._lock:
            try:
                row = self.conn.execute(f"SELECT MAX(version) FROM {VERSIONS}").fetchone()
            except sqlite3.OperationalError:
                return 0
            return int(row[0] or 0)

    def close(self) -> None:
        if self._owns:
            with self._lock:
                self.conn.close()

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    @contextmanager
    def _write(self, *, budget_lock: bool) -> Iterator[SQLTx]:
        # Every write takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that read first
        # could not upgrade while another process writes, and would fail instead of waiting.
        with self._lock:
            self.setup()
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise LedgerError(f"the ledger database is unavailable: {exc}") from exc
            try:
                yield SQLTx(self._execute)
            except sqlite3.Error as exc:
                self.conn.execute("ROLLBACK")
                raise LedgerError(f"the ledger database refused a write: {exc}") from exc
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise LedgerError(f"the ledger could not commit: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[SQLTx]:
        with self._lock:
            self.setup()
            try:
                yield SQLTx(self._execute)
            except sqlite3.Error as exc:
                raise LedgerError(f"the ledger database failed a read: {exc}") from exc

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.name!r})" if self.name else f"SQLiteLedger(conn={self.conn!r})"
