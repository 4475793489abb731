"""The CLI's creates and deletes run through the agents' guard rails: a ``ToolSession`` over the provider's tool
operations, so they are validated, priced, reserved against a budget and recorded in the spend ledger exactly as an
agent's calls are (and ``neocloud ledger`` / ``neocloud cleanup`` see them). What this module adds is the person:
the price is shown before anything happens, and nothing is done without a yes (``--yes``, or the terminal's answer).
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console

from .output import confirm

if TYPE_CHECKING:
    from neocloud.core.tools import CostEstimate, ToolSession
    from neocloud.core.tools._spend import WorstCase

__all__ = ["budget_arg", "cost_line", "guard_options", "open_session", "run_guarded"]


def budget_arg(text: str) -> str:
    """``--budget``: a non-negative number of US dollars, or ``unlimited``."""
    if text == "unlimited":
        return text
    try:
        if Decimal(text) >= 0 and Decimal(text).is_finite():
            return text
    except ArithmeticError:
        pass
    raise argparse.ArgumentTypeError(f"must be a non-negative amount in USD or 'unlimited', got {text!r}")


def usd_arg(text: str) -> float:
    """A non-negative amount in US dollars."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a non-negative amount in USD, got {text!r}")
    return value


def json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json``, the same on every command that prints data."""
    parser.add_argument("--json", action="store_true", help="print JSON")


def guard_options(parser: argparse.ArgumentParser, *, spends: bool = True) -> None:
    """The options every guarded command takes."""
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--ledger", help="the spend ledger's URL (sqlite:///path, postgresql://..., memory://); "
                        "default: NEOCLOUD_LEDGER, else the user's SQLite ledger")  # fmt: skip
    parser.add_argument("--run", metavar="ID", help="the ledger's run id to record this under (default: a fresh one)")
    if spends:
        parser.add_argument("--budget", type=budget_arg, metavar="USD|unlimited",
                            help="the most this run may commit, in USD (default: $10, as for agents)")  # fmt: skip
        parser.add_argument("--assume-hourly", type=usd_arg, metavar="USD", help="for a provider that publishes no "
                            "price: what to assume it costs per hour (reserved for one hour)")  # fmt: skip


def open_session(module: str, args: argparse.Namespace) -> ToolSession:
    """A session over ``module``'s operations, allowed to spend and to delete (the person confirms instead)."""
    from neocloud.core.tools import UNLIMITED, SpendPolicy, ToolSession

    budget = getattr(args, "budget", None)
    policy = SpendPolicy(max_total_usd=None if budget in (None, "unlimited") else float(budget),
                         unpriced_hourly_usd=getattr(args, "assume_hourly", None))  # fmt: skip
    ledger = None
    if args.ledger:
        from neocloud.core.ledger import open_ledger

        ledger = open_ledger(args.ledger)
    return ToolSession.for_provider(module, allow_billable=True, allow_destructive=True, spend_policy=policy,
                                    budget=UNLIMITED if budget == "unlimited" else None, ledger=ledger,
                                    run_id=args.run)  # fmt: skip


def cost_line(estimate: CostEstimate | None, worst: WorstCase) -> str:
    """What a billable call will cost, for the person asked to confirm it. Pure (table-tested)."""
    from neocloud.core.ledger import format_usd, to_micros

    def usd(amount: float | Decimal) -> str:
        return format_usd(to_micros(amount, param="amount"))

    if estimate is None or (estimate.hourly_usd is None and estimate.total_usd is None):
        said = f"price unknown ({estimate.basis if estimate else 'no estimate'})"
    elif estimate.total_usd is None:
        said = f"{usd(estimate.hourly_usd or 0)}/h until it is stopped ({estimate.basis})"
    elif estimate.hourly_usd is None:
        said = f"{usd(estimate.total_usd)} ({estimate.basis})"
    else:
        said = f"{usd(estimate.hourly_usd)}/h, at most {usd(estimate.total_usd)} ({estimate.basis})"
    if worst.usd is not None:
        said += f"; reserves {usd(worst.usd)} of the run's budget"
    return said


def run_guarded(session: ToolSession, name: str, arguments: dict[str, Any], *, what: str, yes: bool,
                console: Console) -> Any:  # fmt: skip
    """Run one operation: validate, price, check the budget, ask, then act (recorded in the ledger)."""
    from neocloud.core.tools import SideEffect, ToolRefused, worst_case

    op, args, estimate = session.prepare(name, arguments)
    if op.side_effect is SideEffect.BILLABLE:
        worst = worst_case(estimate, session.policy)
        if worst.usd is None and session.caps:
            # In the CLI's words (the session's own message speaks of SpendPolicy, for agents' toolkits).
            raise ToolRefused(f"{what}: refused before anything was sent: its cost cannot be estimated ({worst.how}) "
                              "and the run has a budget; pass --assume-hourly USD (what to assume it costs per "
                              "hour, reserved for one hour) or --budget unlimited")  # fmt: skip
        refused = session.would_refuse(name, estimate)
        if refused is not None:
            raise ToolRefused(refused)
        print(f"{what}: {cost_line(estimate, worst)}", file=sys.stderr)
    if op.side_effect is not SideEffect.READ:
        confirm(f"{what}?", yes=yes, console=Console(file=sys.stderr))
    result = session.act(op, args, estimate)
    if op.side_effect is SideEffect.BILLABLE:
        print(f"recorded in the spend ledger as run {session.run_id} (neocloud cleanup --run {session.run_id} "
              "tears down what it made)", file=sys.stderr)  # fmt: skip
    return result
