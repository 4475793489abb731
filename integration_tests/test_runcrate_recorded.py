"""The Runcrate client, every documented operation, replayed from cassettes recorded against the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from neocloud_testing.targets import Target

from neocloud.runcrate import AsyncRuncrate, ConflictError, NotFoundError, Runcrate, UnprocessableEntityError

pytestmark = pytest.mark.vcr
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def client(target: Target, **kwargs: object) -> Runcrate:
    return Runcrate(
        api_key=target.api_key, base_url=target.base_url, inference_url=target.base_url, max_retries=0, **kwargs
    )  # type: ignore[arg-type]


def wait(seconds: float, target: Target) -> None:
    if target.sandbox is not None:  # only while recording; replay answers in recorded order
        time.sleep(seconds)


def test_instance_lifecycle_ssh_keys_and_billing(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    key = c.ssh_keys.create(name="my-laptop", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAsandbox")
    assert [k.id for k in c.ssh_keys.list()] == [key.id] and key.fingerprint and key.fingerprint.startswith("SHA256:")
    with pytest.raises(ConflictError):
        c.ssh_keys.create(name="again", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAsandbox")
    types = c.instances.list_types(gpu_type="A100", gpu_count=1)
    assert {t.hourly_rate for t in types} == {1.29} and all(t.gpu_type == "A100" for t in types)
    inst = c.instances.create(name="training-run", ssh_key_id=key.id, gpu_type="A100", gpu_count=1,
                              startup_commands=["pip install torch"], idempotency_key="launch-1")  # fmt: skip
    again = c.instances.create(name="training-run", ssh_key_id=key.id, gpu_type="A100", gpu_count=1,
                               startup_commands=["pip install torch"], idempotency_key="launch-1")  # fmt: skip
    assert again.id == inst.id and inst.status == "pending" and inst.cost_per_hour == 1.29
    status = c.instances.get_status(inst.id)
    while status.status != "running":
        wait(0.05, runcrate_target)
        status = c.instances.get_status(inst.id)
    assert status.ip is not None
    assert [i.name for i in c.instances.list(search="training")] == ["training-run"]
    balance = c.billing.get_balance()
    assert balance.active_usage_cost == 1.29 and balance.credits_balance <= 100
    c.instances.update(inst.id, max_runtime_minutes=120)
    assert c.instances.get(inst.id).max_runtime_minutes == 120
    assert c.instances.terminate(inst.id) is None
    assert c.instances.get(inst.id).status in ("terminating", "terminated")
    with pytest.raises(UnprocessableEntityError) as info:
        c.instances.create(name="x", ssh_key_id="your-key-id", gpu_type="A100")
    assert info.value.code == "validation_error" and info.value.details == {"param": "ssh_key_id"}
    c.ssh_keys.delete(key.id)
    assert list(c.ssh_keys.list()) == []


def test_environments_scope_instances_and_volumes(runcrate_target: Target) -> None:
    main, staging = client(runcrate_target), client(runcrate_target, environment="staging")
    staging.storage.create(name="staging-data", size_gb=10, region="us-east-1", idempotency_key="vol-1")
    assert [v.name for v in staging.storage.list()] == ["staging-data"]
    assert list(main.storage.list()) == []


def test_storage_and_ledger(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    assert [r.id for r in c.storage.list_regions()] == ["us-east-1", "eu-central-1"]
    volume = c.storage.create(name="datasets", size_gb=100, region="us-east-1", idempotency_key="vol-2")
    assert c.storage.get(volume.id).size_gb == 100
    assert c.storage.resize(volume.id, size_gb=200).size_gb == 200
    with pytest.raises(UnprocessableEntityError):
        c.storage.resize(volume.id, size_gb=50)  # volumes only grow
    result = c.storage.delete(volume.id)
    assert result.refund_amount is not None and result.refund_amount > 0
    with pytest.raises(NotFoundError):
        c.storage.get(volume.id)
    txns = c.billing.list_transactions(limit=2)
    assert [t.type for t in txns] == ["refund", "storage"] and txns.has_more and txns.total == 3
    assert c.templates.list(search="pytorch", category="ml").total == 2


def test_inference_host(runcrate_target: Target, tmp_path: Path) -> None:
    c = client(runcrate_target)
    reply = c.models.chat_completion(
        model="deepseek-ai/DeepSeek-V3", messages=[{"role": "user", "content": "Hello!"}], max_tokens=20
    )
    chunks = list(c.models.chat_completion(model="deepseek-ai/DeepSeek-V3", messages=[{"role": "user", "content": "Hello!"}],
                                           max_tokens=20, stream=True))  # fmt: skip
    assert (
        "".join(ch["choices"][0]["delta"].get("content", "") for ch in chunks if ch["choices"])
        == reply.choices[0].message.content
    )
    usage = c.billing.usage(from_date="2026-01-01", to_date="2026-12-31")
    assert usage.total_requests == 2 and usage.total_cost is not None and usage.total_cost > 0
    (tmp_path / "photo.png").write_bytes(__import__("base64").b64decode(PNG_B64))
    image = c.models.generate_image(model="black-forest-labs/FLUX.1-kontext-pro", prompt="Make the sky purple",
                                    image=str(tmp_path / "photo.png"))  # fmt: skip
    assert image.data[0].save(tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    statuses: list[str] = []
    job = c.models.generate_video_and_save(tmp_path / "v.mp4", model="google/veo-3.0", prompt="A drone flying over mountains",
                                           duration=8, poll_interval=0.05 if runcrate_target.sandbox else 0,
                                           on_status=lambda j: statuses.append(j.status))  # fmt: skip
    assert (
        job.status == "completed" and statuses[-1] == "completed" and (tmp_path / "v.mp4").read_bytes()[4:8] == b"ftyp"
    )
    audio = c.models.text_to_speech(model="hexgrad/Kokoro-82M", input="Hello from Runcrate!", voice="af_heart")
    assert audio.startswith(b"ID3")
    text = c.models.transcribe(
        model="openai/whisper-1", file=b"RIFF" + bytes(64), filename="recording.wav", language="en"
    )
    srt = c.models.transcribe(
        model="openai/whisper-1", file=b"RIFF" + bytes(64), filename="recording.wav", response_format="srt"
    )
    assert text.text and srt.text.startswith("1\n00:00:00,000 --> ") and text.text in srt.text


async def test_async_client(runcrate_target: Target) -> None:
    async with AsyncRuncrate(api_key=runcrate_target.api_key, base_url=runcrate_target.base_url,
                             inference_url=runcrate_target.base_url, max_retries=0) as c:  # fmt: skip
        balance = await c.billing.get_balance()
        assert balance.credits_balance == 100
        reply = await c.models.chat_completion(
            model="deepseek-ai/DeepSeek-V3", messages=[{"role": "user", "content": "Hi"}]
        )
        stream = await c.models.chat_completion(
            model="deepseek-ai/DeepSeek-V3", messages=[{"role": "user", "content": "Hi"}], stream=True
        )
        parts = [ch["choices"][0]["delta"].get("content", "") async for ch in stream if ch["choices"]]
        assert "".join(parts) == reply.choices[0].message.content
        assert len(await c.instances.list_types(gpu_type="H100")) == 8
