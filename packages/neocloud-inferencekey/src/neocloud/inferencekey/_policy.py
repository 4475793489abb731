"""Pure policies of the management client: drift detection and the readiness reconnect rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DRIFT_FIELDS", "drifted_fields", "reconnect_delay"]

# Compared when set in the spec; slug and task_type never are (the platform does not change them).
DRIFT_FIELDS = (
    "name", "backend", "model_name", "description", "config", "worker_id", "gpu_resource_id",
    "execution_policy", "execution_policy_config",
)  # fmt: skip
_RECONNECT_STATUSES = frozenset({502, 503, 504})
_BACKOFF = (1.0, 2.0, 4.0, 5.0)


def drifted_fields(desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Spec fields whose live value differs (``config`` is compared as a whole)."""
    return [name for name in DRIFT_FIELDS if name in desired and desired[name] != live.get(name)]


def reconnect_delay(empty_tries: int, *, status: int | None, delivered: bool) -> float | None:
    """Seconds before reopening the readiness stream, or ``None`` to give up and raise.

    ``status`` is the HTTP status of the failed connection (``None``: it closed or could not open).
    A connection that delivered events is reopened after 1 s; empty ones and 502/503/504 back off
    1, 2, 4, 5, 5, ... s (``empty_tries`` counts consecutive empty attempts). Other statuses raise.
    """
    if status is not None and status not in _RECONNECT_STATUSES:
        return None
    if delivered:
        return 1.0
    return _BACKOFF[min(empty_tries, len(_BACKOFF) - 1)]
