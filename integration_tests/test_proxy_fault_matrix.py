"""The network-fault matrix (testing/neocloud_testing/proxy_faults.py): every fault the loopback proxy injects, for
every provider's chat call, on every path it applies to (sync, async, sync stream, async stream, LangChain invoke,
LlamaIndex chat). Each case must end in the typed neocloud error of its row — never a raw httpx, pydantic or
``RecursionError`` — within the total deadline plus a small margin, with the API key in none of ``repr``, ``str``
or ``pickle.dumps`` of the error. docs/reliability.md is generated from the same table.

Speed: one sandbox and one proxy per module, and the cases of a fault run side by side (``WORKERS`` at a time, each
in its own thread with its own client and its own proxy route), once, the first time one of them is asked for;
each test then checks its own case's outcome. Waiting for a deadline so costs seconds per fault, not per case."""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from neocloud_testing.faults import PROVIDERS
from neocloud_testing.proxy import FaultProxy, Plan
from neocloud_testing.proxy_faults import (
    MARGIN_S,
    MAX_RESPONSE_BYTES,
    PATHS,
    PROXY_FAULTS,
    STREAMS,
    TIMEOUTS,
    ProxyFault,
)

from neocloud.core import errors as nc
from neocloud.core._types import Timeout

CAP_S = 6.0  # the proxy cuts any connection after this: a client ignoring its deadline fails fast, not in 30 s
MESSAGES = [{"role": "user", "content": "Why is fast inference important?"}]
SECRET = "PROXYSECRET7f3a9c"  # in every key, so a leak of any part of a key is caught
KEYS = {"cerebras": f"csk-{SECRET}", "clusterprotocol": f"sk-cluster-{SECRET}", "runcrate": f"rc_live_{SECRET}",
        "inferencekey": f"ik_live_{SECRET}-acme", "metalcloud": f"mc_{SECRET}"}  # fmt: skip
MODELS = {"cerebras": "llama3.1-8b", "clusterprotocol": "llama-3.1-8b", "runcrate": "deepseek-ai/DeepSeek-V3",
          "inferencekey": "bot", "metalcloud": "meta-llama/Llama-3.1-8B"}  # fmt: skip
LANGCHAIN = {"cerebras": "ChatCerebras", "clusterprotocol": "ChatClusterProtocol", "runcrate": "ChatRuncrate",
             "inferencekey": "ChatInferenceKey", "metalcloud": "ChatMetalCloud"}  # fmt: skip
LLAMAINDEX = {"cerebras": "CerebrasLLM", "clusterprotocol": "ClusterProtocolLLM", "runcrate": "RuncrateLLM",
              "inferencekey": "InferenceKeyLLM", "metalcloud": "MetalCloudLLM"}  # fmt: skip


@dataclass
class Outcome:
    """What one case did: the exception it raised (or ``None``), how long the call took, the text it returned."""

    error: BaseException | None
    elapsed: float
    text: str = ""


@pytest.fixture(scope="module")
def rig() -> Iterator[tuple[Any, FaultProxy]]:
    from neocloud_testing.faults import matrix_sandbox

    with matrix_sandbox() as sb, FaultProxy("127.0.0.1", sb.port, cap_s=CAP_S) as proxy:
        # Warm up every path once (imports, model tables, validators), so the timed calls that later run side by
        # side measure the call, not a first import holding the GIL in a neighbouring thread.
        for path in PATHS:
            run_case("cerebras", path, proxy.route(Plan("pass")) + "/cerebras")
        yield sb, proxy


def _core_clients(root: Any) -> list[Any]:
    """Every core API client reachable from a facade, a LangChain model or a LlamaIndex LLM (the objects that own
    the timeout, the body limit and the retries)."""
    found: list[Any] = []
    seen: set[int] = set()
    todo = [(root, 0)]
    while todo:
        obj, depth = todo.pop()
        if id(obj) in seen or depth > 5 or isinstance(obj, str | int | float | bytes | type):
            continue
        seen.add(id(obj))
        if hasattr(obj, "_sleep") and hasattr(obj, "max_response_bytes"):
            found.append(obj)
            continue
        values = list(getattr(obj, "__dict__", {}).values()) + list(getattr(obj, "__pydantic_private__", None) or {})
        todo += [(v, depth + 1) for v in values if not callable(v) or hasattr(v, "__dict__")]
    return found


def _configure(root: Any) -> Any:
    clients = _core_clients(root)
    assert clients, f"no core client under {type(root).__name__}"
    for api in clients:
        api.timeout = Timeout(**TIMEOUTS)
        api.max_response_bytes = MAX_RESPONSE_BYTES
    return root


def _facade(provider: str, base: str, is_async: bool) -> Any:
    kw: dict[str, Any] = {"api_key": KEYS[provider], "max_retries": 2}
    if provider == "cerebras":
        from neocloud.cerebras import AsyncCerebras, Cerebras

        return (AsyncCerebras if is_async else Cerebras)(base_url=base, **kw)
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

        return (AsyncClusterClient if is_async else ClusterClient)(base_url=base, **kw)
    if provider == "runcrate":
        from neocloud.runcrate import AsyncRuncrate, Runcrate

        return (AsyncRuncrate if is_async else Runcrate)(inference_url=base, **kw)
    if provider == "metalcloud":
        from neocloud.metalcloud import AsyncClient, Client

        return (AsyncClient if is_async else Client)(base_url=base, **kw)
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    return (AsyncEndpoint if is_async else Endpoint)(base_url=base, project="acme", workload_slug="bot",
                                                     api_key=KEYS[provider])  # fmt: skip


def _text(item: Any) -> str:
    choices = getattr(item, "choices", None)
    if choices:
        part = getattr(choices[0], "delta", None) or getattr(choices[0], "message", None)
        return getattr(part, "content", None) or ""
    return getattr(item, "text", None) or ""


def _call(provider: str, client: Any, stream: bool) -> Any:
    if provider == "metalcloud":
        return client.inference(model=MODELS[provider], messages=MESSAGES, max_tokens=16, stream=stream)
    return client.chat.completions.create(model=MODELS[provider], messages=MESSAGES, max_tokens=16, stream=stream)


async def _acall(provider: str, client: Any, stream: bool) -> str:
    result = await _call(provider, client, stream)
    return "".join([_text(c) async for c in result]) if stream else _text(result)


def prepare(provider: str, path: str, base: str) -> Callable[[], str]:
    """The client for one case, built and configured; calling the result makes the call."""
    stream = path in STREAMS
    if path == "LangChain invoke":
        import neocloud.langchain as lc_pkg

        extra = {"project": "acme"} if provider == "inferencekey" else {}
        model = getattr(lc_pkg, LANGCHAIN[provider])(model=MODELS[provider], api_key=KEYS[provider], base_url=base,
                                                    max_retries=2, **extra)  # fmt: skip
        _configure(model._sync_backend())
        call: Any = lambda: model.invoke("Hello").content  # noqa: E731
    elif path == "LlamaIndex chat":
        from llama_index.core.base.llms.types import ChatMessage

        import neocloud.llamaindex as li_pkg

        extra = {"project": "acme"} if provider == "inferencekey" else {}
        llm = getattr(li_pkg, LLAMAINDEX[provider])(model=MODELS[provider], api_key=KEYS[provider], base_url=base,
                                                    max_retries=2, **extra)  # fmt: skip
        _configure(llm._sync_backend())
        call = lambda: llm.chat([ChatMessage(role="user", content="Hello")]).message.content  # noqa: E731
    elif path.startswith("async"):
        client = _configure(_facade(provider, base, True))
        call = lambda: asyncio.run(_acall(provider, client, stream))  # noqa: E731
    else:
        client = _configure(_facade(provider, base, False))
        call = lambda: (  # noqa: E731
            "".join(_text(c) for c in _call(provider, client, True))
            if stream
            else _text(_call(provider, client, False))
        )
    return lambda: str(call())


def run_case(provider: str, path: str, base: str) -> Outcome:
    """One call through the proxy; the clock starts when the call does (building the client is not timed)."""
    call = prepare(provider, path, base)
    started = time.monotonic()
    try:
        text = call()
    except BaseException as exc:  # whatever escapes is the finding
        return Outcome(exc, time.monotonic() - started)
    return Outcome(None, time.monotonic() - started, text)


# Cases of one fault run side by side, this many at a time: most of a case is waiting (a stall, a backoff, the
# deadline), so ten overlap well even on one core, while few enough threads stay runnable that every deadline is
# still measured, not the scheduler.
WORKERS = 10
_OUTCOMES: dict[tuple[str, str, str], Outcome] = {}


def outcome(proxy: FaultProxy, fault: ProxyFault, provider: str, path: str) -> Outcome:
    """This case's outcome; the first time any case of ``fault`` is asked for, all of them run at once."""
    if (fault.name, provider, path) not in _OUTCOMES:
        cases = [(p, m) for p in PROVIDERS for m in fault.paths]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = {case: pool.submit(run_case, case[0], case[1], proxy.route(fault.plan) + f"/{case[0]}")
                       for case in cases}  # fmt: skip
            for (p, m), future in futures.items():
                _OUTCOMES[(fault.name, p, m)] = future.result()
    return _OUTCOMES[(fault.name, provider, path)]


CASES = [(f, p, m) for f in PROXY_FAULTS for p in PROVIDERS for m in f.paths]


@pytest.mark.parametrize(("fault", "provider", "path"), CASES,
                         ids=[f"{f.name}|{p}|{m}" for f, p, m in CASES])  # fmt: skip
def test_network_fault(rig: Any, fault: ProxyFault, provider: str, path: str) -> None:
    _, proxy = rig
    result = outcome(proxy, fault, provider, path)
    expected = getattr(nc, fault.expected(path))
    err = result.error
    assert err is not None, f"no error: the call returned {result.text!r} in {result.elapsed:.2f} s"
    assert isinstance(err, expected), f"{type(err).__module__}.{type(err).__name__}: {str(err)[:300]}"
    assert result.elapsed <= TIMEOUTS["total"] + MARGIN_S, f"took {result.elapsed:.2f} s"
    for shown in (repr(err), str(err), pickle.dumps(err)):
        text = shown.decode("latin-1") if isinstance(shown, bytes) else shown
        assert SECRET not in text, "the API key leaked"


def test_the_rig_relays_a_clean_answer(rig: Any) -> None:
    """A control: through a ``pass`` route every path gets the whole answer, so a fault's error is the fault's."""
    _, proxy = rig
    for provider in PROVIDERS:
        for path in ("sync", "async stream", "LangChain invoke"):
            result = run_case(provider, path, proxy.route(Plan("pass")) + f"/{provider}")
            assert result.error is None and result.text, (provider, path, repr(result.error))


def test_matrix_size() -> None:
    assert len(CASES) == sum(len(f.paths) for f in PROXY_FAULTS) * len(PROVIDERS) > 250


def test_the_proxy_damages_the_wire_as_its_plan_says(rig: Any) -> None:
    """The faults themselves, seen by plain httpx: each plan really does what its row says."""
    import httpx

    _, proxy = rig
    auth = {"Authorization": f"Bearer {KEYS['cerebras']}"}
    body = {"model": MODELS["cerebras"], "messages": MESSAGES, "max_tokens": 4}
    with httpx.Client(timeout=2.0) as http:

        def post(kind: str, **kw: Any) -> httpx.Response:
            url = proxy.route(Plan(kind)) + "/cerebras/v1/chat/completions"
            return http.post(url, json=body, headers=auth, **kw)

        clean = post("pass")
        assert clean.status_code == 200 and clean.json()["choices"][0]["message"]["content"]
        redirect = http.send(http.build_request("POST", proxy.route(Plan("redirect_loop")) + "/x", json=body))
        assert redirect.status_code == 307 and redirect.headers["location"] == str(redirect.request.url)
        with pytest.raises(httpx.DecodingError):
            post("lying_gzip")
        with pytest.raises(httpx.RemoteProtocolError):
            post("garbage")
        with pytest.raises(httpx.RemoteProtocolError):
            post("truncated_chunked")
        with pytest.raises(httpx.ReadTimeout):
            post("stall_before_headers", timeout=0.3)
        url = proxy.route(Plan("oversized_line", size=1024 * 1024)) + "/cerebras/v1/chat/completions"
        with (
            http.stream("POST", url, json=body, headers=auth, timeout=0.5) as response,
            pytest.raises(httpx.ReadTimeout),
        ):
            received = 0
            for piece in response.iter_raw():
                received += len(piece)
        assert received >= 1024 * 1024 and response.status_code == 200


def test_a_plan_names_a_known_fault() -> None:
    with pytest.raises(ValueError, match="unknown proxy fault 'explode'"):
        Plan("explode")
