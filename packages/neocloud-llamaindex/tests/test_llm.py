"""CerebrasLLM over a mock transport: bodies, metadata, usage, tools, structured output, loops, secrets."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from neocloud_testing.fakes import chunk, completion, sse
from pydantic import BaseModel

from neocloud.core import errors as nc
from neocloud.llamaindex import PROVIDERS, CerebrasLLM

USER = [ChatMessage(role="user", content="Hello")]


def llm(server: Any, **kwargs: Any) -> CerebrasLLM:
    return CerebrasLLM(
        model="llama3.1-8b",
        api_key="csk-secret-li",
        max_retries=kwargs.pop("max_retries", 0),
        **server.clients(),
        **kwargs,
    )


def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"Sunny in {city}"


class Film(BaseModel):
    title: str
    year: int


def test_metadata_per_model() -> None:
    assert CerebrasLLM(model="gpt-oss-120b", api_key="k").metadata.context_window == 131_072
    meta = CerebrasLLM(model="llama3.1-8b", api_key="k").metadata
    assert (meta.context_window, meta.num_output, meta.is_function_calling_model, meta.is_chat_model) == (
        32_768,
        8_192,
        True,
        True,
    )
    assert CerebrasLLM(model="llama3.1-8b", api_key="k", context_window=1000).metadata.context_window == 1000


def test_unknown_model_is_never_a_silent_3900(caplog: pytest.LogCaptureFixture) -> None:
    meta = CerebrasLLM(model="brand-new-model", api_key="k").metadata
    assert meta.context_window == 32_768 and "not in the model table" in caplog.text


def test_chat_body_usage_and_reasoning(fake: Any) -> None:
    server = fake(lambda body: httpx.Response(200, json=completion(reasoning="Thinking.")))
    response = llm(
        server,
        temperature=0.3,
        max_tokens=40,
        additional_kwargs={"reasoning_effort": "low", "max_completion_tokens": 30},
    ).chat(USER)
    assert server.bodies == [
        {
            "model": "llama3.1-8b",
            "messages": [{"role": "user", "content": "Hello"}],
            "temperature": 0.3,
            "max_tokens": 40,
            "reasoning_effort": "low",
            "max_completion_tokens": 30,
        }
    ]
    assert response.message.content == "Hi there."
    assert response.additional_kwargs["total_tokens"] == 8 and response.raw["usage"]["prompt_tokens"] == 5
    assert isinstance(response.message.blocks[0], ThinkingBlock) and response.message.blocks[0].content == "Thinking."


def test_stream_parity_and_usage(fake: Any) -> None:
    frames = [
        chunk({"role": "assistant", "content": "Hi"}),
        chunk({"content": " there."}, "stop", {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}),
    ]
    server = fake(lambda body: sse(*frames) if body.get("stream") else httpx.Response(200, json=completion()))
    model = llm(server)
    streamed = list(model.stream_chat(USER))
    assert server.bodies[0]["stream_options"] == {"include_usage": True}
    assert streamed[-1].message.content == model.chat(USER).message.content == "Hi there."
    assert [r.delta for r in streamed] == ["Hi", " there."]
    assert streamed[-1].additional_kwargs["total_tokens"] == 8
    assert model.complete("Hello").text == "Hi there."
    assert "".join(r.delta or "" for r in model.stream_complete("Hello")) == "Hi there."


def test_tools_single_parallel_and_streamed(fake: Any) -> None:
    calls = [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
        {"id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
    ]
    server = fake(lambda body: httpx.Response(200, json=completion(None, calls)))
    model = llm(server)
    tool = FunctionTool.from_defaults(get_weather)
    response = model.chat_with_tools([tool], user_msg="Weather?", allow_parallel_tool_calls=True)
    assert server.bodies[-1]["tool_choice"] == "auto"
    assert [(s.tool_name, s.tool_kwargs) for s in model.get_tool_calls_from_response(response)] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Oslo"}),
    ]
    single = model.chat_with_tools([tool], user_msg="Weather?", tool_required=True)
    assert server.bodies[-1]["tool_choice"] == "required" and "parallel_tool_calls" not in server.bodies[-1]
    assert len(model.get_tool_calls_from_response(single)) == 1
    assert str(model.predict_and_call([tool], "Weather in Paris?")) == "Sunny in Paris"
    frames = [
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "c9",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"ci'},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Rome"}'}}]}, "tool_calls"),
    ]
    streaming = llm(fake(lambda body: sse(*frames)))
    last = list(streaming.stream_chat_with_tools([tool], user_msg="Weather?"))[-1]
    assert [(s.tool_id, s.tool_kwargs) for s in streaming.get_tool_calls_from_response(last)] == [
        ("c9", {"city": "Rome"})
    ]
    with pytest.raises(ValueError, match="expected at least one tool call"):
        streaming.get_tool_calls_from_response(llm(fake(lambda b: httpx.Response(200, json=completion()))).chat(USER))


def test_structured_prediction_uses_json_schema_without_tools(fake: Any) -> None:
    server = fake(
        lambda body: (
            sse(chunk({"content": '{"title": "Al'}), chunk({"content": 'ien", "year": 1979}'}, "stop"))
            if body.get("stream")
            else httpx.Response(200, json=completion('{"title": "Alien", "year": 1979}'))
        )
    )
    model = llm(server)
    prompt = PromptTemplate("A film about {topic}.")
    assert model.structured_predict(Film, prompt, topic="space") == Film(title="Alien", year=1979)
    body = server.bodies[-1]
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body and "tool_choice" not in body
    assert asyncio.run(model.astructured_predict(Film, prompt, topic="space")) == Film(title="Alien", year=1979)
    assert list(model.stream_structured_predict(Film, prompt, topic="space"))[-1] == Film(title="Alien", year=1979)
    assert model.as_structured_llm(Film).complete("A film").raw == Film(title="Alien", year=1979)


def test_one_retry_layer_and_no_retry_of_401(fake: Any) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"retry-after": "0"}, json={"error": {"message": "slow"}}),
            httpx.Response(200, json=completion()),
        ]
    )
    server = fake(lambda body: next(answers))
    model = llm(server, max_retries=1)
    model._sync_backend().client._sleep = lambda s: None
    assert model.chat(USER).message.content == "Hi there."
    assert len(server.bodies) == 2
    denied = fake(lambda body: httpx.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(nc.AuthenticationError):
        llm(denied, max_retries=3).chat(USER)
    assert len(denied.bodies) == 1


def test_repeated_event_loops_with_one_llm() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=completion())

    model = CerebrasLLM(model="llama3.1-8b", api_key="k", base_url="http://loops.test")
    # The shared async client keeps one pool per event loop; give each loop's pool a mock transport.
    client = model._async_backend().client

    async def once() -> str | None:
        loop = asyncio.get_running_loop()
        client._pool.per_loop.setdefault(loop, httpx.AsyncClient(transport=httpx.MockTransport(handler)))
        return (await model.achat(USER)).message.content

    assert [asyncio.run(once()) for _ in range(3)] == ["Hi there."] * 3
    assert len(client._pool.per_loop) <= 3


def test_secrets_not_in_repr_or_serialization() -> None:
    model = CerebrasLLM(model="llama3.1-8b", api_key="csk-secret-li")
    for text in (repr(model), str(model), str(model.to_dict()), model.to_json()):
        assert "csk-secret-li" not in text


def test_instrumentation_events_fire(fake: Any) -> None:
    from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler

    seen: list[str] = []

    class Recorder(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            seen.append(event.class_name())

    root = get_dispatcher()
    handler = Recorder()
    root.add_event_handler(handler)
    try:
        llm(fake(lambda body: httpx.Response(200, json=completion()))).chat(USER)
    finally:
        root.event_handlers.remove(handler)
    assert "LLMChatStartEvent" in seen and "LLMChatEndEvent" in seen


def test_registry_and_lazy_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    import neocloud.llamaindex as pkg
    from neocloud.llamaindex import _registry

    for name, entry in PROVIDERS.items():
        assert getattr(pkg, entry.llm_class).provider == name
    monkeypatch.setitem(
        _registry.PROVIDERS,
        "ghost",
        _registry.ProviderEntry(module="neocloud.ghost_provider", extra="ghost", llm_class="GhostLLM"),
    )
    with pytest.raises(ImportError, match=r'pip install "neocloud-llamaindex\[ghost\]"'):
        _registry.load_spec("ghost")
    code = "import sys, neocloud.llamaindex\nassert not [m for m in sys.modules if m.startswith('neocloud.') and m.split('.')[1] not in {'llamaindex', 'core'}]\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_embedding_batches_are_bounded_and_inputs_unchanged() -> None:
    from neocloud.llamaindex import ClusterProtocolEmbedding

    in_flight, peak, bodies = 0, 0, []

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        body = json.loads(request.content)
        bodies.append(body)
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": data, "model": body["model"],
                                         "usage": {"prompt_tokens": 2, "total_tokens": 2}})  # fmt: skip

    emb = ClusterProtocolEmbedding(api_key="sk-cluster-x", embed_batch_size=1, max_concurrency=2,
                                   async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))  # fmt: skip
    texts = [f" text {i}\n" for i in range(8)]
    vectors = asyncio.run(emb.aget_text_embedding_batch(texts))
    assert [v[0] for v in vectors] == [float(len(t)) for t in texts]  # order kept
    assert peak == 2 and len(bodies) == 8 and sorted(b["input"][0] for b in bodies) == sorted(texts)  # unchanged
    assert emb.usage == {"prompt_tokens": 16, "total_tokens": 16}
