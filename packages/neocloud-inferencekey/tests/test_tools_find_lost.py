"""A lost ensure is resolved by the workload's ``created_at`` against the time its intent was recorded."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from neocloud.inferencekey import tools

INTENT = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)


def clients(*workloads: Any) -> Any:
    management = SimpleNamespace(list_workloads=lambda: list(workloads))
    return tools.Clients(management, "http://ik.invalid", "acme")


def workload(slug: str, created_at: str) -> Any:
    return SimpleNamespace(slug=slug, created_at=created_at)


ARGS = tools.EnsureArgs(slug="bot", model="m")


@pytest.mark.parametrize(
    ("existing", "made"),
    [
        ((), False),  # nothing under the slug: the call made nothing
        ((workload("other", "2026-12-01T12:00:05Z"),), False),
        ((workload("bot", "2026-12-01T12:00:05Z"),), True),  # created after the intent: this call made it
        ((workload("bot", "2026-12-01T12:00:00+00:00"),), True),  # at the instant itself
        ((workload("bot", "2026-12-01T12:00:01.250000"),), True),  # no zone: UTC
        ((workload("bot", "2026-12-01T11:58:00Z"),), False),  # there before, by more than the clock skew
        ((workload("bot", "2026-12-01T11:59:30Z"),), None),  # within the skew: cannot tell
        ((workload("bot", "yesterday"),), None),  # unreadable: cannot tell
    ],
)
def test_find_lost(existing: tuple[Any, ...], made: bool | None) -> None:
    found = tools._find_lost(clients(*existing), ARGS, INTENT)
    if made is None:
        assert found is None
    else:
        assert found is not None and found["created"] is made and found["workload"] == "bot"
        assert found["project"] == "acme"
