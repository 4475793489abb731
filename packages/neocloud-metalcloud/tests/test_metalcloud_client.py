"""MetalCloud client over a mock transport: documented surface, errors, validation, chat translation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from neocloud_testing.leaks import as_sent

from neocloud.core import errors as core_errors
from neocloud.metalcloud import PROVIDER_SPEC, AsyncClient, Client
from neocloud.metalcloud.exceptions import (
    AuthenticationError,
    InsufficientCreditsError,
    JobNotFoundError,
    ModelNotFoundError,
    RateLimitError,
)

KEY = "mc_unit-test-key"
MODEL = "meta-llama/Llama-3.3-70B"
REPLY = {
    "id": "job_1",
    "object": "inference",
    "created": 1,
    "model": MODEL,
    "text": "Qubits.",
    "finish_reason": "stop",
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(as_sent(request))
        return handler(request)

    client = Client(
        api_key=KEY,
        base_url="https://api.metalcloud.test",
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
    )
    client._sleep = lambda s: None
    return client, seen


def sse(*frames: object, done: bool = True) -> httpx.Response:
    body = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + ("data: [DONE]\n\n" if done else "")
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def test_inference_prompt_and_messages() -> None:
    client, seen = client_for(lambda r: httpx.Response(200, json=REPLY))
    assert client.inference(model=MODEL, prompt="Explain quantum computing", max_tokens=500).text == "Qubits."
    assert json.loads(seen[0].content) == {"model": MODEL, "prompt": "Explain quantum computing", "max_tokens": 500}
    assert seen[0].url.path == "/v1/inference" and seen[0].headers["authorization"] == f"Bearer {KEY}"
    messages = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Hello!"}]
    client.inference(model=MODEL, messages=messages)
    assert json.loads(seen[1].content) == {"model": MODEL, "messages": messages}


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"prompt": "a", "messages": [{"role": "user", "content": "b"}]}, "prompt"),
        ({}, "prompt"),
        ({"prompt": "a", "temperature": 2.5}, "temperature"),
        ({"prompt": "a", "top_p": 1.5}, "top_p"),
        ({"prompt": "a", "max_tokens": 0}, "max_tokens"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages.0.role"),
        ({"messages": []}, "messages"),
    ],
)
def test_bad_arguments_fail_before_sending(kwargs: dict[str, Any], param: str) -> None:
    client, seen = client_for(lambda r: httpx.Response(200, json=REPLY))
    with pytest.raises(core_errors.RequestValidationError) as info:
        client.inference(model=MODEL, **kwargs)
    assert info.value.param == param
    assert seen == []


def test_stream_yields_text_and_final_usage() -> None:
    frames = [
        {"id": "job_2", "object": "inference.chunk", "text": "Once"},
        {
            "id": "job_2",
            "text": " upon.",
            "finish_reason": "stop",
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        },
    ]
    client, seen = client_for(lambda r: sse(*frames))
    chunks = list(client.inference(model=MODEL, prompt="Write a story", stream=True))
    assert "".join(c.text for c in chunks) == "Once upon."
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 5
    assert json.loads(seen[0].content)["stream"] is True


def test_error_frame_mid_stream_raises() -> None:
    client, _ = client_for(
        lambda r: sse(
            {"text": "a"},
            {"error": {"message": "model crashed", "type": "server_error", "code": "server_error"}},
            done=False,
        )
    )
    stream = client.inference(model=MODEL, prompt="x", stream=True)
    assert next(stream).text == "a"
    with pytest.raises(core_errors.InternalServerError, match="model crashed"):
        next(stream)


@pytest.mark.parametrize(
    ("status", "body", "cls", "parent"),
    [
        (
            401,
            {"error": {"message": "bad key", "type": "authentication_error", "code": "invalid_api_key"}},
            AuthenticationError,
            core_errors.AuthenticationError,
        ),
        (
            402,
            {"error": {"message": "no credits", "code": "insufficient_credits"}},
            InsufficientCreditsError,
            core_errors.PaymentRequiredError,
        ),
        (
            404,
            {"error": {"message": "no model", "type": "not_found_error", "code": "model_not_found"}},
            ModelNotFoundError,
            core_errors.NotFoundError,
        ),
        (
            404,
            {"error": {"message": "no job", "type": "not_found_error", "code": "job_not_found"}},
            JobNotFoundError,
            core_errors.NotFoundError,
        ),
    ],
)
def test_documented_exceptions(
    status: int, body: dict[str, Any], cls: type[Exception], parent: type[Exception]
) -> None:
    client, seen = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(cls) as info:
        client.inference(model=MODEL, prompt="x")
    assert isinstance(info.value, parent)
    assert len(seen) == 1


def test_rate_limit_retry_after_and_no_blind_retry_of_inference() -> None:
    client, seen = client_for(
        lambda r: httpx.Response(
            429, headers={"retry-after": "30"}, json={"error": {"message": "slow", "code": "rate_limited"}}
        )
    )
    with pytest.raises(RateLimitError) as info:
        client.with_options(max_retries=0).inference(model=MODEL, prompt="x")
    assert info.value.retry_after == 30.0
    client2, seen2 = client_for(lambda r: httpx.Response(500, json={"error": {"message": "boom"}}))
    with pytest.raises(core_errors.InternalServerError):
        client2.inference(model=MODEL, prompt="x")
    assert len(seen2) == 1  # the server may have created a job: not repeated


def test_models_and_jobs() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"object": "list", "data": [{"id": MODEL, "parameters": 70}]})
        if request.url.path == "/v1/jobs/job_abc123":
            return httpx.Response(200, json={"id": "job_abc123", "status": "completed", "result": {"text": "done"}})
        after = request.url.params.get("after")
        page = (
            [{"id": "job_3", "status": "completed"}, {"id": "job_2", "status": "completed"}]
            if after is None
            else [{"id": "job_1", "status": "completed"}]
        )
        return httpx.Response(200, json={"object": "list", "data": page, "has_more": after is None})

    client, seen = client_for(handler)
    assert [f"{m.id}: {m.parameters}B params" for m in client.list_models()] == [f"{MODEL}: 70B params"]
    job = client.get_job(job_id="job_abc123")
    assert job.status == "completed" and job.result is not None and job.result.text == "done"
    jobs = client.list_jobs(limit=10, status="completed")
    assert [j.id for j in jobs] == ["job_3", "job_2"] and jobs.has_more
    assert seen[-1].url.params["limit"] == "10" and seen[-1].url.params["status"] == "completed"
    assert [j.id for j in client.iter_jobs(status="completed", page_size=2)] == ["job_3", "job_2", "job_1"]
    for bad in ({"limit": 0}, {"limit": 101}, {"status": "done"}):
        with pytest.raises(core_errors.RequestValidationError):
            client.list_jobs(**bad)  # type: ignore[arg-type]


def test_timeout_is_plain_seconds_default_300() -> None:
    assert Client(api_key=KEY).timeout.read == 300.0
    assert Client(api_key=KEY, timeout=60).timeout.total == 60.0


def test_async_client() -> None:
    async def main() -> tuple[str, str]:
        client = AsyncClient(
            api_key=KEY,
            base_url="https://api.metalcloud.test",
            http_client=httpx.AsyncClient(
                transport=httpx.MockTransport(
                    lambda r: (
                        httpx.Response(200, json=REPLY)
                        if b'"stream"' not in r.content
                        else sse({"text": "Hi"}, {"text": "!", "finish_reason": "stop"})
                    )
                )
            ),
        )
        reply = await client.inference(model=MODEL, prompt="x")
        stream = await client.inference(model=MODEL, prompt="x", stream=True)
        return reply.text, "".join([c.text async for c in stream])

    assert asyncio.run(main()) == ("Qubits.", "Hi!")


def test_chat_backend_translation() -> None:
    client, seen = client_for(
        lambda r: (
            httpx.Response(200, json=REPLY)
            if b'"stream"' not in r.content
            else sse(
                {"text": "Hi"},
                {
                    "text": "!",
                    "finish_reason": "stop",
                    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
                },
            )
        )
    )
    backend = PROVIDER_SPEC.chat_backend(client)
    body = {
        "model": MODEL,
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": "Hi"},
        ],
        "max_completion_tokens": 20,
        "stop": "END",
    }
    completion = backend.create_chat(body)
    assert (
        completion.choices[0].message.content == "Qubits."
        and completion.usage is not None
        and completion.usage.total_tokens == 4
    )
    assert json.loads(seen[0].content) == {
        "model": MODEL,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "max_tokens": 20,
        "stop": ["END"],
    }
    chunks = list(backend.stream_chat(body))
    assert [c.choices[0].delta.content for c in chunks] == ["Hi", "!"] and chunks[0].choices[
        0
    ].delta.role == "assistant"
    # a field MetalCloud's API does not have is refused by name before sending, never dropped
    before = len(seen)
    with pytest.raises(core_errors.RequestValidationError, match="no field 'frequency_penalty'"):
        backend.create_chat({**body, "frequency_penalty": 0.5})
    with pytest.raises(core_errors.RequestValidationError, match="does not support 'seed'"):
        backend.create_chat({**body, "seed": 1})
    assert len(seen) == before
