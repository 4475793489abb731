"""Every provider's client against a hostile loopback server (``neocloud_testing.hostile``): each misbehaviour
arrives as the matching class of the typed tree, with the request id, within the total deadline, in one message
format, and with the API key reachable from nowhere in the error (attributes, cause chain, ``repr``, pickle)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from neocloud_testing.hostile import hostile_server
from neocloud_testing.leaks import texts_reachable

from neocloud.core import errors as nc
from neocloud.core._types import Timeout

PROVIDERS = ("cerebras", "clusterprotocol", "runcrate", "inferencekey", "metalcloud")
LABELS = {"cerebras": "Cerebras", "clusterprotocol": "Cluster Protocol", "runcrate": "Runcrate",
          "inferencekey": "InferenceKey", "metalcloud": "MetalCloud"}  # fmt: skip
SECRET = "0123456789-very-secret"
KEYS = {"cerebras": "csk-" + SECRET, "clusterprotocol": "sk-cluster-" + SECRET, "runcrate": "rc_live_" + SECRET,
        "inferencekey": "ik_live_" + SECRET, "metalcloud": "mc_" + SECRET}  # fmt: skip
MESSAGES = [{"role": "user", "content": "hi"}]
# scenario -> (the error, the modes it is met in)
PLAIN, STREAM = ("sync", "async"), ("sync stream", "async stream")
CASES_BY_SCENARIO: dict[str, tuple[type[nc.APIError], tuple[str, ...]]] = {
    "drip": (nc.APITimeoutError, PLAIN),
    "gzip": (nc.APIResponseValidationError, PLAIN),
    "loop": (nc.APIConnectionError, PLAIN + STREAM),
    "deep": (nc.APIResponseValidationError, PLAIN),
    "html": (nc.APIResponseValidationError, PLAIN),
    "shape": (nc.APIResponseValidationError, PLAIN),
    "badjson": (nc.APIResponseValidationError, PLAIN),
    "bigline": (nc.StreamFormatError, STREAM),
}
TOTAL = 1.5  # the whole-call deadline the clients get
EVENT_CAP = 1024 * 1024  # the longest stream event the clients accept here (16 MiB by default); the server sends 4 MB


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with hostile_server() as url:
        yield url


def client_for(provider: str, base: str, is_async: bool) -> Any:
    """The provider's own client, given a neocloud ``Timeout`` with a total deadline (every client accepts one)."""
    timeout = Timeout(connect=2.0, read=10.0, write=10.0, pool=10.0, total=TOTAL)
    if provider == "cerebras":
        from neocloud.cerebras import AsyncCerebras, Cerebras

        return (AsyncCerebras if is_async else Cerebras)(api_key=KEYS[provider], base_url=base, timeout=timeout,
                                                         max_retries=0)  # fmt: skip
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

        return (AsyncClusterClient if is_async else ClusterClient)(api_key=KEYS[provider], base_url=base,
                                                                   timeout=timeout, max_retries=0)  # fmt: skip
    if provider == "runcrate":
        from neocloud.runcrate import AsyncRuncrate, Runcrate

        return (AsyncRuncrate if is_async else Runcrate)(api_key=KEYS[provider], base_url=base, inference_url=base,
                                                         timeout=timeout, max_retries=0)  # fmt: skip
    if provider == "metalcloud":
        from neocloud.metalcloud import AsyncClient, Client

        return (AsyncClient if is_async else Client)(api_key=KEYS[provider], base_url=base, timeout=timeout,
                                                     max_retries=0)  # fmt: skip
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    return (AsyncEndpoint if is_async else Endpoint)(base_url=base, project="acme", workload_slug="bot",
                                                     api_key=KEYS[provider], timeout=timeout)  # fmt: skip


def core_client(client: Any) -> Any:
    """The core API client under a provider facade."""
    for name in ("_inference", "_client"):
        inner = getattr(client, name, None)
        if inner is not None and hasattr(inner, "max_event_bytes"):
            return inner
    return client


def chat(provider: str, client: Any, stream: bool) -> Any:
    if provider == "metalcloud":
        return client.inference(model="meta-llama/Llama-3.1-8B", messages=MESSAGES, max_tokens=8, stream=stream)
    return client.chat.completions.create(model="m", messages=MESSAGES, max_tokens=8, stream=stream)


def call(provider: str, base: str, mode: str) -> BaseException:
    """Run one chat call in ``mode``; the exception it raised."""
    is_async, stream = mode.startswith("async"), mode.endswith("stream")
    client = client_for(provider, base, is_async)
    core_client(client).max_event_bytes = EVENT_CAP

    async def run_async() -> None:
        result = await chat(provider, client, stream)
        if stream:
            async for _ in result:
                pass

    try:
        if is_async:
            asyncio.run(run_async())
        else:
            result = chat(provider, client, stream)
            if stream:
                for _ in result:
                    pass
    except BaseException as exc:
        return exc
    raise AssertionError(f"{provider} {mode}: no error")


def assert_no_key(err: BaseException, key: str) -> None:
    leaks = [text[:160] for text in texts_reachable(err) if key in text or SECRET in text]
    assert not leaks, leaks


CASES = [(s, p, m) for s, (_, modes) in CASES_BY_SCENARIO.items() for p in PROVIDERS for m in modes]


@pytest.mark.parametrize(("scenario", "provider", "mode"), CASES, ids=[f"{s}|{p}|{m}" for s, p, m in CASES])
def test_hostile_answer_is_typed_bounded_and_keyless(server: str, scenario: str, provider: str, mode: str) -> None:
    expected, _ = CASES_BY_SCENARIO[scenario]
    started = time.monotonic()
    err = call(provider, f"{server}/{scenario}", mode)
    elapsed = time.monotonic() - started
    assert isinstance(err, expected), (type(err), err)
    assert type(err).__module__.startswith("neocloud."), type(err)
    assert elapsed < TOTAL + 1.5, elapsed  # the deadline bounds the whole call, body reads included
    text = str(err)
    assert text.startswith((LABELS[provider] + " ", LABELS[provider] + ": ")), text
    if scenario != "loop":  # every answer carried a request id (a redirect loop ends with no answer)
        assert err.request_id == f"req_{scenario}" and text.endswith(f"(request id req_{scenario})"), text
    else:
        assert text.startswith(f"{LABELS[provider]} connection error: could not connect to 127.0.0.1: "), text
    assert_no_key(err, KEYS[provider])


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("scenario", ["deep", "shape", "html"])
def test_runcrate_control_plane_answers_are_typed(server: str, scenario: str, mode: str) -> None:
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    base = f"{server}/{scenario}"
    if mode == "async":

        async def run() -> None:
            await AsyncRuncrate(api_key=KEYS["runcrate"], base_url=base, max_retries=0).instances.get("i-1")

        with pytest.raises(nc.APIResponseValidationError) as info:
            asyncio.run(run())
    else:
        with pytest.raises(nc.APIResponseValidationError) as info:
            Runcrate(api_key=KEYS["runcrate"], base_url=base, max_retries=0).instances.get("i-1")
    assert info.value.request_id == f"req_{scenario}"
    assert str(info.value).startswith("Runcrate: the answer is not a valid answer of the documented shape"), str(
        info.value
    )
    assert_no_key(info.value, KEYS["runcrate"])


def test_a_launch_never_outlives_the_callers_total_deadline(server: str) -> None:
    """``instances.create`` has a documented 75 s minimum per-phase timeout; the caller's total deadline still
    bounds it (here a launch whose answer drips in)."""
    from neocloud.runcrate import Runcrate

    client = Runcrate(api_key=KEYS["runcrate"], base_url=f"{server}/drip", max_retries=0,
                      timeout=Timeout(connect=2, read=2, write=2, pool=2, total=TOTAL))  # fmt: skip
    started = time.monotonic()
    with pytest.raises(nc.APITimeoutError, match="total deadline"):
        client.instances.create(name="n", gpu_type="A100", gpu_count=1, ssh_key_id="k-1", max_runtime_minutes=10)
    assert time.monotonic() - started < TOTAL + 1.5


@pytest.mark.parametrize("provider", PROVIDERS)
def test_headers_dripped_forever_end_at_the_total_deadline(server: str, provider: str) -> None:
    """A sync call whose status line and headers never finish (each byte well within the read timeout) ends with
    the deadline: every socket operation of the exchange waits only for the time left (``_deadline_io``)."""
    started = time.monotonic()
    err = call(provider, f"{server}/headdrip", "sync")
    assert time.monotonic() - started < TOTAL + 1.0
    assert isinstance(err, nc.APITimeoutError), repr(err)
    assert "total deadline" in str(err)
    assert_no_key(err, KEYS[provider])


@pytest.mark.parametrize("library", ["httpx2", "httpx"])
@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_callers_own_http_client_gets_the_same_header_deadline(server: str, library: str, stream: bool) -> None:
    import importlib

    from neocloud.cerebras import Cerebras

    http = importlib.import_module(library).Client()
    client = Cerebras(api_key=KEYS["cerebras"], base_url=f"{server}/headdrip", max_retries=0, http_client=http,
                      timeout=Timeout(connect=2.0, read=10.0, write=10.0, pool=10.0, total=TOTAL))  # fmt: skip
    started = time.monotonic()
    with pytest.raises(nc.APITimeoutError, match="total deadline"):
        chat("cerebras", client, stream)
    assert time.monotonic() - started < TOTAL + 1.0
    # Outside a neocloud call the caller's client has no deadline of ours: its own timeout still applies.
    with pytest.raises(importlib.import_module(library).ReadTimeout):
        http.get(f"{server}/headdrip/x", timeout=0.05)
    http.close()


def _download(base: str, dest: Any, is_async: bool) -> BaseException:
    from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

    timeout = Timeout(connect=2.0, read=10.0, write=10.0, pool=10.0, total=TOTAL)
    try:
        if is_async:

            async def run() -> None:
                client = AsyncClusterClient(api_key=KEYS["clusterprotocol"], base_url=base, timeout=timeout,
                                            max_retries=0)  # fmt: skip
                await client.datasets.download_file("ds_1", "bafy1", dest)

            asyncio.run(run())
        else:
            client = ClusterClient(api_key=KEYS["clusterprotocol"], base_url=base, timeout=timeout, max_retries=0)
            client.datasets.download_file("ds_1", "bafy1", dest)
    except BaseException as exc:
        return exc
    raise AssertionError("the download did not fail")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("scenario", "expected", "message"),
    [("drip", nc.APITimeoutError, "total deadline"), ("short", nc.APIConnectionError, "was cut off"),
     ("gzip", nc.APIResponseValidationError, "cannot be decoded")],
)  # fmt: skip
def test_a_download_iterated_by_the_caller_is_bounded_and_typed(
    server: str, tmp_path: Any, scenario: str, expected: type[Exception], message: str, mode: str
) -> None:
    """A file download's body is iterated after the request loop returned; a dripped body still ends at the
    deadline (not as a silently short file), and a cut or undecodable body is a typed error without the key."""
    started = time.monotonic()
    err = _download(f"{server}/{scenario}", tmp_path / "f.bin", mode == "async")
    assert time.monotonic() - started < TOTAL + 1.0
    assert isinstance(err, expected), repr(err)
    assert message in str(err)
    assert err.request_id == f"req_{scenario}"  # type: ignore[attr-defined]
    assert_no_key(err, KEYS["clusterprotocol"])


def test_langchain_and_llamaindex_surface_the_typed_error_without_the_key(server: str) -> None:
    from langchain_core.callbacks import BaseCallbackHandler
    from llama_index.core.base.llms.types import ChatMessage

    from neocloud.langchain import ChatCerebras
    from neocloud.llamaindex import CerebrasLLM

    received: list[BaseException] = []

    class Spy(BaseCallbackHandler):
        def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
            received.append(error)

    for scenario, expected in (("gzip", nc.APIResponseValidationError), ("deep", nc.APIResponseValidationError),
                               ("loop", nc.APIConnectionError), ("html", nc.APIResponseValidationError)):  # fmt: skip
        base = f"{server}/{scenario}"
        lc = ChatCerebras(model="m", api_key=KEYS["cerebras"], base_url=base, max_retries=0)
        with pytest.raises(expected) as info:
            lc.invoke("hi", config={"callbacks": [Spy()]})
        assert received and received[-1] is info.value
        assert_no_key(info.value, KEYS["cerebras"])
        llm = CerebrasLLM(model="m", api_key=KEYS["cerebras"], base_url=base, max_retries=0)
        with pytest.raises(expected) as li:
            llm.chat([ChatMessage(role="user", content="hi")])
        assert_no_key(li.value, KEYS["cerebras"])
