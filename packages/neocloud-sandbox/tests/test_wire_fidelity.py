"""What the providers' SDK types allow, answered as their wire documents it: streamed tool-call fragments, the
token budget, every text-completion prompt shape, logprobs, key forms, the GPU catalog, per-provider error bodies
on unknown routes, and embeddings as wide as their model."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from neocloud.core.error_body import parse_error_body
from neocloud.core.wire import ChatCompletionChunk
from neocloud.sandbox import SANDBOX_KEYS, SandboxSettings, create_app

CEREBRAS = {"Authorization": f"Bearer {SANDBOX_KEYS['cerebras']['valid']}"}
CHAT, TEXT = "/cerebras/v1/chat/completions", "/cerebras/v1/completions"
MSG = [{"role": "user", "content": "Hello there"}]
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city", "days"]}}}  # fmt: skip


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(SandboxSettings(phase_s=0.02)))


def frames(text: str) -> list[dict[str, Any]]:
    return [json.loads(b[6:]) for b in text.split("\n\n") if b.startswith("data: {")]


def test_every_streamed_tool_fragment_names_its_type(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "messages": MSG, "tools": [TOOL], "tool_choice": "required", "stream": True}
    items = frames(client.post(CHAT, headers=CEREBRAS, json=body).text)
    pieces = [tc for f in items for tc in f["choices"][0]["delta"].get("tool_calls") or []]
    assert len(pieces) > 2 and all(p["type"] == "function" for p in pieces)
    # Only the first fragment names the call, so clients that concatenate fragments rebuild it exactly.
    assert "id" in pieces[0] and all("id" not in p and "name" not in p["function"] for p in pieces[1:])
    parsed = [ChatCompletionChunk.model_validate(f) for f in items]  # our own core's chunk model
    fragments = [tc for c in parsed for tc in c.choices[0].delta.tool_calls or []]
    assert json.loads("".join(f.function.arguments or "" for f in fragments if f.function))["days"] == 1


@pytest.mark.parametrize(
    ("model", "extra", "cap"),
    [
        ("gpt-oss-120b", {}, 4),  # reasoning alone would be 8-10 tokens: the budget cuts it
        ("gpt-oss-120b", {}, 12),  # reasoning first, the answer gets what is left
        ("qwen-3-32b", {"tools": [TOOL], "tool_choice": "required"}, 11),  # a tool call is cut too
        ("llama3.1-8b", {"response_format": {"type": "json_object"}}, 2),
        ("llama3.1-8b", {"n": 3}, 5),  # per choice
    ],
)
def test_max_completion_tokens_bounds_reasoning_and_answer(
    client: TestClient, model: str, extra: dict[str, Any], cap: int
) -> None:
    reply = client.post(CHAT, headers=CEREBRAS, json={"model": model, "messages": MSG, "max_completion_tokens": cap,
                                                      **extra}).json()  # fmt: skip
    n = extra.get("n", 1)
    assert reply["usage"]["completion_tokens"] <= cap * n
    for choice in reply["choices"]:
        message = choice["message"]
        written = " ".join([message.get("reasoning") or "", message["content"] or "",
                            *(c["function"]["arguments"] for c in message.get("tool_calls") or [])])  # fmt: skip
        assert len(written.split()) <= cap and choice["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("prompt", "prompts"), [("Once", 1), (["Once", "Twice", "Thrice"], 3), ([5, 6, 7], 1), ([[5, 6], [7]], 2)]
)
def test_text_completions_answer_every_prompt_shape(client: TestClient, prompt: Any, prompts: int) -> None:
    reply = client.post(TEXT, headers=CEREBRAS, json={"model": "llama3.1-8b", "prompt": prompt, "n": 2}).json()
    assert [c["index"] for c in reply["choices"]] == list(range(prompts * 2))
    assert len({c["text"] for c in reply["choices"]}) == prompts * 2 and set(reply["time_info"]) >= {"total_time"}
    stream = frames(client.post(TEXT, headers=CEREBRAS, json={"model": "llama3.1-8b", "prompt": prompt, "n": 2,
                                                              "stream": True}).text)  # fmt: skip
    assert "time_info" in stream[-1] and stream[-1]["usage"] == reply["usage"]
    for choice in reply["choices"]:
        streamed = "".join(f["choices"][0]["text"] for f in stream if f["choices"][0]["index"] == choice["index"])
        assert streamed == choice["text"]


@pytest.mark.parametrize("prompt", [[], [[]], [1, "a"], [[1], ["a"]], {"text": "x"}, 5])
def test_text_completions_refuse_other_prompts(client: TestClient, prompt: Any) -> None:
    r = client.post(TEXT, headers=CEREBRAS, json={"model": "llama3.1-8b", "prompt": prompt})
    assert r.status_code == 400 and r.json()["error"]["param"] == "prompt"


def test_chat_logprobs_are_deterministic_and_well_formed(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "messages": MSG, "logprobs": True, "top_logprobs": 4}
    first, second = (client.post(CHAT, headers=CEREBRAS, json=body).json() for _ in range(2))
    logprobs = first["choices"][0]["logprobs"]
    assert logprobs == second["choices"][0]["logprobs"] and logprobs["refusal"] is None
    assert "".join(t["token"] for t in logprobs["content"]) == first["choices"][0]["message"]["content"]
    for token in logprobs["content"]:
        ranked = [t["logprob"] for t in token["top_logprobs"]]
        assert token["top_logprobs"][0]["token"] == token["token"] and ranked == sorted(ranked, reverse=True)
        assert len(ranked) == 4 and bytes(token["bytes"]).decode() == token["token"] and -2.5 <= ranked[0] < 0
    streamed = frames(client.post(CHAT, headers=CEREBRAS, json={**body, "stream": True}).text)
    per_frame = [
        t
        for f in streamed
        if f["choices"] and f["choices"][0]["logprobs"]
        for t in f["choices"][0]["logprobs"]["content"]
    ]
    assert per_frame == logprobs["content"]
    plain = client.post(CHAT, headers=CEREBRAS, json={"model": "llama3.1-8b", "messages": MSG}).json()
    assert plain["choices"][0]["logprobs"] is None


def test_text_completion_logprobs_cover_echo_and_offsets(client: TestClient) -> None:
    body = {"model": "llama3.1-8b", "prompt": "Tell me", "logprobs": 3, "echo": True}
    choice = client.post(TEXT, headers=CEREBRAS, json=body).json()["choices"][0]
    lp = choice["logprobs"]
    assert choice["text"].startswith("Tell me") and "".join(lp["tokens"]) == choice["text"]
    assert [choice["text"][o:].startswith(t) for o, t in zip(lp["text_offset"], lp["tokens"], strict=True)] == [
        True
    ] * len(lp["tokens"])
    assert all(
        len(top) == 3 and top[t] == v
        for top, t, v in zip(lp["top_logprobs"], lp["tokens"], lp["token_logprobs"], strict=True)
    )


def test_cluster_protocol_takes_both_documented_key_forms(client: TestClient) -> None:
    for key in ("sk-cluster-anything", "cp_your_key_here"):
        r = client.get("/clusterprotocol/api/balance", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200 and r.json()["balanceUsd"] == "25.000000"
    assert client.get("/clusterprotocol/api/balance", headers={"Authorization": "Bearer rc_live_x"}).status_code == 401


@pytest.mark.parametrize("gpu_type", ["A4000", "A100-80GB:2", ["H100", "A100-80GB:2"], ["A4000", "L40S"]])
def test_runcrate_catalog_has_the_sdks_gpus(client: TestClient, gpu_type: Any) -> None:
    auth = {"Authorization": f"Bearer {SANDBOX_KEYS['runcrate']['valid']}"}
    job = client.post("/runcrate/api/v1/jobs", headers=auth,
                      json={"command": "echo", "gpu_type": gpu_type, "max_runtime_minutes": 5})  # fmt: skip
    first = gpu_type[0] if isinstance(gpu_type, list) else gpu_type
    assert job.status_code == 201 and job.json()["data"]["gpu_type"] == first.split(":")[0]
    types = client.get("/runcrate/api/v1/instances/types", headers=auth, params={"gpu_type": first.split(":")[0]})
    assert len(types.json()["data"]) == 8  # 1, 2, 4 and 8 GPUs in both regions


@pytest.mark.parametrize(
    ("provider", "shape"),
    [
        ("cerebras", {"error", "status_code"}),
        ("clusterprotocol", {"error"}),
        ("metalcloud", {"error"}),
        ("runcrate", {"error"}),
        ("inferencekey", {"error", "message"}),
    ],
)
def test_unknown_routes_answer_in_the_providers_own_error_shape(
    client: TestClient, provider: str, shape: set[str]
) -> None:
    for method, status in (("GET", 404), ("PUT", 404)):
        r = client.request(method, f"/{provider}/v1/no/such/route")
        assert r.status_code == status and set(r.json()) == shape and r.headers["x-request-id"].startswith("req_")
        info = parse_error_body(status, r.content)
        assert info.code == "not_found" and "No route" in info.message
    if provider == "runcrate":
        assert set(r.json()["error"]) == {"code", "message", "details"}
    wrong = client.request("DELETE", f"/{provider}" + {"cerebras": "/v1/models", "clusterprotocol": "/v1/models",
                           "metalcloud": "/v1/models", "runcrate": "/api/v1/secrets",
                           "inferencekey": "/api/tenants/t/custom-backends"}[provider])  # fmt: skip
    assert wrong.status_code == 405 and set(wrong.json()) == shape
    assert parse_error_body(405, wrong.content).code == "method_not_allowed"


def test_cluster_protocol_embeddings_are_as_wide_as_the_model(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {SANDBOX_KEYS['clusterprotocol']['valid']}"}
    url = "/clusterprotocol/v1/embeddings"
    floats = client.post(url, headers=auth, json={"model": "bge-large-en-v1.5", "input": ["gpu", "racks"]}).json()
    assert [len(d["embedding"]) for d in floats["data"]] == [1024, 1024]
    packed = client.post(
        url, headers=auth, json={"model": "bge-large-en-v1.5", "input": "gpu", "encoding_format": "base64"}
    )
    assert len(base64.b64decode(packed.json()["data"][0]["embedding"])) == 1024 * 4
    tokens = client.post(url, headers=auth, json={"model": "bge-large-en-v1.5", "input": [[1, 2], [3]]}).json()
    assert len(tokens["data"]) == 2 and tokens["usage"]["prompt_tokens"] == 3
    fixed = client.post(url, headers=auth, json={"model": "bge-large-en-v1.5", "input": "gpu", "dimensions": 256})
    assert fixed.status_code == 400 and fixed.json()["error"]["param"] == "dimensions"  # not Matryoshka-trained


@pytest.mark.parametrize(("model_name", "width"), [("BAAI/bge-small-en-v1.5", 384), ("nomic-ai/nomic-embed-text-v1.5", 768),
                                                   ("Qwen/Qwen3-Embedding-8B", 4096), ("org/unknown-model", 768)])  # fmt: skip
def test_inferencekey_embeddings_are_as_wide_as_the_workloads_model(
    client: TestClient, model_name: str, width: int
) -> None:
    keys = SANDBOX_KEYS["inferencekey"]
    spec = {"name": "e", "slug": "e", "model_name": model_name, "backend": "vllm", "task_type": "embedding"}
    assert client.post("/inferencekey/api/projects/acme/workloads", headers={"Authorization": f"Bearer {keys['valid']}"},
                       json=spec).status_code == 201  # fmt: skip
    time.sleep(0.1)  # three phases of 0.02 s: ready
    url, data = "/inferencekey/endpoint/acme/e/v1/embeddings", {"Authorization": f"Bearer {keys['data']}"}
    reply = client.post(url, headers=data, json={"model": "e", "input": ["a b"]}).json()
    assert len(reply["data"][0]["embedding"]) == width
    if "nomic" in model_name:  # Matryoshka-trained: shorter vectors on request
        short = client.post(url, headers=data, json={"model": "e", "input": ["a b"], "dimensions": 64}).json()
        assert len(short["data"][0]["embedding"]) == 64
