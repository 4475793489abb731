"""``neocloud ledger`` and ``neocloud cleanup``: what the spend ledger says exists and was spent, and putting the
providers back in line with it after a crash.

Both read the ledger ``open_ledger`` opens (``--ledger URL``, else ``NEOCLOUD_LEDGER``, else the user's SQLite
file). ``cleanup`` is ``neocloud.core.tools.cleanup_ledger``: the toolkits' own cleanup, one session per provider
and run found in the ledger, with clients configured from the environment as everywhere else.

Output: a table on a terminal; tab-separated lines (first field: the record type) when stdout is not one, so
scripts can ``grep``/``cut`` it; ``--json`` for programs. An empty answer is the word ``none``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from neocloud.core.ledger import BaseLedger, LedgerStore, Spend
    from neocloud.core.tools import CleanupReport

__all__ = ["CleanupDeclined", "cleanup", "ledger_summary", "ledger_view"]


class CleanupDeclined(Exception):
    """``neocloud cleanup`` was not confirmed (declined at the prompt, or no terminal to ask and no ``--yes``)."""


def _usd(amount: Decimal) -> str:
    return f"{amount:.6f}".rstrip("0").rstrip(".") if amount else "0"


def _open(url: str | None) -> BaseLedger:
    from neocloud.core.ledger import open_ledger

    return open_ledger(url)


def ledger_summary(ledger: LedgerStore, *, run_id: str | None = None, provider: str | None = None) -> dict[str, Any]:
    """What the ledger holds, JSON-able: spend per (provider, run), the total, the resources that exist (created
    and not torn down) and the open calls (no known outcome: what they asked for may exist)."""
    from neocloud.core.ledger import Spend

    per: dict[tuple[str, str], Spend] = defaultdict(Spend)
    for entry in ledger.entries(run_id=run_id, provider=provider):
        per[(entry.provider, entry.run_id)] = per[(entry.provider, entry.run_id)].add(entry)
    total = ledger.spend(run_id=run_id, provider=provider)
    resources = [r for r in ledger.resources(run_id=run_id, provider=provider)]
    opened = ledger.open_intents(run_id=run_id, provider=provider)
    return {
        "spend": [_spend_json(p, r, s) for (p, r), s in sorted(per.items())],
        "total_usd": _usd(total.committed_usd),
        "resources": [
            {
                "provider": r.provider,
                "run_id": r.run_id,
                "kind": r.kind,
                "id": r.id,
                "created_at": r.created_at.isoformat(),
            }
            for r in resources
        ],
        "open": [
            {
                "provider": e.provider,
                "run_id": e.run_id,
                "operation": e.operation,
                "status": e.status.value,
                "reserved_usd": _usd(e.reserved_usd),
                "idempotency_key": e.idempotency_key,
            }
            for e in opened
        ],
    }


def _spend_json(provider: str, run_id: str, spend: Spend) -> dict[str, Any]:
    return {"provider": provider, "run_id": run_id, "committed_usd": _usd(spend.committed_usd),
            "settled_usd": _usd(spend.actual_usd), "reserved_usd": _usd(spend.reserved_usd),
            "calls": spend.entries}  # fmt: skip


SECTIONS: dict[str, tuple[str, ...]] = {
    "spend": ("provider", "run_id", "committed_usd", "settled_usd", "reserved_usd", "calls"),
    "resources": ("provider", "run_id", "kind", "id", "created_at"),
    "open": ("provider", "run_id", "operation", "status", "reserved_usd"),
}
TITLES = {"spend": "Spend by provider and run (USD; committed = settled + reserved)",
          "resources": "Resources that exist (created, not torn down)",
          "open": "Open calls (no known outcome: what they asked for may exist)"}  # fmt: skip
RECORD = {"spend": "spend", "resources": "resource", "open": "open"}


def ledger_view(url: str | None, *, run_id: str | None, provider: str | None, as_json: bool, console: Console) -> None:
    """``neocloud ledger``."""
    with _open(url) as ledger:
        summary = ledger_summary(ledger, run_id=run_id, provider=provider)
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    if not summary["spend"]:
        print("none")
        return
    if not sys.stdout.isatty():
        for section, columns in SECTIONS.items():
            for row in summary[section]:
                print("\t".join([RECORD[section], *(str(row[c]) for c in columns)]))
        print(f"total\t{summary['total_usd']}")
        return
    for section, columns in SECTIONS.items():
        if not summary[section]:
            console.print(f"{TITLES[section]}: none")
            continue
        table = Table(title=TITLES[section])
        for column in columns:
            table.add_column(column)
        for row in summary[section]:
            table.add_row(*(str(row[c]) for c in columns))
        console.print(table)
    console.print(f"total committed: ${summary['total_usd']}")


def cleanup(url: str | None, *, run_id: str | None, dry_run: bool, yes: bool, as_json: bool, console: Console) -> bool:
    """``neocloud cleanup``: returns whether nothing of the runs is known or suspected to be left."""
    from neocloud.core.tools import cleanup_ledger

    with _open(url) as ledger:
        plan = cleanup_ledger(ledger, run_id, dry_run=True)
        if dry_run or (not plan and not plan.unresolved):
            _show(plan, as_json)
            return True
        if not yes:
            _confirm(plan, console)
        report = cleanup_ledger(ledger, run_id)
    _show(report, as_json)
    return report.complete


def _confirm(plan: CleanupReport, console: Console) -> None:
    what = f"{len(plan)} resource(s) to tear down and {len(plan.unresolved)} open call(s) to resolve"
    if not sys.stdin.isatty():
        raise CleanupDeclined(f"cleanup found {what}; pass --yes to go ahead without a terminal (or --dry-run)")
    console.print(str(plan))
    from rich.text import Text

    answer = console.input(Text(f"{what}. Go ahead? [y/N] "))  # (Text: "[y/N]" is not markup)
    if answer.strip().lower() not in {"y", "yes"}:
        raise CleanupDeclined("cleanup was not confirmed: nothing was changed")


def _show(report: CleanupReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), indent=2))
    elif not report and not report.resolved and not report.unresolved and not report.failed:
        print("none")
    else:
        print(str(report))
