"""Every store (in memory, a SQLite file, a real PostgreSQL database) keeps the same records and answers the
same queries: intents before the request, outcomes after, teardowns, replays, spend and budgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from neocloud.core import APITimeoutError, BadRequestError, RequestValidationError
from neocloud.core.ledger import (
    AsyncLedger,
    BaseLedger,
    Budget,
    BudgetExceeded,
    Intent,
    LedgerError,
    LedgerStore,
    ResourceRecord,
    Status,
    atrack,
    track,
)

RUN = "run-1"
LedgerFactory = Callable[..., BaseLedger]


def gpu(estimate: object = 24, key: str | None = None, run: str = RUN, provider: str = "runcrate") -> Intent:
    return Intent("create_instance", provider, run, estimate_usd=estimate, idempotency_key=key)  # type: ignore[arg-type]


def chat(estimate: object, model: str = "llama-4", run: str = RUN, provider: str = "cerebras") -> Intent:
    return Intent("chat", provider, run, estimate_usd=estimate, model=model)  # type: ignore[arg-type]


def instance(rid: str) -> ResourceRecord:
    return ResourceRecord("instance", rid, "delete_instance", {"instance_id": rid, "force": True})


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_an_intent_is_open_until_its_outcome_and_a_resource_exists_until_torn_down(ledger: BaseLedger) -> None:
    assert isinstance(ledger, LedgerStore)
    entry = ledger.reserve(gpu(24, key="k1"))
    assert (entry.status, entry.reserved_usd, entry.actual_usd, entry.may_exist) == (Status.PENDING, 24, None, True)
    assert [e.id for e in ledger.open_intents()] == [entry.id]
    assert ledger.resources() == []

    made = ledger.succeed(entry.id, resource=instance("i-1"))
    assert (made.status, made.reserved_micros, made.committed_usd) == (Status.SUCCEEDED, 24_000_000, 24)
    assert ledger.open_intents() == []
    [res] = ledger.resources(run_id=RUN, provider="runcrate")
    assert (res.entry_id, res.kind, res.id, res.teardown_operation) == (entry.id, "instance", "i-1", "delete_instance")
    assert res.teardown_args == {"instance_id": "i-1", "force": True}
    assert res.torn_down_at is None and res.created_at == entry.created_at
    assert ledger.resources(run_id="other") == [] and ledger.resources(provider="metalcloud") == []

    [gone] = ledger.record_teardown("runcrate", "i-1", actual_usd="3.20")
    assert (gone.actual_usd, gone.reserved_micros, gone.may_exist) == (Decimal("3.2"), 0, False)
    assert gone.torn_down_at is not None
    assert ledger.resources() == []
    [kept] = ledger.resources(include_torn_down=True)
    assert kept.torn_down_at == gone.torn_down_at
    assert ledger.record_teardown("runcrate", "never-recorded") == []
    assert ledger.get(entry.id) == gone


def test_failure_releases_unknown_holds_and_settlement_replaces_the_reservation(ledger: BaseLedger) -> None:
    failed = ledger.reserve(gpu(10))
    lost = ledger.reserve(gpu(7))
    billed = ledger.reserve(chat("0.05"))
    ledger.fail(failed.id, error="BadRequestError: no such region")
    ledger.mark_unknown(lost.id, error="APITimeoutError: Request timed out.")
    ledger.succeed(billed.id, actual_usd="0.012345")
    spend = ledger.spend()
    assert (spend.committed_usd, spend.reserved_usd, spend.actual_usd, spend.entries) == (
        Decimal("7.012345"), Decimal(7), Decimal("0.012345"), 3)  # fmt: skip
    assert [(e.id, e.status, e.error) for e in ledger.open_intents()] == [
        (lost.id, Status.UNKNOWN, "APITimeoutError: Request timed out.")]  # fmt: skip
    assert ledger.get(failed.id).error == "BadRequestError: no such region"
    # A lost answer resolved later by someone who looked it up at the provider.
    ledger.succeed(lost.id, actual_usd=2, resource=instance("i-late"))
    assert ledger.spend().committed_usd == Decimal("2.012345")
    assert [r.id for r in ledger.resources()] == ["i-late"]


def test_a_settlement_above_the_estimate_is_recorded_and_later_calls_pay_for_it(ledger: BaseLedger) -> None:
    budget = Budget(max_usd=10)
    entry = ledger.reserve(chat(4), budget)
    ledger.succeed(entry.id, actual_usd=9)  # the estimate was wrong: the truth is recorded, not clipped
    assert ledger.spend().committed_usd == 9
    with pytest.raises(BudgetExceeded) as info:
        ledger.reserve(chat(2), budget)
    assert (info.value.left_usd, info.value.asked_usd) == (1, 2)
    ledger.reserve(chat(1), budget)


def test_a_replayed_idempotency_key_is_counted_once_and_a_failed_one_is_free_again(ledger: BaseLedger) -> None:
    budget = Budget(max_usd=30)
    first = ledger.reserve(gpu(24, key="call-7"), budget)
    again = ledger.reserve(gpu(24, key="call-7"), budget)  # would not fit if it were reserved twice
    assert (again.id, again.replayed, first.replayed) == (first.id, True, False)
    assert ledger.reserve(gpu(24, key="call-7", provider="metalcloud"), Budget(max_usd=100)).id != first.id
    ledger.succeed(first.id, resource=instance("i-7"))
    replay = ledger.reserve(gpu(24, key="call-7"), budget)
    assert (replay.id, replay.status, replay.replayed) == (first.id, Status.SUCCEEDED, True)
    ledger.succeed(first.id, resource=instance("i-7"))  # the replayed call answers the same: harmless
    assert ledger.spend(provider="runcrate").committed_usd == 24

    refused = ledger.reserve(gpu(1, key="call-8"))
    ledger.fail(refused.id, error="400")
    retried = ledger.reserve(gpu(1, key="call-8"))
    assert retried.id != refused.id and not retried.replayed and retried.status is Status.PENDING


def test_outcomes_that_contradict_the_record_are_refused(ledger: BaseLedger) -> None:
    entry = ledger.reserve(gpu(1))
    ledger.fail(entry.id, error="403")
    with pytest.raises(LedgerError, match="cannot succeed later"):
        ledger.succeed(entry.id)
    with pytest.raises(LedgerError, match="no ledger entry 'nope'"):
        ledger.get("nope")
    with pytest.raises(LedgerError, match="no ledger entry"):
        ledger.settle("nope", 1)
    assert ledger.get(entry.id).status is Status.FAILED


def test_spend_per_run_provider_model_and_window(make_ledger: LedgerFactory) -> None:
    clock = Clock()
    ledger = make_ledger(clock=clock)
    start = clock.now
    ledger.succeed(ledger.reserve(chat("0.50", model="llama-4")).id, actual_usd="0.25")
    clock.now += timedelta(hours=1)
    ledger.succeed(ledger.reserve(chat("0.50", model="qwen-3", run="run-2")).id, actual_usd="0.10")
    clock.now += timedelta(hours=1)
    ledger.reserve(gpu(12, run="run-2"))
    assert ledger.spend().committed_usd == Decimal("12.35")
    assert ledger.spend(run_id="run-2").committed_usd == Decimal("12.10")
    assert ledger.spend(provider="cerebras").actual_usd == Decimal("0.35")
    assert ledger.spend(model="qwen-3").entries == 1
    assert ledger.spend(since=start + timedelta(minutes=30)).committed_usd == Decimal("12.10")
    assert ledger.spend(until=start + timedelta(minutes=90)).committed_usd == Decimal("0.35")
    assert ledger.spend(provider="nobody") == type(ledger.spend())()
    by_model = ledger.spend_by("model")
    assert {k: v.committed_usd for k, v in by_model.items()} == {"llama-4": Decimal("0.25"), "qwen-3": Decimal("0.1"),
                                                                 None: Decimal(12)}  # fmt: skip
    assert {k: v.entries for k, v in ledger.spend_by("run_id").items()} == {"run-1": 1, "run-2": 2}
    assert set(ledger.spend_by("operation", provider="cerebras")) == {"chat"}
    with pytest.raises(RequestValidationError, match="cannot group spend by 'status'") as info:
        ledger.spend_by("status")
    assert info.value.param == "by"
    assert [e.model for e in ledger.entries(status=Status.SUCCEEDED)] == ["llama-4", "qwen-3"]


def test_run_and_ledger_scopes_and_a_rolling_window(make_ledger: LedgerFactory) -> None:
    clock = Clock()
    ledger = make_ledger(clock=clock)
    per_run = Budget(max_usd=10, scope="run")
    shared = Budget(max_usd=15, scope="ledger")
    ledger.reserve(gpu(8, run="a"), [per_run, shared])
    ledger.reserve(gpu(6, run="b"), [per_run, shared])  # run b has its own $10
    with pytest.raises(BudgetExceeded) as info:
        ledger.reserve(gpu(2, run="b"), [per_run, shared])  # fits run b ($4 left) but not the ledger ($1 left)
    assert (info.value.scope, info.value.left_usd, info.value.run_id) == ("ledger", 1, "b")
    with pytest.raises(BudgetExceeded) as info:
        ledger.reserve(gpu(3, run="a"), per_run)
    assert (info.value.scope, info.value.left_usd) == ("run", 2)

    daily = Budget(max_usd=15, scope="ledger", window=timedelta(days=1))
    with pytest.raises(BudgetExceeded):
        ledger.reserve(gpu(2, run="c"), daily)
    clock.now += timedelta(days=1, seconds=1)  # yesterday's $14 left the window
    ledger.reserve(gpu(15, run="c"), daily)
    with pytest.raises(BudgetExceeded) as info:
        ledger.reserve(chat("0.000001", run="c"), daily)
    assert "over the last day" in str(info.value)


def test_open_intents_older_than_skips_calls_still_in_flight(make_ledger: LedgerFactory) -> None:
    clock = Clock()
    ledger = make_ledger(clock=clock)
    old = ledger.reserve(gpu(1))
    clock.now += timedelta(minutes=10)
    ledger.reserve(gpu(1))
    assert [e.id for e in ledger.open_intents(older_than=timedelta(minutes=5))] == [old.id]
    assert len(ledger.open_intents()) == 2


def test_track_records_the_outcome_of_the_block(ledger: BaseLedger) -> None:
    budget = Budget(max_usd=100)
    with track(ledger, gpu(20, key="t1"), budget) as call:
        assert call.entry.status is Status.PENDING
        call.succeeded(resource=instance("i-t1"))
    assert ledger.get(call.entry.id).resource == instance("i-t1")

    with pytest.raises(BadRequestError), track(ledger, gpu(20), budget) as refused:
        raise BadRequestError("unknown gpu type", status_code=400)
    assert (ledger.get(refused.entry.id).status, ledger.get(refused.entry.id).reserved_micros) == (Status.FAILED, 0)

    with pytest.raises(APITimeoutError), track(ledger, gpu(20), budget) as lost:
        raise APITimeoutError()
    after = ledger.get(lost.entry.id)
    assert (after.status, after.reserved_usd, after.error) == (
        Status.UNKNOWN,
        20,
        "APITimeoutError: Request timed out.",
    )

    with track(ledger, chat(5), budget) as quiet:
        pass  # no outcome given: succeeded, the reservation kept as its cost
    assert (ledger.get(quiet.entry.id).status, ledger.get(quiet.entry.id).committed_usd) == (Status.SUCCEEDED, 5)

    with pytest.raises(RuntimeError), track(ledger, gpu(20, key="t1"), budget) as replay:
        raise RuntimeError("the replayed call broke")  # must not turn the recorded success into anything else
    assert replay.entry.replayed and ledger.get(replay.entry.id).status is Status.SUCCEEDED

    with pytest.raises(BudgetExceeded), track(ledger, gpu(100), budget):
        pytest.fail("the block must not run when the budget refuses")  # pragma: no cover
    assert ledger.spend().committed_usd == 20 + 20 + 5


async def test_atrack_and_the_async_ledger(ledger: BaseLedger) -> None:
    aledger = AsyncLedger(ledger)
    async with atrack(aledger, chat("0.40"), Budget(max_usd=1)) as call:
        await call.succeeded(actual_usd="0.10")
    with pytest.raises(APITimeoutError):
        async with atrack(ledger, chat("0.40"), Budget(max_usd=1)):  # a sync store is wrapped
            raise APITimeoutError()
    with pytest.raises(BudgetExceeded):
        async with atrack(aledger, chat("0.60"), Budget(max_usd=1)):
            pass  # pragma: no cover
    assert (await aledger.spend()).committed_usd == Decimal("0.50")
    assert [e.status for e in await aledger.open_intents()] == [Status.UNKNOWN]
    assert (await aledger.get(call.entry.id)).actual_usd == Decimal("0.1")
    assert {k: v.entries for k, v in (await aledger.spend_by("model")).items()} == {"llama-4": 2}


def test_an_intent_keeps_its_arguments_and_hourly_rate_for_another_process(make_ledger: LedgerFactory) -> None:
    first, second = make_ledger(), make_ledger()  # two connections to one store
    asked = Intent("create_instance", "runcrate", RUN, estimate_usd=2, idempotency_key="k-args",
                   arguments={"gpu_type": "A100", "count": 1, "region": None}, hourly_usd=1.29)  # fmt: skip
    entry = first.reserve(asked)
    assert (entry.arguments, entry.hourly_usd) == ({"gpu_type": "A100", "count": 1, "region": None}, Decimal("1.29"))
    first.mark_unknown(entry.id, error="connection lost")
    [found] = second.open_intents(run_id=RUN)
    assert (found.id, found.arguments, found.hourly_micros) == (entry.id, entry.arguments, 1_290_000)
    assert second.reserve(asked).replayed and second.reserve(asked).arguments == entry.arguments
    plain = second.reserve(gpu(1))
    assert (plain.arguments, plain.hourly_usd) == (None, None)


def test_bad_records_are_refused_before_anything_is_written(ledger: BaseLedger) -> None:
    for kwargs, param in [({"operation": ""}, "operation"), ({"run_id": " "}, "run_id"),
                          ({"estimate_usd": -5}, "estimate_usd"), ({"idempotency_key": ""}, "idempotency_key"),
                          ({"arguments": {"at": object()}}, "arguments"), ({"hourly_usd": "-1"}, "hourly_usd")]:  # fmt: skip
        args = {"operation": "op", "provider": "p", "run_id": "r", "estimate_usd": 1, **kwargs}
        with pytest.raises(RequestValidationError) as info:
            Intent(**args)  # type: ignore[arg-type]
        assert info.value.param == param
    with pytest.raises(RequestValidationError) as info:
        ResourceRecord("instance", "i", "delete", {"when": object()})
    assert info.value.param == "resource.teardown_args"
    entry = ledger.reserve(gpu(1))
    with pytest.raises(RequestValidationError):
        ledger.succeed(entry.id, actual_usd=-1)
    with pytest.raises(LedgerError, match="budgets must be Budget"):
        ledger.reserve(gpu(1), [10])  # type: ignore[list-item]
    assert ledger.get(entry.id).status is Status.PENDING and len(ledger.entries()) == 1
