"""``cleanup``: leave nothing of a run behind, from the ledger alone (so a new toolkit with the same ``run_id`` and
ledger can clean up after one that crashed).

1. Every call of the run whose outcome is open (``unknown``: its answer was lost; ``pending`` and not in flight
   here: its process died mid-call) is resolved when its operation can be sent again safely (``recover``: the
   provider answers a repeated Idempotency-Key with what the first request made): the answer names what the lost
   call created, which is recorded. A refusal proves nothing was made (the entry fails, freeing its reservation).
   Anything else leaves it open, its reservation held, and is reported.
2. Every resource the run created and has not torn down is torn down, newest first; "already gone" counts as done.
   Each teardown is recorded (and a resource billed by the hour settled at what it ran for).

``cleanup_ledger`` does both for every run and provider in a ledger (what ``neocloud cleanup`` runs), building one
session per (provider, run) from the ledger's entries; ``dry_run`` lists what it would do and sends nothing.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import NeocloudError
from ..ledger import Entry, Resource, Status, format_usd, outcome_of
from ._session import ToolSession, resource_record

if TYPE_CHECKING:
    from ..ledger import LedgerStore
    from ._model import Operation

__all__ = ["CleanupReport", "clean_up", "cleanup_ledger"]

log = logging.getLogger("neocloud.tools")


class CleanupReport(list[str]):
    """What ``cleanup`` did. As a list: one ``"<kind> <id>"`` per resource it tore down, newest first.
    ``resolved``: calls whose lost outcome it found; ``unresolved``: calls that may still have made something
    (their reservation stays held); ``failed``: teardowns that did not go through (the resource may still run).
    ``str(report)`` is a readable summary."""

    def __init__(self, *, dry_run: bool = False) -> None:
        super().__init__()
        self.dry_run = dry_run
        self.resolved: list[str] = []
        self.unresolved: list[str] = []
        self.failed: list[str] = []

    def merge(self, other: CleanupReport) -> None:
        """Add ``other``'s lines to this report (one report over several sessions)."""
        self.extend(other)
        self.resolved += other.resolved
        self.unresolved += other.unresolved
        self.failed += other.failed

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-able data."""
        return {"dry_run": self.dry_run, "torn_down": list(self), "resolved": self.resolved,
                "unresolved": self.unresolved, "failed": self.failed, "complete": self.complete}  # fmt: skip

    @property
    def complete(self) -> bool:
        """Nothing of the run is known or suspected to be left."""
        return not self.unresolved and not self.failed

    def __str__(self) -> str:
        if self.dry_run:
            lines = [f"would tear down {', '.join(self)}" if self else "nothing to tear down"]
            lines += [f"open, may have made something: {line}" for line in self.unresolved]
            return "\n".join(lines)
        lines = [f"tore down {', '.join(self)}" if self else "nothing to tear down"]
        lines += [f"resolved: {line}" for line in self.resolved]
        lines += [f"may still exist: {line}" for line in self.unresolved]
        lines += [f"teardown failed: {line}" for line in self.failed]
        return "\n".join(lines)


def cleanup_ledger(ledger: LedgerStore, run_id: str | None = None, *, dry_run: bool = False) -> CleanupReport:
    """Clean up every run in ``ledger`` (only ``run_id`` when given), each provider through its own ``tools``
    module (``neocloud.<provider>.tools``: its operations, and clients configured from the environment). Each
    (provider, run) is cleaned by a ``ToolSession`` exactly as ``ToolSession.cleanup`` does. A provider whose
    tools cannot be loaded or configured is reported in ``unresolved`` and the others still run. ``dry_run``: the
    report lists what would be torn down (as the list) and the open calls it would try to resolve
    (``unresolved``), and sends nothing."""
    report = CleanupReport(dry_run=dry_run)
    pairs = {(e.provider, e.run_id) for e in ledger.open_intents(run_id=run_id)}
    pairs |= {(r.provider, r.run_id) for r in ledger.resources(run_id=run_id)}
    for provider, run in sorted(pairs):
        try:
            session = ToolSession.for_provider(f"neocloud.{provider}.tools", ledger=ledger, run_id=run)
        except (ImportError, NeocloudError) as exc:  # not installed, or not configured (no API key, say)
            report.unresolved.append(f"run {run} ({provider}): not checked, no tools to reach it ({exc})")
            continue
        report.merge(clean_up(session, dry_run=dry_run))
    return report


def clean_up(session: ToolSession, *, dry_run: bool = False) -> CleanupReport:
    """See the module docstring; ``ToolSession.cleanup`` is the public entry point."""
    report = CleanupReport(dry_run=dry_run)
    if not session.may_have_records():
        return report  # a run id nobody chose, and nothing recorded under it by this session
    busy = session.in_flight()
    for entry in session.ledger.open_intents(run_id=session.run_id, provider=session.provider):
        if entry.id in busy:
            continue
        if dry_run:
            report.unresolved.append(f"{entry.operation} of run {entry.run_id} ({entry.status.value}, "
                                     f"{format_usd(entry.reserved_micros)} reserved)")  # fmt: skip
        else:
            _resolve(session, entry, report)
    for resource in reversed(session.resources()):
        if dry_run:
            report.append(f"{resource.kind} {resource.id}")
        else:
            _tear_down(session, resource, report)
    if dry_run:
        return report
    if report or report.resolved or not report.complete:
        log.info("cleanup of run %s (%s):\n%s", session.run_id, session.provider, report)
    return report


def _resolve(session: ToolSession, entry: Entry, report: CleanupReport) -> None:
    op = session.operations.get(entry.operation)
    what = f"{entry.operation} ({entry.status.value}, {format_usd(entry.reserved_micros)} reserved)"
    if op is not None and op.recover is None and op.find_lost is not None and entry.arguments is not None:
        _find_lost(session, entry, op, what, report)
        return
    if op is None or op.recover is None or entry.arguments is None or entry.idempotency_key is None:
        asked = json.dumps(dict(entry.arguments or {}), sort_keys=True)
        report.unresolved.append(f"{what}: its outcome cannot be learned by sending it again; check the provider "
                                 f"(run {entry.run_id}, arguments {asked})")  # fmt: skip
        log.warning("cleanup: %s may have created something that cleanup cannot find", what)
        return
    try:
        args = op.args.model_validate(entry.arguments)
        result = op.recover(session.clients, args, entry.idempotency_key)
        made = op.created(args, result) if op.created is not None else None
    except (NeocloudError, ValidationError, KeyError, TypeError) as exc:
        if outcome_of(exc) is Status.FAILED:  # the provider refused the same request: nothing was made
            session.ledger.fail(entry.id, error=f"cleanup sent it again and it was refused: {exc}"[:500])
            report.resolved.append(f"{what}: made nothing (sent again, it was refused: {exc})")
        else:
            report.unresolved.append(f"{what}: sending it again did not answer ({type(exc).__name__}: {exc})")
            log.warning("cleanup: could not resolve %s: %s", what, exc)
        return
    session.ledger.succeed(entry.id, resource=resource_record(made))
    found = f"{made.kind} {made.id}" if made is not None else "nothing to tear down"
    report.resolved.append(f"{what}: its answer was lost; sent again with its idempotency key, it made {found}")


def _find_lost(session: ToolSession, entry: Entry, op: Operation, what: str, report: CleanupReport) -> None:
    """A lost create keyed by its arguments: look it up, and count it as made by the call only when the provider
    created it after the call's intent was recorded."""
    assert op.find_lost is not None and entry.arguments is not None
    since = datetime.fromtimestamp(entry.created_at_us / 1_000_000, tz=timezone.utc)
    try:
        args = op.args.model_validate(entry.arguments)
        result = op.find_lost(session.clients, args, since)
    except (NeocloudError, ValidationError, KeyError, TypeError) as exc:
        report.unresolved.append(f"{what}: looking it up did not answer ({type(exc).__name__}: {exc})")
        log.warning("cleanup: could not resolve %s: %s", what, exc)
        return
    if result is None:
        asked = json.dumps(dict(entry.arguments), sort_keys=True)
        report.unresolved.append(f"{what}: the provider cannot tell whether this call made it; check the provider "
                                 f"(run {entry.run_id}, arguments {asked})")  # fmt: skip
        return
    made = op.created(args, result) if op.created is not None else None
    if made is None:
        session.ledger.fail(entry.id, error="cleanup looked it up: the call made nothing")
        report.resolved.append(f"{what}: its answer was lost; looked up, it made nothing")
        return
    session.ledger.succeed(entry.id, resource=resource_record(made))
    report.resolved.append(f"{what}: its answer was lost; looked up, it made {made.kind} {made.id}")


def _tear_down(session: ToolSession, resource: Resource, report: CleanupReport) -> None:
    name = f"{resource.kind} {resource.id}"
    op = session.operations.get(resource.teardown_operation)
    if op is None:
        report.failed.append(f"{name}: no {resource.teardown_operation} operation to remove it")
        return
    try:
        op.run(session.clients, op.args.model_validate(resource.teardown_args), None)
    except NeocloudError as exc:
        if getattr(exc, "status_code", None) != 404:  # already gone counts as cleaned up
            log.warning("cleanup of %s failed: %s", name, exc)
            report.failed.append(f"{name}: {exc}")
            return
    session.record_teardown(resource.id)
    report.append(name)
