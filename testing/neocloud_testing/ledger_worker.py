"""A separate process acting on a shared ledger, for the ledger's multi-process tests.

    python ledger_worker.py reserve URL RUN_ID COUNT CAP_USD   # COUNT reservations of $1 under a ledger-wide cap
    python ledger_worker.py setup URL                          # apply the schema
    python ledger_worker.py crash URL RUN_ID                   # record, then die by SIGKILL mid-flight

``reserve`` and ``setup`` print ``ready``, wait for a line on stdin (so that the parent starts every worker's
work at the same instant), then print one JSON line with what they did. ``crash`` leaves a pending intent,
an unknown one and a created resource behind, then kills itself without closing anything.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from neocloud.core.ledger import BaseLedger, Budget, BudgetExceeded, Intent, ResourceRecord, open_ledger


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _go() -> None:
    _say("ready")
    sys.stdin.readline()


def _try(ledger: BaseLedger, intent: Intent, budget: Budget) -> bool:
    try:
        ledger.reserve(intent, budget)
    except BudgetExceeded:
        return False
    return True


def reserve(url: str, run_id: str, count: int, cap: str) -> dict[str, int]:
    budget = Budget(max_usd=cap, scope="ledger")
    ok = refused = 0
    with open_ledger(url) as ledger:
        _go()
        for _ in range(count):
            if _try(ledger, Intent("chat", "cerebras", run_id, estimate_usd=1, model="m"), budget):
                ok += 1
            else:
                refused += 1
    return {"ok": ok, "refused": refused}


def setup(url: str) -> dict[str, int]:
    ledger = open_ledger(url, setup=False)
    try:
        _go()
        ledger.setup()
        return {"version": ledger.schema_version()}
    finally:
        ledger.close()


def crash(url: str, run_id: str) -> None:
    ledger = open_ledger(url)
    ledger.reserve(Intent("create_instance", "runcrate", run_id, estimate_usd=5, idempotency_key="k-pending"))
    made = ledger.reserve(Intent("create_instance", "runcrate", run_id, estimate_usd=7, idempotency_key="k-made"))
    ledger.succeed(made.id, resource=ResourceRecord("instance", "i-made", "delete_instance", {"id": "i-made"}))
    lost = ledger.reserve(Intent("create_instance", "runcrate", run_id, estimate_usd=3, idempotency_key="k-lost"))
    ledger.mark_unknown(lost.id, error="APITimeoutError: Request timed out.")
    _say("dying")
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    if command == "reserve":
        result = reserve(url, rest[0], int(rest[1]), rest[2])
    elif command == "setup":
        result = setup(url)
    elif command == "crash":
        crash(url, rest[0])
        return
    else:
        raise SystemExit(f"unknown command {command!r}")
    _say(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
