"""Table-driven tests of the pure retry policy."""

from __future__ import annotations

import email.utils

import pytest

from neocloud.core.retry import (
    EXPONENTIAL,
    MAX_DELAY,
    Backoff,
    RetryDecision,
    backoff_delay,
    decide_retry,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": " 2 "}, 2.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms wins
        ({"retry-after-ms": "junk", "retry-after": "4"}, 4.0),  # bad ms falls back
        ({"retry-after": email.utils.formatdate(NOW + 7, usegmt=True)}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),  # past date
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "-5"}, 0.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (10, 0.0, MAX_DELAY),
        (0, 0.999, 0.5 * (1 - 0.25 * 0.999)),
        (100, 0.5, MAX_DELAY * 0.875),
    ],
)
def test_backoff_delay(attempt: int, jitter: float, expected: float) -> None:
    assert backoff_delay(attempt, jitter=jitter) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("policy", "attempt", "jitter", "expected"),
    [
        (EXPONENTIAL, 0, 0.0, 0.5),
        (EXPONENTIAL, 3, 0.0, 4.0),
        (EXPONENTIAL, 3, 0.5, 4.0 * 0.875),
        (EXPONENTIAL, 40, 0.0, MAX_DELAY),
        (Backoff(initial=1.0, multiplier=3.0, max_delay=20.0, jitter=0.0), 2, 0.9, 9.0),
        (Backoff(initial=10.0), 0, 0.0, MAX_DELAY),  # the cap applies from the first retry
        (Backoff.fixed(0.3), 0, 0.0, 0.3),
        (Backoff.fixed(0.3), 1, 0.0, 0.3),  # no doubling
        (Backoff.fixed(0.3), 9, 0.999, 0.3),  # no jitter
        (Backoff.fixed(12.0), 5, 0.0, 12.0),  # not capped at the exponential maximum
        (Backoff.fixed(0.0), 2, 0.5, 0.0),
    ],
)
def test_backoff_policies(policy: Backoff, attempt: int, jitter: float, expected: float) -> None:
    assert policy.delay(attempt, jitter=jitter) == pytest.approx(expected)


FIXED = Backoff.fixed(0.3)
CASES: list[tuple[str, dict[str, object], RetryDecision]] = [
    (
        "retry 429 with Retry-After",
        {"status": 429, "headers": {"retry-after": "2"}},
        RetryDecision(True, 2.0),
    ),
    ("retry 503 with backoff", {"status": 503}, RetryDecision(True, 0.5)),
    ("retry 500", {"status": 500}, RetryDecision(True, 0.5)),
    ("retry 502", {"status": 502}, RetryDecision(True, 0.5)),
    ("retry 504", {"status": 504}, RetryDecision(True, 0.5)),
    ("retry 408", {"status": 408}, RetryDecision(True, 0.5)),
    ("retry 409", {"status": 409}, RetryDecision(True, 0.5)),
    ("no retry 400", {"status": 400}, RetryDecision(False)),
    ("no retry 401", {"status": 401}, RetryDecision(False)),
    ("no retry 402", {"status": 402}, RetryDecision(False)),
    ("no retry 403", {"status": 403}, RetryDecision(False)),
    ("no retry 404", {"status": 404}, RetryDecision(False)),
    ("no retry 422", {"status": 422}, RetryDecision(False)),
    (
        "x-should-retry true on 400",
        {"status": 400, "headers": {"x-should-retry": "true"}},
        RetryDecision(True, 0.5),
    ),
    (
        "x-should-retry false on 429",
        {"status": 429, "headers": {"x-should-retry": "false"}},
        RetryDecision(False),
    ),
    (
        "retry-after over cap gives up",
        {"status": 429, "headers": {"retry-after": "600"}},
        RetryDecision(False),
    ),
    (
        "retry-after-ms honoured",
        {"status": 429, "headers": {"retry-after-ms": "1500"}},
        RetryDecision(True, 1.5),
    ),
    (
        "retry-after 0 falls back to backoff",
        {"status": 429, "headers": {"retry-after": "0"}},
        RetryDecision(True, 0.5),
    ),
    ("attempts exhausted", {"status": 503, "attempt": 2}, RetryDecision(False)),
    ("second retry backs off longer", {"status": 503, "attempt": 1}, RetryDecision(True, 1.0)),
    ("zero retries", {"status": 503, "max_retries": 0}, RetryDecision(False)),
    ("connection error, idempotent", {"status": None}, RetryDecision(True, 0.5)),
    (
        "connect error on create: never sent",
        {"status": None, "idempotent": False, "connection_opened": False},
        RetryDecision(True, 0.5),
    ),
    (
        "reset on create: may have acted",
        {"status": None, "idempotent": False, "connection_opened": True},
        RetryDecision(False),
    ),
    ("500 on create without key", {"status": 500, "idempotent": False}, RetryDecision(False)),
    ("503 on create without key", {"status": 503, "idempotent": False}, RetryDecision(False)),
    ("429 on create: not acted on", {"status": 429, "idempotent": False}, RetryDecision(True, 0.5)),
    ("deadline too close", {"status": 503, "remaining": 0.2}, RetryDecision(False)),
    ("deadline far enough", {"status": 503, "remaining": 5.0}, RetryDecision(True, 0.5)),
    ("fixed: first retry", {"status": 503, "backoff": FIXED}, RetryDecision(True, 0.3)),
    (
        "fixed: later retry, same wait",
        {"status": 503, "attempt": 1, "jitter": 0.9, "backoff": FIXED},
        RetryDecision(True, 0.3),
    ),
    ("fixed: connection error", {"status": None, "backoff": FIXED}, RetryDecision(True, 0.3)),
    (
        "fixed: longer Retry-After wins",
        {"status": 429, "headers": {"retry-after": "2"}, "backoff": FIXED},
        RetryDecision(True, 2.0),
    ),
    (
        "fixed: shorter Retry-After does not shorten",
        {"status": 429, "headers": {"retry-after-ms": "100"}, "backoff": FIXED},
        RetryDecision(True, 0.3),
    ),
    (
        "exponential: shorter Retry-After is obeyed",
        {"status": 429, "headers": {"retry-after-ms": "100"}},
        RetryDecision(True, 0.1),
    ),
    ("fixed: retries still counted", {"status": 503, "attempt": 2, "backoff": FIXED}, RetryDecision(False)),
    ("fixed: deadline still watched", {"status": 503, "remaining": 0.2, "backoff": FIXED}, RetryDecision(False)),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_decide_retry(name: str, kwargs: dict[str, object], expected: RetryDecision) -> None:
    args: dict[str, object] = {"attempt": 0, "max_retries": 2, "idempotent": True, "now": NOW, "jitter": 0.0}
    args.update(kwargs)
    decision = decide_retry(**args)  # type: ignore[arg-type]
    assert decision.retry is expected.retry, decision.reason
    if expected.retry:
        assert decision.delay == pytest.approx(expected.delay)
    else:
        assert decision.reason


IN_PROGRESS = "idempotency_in_progress"
_CONFLICT = {"status": 409, "conflict_retry_reason": IN_PROGRESS, "max_retries": 3, "idempotent": True}


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        # The key is still being processed: the wait is the server's Retry-After, however short ...
        ("in progress, Retry-After 0.2", {"headers": {"retry-after": "0.2"}, "keyed": True,
                                          "conflict_reason": IN_PROGRESS}, RetryDecision(True, 0.2, "retryable")),
        ("in progress, retry-after-ms", {"headers": {"retry-after-ms": "50"}, "keyed": True,
                                         "conflict_reason": IN_PROGRESS}, RetryDecision(True, 0.05, "retryable")),
        # ... else the normal backoff (0.5 s, 1 s, 2 s), never a fixed multi-second minimum.
        ("in progress, no header, 1st", {"keyed": True, "conflict_reason": IN_PROGRESS},
         RetryDecision(True, 0.5, "retryable")),
        ("in progress, no header, 3rd", {"attempt": 2, "keyed": True, "conflict_reason": IN_PROGRESS},
         RetryDecision(True, 2.0, "retryable")),
        # Bounded by the deadline: a wait that would pass it is not taken.
        ("in progress, past the deadline", {"headers": {"retry-after": "5"}, "keyed": True,
                                            "conflict_reason": IN_PROGRESS, "remaining": 4.0},
         RetryDecision(False, reason="the total deadline would pass before the retry")),
        ("in progress, backoff within the deadline", {"keyed": True, "conflict_reason": IN_PROGRESS,
                                                      "remaining": 0.6}, RetryDecision(True, 0.5, "retryable")),
        ("in progress, over the Retry-After cap", {"headers": {"retry-after": "120"}, "keyed": True,
                                                   "conflict_reason": IN_PROGRESS},
         RetryDecision(False, reason="server asked to wait 120s (> cap)")),
        # Any other conflict, or no key sent: the 409 is the answer.
        ("another reason", {"keyed": True, "conflict_reason": "job_not_live"},
         RetryDecision(False, reason="a conflict that repeating cannot clear")),
        ("no key", {"keyed": False, "conflict_reason": IN_PROGRESS},
         RetryDecision(False, reason="a conflict that repeating cannot clear")),
        ("retries exhausted", {"attempt": 3, "keyed": True, "conflict_reason": IN_PROGRESS},
         RetryDecision(False, reason="retries exhausted")),
    ],
)  # fmt: skip
def test_a_409_in_progress_waits_as_the_server_or_the_backoff_says(
    name: str, kwargs: dict[str, object], expected: RetryDecision
) -> None:
    args: dict[str, object] = {"attempt": 0, **_CONFLICT, **kwargs}
    assert decide_retry(**args) == expected  # type: ignore[arg-type]


def test_a_409_without_a_provider_reason_is_retried_as_before() -> None:
    assert decide_retry(attempt=0, max_retries=2, idempotent=True, status=409).retry
