"""A connection pool does not outlive its event loop: ``asyncio.run()`` after ``asyncio.run()`` on one async client
(or one shared through a framework class) leaves no file descriptor, no connected or half-closed socket and no
warning behind, through the core client, ``ChatCerebras.ainvoke`` and ``CerebrasLLM.achat`` (against the sandbox on
a loopback port; the counts are of this process's own sockets)."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

ROUNDS = 50
SLACK = 6  # a few sockets may be mid-handshake or mid-close in the in-process server: never one per round
_ESTABLISHED, _CLOSE_WAIT = "01", "08"


def _socket_inodes() -> set[str]:
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed while listing
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def client_sockets(server_port: int) -> dict[str, int]:
    """This process's TCP sockets connected to ``server_port`` (the client ends), by state."""
    mine = _socket_inodes()
    counts = {_ESTABLISHED: 0, _CLOSE_WAIT: 0}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in rows.read().splitlines()[1:]:
                fields = row.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if fields[9] in mine and remote_port == server_port and fields[3] in counts:
                    counts[fields[3]] += 1
    return counts


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def unraisable() -> Iterator[list[Any]]:
    gc.collect()  # (as above: earlier tests' garbage is not this test's)
    seen: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


def _callers(sb: Any) -> dict[str, Callable[[], Callable[[], Awaitable[Any]]]]:
    key, url = "csk-sandbox-valid", sb.base_url("cerebras")
    user = [{"role": "user", "content": "hi"}]

    def core() -> Callable[[], Awaitable[Any]]:
        from neocloud.cerebras import AsyncCerebras

        client = AsyncCerebras(api_key=key, base_url=url)
        return lambda: client.chat.completions.create(model="llama3.1-8b", messages=user, max_tokens=4)

    def langchain() -> Callable[[], Awaitable[Any]]:
        from neocloud.langchain import ChatCerebras

        chat = ChatCerebras(model="llama3.1-8b", api_key=key, base_url=url, max_tokens=4)
        return lambda: chat.ainvoke("hi")

    def llamaindex() -> Callable[[], Awaitable[Any]]:
        from llama_index.core.llms import ChatMessage

        from neocloud.llamaindex import CerebrasLLM

        llm = CerebrasLLM(model="llama3.1-8b", api_key=key, base_url=url, max_tokens=4)
        return lambda: llm.achat([ChatMessage(role="user", content="hi")])

    return {"core": core, "ChatCerebras.ainvoke": langchain, "CerebrasLLM.achat": llamaindex}


@pytest.mark.parametrize("through", ["core", "ChatCerebras.ainvoke", "CerebrasLLM.achat"])
def test_repeated_asyncio_run_leaves_no_pool_behind(live_sandbox: Any, unraisable: list[Any], through: str) -> None:
    call = _callers(live_sandbox)[through]()

    async def once() -> Any:
        return await call()

    # The first round makes the client and its first pool, and forgets the pools of loops that earlier tests closed
    # without shutting them down (their sockets go with the collector, with a ResourceWarning that is not this
    # test's): both happen before warnings are recorded.
    assert asyncio.run(once()) is not None
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fds, sockets = open_fds(), client_sockets(live_sandbox.port)
        for _ in range(ROUNDS):
            assert asyncio.run(once()) is not None
        gc.collect()
        after = client_sockets(live_sandbox.port)
        assert open_fds() <= fds + SLACK
        assert after[_ESTABLISHED] <= sockets[_ESTABLISHED] + SLACK, after
        assert after[_CLOSE_WAIT] <= sockets[_CLOSE_WAIT] + SLACK, after
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == [] and unraisable == [], (
        [f"{w.filename}:{w.lineno}: {w.message}" for w in leaks[:3]],
        unraisable[:3],
    )


def test_a_loop_closed_without_shutdown_gives_up_its_pool(live_sandbox: Any, unraisable: list[Any]) -> None:
    """A loop closed without ``shutdown_asyncgens()`` cannot close its pool itself: the next pool the client makes
    forgets it (so such loops never accumulate), quietly."""
    from neocloud.cerebras import AsyncCerebras

    client = AsyncCerebras(api_key="csk-sandbox-valid", base_url=live_sandbox.base_url("cerebras"))

    async def once() -> Any:
        return await client.models.list()

    for _ in range(5):
        loop = asyncio.new_event_loop()
        loop.run_until_complete(once())
        loop.close()
    assert len(client._pool.per_loop) == 1  # only the last loop's, until the next pool is made
    assert asyncio.run(once()) is not None
    assert len(client._pool.per_loop) == 0 and client._pool._closers == {}
    gc.collect()
    assert unraisable == []
