"""Adapter test fixtures: the shared fake server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from neocloud_testing.fakes import FakeServer, Reply


class _Server(FakeServer):
    def clients(self, async_name: str = "http_async_client") -> dict[str, Any]:
        return super().clients(async_name)


@pytest.fixture
def fake() -> Callable[[Reply], FakeServer]:
    return _Server
