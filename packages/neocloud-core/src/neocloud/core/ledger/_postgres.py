"""``PostgresLedger``: the ledger in a PostgreSQL database, for several machines sharing one budget.

psycopg 3 is an optional dependency (``pip install "neocloud-core[postgres]"``), imported when a
``PostgresLedger`` is first opened. Reservations serialise on a transaction-scoped advisory lock
(``pg_advisory_xact_lock``): the committed total is read after the lock is granted, and under READ COMMITTED
each statement sees every transaction committed before it, so no two reservations can both fit in the
same room. Outcomes lock only their own row (``SELECT ... FOR UPDATE``) and never wait for reservations.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ._base import BaseLedger, Clock
from ._errors import LedgerError
from ._migrations import POSTGRES, VERSIONS, VERSIONS_TABLE, Migration, to_apply
from ._sql import SQLTx

if TYPE_CHECKING:
    import psycopg

__all__ = ["INSTALL_HINT", "PostgresLedger", "mask_url"]

INSTALL_HINT = 'the PostgreSQL ledger needs psycopg 3: pip install "neocloud-core[postgres]"'
# Fixed advisory-lock keys (any 64-bit numbers; these spell "neocloud" and "ncsetup" in ASCII).
BUDGET_LOCK = 0x6E656F636C6F7564
SETUP_LOCK = 0x6E63736574757000


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise ConfigurationError(INSTALL_HINT) from exc
    return psycopg


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (URL form and ``password=`` key/value form)."""
    masked = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
    return re.sub(r"(password\s*=\s*)(\S+)", r"\1***", masked)


class PostgresLedger(BaseLedger):
    """The ledger in PostgreSQL (``setup()`` creates or migrates its tables; the first operation runs it
    when nobody did). ``PostgresLedger.from_conn_string(url)`` opens and closes a connection around a ``with``
    block; ``PostgresLedger.connect(url)`` returns one that owns its connection until ``close()``;
    ``PostgresLedger(conn)`` uses an autocommit ``psycopg.Connection`` you opened (give it one of its own)."""

    migrations: Sequence[Migration] = POSTGRES

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        *,
        clock: Clock | None = None,
        owns_connection: bool = False,
        name: str = "",
    ) -> None:
        super().__init__(clock=clock)
        self.conn = conn
        self.name = name
        self._owns = owns_connection
        self._conn_string: str | None = None  # kept (never shown) to reconnect a connection the server dropped
        self._closed = False
        # One connection, one statement at a time, for every thread of the process (as LangGraph's saver).
        self._lock = threading.RLock()
        self._is_setup = False

    @classmethod
    def connect(cls, conn_string: str, *, clock: Clock | None = None) -> PostgresLedger:
        """A ledger on the database at ``conn_string`` (``postgresql://user@host:port/db`` or key=value form),
        owning its connection. Errors never show the password."""
        psycopg = _psycopg()
        try:
            conn = psycopg.Connection.connect(conn_string, autocommit=True)
        except psycopg.Error as exc:
            # psycopg's message names host, port and user but not the password; the URL is shown masked.
            raise LedgerError(f"cannot connect to the ledger database {mask_url(conn_string)}: {exc}") from None
        ledger = cls(conn, clock=clock, owns_connection=True, name=mask_url(conn_string))
        ledger._conn_string = conn_string
        return ledger

    @classmethod
    @contextmanager
    def from_conn_string(cls, conn_string: str, *, clock: Clock | None = None) -> Iterator[PostgresLedger]:
        """``with PostgresLedger.from_conn_string(url) as ledger: ...`` (as LangGraph's savers)."""
        with closing(cls.connect(conn_string, clock=clock)) as ledger:
            yield ledger

    def setup(self) -> None:
        """Apply the missing schema steps in one transaction, under an advisory lock that makes concurrent
        ``setup()`` calls (from any process) wait for each other instead of racing on ``CREATE TABLE``."""
        with self._lock:
            if self._is_setup:
                return
            with self._transaction() as execute:
                execute("SELECT pg_advisory_xact_lock(?)", (SETUP_LOCK,))
                execute(VERSIONS_TABLE["postgres"], ())
                (current,) = execute(f"SELECT MAX(version) FROM {VERSIONS}", ())[0]
                for step in to_apply(current, self.migrations):
                    for statement in step.statements:
                        execute(statement, ())
                    execute(f"INSERT INTO {VERSIONS} (version, description, applied_at_us) VALUES (?, ?, ?)",
                            (step.version, step.description, self._now_us()))  # fmt: skip
            self._is_setup = True

    def schema_version(self) -> int:
        """The highest schema step applied (0 for a database ``setup()`` never ran on)."""
        with self._lock, self._transaction() as execute:
            if not execute("SELECT to_regclass(?)", (VERSIONS,))[0][0]:
                return 0
            return int(execute(f"SELECT MAX(version) FROM {VERSIONS}", ())[0][0] or 0)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._owns:
                self.conn.close()

    def _usable(self) -> None:
        """A connection the server dropped (restart, failover, idle timeout) fails the call that found it, as
        any database error does; the next call gets a new connection when the ledger opened the first one."""
        if self._closed:
            raise LedgerError("this ledger is closed")
        if self._conn_string is not None and (self.conn.closed or self.conn.broken):
            psycopg = _psycopg()
            try:
                self.conn = psycopg.Connection.connect(self._conn_string, autocommit=True)
            except psycopg.Error as exc:
                raise LedgerError(f"cannot reconnect to the ledger database {self.name}: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        psycopg = _psycopg()
        self._usable()
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:

                def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                    cur.execute(sql.replace("?", "%s"), tuple(params))
                    return list(cur.fetchall()) if cur.description is not None else []

                yield execute
        except psycopg.Error as exc:
            raise LedgerError(f"the ledger database failed: {type(exc).__name__}: {exc}") from exc

    @contextmanager
    def _write(self, *, budget_lock: bool) -> Iterator[SQLTx]:
        with self._lock:
            self.setup()
            with self._transaction() as execute:
                if budget_lock:
                    execute("SELECT pg_advisory_xact_lock(?)", (BUDGET_LOCK,))
                yield SQLTx(execute, lock_rows="FOR UPDATE")

    @contextmanager
    def _read(self) -> Iterator[SQLTx]:
        with self._lock:
            self.setup()
            with self._transaction() as execute:
                yield SQLTx(execute)

    def __repr__(self) -> str:
        return f"PostgresLedger({self.name!r})" if self.name else "PostgresLedger(conn=...)"
