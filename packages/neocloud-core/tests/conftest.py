"""Shared fixtures for core tests: a minimal provider built on the core, driven through MockTransport."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from neocloud_testing.leaks import as_sent

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


Handler = Callable[[Any], Any]


@pytest.fixture(params=["httpx2", "httpx"])
def hx(request: pytest.FixtureRequest) -> ModuleType:
    """The HTTP library a test runs on: ``httpx2`` (what the core makes its pools with) and ``httpx`` (a caller's
    own client, as code written for the providers' SDKs passes): every transport test runs on each."""
    return importlib.import_module(request.param)


@pytest.fixture
def make_client(hx: ModuleType) -> Callable[..., tuple[TestClient, list[Any], list[float]]]:
    """A client over ``hx``'s MockTransport (``DefaultHttpxClient`` given an ``httpx`` transport makes an ``httpx``
    client), the requests it sent, and the retry sleeps it asked for."""

    def factory(handler: Handler, **kwargs: Any) -> tuple[TestClient, list[Any], list[float]]:
        seen: list[Any] = []
        sleeps: list[float] = []

        def record(request: Any) -> Any:
            request.read()
            seen.append(as_sent(request))
            return handler(request)

        kwargs.setdefault("api_key", KEY)
        http = DefaultHttpxClient(transport=hx.MockTransport(record))
        assert isinstance(http, hx.Client)
        client = TestClient(http_client=http, **kwargs)
        client._sleep = sleeps.append
        return client, seen, sleeps

    return factory


# -- the ledger's stores: one fixture, three real backends ----------------------------------------------------
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from neocloud_testing.postgres import postgres_server, postgres_url  # noqa: E402, F401

from neocloud.core.ledger import BaseLedger, InMemoryLedger, open_ledger  # noqa: E402


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh ledger: in memory, a SQLite file, a database on the real PostgreSQL server."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def make_ledger(ledger_url: str) -> Iterator[Callable[..., BaseLedger]]:
    """Opens ledgers on the fixture's store: each call a new connection to the same database (the in-memory
    store is one object, so every call returns it). All are closed after the test."""
    opened: list[BaseLedger] = []

    def factory(**kwargs: Any) -> BaseLedger:
        if ledger_url == "memory://" and opened:
            return opened[0]
        ledger = InMemoryLedger(**kwargs) if ledger_url == "memory://" else open_ledger(ledger_url, **kwargs)
        opened.append(ledger)
        return ledger

    yield factory
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[..., BaseLedger]) -> BaseLedger:
    return make_ledger()
