"""ChatCerebras (LangChain) and CerebrasLLM (LlamaIndex) end to end, replayed from sandbox cassettes.

Both adapters are written once against the provider protocol; these tests prove the seam with the
first provider through every layer: adapter → Cerebras client → core transport → HTTP.
"""

from __future__ import annotations

import json

import pytest
from neocloud_testing.targets import Target

pytestmark = pytest.mark.vcr


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"Sunny in {city}"


def test_chat_cerebras_invoke_stream_and_tool_call(cerebras_target: Target) -> None:
    from neocloud.langchain import ChatCerebras

    chat = ChatCerebras(model="llama3.1-8b", max_tokens=12, max_retries=0, **cerebras_target.client_kwargs())
    reply = chat.invoke("Why is fast inference important?")
    assert isinstance(reply.content, str) and reply.content
    assert reply.usage_metadata is not None
    assert (
        reply.usage_metadata["total_tokens"]
        == reply.usage_metadata["input_tokens"] + reply.usage_metadata["output_tokens"]
    )
    assert reply.response_metadata["model_name"] == "llama3.1-8b"
    assert reply.response_metadata["model_provider"] == "cerebras"
    assert "time_info" in reply.response_metadata

    chunks = list(chat.stream("Why is fast inference important?"))
    assert "".join(str(c.content) for c in chunks) == reply.content
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1 and with_usage[0].usage_metadata == reply.usage_metadata

    tool_reply = chat.bind_tools([get_weather], tool_choice="required").invoke("What's the weather in Paris?")
    assert len(tool_reply.tool_calls) == 1
    call = tool_reply.tool_calls[0]
    assert call["name"] == "get_weather" and isinstance(call["args"]["city"], str)


async def test_chat_cerebras_async_paths(cerebras_target: Target) -> None:
    from neocloud.langchain import ChatCerebras

    chat = ChatCerebras(model="llama3.1-8b", max_tokens=8, max_retries=0, **cerebras_target.client_kwargs())
    reply = await chat.ainvoke("Hello")
    parts = [chunk.content async for chunk in chat.astream("Hello")]
    assert "".join(str(p) for p in parts) == reply.content


def test_chat_cerebras_scripted_parallel_tool_calls(cerebras_target: Target) -> None:
    from neocloud.langchain import ChatCerebras

    cerebras_target.script(
        {
            "content": None,
            "tool_calls": [
                {"name": "get_weather", "arguments": {"city": "Paris"}},
                {"name": "get_weather", "arguments": {"city": "Oslo"}},
            ],
        }
    )
    chat = ChatCerebras(model="llama3.1-8b", max_retries=0, **cerebras_target.client_kwargs()).bind_tools([get_weather])
    reply = chat.invoke("Weather in Paris and Oslo?")
    assert [c["args"] for c in reply.tool_calls] == [{"city": "Paris"}, {"city": "Oslo"}]


def test_cerebras_llm_chat_and_stream(cerebras_target: Target) -> None:
    from llama_index.core.llms import ChatMessage

    from neocloud.llamaindex import CerebrasLLM

    llm = CerebrasLLM(model="llama3.1-8b", max_tokens=12, max_retries=0, **cerebras_target.client_kwargs())
    assert llm.metadata.context_window == 32_768 and llm.metadata.is_function_calling_model
    messages = [ChatMessage(role="user", content="What is a wafer-scale engine?")]
    answer = llm.chat(messages)
    assert answer.message.content
    streamed = list(llm.stream_chat(messages))
    assert streamed[-1].message.content == answer.message.content
    assert "".join(r.delta or "" for r in streamed) == answer.message.content
    usage = streamed[-1].additional_kwargs
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


async def test_cerebras_llm_async_and_structured(cerebras_target: Target) -> None:
    from pydantic import BaseModel

    from neocloud.llamaindex import CerebrasLLM

    class Film(BaseModel):
        title: str
        year: int

    llm = CerebrasLLM(model="llama3.1-8b", max_tokens=12, max_retries=0, **cerebras_target.client_kwargs())
    completion = await llm.acomplete("It was a dark and stormy ")
    assert completion.text
    from llama_index.core.prompts import PromptTemplate

    film = await llm.astructured_predict(Film, PromptTemplate("Name a film about {topic}."), topic="space")
    assert isinstance(film, Film) and isinstance(film.year, int)
    assert json.loads(film.model_dump_json())["title"] == film.title
