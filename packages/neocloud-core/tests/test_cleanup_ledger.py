"""``cleanup_ledger``: every run and provider in a ledger cleaned by its provider's own ``ToolSession``, over a fake
provider's ``tools`` module (no HTTP): dry run, resolving a lost create, one run only, a provider with no tools."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from neocloud.core.errors import APIConnectionError
from neocloud.core.ledger import InMemoryLedger, Intent, Status
from neocloud.core.tools import ToolSession, allowed, cleanup_ledger

from .test_tools import OPS, Cloud

CLOUD = Cloud()  # the provider every session built from the fake module reaches


@pytest.fixture(autouse=True)
def fake_provider() -> Iterator[None]:
    module = types.ModuleType("neocloud.fakecloud.tools")
    module.OPERATIONS = list(OPS.values())  # type: ignore[attr-defined]
    module.make_clients = lambda **settings: CLOUD  # type: ignore[attr-defined]
    sys.modules["neocloud.fakecloud.tools"] = module
    CLOUD.__init__()  # type: ignore[misc]
    yield
    del sys.modules["neocloud.fakecloud.tools"]


def agent(ledger: InMemoryLedger, run_id: str) -> ToolSession:
    return ToolSession({op.name: op for op in OPS.values()}, CLOUD, allow=allowed(billable=True, destructive=True),
                       ledger=ledger, provider="fakecloud", budget=None, run_id=run_id)  # fmt: skip


def crashed_runs() -> tuple[InMemoryLedger, dict[str, Any]]:
    """Two runs that ended without cleanup: r1 made a VM; r2 made one and lost the answer of another."""
    ledger = InMemoryLedger()
    first = agent(ledger, "r1").invoke("launch", {"name": "a", "rate": 1, "hours": 1}, call_id="a")
    second = agent(ledger, "r2")
    kept = second.invoke("launch", {"name": "b", "rate": 2, "hours": 1}, call_id="b")
    CLOUD.lose = 1
    with pytest.raises(APIConnectionError):
        second.invoke("launch", {"name": "c", "rate": 3, "hours": 1}, call_id="c")
    return ledger, {"r1": first["id"], "r2": kept["id"], "lost": "vm-2"}


def test_a_dry_run_lists_every_run_and_sends_nothing() -> None:
    ledger, ids = crashed_runs()
    calls = len(CLOUD.calls)
    plan = cleanup_ledger(ledger, dry_run=True)
    assert plan.dry_run and sorted(plan) == sorted(f"vm {i}" for i in (ids["r1"], ids["r2"]))
    assert plan.unresolved == ["launch of run r2 (unknown, $3.00 reserved)"]
    assert len(CLOUD.calls) == calls and len(CLOUD.running) == 3 and len(ledger.open_intents()) == 1
    assert str(plan).startswith("would tear down vm ")


def test_cleanup_resolves_the_lost_create_and_tears_down_every_run() -> None:
    ledger, ids = crashed_runs()
    report = cleanup_ledger(ledger)
    assert sorted(report) == sorted(f"vm {ids[k]}" for k in ("r1", "r2", "lost")) and report.complete
    assert "it made vm vm-2" in report.resolved[0]
    assert CLOUD.running == {} and ledger.resources() == [] and ledger.open_intents() == []
    made = [e.resource.id for e in ledger.entries() if e.resource is not None]
    assert sorted(made) == ["vm-0", "vm-1", "vm-2"]  # the lost create is recorded on its own entry, once
    assert {e.status for e in ledger.entries()} == {Status.SUCCEEDED}
    assert report.as_json()["torn_down"] == list(report) and cleanup_ledger(ledger) == []


def test_one_run_only() -> None:
    ledger, ids = crashed_runs()
    report = cleanup_ledger(ledger, run_id="r1")
    assert list(report) == [f"vm {ids['r1']}"] and report.resolved == []
    assert [r.run_id for r in ledger.resources()] == ["r2"] and len(ledger.open_intents(run_id="r2")) == 1


def test_a_provider_without_tools_is_reported_and_the_others_are_cleaned() -> None:
    ledger, ids = crashed_runs()
    ledger.reserve(Intent("create_thing", "nosuchcloud", "r3", estimate_usd=1, idempotency_key="k"))
    report = cleanup_ledger(ledger)
    assert len(report) == 3 and not report.complete
    [unchecked] = report.unresolved
    assert unchecked.startswith("run r3 (nosuchcloud): not checked, no tools to reach it (No module named")
    assert [e.provider for e in ledger.open_intents()] == ["nosuchcloud"]
