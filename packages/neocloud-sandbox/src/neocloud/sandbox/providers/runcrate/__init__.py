"""The Runcrate plane, mounted at ``/runcrate`` (wire facts: shared/providers/runcrate.md).

Both hosts live under one prefix: the control plane at ``/api/v1/...`` (``{"data", "meta"}`` envelope,
``?environment=`` scoping of instances and volumes, default ``main``) and the inference host at
``/v1/...``. Keys: any ``rc_live_`` key is a workspace with $100 of credits; ``rc_live_sandbox-nocredits``
has none (402). Instances go pending → starting → running (``phase_s`` each) and are billed per hour
while running; terminate → terminating → terminated. Volumes are charged a week in advance and refunded
pro rata on delete; every charge is in the transaction ledger. Jobs queue, start, run and exit (the exit
code is the command's last ``exit N``, else 0), billed while running, with logs, events, metrics and, on
success, an artifact behind a signed redirect; uploads take a signed PUT. Schedules run on ``run-now`` only. An ``Idempotency-Key`` on
a create (instance, volume, schedule, job) returns the first one again. Errors: ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from starlette.routing import Route

from ...keys import SANDBOX_KEYS
from ._account import account_routes
from ._control import control_routes
from ._inference import inference_routes
from ._jobs import job_routes
from ._storage import storage_routes
from ._workspace import NAME

__all__ = ["env", "routes"]


def routes() -> list[Route]:
    return [*control_routes(), *storage_routes(), *job_routes(), *account_routes(), *inference_routes()]


def env(base_url: str) -> dict[str, str]:
    """Environment variables that point Runcrate clients at this plane (both hosts share it)."""
    return {
        "RUNCRATE_API_KEY": SANDBOX_KEYS[NAME]["valid"],
        "RUNCRATE_BASE_URL": base_url,
        "RUNCRATE_INFERENCE_URL": base_url,
    }
