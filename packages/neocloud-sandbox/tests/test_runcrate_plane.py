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
    for _ in range(300):
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


def test_official_runcrate_sdk_jobs_schedules_environments_billing(tmp_path: Any) -> None:
    """runcrate-sdk's own job, schedule, environment, secret and billing calls work against the plane unchanged."""
    import runcrate

    from neocloud.sandbox import Sandbox

    with Sandbox(settings=SandboxSettings(phase_s=0.05)) as sb:
        url = sb.base_url("runcrate")
        c = runcrate.Runcrate(api_key=SANDBOX_KEYS["runcrate"]["valid"], base_url=url, inference_url=url)
        (tmp_path / "code").mkdir()
        (tmp_path / "code" / "train.py").write_text("print('hi')\n")
        upload = c.jobs.uploads.upload(tmp_path / "code")
        assert c.jobs.uploads.upload(tmp_path / "code").upload_id == upload.upload_id  # same bytes: deduped
        job = c.jobs.run(command="python train.py", gpu_type="A100", max_runtime_minutes=10,
                         code={"upload_id": upload.upload_id}, tags={"k": "v"})  # fmt: skip
        done = c.jobs.wait(job.id, timeout=30, poll_interval=0.05)
        assert done.status == "succeeded" and done.exit_code == 0
        assert [ch.text for ch in c.jobs.follow_logs(job.id)][-1] == "[runcrate] exit 0"
        assert [e.kind for e in c.jobs.events(job.id)][-1] == "exited" and c.jobs.metrics(job.id)
        [artifact] = c.jobs.artifacts.list(job.id)
        assert c.jobs.artifacts.download(job.id, artifact.path).startswith(b"job ")
        assert [j.id for j in c.jobs.list_all(tags={"k": "v"})] == [job.id]
        rerun = c.jobs.rerun(job.id, env={"A": "1"})
        assert rerun.rerun_of == job.id and c.jobs.cancel(rerun.id).status == "cancelled"
        group = c.jobs.run_group(count=2, max_parallel=1, command="echo", gpu_type="L40S", max_runtime_minutes=5)
        assert c.job_groups.cancel(group.id).status_counts == {"cancelled": 2}
        schedule = c.schedules.create(kind="job", spec={"command": "echo", "gpu_type": "L40S", "max_runtime_minutes": 5},
                                      cron="0 * * * *")  # fmt: skip
        assert c.schedules.run_now(schedule.id).job is not None
        assert c.schedules.update(schedule.id, enabled=False).enabled is False
        c.schedules.delete(schedule.id)
        env = c.environments.create(name="staging")
        assert {e.name for e in c.environments.list()} == {"main", "staging"}
        c.environments.delete(env.id)
        assert {s.key for s in c.secrets.list()} == {"HF_TOKEN", "WANDB_PROJECT"}
        top = c.billing.top_up(amount_usd=25)
        assert (
            top.status == "succeeded"
            and c.billing.top_up(amount_usd=25, idempotency_key=top.idempotency_key).id == top.id
        )
        assert c.billing.set_auto_recharge(enabled=True, threshold_usd=5, target_usd=50).enabled
        assert c.billing.get_auto_recharge().target_usd == 50 and c.billing.list_payment_methods()[0].last4 == "4242"


def test_jobs_plane_rules(client: TestClient) -> None:
    base = {"command": "echo", "gpu_type": "A100", "max_runtime_minutes": 5}
    for body, param in [({**base, "command": ""}, "command"), ({**base, "gpu_type": "TPU"}, "gpu_type"),
                        ({**base, "max_runtime_minutes": 0}, "max_runtime_minutes"),
                        ({**base, "webhook_url": "http://x"}, "webhook_url"), ({**base, "region": "mars"}, "region"),
                        ({**base, "code": {"upload_id": "nope"}}, "code"), ({**base, "count": 2, "params": [{}]}, "count")]:  # fmt: skip
        r = client.post(f"{API}/jobs", headers=AUTH, json=body)
        assert r.status_code == 422 and r.json()["error"]["details"] == {"param": param}, body
    first = client.post(f"{API}/jobs", headers={**AUTH, "Idempotency-Key": "k1"}, json=base).json()["data"]
    again = client.post(f"{API}/jobs", headers={**AUTH, "Idempotency-Key": "k1"}, json=base).json()["data"]
    assert first["id"] == again["id"] and len(client.get(f"{API}/jobs", headers=AUTH).json()["data"]) == 1
    assert client.get(f"{API}/jobs?environment=staging", headers=AUTH).json()["data"] == []  # environment-scoped
    other = {"Authorization": "Bearer rc_live_sandbox-other"}
    assert client.get(f"{API}/jobs/{first['id']}", headers=other).status_code == 404  # another workspace
    assert client.get(f"{API}/jobs?limit=0", headers=AUTH).status_code == 422
    slow = TestClient(create_app(SandboxSettings(phase_s=30)))  # a job that certainly has not finished
    running = slow.post(f"{API}/jobs", headers=AUTH, json=base).json()["data"]
    r = slow.get(f"{API}/jobs/{running['id']}/artifacts/outputs/result.txt", headers=AUTH, follow_redirects=False)
    assert r.status_code == 404  # not finished yet: nothing to download
    assert client.get("/runcrate/_signed/artifacts/x/y?expires=9999999999&sig=forged").status_code == 403
    no_money = {"Authorization": f"Bearer {SANDBOX_KEYS['runcrate']['no_credits']}"}
    assert client.post(f"{API}/jobs", headers=no_money, json=base).status_code == 402
    r = client.post(f"{API}/billing/topups", headers=no_money, json={"amount_usd": 50, "idempotency_key": "t"})
    assert (r.status_code, r.json()["error"]["code"]) == (402, "NO_PAYMENT_METHOD")
