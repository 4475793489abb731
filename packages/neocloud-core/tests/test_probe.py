"""The readability probe of the core's own async pools (``_probe``): it answers as httpcore's own probe does,
forwards everything else, is installed under the pools the core makes and never under a caller's client."""

from __future__ import annotations

import asyncio
from typing import Any

import httpcore2
import httpx2

from neocloud.core import _probe
from neocloud.core._probe import ProbingBackend

from .conftest import KEY, AsyncTestClient


async def _served(handle: Any) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_the_probe_says_readable_once_the_peer_has_closed_and_forwards_the_rest() -> None:
    async def run() -> list[Any]:
        peers: list[asyncio.StreamWriter] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peers.append(writer)

        server, port = await _served(handle)
        backend = ProbingBackend(httpcore2.AnyIOBackend(), httpcore2._utils.is_socket_readable)
        stream = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        for _ in range(100):
            if peers:
                break
            await asyncio.sleep(0.01)
        seen = [stream.get_extra_info("is_readable"), stream.get_extra_info("server_addr") == ("127.0.0.1", port)]
        peers[0].close()  # the server ends the connection: an idle connection must now be dropped by the pool
        await asyncio.sleep(0.1)
        seen.append(stream.get_extra_info("is_readable"))
        await stream.aclose()
        seen.append(stream.get_extra_info("is_readable"))  # a closed socket has no descriptor: "readable" too
        server.close()
        await server.wait_closed()
        return seen

    idle, forwarded, closed_by_peer, closed = asyncio.run(run())
    assert (idle, closed_by_peer, closed) == (False, True, True)
    assert forwarded  # other questions go to the wrapped stream


def test_a_connection_the_server_closed_while_idle_is_replaced_not_reused() -> None:
    """End to end through a client: the server answers, then closes each connection while it sits idle in the pool;
    the next call opens a new one and succeeds (were the probe wrong, it would fail on the dead connection)."""

    async def run() -> tuple[list[dict[str, Any]], int, bool]:
        accepted = 0

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal accepted
            accepted += 1
            await reader.readuntil(b"\r\n\r\n")
            body = b'{"ok": true}'
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                         % (len(body), body))  # fmt: skip
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()  # while the client holds the connection idle, kept alive

        server, port = await _served(handle)
        client = AsyncTestClient(api_key=KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0)
        from neocloud.core._base import FinalRequest

        answers = []
        for _ in range(3):
            answers.append(await client.request(dict, FinalRequest("GET", "/v1/x")))
            await asyncio.sleep(0.2)
        pool = client._pool.get()._transport._pool  # type: ignore[attr-defined]
        probing = isinstance(pool._network_backend, ProbingBackend)
        await client.close()
        server.close()
        await server.wait_closed()
        return answers, accepted, probing

    answers, accepted, probing = asyncio.run(run())
    assert answers == [{"ok": True}] * 3
    assert accepted == 3
    assert probing


def test_only_the_pools_the_core_makes_get_the_probe() -> None:
    async def run() -> tuple[Any, Any]:
        own = AsyncTestClient(api_key=KEY)
        theirs = httpx2.AsyncClient()
        given = AsyncTestClient(api_key=KEY, http_client=theirs)
        made, kept = own._pool.get()._transport._pool, given._pool.get()._transport._pool  # type: ignore[attr-defined]
        await own.close()
        await theirs.aclose()
        return made._network_backend, kept._network_backend

    made, kept = asyncio.run(run())
    assert isinstance(made, ProbingBackend) and not isinstance(kept, ProbingBackend)


def test_install_is_idempotent_and_leaves_custom_transports_alone() -> None:
    client = httpx2.AsyncClient(mounts={"http://mocked": httpx2.MockTransport(lambda r: httpx2.Response(204))})
    _probe.install(client)
    backend = client._transport._pool._network_backend  # type: ignore[attr-defined]
    _probe.install(client)
    assert isinstance(backend, ProbingBackend)
    assert client._transport._pool._network_backend is backend  # type: ignore[attr-defined]
    assert not isinstance(backend.inner, ProbingBackend)


def test_a_stream_without_a_socket_answers_the_probe_itself() -> None:
    class Socketless:  # as httpcore's mock streams: no socket, its own answer
        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return b""

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            pass

        async def aclose(self) -> None:
            pass

        def get_extra_info(self, info: str) -> Any:
            return {"is_readable": False, "socket": None}.get(info)

    class Backend:
        async def connect_tcp(self, *args: Any) -> Socketless:
            return Socketless()

    async def run() -> Any:
        stream = await ProbingBackend(Backend(), httpcore2._utils.is_socket_readable).connect_tcp("h", 1)
        return stream.get_extra_info("is_readable")

    assert asyncio.run(run()) is False  # (httpcore's own probe of "no socket" would say readable: closed)
