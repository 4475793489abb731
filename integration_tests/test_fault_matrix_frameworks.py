"""The LangChain and LlamaIndex layers surface the fault matrix's outcomes as the same typed errors (and, in
LangChain, as the matching ``langchain_core.exceptions`` class too), for every provider, plain and streaming."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core import exceptions as lc

from neocloud.core import errors as nc

CHAT_PATHS = {"cerebras": "/v1/chat/completions", "clusterprotocol": "/v1/chat/completions",
              "runcrate": "/v1/chat/completions", "inferencekey": "/v1/chat/completions", "metalcloud": "/v1/inference"}  # fmt: skip
LANGCHAIN = {"cerebras": ("ChatCerebras", "llama3.1-8b"), "clusterprotocol": ("ChatClusterProtocol", "llama-3.1-8b"),
             "runcrate": ("ChatRuncrate", "deepseek-ai/DeepSeek-V3"), "inferencekey": ("ChatInferenceKey", "bot"),
             "metalcloud": ("ChatMetalCloud", "meta-llama/Llama-3.1-8B")}  # fmt: skip
LLAMAINDEX = {"cerebras": "CerebrasLLM", "clusterprotocol": "ClusterProtocolLLM", "runcrate": "RuncrateLLM",
              "inferencekey": "InferenceKeyLLM", "metalcloud": "MetalCloudLLM"}  # fmt: skip
KEYS = {"cerebras": "csk-sandbox-valid", "clusterprotocol": "sk-cluster-sandbox-valid", "runcrate": "rc_live_sandbox-valid",
        "inferencekey": "ik_live_sandbox-acme", "metalcloud": "mc_sandbox-valid"}  # fmt: skip
# (fault, the neocloud error, the LangChain error it also is)
FAULTS = [
    ({"status": 401}, nc.AuthenticationError, lc.ModelAuthenticationError),
    ({"status": 429, "headers": {"retry-after": "120"}}, nc.RateLimitError, lc.ModelRateLimitError),
    ({"status": 404}, nc.NotFoundError, lc.ModelNotFoundError),
    ({"kind": "drop_stream", "after_chunks": 2}, nc.StreamError, lc.ModelAPIError),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud_testing.faults import matrix_sandbox

    with matrix_sandbox() as sb:
        yield sb


def _settings(sandbox: Any, provider: str) -> dict[str, Any]:
    extra = {"project": "acme"} if provider == "inferencekey" else {}
    return {"api_key": KEYS[provider], "base_url": sandbox.base_url(provider), "max_retries": 1, **extra}


CASES = [(p, f, stream) for p in LANGCHAIN for f in FAULTS for stream in (False, True)
         if stream or "kind" not in f[0]]  # fmt: skip


@pytest.mark.parametrize(("provider", "fault", "stream"), CASES,
                         ids=[f"{p}-{f[1].__name__}-{'stream' if s else 'plain'}" for p, f, s in CASES])  # fmt: skip
def test_langchain_surfaces_the_same_error(sandbox: Any, provider: str, fault: Any, stream: bool) -> None:
    import neocloud.langchain as pkg

    spec, error, lc_error = fault
    cls, model = LANGCHAIN[provider]
    chat = getattr(pkg, cls)(model=model, **_settings(sandbox, provider))
    sandbox.clear_faults()
    sandbox.faults(provider, [{**spec, "path": CHAT_PATHS[provider], "times": 2}])
    with pytest.raises(error) as info:
        list(chat.stream("Hello")) if stream else chat.invoke("Hello")
    assert isinstance(info.value, lc_error)
    if isinstance(info.value, nc.APIStatusError):
        assert info.value.status_code == spec["status"] and info.value.request_id
    sandbox.clear_faults()


@pytest.mark.parametrize(("provider", "fault", "stream"), CASES,
                         ids=[f"{p}-{f[1].__name__}-{'stream' if s else 'plain'}" for p, f, s in CASES])  # fmt: skip
def test_llamaindex_surfaces_the_same_error(sandbox: Any, provider: str, fault: Any, stream: bool) -> None:
    from llama_index.core.base.llms.types import ChatMessage

    import neocloud.llamaindex as pkg

    spec, error, _ = fault
    llm = getattr(pkg, LLAMAINDEX[provider])(model=LANGCHAIN[provider][1], **_settings(sandbox, provider))
    sandbox.clear_faults()
    sandbox.faults(provider, [{**spec, "path": CHAT_PATHS[provider], "times": 2}])
    messages = [ChatMessage(role="user", content="Hello")]
    with pytest.raises(error) as info:
        list(llm.stream_chat(messages)) if stream else llm.chat(messages)
    if isinstance(info.value, nc.APIStatusError):
        assert info.value.status_code == spec["status"] and info.value.request_id
    sandbox.clear_faults()
