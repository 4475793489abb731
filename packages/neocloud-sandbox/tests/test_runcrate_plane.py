"""The Runcrate plane: envelope, workspace isolation, environments, lifecycles, billing, error shape."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, SandboxSettings, create_app

AUTH = {"Authorization": f"Bearer {SANDBOX_KEYS['runcrate']['valid']}"}
API = "/runcrate/api/v1"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(SandboxSettings(phase_s=0.05)))


def _key(client: TestClient, headers: dict[str, str] = AUTH) -> str:
    return str(
        client.post(f"{API}/ssh-keys", headers=headers, json={"name": "k", "public_key": "ssh-ed25519 AAAA"}).json()[
            "data"
        ]["id"]
    )


def test_error_shape_is_code_message_details(client: TestClient) -> None:
    r = client.get(f"{API}/instances/nope", headers=AUTH)
    assert r.status_code == 404 and set(r.json()["error"]) == {"code", "message", "details"}
    assert client.get(f"{API}/instances", headers={"Authorization": "Bearer sk-wrong"}).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/instances", {"name": "x"}),
        ("POST", "/instances", {"name": "x", "ssh_key_id": "nope", "gpu_type": "A100"}),
        ("POST", "/storage", {"name": "v", "size_gb": -1, "region": "us-east-1"}),
        ("POST", "/storage", {"name": "v", "size_gb": 5, "region": "mars"}),
        ("POST", "/ssh-keys", {"name": "k", "public_key": "nope"}),
        ("GET", "/billing/transactions?limit=0", None),
        ("GET", "/templates?page=0", None),
        ("POST", "/instances", [1, 2]),
        ("PATCH", "/storage/vol_missing", {"size_gb": 5}),
    ],
)
def test_bad_requests_are_4xx(client: TestClient, method: str, path: str, body: Any) -> None:
    r = client.request(method, API + path, headers=AUTH, content=None if body is None else json.dumps(body))
    assert 400 <= r.status_code < 500, r.text


def test_workspaces_are_isolated_and_environments_scope(client: TestClient) -> None:
    key = _key(client)
    body = {"name": "gpu", "ssh_key_id": key, "gpu_type": "A100", "gpu_count": 1}
    made = client.post(
        f"{API}/instances?environment=staging", headers={**AUTH, "Idempotency-Key": "k1"}, json=body
    ).json()["data"]
    again = client.post(
        f"{API}/instances?environment=staging", headers={**AUTH, "Idempotency-Key": "k1"}, json=body
    ).json()["data"]
    assert made["id"] == again["id"]
    assert client.get(f"{API}/instances", headers=AUTH).json()["data"] == []
    assert [i["id"] for i in client.get(f"{API}/instances?environment=staging", headers=AUTH).json()["data"]] == [
        made["id"]
    ]
    other = {"Authorization": "Bearer rc_live_someone-else"}
    assert client.get(f"{API}/instances/{made['id']}?environment=staging", headers=other).status_code == 404


def test_instance_lifecycle_and_billing(client: TestClient) -> None:
    key = _key(client)
    inst = client.post(
        f"{API}/instances", headers=AUTH, json={"name": "gpu", "ssh_key_id": key, "gpu_type": "H100", "gpu_count": 2}
    ).json()["data"]
    seen = [inst["status"]]
    for _ in range(30):
        status = client.get(f"{API}/instances/{inst['id']}/status", headers=AUTH).json()["data"]
        seen.append(status["status"])
        if status["status"] == "running":
            break
        time.sleep(0.02)
    assert seen[0] == "pending" and seen[-1] == "running" and status["ip"]
    balance = client.get(f"{API}/billing/balance", headers=AUTH).json()["data"]
    assert balance["activeUsageCost"] == 4.98 and balance["creditsBalance"] <= 100
    assert client.delete(f"{API}/instances/{inst['id']}", headers=AUTH).status_code == 204
    time.sleep(0.06)
    assert client.get(f"{API}/instances/{inst['id']}", headers=AUTH).json()["data"]["status"] == "terminated"
    assert client.get(f"{API}/billing/balance", headers=AUTH).json()["data"]["activeUsageCost"] == 0


def test_no_credits_workspace(client: TestClient) -> None:
    broke = {"Authorization": f"Bearer {SANDBOX_KEYS['runcrate']['no_credits']}"}
    key = _key(client, broke)
    r = client.post(f"{API}/instances", headers=broke, json={"name": "gpu", "ssh_key_id": key, "gpu_type": "A100"})
    assert r.status_code == 402 and r.json()["error"]["code"] == "insufficient_credits"
