"""The guard rails of provisioning tools, framework-free, over fake operations (no HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel, Field

from neocloud.core.errors import NotFoundError
from neocloud.core.tools import (
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
    """A fake provider: records what it was asked to do."""

    def __init__(self) -> None:
        self.running: dict[str, str] = {}  # idempotency key → id
        self.calls: list[tuple[str, Any]] = []

    def launch(self, args: Launch, key: str | None) -> dict[str, Any]:
        self.calls.append(("launch", key))
        ident = self.running.setdefault(key or f"anon-{len(self.running)}", f"vm-{len(self.running)}")
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
              created=lambda a, r: Created("vm", r["id"], "kill", {"id": r["id"]}, r["rate"] or None)),
    Operation("kill", "Kill a VM.", Kill, SideEffect.DESTRUCTIVE, lambda c, a, k: c.kill(a, k)),
    Operation("look", "Look around.", Kill, SideEffect.READ, lambda c, a, k: {"saw": a.id}),
]}  # fmt: skip


def session(**kwargs: Any) -> ToolSession:
    kwargs.setdefault("allow", allowed(billable=True, destructive=True))
    return ToolSession(operations=OPS, clients=Cloud(), **kwargs)


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
        (SpendPolicy(max_hourly_usd=3.0), [{"rate": 2.0}, {"rate": 1.5}], "making $3.50/h, over this session's cap"),
        (SpendPolicy(max_total_usd=10.0), [{"rate": 2.0, "hours": 4}, {"rate": 2.0, "hours": 1}], None),
        (SpendPolicy(max_total_usd=10.0), [{"rate": 2.0, "hours": 4}, {"rate": 2.0, "hours": 2}], "over its cap of $10.00"),
        (SpendPolicy(max_total_usd=10.0, default_runtime_hours=6), [{"rate": 2.0}], "estimated cost $12.00"),
        (SpendPolicy(max_hourly_usd=5.0), [{"rate": 0}], "cost cannot be estimated"),
        (SpendPolicy(max_hourly_usd=5.0, unpriced_hourly_usd=2.0), [{"rate": 0}, {"rate": 0}], None),
        (SpendPolicy(max_hourly_usd=5.0, unpriced_hourly_usd=2.0), [{"rate": 0}] * 3, "over this session's cap"),
        (SpendPolicy(), [{"rate": 0}, {"rate": 100}], None),  # no caps: nothing refused
    ],
)  # fmt: skip
def test_spend_policy(policy: SpendPolicy, calls: list[dict[str, Any]], refused: str | None) -> None:
    s = session(policy=policy)
    *first, last = calls
    for i, args in enumerate(first):
        s.invoke("launch", {"name": f"vm{i}", **args})
    if refused is None:
        s.invoke("launch", {"name": "last", **last})
        assert len(s.ledger) == len(calls)
    else:
        with pytest.raises(ToolRefused, match=refused.replace("$", r"\$").replace("(", r"\(")):
            s.invoke("launch", {"name": "last", **last})
        assert len(s.ledger) == len(first) and len(s.clients.calls) == len(first)  # nothing sent


def test_stopping_frees_hourly_budget() -> None:
    s = session(policy=SpendPolicy(max_hourly_usd=2.0))
    s.invoke("launch", {"name": "a", "rate": 2.0})
    with pytest.raises(ToolRefused):
        s.invoke("launch", {"name": "b", "rate": 2.0})
    assert s.cleanup() == ["vm vm-0"] and s.running_hourly_usd() == 0
    s.invoke("launch", {"name": "b", "rate": 2.0})


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
    assert session(approve=lambda r: False).ledger == []
    with pytest.raises(ToolRefused, match="not approved"):
        session(approve=lambda r: False).invoke("launch", {"name": "a", "rate": 1})


def test_dry_run_sends_nothing_that_changes_anything() -> None:
    s = session(dry_run=True, policy=SpendPolicy(max_total_usd=100))
    out = s.invoke("launch", {"name": "a", "rate": 2.0, "hours": 3})
    assert out["dry_run"] is True and "launch" in out["would_do"]
    assert out["estimate"] == {"hourly_usd": 2.0, "total_usd": 6.0, "basis": "price list"}
    assert s.invoke("look", {"id": "x"}) == {"saw": "x"}  # reads still run
    assert s.clients.calls == [] and s.ledger == []


def test_replayed_call_provisions_once() -> None:
    s = session()
    first = s.invoke("launch", {"name": "a", "rate": 1}, call_id="call_1")
    again = s.invoke("launch", {"name": "a", "rate": 1}, call_id="call_1")  # the agent framework replays it
    assert first == again and len(s.clients.running) == 1 and len(s.ledger) == 1
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
    assert first["id"] != second["id"] and [e.created.id for e in s.ledger] == [first["id"], second["id"]]
    keys = [key for op, key in s.clients.calls if op == "launch"]
    assert len(set(keys)) == 2 and all(k.startswith("neocloud-tool-") for k in keys)


def test_cleanup_tears_down_everything_once_and_tolerates_gone() -> None:
    with session() as s:
        for i in range(3):
            s.invoke("launch", {"name": f"vm{i}", "rate": 1}, call_id=f"c{i}")
        s.clients.kill(Kill(id="vm-1"), None)  # someone else removed one already
    assert all(e.torn_down for e in s.ledger) and s.clients.running == {}
    assert s.cleanup() == []  # idempotent


def test_async_invoke_runs_the_same_definition() -> None:
    s = session()
    out = asyncio.run(s.ainvoke("launch", {"name": "a", "rate": 1}, call_id="x"))
    assert out["id"] == "vm-0" and len(s.ledger) == 1
