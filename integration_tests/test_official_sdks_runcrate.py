"""The official Runcrate SDK (``runcrate-sdk``) through every public method against the sandbox, sync and async.

The drivers (``official_runcrate_drivers``, ``official_runcrate_job_drivers``) each name the methods they drive;
a test per driver and client kind proves those methods were called and their answers parsed into the SDK's
models, and the coverage test fails on any public method no driver names. (``transcribe`` is driven with the JSON
formats: the SDK parses every answer as JSON, so the text formats it documents, srt, vtt and text, which the sandbox
answers as text like the API, cannot reach its caller.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import runcrate

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

from .official_runcrate_drivers import CONTROL
from .official_runcrate_job_drivers import JOBS
from .official_sdks import Driver, missing_and_stale, public_methods, record_calls, run

DRIVERS: dict[Driver, tuple[str, ...]] = {**CONTROL, **JOBS}
CASES = [(kind, driver) for kind in ("sync", "async") for driver in DRIVERS]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=SandboxSettings(phase_s=0.03)) as sb:
        yield sb


def make(sandbox: Sandbox, kind: str, key: str = SANDBOX_KEYS["runcrate"]["valid"]) -> Any:
    cls = runcrate.Runcrate if kind == "sync" else runcrate.AsyncRuncrate
    url = sandbox.base_url("runcrate")
    return cls(api_key=key, base_url=url, inference_url=url, max_retries=0)


def is_resource(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("runcrate.resources.", "runcrate._client")) and not isinstance(
        value, (runcrate.Runcrate, runcrate.AsyncRuncrate)
    )


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_public_method_is_driven(sandbox: Sandbox, kind: str) -> None:
    driven = {method for methods in DRIVERS.values() for method in methods}
    missing, stale = missing_and_stale(public_methods(make(sandbox, kind), is_resource), driven, {})
    assert not missing, f"methods no test drives: {sorted(missing)}"
    assert not stale, f"drivers for methods the SDK does not have: {sorted(stale)}"


@pytest.mark.parametrize(("kind", "driver"), CASES, ids=[f"{k}-{d.__name__}" for k, d in CASES])
def test_methods_parse(sandbox: Sandbox, kind: str, driver: Driver) -> None:
    # A workspace per test (the key names it): every driver starts from a fresh account.
    client = make(sandbox, kind, f"rc_live_sandbox-{kind}-{driver.__name__}")
    calls = record_calls(client, *DRIVERS[driver])
    run(driver, client)
    assert set(DRIVERS[driver]) <= set(calls), sorted(set(DRIVERS[driver]) - set(calls))
