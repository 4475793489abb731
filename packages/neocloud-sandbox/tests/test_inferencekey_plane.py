"""The InferenceKey plane: token scopes, workload lifecycle, readiness SSE, data plane, official SDK."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings, create_app

KEYS = SANDBOX_KEYS["inferencekey"]
API = "/inferencekey/api"
EP = "/inferencekey/endpoint/acme/bot/v1"
SPEC = {"name": "bot", "slug": "bot", "model_name": "meta-llama/Llama-3.1-8B-Instruct", "backend": "vllm"}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


CONTROL, DATA = auth(KEYS["valid"]), auth(KEYS["data"])


@pytest.fixture
def client() -> TestClient:
    # Long enough that "not ready yet" is still true a few requests after a create, even on a loaded machine.
    return TestClient(create_app(SandboxSettings(phase_s=0.15)))


def _create(client: TestClient, body: dict[str, Any] = SPEC, headers: dict[str, str] = CONTROL) -> Any:
    return client.post(f"{API}/projects/acme/workloads", headers=headers, json=body)


def _events(client: TestClient, slug: str = "bot") -> list[dict[str, Any]]:
    r = client.get(f"{API}/projects/acme/workloads/{slug}/readiness-events", headers=CONTROL)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert "[DONE]" not in r.text  # a terminator here would make the SDK reconnect and replay
    return [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]


def test_error_shape_and_auth(client: TestClient) -> None:
    r = client.get(f"{API}/projects/acme/workloads", headers=auth("sk-wrong"))
    assert r.status_code == 401
    r = client.patch(f"{API}/workloads/wl_missing", headers=CONTROL, json={})
    assert r.status_code == 404 and r.json()["error"] == "not_found" and "wl_missing" in r.json()["message"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (DATA, 403, "wrong_credential_type"),  # a data key cannot provision
        (auth(KEYS["other_project"]), 403, "project_scope_mismatch"),
        (auth("ik_sdk_unscoped"), 403, "project_scope_mismatch"),  # a control token must name its project
        (auth(KEYS["readonly"]), 403, "scope_insufficient"),
        (auth(KEYS["no_credits"]), 402, "insufficient_credits"),
    ],
)
def test_token_scopes_on_create(client: TestClient, headers: dict[str, str], status: int, code: str) -> None:
    r = _create(client, headers=headers)
    assert (r.status_code, r.json()["error"]) == (status, code)
    assert client.get(f"{API}/projects/acme/workloads", headers=CONTROL).json() == []  # nothing was created


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({**SPEC, "slug": ""}, "slug"),
        ({k: v for k, v in SPEC.items() if k != "model_name"}, "model_name"),
        ({**SPEC, "slug": "a/b"}, "slug"),
        ({**SPEC, "task_type": "telepathy"}, "task_type"),
        ({**SPEC, "execution_policy": "sometimes"}, "execution_policy"),
        ({**SPEC, "id": "wl_mine"}, "id"),
        ({**SPEC, "config": ["not", "an", "object"]}, "config"),
        ({**SPEC, "config": "max_model_len=8192"}, "config"),
        ({**SPEC, "execution_policy_config": 3}, "execution_policy_config"),
    ],
)
def test_invalid_creates_are_400_naming_the_field(client: TestClient, body: dict[str, Any], param: str) -> None:
    r = _create(client, body)
    assert r.status_code == 400 and r.json()["error"] == "validation_error" and param in r.json()["message"]


def test_backend_config_is_kept_and_returned(client: TestClient) -> None:
    config = {"command": "vllm serve m", "max_model_len": 8192, "env": {"HF_HUB_OFFLINE": "1"}}
    created = _create(client, {**SPEC, "config": config})
    assert created.status_code == 201 and created.json()["config"] == config
    [listed] = client.get(f"{API}/projects/acme/workloads", headers=CONTROL).json()
    assert listed["config"] == config and listed["id"] == created.json()["id"]
    patched = client.patch(f"{API}/workloads/{listed['id']}", headers=CONTROL, json={"config": {"max_model_len": 4096}})
    assert patched.status_code == 200 and patched.json()["config"] == {"max_model_len": 4096}  # replaced whole
    bad = client.patch(f"{API}/workloads/{listed['id']}", headers=CONTROL, json={"config": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "validation_error" and "config" in bad.json()["message"]
    assert client.get(f"{API}/projects/acme/workloads", headers=CONTROL).json()[0]["config"] == {"max_model_len": 4096}


def test_lifecycle_readiness_and_data_plane(client: TestClient) -> None:
    created = _create(client)
    assert created.status_code == 201
    workload = created.json()
    assert (
        workload["id"].startswith("wl_") and workload["project_id"] == "acme" and workload["task_type"] == "text2text"
    )
    assert _create(client).status_code == 409  # slugs are unique per project

    chat = {"model": "bot", "messages": [{"role": "user", "content": "Hola"}], "max_tokens": 8}
    early = client.post(f"{EP}/chat/completions", headers=DATA, json=chat)
    assert (early.status_code, early.json()["error"]) == (503, "workload_not_ready")

    phases = [e["phase"] for e in _events(client)]
    assert phases[-1] == "ready" and phases == sorted(
        phases, key=["scheduling", "provisioning", "bootstrapping", "ready"].index
    )
    # A new connection starts at the current phase (elapsed_ms counts from the connection: no value asserted).
    [current] = _events(client)
    assert (current["phase"], current["message"]) == ("ready", "Serving") and current["elapsed_ms"] >= 0

    answer = client.post(f"{EP}/chat/completions", headers=DATA, json=chat).json()
    assert answer["model"] == "bot" and answer["choices"][0]["message"]["content"]
    assert answer["usage"]["completion_tokens"] <= 8
    stream = client.post(f"{EP}/chat/completions", headers=DATA, json={**chat, "stream": True})
    frames = [json.loads(line[6:]) for line in stream.text.splitlines() if line.startswith("data: {")]
    assert all(len(f["choices"]) == 1 for f in frames)  # every frame has choices[0]: the SDK requires it
    assert (
        "".join(f["choices"][0]["delta"].get("content") or "" for f in frames)
        == answer["choices"][0]["message"]["content"]
    )
    emb = client.post(f"{EP}/embeddings", headers=DATA, json={"model": "bot", "input": ["a", "b"]})
    assert [d["index"] for d in emb.json()["data"]] == [0, 1]
    again = client.post(f"{EP}/embeddings", headers=DATA, json={"model": "bot", "input": ["a"]})
    assert again.json()["data"][0]["embedding"] == emb.json()["data"][0]["embedding"]  # deterministic
    ranked = client.post(f"{EP}/rerank", headers=DATA,
                         json={"model": "bot", "query": "gpu", "documents": ["cats", "gpu cluster", "gpu"], "top_n": 2}).json()  # fmt: skip
    scores = [r["relevance_score"] for r in ranked["results"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)

    # The docs' placeholder data key is per-workload and unscoped; a key of another project is not.
    assert client.post(f"{EP}/embeddings", headers=auth("ik_live_..."),
                       json={"model": "bot", "input": "a"}).status_code == 200  # fmt: skip
    r = client.post(f"{EP}/embeddings", headers=auth("ik_live_sandbox-other"), json={"model": "bot", "input": "a"})
    assert (r.status_code, r.json()["error"]) == (403, "project_scope_mismatch")
    r = client.post(f"{EP}/embeddings", headers=CONTROL, json={"model": "bot", "input": "a"})
    assert (r.status_code, r.json()["error"]) == (403, "wrong_credential_type")

    patched = client.patch(f"{API}/workloads/{workload['id']}", headers=CONTROL, json={"model_name": "other/model"})
    assert patched.json()["model_name"] == "other/model" and patched.json()["updated_at"] >= workload["updated_at"]
    assert (
        client.patch(f"{API}/workloads/{workload['id']}", headers=CONTROL, json={"slug": "renamed"}).status_code == 400
    )
    other = client.delete(f"{API}/workloads/{workload['id']}", headers=auth(KEYS["other_project"]))
    assert (other.status_code, other.json()["error"]) == (403, "project_scope_mismatch")
    assert client.delete(f"{API}/workloads/{workload['id']}", headers=CONTROL).json() == {
        "deleted": True,
        "id": workload["id"],
    }
    assert client.delete(f"{API}/workloads/{workload['id']}", headers=CONTROL).status_code == 404
    assert client.get(f"{API}/projects/acme/workloads", headers=CONTROL).json() == []


def test_idempotency_key_returns_the_same_workload(client: TestClient) -> None:
    headers = {**CONTROL, "Idempotency-Key": "ensure-bot-1"}
    first, second = _create(client, headers=headers), _create(client, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert len(client.get(f"{API}/projects/acme/workloads", headers=CONTROL).json()) == 1


def test_projects_never_see_each_other(client: TestClient) -> None:
    _create(client)
    other = auth(KEYS["other_project"])
    assert client.get(f"{API}/projects/other/workloads", headers=other).json() == []
    assert (
        client.post(f"{API}/projects/other/workloads", headers=other, json=SPEC).status_code == 201
    )  # same slug, other project
    assert client.get(f"{API}/projects/acme/workloads", headers=other).status_code == 403


def test_unavailable_gpu_ends_in_the_error_phase(client: TestClient) -> None:
    _create(client, {**SPEC, "gpu_resource_id": "gpu-unavailable"})
    events = _events(client)
    assert events[-1]["phase"] == "error" and "No GPU" in events[-1]["message"]


def test_readiness_stream_repeats_the_phase_while_waiting() -> None:
    client = TestClient(create_app(SandboxSettings(phase_s=0.6)))  # heartbeats every 0.3 s
    _create(client)
    events = _events(client)
    assert [e["phase"] for e in events].count("scheduling") >= 2  # a heartbeat at least every phase_s / 2
    assert [e["elapsed_ms"] for e in events] == sorted(e["elapsed_ms"] for e in events)
    assert any(e.get("step") == "model_load" for e in events if e["phase"] == "bootstrapping")


def test_official_inferencekey_sdk_against_the_sandbox(tmp_path: Path) -> None:
    ik = pytest.importorskip("inferencekey")  # its compiled core ships for Linux x86_64 only
    with Sandbox(settings=SandboxSettings(phase_s=0.05)) as sb:
        base = sb.base_url("inferencekey")
        mgmt = ik.ManagementClient(base_url=base, sdk_token=KEYS["valid"], project="acme")
        spec = ik.WorkloadSpec(
            name="bot", slug="bot", model="meta-llama/Llama-3.1-8B-Instruct", backend=ik.Backend.VLLM
        )
        ref = mgmt.ensure(spec)
        assert (ref.project_slug, ref.workload_slug) == ("acme", "bot")
        assert mgmt.ensure(spec) == ref  # no drift: nothing changes
        phases: list[str] = []
        mgmt.wait_until_ready("bot", timeout=30, on_progress=lambda e: phases.append(e.phase))
        assert phases[-1] == "ready"

        ep = ik.DataClient(base_url=base, project="acme", api_key=KEYS["data"]).endpoint("bot")
        out = ep.generate_text(prompt="Hola", temperature=0.2, max_tokens=12)
        assert out.text and out.model == "bot" and out.finish_reason in ("stop", "length")
        assert (
            "".join(c.text for c in ep.generate_text_stream(prompt="Hola", temperature=0.2, max_tokens=12)) == out.text
        )
        vectors = ep.embed(input=["a", "b"]).embeddings
        assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
        ranked = ep.rerank(query="gpu", documents=["cats", "gpu cluster"])
        assert [r.index for r in ranked.results] == [1, 0]

        drifted = ik.WorkloadSpec(name="bot", slug="bot", model="other/model", backend=ik.Backend.VLLM)
        with pytest.raises(ik.ApiError, match="drift"):
            mgmt.ensure(drifted, on_drift=ik.OnDrift.FAIL)
        mgmt.ensure(drifted, on_drift=ik.OnDrift.RECONCILE)
        workloads = httpx.get(f"{base}/api/projects/acme/workloads", headers=CONTROL).json()
        assert [w["model_name"] for w in workloads] == ["other/model"]

        with pytest.raises(ik.PermissionDenied):
            ik.ManagementClient(base_url=base, sdk_token=KEYS["other_project"], project="acme").ensure(spec)
        assert mgmt.delete("bot") is True and mgmt.delete("bot") is False  # idempotent

        package = tmp_path / "echo.tar.gz"
        manifest = json.dumps({"name": "echo", "version": "1.0.0", "task_type": "text2text", "entrypoint": "b:Echo"})
        with tarfile.open(package, "w:gz") as tar:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest.encode()))
        record = ik.publish_custom_backend("tenant-1", str(package), token=KEYS["valid"], base_url=base)
        assert (record["slug"], record["version"], record["size_bytes"]) == ("echo", "1.0.0", package.stat().st_size)
        with pytest.raises(ik.ApiError, match="409"):
            ik.publish_custom_backend("tenant-1", str(package), token=KEYS["valid"], base_url=base)
