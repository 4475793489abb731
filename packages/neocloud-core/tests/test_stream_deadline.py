"""A stream's ``total`` deadline bounds every read: a server that goes quiet cannot hold the call past it.

The per-read timeout httpx applies is fixed when the request is sent, so without more a read that starts just
before the deadline may wait a whole read timeout beyond it. These tests use a real loopback socket (the
mechanism ends the blocked read on the socket itself).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from neocloud.core._base import FinalRequest
from neocloud.core._types import Timeout
from neocloud.core.errors import APITimeoutError

from .conftest import KEY, AsyncTestClient, TestClient

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.fixture
def quiet_server() -> Iterator[str]:
    """Answers each request with four events 0.3 s apart, then says nothing for up to 5 s (0.3 s when the path
    says ``short``), then ends the stream with ``[DONE]``."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                quiet = 0.3 if b"short" in conn.recv(65536).split(b"\r\n")[0] else 5.0
                try:
                    conn.sendall(HEAD)
                    for i in range(4):
                        conn.sendall(_chunk(b'data: {"n": %d}\n\n' % i))
                        time.sleep(0.3)
                    stop.wait(quiet)
                    conn.sendall(_chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
                except OSError:
                    pass  # the client went away: what the deadline is for

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    address = listener.getsockname()
    yield f"http://127.0.0.1:{address[1]}"
    stop.set()
    socket.create_connection(address).close()  # wakes the accept() so the thread sees the stop
    thread.join(10)
    listener.close()


def _own(hx: ModuleType, asynchronous: bool = False) -> dict[str, Any]:
    """On httpx2 the core's own pool; on httpx a caller's client, as code written for the SDKs passes."""
    if hx.__name__ == "httpx2":
        return {}
    return {"http_client": hx.AsyncClient() if asynchronous else hx.Client()}


# read=5 s: each read may wait 5 s; total=1.2 s: the call may not. Events arrive at 0, 0.3, 0.6 and 0.9 s; the
# read that starts at 0.9 s must end at the deadline (1.2 s), not 5 s later.
REQUEST = FinalRequest("GET", "/events", timeout=Timeout(connect=5, read=5, write=5, pool=5, total=1.2))


def test_sync_stream_read_ends_at_the_total_deadline(quiet_server: str, hx: ModuleType) -> None:
    client = TestClient(api_key=KEY, base_url=quiet_server, max_retries=0, **_own(hx))
    seen: list[object] = []
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="total deadline"):
        for item in client.request_stream(lambda d: d, REQUEST):
            seen.append(item)
    elapsed = time.monotonic() - started
    assert seen == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    assert 1.1 < elapsed < 2.0, elapsed
    client.close()


def test_async_stream_read_ends_at_the_total_deadline(quiet_server: str, hx: ModuleType) -> None:
    async def main() -> tuple[list[object], float]:
        seen: list[object] = []
        async with AsyncTestClient(api_key=KEY, base_url=quiet_server, max_retries=0, **_own(hx, True)) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match="total deadline"):
                async for item in await client.request_stream(lambda d: d, REQUEST):
                    seen.append(item)
            return seen, time.monotonic() - started

    seen, elapsed = asyncio.run(main())
    assert seen == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    assert 1.1 < elapsed < 2.0, elapsed


def test_a_stream_that_finishes_in_time_is_untouched(quiet_server: str, hx: ModuleType) -> None:
    # The deadline mechanism must not end a stream that completes: here the whole call has 30 s.
    client = TestClient(api_key=KEY, base_url=quiet_server, max_retries=0, **_own(hx))
    relaxed = FinalRequest("GET", "/events/short", timeout=Timeout(connect=5, read=10, write=5, pool=5, total=30))
    items = list(client.request_stream(lambda d: d, relaxed))
    assert items == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    client.close()
