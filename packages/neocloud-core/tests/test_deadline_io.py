"""The total deadline inside each socket operation of a sync exchange (``_deadline_io``): the pure arithmetic,
and where the backend is installed. The end-to-end proof (headers dripped forever end at the deadline) is
``integration_tests/test_hostile_server.py``."""

from __future__ import annotations

from typing import Any

import httpx
import httpx2
import pytest

from neocloud.core import _deadline_io
from neocloud.core._deadline_io import DEADLINE, DeadlineBackend, install
from neocloud.core._types import time_left


@pytest.mark.parametrize(
    ("timeout", "deadline", "now", "expected"),
    [
        (5.0, 100.0, 90.0, 5.0),  # the operation's own timeout is shorter
        (5.0, 100.0, 98.0, 2.0),  # the deadline is nearer
        (None, 100.0, 98.5, 1.5),  # an unlimited operation still stops at the deadline
        (5.0, 100.0, 100.0, 0.0),  # passed: zero or less
        (5.0, 100.0, 101.0, -1.0),
    ],
)
def test_an_operation_waits_only_for_the_time_left(
    timeout: float | None, deadline: float, now: float, expected: float
) -> None:
    assert time_left(timeout, deadline, now) == expected


class _Recorder:
    """A network stream that records the timeouts it was given."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)


class _Backend:
    def __init__(self) -> None:
        self.stream = _Recorder()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, *args: Any) -> _Recorder:
        self.stream.timeouts.append(timeout)
        return self.stream


@pytest.mark.parametrize(("lib", "core"), [("httpx2", "httpcore2"), ("httpx", "httpcore")])
def test_outside_a_call_the_backend_only_forwards_and_inside_it_stops_at_the_deadline(lib: str, core: str) -> None:
    import importlib
    import time

    library = importlib.import_module(core)
    inner = _Backend()
    backend = DeadlineBackend(inner, library)
    stream = backend.connect_tcp("h", 1, 7.0)
    stream.read(10, 5.0)
    stream.write(b"x", None)
    assert inner.stream.timeouts == [7.0, 5.0, None]  # no deadline set: the library's own timeouts

    token = DEADLINE.set(time.monotonic() + 60)
    try:
        stream.read(10, 5.0)
        stream.write(b"x", None)
        assert inner.stream.timeouts[3] == 5.0
        assert inner.stream.timeouts[4] is not None and 59 < inner.stream.timeouts[4] <= 60
    finally:
        DEADLINE.reset(token)

    token = DEADLINE.set(time.monotonic() - 1)
    try:
        with pytest.raises(library.ReadTimeout, match="total deadline"):
            stream.read(10, 5.0)
        with pytest.raises(library.WriteTimeout):
            stream.write(b"x", 5.0)
        with pytest.raises(library.ConnectTimeout):
            backend.connect_tcp("h", 1, 7.0)
    finally:
        DEADLINE.reset(token)


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_installed_under_every_stock_transport_once(lib: Any) -> None:
    client = lib.Client(mounts={"http://internal": lib.HTTPTransport(), "http://blocked": None})
    assert install(client) is True
    pools = [t._pool for t in [client._transport, *client._mounts.values()] if t is not None]
    assert len(pools) == 2
    for pool in pools:
        assert isinstance(pool._network_backend, DeadlineBackend)
    first = pools[0]._network_backend
    assert install(client) is True
    assert pools[0]._network_backend is first  # not wrapped twice
    client.close()


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_a_custom_transport_is_left_alone(lib: Any) -> None:
    client = lib.Client(transport=lib.MockTransport(lambda request: lib.Response(200)))
    assert install(client) is False  # body reads fall back on the socket watchdog there
    assert client.get("http://x/").status_code == 200
    client.close()


def test_the_default_client_of_a_sync_api_client_is_bounded() -> None:
    from .conftest import KEY, TestClient

    client = TestClient(api_key=KEY, base_url="http://127.0.0.1:9")
    http = client._pool.get()
    assert client._pool.bounded is True
    assert isinstance(http._transport._pool._network_backend, _deadline_io.DeadlineBackend)
    client.close()
