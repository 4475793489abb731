"""``ToolSession``: the guard rails every generated tool runs through, the same in both frameworks.

Order of a call: validate the arguments → refuse side effects the session was not opened for → price it →
refuse what would break the spend caps → ask the approval hook → (dry run: describe, send nothing) → act with the
invocation's idempotency key (see ``idempotency_key``) → record what was created in the ledger.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import NeocloudError
from ._model import CostEstimate, Created, Operation, SideEffect

__all__ = [
    "Approval",
    "ApprovalRequest",
    "LedgerEntry",
    "SpendPolicy",
    "ToolRefused",
    "ToolSession",
    "call_fingerprint",
    "idempotency_key",
]

log = logging.getLogger("neocloud.tools")


class ToolRefused(NeocloudError):
    """A guard rail refused the call; the message is written for the agent (what was refused and why)."""


@dataclass(frozen=True)
class SpendPolicy:
    """Caps for one toolkit session. ``max_hourly_usd`` bounds the summed hourly rate of what the session has
    running; ``max_total_usd`` bounds the summed estimated cost of everything it started. A resource whose
    provider publishes no price counts at ``unpriced_hourly_usd``; when that is ``None`` and a cap is set, such a
    call is refused (its cost cannot be bounded)."""

    max_hourly_usd: float | None = None
    max_total_usd: float | None = None
    unpriced_hourly_usd: float | None = None
    default_runtime_hours: float = 1.0


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


@dataclass
class LedgerEntry:
    """Something this session created (``torn_down`` once ``cleanup`` removed it)."""

    operation: str
    created: Created
    estimate: CostEstimate | None
    torn_down: bool = False


@dataclass
class ToolSession:
    """Runs operations for one toolkit: guard rails, idempotency, ledger and ``cleanup``."""

    operations: dict[str, Operation]
    clients: Any
    allow: frozenset[SideEffect] = frozenset({SideEffect.READ})
    policy: SpendPolicy = field(default_factory=SpendPolicy)
    approve: Callable[[ApprovalRequest], Approval | bool] | None = None
    dry_run: bool = False
    ledger: list[LedgerEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _committed_total: float = 0.0

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
        **client_settings: Any,
    ) -> ToolSession:
        """A session over a provider's ``tools`` module (``OPERATIONS`` and ``make_clients``); the framework
        toolkits are built on this."""
        import importlib

        tools = importlib.import_module(module)
        return cls(
            operations={op.name: op for op in tools.OPERATIONS},
            clients=client if client is not None else tools.make_clients(**client_settings),
            allow=allowed(billable=allow_billable, destructive=allow_destructive),
            policy=spend_policy or SpendPolicy(),
            approve=approve,
            dry_run=dry_run,
        )

    # -- what the frameworks see -------------------------------------------------------------------------
    def exposed(self) -> list[Operation]:
        """The operations a toolkit offers: read ones always, the others only when opted in."""
        return [op for op in self.operations.values() if op.side_effect in self.allow]

    def prepare(self, name: str, arguments: dict[str, Any]) -> tuple[Operation, Any, CostEstimate | None]:
        """Validate, check the side-effect class and the spend caps; no request that changes anything is sent."""
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
        if op.side_effect is SideEffect.BILLABLE:
            self._check_spend(name, estimate)
        return op, args, estimate

    def ask(self, op: Operation, args: Any, estimate: CostEstimate | None) -> None:
        """The approval hook (for billable and destructive operations)."""
        if self.approve is None or op.side_effect is SideEffect.READ:
            return
        answer = self.approve(ApprovalRequest(op.name, op.side_effect, args.model_dump(mode="json"), estimate))
        decision = answer if isinstance(answer, Approval) else Approval(bool(answer))
        if not decision.approved:
            why = f": {decision.reason}" if decision.reason else ""
            raise ToolRefused(f"{op.name} was not approved{why}. Do not retry it unless the user asks again.")

    def act(self, op: Operation, args: Any, estimate: CostEstimate | None, call_id: str | None = None) -> Any:
        """Run an operation that passed ``prepare`` and ``ask``."""
        if self.dry_run and op.side_effect is not SideEffect.READ:
            described = op.describe(args) if op.describe else f"{op.name}({args.model_dump_json()})"
            return {"dry_run": True, "would_do": described, "estimate": _estimate_json(estimate)}
        key = idempotency_key(op.name, args.model_dump(mode="json"), call_id)
        result = op.run(self.clients, args, key)
        made = op.created(args, result) if op.created is not None else None
        if op.removes is not None:
            gone = op.removes(args)
            with self._lock:
                for entry in self.ledger:
                    if entry.created.id == gone:
                        entry.torn_down = True
        if made is not None:
            with self._lock:
                if not any(e.created.id == made.id and not e.torn_down for e in self.ledger):  # a replay: once
                    self.ledger.append(LedgerEntry(op.name, made, estimate))
                    self._committed_total += _committed(estimate, self.policy) or 0.0
        return result

    def invoke(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> Any:
        op, args, estimate = self.prepare(name, arguments)
        self.ask(op, args, estimate)
        return self.act(op, args, estimate, call_id)

    async def ainvoke(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> Any:
        # One definition per operation, against the sync client, run off the event loop: the async tools never
        # block the loop and there is no second copy of each operation to drift.
        return await asyncio.to_thread(self.invoke, name, arguments, call_id)

    # -- spend -----------------------------------------------------------------------------------------------
    def running_hourly_usd(self) -> float:
        return sum(
            _hourly(e.created.hourly_usd, e.estimate, self.policy) or 0.0 for e in self.ledger if not e.torn_down
        )

    def _check_spend(self, name: str, estimate: CostEstimate | None) -> None:
        caps = self.policy
        if caps.max_hourly_usd is None and caps.max_total_usd is None:
            return
        hourly = _hourly(None, estimate, caps)
        if estimate is None or (estimate.hourly_usd is None and estimate.total_usd is None and hourly is None):
            raise ToolRefused(f"{name} was refused: its cost cannot be estimated (the provider publishes no price) "
                              "and this session has a spending cap")  # fmt: skip
        if caps.max_hourly_usd is not None and hourly is not None:
            after = self.running_hourly_usd() + hourly
            if after > caps.max_hourly_usd + 1e-9:
                raise ToolRefused(f"{name} was refused: it adds ${hourly:.2f}/h, making ${after:.2f}/h, over this "
                                  f"session's cap of ${caps.max_hourly_usd:.2f}/h. Choose something cheaper or "
                                  "stop something first.")  # fmt: skip
        total = _committed(estimate, caps)
        if caps.max_total_usd is not None and total is not None:
            after = self._committed_total + total
            if after > caps.max_total_usd + 1e-9:
                raise ToolRefused(f"{name} was refused: its estimated cost ${total:.2f} would bring this session to "
                                  f"${after:.2f}, over its cap of ${caps.max_total_usd:.2f}.")  # fmt: skip

    # -- cleanup ---------------------------------------------------------------------------------------------
    def cleanup(self) -> list[str]:
        """Tear down everything this session created (newest first); returns what was removed. Safe to repeat."""
        removed = []
        for entry in reversed(self.ledger):
            if entry.torn_down:
                continue
            op = self.operations[entry.created.teardown]
            try:
                op.run(self.clients, op.args.model_validate(entry.created.teardown_args), None)
            except NeocloudError as exc:
                if getattr(exc, "status_code", None) != 404:  # already gone counts as cleaned up
                    log.warning("cleanup of %s %s failed: %s", entry.created.kind, entry.created.id, exc)
                    continue
            entry.torn_down = True
            removed.append(f"{entry.created.kind} {entry.created.id}")
        return removed

    def __enter__(self) -> ToolSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def _hourly(explicit: float | None, estimate: CostEstimate | None, policy: SpendPolicy) -> float | None:
    if explicit is not None:
        return explicit
    if estimate is not None and estimate.hourly_usd is not None:
        return estimate.hourly_usd
    if estimate is not None and estimate.total_usd is not None:
        return 0.0  # a one-off charge adds no running rate
    return policy.unpriced_hourly_usd


def _committed(estimate: CostEstimate | None, policy: SpendPolicy) -> float | None:
    if estimate is not None and estimate.total_usd is not None:
        return estimate.total_usd
    hourly = _hourly(None, estimate, policy)
    return None if hourly is None else hourly * policy.default_runtime_hours


def _estimate_json(estimate: CostEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"hourly_usd": estimate.hourly_usd, "total_usd": estimate.total_usd, "basis": estimate.basis}


def idempotency_key(operation: str, arguments: dict[str, Any], call_id: str | None) -> str:
    """The ``Idempotency-Key`` of one tool invocation: it protects a redelivery of the same call, never merges two.

    With the agent's tool-call id, the key derives from it (and the operation and arguments): the framework
    delivering that call again gets the same key, and the provider answers with what the first delivery made.
    Without one (LlamaIndex passes none), every invocation gets a fresh random key: two identical calls are two
    deliberate creates, and a create after a delete or cancel is a new resource, never the old one answered back.
    The core client reuses the key for its own retries of the invocation, which is what keeps an answer lost after
    the provider acted from provisioning twice.
    """
    if call_id is None:
        return "neocloud-tool-" + uuid.uuid4().hex
    return "neocloud-tool-" + call_fingerprint(operation, arguments, call_id)


def call_fingerprint(operation: str, arguments: dict[str, Any], call_id: str | None = None) -> str:
    """A stable digest of a call (operation, arguments and tool-call id): the same call, the same digest.

    Not an idempotency key by itself (identical calls without an id are distinct creates); the LlamaIndex approval
    flow uses it to find its pending answer again when the workflow replays the tool body."""
    material = json.dumps({"op": operation, "args": arguments, "call": call_id}, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def allowed(read: bool = True, billable: bool = False, destructive: bool = False) -> frozenset[SideEffect]:
    """The side-effect classes a toolkit may expose."""
    chosen: Iterable[tuple[bool, SideEffect]] = (
        (read, SideEffect.READ), (billable, SideEffect.BILLABLE), (destructive, SideEffect.DESTRUCTIVE))  # fmt: skip
    return frozenset(effect for on, effect in chosen if on)
