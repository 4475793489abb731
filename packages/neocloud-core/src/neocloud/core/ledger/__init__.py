"""The spend ledger: one durable record of every operation that creates a resource or spends money, and one
budget in dollars over all of it (tokens and GPU-hours, every provider, process and crash).

```python
from neocloud.core.ledger import Budget, Intent, ResourceRecord, open_ledger, track

with open_ledger() as ledger:  # $NEOCLOUD_LEDGER, else a SQLite file in the user's data directory
    budget = Budget(max_usd=50, scope="run")
    with track(ledger, Intent("create_instance", "runcrate", run_id, estimate_usd=24), budget) as call:
        ...  # the request; BudgetExceeded was raised before it if it did not fit
        call.succeeded(resource=ResourceRecord("instance", "i-1", "delete_instance", {"id": "i-1"}))
    ledger.resources(run_id=run_id)  # what exists; ledger.open_intents(): what may exist
```

Stores (``LedgerStore``): ``InMemoryLedger`` (tests), ``SQLiteLedger`` (default), ``PostgresLedger``
(``neocloud-core[postgres]``); ``AsyncLedger`` for asyncio. See the ledger section of ``docs/architecture.md``
for the guarantees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_getattr
from ._base import BaseLedger, Budgets
from ._budget import Budget, Decision, Scope, decide, window_start_us
from ._errors import BudgetExceeded, LedgerError
from ._memory import InMemoryLedger
from ._money import MICROS_PER_USD, Money, format_usd, micros_to_usd, to_micros
from ._protocol import LedgerStore
from ._records import Entry, Intent, Resource, ResourceRecord, Spend, Status

if TYPE_CHECKING:
    from ._async import AsyncLedger, aopen_ledger
    from ._open import ENV_VAR, default_path, open_ledger, parse_ledger_url
    from ._postgres import PostgresLedger
    from ._sqlite import SQLiteLedger
    from ._track import AsyncCall, Call, atrack, outcome_of, track

__getattr__ = lazy_getattr(__name__, globals(), {
    "AsyncLedger": "._async",
    "aopen_ledger": "._async",
    "ENV_VAR": "._open",
    "default_path": "._open",
    "open_ledger": "._open",
    "parse_ledger_url": "._open",
    "PostgresLedger": "._postgres",
    "SQLiteLedger": "._sqlite",
    # asyncio loads with these, not with the records and the budget.
    "AsyncCall": "._track",
    "Call": "._track",
    "atrack": "._track",
    "outcome_of": "._track",
    "track": "._track",
})  # fmt: skip

__all__ = [
    "ENV_VAR",
    "MICROS_PER_USD",
    "AsyncCall",
    "AsyncLedger",
    "BaseLedger",
    "Budget",
    "BudgetExceeded",
    "Budgets",
    "Call",
    "Decision",
    "Entry",
    "InMemoryLedger",
    "Intent",
    "LedgerError",
    "LedgerStore",
    "Money",
    "PostgresLedger",
    "Resource",
    "ResourceRecord",
    "SQLiteLedger",
    "Scope",
    "Spend",
    "Status",
    "aopen_ledger",
    "atrack",
    "decide",
    "default_path",
    "format_usd",
    "micros_to_usd",
    "open_ledger",
    "outcome_of",
    "parse_ledger_url",
    "to_micros",
    "track",
    "window_start_us",
]
