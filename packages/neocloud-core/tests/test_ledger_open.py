"""Opening a ledger: URLs and NEOCLOUD_LEDGER, the default file, missing psycopg, secrets, schema versions."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from neocloud.core import ConfigurationError
from neocloud.core.ledger import (
    InMemoryLedger,
    Intent,
    LedgerError,
    PostgresLedger,
    SQLiteLedger,
    open_ledger,
    parse_ledger_url,
)
from neocloud.core.ledger._migrations import POSTGRES, SQLITE, Migration


@pytest.mark.parametrize(
    ("url", "kind", "target"),
    [
        ("sqlite:///ledger.db", "sqlite", "ledger.db"),
        ("sqlite:////var/lib/neocloud/ledger.db", "sqlite", "/var/lib/neocloud/ledger.db"),
        ("sqlite:///:memory:", "sqlite", ":memory:"),
        ("postgresql://u:p@db:5432/neo", "postgres", "postgresql://u:p@db:5432/neo"),
        ("postgres://db/neo", "postgres", "postgres://db/neo"),
        ("postgresql+psycopg://db/neo", "postgres", "postgresql://db/neo"),
        ("memory://", "memory", ""),
    ],
)
def test_parse_ledger_url(url: str, kind: str, target: str) -> None:
    location = parse_ledger_url(url)
    assert (location.kind, location.target) == (kind, target)


@pytest.mark.parametrize("url", ["ledger.db", "sqlite:///", "sqlite://ledger.db", "mysql://x", "", "redis://h"])
def test_a_bad_url_is_refused_naming_the_forms_that_work(url: str) -> None:
    with pytest.raises(ConfigurationError, match="is not a ledger URL; use one of: sqlite:///"):
        parse_ledger_url(url)


def test_the_environment_variable_chooses_the_store_and_the_error_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEOCLOUD_LEDGER", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    with open_ledger() as ledger:
        assert isinstance(ledger, SQLiteLedger)
        ledger.reserve(Intent("op", "p", "r", estimate_usd=1))
    assert (tmp_path / "env.sqlite3").is_file()
    monkeypatch.setenv("NEOCLOUD_LEDGER", "mysql://root:hunter2@db/x")
    with pytest.raises(ConfigurationError) as info:
        open_ledger()
    assert "NEOCLOUD_LEDGER 'mysql://root:***@db/x'" in str(info.value) and "hunter2" not in str(info.value)
    with open_ledger("memory://") as ledger:  # an explicit URL wins over the environment
        assert isinstance(ledger, InMemoryLedger)


def test_the_default_is_one_file_in_the_user_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    seen: list[str] = []

    def user_data_path(appname: str) -> Path:
        seen.append(appname)
        return tmp_path / "data" / appname

    monkeypatch.delenv("NEOCLOUD_LEDGER", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_path", user_data_path)
    with open_ledger() as ledger:
        ledger.reserve(Intent("op", "p", "r", estimate_usd=1))
    path = tmp_path / "data" / "neocloud" / "ledger.sqlite3"
    assert seen == ["neocloud"] and path.is_file()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT COUNT(*) FROM neocloud_ledger_entries").fetchone() == (1,)


def test_without_psycopg_the_postgres_store_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an environment without the extra sees
    with pytest.raises(ConfigurationError, match=r'pip install "neocloud-core\[postgres\]"'):
        open_ledger("postgresql://u@127.0.0.1:1/x")


def test_an_unreachable_postgres_never_shows_its_password() -> None:
    with pytest.raises(LedgerError) as info:
        PostgresLedger.connect("postgresql://neo:hunter2@127.0.0.1:1/ledger?connect_timeout=2")
    text = f"{info.value} {info.value!r}"
    assert "cannot connect to the ledger database postgresql://neo:***@127.0.0.1:1/ledger" in text
    assert "hunter2" not in text


def test_the_postgres_ledger_repr_masks_the_password(postgres_url: str) -> None:
    url = postgres_url.replace("neocloud@", "neocloud:hunter2@")  # trust auth ignores the password
    with PostgresLedger.from_conn_string(url) as ledger:
        assert "hunter2" not in repr(ledger) and "neocloud:***@" in repr(ledger)
        ledger.setup()
        ledger.setup()  # idempotent
        assert ledger.schema_version() == len(POSTGRES)


def test_an_unwritable_sqlite_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot"):
        open_ledger(f"sqlite:///{tmp_path / 'missing-dir' / 'ledger.sqlite3'}")


NEXT = len(SQLITE) + 1


class Newer(SQLiteLedger):
    migrations = (*SQLITE, Migration(NEXT, "notes", ("CREATE TABLE neocloud_ledger_notes (id TEXT PRIMARY KEY)",)))


def test_setup_applies_only_the_missing_steps_and_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SQLiteLedger.from_conn_string(str(path)) as ledger:
        assert ledger.schema_version() == 0
        entry = ledger.reserve(Intent("op", "p", "r", estimate_usd=1))  # the first use sets up
        assert ledger.schema_version() == len(SQLITE)
    with closing_newer(path) as newer:
        newer.setup()
        assert newer.schema_version() == NEXT
        assert newer.get(entry.id).estimate_usd == 1  # the earlier steps were not re-run over the data
        assert newer.conn.execute("SELECT COUNT(*) FROM neocloud_ledger_schema").fetchone() == (NEXT,)
    with SQLiteLedger.from_conn_string(str(path)) as older, pytest.raises(LedgerError) as info:
        older.setup()
    assert (f"schema is version {NEXT}, newer than this neocloud-core knows ({len(SQLITE)}): upgrade neocloud-core"
            in str(info.value))  # fmt: skip


class VersionOne(SQLiteLedger):
    migrations = SQLITE[:1]


def test_a_version_one_ledger_is_migrated_and_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with closing(VersionOne.connect(path)) as old:
        old.setup()
        assert old.schema_version() == 1
        # A row as version 1 wrote it: no arguments, no hourly rate.
        old.conn.execute("INSERT INTO neocloud_ledger_entries (id, operation, provider, run_id, idempotency_key, "
                         "estimate_micros, reserved_micros, status, created_at_us, updated_at_us) VALUES "
                         "('e1', 'create_instance', 'runcrate', 'r', 'k', 3000000, 3000000, 'unknown', 1, 1)")  # fmt: skip
    with SQLiteLedger.from_conn_string(str(path)) as ledger:
        entry = ledger.get("e1")  # the first use migrates
        assert ledger.schema_version() == len(SQLITE)
        assert (entry.estimate_usd, entry.idempotency_key, entry.arguments, entry.hourly_usd) == (3, "k", None, None)
        added = ledger.reserve(Intent("create_instance", "runcrate", "r", estimate_usd=2, arguments={"gpu": "A100"},
                                      hourly_usd="1.29"))  # fmt: skip
        assert ledger.get(added.id).arguments == {"gpu": "A100"} and ledger.get(added.id).hourly_usd == Decimal("1.29")


def closing_newer(path: Path) -> Newer:
    return Newer(sqlite3.connect(path, check_same_thread=False), owns_connection=True)


def test_a_dropped_postgres_connection_fails_one_call_and_the_next_reconnects(postgres_url: str) -> None:
    import psycopg

    with open_ledger(postgres_url) as ledger:
        ledger.reserve(Intent("op", "p", "r", estimate_usd=1))
        pid = ledger.conn.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(LedgerError, match="the ledger database failed"):
            ledger.reserve(Intent("op", "p", "r", estimate_usd=1))
        ledger.reserve(Intent("op", "p", "r", estimate_usd=2))
        assert ledger.spend().committed_usd == 3
    with pytest.raises(LedgerError, match="this ledger is closed"):
        ledger.spend()
