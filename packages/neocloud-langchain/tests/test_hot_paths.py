"""The per-call and per-chunk paths: LangChain objects built from validated wire data equal the ones LangChain's
validation makes, without validating again; the backend and provider spec are looked up once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.tool import tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from neocloud_testing.fakes import chunk, completion, sse

from neocloud.core.built import built
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk
from neocloud.langchain import ChatCerebras
from neocloud.langchain.chat_models._convert import to_chat_result, to_generation_chunk

SPEC = ChatCerebras._spec()
USAGE = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}


class _Cost:
    def to_dict(self) -> dict[str, str]:
        return {"usd": "0.000008", "source": "catalog"}


def _same(got: Any, want: Any) -> None:
    assert type(got) is type(want)
    assert got == want and got.__dict__ == want.__dict__ and list(got.__dict__) == list(want.__dict__)
    assert got.model_fields_set == want.model_fields_set and got.__pydantic_extra__ == want.__pydantic_extra__
    assert got.model_dump() == want.model_dump() and repr(got) == repr(want)


def _wire(**message: Any) -> ChatCompletion:
    body = completion(**message)
    return ChatCompletion.model_validate(body)


def test_built_equals_validated_across_answers() -> None:
    cases = [_wire(), _wire(reasoning="Thinking."), _wire(content=None)]
    no_usage = _wire()
    no_usage.usage = None
    priced = _wire()
    priced.attach_cost(_Cost())
    for wire in [*cases, no_usage, priced]:
        result = to_chat_result(wire, SPEC)
        msg = wire.choices[0].message
        metadata = {"model_name": "llama3.1-8b", "model_provider": "cerebras", "finish_reason": "stop",
                    "system_fingerprint": "fp", "id": "chatcmpl-1", "time_info": {"total_time": 0.01}}  # fmt: skip
        if wire.cost is not None:
            metadata["cost"] = wire.cost
        fields: dict[str, Any] = {"content": msg.content or ""}
        if msg.reasoning:
            fields["additional_kwargs"] = {"reasoning_content": msg.reasoning}
        if wire.usage is not None:
            fields["usage_metadata"] = {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8,
                                        "input_token_details": {"cache_read": 2},
                                        "output_token_details": {"reasoning": 1}}  # fmt: skip
        want_msg = AIMessage(**fields, response_metadata=metadata, id="chatcmpl-1")
        _same(result.generations[0].message, want_msg)
        want_gen = ChatGeneration(message=want_msg, generation_info={"finish_reason": "stop"})
        _same(result.generations[0], want_gen)
        llm_output: dict[str, Any] = {"model_name": "llama3.1-8b", "system_fingerprint": "fp"}
        if wire.cost is not None:
            llm_output["cost"] = wire.cost
        _same(result, ChatResult(generations=[want_gen], llm_output=llm_output))


def test_built_equals_validated_across_chunks() -> None:
    text = ChatCompletionChunk.model_validate(chunk({"content": "Hi"}))
    reasoning = ChatCompletionChunk.model_validate(chunk({"reasoning": "Hmm"}))
    last = ChatCompletionChunk.model_validate(chunk({"content": "."}, "stop", USAGE))
    last.attach_cost(_Cost())
    usage_only = ChatCompletionChunk.model_validate({**chunk({}), "choices": [], "usage": USAGE})
    usage = {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    cases = [
        (text, AIMessageChunk(content="Hi", response_metadata={"model_provider": "cerebras"}, id="c1"), None),
        (reasoning, AIMessageChunk(content="", additional_kwargs={"reasoning_content": "Hmm"},
                                   response_metadata={"model_provider": "cerebras"}, id="c1"), None),
        (last, AIMessageChunk(content=".", usage_metadata=usage, id="c1", response_metadata={
            "model_provider": "cerebras", "cost": _Cost().to_dict(), "finish_reason": "stop",
            "model_name": "llama3.1-8b", "system_fingerprint": None, "time_info": {"total_time": 0.02}}),
         {"finish_reason": "stop"}),
        (usage_only, AIMessageChunk(content="", usage_metadata=usage, id="c1",
                                    response_metadata={"model_provider": "cerebras"}), None),
    ]  # fmt: skip
    for wire, want, info in cases:
        got = to_generation_chunk(wire, SPEC)
        assert got is not None
        _same(got.message, want)
        _same(
            got, ChatGenerationChunk(message=want, generation_info=info) if info else ChatGenerationChunk(message=want)
        )
    merged = to_generation_chunk(text, SPEC) + to_generation_chunk(last, SPEC)  # type: ignore[operator]
    assert merged.message.content == "Hi." and merged.message.usage_metadata["total_tokens"] == 8
    assert merged.message.content_blocks == [{"type": "text", "text": "Hi."}]


def test_text_answers_and_chunks_are_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    wire = _wire(reasoning="Thinking.")
    text = ChatCompletionChunk.model_validate(chunk({"content": "Hi"}))
    to_chat_result(wire, SPEC), to_generation_chunk(text, SPEC)  # (each class's defaults are learnt once)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{type(self).__name__} validated again")

    for cls in (AIMessage, AIMessageChunk, ChatGeneration, ChatGenerationChunk, ChatResult):
        monkeypatch.setattr(cls, "__init__", refuse)
    assert to_chat_result(wire, SPEC).generations[0].message.additional_kwargs == {"reasoning_content": "Thinking."}
    generation = to_generation_chunk(text, SPEC)
    assert generation is not None and generation.text == "Hi" and generation.message.id == "c1"


def test_tool_calls_still_go_through_langchain() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "P"}'}}
    message = to_chat_result(_wire(tool_calls=[call]), SPEC).generations[0].message
    assert isinstance(message, AIMessage)
    assert message.tool_calls == [tool_call(name="get_weather", args={"city": "P"}, id="call_1")]
    fragment = {"index": 0, "id": "call_1", "function": {"name": "get_weather", "arguments": '{"city": "P"}'}}
    got = to_generation_chunk(ChatCompletionChunk.model_validate(chunk({"tool_calls": [fragment]})), SPEC)
    assert got is not None and got.message.tool_calls[0]["args"] == {"city": "P"}  # type: ignore[attr-defined]


def test_built_objects_share_no_mutable_state() -> None:
    first = built(AIMessage, {"content": ""}, content="a")
    second = built(AIMessage, {"content": ""}, content="b")
    first.additional_kwargs["x"] = 1
    first.tool_calls.append(tool_call(name="f", args={}, id="1"))
    assert second.additional_kwargs == {} and second.tool_calls == [] and AIMessage(content="c").tool_calls == []


def test_backend_read_without_pydantic_getattr(monkeypatch: pytest.MonkeyPatch, fake: Any) -> None:
    server = fake(lambda body: httpx.Response(200, json=completion()))
    model = ChatCerebras(model="llama3.1-8b", api_key="csk-test", max_retries=0, **server.clients())
    backend, abackend = model._sync_backend(), model._async_backend()
    seen: list[str] = []
    original = type(model).__getattr__

    def spy(self: Any, name: str) -> Any:
        seen.append(name)
        return original(self, name)

    monkeypatch.setattr(type(model), "__getattr__", spy)
    assert model._sync_backend() is backend and model._async_backend() is abackend
    assert model.invoke("Hello").content == "Hi there."
    assert asyncio.run(model.ainvoke("Hello")).content == "Hi there."
    assert "_backend" not in seen and "_abackend" not in seen


def test_provider_spec_is_imported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.langchain import _registry

    spec = _registry.load_spec("cerebras")
    imports: list[str] = []
    monkeypatch.setattr(_registry, "import_provider_spec", lambda module, hint: imports.append(module))
    assert _registry.load_spec("cerebras") is spec and ChatCerebras._spec() is spec and imports == []


def test_stream_merges_to_the_invoked_message(fake: Any) -> None:
    frames = [chunk({"role": "assistant", "content": "Hi"}), chunk({"content": " there."}, "stop", USAGE)]
    server = fake(lambda body: sse(*frames) if body.get("stream") else httpx.Response(200, json=completion()))
    model = ChatCerebras(model="llama3.1-8b", api_key="csk-test", max_retries=0, **server.clients())
    merged = None
    for piece in model.stream("Hello"):
        merged = piece if merged is None else merged + piece
    assert merged is not None and merged.content == model.invoke("Hello").content == "Hi there."
    assert merged.id == "c1" and merged.usage_metadata is not None and merged.usage_metadata["total_tokens"] == 8
    assert (
        merged.response_metadata["finish_reason"] == "stop" and merged.response_metadata["model_provider"] == "cerebras"
    )


def _embedding_reply(request: httpx.Request) -> httpx.Response:
    import json

    body = json.loads(request.content)
    data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(body["input"])]
    return httpx.Response(
        200, json={"data": data, "model": body["model"], "usage": {"prompt_tokens": 2, "total_tokens": 2}}
    )


def test_embeddings_find_their_client_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.langchain import ClusterProtocolEmbeddings
    from neocloud.langchain.embeddings import base

    lookups: list[str] = []
    original = base.provider_client

    def counting(spec: Any, kind: str, **kwargs: Any) -> Any:
        lookups.append(kind)
        return original(spec, kind, **kwargs)

    monkeypatch.setattr(base, "provider_client", counting)
    transport = httpx.MockTransport(_embedding_reply)
    emb = ClusterProtocolEmbeddings(api_key="sk-cluster-x", http_client=httpx.Client(transport=transport),
                                    http_async_client=httpx.AsyncClient(transport=transport))  # fmt: skip
    assert emb.embed_documents(["ab", "abc"]) == [[2.0, 1.0], [3.0, 1.0]] and emb.embed_query("a") == [1.0, 1.0]
    assert asyncio.run(emb.aembed_documents(["abcd"])) == [[4.0, 1.0]] and asyncio.run(emb.aembed_query("a"))
    assert lookups == ["sync", "async"] and emb.usage == {"prompt_tokens": 2, "total_tokens": 2}
