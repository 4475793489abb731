"""Shared fixtures for core tests: a minimal provider built on the core, driven through MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from neocloud.core._base import ClientProfile
from neocloud.core._client import AsyncAPIClient, DefaultHttpxClient, SyncAPIClient

PROFILE = ClientProfile(
    provider="testcloud",
    distribution="neocloud-core",
    default_base_url="https://api.testcloud.example",
    api_key_env="TESTCLOUD_API_KEY",
    base_url_env="TESTCLOUD_BASE_URL",
)

KEY = "tc-secret-key-0123456789abcdef"


class TestClient(SyncAPIClient):
    __test__ = False
    profile = PROFILE


class AsyncTestClient(AsyncAPIClient):
    __test__ = False
    profile = PROFILE


Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def make_client() -> Callable[..., tuple[TestClient, list[httpx.Request], list[float]]]:
    def factory(handler: Handler, **kwargs: Any) -> tuple[TestClient, list[httpx.Request], list[float]]:
        seen: list[httpx.Request] = []
        sleeps: list[float] = []

        def record(request: httpx.Request) -> httpx.Response:
            request.read()
            seen.append(request)
            return handler(request)

        kwargs.setdefault("api_key", KEY)
        client = TestClient(http_client=DefaultHttpxClient(transport=httpx.MockTransport(record)), **kwargs)
        client._sleep = sleeps.append
        return client, seen, sleeps

    return factory
