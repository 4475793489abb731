"""``track`` / ``atrack``: one billable call between its intent and its outcome, the shape every wiring
(provisioning tools, inference calls, callbacks) uses:

```python
with track(ledger, Intent("create_instance", "runcrate", run_id, estimate_usd=12.0, idempotency_key=key),
           budget) as call:
    made = client.instances.create(..., idempotency_key=key)
    call.succeeded(resource=ResourceRecord("instance", made.id, "delete_instance", {"id": made.id}))
```

Entering reserves (or raises ``BudgetExceeded``: nothing is sent). Leaving without an outcome records one:
an exception is classified by ``outcome_of`` (``failed`` releases the reservation, ``unknown`` keeps it); a
normal exit counts as succeeded with the reservation kept as the cost until it is settled.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from ..errors import APIStatusError, ConfigurationError, RequestValidationError
from ._async import AsyncLedger
from ._base import Budgets
from ._money import Money
from ._protocol import LedgerStore
from ._records import Entry, Intent, ResourceRecord, Status

__all__ = ["AsyncCall", "Call", "atrack", "outcome_of", "track"]

log = logging.getLogger("neocloud.ledger")

# A status error proves the provider answered; these still leave its action in doubt: 408 and 409 (the
# idempotent request may be in flight) and 5xx (it may have acted before failing). 429 means it refused to
# act, as the retry policy assumes.
_IN_DOUBT = frozenset({408, 409})


def outcome_of(exc: BaseException) -> Status:
    """What an exception raised by a billable call says about its outcome (pure):

    - ``FAILED`` (release the reservation): the call was refused before sending (``RequestValidationError``,
      ``ConfigurationError``) or the provider answered a 4xx other than 408/409: nothing was created.
    - ``UNKNOWN`` (keep it): anything else: a lost connection or timeout (the request may have arrived), a
      5xx, 408, 409, a 2xx we could not read, a broken stream, a cancellation or a crash in our own code.
    """
    if isinstance(exc, (RequestValidationError, ConfigurationError)):
        return Status.FAILED
    if isinstance(exc, APIStatusError) and 400 <= exc.status_code < 500 and exc.status_code not in _IN_DOUBT:
        return Status.FAILED
    return Status.UNKNOWN


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class Call:
    """A call in flight: its ``entry`` (pending) and the methods that record its outcome once."""

    def __init__(self, ledger: LedgerStore, entry: Entry) -> None:
        self.ledger = ledger
        self.entry = entry
        self.recorded = False

    def succeeded(self, *, actual_usd: Money | None = None, resource: ResourceRecord | None = None) -> Entry:
        self.entry = self.ledger.succeed(self.entry.id, actual_usd=actual_usd, resource=resource)
        self.recorded = True
        return self.entry

    def failed(self, *, error: str | None = None, actual_usd: Money | None = None) -> Entry:
        self.entry = self.ledger.fail(self.entry.id, error=error, actual_usd=actual_usd)
        self.recorded = True
        return self.entry

    def unknown(self, *, error: str | None = None) -> Entry:
        self.entry = self.ledger.mark_unknown(self.entry.id, error=error)
        self.recorded = True
        return self.entry


class AsyncCall:
    """``Call`` for ``atrack``: the same methods, awaited."""

    def __init__(self, ledger: AsyncLedger, entry: Entry) -> None:
        self.ledger = ledger
        self.entry = entry
        self.recorded = False

    async def succeeded(self, *, actual_usd: Money | None = None, resource: ResourceRecord | None = None) -> Entry:
        self.entry = await self.ledger.succeed(self.entry.id, actual_usd=actual_usd, resource=resource)
        self.recorded = True
        return self.entry

    async def failed(self, *, error: str | None = None, actual_usd: Money | None = None) -> Entry:
        self.entry = await self.ledger.fail(self.entry.id, error=error, actual_usd=actual_usd)
        self.recorded = True
        return self.entry

    async def unknown(self, *, error: str | None = None) -> Entry:
        self.entry = await self.ledger.mark_unknown(self.entry.id, error=error)
        self.recorded = True
        return self.entry


@contextmanager
def track(ledger: LedgerStore, intent: Intent, budgets: Budgets = None) -> Iterator[Call]:
    """Reserve ``intent`` against ``budgets``, yield the ``Call``, and make sure an outcome is recorded."""
    call = Call(ledger, ledger.reserve(intent, budgets))
    try:
        yield call
    except BaseException as exc:
        if not call.recorded and call.entry.status.open:
            try:
                if outcome_of(exc) is Status.FAILED:
                    ledger.fail(call.entry.id, error=_describe(exc))
                else:
                    ledger.mark_unknown(call.entry.id, error=_describe(exc))
            except Exception:  # the entry stays pending, which still says "may exist": never hide the call's error
                log.warning("ledger: could not record the outcome of %s", call.entry.id, exc_info=True)
        raise
    if not call.recorded and call.entry.status.open:
        call.succeeded()


@asynccontextmanager
async def atrack(
    ledger: AsyncLedger | LedgerStore, intent: Intent, budgets: Budgets = None
) -> AsyncIterator[AsyncCall]:
    """``track`` for asyncio code (a sync store is wrapped in ``AsyncLedger``); a cancelled call is recorded as
    ``unknown`` (it may have been sent)."""
    if not isinstance(ledger, AsyncLedger):
        ledger = AsyncLedger(ledger)
    call = AsyncCall(ledger, await ledger.reserve(intent, budgets))
    try:
        yield call
    except BaseException as exc:
        if not call.recorded and call.entry.status.open:
            try:
                if outcome_of(exc) is Status.FAILED:
                    await ledger.fail(call.entry.id, error=_describe(exc))
                else:
                    await ledger.mark_unknown(call.entry.id, error=_describe(exc))
            except Exception:
                log.warning("ledger: could not record the outcome of %s", call.entry.id, exc_info=True)
        raise
    if not call.recorded and call.entry.status.open:
        await call.succeeded()
