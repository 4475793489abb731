"""The official Cerebras SDK, with strict response validation, through every public method against the sandbox.

Each driver runs on ``Cerebras`` and on ``AsyncCerebras`` and sends what the SDK's types allow (every message
role and content part, every parameter), so any answer the SDK's schema rejects fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import cerebras.cloud.sdk as cs
import pytest
from cerebras.cloud.sdk._resource import AsyncAPIResource, SyncAPIResource
from cerebras.cloud.sdk.types.chat.chat_completion import ChatChunkResponse, ChatCompletionResponse
from cerebras.cloud.sdk.types.completion import CompletionResponse

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

from .official_sdks import Driver, collect, done, missing_and_stale, public_methods, record_calls, run

KEY = SANDBOX_KEYS["cerebras"]["valid"]
MODEL = "llama3.1-8b"
USER = [{"role": "user", "content": "Why is fast inference important?"}]
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.", "strict": True,
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
                          "required": ["city", "unit"]}}}  # fmt: skip
# Every message role, and every content part the SDK's types allow on it.
EVERY_MESSAGE: list[Any] = [
    {"role": "system", "content": "You are terse.", "name": "rules"},
    {"role": "developer", "content": [{"type": "text", "text": "Answer in English."}]},
    {"role": "user", "name": "ada", "content": [
        {"type": "text", "text": "What is in this picture, and what is the weather?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
        {"type": "image", "image": "iVBORw0KGgo="}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}],
     "reasoning": [{"type": "text", "text": "The user wants the weather."}],
     "tool_calls": [{"id": "call_1", "type": "function", "index": 0,
                     "function": {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "c"}'}}]},
    {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": [{"type": "text", "text": "Sunny"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=SandboxSettings(phase_s=0.05)) as sb:
        yield sb


def make(sandbox: Sandbox, kind: str) -> Any:
    cls = cs.Cerebras if kind == "sync" else cs.AsyncCerebras
    return cls(api_key=KEY, base_url=sandbox.base_url("cerebras"), warm_tcp_connection=False, max_retries=0,
               _strict_response_validation=True)  # fmt: skip


def is_resource(value: Any) -> bool:
    return isinstance(value, (SyncAPIResource, AsyncAPIResource))


async def chat(client: Any) -> None:
    every = await done(client.chat.completions.create(
        model=MODEL, messages=EVERY_MESSAGE, tools=[WEATHER], tool_choice="auto", parallel_tool_calls=False,
        temperature=0.2, top_p=0.9, seed=7, stop=["\n\n", "END"], frequency_penalty=0.1, presence_penalty=0.1,
        logit_bias={"15": -1.0}, user="ada", service_tier="auto", prompt_cache_key="k", min_tokens=1,
        min_completion_tokens=1, max_tokens=30, model_parameters={"top_k": 5}, clear_thinking=True,
        prediction={"type": "content", "content": [{"type": "text", "text": "Sunny"}]},
        cf_ray="ray", x_amz_cf_id="cf", x_delay_time=0.0))  # fmt: skip
    assert isinstance(every, ChatCompletionResponse) and every.choices[0].message.content  # a tool result → text
    # n choices, each with well-formed, deterministic logprobs whose tokens rebuild the content.
    many = await done(client.chat.completions.create(model=MODEL, messages=USER, n=3, logprobs=True, top_logprobs=3))
    assert [c.index for c in many.choices] == [0, 1, 2] and len({c.message.content for c in many.choices}) == 3
    for choice in many.choices:
        tokens = choice.logprobs.content
        assert "".join(t.token for t in tokens) == choice.message.content
        assert all(len(t.top_logprobs) == 3 and t.top_logprobs[0].token == t.token for t in tokens)
        assert all(t.logprob < 0 and t.top_logprobs[1].logprob < t.logprob for t in tokens)
    assert many.usage.completion_tokens == sum(len(c.logprobs.content) for c in many.choices)
    again = await done(client.chat.completions.create(model=MODEL, messages=USER, n=3, logprobs=True, top_logprobs=3))
    assert again.choices[1].logprobs == many.choices[1].logprobs
    # A reasoning model's budget bounds reasoning and answer together.
    capped = await done(client.chat.completions.create(model="gpt-oss-120b", messages=USER, max_completion_tokens=4))
    assert capped.usage.completion_tokens <= 4 and capped.choices[0].finish_reason == "length"
    schema = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "film", "schema": schema, "strict": True}}
    film = await done(client.chat.completions.create(model=MODEL, messages=USER, response_format=fmt))
    assert set(json.loads(film.choices[0].message.content)) == {"title"}
    hidden = await done(client.chat.completions.create(model="qwen-3-32b", messages=USER, reasoning_format="hidden",
                                                       reasoning_effort="low", response_format={"type": "json_object"}))  # fmt: skip
    assert hidden.choices[0].message.reasoning is None and "result" in json.loads(hidden.choices[0].message.content)
    with pytest.raises(cs.NotFoundError):
        await done(client.chat.completions.create(model="no-such-model", messages=USER))
    with pytest.raises(cs.BadRequestError):
        await done(client.chat.completions.create(model=MODEL, messages=USER, n=17))


async def chat_streams(client: Any) -> None:
    # Every streamed tool-call fragment parses, and the fragments rebuild the non-streamed call.
    ask = {"model": MODEL, "messages": USER, "tools": [WEATHER], "tool_choice": "required"}
    whole = (await done(client.chat.completions.create(**ask))).choices[0].message.tool_calls[0]
    chunks = await collect(client.chat.completions.create(**ask, stream=True))
    assert all(isinstance(c, ChatChunkResponse) for c in chunks)
    pieces = [tc for c in chunks for tc in c.choices[0].delta.tool_calls or []]
    assert len(pieces) > 1 and all(p.type == "function" for p in pieces)
    assert pieces[0].id == whole.id and "".join(p.function.name or "" for p in pieces) == whole.function.name
    assert "".join(p.function.arguments or "" for p in pieces) == whole.function.arguments
    # Reasoning, content and their logprobs stream per token; usage and time_info come last.
    chunks = await collect(client.chat.completions.create(model="qwen-3-32b", messages=USER, stream=True, logprobs=True,
                                                          top_logprobs=2, stream_options={"include_usage": True}))  # fmt: skip
    content = [c.choices[0] for c in chunks if c.choices and c.choices[0].delta.content]
    assert all(len(c.logprobs.content) == 1 and c.logprobs.content[0].token == c.delta.content for c in content)
    assert any(c.choices[0].reasoning_logprobs for c in chunks if c.choices and c.choices[0].delta.reasoning)
    assert chunks[-1].usage.completion_tokens > 0 and chunks[-1].time_info.total_time > 0
    many = await collect(client.chat.completions.create(model=MODEL, messages=USER, n=2, stream=True))
    assert {c.choices[0].index for c in many} == {0, 1}
    quiet = await collect(client.chat.completions.create(model=MODEL, messages=USER, stream=True,
                                                         stream_options={"include_usage": False}))  # fmt: skip
    assert all(c.usage is None for c in quiet)


async def completions(client: Any) -> None:
    for prompt, prompts in (("Once", 1), (["Once", "Twice"], 2), ([1, 2, 3], 1), ([[1, 2], [3]], 2)):
        reply = await done(client.completions.create(model=MODEL, prompt=prompt, n=2, max_tokens=6))
        assert isinstance(reply, CompletionResponse) and [c.index for c in reply.choices] == list(range(prompts * 2))
        assert all(c.text for c in reply.choices) and reply.time_info is not None and reply.usage.total_tokens > 0
    echoed = await done(client.completions.create(model=MODEL, prompt="Tell me", echo=True, logprobs=2, stop=["zz"],
                                                  temperature=0.5, top_p=0.9, seed=1, user="ada", best_of=3))  # fmt: skip
    choice = echoed.choices[0]
    assert choice.text.startswith("Tell me") and "".join(choice.logprobs.tokens) == choice.text
    assert choice.logprobs.text_offset[1] == len(choice.logprobs.tokens[0])
    assert all(len(top) == 2 for top in choice.logprobs.top_logprobs)
    raw = await done(client.completions.create(model=MODEL, prompt="Once", return_raw_tokens=True))
    assert raw.choices[0].tokens and all(isinstance(t, int) for t in raw.choices[0].tokens)
    plain = await done(client.completions.create(model=MODEL, prompt="Once", logprobs=1))
    frames = await collect(client.completions.create(model=MODEL, prompt="Once", logprobs=1, stream=True))
    assert "".join(f.choices[0].text or "" for f in frames) == plain.choices[0].text
    assert [f.choices[0].logprobs.token_logprobs[0] for f in frames[:-1]] == plain.choices[0].logprobs.token_logprobs
    assert frames[-1].usage.completion_tokens > 0 and frames[-1].time_info is not None
    with pytest.raises(cs.BadRequestError):
        await done(client.completions.create(model=MODEL, prompt=[[]]))


async def models_list(client: Any) -> None:
    assert [m.id for m in (await done(client.models.list())).data][:1] == [MODEL]
    assert (await done(client.models.list(format="openrouter"))).data[0].id == f"cerebras/{MODEL}"
    assert (await done(client.models.list(format="huggingface"))).data[0].pricing.input == pytest.approx(0.1)


async def models_retrieve(client: Any) -> None:
    assert (await done(client.models.retrieve(MODEL))).id == MODEL
    assert (await done(client.models.retrieve(MODEL, format="openrouter"))).context_length == 32_768
    assert (await done(client.models.retrieve(MODEL, format="huggingface"))).capabilities.function_calling
    with pytest.raises(cs.NotFoundError):
        await done(client.models.retrieve("no-such-model"))


DRIVERS: dict[str, list[Driver]] = {
    "chat.completions.create": [chat, chat_streams],
    "completions.create": [completions],
    "models.list": [models_list],
    "models.retrieve": [models_retrieve],
}
CASES = [
    (kind, method, driver) for kind in ("sync", "async") for method, drivers in DRIVERS.items() for driver in drivers
]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_public_method_is_driven(sandbox: Sandbox, kind: str) -> None:
    missing, stale = missing_and_stale(public_methods(make(sandbox, kind), is_resource), DRIVERS, {})
    assert not missing, f"methods no test drives: {sorted(missing)}"
    assert not stale, f"drivers for methods the SDK does not have: {sorted(stale)}"


@pytest.mark.parametrize(("kind", "method", "driver"), CASES, ids=[f"{k}-{d.__name__}" for k, _, d in CASES])
def test_method_parses_strictly(sandbox: Sandbox, kind: str, method: str, driver: Driver) -> None:
    client = make(sandbox, kind)
    calls = record_calls(client, method)
    run(driver, client)
    assert method in calls


def test_response_views_parse_strictly(sandbox: Sandbox) -> None:
    client = make(sandbox, "sync")
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=USER, logprobs=True)
    assert raw.http_request.headers["authorization"] and isinstance(raw.parse(), ChatCompletionResponse)
    assert client.completions.with_raw_response.create(model=MODEL, prompt=[1, 2]).parse().time_info
    assert client.models.with_raw_response.list().parse().data
    with client.models.with_streaming_response.retrieve(MODEL) as response:
        assert response.parse().id == MODEL
