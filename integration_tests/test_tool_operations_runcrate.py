"""Runcrate's provisioning and spending tools against the live sandbox, through the LangChain toolkit and the
LlamaIndex tool spec, sync and async: the SSH key an agent makes is the one its instance launches with; the full
launch arguments reach the request; an instance's limits change; the transactions listed are what the sandbox
charged; batch jobs run, are priced and are cancelled by cleanup; images, video, speech and transcription come back
as values, priced by the session's rule for unpriced calls."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neocloud_testing.tool_surfaces import SURFACES, ToolSurface

from neocloud.core.ledger import Budget
from neocloud.core.tools import SpendPolicy

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAoperations"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
        yield sb


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def client(sandbox: Any, sent: list[httpx.Request]) -> Iterator[Any]:
    from neocloud.runcrate import Runcrate

    sandbox.reset()
    url = sandbox.base_url("runcrate")
    # Every request is kept, so a test can read what reached the wire.
    http = httpx.Client(event_hooks={"request": [lambda r: (r.read(), sent.append(r))[0]]})
    rc = Runcrate(api_key="rc_live_sandbox-valid", base_url=url, inference_url=url, max_retries=0, http_client=http)
    yield rc
    http.close()


def body_of(sent: list[httpx.Request], method: str, path: str) -> dict[str, Any]:
    found = [r for r in sent if r.method == method and r.url.path.endswith(path)]
    assert found, f"no {method} {path} was sent"
    return dict(json.loads(found[-1].content))


@pytest.mark.parametrize("surface", SURFACES)
def test_the_agents_ssh_key_launches_its_instance_with_every_launch_argument(
    client: Any, sent: list[httpx.Request], surface: str
) -> None:
    tools = ToolSurface(surface, "runcrate", client, budget=Budget(max_usd=5))
    key = tools.ok("runcrate_create_ssh_key", name="agent", public_key=PUBLIC_KEY)
    assert key["id"].startswith("key_") and key["type"] == "ssh-ed25519"
    assert [k["id"] for k in tools.ok("runcrate_list_ssh_keys")] == [key["id"]]
    launch = {"name": "box", "gpu_type": "A100", "ssh_key_id": key["id"], "max_runtime_minutes": 60,
              "idle_shutdown_minutes": 30, "startup_commands": ["nvidia-smi", "pip install vllm"],
              "env_vars": {"HF_HOME": "/workspace/hf"}, "template": "tmpl_pytorch"}  # fmt: skip
    made = tools.ok("runcrate_create_instance", **launch)
    wire = body_of(sent, "POST", "/api/v1/instances")
    assert wire["ssh_key_id"] == key["id"] and wire["startup_commands"] == ["nvidia-smi", "pip install vllm"]
    assert wire["env_vars"] == {"HF_HOME": "/workspace/hf"} and wire["idle_shutdown_minutes"] == 30
    assert made["idle_shutdown_minutes"] == 30
    # The key was free and recorded ($0); the launch reserved its hour at $1.29.
    assert [(e.operation, float(e.reserved_micros) / 1e6) for e in tools.session.entries()] == [
        ("runcrate_create_ssh_key", 0.0), ("runcrate_create_instance", 1.29)]  # fmt: skip
    # Extending the runtime by 60 minutes reserves one more hour; the new limit reaches the request.
    updated = tools.ok("runcrate_update_instance", instance_id=made["id"], max_runtime_minutes=120)
    assert updated["max_runtime_minutes"] == 120
    assert body_of(sent, "PATCH", f"/api/v1/instances/{made['id']}") == {"max_runtime_minutes": 120}
    assert float(tools.session.entries()[-1].reserved_micros) / 1e6 == 1.29
    ok, refused = tools.call("runcrate_update_instance", instance_id=made["id"])
    assert not ok and "pass max_runtime_minutes and/or idle_shutdown_minutes" in refused
    tools.ok("runcrate_update_instance", instance_id=made["id"], disable_idle_shutdown=True)
    assert body_of(sent, "PATCH", f"/api/v1/instances/{made['id']}") == {"idle_shutdown_minutes": None}
    # cleanup terminates the instance, then removes the key it made.
    assert list(tools.cleanup()) == [f"instance {made['id']}", f"ssh_key {key['id']}"]
    assert list(client.ssh_keys.list()) == []


@pytest.mark.parametrize("surface", SURFACES)
def test_transactions_listed_are_what_the_sandbox_charged(client: Any, surface: str) -> None:
    tools = ToolSurface(surface, "runcrate", client, budget=Budget(max_usd=5))
    volume = tools.ok("runcrate_create_volume", name="data", size_gb=50, region="us-east-1")
    tools.ok("runcrate_resize_volume", volume_id=volume["id"], size_gb=80)
    listed = tools.ok("runcrate_list_transactions")
    week = 0.03 * 12 / 52
    assert [(t["type"], t["amount"]) for t in listed["transactions"]] == [
        ("storage", -round(30 * week, 6)), ("storage", -round(50 * week, 6))]  # fmt: skip
    assert listed["total"] == 2 and listed["has_more"] is False
    # What was charged is what the tools reserved (the ledger rounds up to the micro-dollar).
    reserved = [e.reserved_micros / 1e6 for e in tools.session.entries()]
    assert reserved == pytest.approx([50 * week, 30 * week], abs=1e-6)
    paged = tools.ok("runcrate_list_transactions", limit=1, offset=1, type="storage")
    assert [t["amount"] for t in paged["transactions"]] == [-round(50 * week, 6)] and paged["has_more"] is False
    tools.cleanup()
    refund = tools.ok("runcrate_list_transactions", type="refund")["transactions"]
    assert len(refund) == 1 and refund[0]["amount"] > 0


@pytest.mark.parametrize("surface", SURFACES)
def test_a_batch_job_is_priced_per_attempt_run_and_cancelled_by_cleanup(
    client: Any, sent: list[httpx.Request], surface: str
) -> None:
    tools = ToolSurface(surface, "runcrate", client, budget=Budget(max_usd=5))
    job = tools.ok("runcrate_run_job", command="python train.py", gpu_type=["H100", "A100"], max_runtime_minutes=30,
                   max_retries=1, env={"EPOCHS": "3"}, tags={"team": "ml"}, retry_on=["machine_failure"])  # fmt: skip
    wire = body_of(sent, "POST", "/api/v1/jobs")
    assert wire["gpu_type"] == ["H100", "A100"] and wire["env"] == {"EPOCHS": "3"} and wire["max_retries"] == 1
    # The dearest candidate (an H100 at $2.49/h) for 30 minutes, twice (one retry).
    assert tools.session.entries()[0].reserved_micros / 1e6 == pytest.approx(2.49 * 0.5 * 2)
    assert tools.ok("runcrate_get_job", job_id=job["id"])["id"] == job["id"]
    assert [j["id"] for j in tools.ok("runcrate_list_jobs")] == [job["id"]]
    assert tools.ok("runcrate_job_logs", job_id=job["id"])["job_id"] == job["id"]
    ok, refused = tools.call("runcrate_run_job", command="x", gpu_type="A100", max_runtime_minutes=0)
    assert not ok and "max_runtime_minutes" in refused
    # A sweep: one job per params entry, priced per job.
    group = tools.ok("runcrate_run_job_group", command="python sweep.py", gpu_type="A100", max_runtime_minutes=10,
                     params=[{"LR": "1e-4"}, {"LR": "3e-4"}], max_parallel=1)  # fmt: skip
    assert len(group["jobs"]) == 2 and body_of(sent, "POST", "/api/v1/jobs")["params"] == [{"LR": "1e-4"},
                                                                                          {"LR": "3e-4"}]  # fmt: skip
    assert tools.session.entries()[-1].reserved_micros / 1e6 == pytest.approx(1.29 * 10 / 60 * 2)
    assert tools.ok("runcrate_get_job_group", group_id=group["id"])["count"] == 2
    # A rerun sends only the overrides and is priced on the original's spec with them (one retry kept).
    again = tools.ok("runcrate_rerun_job", job_id=job["id"], gpu_type="A100", max_runtime_minutes=20)
    assert body_of(sent, "POST", f"/api/v1/jobs/{job['id']}/rerun") == {"gpu_type": "A100", "max_runtime_minutes": 20}
    assert tools.session.entries()[-1].reserved_micros / 1e6 == pytest.approx(1.29 * 20 / 60 * 2)
    assert list(tools.cleanup()) == [f"job {again['id']}", f"job_group {group['id']}", f"job {job['id']}"]
    assert client.jobs.get(job["id"]).status in ("cancelled", "succeeded", "failed")
    assert all(client.jobs.get(j["id"]).status not in ("queued", "starting", "running") for j in group["jobs"])


@pytest.mark.parametrize("surface", SURFACES)
def test_media_tools_return_the_media_and_reserve_the_unpriced_assumption(
    client: Any, surface: str, tmp_path: Path
) -> None:
    policy = SpendPolicy(unpriced_hourly_usd=0.05)
    tools = ToolSurface(surface, "runcrate", client, spend_policy=policy, budget=Budget(max_usd=1))
    image = tools.ok("runcrate_generate_image", model="black-forest-labs/FLUX.1-schnell", prompt="a red fox",
                     width=512, height=512, seed=7)  # fmt: skip
    png = base64.b64decode(image["images"][0]["b64_json"])
    assert png.startswith(b"\x89PNG") and image["images"][0]["revised_prompt"] == "a red fox"
    saved = tools.ok("runcrate_generate_image", model="black-forest-labs/FLUX.1-schnell", prompt="a red fox",
                     width=512, height=512, seed=7, save_to=str(tmp_path / "fox.png"))  # fmt: skip
    assert Path(saved["images"][0]["path"]).read_bytes() == png
    speech = tools.ok("runcrate_text_to_speech", model="hexgrad/Kokoro-82M", input="Hello", voice="af_bella")
    assert base64.b64decode(speech["audio_base64"]).startswith(b"ID3") and speech["bytes"] == 42
    audio = tmp_path / "hello.wav"
    audio.write_bytes(b"RIFF" + bytes(64_000))
    text = tools.ok("runcrate_transcribe", model="openai/whisper-large-v3", file=str(audio), language="en")
    assert text["text"] and text["duration"] == 2.0 and text["language"] == "en"
    video = tools.ok("runcrate_generate_video", model="tencent/HunyuanVideo", prompt="waves", duration=4)
    assert video["status"] in ("queued", "processing")
    done = tools.ok("runcrate_video_status", job_id=video["id"], wait_seconds=30)
    assert done["status"] == "completed"
    clip = tools.ok("runcrate_save_video", job_id=video["id"], path=str(tmp_path / "waves.mp4"))
    assert Path(clip["path"]).read_bytes()[4:12] == b"ftypmp42" and clip["bytes"] == 44
    # Runcrate publishes no media price: each billable media call reserved the stated assumption ($0.05 x 1 h).
    entries = tools.session.entries()
    assert [e.operation for e in entries] == ["runcrate_generate_image", "runcrate_generate_image",
                                              "runcrate_text_to_speech", "runcrate_transcribe",
                                              "runcrate_generate_video"]  # fmt: skip
    assert {e.reserved_micros for e in entries} == {50_000}


@pytest.mark.parametrize("surface", SURFACES)
def test_an_unpriced_media_call_is_refused_under_a_budget_without_an_assumption(client: Any, surface: str) -> None:
    tools = ToolSurface(surface, "runcrate", client)  # the default budget, no unpriced_hourly_usd
    ok, refused = tools.call("runcrate_generate_image", model="black-forest-labs/FLUX.1-schnell", prompt="a fox")
    assert not ok and "Runcrate publishes no image-generation price" in refused
    assert tools.session.entries() == [] and client.billing.get_balance().credits_balance == 100
