"""The budget's arithmetic and the entry transitions: pure functions, table-driven and property-tested."""

from __future__ import annotations

import pickle
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neocloud.core import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NeocloudError,
    PaymentRequiredError,
    RateLimitError,
    RequestValidationError,
    StreamError,
)
from neocloud.core.ledger import (
    Budget,
    BudgetExceeded,
    InMemoryLedger,
    Intent,
    LedgerError,
    ResourceRecord,
    Status,
    decide,
    outcome_of,
    window_start_us,
)
from neocloud.core.ledger._budget import refusal
from neocloud.core.ledger._migrations import Migration, to_apply
from neocloud.core.ledger._transitions import fail, mark_unknown, new_entry, settle, succeed, tear_down

# -- decide: committed + asked <= cap --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "committed", "asked", "allowed", "left"),
    [
        (10, 0, 10, True, 10),  # exactly the cap fits
        (10, 0, 11, False, 10),
        (10, 9, 1, True, 1),
        (10, 9, 2, False, 1),
        (10, 10, 0, True, 0),  # a free call always fits a full budget
        (10, 10, 1, False, 0),
        (10, 12, 0, False, 0),  # over the cap (a settlement above its estimate): even free calls are refused
        (0, 0, 0, True, 0),
        (0, 0, 1, False, 0),
        (2_000_000, 1_999_999, 1, True, 1),  # one micro-dollar matters
    ],
)
def test_decide(cap: int, committed: int, asked: int, allowed: bool, left: int) -> None:
    decision = decide(cap, committed, asked)
    assert (decision.allowed, decision.left_micros) == (allowed, left)
    assert (decision.cap_micros, decision.committed_micros, decision.asked_micros) == (cap, committed, asked)


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12))
def test_decide_allows_exactly_what_fits(cap: int, committed: int, asked: int) -> None:
    decision = decide(cap, committed, asked)
    assert decision.allowed == (committed + asked <= cap)
    assert decision.left_micros == max(cap - committed, 0)
    assert not decision.allowed or asked <= decision.left_micros


@pytest.mark.parametrize(
    ("now", "window", "start"),
    [
        (10_000_000, None, None),
        (10_000_000, timedelta(seconds=3), 7_000_000),
        (10_000_000, timedelta(microseconds=1), 9_999_999),
        (200_000_000_000, timedelta(days=1, hours=1), 200_000_000_000 - 90_000_000_000),
    ],
)
def test_window_start(now: int, window: timedelta | None, start: int | None) -> None:
    assert window_start_us(now, window) == start


# -- Budget and its refusal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_usd": -1}, "max_usd"),
        ({"max_usd": float("nan")}, "max_usd"),
        ({"max_usd": 5, "scope": "team"}, "scope"),
        ({"max_usd": 5, "window": timedelta(0)}, "window"),
        ({"max_usd": 5, "window": timedelta(hours=-1)}, "window"),
        ({"max_usd": 5, "window": 3600}, "window"),
    ],
)
def test_budget_refuses_bad_arguments_naming_them(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        Budget(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param


def test_budget_exceeded_tells_the_agent_what_why_and_what_to_do() -> None:
    budget = Budget(max_usd="20", scope="ledger", window=timedelta(days=1))
    exc = refusal(budget, decide(20_000_000, 16_500_000, 12_000_000), operation="create_instance", run_id="r1")
    assert isinstance(exc, NeocloudError) and isinstance(exc, LedgerError)
    assert (exc.asked_usd, exc.left_usd, exc.cap_usd) == (Decimal(12), Decimal("3.5"), Decimal(20))
    assert (exc.scope, exc.window, exc.run_id, exc.operation) == ("ledger", timedelta(days=1), "r1", "create_instance")
    assert str(exc) == (
        "create_instance was refused before anything was sent: it may cost up to $12.00 and the shared budget "
        "(every run on this ledger) over the last day has $3.50 left of $20.00 ($16.50 already spent or "
        "reserved). Choose a cheaper option (a smaller instance, a shorter runtime, fewer tokens), tear down what "
        "is no longer needed, or ask the user to raise the budget. Retrying the same call will be refused again."
    )
    again = pickle.loads(pickle.dumps(exc))
    assert (type(again), str(again), again.left_usd, again.window) == (BudgetExceeded, str(exc), exc.left_usd,
                                                                        exc.window)  # fmt: skip


@pytest.mark.parametrize(
    ("window", "words"),
    [(None, "this run's budget has"), (timedelta(hours=6), "over the last 6 hours"),
     (timedelta(minutes=1), "over the last minute"), (timedelta(seconds=90), "over the last 90 seconds")],
)  # fmt: skip
def test_refusal_names_the_window(window: timedelta | None, words: str) -> None:
    exc = refusal(Budget(max_usd=1, window=window), decide(1, 0, 2), operation="chat", run_id="r")
    assert words in str(exc)


# -- transitions -------------------------------------------------------------------------------------------------

INTENT = Intent("create_instance", "runcrate", "r1", estimate_usd=10, idempotency_key="k")
RES = ResourceRecord("instance", "i-1", "delete_instance", {"id": "i-1"})


def _entry(status: Status) -> object:
    entry = new_entry(INTENT, "e1", 1)
    if status is Status.SUCCEEDED:
        return succeed(entry, actual_micros=None, resource=RES, now_us=2)
    if status is Status.FAILED:
        return fail(entry, error="400", actual_micros=None, now_us=2)
    if status is Status.UNKNOWN:
        return mark_unknown(entry, error="timeout", now_us=2)
    return entry


# (from, transition, kwargs) -> (status, reserved, actual) or the LedgerError it raises
TRANSITIONS = [
    (Status.PENDING, succeed, {"actual_micros": None, "resource": RES}, (Status.SUCCEEDED, 10_000_000, None)),
    (Status.PENDING, succeed, {"actual_micros": 4_000_000, "resource": None}, (Status.SUCCEEDED, 0, 4_000_000)),
    (Status.PENDING, fail, {"error": "400", "actual_micros": None}, (Status.FAILED, 0, None)),
    (Status.PENDING, fail, {"error": "500", "actual_micros": 300}, (Status.FAILED, 0, 300)),
    (Status.PENDING, mark_unknown, {"error": "timeout"}, (Status.UNKNOWN, 10_000_000, None)),
    (Status.UNKNOWN, succeed, {"actual_micros": 2, "resource": RES}, (Status.SUCCEEDED, 0, 2)),
    (Status.UNKNOWN, fail, {"error": "gone", "actual_micros": None}, (Status.FAILED, 0, None)),
    (Status.UNKNOWN, mark_unknown, {"error": "again"}, (Status.UNKNOWN, 10_000_000, None)),
    (Status.SUCCEEDED, settle, {"actual_micros": 7}, (Status.SUCCEEDED, 0, 7)),
    (Status.SUCCEEDED, settle, {"actual_micros": 12_000_000}, (Status.SUCCEEDED, 0, 12_000_000)),
    (Status.SUCCEEDED, succeed, {"actual_micros": None, "resource": RES}, (Status.SUCCEEDED, 10_000_000, None)),
    (Status.SUCCEEDED, tear_down, {"actual_micros": 3}, (Status.SUCCEEDED, 0, 3)),
    (Status.SUCCEEDED, tear_down, {"actual_micros": None}, (Status.SUCCEEDED, 10_000_000, None)),
    (Status.FAILED, fail, {"error": "400", "actual_micros": None}, (Status.FAILED, 0, None)),
    (Status.FAILED, succeed, {"actual_micros": None, "resource": RES}, "cannot succeed later"),
    (Status.FAILED, mark_unknown, {"error": "x"}, "cannot become unknown"),
    (Status.FAILED, settle, {"actual_micros": 1}, "only a succeeded entry"),
    (Status.SUCCEEDED, fail, {"error": "x", "actual_micros": None}, "cannot fail"),
    (Status.SUCCEEDED, mark_unknown, {"error": "x"}, "cannot become unknown"),
    (Status.SUCCEEDED, succeed, {"actual_micros": None, "resource": ResourceRecord("instance", "i-2", "d")},
     "already created instance i-1"),
    (Status.PENDING, settle, {"actual_micros": 1}, "only a succeeded entry"),
    (Status.PENDING, tear_down, {"actual_micros": None}, "no resource to tear down"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "move", "kwargs", "expected"), TRANSITIONS)
def test_transitions(start: Status, move: object, kwargs: dict[str, object], expected: object) -> None:
    entry = _entry(start)
    if isinstance(expected, str):
        with pytest.raises(LedgerError, match=expected):
            move(entry, now_us=3, **kwargs)  # type: ignore[operator]
        return
    after = move(entry, now_us=3, **kwargs)  # type: ignore[operator]
    assert (after.status, after.reserved_micros, after.actual_micros) == expected


def test_tear_down_keeps_the_first_teardown_time() -> None:
    made = succeed(new_entry(INTENT, "e1", 1), actual_micros=None, resource=RES, now_us=2)
    gone = tear_down(made, actual_micros=None, now_us=5)
    assert tear_down(gone, actual_micros=None, now_us=9).torn_down_at_us == 5


# -- outcome_of: what an exception says about a call that may have been sent ---------------------------------


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (RequestValidationError("bad", param="x"), Status.FAILED),
        (ConfigurationError("no key"), Status.FAILED),
        (BadRequestError("bad", status_code=400), Status.FAILED),
        (PaymentRequiredError("no credits", status_code=402), Status.FAILED),
        (RateLimitError("slow down", status_code=429), Status.FAILED),
        (ConflictError("in flight", status_code=409), Status.UNKNOWN),
        (BadRequestError("timeout", status_code=408), Status.UNKNOWN),
        (InternalServerError("boom", status_code=500), Status.UNKNOWN),
        (InternalServerError("gateway", status_code=504), Status.UNKNOWN),
        (APIConnectionError(), Status.UNKNOWN),
        (APITimeoutError(), Status.UNKNOWN),
        (StreamError("dropped"), Status.UNKNOWN),
        (KeyError("our own bug"), Status.UNKNOWN),
        (KeyboardInterrupt(), Status.UNKNOWN),
    ],
)
def test_outcome_of(exc: BaseException, status: Status) -> None:
    assert outcome_of(exc) is status


# -- migrations: which steps a database still needs -------------------------------------------------------------

M = [Migration(1, "one", ("A",)), Migration(2, "two", ("B",)), Migration(3, "three", ("C",))]


@pytest.mark.parametrize(("current", "versions"), [(None, [1, 2, 3]), (0, [1, 2, 3]), (1, [2, 3]), (3, [])])
def test_to_apply(current: int | None, versions: list[int]) -> None:
    assert [m.version for m in to_apply(current, M)] == versions


@pytest.mark.parametrize(
    ("current", "migrations", "message"),
    [(4, M, "newer than this neocloud-core knows"), (None, [M[0], M[2]], "numbered 1..n"), (None, M[1:], "1..n")],
)
def test_to_apply_refuses(current: int | None, migrations: list[Migration], message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        to_apply(current, migrations)


# -- properties of the whole: interleavings on a real store -----------------------------------------------------

CAP = 10_000_000  # $10

step = st.one_of(
    st.tuples(st.just("reserve"), st.integers(0, 6_000_000)),
    st.tuples(st.just("settle"), st.integers(0, 50), st.integers(0, 100)),  # which open entry, actual % of it
    st.tuples(st.just("fail"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("unknown"), st.integers(0, 50), st.just(0)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40), st.sampled_from(["run", "ledger"]))
def test_no_interleaving_commits_beyond_the_cap_and_settling_frees_room(
    steps: list[tuple[object, ...]], scope: str
) -> None:
    ledger = InMemoryLedger()
    budget = Budget(max_usd=Decimal(CAP) / 1_000_000, scope=scope)  # type: ignore[arg-type]
    for kind, *args in steps:
        open_ = [e for e in ledger.entries() if e.status in (Status.PENDING, Status.UNKNOWN)]
        if kind == "reserve":
            before = ledger.spend().committed_micros
            try:
                ledger.reserve(Intent("op", "p", "r1", estimate_usd=Decimal(args[0]) / 1_000_000), budget)
                assert before + args[0] <= CAP
            except BudgetExceeded as exc:
                assert before + args[0] > CAP
                assert exc.left_usd == Decimal(CAP - before) / 1_000_000
        elif open_:
            entry = open_[args[0] % len(open_)]
            if kind == "settle":  # a settlement at or below the reservation
                ledger.succeed(entry.id, actual_usd=Decimal(entry.reserved_micros * args[1] // 100) / 1_000_000)
            elif kind == "fail":
                ledger.fail(entry.id, error="refused")
            else:
                ledger.mark_unknown(entry.id, error="lost")
        committed = ledger.spend().committed_micros
        assert committed <= CAP
    # Whatever happened, a call that fits what is left is accepted, and one micro-dollar more is refused.
    left = CAP - ledger.spend().committed_micros
    with pytest.raises(BudgetExceeded):
        ledger.reserve(Intent("op", "p", "r1", estimate_usd=Decimal(left + 1) / 1_000_000), budget)
    ledger.reserve(Intent("op", "p", "r1", estimate_usd=Decimal(left) / 1_000_000), budget)
    assert ledger.spend().committed_micros == CAP
