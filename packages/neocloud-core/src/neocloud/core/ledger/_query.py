"""Which entries a query is about: one ``Filter`` that the in-memory store applies in Python and the SQL
stores render as a ``WHERE`` clause, so every store answers the same question the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..errors import RequestValidationError
from ._records import Entry, Status, to_us

__all__ = ["GROUP_KEYS", "Filter", "GroupKey", "check_group_key", "make_filter"]

GroupKey = Literal["run_id", "provider", "model", "operation"]
GROUP_KEYS: tuple[GroupKey, ...] = ("run_id", "provider", "model", "operation")


@dataclass(frozen=True)
class Filter:
    """Entries of a run, provider, model; created in ``[since_us, until_us)``; with one of ``statuses``;
    ``live_resources``: only entries whose resource exists (created and not torn down);
    ``resource_id``: only entries that created that resource."""

    run_id: str | None = None
    provider: str | None = None
    model: str | None = None
    since_us: int | None = None
    until_us: int | None = None
    statuses: frozenset[Status] | None = None
    with_resource: bool = False
    live_resources: bool = False
    resource_id: str | None = None

    def matches(self, entry: Entry) -> bool:
        checks = (
            self.run_id is None or entry.run_id == self.run_id,
            self.provider is None or entry.provider == self.provider,
            self.model is None or entry.model == self.model,
            self.since_us is None or entry.created_at_us >= self.since_us,
            self.until_us is None or entry.created_at_us < self.until_us,
            self.statuses is None or entry.status in self.statuses,
            not self.with_resource or entry.resource is not None,
            not self.live_resources or (entry.resource is not None and entry.torn_down_at_us is None),
            self.resource_id is None or (entry.resource is not None and entry.resource.id == self.resource_id),
        )
        return all(checks)

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition (``?`` placeholders) and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        for column, value in (("run_id", self.run_id), ("provider", self.provider), ("model", self.model),
                              ("resource_id", self.resource_id)):  # fmt: skip
            if value is not None:
                parts.append(f"{column} = ?")
                params.append(value)
        if self.since_us is not None:
            parts.append("created_at_us >= ?")
            params.append(self.since_us)
        if self.until_us is not None:
            parts.append("created_at_us < ?")
            params.append(self.until_us)
        if self.statuses is not None:
            ordered = sorted(s.value for s in self.statuses)
            parts.append(f"status IN ({', '.join('?' for _ in ordered)})" if ordered else "1 = 0")
            params.extend(ordered)
        if self.with_resource or self.live_resources:
            parts.append("resource_id IS NOT NULL")
        if self.live_resources:
            parts.append("torn_down_at_us IS NULL")
        return (" AND ".join(parts) or "1 = 1"), params


def make_filter(
    *,
    run_id: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Filter:
    """A ``Filter`` from the public query arguments (aware datetimes)."""
    return Filter(run_id=run_id, provider=provider, model=model, since_us=None if since is None else to_us(since),
                  until_us=None if until is None else to_us(until))  # fmt: skip


def check_group_key(key: str) -> GroupKey:
    """``key`` if spend can be grouped by it; a clear error otherwise (it also becomes a SQL column name)."""
    for allowed in GROUP_KEYS:
        if key == allowed:
            return allowed
    raise RequestValidationError(f"cannot group spend by {key!r}", param="by", allowed=", ".join(GROUP_KEYS))
