"""Cerebras client over a mock transport: wire shapes, error mapping, configuration, raw responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from neocloud_testing.leaks import as_sent

import neocloud.cerebras as cb
from neocloud.cerebras import AsyncCerebras, Cerebras

KEY = "csk-unit-test-key"
MSG = [{"role": "user", "content": "Why is fast inference important?"}]
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "llama3.1-8b",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Speed."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
    "time_info": {
        "queue_time": 0.001,
        "prompt_time": 0.002,
        "completion_time": 0.003,
        "total_time": 0.006,
        "created": 1,
    },
}


def sse(*frames: object, done: bool = True) -> bytes:
    body = "".join(f"data: {json.dumps(f)}\n\n" for f in frames)
    return (body + ("data: [DONE]\n\n" if done else "")).encode()


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[Cerebras, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(as_sent(request))
        return handler(request)

    client = Cerebras(
        api_key=KEY,
        base_url="https://api.cerebras.test",
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
        **kwargs,
    )
    client._sleep = lambda s: None
    return client, seen


def test_chat_completion_sends_exactly_the_given_fields() -> None:
    client, seen = client_for(lambda r: httpx.Response(200, json=COMPLETION))
    reply = client.chat.completions.create(
        messages=MSG, model="llama3.1-8b", max_completion_tokens=50, reasoning_effort="low"
    )
    assert reply.choices[0].message.content == "Speed."
    assert reply.time_info is not None and reply.time_info.total_time == 0.006
    assert reply.usage is not None and reply.usage.total_tokens == 10
    assert seen[0].url.path == "/v1/chat/completions"
    assert json.loads(seen[0].content) == {
        "messages": MSG,
        "model": "llama3.1-8b",
        "max_completion_tokens": 50,
        "reasoning_effort": "low",
    }
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"


def test_stream_yields_chunks_and_final_usage() -> None:
    frames = [
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Fa"}}],
        },
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": "st"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
            "time_info": {"total_time": 0.01},
        },
    ]
    client, seen = client_for(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(*frames))
    )
    chunks = list(client.chat.completions.create(messages=MSG, model="llama3.1-8b", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Fast"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 5
    assert chunks[-1].time_info is not None and chunks[-1].time_info.total_time == 0.01
    assert json.loads(seen[0].content)["stream"] is True


def test_in_band_error_frame_raises_by_body_status() -> None:
    frames = [
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "a"}}]},
        {"error": {"message": "overloaded", "code": "server_error"}, "status_code": 503},
    ]
    client, _ = client_for(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(*frames))
    )
    stream = client.chat.completions.create(messages=MSG, model="m", stream=True)
    assert next(stream).choices[0].delta.content == "a"
    with pytest.raises(cb.InternalServerError) as info:
        next(stream)
    assert info.value.status_code == 503 and info.value.code == "server_error"


def test_body_status_code_overrides_http_status() -> None:
    client, seen = client_for(
        lambda r: httpx.Response(
            400, json={"error": {"message": "quota", "code": "request_quota_exceeded"}, "status_code": 429}
        )
    )
    with pytest.raises(cb.RateLimitError) as info:
        client.with_options(max_retries=0).chat.completions.create(messages=MSG, model="m")
    assert info.value.status_code == 429 and info.value.code == "request_quota_exceeded"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, cb.BadRequestError),
        (401, cb.AuthenticationError),
        (403, cb.PermissionDeniedError),
        (404, cb.NotFoundError),
        (409, cb.ConflictError),
        (422, cb.UnprocessableEntityError),
        (429, cb.RateLimitError),
        (500, cb.InternalServerError),
    ],
)
def test_documented_error_table(status: int, cls: type[Exception]) -> None:
    client, _ = client_for(
        lambda r: httpx.Response(
            status, headers={"x-request-id": "req_x"}, json={"error": {"message": "m"}, "status_code": status}
        )
    )
    with pytest.raises(cls) as info:
        client.with_options(max_retries=0).chat.completions.create(messages=MSG, model="m")
    assert isinstance(info.value, cb.APIStatusError) and isinstance(info.value, cb.APIError)
    assert info.value.request_id == "req_x"  # type: ignore[attr-defined]
    assert info.value.response is not None and info.value.response.status_code == status  # type: ignore[attr-defined]


def test_bad_arguments_fail_before_any_request() -> None:
    client, seen = client_for(lambda r: httpx.Response(200, json=COMPLETION))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"messages": [], "model": "m"}, "messages"),
        ({"messages": MSG, "model": ""}, "model"),
        ({"messages": MSG, "model": "m", "temperature": 2.5}, "temperature"),
        ({"messages": MSG, "model": "m", "max_tokens": -1}, "max_tokens"),
        ({"messages": MSG, "model": "m", "reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"messages": MSG, "model": "m", "tool_choice": "any"}, "tool_choice"),
        ({"messages": [{"role": "robot", "content": "x"}], "model": "m"}, "messages.0"),
        ({"messages": MSG, "model": "m", "not_a_param": 1}, "not_a_param"),
        ({"messages": MSG, "model": "m", "stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ]
    for kwargs, param in cases:
        with pytest.raises(cb.RequestValidationError) as info:
            client.chat.completions.create(**kwargs)
        assert info.value.param is not None and info.value.param.startswith(param), (kwargs, info.value.param)
    assert seen == []
    # The documented escape hatch for fields we do not model:
    client.chat.completions.create(messages=MSG, model="m", extra_body={"not_a_param": 1})
    assert json.loads(seen[0].content)["not_a_param"] == 1


def test_with_raw_response_exposes_headers_and_parse() -> None:
    client, _ = client_for(
        lambda r: httpx.Response(200, headers={"x-request-id": "req_42", "X-My-Header": "yes"}, json=COMPLETION)
    )
    raw = client.chat.completions.with_raw_response.create(messages=MSG, model="llama3.1-8b")
    assert raw.headers.get("X-My-Header") == "yes"
    assert raw.request_id == "req_42" and raw.status_code == 200
    assert raw.parse().choices[0].message.content == "Speed."


def test_env_configuration_and_custom_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEREBRAS_API_KEY", "csk-from-env")
    monkeypatch.setenv("CEREBRAS_BASE_URL", "http://env.example")
    monkeypatch.setenv("CEREBRAS_CUSTOM_HEADERS", "X-Team: infra\nX-Trace: 1")
    client = Cerebras()
    assert client.base_url == "http://env.example"
    headers = client._default_headers()
    assert headers["Authorization"] == "Bearer csk-from-env"
    assert headers["X-Team"] == "infra" and headers["X-Trace"] == "1"
    monkeypatch.delenv("CEREBRAS_API_KEY")
    with pytest.raises(cb.ConfigurationError, match="CEREBRAS_API_KEY"):
        Cerebras()


def test_construction_sends_nothing_and_warming_is_explicit() -> None:
    client, seen = client_for(lambda r: httpx.Response(200, text="ok"))
    AsyncCerebras(api_key=KEY, warm_tcp_connection=True)
    assert seen == []
    assert client.warm_connection() is True
    assert [r.url.path for r in seen] == ["/v1/tcp_warming"]


def test_models_list_retrieve_and_formats() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(
                200,
                json={
                    "object": "list",
                    "data": [{"id": "llama3.1-8b", "object": "model", "owned_by": "Meta", "context_length": 32768}],
                },
            )
        return httpx.Response(200, json={"id": request.url.path.rsplit("/", 1)[-1], "object": "model"})

    client, seen = client_for(handler)
    models = client.models.list(format="huggingface")
    assert [m.id for m in models.data] == ["llama3.1-8b"]
    assert models.data[0].model_extra == {"context_length": 32768}
    assert seen[0].url.params["format"] == "huggingface"
    assert client.models.retrieve("llama3.1-8b").id == "llama3.1-8b"
    with pytest.raises(cb.RequestValidationError):
        client.models.retrieve("")


def test_text_completion_stream() -> None:
    frames = [
        {"id": "t", "object": "text_completion", "choices": [{"index": 0, "text": "night"}]},
        {"id": "t", "object": "text_completion", "choices": [{"index": 0, "text": ".", "finish_reason": "stop"}]},
    ]
    client, seen = client_for(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(*frames))
    )
    text = "".join(
        c.choices[0].text or ""
        for c in client.completions.create(
            prompt="It was a dark and stormy ", max_tokens=100, model="llama3.1-8b", stream=True
        )
    )
    assert text == "night."
    assert json.loads(seen[0].content) == {
        "prompt": "It was a dark and stormy ",
        "max_tokens": 100,
        "model": "llama3.1-8b",
        "stream": True,
    }


def test_async_client_across_event_loops() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json=COMPLETION)

    client = AsyncCerebras(
        api_key=KEY,
        base_url="https://api.cerebras.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )

    async def once() -> str | None:
        reply = await client.chat.completions.create(messages=MSG, model="llama3.1-8b")
        return reply.choices[0].message.content

    assert [asyncio.run(once()) for _ in range(3)] == ["Speed."] * 3
    assert calls == 3


def test_secret_never_in_repr_or_errors() -> None:
    client, _ = client_for(lambda r: httpx.Response(401, json={"error": {"message": "bad key"}}))
    assert KEY not in repr(client)
    with pytest.raises(cb.AuthenticationError) as info:
        client.chat.completions.create(messages=MSG, model="m")
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.request is not None and KEY not in str(info.value.request.headers)


def test_with_raw_response_on_every_resource() -> None:
    client, _ = client_for(
        lambda r: httpx.Response(
            200, headers={"x-request-id": "req_m"}, json={"object": "list", "data": [{"id": "llama3.1-8b"}]}
        )
    )
    raw = client.models.with_raw_response.list()
    assert raw.request_id == "req_m" and raw.parse().data[0].id == "llama3.1-8b"
    with pytest.raises(AttributeError):
        client.models.with_raw_response._private  # noqa: B018
