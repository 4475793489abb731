"""MetalCloud's chat backend with tools and response formats: the prompted protocol on the wire, sync and async,
streamed and not, over a mock transport that answers with a fixed text (as a model following the protocol would)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from neocloud.core.errors import ModelOutputError
from neocloud.metalcloud import PROVIDER_SPEC, AsyncClient, Client

MODEL = "meta-llama/Llama-3.3-70B"
ADD = {"type": "function", "function": {"name": "add", "description": "Add two integers.", "parameters": {
    "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}}  # fmt: skip
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "2+3?"}], "tools": [ADD], "tool_choice": "required"}
CALL = '{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}'
USAGE = {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16}


class Model:
    """A mock MetalCloud that answers every inference with ``text`` (whole, or streamed word by word)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        self.bodies.append(body)
        head = {"id": "job_1", "created": 1, "model": MODEL}
        if not body.get("stream"):
            return httpx.Response(200, json={**head, "object": "inference", "text": self.text, "finish_reason": "stop",
                                             "usage": USAGE})  # fmt: skip
        words = self.text.split(" ")
        frames = [{**head, "text": (" " if i else "") + w, "finish_reason": None} for i, w in enumerate(words)]
        frames[-1].update(finish_reason="stop", usage=USAGE)
        sse = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse.encode())

    def backends(self) -> tuple[Any, Any]:
        transport = httpx.MockTransport(self.handle)
        sync = Client(api_key="mc_k", base_url="https://mc.test", http_client=httpx.Client(transport=transport))
        aio = AsyncClient(
            api_key="mc_k", base_url="https://mc.test", http_client=httpx.AsyncClient(transport=transport)
        )
        return PROVIDER_SPEC.chat_backend(sync), PROVIDER_SPEC.async_chat_backend(aio)


def completions(model: Model, body: dict[str, Any]) -> list[tuple[str | None, list[tuple[str, Any]], str | None]]:
    """The answer on all four paths, each as (content, [(tool, arguments)], finish_reason)."""
    sync, aio = model.backends()

    def of_completion(c: Any) -> tuple[str | None, list[tuple[str, Any]], str | None]:
        choice = c.choices[0]
        calls = [(t.function.name, json.loads(t.function.arguments)) for t in choice.message.tool_calls or []]
        assert all(t.id.startswith("call_") for t in choice.message.tool_calls or [])
        return choice.message.content, calls, choice.finish_reason

    def of_chunks(chunks: list[Any]) -> tuple[str | None, list[tuple[str, Any]], str | None]:
        assert chunks[-1].usage.total_tokens == 16  # usage arrives on the last chunk, as from any provider
        content = "".join(c.choices[0].delta.content or "" for c in chunks) or None
        calls = [
            (t.function.name, json.loads(t.function.arguments))
            for c in chunks
            for t in c.choices[0].delta.tool_calls or []
        ]
        return content, calls, chunks[-1].choices[0].finish_reason

    async def run() -> list[Any]:
        done = of_completion(await aio.create_chat(body))
        return [done, of_chunks([c async for c in await aio.stream_chat(body)])]

    return [of_completion(sync.create_chat(body)), of_chunks(list(sync.stream_chat(body))), *asyncio.run(run())]


def test_tool_calls_on_every_path() -> None:
    model = Model(CALL)
    assert completions(model, BODY) == [(None, [("add", {"a": 2, "b": 3})], "tool_calls")] * 4
    sent = model.bodies[0]
    assert set(sent) == {"model", "messages"}  # the wire has no tool fields: the protocol is in the messages
    assert sent["messages"][0]["role"] == "system" and '"required":["a","b"]' in sent["messages"][0]["content"]
    assert "You must call at least one tool." in sent["messages"][0]["content"]
    assert sent["messages"][1] == {"role": "user", "content": "2+3?"}
    assert all(b["messages"] == sent["messages"] for b in model.bodies)


def test_a_direct_answer_and_structured_output() -> None:
    assert completions(Model('{"content": "Five."}'), {**BODY, "tool_choice": "auto"}) == [("Five.", [], "stop")] * 4
    film = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}
    body = {"model": MODEL, "messages": BODY["messages"],
            "response_format": {"type": "json_schema", "json_schema": {"name": "Film", "schema": film}}}  # fmt: skip
    assert completions(Model('{"title": "Alien"}'), body) == [('{"title": "Alien"}', [], "stop")] * 4


def test_an_answer_off_the_protocol_raises_on_every_path() -> None:
    sync, aio = Model("Sure, 2 + 3 = 5.").backends()
    with pytest.raises(ModelOutputError, match="not one JSON document"):
        sync.create_chat(BODY)
    with pytest.raises(ModelOutputError, match="not one JSON document"):
        list(sync.stream_chat(BODY))

    async def run() -> None:
        with pytest.raises(ModelOutputError, match="not one JSON document"):
            await aio.create_chat(BODY)
        with pytest.raises(ModelOutputError, match="not one JSON document"):
            [c async for c in await aio.stream_chat(BODY)]

    asyncio.run(run())


def test_text_still_streams_as_it_arrives_without_tools() -> None:
    sync, _ = Model("one two three").backends()
    body = {"model": MODEL, "messages": BODY["messages"], "stream_options": {"include_usage": True}}
    assert [c.choices[0].delta.content for c in sync.stream_chat(body)] == ["one", " two", " three"]
