"""The Cluster Protocol plane: accounts, billing, fine-tune lifecycle, datasets, error shape, official SDK."""

from __future__ import annotations

import json
from typing import Any

import cluster_sdk
import pytest
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings, create_app

KEY = SANDBOX_KEYS["clusterprotocol"]["valid"]
AUTH = {"Authorization": f"Bearer {KEY}"}
BASE = "/clusterprotocol"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(SandboxSettings(phase_s=0.05)))


def test_error_shape_has_no_status_code(client: TestClient) -> None:
    r = client.get(f"{BASE}/api/balance", headers={"Authorization": "Bearer csk-wrong-provider"})
    assert r.status_code == 401 and set(r.json()) == {"error"} and r.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/chat/completions", {"model": "nope", "messages": [{"role": "user", "content": "x"}]}),
        ("POST", "/v1/chat/completions", {"messages": []}),
        ("POST", "/v1/embeddings", {"model": "bge-large-en-v1.5", "input": 5}),
        ("POST", "/v1/embeddings", {"model": "llama-3.1-70b", "input": "x"}),
        ("POST", "/v1/fine_tuning/jobs", {"base_model": "x"}),
        ("POST", "/v1/fine_tuning/jobs", {"base_model": "llama-3.1-8b", "training_file": "https://x", "epochs": -1}),
        ("POST", "/v1/fine_tuning/jobs", "not an object"),
        ("GET", "/api/datasets?page=0", None),
        ("POST", "/api/datasets/ds_001/purchase", {"paymentMethod": "card"}),
        ("GET", "/v1/fine_tuning/jobs/ft_nope", None),
        ("GET", "/api/datasets/ds_002/ipfs-download/bafyreviews1", None),
    ],
)
def test_bad_requests_are_4xx(client: TestClient, method: str, path: str, body: Any) -> None:
    r = client.request(method, BASE + path, headers=AUTH, content=None if body is None else json.dumps(body))
    assert 400 <= r.status_code < 500, r.text
    assert "message" in r.json()["error"]


def test_no_credits_key_gets_402_with_balance_and_required(client: TestClient) -> None:
    broke = {"Authorization": f"Bearer {SANDBOX_KEYS['clusterprotocol']['no_credits']}"}
    r = client.post(
        f"{BASE}/v1/chat/completions",
        headers=broke,
        json={"model": "llama-3.1-70b", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code == 402 and r.json()["error"]["balance"] == 0 and r.json()["error"]["required"] > 0


class _Clock:
    """The sandbox's wall clock, moved by the test: a lifecycle phase is observed by construction, not by polling
    fast enough on a loaded machine."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def test_accounts_are_isolated_and_fine_tunes_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.sandbox.providers import lifecycle
    from neocloud.sandbox.providers.clusterprotocol import _jobs

    clock = _Clock()
    monkeypatch.setattr(lifecycle, "time", clock)
    monkeypatch.setattr(_jobs, "time", clock)
    client = TestClient(create_app(SandboxSettings(phase_s=10.0)))
    body = {"base_model": "llama-3.1-8b", "training_file": "https://x.test/t.jsonl", "suffix": "s"}
    job = client.post(f"{BASE}/v1/fine_tuning/jobs", headers={**AUTH, "Idempotency-Key": "k1"}, json=body).json()
    assert (
        client.post(f"{BASE}/v1/fine_tuning/jobs", headers={**AUTH, "Idempotency-Key": "k1"}, json=body).json()["id"]
        == job["id"]
    )
    other = {"Authorization": "Bearer sk-cluster-someone-else"}
    assert client.get(f"{BASE}/v1/fine_tuning/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(f"{BASE}/v1/fine_tuning/jobs", headers=other).json()["data"] == []
    seen = []
    for _ in range(6):  # every 5 s of a 10 s phase
        current = client.get(f"{BASE}/v1/fine_tuning/jobs/{job['id']}", headers=AUTH).json()
        seen.append((current["status"], current["progress"]))
        clock.now += 5.0
    assert seen == [("queued", None), ("queued", None), ("running", 0.5), ("running", 0.75), ("succeeded", 1.0),
                    ("succeeded", 1.0)]  # fmt: skip
    assert current["fine_tuned_model"] == "llama-3.1-8b:ft-s"
    balance = client.get(f"{BASE}/api/balance", headers=AUTH).json()
    assert float(balance["balanceUsd"]) == pytest.approx(23.0)


def test_official_cluster_sdk_against_the_sandbox() -> None:
    with Sandbox() as sb:
        c = cluster_sdk.ClusterClient(api_key=KEY, base_url=sb.base_url("clusterprotocol"), max_retries=0)
        reply = c.chat.completions.create(model="llama-3.1-70b", messages=[{"role": "user", "content": "Hello!"}])
        streamed = "".join(ch.choices[0].delta.content or "" for ch in c.chat.completions.create(
            model="llama-3.1-70b", messages=[{"role": "user", "content": "Hello!"}], stream=True))  # fmt: skip
        assert reply.choices[0].message.content == streamed
        assert [m.id for m in c.models.list()][:2] == ["llama-3.1-70b", "llama-3.1-8b"]
        assert len(c.embeddings.create(model="bge-large-en-v1.5", input="hi").data[0].embedding) == 1024
        assert c.usage.get().total_requests == 2
        assert [d.slug for d in c.datasets.list().datasets] == ["gpu-telemetry", "code-reviews"]
        with pytest.raises(cluster_sdk.InsufficientBalanceError):
            cluster_sdk.ClusterClient(api_key=SANDBOX_KEYS["clusterprotocol"]["no_credits"], base_url=sb.base_url("clusterprotocol"),
                                      max_retries=0).chat.completions.create(model="llama-3.1-70b", messages=[{"role": "user", "content": "x"}])  # fmt: skip
