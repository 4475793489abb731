"""The Cerebras client end to end, replayed from cassettes recorded against the sandbox."""

from __future__ import annotations

import json

import pytest
from neocloud_testing.targets import Target

from neocloud.cerebras import AsyncCerebras, AuthenticationError, Cerebras, NotFoundError

pytestmark = pytest.mark.vcr

MSG = [{"role": "user", "content": "Why is fast inference important?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}


def test_chat_stream_matches_non_stream(cerebras_target: Target) -> None:
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    reply = client.chat.completions.create(messages=MSG, model="llama3.1-8b", max_completion_tokens=12)
    text = reply.choices[0].message.content
    assert text and reply.choices[0].finish_reason in {"stop", "length"}
    assert (
        reply.usage is not None
        and reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    )
    assert reply.time_info is not None and reply.time_info.total_time is not None
    chunks = list(
        client.chat.completions.create(messages=MSG, model="llama3.1-8b", max_completion_tokens=12, stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    final = chunks[-1]
    assert final.usage is not None and final.usage.completion_tokens == reply.usage.completion_tokens
    assert final.time_info is not None


async def test_async_chat_and_stream(cerebras_target: Target) -> None:
    client = AsyncCerebras(**cerebras_target.client_kwargs(), max_retries=0)
    reply = await client.chat.completions.create(messages=MSG, model="llama3.1-8b", max_completion_tokens=8)
    stream = await client.chat.completions.create(
        messages=MSG, model="llama3.1-8b", max_completion_tokens=8, stream=True
    )
    parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(parts) == reply.choices[0].message.content
    await client.close()


def test_text_completion(cerebras_target: Target) -> None:
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    completion = client.completions.create(prompt="It was a dark and stormy ", max_tokens=10, model="llama3.1-8b")
    text = completion.choices[0].text
    assert text
    streamed = "".join(
        c.choices[0].text or ""
        for c in client.completions.create(
            prompt="It was a dark and stormy ", max_tokens=10, model="llama3.1-8b", stream=True
        )
    )
    assert streamed == text


def test_tool_call_generated_from_schema(cerebras_target: Target) -> None:
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    reply = client.chat.completions.create(
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        model="llama3.1-8b",
        tools=[WEATHER_TOOL],
        tool_choice="required",
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None and len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    args = json.loads(call.function.arguments or "{}")
    assert set(args) == {"city", "unit"} and isinstance(args["city"], str) and args["unit"] == "celsius"


def test_scripted_answer_is_returned(cerebras_target: Target) -> None:
    cerebras_target.script({"content": "Scripted: low latency keeps agents responsive."})
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    reply = client.chat.completions.create(messages=MSG, model="llama3.1-8b")
    assert reply.choices[0].message.content == "Scripted: low latency keeps agents responsive."


def test_json_schema_answer(cerebras_target: Target) -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["title", "year"],
    }
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    reply = client.chat.completions.create(
        messages=[{"role": "user", "content": "A film"}],
        model="llama3.1-8b",
        response_format={"type": "json_schema", "json_schema": {"name": "film", "schema": schema, "strict": True}},
    )
    data = json.loads(reply.choices[0].message.content or "")
    assert isinstance(data["title"], str) and isinstance(data["year"], int)


def test_models_and_errors(cerebras_target: Target) -> None:
    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    ids = [m.id for m in client.models.list().data]
    assert "llama3.1-8b" in ids
    assert client.models.retrieve("llama3.1-8b").id == "llama3.1-8b"
    with pytest.raises(NotFoundError) as info:
        client.chat.completions.create(messages=MSG, model="some-model-that-doesnt-exist")
    assert info.value.status_code == 404 and info.value.code == "model_not_found"
    assert info.value.request_id and info.value.request_id.startswith("req_")
    raw = client.chat.completions.with_raw_response.create(messages=MSG, model="llama3.1-8b", max_completion_tokens=4)
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.parse().choices[0].message.content


def test_bad_key_is_authentication_error(cerebras_target: Target) -> None:
    client = Cerebras(api_key="not-a-cerebras-key", base_url=cerebras_target.base_url, max_retries=3)
    with pytest.raises(AuthenticationError) as info:
        client.chat.completions.create(messages=MSG, model="llama3.1-8b")
    assert info.value.status_code == 401


def test_warm_connection(cerebras_target: Target) -> None:
    import asyncio

    client = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    assert client.warm_connection() is True  # GET /v1/tcp_warming answered

    async def warm() -> bool:
        async with AsyncCerebras(**cerebras_target.client_kwargs(), max_retries=0) as aclient:
            return await aclient.warm_connection()

    assert asyncio.run(warm()) is True


def test_httpx2_traffic_records_and_replays_as_does_a_callers_httpx_client(cerebras_target: Target) -> None:
    # Recorded from the core's own httpx2 pool; the same exchange through a caller's httpx.Client replays too.
    import httpx
    import httpx2

    own = Cerebras(**cerebras_target.client_kwargs(), max_retries=0)
    assert isinstance(own._pool.get(), httpx2.Client)
    ask = {"messages": MSG, "model": "llama3.1-8b", "max_completion_tokens": 6}
    reply = own.chat.completions.create(**ask)
    text = reply.choices[0].message.content
    assert text
    assert "".join(c.choices[0].delta.content or "" for c in own.chat.completions.create(**ask, stream=True)) == text
    with httpx.Client() as mine:
        theirs = Cerebras(**cerebras_target.client_kwargs(), max_retries=0, http_client=mine)
        assert theirs.chat.completions.create(**ask).choices[0].message.content == text
    own.close()
