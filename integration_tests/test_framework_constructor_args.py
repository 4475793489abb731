"""Every LangChain and LlamaIndex class we ship (found through each package's registry), against a live sandbox:
no constructor argument vanishes.

- the incumbents' names for the base URL and key (``api_base``, ``openai_api_base``, ``openai_api_key``...) send
  the request to that URL with that key, while the environment names another URL (refusing connections) and a
  key the sandbox rejects, so a silently ignored alias fails;
- a provider request parameter given as an argument reaches the request body, with langchain-openai's warning;
- a declared field inside ``model_kwargs`` / ``additional_kwargs``, and any unknown argument, raise an error
  naming it (and, for an unknown one, the nearest valid name).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from neocloud_testing.leaks import as_sent

FRAMEWORKS = (("neocloud.langchain", "chat_class", "embeddings_class"),
              ("neocloud.llamaindex", "llm_class", "embedding_class"))  # fmt: skip
EMBEDDING_MODELS = {"clusterprotocol": "bge-large-en-v1.5", "inferencekey": "embedder"}
URL_ALIASES = ("base_url", "api_base", "openai_api_base")
KEY_ALIASES = ("api_key", "openai_api_key")
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, so a request sent here fails at once


@dataclass(frozen=True)
class Case:
    package: str
    cls_name: str
    provider: str
    kind: str  # "chat" or "embeddings"

    @property
    def id(self) -> str:
        return f"{self.package.split('.')[1]}-{self.cls_name}"

    @property
    def langchain(self) -> bool:
        return self.package == "neocloud.langchain"

    @property
    def pass_through(self) -> str:
        return "model_kwargs" if self.langchain else "additional_kwargs"

    def cls(self) -> Any:
        return getattr(importlib.import_module(self.package), self.cls_name)

    def spec(self) -> Any:
        return importlib.import_module(f"neocloud.{self.provider}").PROVIDER_SPEC

    def model(self) -> str:
        return EMBEDDING_MODELS[self.provider] if self.kind == "embeddings" else self.spec().default_model


def _cases() -> list[Case]:
    cases = []
    for package, chat_field, embeddings_field in FRAMEWORKS:
        for provider, entry in importlib.import_module(package).PROVIDERS.items():
            cases.append(Case(package, getattr(entry, chat_field), provider, "chat"))
            if getattr(entry, embeddings_field):
                cases.append(Case(package, getattr(entry, embeddings_field), provider, "embeddings"))
    return cases


CASES = _cases()


class Recorder:
    """httpx clients that note every request (URL, headers, body) on its way to the sandbox."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def _note(self, request: httpx.Request) -> None:
        self.requests.append(as_sent(request))

    async def _anote(self, request: httpx.Request) -> None:
        self.requests.append(as_sent(request))

    def clients(self, case: Case) -> dict[str, Any]:
        async_name = "http_async_client" if case.langchain else "async_http_client"
        return {"http_client": httpx.Client(event_hooks={"request": [self._note]}),
                async_name: httpx.AsyncClient(event_hooks={"request": [self._anote]})}  # fmt: skip

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[-1].content)
        return body


def use(obj: Any, case: Case, mode: str) -> Any:
    """One request through the framework's own entry point."""
    if case.kind == "chat":
        sync, aio = (obj.invoke, obj.ainvoke) if case.langchain else (obj.complete, obj.acomplete)
        argument = "Hi"
    else:
        sync, aio = ((obj.embed_query, obj.aembed_query) if case.langchain
                     else (obj.get_text_embedding, obj.aget_text_embedding))  # fmt: skip
        argument = "hi"
    return sync(argument) if mode == "sync" else asyncio.run(aio(argument))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec
    from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.05)) as sb:
        keys = SANDBOX_KEYS["inferencekey"]
        mgmt = ManagementClient(base_url=sb.base_url("inferencekey"), sdk_token=keys["valid"], project=keys["project"])
        for slug, task in (("support-bot", "text2text"), ("embedder", "embedding")):
            mgmt.ensure(WorkloadSpec(name=slug, slug=slug, model="org/model", backend=Backend.VLLM, task_type=task))
            mgmt.wait_until_ready(slug, silent=True, timeout=30)
        yield sb


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every provider's environment names an unreachable URL and a key the sandbox refuses."""
    for case in CASES:
        spec = case.spec()
        if spec.base_url_env:
            monkeypatch.setenv(spec.base_url_env, NOWHERE)
        if spec.api_key_env:
            monkeypatch.setenv(spec.api_key_env, "not-a-key-the-sandbox-accepts")
    monkeypatch.setenv("INFERENCEKEY_PROJECT", "acme")


def valid_key(provider: str) -> str:
    from neocloud.sandbox import SANDBOX_KEYS

    keys = SANDBOX_KEYS[provider]
    return keys["data"] if provider == "inferencekey" else keys["valid"]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("key_alias", KEY_ALIASES)
@pytest.mark.parametrize("url_alias", URL_ALIASES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_aliases_send_the_request_to_their_url_with_their_key(
    case: Case, url_alias: str, key_alias: str, mode: str, sandbox: Any, elsewhere: None
) -> None:
    recorder = Recorder()
    url, key = sandbox.base_url(case.provider), valid_key(case.provider)
    timeout = {"request_timeout" if mode == "async" else "timeout": 30}
    obj = case.cls()(model=case.model(), max_retries=0, **{url_alias: url, key_alias: key}, **timeout,
                     **recorder.clients(case))  # fmt: skip
    assert obj._settings()["timeout"] == 30 and obj._settings()["max_retries"] == 0
    assert use(obj, case, mode)  # an answer: the sandbox accepted the key
    [request] = recorder.requests
    assert str(request.url).startswith(url) and key in request.headers["authorization"]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_request_parameter_passes_through_with_a_warning(
    case: Case, mode: str, sandbox: Any, elsewhere: None
) -> None:
    spec = case.spec()
    params = spec.chat_request_params() if case.kind == "chat" else spec.embedding_params
    wanted = "frequency_penalty" if case.kind == "chat" else "user"
    value: Any = 0.5 if case.kind == "chat" else "user-7"
    settings = {"model": case.model(), "base_url": sandbox.base_url(case.provider), "api_key": valid_key(case.provider)}
    if wanted not in params:  # MetalCloud's API has no such parameter: an error, not a silent drop
        with pytest.raises(ValueError, match=f"unknown argument '{wanted}'"):
            case.cls()(**settings, **{wanted: value})
        return
    recorder = Recorder()
    with pytest.warns(UserWarning, match=f"{wanted} is not a parameter of {case.cls_name}; it was transferred to "
                                         f"{case.pass_through}"):  # fmt: skip
        obj = case.cls()(**settings, **{wanted: value}, **recorder.clients(case))
    assert getattr(obj, case.pass_through) == {wanted: value}
    use(obj, case, mode)
    assert recorder.body()[wanted] == value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_declared_field_inside_the_pass_through_is_an_error(case: Case, elsewhere: None) -> None:
    field = "temperature" if case.kind == "chat" else "dimensions"
    with pytest.raises(ValueError, match=f"'{field}' is a parameter of {case.cls_name}; pass {field}=... itself"):
        case.cls()(model=case.model(), **{case.pass_through: {field: 1}})


UNKNOWN = {"chat": [("temprature", "temperature"), ("max_token", "max_tokens"), ("api_bse", "api_base")],
           "embeddings": [("dimension", "dimensions"), ("api_bse", "api_base"), ("max_retry", "max_retries")]}  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_unknown_arguments_raise_naming_the_nearest_valid_name(case: Case, elsewhere: None) -> None:
    for wrong, nearest in UNKNOWN[case.kind]:
        with pytest.raises(ValueError, match=f"unknown argument '{wrong}' \\(nearest valid name: '{nearest}'\\)"):
            case.cls()(model=case.model(), **{wrong: 1})
    # an alias does not make the other arguments acceptable
    with warnings.catch_warnings(), pytest.raises(ValueError, match="unknown argument 'foo'"):
        case.cls()(model=case.model(), openai_api_base="http://127.0.0.1:9", foo=1)
