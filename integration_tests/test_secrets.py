"""No API key in repr, str, DEBUG logs, exception messages, pickled errors, serialized framework objects or LangSmith
params — for every public client and framework class."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

SECRET = "s3cr3t-value-0123456789abcdefghij"


def refusing(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401, json={"error": {"message": "invalid api key", "code": "invalid_api_key"}},
                          headers={"x-request-id": "req_1"})  # fmt: skip


def sync_http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(refusing))


def async_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(refusing))


MSG = [{"role": "user", "content": "hi"}]


def cerebras(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.cerebras import AsyncCerebras, Cerebras

    cls, http = (AsyncCerebras, async_http()) if is_async else (Cerebras, sync_http())
    return cls(api_key="csk-" + SECRET, base_url="http://x.invalid", http_client=http, max_retries=0), \
        lambda c: c.chat.completions.create(model="m", messages=MSG)  # fmt: skip


def cluster(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

    cls, http = (AsyncClusterClient, async_http()) if is_async else (ClusterClient, sync_http())
    return cls(api_key="sk-cluster-" + SECRET, base_url="http://x.invalid", http_client=http, max_retries=0), \
        lambda c: c.chat.completions.create(model="m", messages=MSG)  # fmt: skip


def runcrate(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    cls, http = (AsyncRuncrate, async_http()) if is_async else (Runcrate, sync_http())
    return cls(api_key="rc_live_" + SECRET, base_url="http://x.invalid", http_client=http, max_retries=0), \
        lambda c: c.instances.list()  # fmt: skip


def metalcloud(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.metalcloud import AsyncClient, Client

    cls, http = (AsyncClient, async_http()) if is_async else (Client, sync_http())
    return cls(api_key="mc_" + SECRET, base_url="http://x.invalid", http_client=http, max_retries=0), \
        lambda c: c.list_models()  # fmt: skip


def inferencekey(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.inferencekey import AsyncManagementClient, ManagementClient

    cls, http = (AsyncManagementClient, async_http()) if is_async else (ManagementClient, sync_http())
    return cls(base_url="http://x.invalid", sdk_token="ik_sdk_" + SECRET, project="p", http_client=http,
               max_retries=0), lambda c: c.list_workloads()  # fmt: skip


def endpoint(is_async: bool) -> tuple[Any, Callable[[Any], Any]]:
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    cls, http = (AsyncEndpoint, async_http()) if is_async else (Endpoint, sync_http())
    return cls(base_url="http://x.invalid", project="p", workload_slug="w", api_key="ik_live_" + SECRET,
               http_client=http), lambda c: c.embed(input="x")  # fmt: skip


CLIENTS = [cerebras, cluster, runcrate, metalcloud, inferencekey, endpoint]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("make", CLIENTS, ids=[f.__name__ for f in CLIENTS])
def test_clients_and_their_errors_hold_no_key(make: Any, is_async: bool, caplog: pytest.LogCaptureFixture) -> None:
    client, call = make(is_async)
    assert SECRET not in repr(client) and SECRET not in str(client)
    with caplog.at_level(logging.DEBUG), pytest.raises(Exception) as info:
        result = call(client)
        if is_async:
            asyncio.run(result)
    err = info.value
    assert getattr(err, "status_code", None) == 401
    assert SECRET not in str(err) and SECRET not in repr(err) and SECRET not in repr(vars(err))
    assert SECRET not in pickle.dumps(err).decode("latin-1")
    request = getattr(err, "request", None)
    if request is not None:
        assert SECRET not in str(request.headers)
    assert SECRET not in caplog.text and caplog.records  # DEBUG logging happened, without the key


def _framework_objects() -> list[tuple[str, Callable[[], Any]]]:
    import neocloud.langchain as lcp
    import neocloud.llamaindex as lip

    ik = {"project": "acme"}
    return [
        ("ChatCerebras", lambda: lcp.ChatCerebras(api_key="csk-" + SECRET)),
        ("ChatClusterProtocol", lambda: lcp.ChatClusterProtocol(api_key="sk-cluster-" + SECRET)),
        ("ChatRuncrate", lambda: lcp.ChatRuncrate(api_key="rc_live_" + SECRET)),
        ("ChatInferenceKey", lambda: lcp.ChatInferenceKey(model="w", api_key="ik_live_" + SECRET, **ik)),
        ("ChatMetalCloud", lambda: lcp.ChatMetalCloud(api_key="mc_" + SECRET)),
        ("ClusterProtocolEmbeddings", lambda: lcp.ClusterProtocolEmbeddings(api_key="sk-cluster-" + SECRET)),
        ("InferenceKeyEmbeddings", lambda: lcp.InferenceKeyEmbeddings(model="e", api_key="ik_live_" + SECRET, **ik)),
        ("CerebrasLLM", lambda: lip.CerebrasLLM(api_key="csk-" + SECRET)),
        ("ClusterProtocolLLM", lambda: lip.ClusterProtocolLLM(api_key="sk-cluster-" + SECRET)),
        ("RuncrateLLM", lambda: lip.RuncrateLLM(api_key="rc_live_" + SECRET)),
        ("InferenceKeyLLM", lambda: lip.InferenceKeyLLM(model="w", api_key="ik_live_" + SECRET, **ik)),
        ("MetalCloudLLM", lambda: lip.MetalCloudLLM(api_key="mc_" + SECRET)),
        ("ClusterProtocolEmbedding", lambda: lip.ClusterProtocolEmbedding(api_key="sk-cluster-" + SECRET)),
        ("InferenceKeyEmbedding", lambda: lip.InferenceKeyEmbedding(model="e", api_key="ik_live_" + SECRET, **ik)),
    ]


FRAMEWORK = _framework_objects()


@pytest.mark.parametrize(("name", "make"), FRAMEWORK, ids=[n for n, _ in FRAMEWORK])
def test_framework_objects_hold_no_key_in_any_rendering(name: str, make: Callable[[], Any]) -> None:
    obj = make()
    texts = [repr(obj), str(obj)]
    if hasattr(obj, "to_json") and hasattr(obj, "lc_secrets"):  # LangChain serialization
        from langchain_core.load import dumps

        texts.append(dumps(obj))
    if hasattr(obj, "to_dict") and not hasattr(obj, "lc_secrets"):  # LlamaIndex serialization
        texts += [json.dumps(obj.to_dict(), default=str), obj.to_json()]
    if hasattr(obj, "_get_ls_params"):
        texts.append(json.dumps(obj._get_ls_params(), default=str))
    texts.append(json.dumps(obj.model_dump(mode="json"), default=str))
    for text in texts:
        assert SECRET not in text, (name, text[:200])


def test_toolkits_hold_no_key() -> None:
    from neocloud.langchain import RuncrateToolkit
    from neocloud.llamaindex import RuncrateToolSpec

    for obj in (RuncrateToolkit(api_key="rc_live_" + SECRET), RuncrateToolSpec(api_key="rc_live_" + SECRET)):
        assert SECRET not in repr(obj) and SECRET not in str(obj)
        tools = obj.get_tools() if hasattr(obj, "get_tools") else obj.to_tool_list()
        assert all(SECRET not in repr(t) for t in tools)
