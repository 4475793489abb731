"""Small value types shared by the transports: the NOT_GIVEN sentinel and timeouts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Literal, TypeVar, Union, cast

if TYPE_CHECKING:
    import httpx
    import httpx2

__all__ = ["NOT_GIVEN", "NotGiven", "Timeout", "TimeoutTypes", "at_least", "coerce_timeout", "time_left"]

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
    # Waiting for a free connection is queueing, not a failure: unbounded by default, so thousands of concurrent
    # calls over a 100-connection pool all complete; ``total`` still bounds each call, queue included.
    pool: float | None = None
    total: float | None = None

    def phases(self, remaining: float | None = None) -> dict[str, float | None]:
        """The per-attempt timeouts (the request's ``timeout`` extension, which ``httpx2`` and ``httpx`` both read),
        each phase shortened to ``remaining`` when a deadline is near. Without one, the same dict every call."""
        if remaining is None:
            return _phases(self)
        return {
            "connect": remaining if self.connect is None else min(self.connect, remaining),
            "read": remaining if self.read is None else min(self.read, remaining),
            "write": remaining if self.write is None else min(self.write, remaining),
            "pool": remaining if self.pool is None else min(self.pool, remaining),
        }

    def with_total(self, total: float | None) -> Timeout:
        return replace(self, total=total)


@lru_cache(maxsize=64)
def _phases(timeout: Timeout) -> dict[str, float | None]:
    # Shared by every request with this timeout: the libraries only read the extension.
    return {"connect": timeout.connect, "read": timeout.read, "write": timeout.write, "pool": timeout.pool}


TimeoutTypes = Union[float, int, "httpx2.Timeout", "httpx.Timeout", Timeout, None]


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


def time_left(timeout: float | None, deadline: float, now: float) -> float | None:
    """How long one socket operation may wait: its own ``timeout`` (``None``: unlimited), never past
    ``deadline``. Pure; zero or less means the deadline has passed."""
    left = deadline - now
    return left if timeout is None else min(timeout, left)


def coerce_timeout(value: TimeoutTypes, default: Timeout) -> Timeout:
    """Accept what users pass (seconds, ``httpx.Timeout``, our ``Timeout`` or ``None``) as a ``Timeout``.

    A bare number is the connect/read/write limit (connect capped at 5 s, like the official SDKs; the wait for a
    pooled connection keeps ``default``'s bound); ``None`` disables every limit.
    """
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(connect=None, read=None, write=None, pool=None, total=None)
    from ._http import is_timeout_config

    if is_timeout_config(value):
        given = cast("httpx2.Timeout", value)  # (or an httpx.Timeout: the same fields)
        return Timeout(connect=given.connect, read=given.read, write=given.write, pool=given.pool, total=default.total)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            from .errors import ConfigurationError

            raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")
        seconds = float(value)
        return Timeout(connect=min(5.0, seconds), read=seconds, write=seconds, pool=default.pool, total=default.total)
    from .errors import ConfigurationError

    raise ConfigurationError(
        "timeout must be a number of seconds, httpx2.Timeout, httpx.Timeout, neocloud.core.Timeout or None; "
        f"got {type(value).__name__}"
    )
