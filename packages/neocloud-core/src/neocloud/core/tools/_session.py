"""``ToolSession``: the guard rails every generated tool runs through, the same in both frameworks.

Order of a call: validate the arguments → refuse side effects the session was not opened for → price it → (dry
run: describe, send nothing) → record the intent and reserve its worst case in the ledger, atomically against every
budget (or refuse it) → ask the approval hook (a denial releases the reservation) → act with the invocation's
idempotency key (see ``idempotency_key``) → record the outcome: what was created, a failure (the reservation is
released), or ``unknown`` when the answer was lost (the reservation stays held; ``cleanup`` finds out).

The ledger is the record: the run's spend, what exists and what may exist are read from it, so they hold across
threads, asyncio tasks, processes and crashes (another toolkit with the same ``run_id`` and ledger sees them).
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import RequestValidationError
from ..ledger import BudgetExceeded, Intent, ResourceRecord, decide, micros_to_usd, to_micros, track
from ._keys import call_fingerprint, idempotency_key
from ._model import CostEstimate, Created, Operation, SideEffect, ToolRefused
from ._spend import (
    BudgetChoice,
    SpendPolicy,
    budget_note,
    caps_for,
    refusal_from,
    refusal_message,
    settled_micros,
    unbounded_message,
    worst_case,
)

if TYPE_CHECKING:
    from ..ledger import Entry, LedgerStore, Resource, Spend
    from ._cleanup import CleanupReport

__all__ = ["Approval", "ApprovalRequest", "ToolSession", "allowed", "call_fingerprint", "idempotency_key"]


@dataclass(frozen=True)
class ApprovalRequest:
    """What an approval hook sees."""

    operation: str
    side_effect: SideEffect
    arguments: dict[str, Any]
    estimate: CostEstimate | None


@dataclass(frozen=True)
class Approval:
    """An approval hook's answer; ``reason`` is passed to the agent when denied."""

    approved: bool
    reason: str = ""


class ToolSession:
    """Runs operations for one toolkit: guard rails, idempotency, the ledger of its run and ``cleanup``.

    ``ledger`` is the store (default: ``open_ledger()``, i.e. ``NEOCLOUD_LEDGER`` or the SQLite file in the user's
    data directory, opened on first use and closed by ``close()``); ``run_id`` names this toolkit's run in it (a
    fresh id by default); ``budget`` and ``policy`` give the budgets billable calls reserve against (see
    ``caps_for``). ``provider`` names the provider in the ledger.
    """

    def __init__(
        self,
        operations: dict[str, Operation],
        clients: Any,
        *,
        allow: frozenset[SideEffect] = frozenset({SideEffect.READ}),
        policy: SpendPolicy | None = None,
        approve: Callable[[ApprovalRequest], Approval | bool] | None = None,
        dry_run: bool = False,
        provider: str = "tools",
        ledger: LedgerStore | None = None,
        budget: BudgetChoice = None,
        run_id: str | None = None,
    ) -> None:
        if run_id is not None and (not isinstance(run_id, str) or not run_id.strip()):
            raise RequestValidationError(f"run_id must be a non-empty string, got {run_id!r}", param="run_id",
                                         allowed="a non-empty string, or None for a fresh one")  # fmt: skip
        self.operations = operations
        self.clients = clients
        self.allow = allow
        self.policy = policy or SpendPolicy()
        self.approve = approve
        self.dry_run = dry_run
        self.provider = provider
        self.caps = caps_for(budget, self.policy)  # checked now: a bad budget fails before any tool exists
        self.run_id = run_id or f"run-{uuid.uuid4().hex}"
        # A run id nobody chose cannot have records from elsewhere: cleanup need not open the ledger for it.
        self._named_run = run_id is not None
        self._ledger = ledger
        self._owns_ledger = False
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()

    @classmethod
    def for_provider(
        cls,
        module: str,
        *,
        client: Any = None,
        allow_billable: bool = False,
        allow_destructive: bool = False,
        spend_policy: SpendPolicy | None = None,
        approve: Callable[[ApprovalRequest], Approval | bool] | None = None,
        dry_run: bool = False,
        ledger: LedgerStore | None = None,
        budget: BudgetChoice = None,
        run_id: str | None = None,
        **client_settings: Any,
    ) -> ToolSession:
        """A session over a provider's ``tools`` module (``OPERATIONS`` and ``make_clients``); the framework
        toolkits are built on this."""
        tools = importlib.import_module(module)
        return cls(
            {op.name: op for op in tools.OPERATIONS},
            client if client is not None else tools.make_clients(**client_settings),
            allow=allowed(billable=allow_billable, destructive=allow_destructive),
            policy=spend_policy,
            approve=approve,
            dry_run=dry_run,
            provider=module.split(".")[-2] if module.count(".") >= 2 else module,
            ledger=ledger,
            budget=budget,
            run_id=run_id,
        )

    # -- the ledger ------------------------------------------------------------------------------------------
    @property
    def ledger(self) -> LedgerStore:
        """The ledger this session records to (opened on first use when none was given)."""
        with self._lock:
            if self._ledger is None:
                from ..ledger import open_ledger

                self._ledger, self._owns_ledger = open_ledger(), True
            return self._ledger

    def may_have_records(self) -> bool:
        """Whether the ledger can hold entries of this run (without opening it to find out)."""
        return self._ledger is not None or self._named_run

    def entries(self) -> list[Entry]:
        """This run's entries for this provider, oldest first."""
        return self.ledger.entries(run_id=self.run_id, provider=self.provider)

    def resources(self, *, include_torn_down: bool = False) -> list[Resource]:
        """What this run created with this provider and has not torn down (all of it with
        ``include_torn_down``)."""
        return self.ledger.resources(run_id=self.run_id, provider=self.provider, include_torn_down=include_torn_down)

    def spend(self) -> Spend:
        """What this run has committed with this provider: settled costs plus reservations still held."""
        return self.ledger.spend(run_id=self.run_id, provider=self.provider)

    def running_hourly_usd(self) -> Decimal:
        """The summed hourly rate of what this run has running (created, not torn down)."""
        if not self.may_have_records():
            return Decimal(0)
        live = [e for e in self.entries() if e.resource is not None and e.torn_down_at_us is None]
        return micros_to_usd(sum(e.hourly_micros or 0 for e in live))

    def close(self) -> None:
        """Close the ledger if this session opened it."""
        with self._lock:
            if self._owns_ledger and self._ledger is not None:
                self._ledger.close()
                self._ledger, self._owns_ledger = None, False

    # -- what the frameworks see -------------------------------------------------------------------------
    def exposed(self) -> list[Operation]:
        """The operations a toolkit offers: read ones always, the others only when opted in."""
        return [op for op in self.operations.values() if op.side_effect in self.allow]

    def description(self, op: Operation) -> str:
        """What the model reads about ``op``: a billable tool also states the run's budget."""
        return op.description + (budget_note(self.caps) if op.side_effect is SideEffect.BILLABLE else "")

    def prepare(
        self, name: str, arguments: dict[str, Any], *, check_budget: bool = False
    ) -> tuple[Operation, Any, CostEstimate | None]:
        """Validate and check the side-effect class; nothing that changes anything is sent and nothing is
        reserved (``act`` reserves, atomically). ``check_budget`` also refuses a billable call that would not fit
        the budget now, for callers that wait (for a person, say) between ``prepare`` and ``act``."""
        op = self.operations.get(name)
        if op is None:
            raise ToolRefused(f"unknown tool {name!r}")
        if op.side_effect not in self.allow:
            raise ToolRefused(f"{name} is a {op.side_effect.value} operation and this toolkit was not allowed to "
                              f"run {op.side_effect.value} operations")  # fmt: skip
        try:
            args = op.args.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolRefused(f"invalid arguments for {name}: {problems}") from None
        estimate = op.estimate(self.clients, args) if op.estimate is not None else None
        if check_budget and op.side_effect is SideEffect.BILLABLE and not self.dry_run:
            refused = self.would_refuse(name, estimate)
            if refused is not None:
                raise ToolRefused(refused)
        return op, args, estimate

    def would_refuse(self, name: str, estimate: CostEstimate | None) -> str | None:
        """Why a billable call with this estimate would be refused now (``None``: it fits). A preview: another
        call may take the room before this one reserves it."""
        if not self.caps:
            return None
        worst = worst_case(estimate, self.policy)
        if worst.usd is None:
            return unbounded_message(name, worst)
        asked = to_micros(worst.usd, param="estimate")
        now = datetime.now(timezone.utc)
        for cap in self.caps:
            window: timedelta | None = cap.budget.window
            spent = self.ledger.spend(run_id=self.run_id if cap.budget.scope == "run" else None,
                                      since=None if window is None else now - window)  # fmt: skip
            decision = decide(cap.budget.cap_micros, spent.committed_micros, asked)
            if not decision.allowed:
                return refusal_message(name, worst, cap, asked, decision.left_micros)
        return None

    def ask(self, op: Operation, args: Any, estimate: CostEstimate | None) -> None:
        """The approval hook (for billable and destructive operations)."""
        if self.approve is None or op.side_effect is SideEffect.READ:
            return
        answer = self.approve(ApprovalRequest(op.name, op.side_effect, args.model_dump(mode="json"), estimate))
        decision = answer if isinstance(answer, Approval) else Approval(bool(answer))
        if not decision.approved:
            why = f": {decision.reason}" if decision.reason else ""
            raise ToolRefused(f"{op.name} was not approved{why}. Do not retry it unless the user asks again.")

    def act(
        self,
        op: Operation,
        args: Any,
        estimate: CostEstimate | None,
        call_id: str | None = None,
        *,
        approve_first: bool = False,
    ) -> Any:
        """Run an operation that passed ``prepare`` (and ``ask``, unless ``approve_first``: then the approval hook
        is asked here, after the billable call's reservation, so nobody is asked about a call that will be
        refused, and a denial releases it). A billable call runs between its ledger intent and its outcome."""
        if self.dry_run and op.side_effect is not SideEffect.READ:
            described = op.describe(args) if op.describe else f"{op.name}({args.model_dump_json()})"
            worst = worst_case(estimate, self.policy) if op.side_effect is SideEffect.BILLABLE else None
            return {"dry_run": True, "would_do": described, "estimate": _estimate_json(estimate),
                    "worst_case_usd": None if worst is None or worst.usd is None else float(worst.usd)}  # fmt: skip
        key = idempotency_key(op.name, args.model_dump(mode="json"), call_id)
        if op.side_effect is SideEffect.BILLABLE:
            return self._spend(op, args, estimate, key, approve_first)
        if approve_first:
            self.ask(op, args, estimate)
        result = op.run(self.clients, args, key)
        if op.removes is not None:
            self.record_teardown(op.removes(args))
        return result

    def _spend(self, op: Operation, args: Any, estimate: CostEstimate | None, key: str, approve_first: bool) -> Any:
        worst = worst_case(estimate, self.policy)
        if worst.usd is None and self.caps:
            raise ToolRefused(unbounded_message(op.name, worst))
        intent = Intent(op.name, self.provider, self.run_id, estimate_usd=worst.usd or 0, idempotency_key=key,
                        arguments=args.model_dump(mode="json"), hourly_usd=worst.hourly_usd)  # fmt: skip
        try:
            with track(self.ledger, intent, [cap.budget for cap in self.caps]) as call:
                with self._lock:
                    self._in_flight.add(call.entry.id)
                try:
                    if approve_first and not call.entry.replayed:  # a redelivered call was approved already
                        try:
                            self.ask(op, args, estimate)
                        except BaseException as denied:  # nothing was sent: the reservation is released
                            call.failed(error=f"not approved: {denied}"[:500])
                            raise
                    result = op.run(self.clients, args, key)
                    made = op.created(args, result) if op.created is not None else None
                    actual = op.actual(args, result) if op.actual is not None else None
                    call.succeeded(resource=resource_record(made), actual_usd=actual)
                finally:
                    with self._lock:
                        self._in_flight.discard(call.entry.id)
        except BudgetExceeded as exc:  # raised by the reservation: nothing was sent
            raise ToolRefused(refusal_from(op.name, worst, self.caps, exc)) from exc
        return result

    def in_flight(self) -> frozenset[str]:
        """Ledger entries of calls this session is making right now (``cleanup`` leaves them alone)."""
        with self._lock:
            return frozenset(self._in_flight)

    def record_teardown(self, resource_id: str) -> None:
        """``resource_id`` is gone: its entries stop counting it as existing, and a resource billed by the hour is
        settled at its rate times the time it existed (freeing the rest of its reservation)."""
        found = [r for r in self.ledger.resources(provider=self.provider) if r.id == resource_id]
        if not found:
            return  # not something the ledger recorded (made elsewhere): nothing to update
        entry = self.ledger.get(found[0].entry_id)
        now_us = int(datetime.now(timezone.utc).timestamp() * 1_000_000)
        settled = settled_micros(entry.hourly_micros, entry.reserved_micros, entry.created_at_us, now_us)
        self.ledger.record_teardown(self.provider, resource_id,
                                    actual_usd=None if settled is None else micros_to_usd(settled))  # fmt: skip

    def invoke(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> Any:
        op, args, estimate = self.prepare(name, arguments)
        return self.act(op, args, estimate, call_id, approve_first=True)

    async def ainvoke(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> Any:
        # One definition per operation, against the sync client, run off the event loop: the async tools never
        # block the loop and there is no second copy of each operation to drift.
        return await asyncio.to_thread(self.invoke, name, arguments, call_id)

    # -- cleanup ---------------------------------------------------------------------------------------------
    def cleanup(self) -> CleanupReport:
        """Resolve this run's calls whose outcome is unknown, then tear down everything the ledger says the run
        created with this provider (newest first), recording each teardown. Returns what it did (a list of the
        resources removed, with ``resolved`` / ``unresolved`` / ``failed``). Safe to repeat."""
        from ._cleanup import clean_up

        return clean_up(self)

    async def acleanup(self) -> CleanupReport:
        """``cleanup`` off the event loop."""
        return await asyncio.to_thread(self.cleanup)

    def __enter__(self) -> ToolSession:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.cleanup()
        finally:
            self.close()

    def __repr__(self) -> str:
        return f"ToolSession(provider={self.provider!r}, run_id={self.run_id!r}, caps={len(self.caps)})"


def resource_record(made: Created | None) -> ResourceRecord | None:
    """The ledger's record of what a call created, with how to tear it down."""
    return None if made is None else ResourceRecord(made.kind, made.id, made.teardown, made.teardown_args)


def _estimate_json(estimate: CostEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"hourly_usd": estimate.hourly_usd, "total_usd": estimate.total_usd, "basis": estimate.basis}


def allowed(read: bool = True, billable: bool = False, destructive: bool = False) -> frozenset[SideEffect]:
    """The side-effect classes a toolkit may expose."""
    chosen: Iterable[tuple[bool, SideEffect]] = (
        (read, SideEffect.READ), (billable, SideEffect.BILLABLE), (destructive, SideEffect.DESTRUCTIVE))  # fmt: skip
    return frozenset(effect for on, effect in chosen if on)
