"""What the ledger records: an entry per operation that creates a resource or spends money.

An entry is written as an *intent* (status ``pending``) before the request leaves, so that a crash at any
instant leaves a trace, and gets its *outcome* after the request: ``succeeded`` (maybe with the resource it
created and how to tear it down), ``failed`` (nothing was created; its reservation is released) or
``unknown`` (the answer was lost: the resource may exist and the money may be spent). A ``pending`` entry
whose process is gone means the same as ``unknown``: see ``Ledger.open_intents``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from ..errors import RequestValidationError
from ._money import Money, micros_to_usd, to_micros

__all__ = ["Entry", "Intent", "Resource", "ResourceRecord", "Spend", "Status", "arguments_json", "from_us", "to_us"]


class Status(str, enum.Enum):
    """Where an entry stands. ``PENDING`` and ``UNKNOWN`` are *open*: what they asked for may exist."""

    PENDING = "pending"  # intent recorded; the request may be in flight (or its process died)
    SUCCEEDED = "succeeded"  # the provider answered yes
    FAILED = "failed"  # the provider answered no (or nothing was sent): nothing exists, nothing is held
    UNKNOWN = "unknown"  # the answer was lost: it may exist and may cost; its reservation stays held

    @property
    def open(self) -> bool:
        return self in (Status.PENDING, Status.UNKNOWN)


def to_us(moment: datetime) -> int:
    """A timezone-aware instant as integer microseconds since the Unix epoch (how the stores keep time)."""
    if moment.tzinfo is None:
        raise RequestValidationError("times must be timezone-aware (e.g. datetime.now(timezone.utc))",
                                     param="datetime", allowed="an aware datetime")  # fmt: skip
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """The inverse of ``to_us``, in UTC."""
    return datetime.fromtimestamp(us // 1_000_000, tz=timezone.utc).replace(microsecond=us % 1_000_000)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _required(value: str, param: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(f"{param} must be a non-empty string, got {value!r}", param=param,
                                     allowed="a non-empty string")  # fmt: skip
    return value


@dataclass(frozen=True)
class Intent:
    """What a caller is about to do: recorded (and its ``estimate_usd`` reserved) before the request leaves.

    ``estimate_usd`` is the worst case (a GPU's hourly rate times its maximum runtime; an inference call's
    prompt plus ``max_tokens`` at the model's prices). ``idempotency_key`` is the key the request will carry:
    reserving the same key again while its entry is open or succeeded returns that entry (``replayed``)
    instead of reserving twice, so a retried or resumed call is counted once. ``model`` names the model of an
    inference call, for spend per model.

    ``arguments`` (JSON-able) are the call's own arguments, so that a later process can send an ``unknown``
    call again with its ``idempotency_key`` and learn what it did. ``hourly_usd`` is the running rate of what
    the call creates (a GPU's price per hour), so that its bill can be settled from the time it ran.
    """

    operation: str
    provider: str
    run_id: str
    estimate_usd: Money
    idempotency_key: str | None = None
    model: str | None = None
    arguments: Mapping[str, Any] | None = None
    hourly_usd: Money | None = None
    estimate_micros: int = field(init=False, repr=False, compare=False)
    hourly_micros: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _required(self.operation, "operation")
        _required(self.provider, "provider")
        _required(self.run_id, "run_id")
        if self.idempotency_key is not None:
            _required(self.idempotency_key, "idempotency_key")
        if self.model is not None:
            _required(self.model, "model")
        if self.arguments is not None:
            _json(self.arguments, "arguments")
        object.__setattr__(self, "estimate_micros", to_micros(self.estimate_usd, param="estimate_usd"))
        hourly = None if self.hourly_usd is None else to_micros(self.hourly_usd, param="hourly_usd")
        object.__setattr__(self, "hourly_micros", hourly)


@dataclass(frozen=True)
class ResourceRecord:
    """A resource a call created and how to remove it: ``teardown_operation`` called with ``teardown_args``
    (JSON-able), so a later process can tear it down without the one that created it."""

    kind: str
    id: str
    teardown_operation: str
    teardown_args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _required(self.kind, "resource.kind")
        _required(self.id, "resource.id")
        _required(self.teardown_operation, "resource.teardown_operation")
        _json(self.teardown_args, "resource.teardown_args")

    def args_json(self) -> str:
        return json.dumps(dict(self.teardown_args), sort_keys=True)


def _json(value: Mapping[str, Any], param: str) -> str:
    try:
        return json.dumps(dict(value), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise RequestValidationError(f"{param} must be a JSON-serialisable mapping: {exc}", param=param,
                                     allowed="a mapping of JSON values") from None  # fmt: skip


def arguments_json(arguments: Mapping[str, Any] | None) -> str | None:
    """How the SQL stores keep an entry's ``arguments``."""
    return None if arguments is None else _json(arguments, "arguments")


@dataclass(frozen=True)
class Entry:
    """One recorded operation: its intent, its reservation and its outcome.

    Amounts are kept in micro-dollars (``*_micros``) and shown in dollars by the ``*_usd`` properties; times
    in microseconds since the epoch (``*_us``) and shown as datetimes. ``reserved_micros`` is what is held
    against budgets now; ``actual_micros`` the settled cost (``None`` while unknown). What the entry commits
    is ``reserved + actual``: a succeeded GPU whose bill is not settled yet still holds its worst case.
    ``replayed`` is true when ``reserve`` returned an entry that already existed for the idempotency key.
    ``arguments`` and ``hourly_micros`` are the intent's (``None`` when it gave none).
    """

    id: str
    operation: str
    provider: str
    run_id: str
    model: str | None
    idempotency_key: str | None
    estimate_micros: int
    reserved_micros: int
    actual_micros: int | None
    status: Status
    error: str | None
    created_at_us: int
    updated_at_us: int
    resource: ResourceRecord | None = None
    torn_down_at_us: int | None = None
    arguments: Mapping[str, Any] | None = None
    hourly_micros: int | None = None
    replayed: bool = field(default=False, compare=False)

    @property
    def estimate_usd(self) -> Decimal:
        return micros_to_usd(self.estimate_micros)

    @property
    def hourly_usd(self) -> Decimal | None:
        return None if self.hourly_micros is None else micros_to_usd(self.hourly_micros)

    @property
    def reserved_usd(self) -> Decimal:
        return micros_to_usd(self.reserved_micros)

    @property
    def actual_usd(self) -> Decimal | None:
        return None if self.actual_micros is None else micros_to_usd(self.actual_micros)

    @property
    def committed_micros(self) -> int:
        return self.reserved_micros + (self.actual_micros or 0)

    @property
    def committed_usd(self) -> Decimal:
        return micros_to_usd(self.committed_micros)

    @property
    def created_at(self) -> datetime:
        return from_us(self.created_at_us)

    @property
    def updated_at(self) -> datetime:
        return from_us(self.updated_at_us)

    @property
    def torn_down_at(self) -> datetime | None:
        return None if self.torn_down_at_us is None else from_us(self.torn_down_at_us)

    @property
    def may_exist(self) -> bool:
        """Whether something this entry asked for may exist now: an open intent, or a created resource that
        has not been torn down."""
        if self.status.open:
            return True
        return self.status is Status.SUCCEEDED and self.resource is not None and self.torn_down_at_us is None


@dataclass(frozen=True)
class Resource:
    """A resource the ledger knows was created (``resources()``), with everything needed to remove it;
    ``created_at`` is when the call that created it was recorded."""

    entry_id: str
    provider: str
    run_id: str
    kind: str
    id: str
    teardown_operation: str
    teardown_args: Mapping[str, Any]
    created_at: datetime
    torn_down_at: datetime | None

    @classmethod
    def of(cls, entry: Entry) -> Resource:
        assert entry.resource is not None  # callers select entries that have a resource
        return cls(entry.id, entry.provider, entry.run_id, entry.resource.kind, entry.resource.id,
                   entry.resource.teardown_operation, dict(entry.resource.teardown_args), entry.created_at,
                   entry.torn_down_at)  # fmt: skip


@dataclass(frozen=True)
class Spend:
    """Money over a set of entries: ``committed`` = ``actual`` (settled) + ``reserved`` (still held)."""

    committed_micros: int = 0
    actual_micros: int = 0
    reserved_micros: int = 0
    entries: int = 0

    @property
    def committed_usd(self) -> Decimal:
        return micros_to_usd(self.committed_micros)

    @property
    def actual_usd(self) -> Decimal:
        return micros_to_usd(self.actual_micros)

    @property
    def reserved_usd(self) -> Decimal:
        return micros_to_usd(self.reserved_micros)

    def add(self, entry: Entry) -> Spend:
        actual = entry.actual_micros or 0
        return Spend(self.committed_micros + entry.reserved_micros + actual, self.actual_micros + actual,
                     self.reserved_micros + entry.reserved_micros, self.entries + 1)  # fmt: skip
