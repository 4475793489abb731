"""The real server on loopback, driven by the official SDKs: the emulator is faithful."""

from __future__ import annotations

import os

import cerebras.cloud.sdk as official
import httpx
import openai
import pytest

from neocloud.sandbox import SANDBOX_KEYS, Sandbox

KEY = SANDBOX_KEYS["cerebras"]["valid"]
MSG = [{"role": "user", "content": "Why is fast inference important?"}]


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    with Sandbox() as sb:
        yield sb  # type: ignore[misc]


def test_env_points_at_the_sandbox(sandbox: Sandbox) -> None:
    env = sandbox.env()
    assert env["CEREBRAS_BASE_URL"] == f"{sandbox.url}/cerebras" and env["CEREBRAS_API_KEY"] == KEY
    assert httpx.get(f"{sandbox.url}/_sandbox/health").json() == {
        "ok": True,
        "providers": ["cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"],
        "pid": os.getpid(),  # (in-process: this process)
    }


def test_official_cerebras_sdk(sandbox: Sandbox) -> None:
    client = official.Cerebras(
        api_key=KEY, base_url=sandbox.base_url("cerebras"), warm_tcp_connection=False, max_retries=0
    )
    reply = client.chat.completions.create(messages=MSG, model="llama3.1-8b")
    text = reply.choices[0].message.content
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in client.chat.completions.create(messages=MSG, model="llama3.1-8b", stream=True)
    )
    assert text and streamed == text and reply.time_info is not None
    completion = client.completions.create(prompt="It was a dark and stormy ", max_tokens=10, model="llama3.1-8b")
    assert completion.choices[0].text
    assert client.models.list().data[0].id == "llama3.1-8b"
    with pytest.raises(official.NotFoundError):
        client.chat.completions.create(messages=MSG, model="some-model-that-doesnt-exist")
    with pytest.raises(official.AuthenticationError):
        official.Cerebras(
            api_key="bad", base_url=sandbox.base_url("cerebras"), warm_tcp_connection=False, max_retries=0
        ).models.list()


def test_official_openai_sdk(sandbox: Sandbox) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=sandbox.base_url("cerebras") + "/v1", max_retries=0)
    reply = client.chat.completions.create(messages=MSG, model="llama3.1-8b")  # type: ignore[arg-type]
    chunks = list(
        client.chat.completions.create(
            messages=MSG, model="llama3.1-8b", stream=True, stream_options={"include_usage": True}
        )
    )  # type: ignore[arg-type]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == reply.choices[0].message.content
    assert chunks[-1].usage is not None


def test_drop_and_stall_faults_over_real_sockets(sandbox: Sandbox) -> None:
    sandbox.faults("cerebras", [{"kind": "drop", "times": 1}])
    with pytest.raises(httpx.HTTPError):
        httpx.post(sandbox.base_url("cerebras") + "/v1/chat/completions", headers={"Authorization": f"Bearer {KEY}"},
                   json={"model": "llama3.1-8b", "messages": MSG}).read()  # fmt: skip
    sandbox.faults("cerebras", [{"kind": "stall_stream", "after_chunks": 1, "seconds": 5}])
    url = sandbox.base_url("cerebras") + "/v1/chat/completions"
    body = {"model": "llama3.1-8b", "messages": MSG, "stream": True}
    headers = {"Authorization": f"Bearer {KEY}"}
    with (
        pytest.raises(httpx.ReadTimeout),
        httpx.stream("POST", url, headers=headers, json=body, timeout=httpx.Timeout(5, read=0.3)) as r,
    ):
        for _ in r.iter_bytes():
            pass
    sandbox.reset()
