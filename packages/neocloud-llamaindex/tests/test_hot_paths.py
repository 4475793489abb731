"""The per-call and per-chunk paths do only the work their results need: ``raw`` is dumped when it is read,
metadata is computed once per configuration, the backend and provider spec are looked up once."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock
from neocloud_testing.fakes import chunk, completion, sse

from neocloud.core.wire import ChatCompletion, ChatCompletionChunk
from neocloud.llamaindex import CerebrasLLM
from neocloud.llamaindex.llms._convert import StreamAccumulator, to_chat_response

USER = [ChatMessage(role="user", content="Hello")]
CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}


def _count_dumps(monkeypatch: pytest.MonkeyPatch, cls: type[Any]) -> list[int]:
    calls: list[int] = []
    original = cls.model_dump

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "model_dump", counting)
    return calls


def test_chat_response_raw_is_dumped_on_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    wire = ChatCompletion.model_validate(completion(tool_calls=[CALL], reasoning="Thinking."))
    wire.attach_cost(None)
    dumps = _count_dumps(monkeypatch, ChatCompletion)
    response = to_chat_response(wire, "cerebras")
    assert dumps == []  # nothing dumped to build the response
    # The message is fully built: reasoning block, text block, tool calls as plain dicts.
    assert [type(b) for b in response.message.blocks] == [ThinkingBlock, TextBlock]
    assert response.message.additional_kwargs["tool_calls"] == [{**CALL}]
    assert response.additional_kwargs == {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8,
                                          "finish_reason": "tool_calls", "model_provider": "cerebras"}  # fmt: skip
    # raw reads like the dict it always was, dumped once on first access.
    assert response.raw["usage"]["prompt_tokens"] == 5 and response.raw["time_info"] == {"total_time": 0.01}
    assert "system_fingerprint" in response.raw and "cost" not in response.raw
    assert response.raw.get("missing") is None and len(dumps) == 1
    assert dict(response.raw)["id"] == "chatcmpl-1" and len(dumps) == 1
    assert response.raw == wire.model_dump(mode="json", exclude_none=True)
    # It serialises with the response, as JSON and as Python data.
    assert json.loads(response.model_dump_json())["raw"]["usage"]["total_tokens"] == 8
    assert response.model_dump()["raw"]["model"] == "llama3.1-8b"


class _Cost:
    def to_dict(self) -> dict[str, str]:
        return {"usd": "0.000008", "source": "catalog"}


def test_raw_carries_the_cost() -> None:
    wire = ChatCompletion.model_validate(completion())
    wire.attach_cost(_Cost())
    response = to_chat_response(wire, "cerebras")
    assert response.additional_kwargs["cost"] == response.raw["cost"] == {"usd": "0.000008", "source": "catalog"}
    assert json.loads(response.model_dump_json())["raw"]["cost"]["usd"] == "0.000008"
    last = ChatCompletionChunk.model_validate(chunk({}, "stop", {"prompt_tokens": 5, "completion_tokens": 3,
                                                                  "total_tokens": 8}))  # fmt: skip
    last.attach_cost(_Cost())
    streamed = StreamAccumulator("cerebras").add(last)
    assert streamed is not None and streamed.raw["cost"] == streamed.additional_kwargs["cost"]


def test_stream_chunks_are_not_dumped_until_read(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [chunk({"role": "assistant", "content": "Hi"}), chunk({"content": " there."}, "stop"),
              chunk({}, None, {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8})]  # fmt: skip
    frames[2]["choices"] = []
    parsed = [ChatCompletionChunk.model_validate(f) for f in frames]
    dumps = _count_dumps(monkeypatch, ChatCompletionChunk)
    acc = StreamAccumulator("cerebras")
    responses = [acc.add(c) for c in parsed]
    assert dumps == []
    assert [r.delta for r in responses if r] == ["Hi", " there.", ""]
    last = responses[-1]
    assert last is not None and last.message.content == "Hi there." and last.raw["usage"]["total_tokens"] == 8
    assert responses[0] is not None and responses[0].raw["choices"][0]["delta"] == {
        "role": "assistant",
        "content": "Hi",
    }
    assert len(dumps) == 2


def test_metadata_is_computed_once_and_follows_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = CerebrasLLM(model="llama3.1-8b", api_key="k")
    first = llm.metadata
    assert llm.metadata is first  # cached
    llm.max_tokens = 100
    assert llm.metadata.num_output == 100  # a changed setting is seen
    llm.model = "gpt-oss-120b"
    assert llm.metadata.context_window == 131_072 and llm.metadata.model_name == "gpt-oss-120b"


def test_unknown_model_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="neocloud.llamaindex")
    llm = CerebrasLLM(model="model-warned-once", api_key="k")
    assert llm.metadata.context_window == 32_768
    assert llm.metadata.context_window == 32_768
    assert CerebrasLLM(model="model-warned-once", api_key="k").metadata.context_window == 32_768
    warned = [r for r in caplog.records if "model-warned-once" in r.getMessage()]
    assert len(warned) == 1 and "not in the model table" in warned[0].getMessage()


def test_backend_read_without_pydantic_getattr(monkeypatch: pytest.MonkeyPatch, fake: Any) -> None:
    server = fake(lambda body: httpx.Response(200, json=completion()))
    llm = CerebrasLLM(model="llama3.1-8b", api_key="k", **server.clients())
    backend, abackend = llm._sync_backend(), llm._async_backend()
    seen: list[str] = []
    original = type(llm).__getattr__

    def spy(self: Any, name: str) -> Any:
        seen.append(name)
        return original(self, name)

    monkeypatch.setattr(type(llm), "__getattr__", spy)
    assert llm._sync_backend() is backend and llm._async_backend() is abackend
    assert llm.chat(USER).message.content == "Hi there."
    assert asyncio.run(llm.achat(USER)).message.content == "Hi there."
    assert "_backend" not in seen and "_abackend" not in seen


def test_provider_spec_is_imported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.llamaindex import _registry

    spec = _registry.load_spec("cerebras")
    imports: list[str] = []
    monkeypatch.setattr(_registry, "import_provider_spec", lambda module, hint: imports.append(module))
    assert _registry.load_spec("cerebras") is spec and CerebrasLLM._spec() is spec and imports == []


def test_stream_through_the_model(fake: Any) -> None:
    frames = [chunk({"role": "assistant", "content": "Hi"}),
              chunk({"content": " there."}, "stop", {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8})]  # fmt: skip
    server = fake(lambda body: sse(*frames))
    streamed = list(CerebrasLLM(model="llama3.1-8b", api_key="k", **server.clients()).stream_chat(USER))
    assert streamed[-1].raw["usage"]["total_tokens"] == 8 and streamed[-1].message.content == "Hi there."
    assert streamed[0].raw["choices"][0]["delta"]["content"] == "Hi"


def _embedding_reply(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(body["input"])]
    return httpx.Response(
        200, json={"data": data, "model": body["model"], "usage": {"prompt_tokens": 2, "total_tokens": 2}}
    )


def test_embeddings_find_their_client_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.llamaindex import ClusterProtocolEmbedding
    from neocloud.llamaindex.embeddings import base

    lookups: list[str] = []
    original = base.provider_client

    def counting(spec: Any, kind: str, **kwargs: Any) -> Any:
        lookups.append(kind)
        return original(spec, kind, **kwargs)

    monkeypatch.setattr(base, "provider_client", counting)
    transport = httpx.MockTransport(_embedding_reply)
    emb = ClusterProtocolEmbedding(api_key="sk-cluster-x", http_client=httpx.Client(transport=transport),
                                   async_http_client=httpx.AsyncClient(transport=transport))  # fmt: skip
    assert emb.get_text_embedding_batch(["ab", "abc"]) == [[2.0, 1.0], [3.0, 1.0]]
    assert emb.get_query_embedding("a") == [1.0, 1.0]
    assert asyncio.run(emb.aget_text_embedding_batch(["abcd"])) == [[4.0, 1.0]]
    assert asyncio.run(emb.aget_query_embedding("a")) == [1.0, 1.0]
    assert lookups == ["sync", "async"] and emb.usage == {"prompt_tokens": 8, "total_tokens": 8}


def _same(got: Any, want: Any) -> None:
    assert type(got) is type(want) and got == want and list(got.__dict__) == list(want.__dict__)
    assert got.model_fields_set == want.model_fields_set and repr(got) == repr(want)


def test_responses_equal_validated_ones() -> None:
    from llama_index.core.base.llms.types import ChatResponse, MessageRole

    for wire in (ChatCompletion.model_validate(completion()),
                 ChatCompletion.model_validate(completion(reasoning="Thinking.", tool_calls=[CALL]))):  # fmt: skip
        got = to_chat_response(wire, "cerebras")
        msg = wire.choices[0].message
        blocks: list[Any] = [ThinkingBlock(content=msg.reasoning)] if msg.reasoning else []
        blocks.append(TextBlock(text=msg.content or ""))
        kwargs = {"tool_calls": [CALL]} if msg.tool_calls else {}
        want_msg = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)
        _same(got.message, want_msg)
        for g, w in zip(got.message.blocks, want_msg.blocks, strict=True):
            _same(g, w)
        _same(got, ChatResponse(message=want_msg, raw=got.raw, additional_kwargs=got.additional_kwargs))
        assert got.message.content == "Hi there." and json.loads(got.model_dump_json())["message"]["blocks"]
    acc = StreamAccumulator("cerebras")
    first = acc.add(ChatCompletionChunk.model_validate(chunk({"role": "assistant", "content": "Hi"})))
    assert first is not None
    want = ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, blocks=[TextBlock(text="Hi")]), delta="Hi",
                        raw=first.raw, additional_kwargs={"model_provider": "cerebras"})  # fmt: skip
    _same(first, want)


def test_responses_are_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_index.core.base.llms.types import ChatResponse

    wire = ChatCompletion.model_validate(completion(reasoning="Thinking."))
    text = ChatCompletionChunk.model_validate(chunk({"content": "Hi"}))
    to_chat_response(wire, "cerebras"), StreamAccumulator("cerebras").add(text)  # (defaults are learnt once)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{type(self).__name__} validated again")

    for cls in (ChatMessage, ChatResponse, TextBlock, ThinkingBlock):
        monkeypatch.setattr(cls, "__init__", refuse)
    assert to_chat_response(wire, "cerebras").message.content == "Hi there."
    streamed = StreamAccumulator("cerebras").add(text)
    assert streamed is not None and streamed.delta == "Hi" and streamed.message.content == "Hi"
