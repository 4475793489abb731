"""``wait_until_ready(timeout=...)`` raises ``TimeoutError`` after ``timeout`` seconds, against the live sandbox.

The sandbox repeats a workload's current phase while it waits (every ``min(phase_s / 2, 2)`` s), so events keep
arriving while the workload is stuck; the wait must still end on time, whether the deadline passes while an
event is handled or while the next one is awaited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from neocloud.inferencekey import AsyncManagementClient, Backend, ManagementClient, WaitTimeout, WorkloadSpec

pytestmark = pytest.mark.sandbox
SPEC = WorkloadSpec(name="bot", slug="bot", model="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Any]:
    from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=request.param)) as sb:
        sb.token = SANDBOX_KEYS["inferencekey"]["valid"]
        yield sb


def _wait_sync(sb: Any, timeout: float) -> tuple[list[str], float]:
    client = ManagementClient(base_url=sb.base_url("inferencekey"), sdk_token=sb.token, project="acme")
    client.ensure(SPEC)
    phases: list[str] = []
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError) as info:
            client.wait_until_ready("bot", timeout=timeout, on_progress=lambda e: phases.append(e.phase))
        assert isinstance(info.value, WaitTimeout)
        return phases, time.monotonic() - started
    finally:
        client.delete("bot")
        client.close()


def _wait_async(sb: Any, timeout: float) -> tuple[list[str], float]:
    async def main() -> tuple[list[str], float]:
        async with AsyncManagementClient(base_url=sb.base_url("inferencekey"), sdk_token=sb.token,
                                         project="acme") as client:  # fmt: skip
            await client.ensure(SPEC)
            phases: list[str] = []
            started = time.monotonic()
            try:
                with pytest.raises(TimeoutError):
                    await client.wait_until_ready("bot", timeout=timeout, on_progress=lambda e: phases.append(e.phase))
                return phases, time.monotonic() - started
            finally:
                await client.delete("bot")

    return asyncio.run(main())


# phase_s=1.0: an event every 0.5 s, ready after 3 s. A 1.2 s wait used to read on (each read well inside its
# own timeout) until the workload was ready, 3 s later, and return as if in time.
@pytest.mark.parametrize("sandbox", [1.0], indirect=True)
@pytest.mark.parametrize("wait", [_wait_sync, _wait_async], ids=["sync", "async"])
def test_the_wait_ends_on_time_while_events_keep_arriving(sandbox: Any, wait: Any) -> None:
    phases, elapsed = wait(sandbox, 1.2)
    assert "ready" not in phases and len(phases) >= 2  # it was stuck, and said so more than once
    assert 1.15 < elapsed < 2.2, elapsed


# phase_s=10: an event every 2 s. With 2.5 s to wait, the read that starts after the event at 2 s must end at
# 2.5 s: not at the next event (4 s), and not after its own read timeout.
@pytest.mark.parametrize("sandbox", [10.0], indirect=True)
@pytest.mark.parametrize("wait", [_wait_sync, _wait_async], ids=["sync", "async"])
def test_the_wait_for_the_next_event_is_bounded_by_the_time_left(sandbox: Any, wait: Any) -> None:
    phases, elapsed = wait(sandbox, 2.5)
    assert phases == ["scheduling", "scheduling"]
    assert 2.45 < elapsed < 3.5, elapsed
