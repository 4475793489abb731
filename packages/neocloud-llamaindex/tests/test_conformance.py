"""The LlamaIndex conformance suite: every LLM and embedding class, replayed from cassettes recorded against the
sandbox (``make record ARGS=packages/neocloud-llamaindex``). LlamaIndex has no standard suite; this is ours.

Where a test needs a specific model answer (a tool call with given arguments, a JSON object), it scripts the
answer right there with ``target.script(...)``; everything else is the emulator's own answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool
from neocloud_testing.prompted import prompted_calls, prompted_reply
from neocloud_testing.targets import Target, env_for, provision_workload
from pydantic import BaseModel

from neocloud.core import errors as nc

pytestmark = pytest.mark.vcr


@dataclass(frozen=True)
class Case:
    cls_name: str
    target_fixture: str
    model: str
    workload: str | None = None
    # Tools through the prompted protocol (no tools on the wire): scripted answers are the protocol's JSON text.
    prompted: bool = False


LLMS = [
    Case("CerebrasLLM", "cerebras_target", "llama3.1-8b"),
    Case("ClusterProtocolLLM", "cluster_target", "llama-3.1-8b"),
    Case("RuncrateLLM", "runcrate_target", "deepseek-ai/DeepSeek-V3"),
    Case("InferenceKeyLLM", "inferencekey_target", "support-bot", workload="support-bot"),
    Case("MetalCloudLLM", "metalcloud_target", "meta-llama/Llama-3.3-70B", prompted=True),
]
EMBEDDINGS = [
    Case("ClusterProtocolEmbedding", "cluster_target", "bge-large-en-v1.5"),
    Case("InferenceKeyEmbedding", "inferencekey_target", "embedder", workload="embedder"),
]
MESSAGES = [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Why is fast inference important?")]  # fmt: skip


def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"Sunny in {city}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER, ADD = FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(add)


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def tool_answer(case: Case, *made: dict[str, Any]) -> dict[str, Any]:
    """The scripted answer that calls these tools: native tool calls, or the prompted protocol's text."""
    return prompted_calls(*made) if case.prompted else {"tool_calls": list(made)}


def direct_answer(case: Case, text: str) -> dict[str, Any]:
    """The scripted direct answer while tools are bound."""
    return prompted_reply(text) if case.prompted else {"content": text}


class Film(BaseModel):
    title: str
    year: int


@pytest.fixture
def target(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    case: Case = request.param
    tgt: Target = request.getfixturevalue(case.target_fixture)
    for name, value in env_for(tgt).items():
        monkeypatch.setenv(name, value)
    if case.workload:
        provision_workload(tgt, case.workload, "embedding" if case in EMBEDDINGS else "text2text")
    yield tgt


def make(case: Case, **kwargs: Any) -> Any:
    import neocloud.llamaindex as pkg

    cls = getattr(pkg, case.cls_name)
    return cls(model=case.model, **{"max_retries": 0, **kwargs})


def llm_cases() -> Any:
    chosen = LLMS
    return pytest.mark.parametrize(("case", "target"), [(c, c) for c in chosen], ids=[c.cls_name for c in chosen],
                                   indirect=["target"])  # fmt: skip


# -- chat and completion on every path --------------------------------------------------------------------------


@llm_cases()
def test_sync_async_stream_parity_with_usage(case: Case, target: Target) -> None:
    llm = make(case, max_tokens=40)
    plain = llm.chat(MESSAGES)
    text = plain.message.content
    assert text and plain.raw["usage"]["completion_tokens"] > 0
    assert plain.additional_kwargs["prompt_tokens"] > 0 and plain.additional_kwargs["completion_tokens"] > 0
    streamed = list(llm.stream_chat(MESSAGES))
    assert streamed[-1].message.content == text and "".join(r.delta or "" for r in streamed) == text
    assert streamed[-1].additional_kwargs["completion_tokens"] == plain.additional_kwargs["completion_tokens"]

    async def run() -> tuple[Any, list[Any]]:
        answer = await llm.achat(MESSAGES)
        chunks = [r async for r in await llm.astream_chat(MESSAGES)]
        return answer, chunks

    answer, chunks = asyncio.run(run())
    assert answer.message.content == text and chunks[-1].message.content == text
    assert chunks[-1].additional_kwargs["prompt_tokens"] == plain.additional_kwargs["prompt_tokens"]


@llm_cases()
def test_completion_paths(case: Case, target: Target) -> None:
    llm = make(case, max_tokens=30)
    text = llm.complete("Name a GPU.").text
    assert text and [r.text for r in llm.stream_complete("Name a GPU.")][-1] == text

    async def run() -> tuple[str, str]:
        done = await llm.acomplete("Name a GPU.")
        last = [r async for r in await llm.astream_complete("Name a GPU.")][-1]
        return done.text, last.text

    assert asyncio.run(run()) == (text, text)


@llm_cases()
def test_repeated_event_loops_and_instrumentation(case: Case, target: Target) -> None:
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler

    seen: list[str] = []

    class Collect(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            seen.append(type(event).__name__)

    handler = Collect()
    get_dispatcher().add_event_handler(handler)
    try:
        llm = make(case, max_tokens=20)
        first = asyncio.run(llm.achat(MESSAGES)).message.content
        second = asyncio.run(llm.achat(MESSAGES)).message.content  # a new loop: no "Event loop is closed"
    finally:
        get_dispatcher().event_handlers.remove(handler)
    assert first == second
    assert seen.count("LLMChatStartEvent") == 2 and seen.count("LLMChatEndEvent") == 2


# -- metadata, errors, secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", LLMS, ids=[c.cls_name for c in LLMS])
def test_metadata_from_the_model_table(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERENCEKEY_PROJECT", "acme")
    llm = make(case, api_key="k")
    info = llm._spec().model_info(case.model)
    meta = llm.metadata
    assert meta.context_window == info.context_window != 3900 and meta.num_output == info.max_output_tokens
    assert meta.is_chat_model and meta.is_function_calling_model and meta.model_name == case.model


@llm_cases()
def test_wrong_key_is_a_typed_error_never_retried(case: Case, target: Target) -> None:
    from neocloud.sandbox import SANDBOX_KEYS

    revoked = SANDBOX_KEYS[target.provider]["revoked"]  # the sandbox's documented 401 key
    llm = make(case, api_key=revoked, max_retries=3)
    with pytest.raises(nc.AuthenticationError) as info:
        llm.chat(MESSAGES)
    assert info.value.status_code == 401 and revoked not in str(info.value)


@pytest.mark.parametrize("case", LLMS + EMBEDDINGS, ids=[c.cls_name for c in LLMS + EMBEDDINGS])
def test_secrets_stay_out_of_repr_and_serialization(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERENCEKEY_PROJECT", "acme")
    secret = "secret-value-for-the-conformance-suite"
    obj = make(case, api_key=secret)
    for text in (repr(obj), str(obj), json.dumps(obj.to_dict(), default=str), obj.to_json()):
        assert secret not in text


# -- tools ------------------------------------------------------------------------------------------------------


@llm_cases()
def test_tool_calls_single_parallel_streamed(case: Case, target: Target) -> None:
    llm = make(case)
    target.script(tool_answer(case, call("get_weather", city="Paris")))
    response = llm.chat_with_tools([WEATHER], user_msg="Weather in Paris?", tool_required=True)
    [selection] = llm.get_tool_calls_from_response(response)
    assert (selection.tool_name, selection.tool_kwargs) == ("get_weather", {"city": "Paris"})

    target.script(tool_answer(case, call("get_weather", city="Paris"), call("add", a=2, b=3)))
    both = llm.chat_with_tools([WEATHER, ADD], user_msg="Weather in Paris and 2+3?", allow_parallel_tool_calls=True)
    assert [(s.tool_name, s.tool_kwargs) for s in llm.get_tool_calls_from_response(both)] == [
        ("get_weather", {"city": "Paris"}), ("add", {"a": 2, "b": 3})]  # fmt: skip

    target.script(tool_answer(case, call("add", a=20, b=22)))
    last = list(llm.stream_chat_with_tools([ADD], user_msg="20+22?"))[-1]
    [streamed] = llm.get_tool_calls_from_response(last)
    assert (streamed.tool_name, streamed.tool_kwargs) == ("add", {"a": 20, "b": 22})

    async def run() -> Any:
        target.script(tool_answer(case, call("add", a=1, b=1)))
        return await llm.apredict_and_call([ADD], user_msg="1+1?")

    assert asyncio.run(run()).response == "2"
    target.script(direct_answer(case, "No tool needed."))
    quiet = llm.chat_with_tools([ADD], user_msg="Say hi")
    assert llm.get_tool_calls_from_response(quiet, error_on_no_tool_call=False) == []


# -- structured prediction --------------------------------------------------------------------------------------


@llm_cases()
def test_structured_predict_every_path(case: Case, target: Target) -> None:
    from llama_index.core.prompts import PromptTemplate

    llm = make(case)
    prompt = PromptTemplate("Name a film from {year}.")
    alien = {"content": '{"title": "Alien", "year": 1979}'}
    if case.prompted:  # the output schema is asked for in the prompt: the model's answer is the JSON document
        target.script(alien, alien, alien, alien)
    assert llm.structured_predict(Film, prompt, year="1979").year > 0
    assert isinstance(llm.as_structured_llm(Film).complete("Name a film.").raw, Film)
    parts = list(llm.stream_structured_predict(Film, prompt, year="1979"))
    assert isinstance(parts[-1], Film)
    assert isinstance(asyncio.run(llm.astructured_predict(Film, prompt, year="1979")), Film)


# -- embeddings -------------------------------------------------------------------------------------------------

embedding_cases = pytest.mark.parametrize(("case", "target"), [(c, c) for c in EMBEDDINGS],
                                          ids=[c.cls_name for c in EMBEDDINGS], indirect=["target"])  # fmt: skip


@embedding_cases
def test_embeddings_batch_parity_and_usage(case: Case, target: Target) -> None:
    emb = make(case, embed_batch_size=2)
    texts = ["GPU clusters", "fast inference", "  keep my spaces\n", "agents", "retrieval"]
    vectors = emb.get_text_embedding_batch(texts)
    assert len(vectors) == 5 and len({len(v) for v in vectors}) == 1
    assert emb.usage["prompt_tokens"] > 0
    assert emb.get_query_embedding("GPU clusters") == vectors[0] == emb.get_text_embedding("GPU clusters")
    again = asyncio.run(emb.aget_text_embedding_batch(texts))
    assert again == vectors  # sync and async agree; texts (whitespace included) are sent unchanged
    assert asyncio.run(emb.aget_query_embedding("agents")) == vectors[3]


# -- scenarios --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "target"), [(LLMS[1], LLMS[1])], ids=["ClusterProtocol"], indirect=["target"])
def test_vector_index_with_our_embeddings_queried_through_our_llm(case: Case, target: Target) -> None:
    from llama_index.core import Document, VectorStoreIndex

    docs = [Document(text=t) for t in ("Cluster Protocol rents GPUs by the hour.", "Runcrate schedules batch jobs.",
                                       "InferenceKey serves one workload per endpoint.")]  # fmt: skip
    index = VectorStoreIndex.from_documents(docs, embed_model=make(EMBEDDINGS[0]))
    engine = index.as_query_engine(llm=make(case, max_tokens=40), similarity_top_k=2)
    answer = engine.query("Who rents GPUs?")
    assert str(answer) and len(answer.source_nodes) == 2
    assert {n.node.get_content() for n in answer.source_nodes} <= {d.text for d in docs}


@pytest.mark.parametrize(("case", "target"), [(LLMS[0], LLMS[0]), (LLMS[4], LLMS[4])], ids=["Cerebras", "MetalCloud"],
                         indirect=["target"])  # fmt: skip
def test_function_agent_calls_a_tool_through_our_llm(case: Case, target: Target) -> None:
    from llama_index.core.agent.workflow import FunctionAgent

    target.script(tool_answer(case, call("add", a=2, b=3)), direct_answer(case, "2 + 3 = 5."))
    agent = FunctionAgent(tools=[ADD], llm=make(case), system_prompt="Use tools for arithmetic.")

    async def run() -> Any:
        handler = agent.run(user_msg="What is 2 + 3?")
        calls = [e async for e in handler.stream_events() if type(e).__name__ == "ToolCallResult"]
        return await handler, calls

    result, calls = asyncio.run(run())
    assert [(c.tool_name, c.tool_kwargs, c.tool_output.content) for c in calls] == [("add", {"a": 2, "b": 3}, "5")]
    assert "5" in str(result)
