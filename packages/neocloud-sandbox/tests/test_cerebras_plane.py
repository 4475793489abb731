"""The Cerebras plane through the ASGI app: auth, validation, output, streaming, scripting, faults."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, create_app

KEY = SANDBOX_KEYS["cerebras"]["valid"]
AUTH = {"Authorization": f"Bearer {KEY}"}
CHAT = "/cerebras/v1/chat/completions"
MSG = [{"role": "user", "content": "Hello there"}]
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"]}}}  # fmt: skip


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def frames(text: str) -> list[Any]:
    out = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            data = block[6:]
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "wrong_api_key"),
        ({"Authorization": "Bearer sk-not-cerebras"}, 401, "wrong_api_key"),
        ({"Authorization": f"Bearer {SANDBOX_KEYS['cerebras']['no_credits']}"}, 402, "payment_required"),
    ],
)
def test_auth(client: TestClient, headers: dict[str, str], status: int, code: str) -> None:
    r = client.post(CHAT, headers=headers, json={"model": "llama3.1-8b", "messages": MSG})
    assert r.status_code == status
    assert r.json()["error"]["code"] == code and r.json()["status_code"] == status
    assert r.headers["x-request-id"].startswith("req_")


BAD_BODIES: list[Any] = [
    {},
    {"model": "llama3.1-8b"},
    {"model": "llama3.1-8b", "messages": []},
    {"model": "llama3.1-8b", "messages": "hi"},
    {"model": "llama3.1-8b", "messages": [{"role": "robot", "content": "x"}]},
    {"model": "llama3.1-8b", "messages": [{"role": "tool", "content": "x"}]},
    {"model": "llama3.1-8b", "messages": MSG, "temperature": 3},
    {"model": "llama3.1-8b", "messages": MSG, "temperature": "hot"},
    {"model": "llama3.1-8b", "messages": MSG, "max_tokens": 0},
    {"model": "llama3.1-8b", "messages": MSG, "max_tokens": "many"},
    {"model": "llama3.1-8b", "messages": MSG, "tool_choice": "required"},
    {
        "model": "llama3.1-8b",
        "messages": MSG,
        "tools": [TOOL],
        "tool_choice": {"type": "function", "function": {"name": "nope"}},
    },
    {"model": "llama3.1-8b", "messages": MSG, "tools": "x"},
    {"model": "llama3.1-8b", "messages": MSG, "response_format": {"type": "xml"}},
    {"model": "llama3.1-8b", "messages": MSG, "n": 0},
    {"model": "llama3.1-8b", "messages": MSG, "n": 17},
    {"model": "llama3.1-8b", "messages": MSG, "top_logprobs": 2},
    {"model": "llama3.1-8b", "messages": MSG, "logprobs": True, "top_logprobs": 21},
    {"model": "llama3.1-8b", "messages": MSG, "stop": 5},
    {"model": "llama3.1-8b", "messages": MSG, "stop": ["a", "b", "c", "d", "e"]},
    {"model": "llama3.1-8b", "messages": MSG, "reasoning_format": "loud"},
    {"model": "llama3.1-8b", "messages": MSG, "stream_options": []},
    {
        "model": "llama3.1-8b",
        "messages": MSG,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": []}}],
    },
    {
        "model": "llama3.1-8b",
        "messages": MSG,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": []}},
    },
    [],
    "text",
    5,
    None,
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_input_is_4xx_never_500(client: TestClient, body: Any) -> None:
    r = client.post(CHAT, headers=AUTH, content=json.dumps(body))
    assert r.status_code == 400, r.text
    assert set(r.json()["error"]) == {"message", "type", "param", "code"}


def test_malformed_json_and_unknown_model(client: TestClient) -> None:
    assert client.post(CHAT, headers=AUTH, content=b"{nope").status_code == 400
    r = client.post(CHAT, headers=AUTH, json={"model": "gpt-9", "messages": MSG})
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    assert client.get("/cerebras/v1/nowhere", headers=AUTH).status_code == 404


def test_deterministic_output_and_usage(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "messages": MSG, "max_tokens": 5}
    a, b = client.post(CHAT, headers=AUTH, json=body).json(), client.post(CHAT, headers=AUTH, json=body).json()
    for payload in (a, b):
        payload.pop("created"), payload["time_info"].pop("created")
    assert a == b
    assert a["choices"][0]["finish_reason"] == "length" and len(a["choices"][0]["message"]["content"].split()) == 5
    assert a["usage"]["completion_tokens"] == 5 and a["usage"]["total_tokens"] == a["usage"]["prompt_tokens"] + 5


def test_stream_framing_and_final_usage(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "messages": MSG, "stream": True}
    r = client.post(CHAT, headers=AUTH, json=body)
    assert r.headers["content-type"].startswith("text/event-stream")
    items = frames(r.text)
    assert items[-1] == "[DONE]" and items[0]["choices"][0]["delta"]["role"] == "assistant"
    final = items[-2]
    assert final["choices"][0]["finish_reason"] == "stop" and "usage" in final and "time_info" in final
    text = "".join(f["choices"][0]["delta"].get("content") or "" for f in items[:-1])
    plain = client.post(CHAT, headers=AUTH, json={"model": "llama3.1-8b", "messages": MSG}).json()
    assert text == plain["choices"][0]["message"]["content"]


def test_tool_calls_from_schema_and_streamed_fragments(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "messages": MSG, "tools": [TOOL], "tool_choice": "required"}
    call = client.post(CHAT, headers=AUTH, json=body).json()["choices"][0]["message"]["tool_calls"][0]
    args = json.loads(call["function"]["arguments"])
    assert call["function"]["name"] == "get_weather" and args["unit"] == "c" and isinstance(args["city"], str)
    items = frames(client.post(CHAT, headers=AUTH, json={**body, "stream": True}).text)
    pieces = [tc for f in items[:-1] for tc in f["choices"][0]["delta"].get("tool_calls") or []]
    assert len(pieces) > 1 and pieces[0]["id"] == call["id"] and "id" not in pieces[1]
    assert json.loads("".join(p["function"]["arguments"] for p in pieces)) == args


def test_auto_tool_rule(client: TestClient) -> None:
    first = client.post(CHAT, headers=AUTH, json={"model": "llama3.1-8b", "messages": MSG, "tools": [TOOL]}).json()
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    call = first["choices"][0]["message"]["tool_calls"][0]
    history = [
        *MSG,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "Sunny"},
    ]
    second = client.post(CHAT, headers=AUTH, json={"model": "llama3.1-8b", "messages": history, "tools": [TOOL]}).json()
    assert second["choices"][0]["finish_reason"] == "stop" and second["choices"][0]["message"]["content"]


def test_json_schema_and_json_mode(client: TestClient) -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["title", "year"],
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "film", "schema": schema}}
    data = json.loads(
        client.post(CHAT, headers=AUTH, json={"model": "llama3.1-8b", "messages": MSG, "response_format": fmt}).json()[
            "choices"
        ][0]["message"]["content"]
    )
    assert set(data) == {"title", "year"} and isinstance(data["year"], int)
    mode = client.post(
        CHAT, headers=AUTH, json={"model": "llama3.1-8b", "messages": MSG, "response_format": {"type": "json_object"}}
    ).json()
    assert isinstance(json.loads(mode["choices"][0]["message"]["content"])["result"], str)


def test_reasoning_models(client: TestClient) -> None:
    reply = client.post(CHAT, headers=AUTH, json={"model": "qwen-3-32b", "messages": MSG}).json()
    assert (
        reply["choices"][0]["message"]["reasoning"]
        and reply["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    )
    hidden = client.post(
        CHAT, headers=AUTH, json={"model": "qwen-3-32b", "messages": MSG, "reasoning_format": "hidden"}
    ).json()
    assert "reasoning" not in hidden["choices"][0]["message"]


def test_scripting_fifo_and_per_key(client: TestClient) -> None:
    other = "csk-sandbox-other"
    client.post(
        "/_sandbox/script", json={"provider": "cerebras", "api_key": other, "responses": [{"content": "for other"}]}
    )
    client.post(
        "/_sandbox/script",
        json={
            "provider": "cerebras",
            "responses": [{"content": "one"}, {"content": None, "tool_calls": [{"name": "f", "arguments": {"a": 1}}]}],
        },
    )
    ask = {"model": "llama3.1-8b", "messages": MSG}
    assert client.post(CHAT, headers=AUTH, json=ask).json()["choices"][0]["message"]["content"] == "one"
    second = client.post(CHAT, headers=AUTH, json=ask).json()["choices"][0]
    assert second["finish_reason"] == "tool_calls" and json.loads(
        second["message"]["tool_calls"][0]["function"]["arguments"]
    ) == {"a": 1}
    assert (
        client.post(CHAT, headers={"Authorization": f"Bearer {other}"}, json=ask).json()["choices"][0]["message"][
            "content"
        ]
        == "for other"
    )
    assert client.post("/_sandbox/script", json={"provider": "nope", "responses": [{}]}).status_code == 400
    assert (
        client.post("/_sandbox/script", json={"provider": "cerebras", "responses": [{"bogus": 1}]}).status_code == 400
    )


def test_faults(client: TestClient) -> None:
    client.post(
        "/_sandbox/faults",
        json={"provider": "cerebras", "faults": [{"status": 429, "headers": {"retry-after": "2"}, "times": 1}]},
    )
    ask = {"model": "llama3.1-8b", "messages": MSG}
    r = client.post(CHAT, headers=AUTH, json=ask)
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    assert client.post(CHAT, headers=AUTH, json=ask).status_code == 200
    bad = client.post(CHAT, headers={**AUTH, "X-Sandbox-Fault": json.dumps({"kind": "malformed_json"})}, json=ask)
    with pytest.raises(ValueError):
        bad.json()
    frame = client.post(
        CHAT,
        headers={**AUTH, "X-Sandbox-Fault": json.dumps({"kind": "error_frame", "after_chunks": 2, "status_code": 503})},
        json={**ask, "stream": True},
    )
    items = frames(frame.text)
    assert items[-1]["status_code"] == 503 and "error" in items[-1] and "[DONE]" not in items
    assert (
        client.post("/_sandbox/faults", json={"provider": "cerebras", "faults": [{"kind": "explode"}]}).status_code
        == 400
    )


def test_models_and_formats(client: TestClient) -> None:
    ids = [m["id"] for m in client.get("/cerebras/v1/models", headers=AUTH).json()["data"]]
    assert ids == ["llama3.1-8b", "llama-3.3-70b", "qwen-3-32b", "gpt-oss-120b"]
    hf = client.get("/cerebras/v1/models/llama3.1-8b", headers=AUTH, params={"format": "huggingface"}).json()
    assert hf["context_length"] == 32_768 and hf["pricing"]["input"] == pytest.approx(0.1)
    assert client.get("/cerebras/v1/models", headers=AUTH, params={"format": "xml"}).status_code == 400
    assert client.get("/cerebras/v1/models/nope", headers=AUTH).json()["error"]["code"] == "model_not_found"
    assert client.get("/cerebras/v1/tcp_warming").status_code == 200
