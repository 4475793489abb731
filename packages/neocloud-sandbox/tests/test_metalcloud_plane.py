"""The MetalCloud plane: inference records jobs per account, pagination, validation, stream faults."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, create_app

AUTH = {"Authorization": f"Bearer {SANDBOX_KEYS['metalcloud']['valid']}"}
INF = "/metalcloud/v1/inference"
MODEL = "meta-llama/Llama-3.3-70B"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize(
    "body",
    [
        {"model": MODEL},
        {"model": MODEL, "prompt": "a", "messages": [{"role": "user", "content": "b"}]},
        {"model": MODEL, "prompt": 5},
        {"model": MODEL, "messages": [{"role": "tool", "content": "x"}]},
        {"model": MODEL, "prompt": "a", "temperature": 9},
        {"model": MODEL, "prompt": "a", "max_tokens": 0},
        {"model": MODEL, "prompt": "a", "stop": "x"},
        {"model": MODEL, "prompt": "a", "bogus": 1},
        [1],
        "x",
    ],
)
def test_bad_input_is_400(client: TestClient, body: Any) -> None:
    r = client.post(INF, headers=AUTH, content=json.dumps(body))
    assert r.status_code == 400 and r.json()["error"]["message"]


def test_auth_credits_and_unknown_model(client: TestClient) -> None:
    assert client.post(INF, json={"model": MODEL, "prompt": "a"}).status_code == 401
    nocredit = {"Authorization": f"Bearer {SANDBOX_KEYS['metalcloud']['no_credits']}"}
    assert (
        client.post(INF, headers=nocredit, json={"model": MODEL, "prompt": "a"}).json()["error"]["code"]
        == "insufficient_credits"
    )
    assert (
        client.post(INF, headers=AUTH, json={"model": "x/y", "prompt": "a"}).json()["error"]["code"]
        == "model_not_found"
    )


def test_jobs_are_per_account_and_paginated(client: TestClient) -> None:
    ids = [client.post(INF, headers=AUTH, json={"model": MODEL, "prompt": f"p{i}"}).json()["id"] for i in range(3)]
    page = client.get("/metalcloud/v1/jobs", headers=AUTH, params={"limit": 2}).json()
    assert [j["id"] for j in page["data"]] == ids[::-1][:2] and page["has_more"]
    rest = client.get("/metalcloud/v1/jobs", headers=AUTH, params={"limit": 2, "after": ids[1]}).json()
    assert [j["id"] for j in rest["data"]] == [ids[0]] and not rest["has_more"]
    other = {"Authorization": "Bearer mc_someone-else"}
    assert client.get(f"/metalcloud/v1/jobs/{ids[0]}", headers=other).json()["error"]["code"] == "job_not_found"
    assert client.get("/metalcloud/v1/jobs", headers=AUTH, params={"status": "done"}).status_code == 400


def test_stream_error_frame_marks_job_failed(client: TestClient) -> None:
    fault = json.dumps({"kind": "error_frame", "after_chunks": 1, "status_code": 500})
    text = client.post(
        INF, headers={**AUTH, "X-Sandbox-Fault": fault}, json={"model": MODEL, "prompt": "a", "stream": True}
    ).text
    frames = [json.loads(b[6:]) for b in text.split("\n\n") if b.startswith("data: {")]
    assert "error" in frames[-1] and "[DONE]" not in text
    job = client.get("/metalcloud/v1/jobs", headers=AUTH).json()["data"][0]
    assert job["status"] == "failed" and job["error"]["code"] == "server_error"
