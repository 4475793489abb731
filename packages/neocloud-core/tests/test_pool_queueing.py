"""Many more concurrent calls than pooled connections: the calls queue for a connection and all complete (no
PoolTimeout), while each call's total deadline still bounds it, time in the queue included. On both libraries."""

from __future__ import annotations

import asyncio
import time
from types import ModuleType
from typing import Any

import pytest

from neocloud.core._base import FinalRequest
from neocloud.core._client import DefaultAsyncHttpxClient
from neocloud.core._types import Timeout
from neocloud.core.errors import APITimeoutError

from .conftest import KEY, AsyncTestClient


async def _serve(delay: float, slow: float) -> tuple[asyncio.AbstractServer, str]:
    """A keep-alive HTTP/1.1 server on loopback: each answer ``{"ok": true}`` after ``delay`` seconds (``slow``
    for a path that says ``slow``)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                await asyncio.sleep(slow if b"slow" in head.split(b"\r\n")[0] else delay)
                body = b'{"ok": true}'
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                             % (len(body), body))  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def _pool(hx: ModuleType, connections: int) -> Any:
    # DefaultAsyncHttpxClient given httpx Limits makes an httpx client: the same test covers a caller's httpx pool.
    return DefaultAsyncHttpxClient(limits=hx.Limits(max_connections=connections, max_keepalive_connections=connections))


def test_500_concurrent_calls_over_4_connections_all_complete(hx: ModuleType) -> None:
    async def main() -> tuple[list[Any], float]:
        server, url = await _serve(delay=0.045, slow=0.0)
        # A bare number is the connect/read/write limit; waiting for a connection is queueing, never a failure:
        # 500 calls at 45 ms over 4 connections keep the last ones queued well past 5 s. (The limit is not shorter:
        # the 500 calls' first steps run in one turn of the loop before the first connections' answers are read,
        # and on a loaded machine that turn alone took over 2 s, which timed the first connects out.)
        client = AsyncTestClient(api_key=KEY, base_url=url, http_client=_pool(hx, 4), timeout=5.0, max_retries=0)
        started = time.monotonic()
        async with server:
            results = await asyncio.gather(
                *(client.request(dict, FinalRequest("GET", f"/v1/x/{i}")) for i in range(500)), return_exceptions=True
            )
            elapsed = time.monotonic() - started
            await client._pool.client.aclose()
        return results, elapsed

    results, elapsed = asyncio.run(main())
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == [], f"{len(failures)} failed, e.g. {failures[0]!r}"
    assert results == [{"ok": True}] * 500
    assert elapsed > 5.0  # the queue really was longer than the per-phase limit


def test_a_call_queued_behind_a_busy_pool_ends_at_its_total_deadline(hx: ModuleType) -> None:
    async def main() -> float:
        server, url = await _serve(delay=0.0, slow=1.5)
        client = AsyncTestClient(api_key=KEY, base_url=url, http_client=_pool(hx, 1), max_retries=2)
        async with server:
            busy = asyncio.ensure_future(client.request(dict, FinalRequest("GET", "/slow")))
            await asyncio.sleep(0.2)  # the only connection is now taken for 1.5 s
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.request(dict, FinalRequest("GET", "/v1/x", timeout=Timeout(total=0.4)))
            waited = time.monotonic() - started
            assert await busy == {"ok": True}
            await client._pool.client.aclose()
        return waited

    waited = asyncio.run(main())
    assert 0.35 < waited < 1.5, waited
