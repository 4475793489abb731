"""ChatMetalCloud with tools and structured output through the prompted protocol, over a mock MetalCloud that
answers with a fixed text (what a model following the protocol writes): invoke, ainvoke, stream, astream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from neocloud.core.errors import ModelOutputError
from neocloud.langchain import ChatMetalCloud

USAGE = {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16}


class MetalCloud:
    """Answers every inference with ``texts`` in turn (the last one from then on); records the bodies."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        self.bodies.append(body)
        text = self.texts.pop(0) if len(self.texts) > 1 else self.texts[0]
        head = {"id": f"job_{len(self.bodies)}", "created": 1, "model": body["model"]}
        if not body.get("stream"):
            return httpx.Response(200, json={**head, "object": "inference", "text": text, "finish_reason": "stop",
                                             "usage": USAGE})  # fmt: skip
        words = text.split(" ")
        frames = [{**head, "text": (" " if i else "") + w, "finish_reason": None} for i, w in enumerate(words)]
        frames[-1].update(finish_reason="stop", usage=USAGE)
        sse = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse.encode())

    def chat(self) -> ChatMetalCloud:
        transport = httpx.MockTransport(self.handle)
        return ChatMetalCloud(api_key="mc_k", base_url="https://mc.test", max_retries=0,
                              http_client=httpx.Client(transport=transport),
                              http_async_client=httpx.AsyncClient(transport=transport))  # fmt: skip


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Film(BaseModel):
    """A film."""

    title: str
    year: int


def every_path(runnable: Any, question: Any) -> list[Any]:
    """The result of invoke, ainvoke, stream (merged) and astream (merged)."""

    def merged(chunks: list[Any]) -> Any:
        total = chunks[0]
        for c in chunks[1:]:
            total = total + c
        return total

    async def run() -> list[Any]:
        return [await runnable.ainvoke(question), merged([c async for c in runnable.astream(question)])]

    return [runnable.invoke(question), merged(list(runnable.stream(question))), *asyncio.run(run())]


def test_bound_tools_become_tool_calls_on_every_path() -> None:
    server = MetalCloud('{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}')
    bound = server.chat().bind_tools([add], tool_choice="any")
    for message in every_path(bound, "What is 2 + 3?"):
        [call] = message.tool_calls
        assert (call["name"], call["args"]) == ("add", {"a": 2, "b": 3}) and call["id"].startswith("call_")
        assert (
            message.response_metadata["finish_reason"] == "tool_calls" and message.usage_metadata["total_tokens"] == 16
        )
    instruction = server.bodies[0]["messages"][0]
    assert instruction["role"] == "system" and "- add: Add two integers." in instruction["content"]
    assert "You must call at least one tool." in instruction["content"] and "tools" not in server.bodies[0]


def test_a_tool_round_trip_is_sent_as_text() -> None:
    server = MetalCloud('{"content": "2 + 3 = 5."}')
    history = [HumanMessage("What is 2 + 3?"),
               AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": "call_9"}]),
               ToolMessage("5", tool_call_id="call_9")]  # fmt: skip
    reply = server.chat().bind_tools([add]).invoke(history)
    assert reply.content == "2 + 3 = 5." and reply.tool_calls == []
    sent = server.bodies[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert json.loads(sent[2]["content"]) == {"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}
    assert sent[3]["content"] == "Result of the tool call add:\n5"


def test_an_answer_off_the_protocol_is_a_typed_error_on_every_path() -> None:
    bound = MetalCloud("Sure! It's 5.").chat().bind_tools([add])
    calls = [lambda: bound.invoke("2+3?"), lambda: list(bound.stream("2+3?")),
             lambda: asyncio.run(bound.ainvoke("2+3?")),
             lambda: asyncio.run(_drain(bound.astream("2+3?")))]  # fmt: skip
    for call in calls:
        with pytest.raises(ModelOutputError) as info:
            call()
        assert isinstance(info.value, OutputParserException) and info.value.llm_output == "Sure! It's 5."
        assert "not one JSON document" in str(info.value)


async def _drain(stream: Any) -> list[Any]:
    return [c async for c in stream]


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_by_every_method(method: str) -> None:
    answer = '{"title": "Alien", "year": 1979}'
    if method == "function_calling":
        answer = json.dumps({"tool_calls": [{"name": "Film", "arguments": json.loads(answer)}]})
    server = MetalCloud(answer)
    structured = server.chat().with_structured_output(Film, method=method)  # type: ignore[arg-type]
    assert structured.invoke("Name a film.") == Film(title="Alien", year=1979)
    assert asyncio.run(structured.ainvoke("Name a film.")) == Film(title="Alien", year=1979)
    assert "JSON" in server.bodies[0]["messages"][0]["content"]


def test_structured_output_that_breaks_the_schema_raises() -> None:
    structured = MetalCloud('{"title": "Alien"}').chat().with_structured_output(Film)
    with pytest.raises(OutputParserException, match="missing required property 'year'"):
        structured.invoke("Name a film.")


def test_the_profile_claims_tools_and_structured_output() -> None:
    profile = ChatMetalCloud(api_key="mc_k").profile
    assert profile is not None and profile["tool_calling"] and profile["structured_output"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_create_agent_runs_the_tool_loop(mode: str) -> None:
    from langchain.agents import create_agent

    server = MetalCloud('{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}', '{"content": "2 + 3 = 5."}')
    agent = create_agent(server.chat(), tools=[add])
    question = {"messages": [("user", "What is 2 + 3?")]}
    result = agent.invoke(question) if mode == "sync" else asyncio.run(agent.ainvoke(question))
    messages = result["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    assert messages[2].content == "5" and messages[-1].content == "2 + 3 = 5."
    assert server.bodies[1]["messages"][-1]["content"] == "Result of the tool call add:\n5"
