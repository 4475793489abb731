"""Retry policy as pure functions: what to retry, how long to wait, how to read Retry-After.

The transports ask these functions and do what they say; nothing here performs I/O, so every rule is
covered by table-driven tests.

Rules (the union of what the providers document, minus the unsafe parts):

- Retried: connection errors and timeouts, 408, 409, 429 and every status >= 500. A provider that names a
  conflict reason (Runcrate: ``idempotency_in_progress``) has a 409 retried only when the request sent an
  ``Idempotency-Key`` and the error's ``details.reason`` is that one; its wait is the same as any retry's (the
  server's ``Retry-After``, else the backoff), bounded by the deadline: no fixed minimum.
- ``x-should-retry: true|false`` from the server overrides the status rule either way.
- A non-idempotent request (a create without an ``Idempotency-Key``) is retried only when the server
  cannot have acted on it: the connection never opened, or the server answered 429. Every other failure
  of such a request is raised at once, so a retried create never provisions twice.
- The wait is the server's ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) when it is
  positive and at most ``MAX_RETRY_AFTER`` seconds. A server that asks for longer is not retried: the
  caller gets the 429 (with ``retry_after``) immediately instead of a silent multi-minute hang.
- Otherwise the client's ``Backoff``: by default exponential, ``INITIAL_DELAY * 2**attempt`` capped at
  ``MAX_DELAY``, shortened by up to 25 % jitter so that clients that failed together do not retry together;
  ``Backoff.fixed(d)`` waits ``d`` seconds before every retry, and a shorter ``Retry-After`` does not shorten
  it (a longer one still wins).
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "EXPONENTIAL",
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "Backoff",
    "RetryDecision",
    "backoff_delay",
    "decide_retry",
    "parse_retry_after",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
# openai-python honours up to 120 s; Cerebras' SDK and Runcrate's cap at 60 s. 60 s keeps agents responsive.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
# Statuses that prove the server did not act on the request, so even a create may be repeated.
_NOT_ACTED_ON = frozenset({429})


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """The policy's answer: retry after ``delay`` seconds, or not (``reason`` says why, for logs)."""

    retry: bool
    delay: float = 0.0
    reason: str = ""


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``Retry-After``; ``None`` if absent.

    ``Retry-After`` may be a (possibly fractional) number of seconds or an HTTP date; ``now`` is the
    current Unix time used for the date form. Unparseable or non-finite values count as absent.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms):
            return max(ms / 1000.0, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - now
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True, slots=True)
class Backoff:
    """The wait before retry number ``attempt`` (0-based) when the server did not name one.

    ``initial * multiplier**attempt``, capped at ``max_delay``, shortened by up to ``jitter`` (a fraction) so
    that clients that failed together do not retry together. With ``floor`` the planned wait is also the
    least one: a server's shorter ``Retry-After`` does not shorten it (a longer one still wins).
    """

    initial: float = INITIAL_DELAY
    multiplier: float = 2.0
    max_delay: float = MAX_DELAY
    jitter: float = 0.25
    floor: bool = False

    @classmethod
    def fixed(cls, delay: float) -> Backoff:
        """``delay`` seconds before every retry, exactly (the "seconds between retries" some SDKs document)."""
        return cls(initial=delay, multiplier=1.0, max_delay=delay, jitter=0.0, floor=True)

    def delay(self, attempt: int, *, jitter: float) -> float:
        """The planned wait; ``jitter`` in [0, 1) is the random draw that shortens it."""
        base = min(self.initial * (self.multiplier ** min(attempt, 32)), self.max_delay)
        return base * (1.0 - self.jitter * jitter)


EXPONENTIAL = Backoff()


def backoff_delay(attempt: int, *, jitter: float, initial: float = INITIAL_DELAY) -> float:
    """Exponential backoff for retry number ``attempt`` (0-based) from ``initial`` seconds, capped at
    ``MAX_DELAY``; ``jitter`` in [0, 1) shortens it by up to 25 %."""
    return Backoff(initial=initial).delay(attempt, jitter=jitter)


def _header_override(headers: Mapping[str, str]) -> bool | None:
    value = headers.get("x-should-retry")
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def decide_retry(
    *,
    attempt: int,
    max_retries: int,
    idempotent: bool,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    connection_opened: bool = True,
    now: float = 0.0,
    jitter: float = 0.0,
    remaining: float | None = None,
    backoff: Backoff = EXPONENTIAL,
    conflict_retry_reason: str | None = None,
    conflict_reason: object = None,
    keyed: bool = False,
) -> RetryDecision:
    """Decide whether attempt number ``attempt`` (0-based) that just failed should be retried.

    ``status`` is the HTTP status, or ``None`` for a transport error (then ``connection_opened`` says
    whether any byte may have reached the server). ``remaining`` is the time left before the whole-call
    deadline, ``None`` when there is none. ``backoff`` plans the wait when the server names none.
    ``conflict_retry_reason`` is the provider's retryable 409 reason (``None``: every 409 is retryable),
    ``conflict_reason`` the error's ``details.reason`` and ``keyed`` whether the request sent an idempotency key.
    """
    if attempt >= max_retries:
        return RetryDecision(False, reason="retries exhausted")
    hdrs = headers or {}
    if status is None:
        if not idempotent and connection_opened:
            return RetryDecision(False, reason="non-idempotent request may have reached the server")
        server_wait: float | None = None
    else:
        if (
            status == 409
            and conflict_retry_reason is not None
            and not (keyed and conflict_reason == conflict_retry_reason)
        ):
            # Repeating cannot change a conflict with the resource's state; only a key still in progress can clear.
            return RetryDecision(False, reason="a conflict that repeating cannot clear")
        override = _header_override(hdrs)
        retryable = override if override is not None else status in RETRYABLE_STATUSES
        if not retryable:
            return RetryDecision(False, reason=f"status {status} is not retryable")
        if not idempotent and status not in _NOT_ACTED_ON and override is not True:
            return RetryDecision(False, reason="non-idempotent request; the server may have acted")
        server_wait = parse_retry_after(hdrs, now=now)
        if server_wait is not None and server_wait > MAX_RETRY_AFTER:
            return RetryDecision(False, reason=f"server asked to wait {server_wait:.0f}s (> cap)")
    planned = backoff.delay(attempt, jitter=jitter)
    if server_wait is not None and server_wait > 0:
        delay = max(server_wait, planned) if backoff.floor else server_wait
    else:
        delay = planned
    if remaining is not None and delay >= remaining:
        return RetryDecision(False, reason="the total deadline would pass before the retry")
    return RetryDecision(True, delay=delay, reason="retryable")
