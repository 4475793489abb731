"""Reservations are atomic for every thread, asyncio task and process sharing a ledger, on every store: the
budget is never exceeded, and exactly as many calls as fit get in. Schema setup is safe to race, and a
process killed mid-flight leaves every resource that may exist findable."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from neocloud.core.ledger import (
    AsyncLedger,
    BaseLedger,
    Budget,
    BudgetExceeded,
    Intent,
    ResourceRecord,
    Status,
    open_ledger,
)

ROOT = Path(__file__).resolve().parents[3]
WORKER = ROOT / "testing" / "neocloud_testing" / "ledger_worker.py"
LedgerFactory = Callable[..., BaseLedger]


def call(run: str = "run-1") -> Intent:
    return Intent("create_instance", "runcrate", run, estimate_usd=1)


@pytest.mark.parametrize("connections", ["shared", "one per thread"])
def test_ten_threads_under_a_cap_for_two_get_exactly_two(make_ledger: LedgerFactory, connections: str) -> None:
    # "one per thread" leaves the atomicity to the database (SQLite's write lock, PostgreSQL's advisory lock);
    # "shared" to the store's own lock as well. The in-memory store is one object either way.
    ledgers = [make_ledger() for _ in range(10 if connections == "one per thread" else 1)]
    budget = Budget(max_usd=2, scope="ledger")
    start = threading.Barrier(10)
    won: list[str] = []
    refused: list[BudgetExceeded] = []

    def worker(i: int) -> None:
        ledger = ledgers[i % len(ledgers)]
        start.wait()
        try:
            won.append(ledger.reserve(call(f"run-{i}"), budget).id)
        except BudgetExceeded as exc:
            refused.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert (len(won), len(refused)) == (2, 8)
    assert {exc.left_usd for exc in refused} == {0}
    assert ledgers[0].spend().committed_usd == 2 and len(ledgers[0].entries()) == 2


async def test_ten_tasks_under_a_cap_for_two_get_exactly_two(ledger: BaseLedger) -> None:
    aledger = AsyncLedger(ledger)
    budget = Budget(max_usd=2, scope="run")
    results = await asyncio.gather(*(aledger.reserve(call(), budget) for _ in range(10)), return_exceptions=True)
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 2
    assert sum(1 for r in results if isinstance(r, BudgetExceeded)) == 8
    assert (await aledger.spend(run_id="run-1")).committed_usd == 2


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _together(workers: list[subprocess.Popen[str]]) -> list[dict[str, int]]:
    """Wait until every worker is ready, release them at once, collect each one's JSON answer."""
    for w in workers:
        assert w.stdout is not None
        line = w.stdout.readline()
        assert line == "ready\n", (line, w.stderr.read() if w.stderr else "")
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    out = []
    for w in workers:
        stdout, stderr = w.communicate(timeout=60)
        assert w.returncode == 0, stderr
        out.append(json.loads(stdout))
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


def test_the_record_outlives_the_connection(durable_url: str) -> None:
    with open_ledger(durable_url) as first:
        entry = first.reserve(Intent("create_instance", "runcrate", "r", estimate_usd=5, idempotency_key="durable"))
        first.succeed(
            entry.id, resource=ResourceRecord("instance", "i-durable", "delete_instance", {"id": "i-durable"})
        )
    with open_ledger(durable_url) as second:
        assert second.get(entry.id).resource == ResourceRecord("instance", "i-durable", "delete_instance",
                                                               {"id": "i-durable"})  # fmt: skip
        assert second.reserve(Intent("create_instance", "runcrate", "r", estimate_usd=5,
                                     idempotency_key="durable")).id == entry.id  # fmt: skip
        assert second.schema_version() == 2


def test_two_processes_never_exceed_a_shared_budget(durable_url: str) -> None:
    # Each process tries 50 reservations of $1 under one $37 ledger-wide cap: 37 in all get in, never 38.
    with open_ledger(durable_url):
        pass  # the schema exists before the race (the next test races setup itself)
    results = _together([_start("reserve", durable_url, f"proc-{i}", "50", "37") for i in range(2)])
    assert sum(r["ok"] for r in results) == 37
    assert sum(r["refused"] for r in results) == 63
    with open_ledger(durable_url) as ledger:
        spend = ledger.spend()
        assert (spend.committed_usd, spend.entries) == (Decimal(37), 37)
        assert {k: v.entries for k, v in ledger.spend_by("run_id").items()} == {
            f"proc-{i}": r["ok"] for i, r in enumerate(results) if r["ok"]}  # fmt: skip


def test_two_processes_setting_up_a_new_ledger_at_once_apply_each_step_once(durable_url: str) -> None:
    results = _together([_start("setup", durable_url) for _ in range(2)])
    assert results == [{"version": 2}, {"version": 2}]
    with open_ledger(durable_url) as ledger:
        ledger.reserve(call())  # the schema works
        conn = ledger.conn  # type: ignore[attr-defined]
        rows = list(conn.execute("SELECT version FROM neocloud_ledger_schema ORDER BY version").fetchall())
        assert [tuple(r) for r in rows] == [(1,), (2,)]


def test_a_process_killed_mid_flight_leaves_everything_that_may_exist_findable(durable_url: str) -> None:
    worker = _start("crash", durable_url, "doomed")
    _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == -9, stderr  # SIGKILL: no cleanup, no close, no atexit
    with open_ledger(durable_url) as ledger:
        open_ = {e.idempotency_key: e.status for e in ledger.open_intents(run_id="doomed")}
        assert open_ == {"k-pending": Status.PENDING, "k-lost": Status.UNKNOWN}
        [made] = ledger.resources(run_id="doomed")
        assert (made.id, made.teardown_operation, made.teardown_args) == ("i-made", "delete_instance", {"id": "i-made"})
        assert ledger.spend(run_id="doomed").committed_usd == 5 + 7 + 3  # every worst case still held
        # A new process resuming the same call (same idempotency key) is not charged twice.
        resumed = ledger.reserve(Intent("create_instance", "runcrate", "doomed", estimate_usd=5,
                                        idempotency_key="k-pending"))  # fmt: skip
        assert resumed.replayed and resumed.status is Status.PENDING
