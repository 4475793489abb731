"""Time-driven lifecycles shared by the planes: a resource's phase is a pure function of its age."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone

__all__ = ["iso", "phase_of"]


def phase_of(created: float, phases: Sequence[str], phase_s: float, now: float | None = None) -> tuple[str, float]:
    """``(phase, progress)``: the resource spends ``phase_s`` seconds in each phase but the last, which
    it then stays in; ``progress`` runs 0 → 1 across the whole lifecycle."""
    elapsed = (time.time() if now is None else now) - created
    steps = len(phases) - 1
    if phase_s <= 0 or steps <= 0:
        return phases[-1], 1.0
    index = min(int(elapsed // phase_s), steps)
    return phases[index], min(elapsed / (phase_s * steps), 1.0)


def iso(ts: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC."""
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """ISO 8601 as the wire writes it, ``Z`` included (``datetime.fromisoformat`` reads ``Z`` only from 3.11);
    a time without a zone is UTC. Raises ``ValueError`` for anything else."""
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
