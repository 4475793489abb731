"""The fault matrix (testing/neocloud_testing/faults.py) for every provider's chat call, sync and async, streaming
and not, against the live sandbox's fault injection. docs/reliability.md is generated from the same table."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neocloud_testing.faults import FAULTS, MODES, PROVIDERS, Fault
from neocloud_testing.leaks import texts_reachable

from neocloud.core import errors as nc
from neocloud.core._types import Timeout

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "user", "content": "Why is fast inference important?"}]
CHAT_PATHS = {"cerebras": "/v1/chat/completions", "clusterprotocol": "/v1/chat/completions",
              "runcrate": "/v1/chat/completions", "inferencekey": "/v1/chat/completions", "metalcloud": "/v1/inference"}  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud_testing.faults import matrix_sandbox

    with matrix_sandbox() as sb:
        yield sb


def build(provider: str, base: str, is_async: bool, counter: list[str]) -> Any:
    """The provider's own client, 2 retries, a 0.5 s read timeout, counting the requests it sends."""

    def hook(request: httpx.Request) -> None:
        counter.append(request.url.path)

    async def ahook(request: httpx.Request) -> None:
        counter.append(request.url.path)

    timeout = httpx.Timeout(2.0, read=0.5)
    http = (httpx.AsyncClient(timeout=timeout, event_hooks={"request": [ahook]}) if is_async
            else httpx.Client(timeout=timeout, event_hooks={"request": [hook]}))  # fmt: skip
    kw: dict[str, Any] = {"max_retries": 2, "http_client": http}
    if provider == "cerebras":
        from neocloud.cerebras import AsyncCerebras, Cerebras

        return (AsyncCerebras if is_async else Cerebras)(api_key="csk-sandbox-valid", base_url=base, **kw)
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

        return (AsyncClusterClient if is_async else ClusterClient)(
            api_key="sk-cluster-sandbox-valid", base_url=base, **kw
        )
    if provider == "runcrate":
        from neocloud.runcrate import AsyncRuncrate, Runcrate

        return (AsyncRuncrate if is_async else Runcrate)(api_key="rc_live_sandbox-valid", inference_url=base, **kw)
    if provider == "metalcloud":
        from neocloud.metalcloud import AsyncClient, Client

        return (AsyncClient if is_async else Client)(api_key="mc_sandbox-valid", base_url=base, **kw)
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    return (AsyncEndpoint if is_async else Endpoint)(base_url=base, project="acme", workload_slug="bot",
                                                     api_key="ik_live_sandbox-acme", http_client=http)  # fmt: skip


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def transport(client: Any) -> Any:
    """The core API client under a provider facade (where retries and their pauses happen)."""
    for name in ("_inference", "_client"):
        inner = getattr(client, name, None)
        if inner is not None and hasattr(inner, "_sleep"):
            return inner
    return client


def text_of(chunk: Any) -> str:
    choices = getattr(chunk, "choices", None)
    if choices:
        delta = getattr(choices[0], "delta", None) or getattr(choices[0], "message", None)
        return getattr(delta, "content", None) or getattr(choices[0], "text", None) or ""
    return getattr(chunk, "text", None) or ""


def chat(provider: str, client: Any, stream: bool) -> Any:
    if provider == "metalcloud":
        return client.inference(model="meta-llama/Llama-3.1-8B", messages=MESSAGES, max_tokens=16, stream=stream)
    return client.chat.completions.create(model="bot" if provider == "inferencekey" else _model(provider),
                                          messages=MESSAGES, max_tokens=16, stream=stream)  # fmt: skip


def _model(provider: str) -> str:
    return {"cerebras": "llama3.1-8b", "clusterprotocol": "llama-3.1-8b", "runcrate": "deepseek-ai/DeepSeek-V3"}[
        provider
    ]


def run_sync(provider: str, client: Any, stream: bool) -> str:
    result = chat(provider, client, stream)
    if not stream:
        return text_of(result)
    return "".join(text_of(chunk) for chunk in result)


async def run_async(provider: str, client: Any, stream: bool) -> str:
    result = await chat(provider, client, stream)
    if not stream:
        return text_of(result)
    return "".join([text_of(chunk) async for chunk in result])


CASES = [(f, p, m) for f in FAULTS for p in PROVIDERS for m in f.modes]


@pytest.mark.parametrize(("fault", "provider", "mode"), CASES,
                         ids=[f"{f.name}|{p}|{m}" for f, p, m in CASES])  # fmt: skip
def test_fault(fault: Fault, provider: str, mode: str, sandbox: Any) -> None:
    sandbox.clear_faults()
    base = sandbox.base_url(provider)
    if fault.spec.get("refused"):
        base = f"http://127.0.0.1:{_closed_port()}/{provider}"
    is_async, stream = mode.startswith("async"), mode.endswith("stream")
    sent: list[str] = []
    client = build(provider, base, is_async, sent)
    pauses: list[float] = []
    api = transport(client)
    limits = {"connect": 2.0, "read": 0.5, "write": 2.0, "pool": 2.0, **(fault.client_timeout or {})}
    api.timeout = Timeout(**limits)  # a stall is noticed in half a second, unless the row says otherwise
    api.max_response_bytes = 100_000
    outcome, requests = fault.expected(provider)
    if is_async:

        async def pause(seconds: float) -> None:
            pauses.append(seconds)

        api._sleep = pause
    else:
        api._sleep = pauses.append
    if not fault.spec.get("refused"):
        sandbox.faults(provider, [{**fault.spec, "path": CHAT_PATHS[provider], "times": 1}])
    try:
        if outcome == "retried":
            text = asyncio.run(run_async(provider, client, stream)) if is_async else run_sync(provider, client, stream)
            assert text  # the answer, whole
            if fault.delay is not None:
                backoff = api.retry_backoff  # a fixed retry delay is a floor under the server's wait
                floor = backoff.delay(0, jitter=0.0) if backoff.floor else 0.0
                assert pauses == [pytest.approx(max(fault.delay, floor), abs=1e-6)]
            else:
                assert len(pauses) == 1 and 0 < pauses[0] <= 8
        else:
            expected = getattr(nc, outcome)
            with pytest.raises(expected) as info:
                asyncio.run(run_async(provider, client, stream)) if is_async else run_sync(provider, client, stream)
            err = info.value
            if isinstance(err, nc.APIStatusError):
                assert err.status_code and err.message and err.request_id
            # No key anywhere the error reaches: .request, .response.request, the cause chain, repr, pickle.
            leaks = [t[:160] for t in texts_reachable(err) if "sandbox-valid" in t or "sandbox-acme" in t]
            assert not leaks, leaks
            assert len(pauses) == requests - 1  # only a refused connection is retried before the error
        assert len([p for p in sent if p.endswith(CHAT_PATHS[provider])]) == requests
    finally:
        sandbox.clear_faults()


def test_reliability_page_matches_the_matrix() -> None:
    done = subprocess.run([sys.executable, "scripts/gen_reliability.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_matrix_size() -> None:
    assert len(CASES) == sum(len(f.modes) for f in FAULTS) * len(PROVIDERS) and set(MODES) >= {m for *_, m in CASES}
