"""The guard rails of provisioning tools, framework-free, over fake operations (no HTTP), recording to an in-memory
ledger; and the pure budget rules they use (worst cases, caps, refusals, settlement)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, Field

from neocloud.core.errors import APIConnectionError, NotFoundError, RequestValidationError
from neocloud.core.ledger import Budget, InMemoryLedger, Status
from neocloud.core.tools import (
    UNLIMITED,
    Approval,
    ApprovalRequest,
    CostEstimate,
    Created,
    Operation,
    SideEffect,
    SpendPolicy,
    ToolRefused,
    ToolSession,
    allowed,
    idempotency_key,
)


class Launch(BaseModel):
    name: str
    rate: float = Field(ge=0)
    hours: float | None = None


class Kill(BaseModel):
    id: str


class Cloud:
    """A fake provider: records what it was asked to do; ``lose`` drops that many answers after acting."""

    def __init__(self) -> None:
        self.running: dict[str, str] = {}  # idempotency key → id
        self.calls: list[tuple[str, Any]] = []
        self.lose = 0

    def launch(self, args: Launch, key: str | None) -> dict[str, Any]:
        self.calls.append(("launch", key))
        ident = self.running.setdefault(key or f"anon-{len(self.running)}", f"vm-{len(self.running)}")
        if self.lose:
            self.lose -= 1
            raise APIConnectionError("connection dropped")
        return {"id": ident, "rate": args.rate}

    def kill(self, args: Kill, key: str | None) -> dict[str, Any]:
        self.calls.append(("kill", args.id))
        if args.id not in self.running.values():
            raise NotFoundError("gone", status_code=404)
        self.running = {k: v for k, v in self.running.items() if v != args.id}
        return {"killed": args.id}


OPS = {op.name: op for op in [
    Operation("launch", "Launch a VM.", Launch, SideEffect.BILLABLE, lambda c, a, k: c.launch(a, k),
              estimate=lambda c, a: CostEstimate(a.rate, a.rate * a.hours if a.hours else None, "price list")
              if a.rate else CostEstimate(None, None, "no price"),
              created=lambda a, r: Created("vm", r["id"], "kill", {"id": r["id"]}, r["rate"] or None),
              recover=lambda c, a, k: c.launch(a, k)),
    Operation("kill", "Kill a VM.", Kill, SideEffect.DESTRUCTIVE, lambda c, a, k: c.kill(a, k),
              removes=lambda a: a.id),
    Operation("look", "Look around.", Kill, SideEffect.READ, lambda c, a, k: {"saw": a.id}),
]}  # fmt: skip


def session(**kwargs: Any) -> ToolSession:
    kwargs.setdefault("allow", allowed(billable=True, destructive=True))
    kwargs.setdefault("ledger", InMemoryLedger())
    kwargs.setdefault("budget", UNLIMITED)
    return ToolSession(operations=OPS, clients=Cloud(), provider="cloud", **kwargs)


def made(s: ToolSession) -> list[str]:
    """What the session's run created, oldest first (torn down or not)."""
    return [r.id for r in s.resources(include_torn_down=True)]


def test_read_only_unless_opted_in() -> None:
    s = ToolSession(operations=OPS, clients=Cloud())
    assert [op.name for op in s.exposed()] == ["look"]
    with pytest.raises(ToolRefused, match="launch is a billable operation and this toolkit was not allowed"):
        s.invoke("launch", {"name": "a", "rate": 1})
    assert s.clients.calls == []
    assert [op.name for op in session().exposed()] == ["launch", "kill", "look"]


def test_invalid_arguments_are_explained() -> None:
    with pytest.raises(ToolRefused, match=r"invalid arguments for launch: rate: Input should be greater than or equal"):
        session().invoke("launch", {"name": "a", "rate": -1})


@pytest.mark.parametrize(
    ("policy", "calls", "refused"),
    [
        (SpendPolicy(max_hourly_usd=3.0), [{"rate": 1.5}, {"rate": 1.5}], None),
        (SpendPolicy(max_hourly_usd=3.0), [{"rate": 2.0}, {"rate": 1.5}], "hourly cap ($3.00/h x 1 h) has $1.00 left"),
        (SpendPolicy(max_total_usd=10.0), [{"rate": 2.0, "hours": 4}, {"rate": 2.0, "hours": 1}], None),
        (SpendPolicy(max_total_usd=10.0), [{"rate": 2.0, "hours": 4}, {"rate": 2.0, "hours": 2}], "has $2.00 left of $10.00"),
        (SpendPolicy(max_total_usd=10.0, default_runtime_hours=6), [{"rate": 2.0}], "may cost up to $12.00"),
        (SpendPolicy(max_hourly_usd=5.0), [{"rate": 0}], "cost cannot be estimated"),
        (SpendPolicy(max_hourly_usd=5.0, unpriced_hourly_usd=2.0), [{"rate": 0}, {"rate": 0}], None),
        (SpendPolicy(max_hourly_usd=5.0, unpriced_hourly_usd=2.0), [{"rate": 0}] * 3, "has $1.00 left of $5.00"),
        (SpendPolicy(), [{"rate": 0}, {"rate": 100}], None),  # UNLIMITED and no caps: nothing refused
    ],
)  # fmt: skip
def test_spend_policy(policy: SpendPolicy, calls: list[dict[str, Any]], refused: str | None) -> None:
    s = session(policy=policy)
    *first, last = calls
    for i, args in enumerate(first):
        s.invoke("launch", {"name": f"vm{i}", **args})
    if refused is None:
        s.invoke("launch", {"name": "last", **last})
        assert len(made(s)) == len(calls)
    else:
        with pytest.raises(ToolRefused, match=refused.replace("$", r"\$").replace("(", r"\(").replace(")", r"\)")):
            s.invoke("launch", {"name": "last", **last})
        assert len(made(s)) == len(first) and len(s.clients.calls) == len(first)  # nothing sent
        assert all(e.status is Status.SUCCEEDED for e in s.entries())  # and nothing reserved


def test_stopping_frees_hourly_budget() -> None:
    s = session(policy=SpendPolicy(max_hourly_usd=2.5))
    s.invoke("launch", {"name": "a", "rate": 2.0})
    with pytest.raises(ToolRefused):
        s.invoke("launch", {"name": "b", "rate": 2.0})
    assert s.cleanup() == ["vm vm-0"] and s.running_hourly_usd() == 0
    s.invoke("launch", {"name": "b", "rate": 2.0})  # the stopped one was settled at what it ran (a minute)
    [first, second] = s.entries()
    assert first.actual_usd == Decimal("0.033334") and first.reserved_micros == 0 and second.reserved_usd == 2


def test_approval_hook_sees_the_call_and_can_deny() -> None:
    seen: list[ApprovalRequest] = []

    def approve(request: ApprovalRequest) -> Approval:
        seen.append(request)
        return Approval(request.operation != "kill", "killing is for humans")

    s = session(approve=approve)
    s.invoke("look", {"id": "x"})  # reads are never asked about
    s.invoke("launch", {"name": "a", "rate": 1.5, "hours": 2})
    with pytest.raises(ToolRefused, match="kill was not approved: killing is for humans"):
        s.invoke("kill", {"id": "vm-0"})
    assert [(r.operation, r.side_effect, r.arguments["name"] if "name" in r.arguments else r.arguments["id"])
            for r in seen] == [("launch", SideEffect.BILLABLE, "a"), ("kill", SideEffect.DESTRUCTIVE, "vm-0")]  # fmt: skip
    assert seen[0].estimate == CostEstimate(1.5, 3.0, "price list")
    assert ("kill", "vm-0") not in s.clients.calls
    denied = session(approve=lambda r: False, budget=Budget(max_usd=5))
    with pytest.raises(ToolRefused, match="not approved"):
        denied.invoke("launch", {"name": "a", "rate": 1})
    # The denied call had been reserved (so nobody is asked about a call the budget refuses); denial released it.
    assert [e.status for e in denied.entries()] == [Status.FAILED] and denied.spend().committed_usd == 0
    assert denied.clients.calls == []


def test_nobody_is_asked_about_a_call_the_budget_refuses() -> None:
    asked: list[str] = []
    s = session(approve=lambda r: asked.append(r.operation) or True, budget=Budget(max_usd=3))
    s.invoke("launch", {"name": "a", "rate": 2, "hours": 1})
    with pytest.raises(ToolRefused, match=r"has \$1.00 left of \$3.00"):
        s.invoke("launch", {"name": "b", "rate": 2, "hours": 1})
    assert asked == ["launch"]


def test_dry_run_sends_nothing_that_changes_anything() -> None:
    s = session(dry_run=True, policy=SpendPolicy(max_total_usd=100))
    out = s.invoke("launch", {"name": "a", "rate": 2.0, "hours": 3})
    assert out["dry_run"] is True and "launch" in out["would_do"] and out["worst_case_usd"] == 6.0
    assert out["estimate"] == {"hourly_usd": 2.0, "total_usd": 6.0, "basis": "price list"}
    assert s.invoke("look", {"id": "x"}) == {"saw": "x"}  # reads still run
    assert s.clients.calls == [] and s.entries() == []


def test_replayed_call_provisions_once() -> None:
    s = session()
    first = s.invoke("launch", {"name": "a", "rate": 1}, call_id="call_1")
    again = s.invoke("launch", {"name": "a", "rate": 1}, call_id="call_1")  # the agent framework replays it
    assert first == again and len(s.clients.running) == 1 and len(s.entries()) == 1
    assert idempotency_key("launch", {"name": "a"}, "call_1") == idempotency_key("launch", {"name": "a"}, "call_1")
    assert idempotency_key("launch", {"name": "a"}, "call_1") != idempotency_key("launch", {"name": "a"}, "call_2")
    assert idempotency_key("launch", {"name": "a"}, None) != idempotency_key("launch", {"name": "b"}, None)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("launch", {"name": "a"}, "call_1"), ("launch", {"name": "a"}, "call_1"), True),  # a redelivery
        (("launch", {"name": "a"}, "call_1"), ("launch", {"name": "a"}, "call_2"), False),  # another call
        (("launch", {"name": "a"}, "call_1"), ("kill", {"name": "a"}, "call_1"), False),
        (("launch", {"name": "a"}, None), ("launch", {"name": "a"}, None), False),  # two deliberate calls
        (("launch", {"name": "a"}, None), ("launch", {"name": "b"}, None), False),
    ],
)
def test_idempotency_key_protects_a_redelivery_never_merges_two_calls(
    first: tuple[str, dict[str, Any], str | None], second: tuple[str, dict[str, Any], str | None], same: bool
) -> None:
    assert (idempotency_key(*first) == idempotency_key(*second)) is same


def test_identical_calls_without_an_id_are_two_creates() -> None:
    s = session()
    first = s.invoke("launch", {"name": "a", "rate": 1})
    second = asyncio.run(s.ainvoke("launch", {"name": "a", "rate": 1}))
    assert first["id"] != second["id"] and made(s) == [first["id"], second["id"]]
    keys = [key for op, key in s.clients.calls if op == "launch"]
    assert len(set(keys)) == 2 and all(k.startswith("neocloud-tool-") for k in keys)


def test_cleanup_tears_down_everything_once_and_tolerates_gone() -> None:
    with session() as s:
        for i in range(3):
            s.invoke("launch", {"name": f"vm{i}", "rate": 1}, call_id=f"c{i}")
        s.clients.kill(Kill(id="vm-1"), None)  # someone else removed one already
    assert s.resources() == [] and len(made(s)) == 3 and s.clients.running == {}
    assert s.cleanup() == []  # idempotent


def test_async_invoke_runs_the_same_definition() -> None:
    s = session()
    out = asyncio.run(s.ainvoke("launch", {"name": "a", "rate": 1}, call_id="x"))
    assert out["id"] == "vm-0" and len(s.entries()) == 1


def test_a_lost_answer_holds_its_reservation_and_cleanup_resolves_it() -> None:
    s = session(budget=Budget(max_usd=3))
    s.clients.lose = 1
    with pytest.raises(APIConnectionError):
        s.invoke("launch", {"name": "a", "rate": 2, "hours": 1}, call_id="c1")
    [lost] = s.entries()
    assert lost.status is Status.UNKNOWN and lost.reserved_usd == 2 and lost.idempotency_key
    assert lost.arguments == {"name": "a", "rate": 2, "hours": 1}
    with pytest.raises(ToolRefused, match=r"has \$1.00 left of \$3.00"):  # a retry under a new id is counted
        s.invoke("launch", {"name": "a", "rate": 2, "hours": 1}, call_id="c2")
    report = s.cleanup()
    assert report == ["vm vm-0"] and "it made vm vm-0" in report.resolved[0] and report.complete
    assert s.clients.running == {} and s.ledger.open_intents() == []
    assert "tore down vm vm-0" in str(report)


def test_an_unknown_call_without_a_way_to_resolve_it_is_reported_and_stays_held() -> None:
    ops = {**OPS, "launch": Operation("launch", "Launch.", Launch, SideEffect.BILLABLE, lambda c, a, k: c.launch(a, k),
                                      estimate=lambda c, a: CostEstimate(a.rate, None, "price list"))}  # fmt: skip
    s = ToolSession(ops, Cloud(), allow=allowed(billable=True), ledger=InMemoryLedger(), budget=UNLIMITED)
    s.clients.lose = 1
    with pytest.raises(APIConnectionError):
        s.invoke("launch", {"name": "a", "rate": 2})
    report = s.cleanup()
    assert report == [] and not report.complete and "launch (unknown, $2.00 reserved)" in report.unresolved[0]
    assert s.spend().committed_usd == 2


def test_another_session_of_the_run_cleans_up_and_others_are_left_alone() -> None:
    ledger = InMemoryLedger()
    first = session(ledger=ledger, run_id="r1")
    first.invoke("launch", {"name": "a", "rate": 1})
    other = session(ledger=ledger, run_id="r2")
    other.clients = first.clients
    other.invoke("launch", {"name": "b", "rate": 1})
    again = session(ledger=ledger, run_id="r1")
    again.clients = first.clients
    assert again.cleanup() == ["vm vm-0"] and list(first.clients.running.values()) == ["vm-1"]
    assert session(ledger=InMemoryLedger()).cleanup() == []


def test_a_session_opens_the_default_ledger_only_when_it_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import neocloud.core.ledger as ledgers

    opened: list[str] = []
    real = ledgers.open_ledger
    monkeypatch.setattr(ledgers, "open_ledger", lambda *a, **k: opened.append("x") or real("memory://"))
    s = ToolSession(OPS, Cloud(), allow=allowed(billable=True))
    assert s.exposed() and s.cleanup() == [] and s.running_hourly_usd() == 0 and opened == []
    s.invoke("look", {"id": "x"})
    assert opened == []
    s.invoke("launch", {"name": "a", "rate": 1})
    assert opened == ["x"] and s.spend().committed_usd == 1  # $1/h x the assumed 1 h, under the default budget
    s.close()


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        (10, "budget must be a neocloud.core.ledger.Budget"),
        ("unlimited", "budget must be"),
        ([Budget(max_usd=1), 5], "the list holds 5"),
        (False, "budget must be"),
    ],
)
def test_a_bad_budget_is_refused_naming_it(budget: Any, message: str) -> None:
    with pytest.raises(RequestValidationError, match=message) as info:
        ToolSession(OPS, Cloud(), budget=budget)
    assert info.value.param == "budget"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [({"max_total_usd": -1}, "max_total_usd"), ({"max_hourly_usd": float("nan")}, "max_hourly_usd"),
     ({"default_runtime_hours": 0}, "default_runtime_hours"), ({"unpriced_hourly_usd": "x"}, "unpriced_hourly_usd")],
)  # fmt: skip
def test_a_bad_spend_policy_is_refused_naming_the_field(kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        SpendPolicy(**kwargs)
    assert info.value.param == param


def test_billable_tools_state_the_budget_and_others_do_not() -> None:
    default = ToolSession(OPS, Cloud(), allow=allowed(billable=True, destructive=True))
    assert "at most $10.00 (the default budget" in default.description(OPS["launch"])
    assert default.description(OPS["kill"]) == "Kill a VM." and default.description(OPS["look"]) == "Look around."
    assert "Budget" not in session().description(OPS["launch"])  # UNLIMITED
    hourly = session(policy=SpendPolicy(max_hourly_usd=2), budget=Budget(max_usd=50))
    note = hourly.description(OPS["launch"])
    assert "this run's budget allows at most $50.00" in note and "at most $2.00/h running" in note


def test_the_intent_is_recorded_before_the_request_leaves() -> None:
    seen: list[tuple[Status, str | None, str | None]] = []
    ledger = InMemoryLedger()

    def launch(c: Cloud, a: Launch, key: str | None) -> dict[str, Any]:
        [entry] = ledger.entries()  # what a crash at this instant would leave behind
        seen.append((entry.status, entry.idempotency_key, key))
        return c.launch(a, key)

    ops = {**OPS, "launch": Operation("launch", "Launch.", Launch, SideEffect.BILLABLE, launch,
                                      estimate=lambda c, a: CostEstimate(a.rate, None, "price list"))}  # fmt: skip
    ToolSession(ops, Cloud(), allow=allowed(billable=True), ledger=ledger).invoke("launch", {"name": "a", "rate": 1})
    [(status, recorded, sent)] = seen
    assert status is Status.PENDING and recorded == sent and sent is not None
    assert ledger.entries()[0].status is Status.SUCCEEDED
