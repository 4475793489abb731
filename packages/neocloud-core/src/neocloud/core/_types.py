"""Small value types shared by the transports: the NOT_GIVEN sentinel and timeouts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal, TypeVar, Union

import httpx

__all__ = ["NOT_GIVEN", "NotGiven", "Timeout", "TimeoutTypes", "at_least", "coerce_timeout"]

_T = TypeVar("_T")


class NotGiven:
    """Sentinel for "argument not passed" where ``None`` is a meaningful value (e.g. ``timeout=None``)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


@dataclass(frozen=True, slots=True)
class Timeout:
    """Timeouts in seconds: per phase (``connect``, ``read``, ``write``, ``pool``) and for the whole call.

    ``read`` is the longest silence between two received bytes; ``total`` bounds the whole call, retries
    and backoff included (``None``: no overall deadline). A streamed response must finish within ``total``.
    """

    connect: float | None = 5.0
    read: float | None = 60.0
    write: float | None = 60.0
    pool: float | None = 10.0
    total: float | None = None

    def to_httpx(self, remaining: float | None = None) -> httpx.Timeout:
        """The per-attempt httpx timeout, each phase shortened to ``remaining`` when a deadline is near."""
        if remaining is None:
            return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)

        def cap(value: float | None) -> float:
            return remaining if value is None else min(value, remaining)

        return httpx.Timeout(connect=cap(self.connect), read=cap(self.read), write=cap(self.write), pool=cap(self.pool))

    def with_total(self, total: float | None) -> Timeout:
        return replace(self, total=total)


TimeoutTypes = Union[float, int, httpx.Timeout, Timeout, None]


def at_least(timeout: Timeout, floor: Timeout | None) -> Timeout:
    """``timeout`` with each phase raised to ``floor``'s (an operation's documented minimum), its ``total`` kept.

    Pure. A phase without a limit (``None``) stays unlimited; the total deadline is always the caller's, so an
    operation's longer minimum can never make a call outlive it.
    """
    if floor is None:
        return timeout

    def phase(value: float | None, least: float | None) -> float | None:
        return None if value is None else value if least is None else max(value, least)

    return Timeout(connect=phase(timeout.connect, floor.connect), read=phase(timeout.read, floor.read),
                   write=phase(timeout.write, floor.write), pool=phase(timeout.pool, floor.pool),
                   total=timeout.total)  # fmt: skip


def coerce_timeout(value: TimeoutTypes, default: Timeout) -> Timeout:
    """Accept what users pass (seconds, ``httpx.Timeout``, our ``Timeout`` or ``None``) as a ``Timeout``.

    A bare number is the per-phase limit (connect capped at 5 s, like the official SDKs); ``None``
    disables every limit.
    """
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(connect=None, read=None, write=None, pool=None, total=None)
    from ._httplibs import classes

    if isinstance(value, (httpx.Timeout, *classes("Timeout"))):
        phases: httpx.Timeout = value  # type: ignore[assignment]  # (or httpx2's, the same class)
        return Timeout(
            connect=phases.connect, read=phases.read, write=phases.write, pool=phases.pool, total=default.total
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            from .errors import ConfigurationError

            raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")
        seconds = float(value)
        return Timeout(connect=min(5.0, seconds), read=seconds, write=seconds, pool=seconds, total=default.total)
    from .errors import ConfigurationError

    raise ConfigurationError(
        f"timeout must be a number of seconds, httpx.Timeout, neocloud.core.Timeout or None; got {type(value).__name__}"
    )
