"""A call refused before sending is caught by the ``except`` clauses each provider's own documentation shows
(Cerebras' ``BadRequestError`` / ``APIStatusError`` / ``APIError``, Cluster Protocol's ``ClusterAPIError``,
Runcrate's ``BadRequestError`` / ``UnprocessableEntityError``, InferenceKey's ``ValidationError``, MetalCloud's
``MetalCloudError``) and by ``neocloud.core.RequestValidationError``, names the argument, has no status, is never
retried and sends nothing: from every client, sync and async, and from the LangChain and LlamaIndex classes."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from neocloud.core import errors as nc
from neocloud.core._transport import retry_of


def nothing_sent(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.method} {request.url}")


def sync_http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(nothing_sent))


def async_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(nothing_sent))


def seed_classes(provider: str) -> tuple[type[BaseException], ...]:
    """What the provider's own documentation has users write in ``except`` for a bad call."""
    if provider == "cerebras":
        import neocloud.cerebras as cb

        return cb.BadRequestError, cb.APIStatusError, cb.APIError
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol.errors import ClusterAPIError

        return (ClusterAPIError,)
    if provider == "runcrate":
        import neocloud.runcrate as rc

        return rc.BadRequestError, rc.UnprocessableEntityError
    if provider == "inferencekey":
        import neocloud.inferencekey as ik

        return ik.ValidationError, ik.InferenceKeyError
    from neocloud.metalcloud.exceptions import BadRequestError, MetalCloudError

    return MetalCloudError, BadRequestError


MSG = [{"role": "user", "content": "hi"}]
KEYS = {"cerebras": "csk-x", "clusterprotocol": "sk-cluster-x", "runcrate": "rc_live_x", "metalcloud": "mc_x",
        "inferencekey": "ik_live_x"}  # fmt: skip
URLS = {"inferencekey": "http://x.invalid/endpoint/acme/bot"}


def client(provider: str, is_async: bool) -> Any:
    http = async_http() if is_async else sync_http()
    key, url = KEYS[provider], URLS.get(provider, "http://x.invalid")
    if provider == "cerebras":
        from neocloud.cerebras import AsyncCerebras, Cerebras

        return (AsyncCerebras if is_async else Cerebras)(api_key=key, base_url=url, http_client=http)
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

        return (AsyncClusterClient if is_async else ClusterClient)(api_key=key, base_url=url, http_client=http)
    if provider == "runcrate":
        from neocloud.runcrate import AsyncRuncrate, Runcrate

        cls = AsyncRuncrate if is_async else Runcrate
        return cls(api_key=key, base_url=url, inference_url=url, http_client=http)
    if provider == "metalcloud":
        from neocloud.metalcloud import AsyncClient, Client

        return (AsyncClient if is_async else Client)(api_key=key, base_url=url, http_client=http)
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    cls = AsyncEndpoint if is_async else Endpoint
    return cls(base_url="http://x.invalid", project="acme", workload_slug="bot", api_key=key, http_client=http)


def management(is_async: bool) -> Any:
    from neocloud.inferencekey import AsyncManagementClient, ManagementClient

    cls = AsyncManagementClient if is_async else ManagementClient
    return cls(base_url="http://x.invalid", sdk_token="ik_sdk_x", project="acme",
               http_client=async_http() if is_async else sync_http())  # fmt: skip


def langchain_model(provider: str, **settings: Any) -> Any:
    import neocloud.langchain as lc
    from neocloud.langchain._registry import PROVIDERS

    cls = getattr(lc, PROVIDERS[provider].chat_class)
    return cls(api_key=KEYS[provider], base_url=URLS.get(provider, "http://x.invalid"), http_client=sync_http(),
               http_async_client=async_http(), max_retries=2, **settings)  # fmt: skip


def llamaindex_llm(provider: str) -> Any:
    import neocloud.llamaindex as li
    from neocloud.llamaindex._registry import PROVIDERS

    cls = getattr(li, PROVIDERS[provider].llm_class)
    return cls(api_key=KEYS[provider], base_url=URLS.get(provider, "http://x.invalid"), http_client=sync_http(),
               async_http_client=async_http())  # fmt: skip


def li_messages() -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content="hi")]


@dataclass(frozen=True)
class Case:
    """One refused call: ``call(is_async)`` returns the result (an awaitable when async)."""

    provider: str
    what: str
    param: str
    call: Callable[[bool], Any]


def chat(provider: str, **kwargs: Any) -> Callable[[bool], Any]:
    model = {"cerebras": "llama3.1-8b", "clusterprotocol": "llama-3.1-8b"}.get(provider, "m")
    return lambda a: client(provider, a).chat.completions.create(**{"model": model, "messages": MSG, **kwargs})


def lc_invoke(provider: str, call: dict[str, Any] | None = None, **settings: Any) -> Callable[[bool], Any]:
    """``invoke`` / ``ainvoke`` of the provider's LangChain chat model built with ``settings``, called with ``call``."""

    def run(is_async: bool) -> Any:
        model = langchain_model(provider, **settings)
        return (model.ainvoke if is_async else model.invoke)("hi", **(call or {}))

    return run


def li_chat(provider: str, **kwargs: Any) -> Callable[[bool], Any]:
    return lambda a: (llamaindex_llm(provider).achat if a else llamaindex_llm(provider).chat)(li_messages(), **kwargs)


def wait(provider: str, method: str, *args: Any, **kwargs: Any) -> Callable[[bool], Any]:
    def call(a: bool) -> Any:
        target = client(provider, a)
        for part in method.split("."):
            target = getattr(target, part)
        return target(*args, **kwargs)

    return call


def _spec(slug: str) -> Any:
    from neocloud.inferencekey import Backend, WorkloadSpec

    return WorkloadSpec(name="x", slug=slug, model="org/m", backend=Backend.VLLM)


PROVIDERS = ("cerebras", "clusterprotocol", "runcrate", "inferencekey", "metalcloud")
CASES: list[Case] = [
    # Every provider, through its OpenAI-style or own chat call and both framework classes.
    *[Case(p, "langchain temperature", "temperature", lc_invoke(p, temperature=5)) for p in PROVIDERS],
    *[Case(p, "llamaindex top_p", "top_p", li_chat(p, top_p=5)) for p in PROVIDERS],
    *[Case(p, "chat messages=[]", "messages", chat(p, messages=[])) for p in PROVIDERS if p != "metalcloud"],
    *[Case(p, "chat temperature", "temperature", chat(p, temperature=5)) for p in PROVIDERS if p != "metalcloud"],
    Case("cerebras", "completions stream='yes'", "stream",
         lambda a: client("cerebras", a).completions.create(model="llama3.1-8b", prompt="hi", stream="yes")),
    Case("cerebras", "models.retrieve('')", "model_id", wait("cerebras", "models.retrieve", "")),
    Case("clusterprotocol", "fine_tuning.create", "epochs",
         wait("clusterprotocol", "fine_tuning.create", "llama-3.1-8b", "https://d.example/t.jsonl", epochs=0)),
    Case("clusterprotocol", "datasets.list limit", "limit", wait("clusterprotocol", "datasets.list", limit=0)),
    Case("runcrate", "models.chat_completion", "temperature",
         wait("runcrate", "models.chat_completion", "m", MSG, temperature=5)),
    Case("runcrate", "instances.create gpu_count", "gpu_count",
         wait("runcrate", "instances.create", name="x", ssh_key_id="k", gpu_type="A100", gpu_count=0)),
    Case("runcrate", "jobs.run", "max_runtime_minutes",
         wait("runcrate", "jobs.run", command="x", gpu_type="A100", max_runtime_minutes=0)),
    Case("runcrate", "billing.top_up", "amount_usd", wait("runcrate", "billing.top_up", amount_usd=1)),
    Case("inferencekey", "generate_text", "temperature",
         wait("inferencekey", "generate_text", prompt="hi", temperature=5)),
    Case("inferencekey", "embeddings.create model=''", "model",
         lambda a: client("inferencekey", a).embeddings.create(input="hi", model="")),
    Case("inferencekey", "ensure bad slug", "slug", lambda a: management(a).ensure(_spec("a/b"))),
    Case("metalcloud", "inference temperature", "temperature",
         wait("metalcloud", "inference", model="meta-llama/Llama-3.1-8B", prompt="hi", temperature=3)),
    Case("metalcloud", "get_job('')", "job_id", wait("metalcloud", "get_job", "")),
    Case("metalcloud", "langchain unsupported", "logprobs", lc_invoke("metalcloud", call={"logprobs": True})),
]  # fmt: skip


def refused(case: Case, is_async: bool) -> BaseException:
    with pytest.raises(nc.RequestValidationError) as info:
        result = case.call(is_async)
        if is_async:
            asyncio.run(result)
    return info.value


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c.provider}-{c.what}" for c in CASES])
def test_a_local_refusal_is_caught_by_the_providers_documented_except_classes(case: Case, is_async: bool) -> None:
    err = refused(case, is_async)  # (the transport fails the test if anything is sent)
    for cls in seed_classes(case.provider):
        assert isinstance(err, cls), f"{type(err).__mro__} is not a {cls.__module__}.{cls.__qualname__}"
    assert isinstance(err, nc.BadRequestError)  # the same 400 class for every provider and framework
    assert err.param is not None and err.param.split(".")[0] == case.param, err  # type: ignore[attr-defined]
    assert case.param in str(err) and not str(err).startswith("Error code")
    assert err.status_code is None and err.response is None and err.request_id is None  # type: ignore[attr-defined]
    assert retry_of(err) is None  # nothing was sent, so nothing to retry


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_framework_errors_are_also_the_frameworks_own_invalid_request_classes(provider: str) -> None:
    from langchain_core.exceptions import ModelInvalidRequestError

    err = refused(Case(provider, "", "temperature", lc_invoke(provider, temperature=5)), False)
    assert isinstance(err, ModelInvalidRequestError) and isinstance(err, seed_classes(provider))


def test_a_local_refusal_pickles_with_its_argument() -> None:
    err = refused(CASES[0], False)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.param == err.param and str(again) == str(err)  # type: ignore[attr-defined]
    assert again.status_code is None  # type: ignore[attr-defined]
