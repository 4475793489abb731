"""``wait_until_ready``: follow the readiness event stream until ``ready``, within one deadline (sync and async).

The wait's deadline is the ``total`` timeout of every connection it opens, so the core stream enforces it
while events arrive and while the next one is awaited (the read itself ends when the deadline passes; see
``neocloud.core.streaming``). A connection that drops, stalls or answers 502/503/504 is reopened after
``_policy.reconnect_delay``, never past the deadline; when the deadline passes the wait raises ``WaitTimeout``
(a ``TimeoutError``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from neocloud.core._base import FinalRequest
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import Timeout
from neocloud.core.errors import APIConnectionError, APIStatusError, StreamError, StreamFormatError

from ._common import readiness_path, to_event
from ._policy import reconnect_delay
from .errors import ReadinessFailed, WaitTimeout, translate
from .types import ReadinessEvent

__all__ = ["wait_async", "wait_sync"]

Report = Callable[[ReadinessEvent], Any]


class _Wait:
    """The state of one wait: its deadline, the reconnect bookkeeping and what each event means."""

    def __init__(self, project: str, slug: str, timeout: float, report: Report) -> None:
        self.project, self.slug, self.timeout, self.report = project, slug, timeout, report
        # Built (its ids checked) before the first connection: a refused id is a bad argument, not a dropped stream.
        self.path = readiness_path(project, slug)
        self.deadline = time.monotonic() + timeout
        self.empty = 0  # consecutive connections that delivered nothing

    def request(self) -> FinalRequest:
        """The next connection: its reads bounded by a short silence limit, the whole of it by the deadline."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeout(f"workload {self.slug} not ready after {self.timeout}s")
        read = min(remaining, 15.0)  # the stream is quiet between phases: a silent server is noticed, reopened
        return FinalRequest(
            "GET", self.path,
            headers={"Accept": "text/event-stream"},
            timeout=Timeout(connect=min(10.0, read), read=read, write=read, pool=read, total=remaining),
        )  # fmt: skip

    def handle(self, event: ReadinessEvent) -> bool:
        """Report ``event``; ``True`` when the workload serves, ``ReadinessFailed`` on its ``error`` phase."""
        self.report(event)
        if event.phase == "error":
            raise ReadinessFailed(f"workload {self.slug} failed to become ready: {event.message}")
        return event.phase == "ready"

    def pause(self, delivered: bool, status: int | None) -> float:
        """Seconds to wait before reopening, never past the deadline (``status``: one that is reopened on)."""
        delay = reconnect_delay(self.empty, status=status, delivered=delivered) or 1.0
        self.empty = 0 if delivered else self.empty + 1
        return max(min(delay, self.deadline - time.monotonic()), 0.0)


def wait_sync(
    client: SyncAPIClient, sleep: Callable[[float], None], project: str, slug: str, timeout: float, report: Report
) -> None:
    """Follow the readiness stream until ``ready`` (see the module docstring)."""
    wait = _Wait(project, slug, timeout, report)
    while True:
        delivered, status = False, None
        try:
            with translate(), client.request_stream(to_event, wait.request()) as stream:
                for event in stream:
                    delivered = True
                    if wait.handle(event):
                        return
        except StreamFormatError:
            raise  # the server sent what the protocol forbids: reopening would only repeat it
        except (APIConnectionError, StreamError):
            pass  # dropped, stalled, or out of time: the next request() decides
        except APIStatusError as exc:
            status = exc.status_code
            if reconnect_delay(wait.empty, status=status, delivered=False) is None:
                raise
        sleep(wait.pause(delivered, status))


async def wait_async(
    client: AsyncAPIClient, sleep: Callable[[float], Awaitable[Any]], project: str, slug: str, timeout: float,
    report: Report,
) -> None:  # fmt: skip
    """Async twin of ``wait_sync``."""
    wait = _Wait(project, slug, timeout, report)
    while True:
        delivered, status = False, None
        try:
            with translate():
                async with await client.request_stream(to_event, wait.request()) as stream:
                    async for event in stream:
                        delivered = True
                        if wait.handle(event):
                            return
        except StreamFormatError:
            raise
        except (APIConnectionError, StreamError):
            pass
        except APIStatusError as exc:
            status = exc.status_code
            if reconnect_delay(wait.empty, status=status, delivered=False) is None:
                raise
        await sleep(wait.pause(delivered, status))
