"""Drivers of the official Runcrate SDK's control plane and inference host (each works on ``Runcrate`` and on
``AsyncRuncrate``), with the methods each one drives."""

from __future__ import annotations

import asyncio
import base64
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import runcrate

from .official_sdks import Driver, collect, done

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CHAT_MODEL = "deepseek-ai/DeepSeek-V3"
USER = [{"role": "user", "content": "Hello!"}]


async def ssh_key(client: Any, name: str = "laptop") -> Any:
    return await done(client.ssh_keys.create(name=name, public_key=f"ssh-ed25519 AAAAC3Nza {name}", type="ed25519"))


async def instances(client: Any) -> None:
    key = await ssh_key(client)
    assert [k.id for k in await done(client.ssh_keys.list())] == [key.id]
    types = await done(client.instances.list_types(gpu_type="A100-80GB", region="us-east", gpu_count=2))
    assert [t.id for t in types] == ["a100-80gb-2x-us-east"]
    assert {t.gpu_type for t in await done(client.instances.list_types())} >= {"A4000", "A100-80GB", "H100", "L40S"}
    box = await done(client.instances.create(
        name="train", ssh_key_id=key.id, gpu_type="A4000", gpu_count=1, region="us-east", cpu_cores=8, memory=64,
        storage=200, template="PyTorch 2.6", env_vars={"A": "b"}, startup_commands=["nvidia-smi"],
        launch_script="echo hi", max_runtime_minutes=60, idle_shutdown_minutes=30))  # fmt: skip
    by_type = await done(client.instances.create(name="eval", ssh_key_id=key.id, instance_type_id="h100-1x-eu-west"))
    assert (box.gpu_type, by_type.region) == ("A4000", "eu-west")
    assert (await done(client.instances.get(box.id))).name == "train"
    assert (await done(client.instances.get_status(box.id))).status in ("pending", "starting", "running")
    assert [i.id for i in await done(client.instances.list(search="tra"))] == [box.id]
    changed = await done(client.instances.update(box.id, max_runtime_minutes=120, idle_shutdown_minutes=None))
    assert changed.max_runtime_minutes == 120 and changed.idle_shutdown_minutes is None
    await done(client.instances.terminate(box.id))
    await done(client.ssh_keys.delete(key.id))
    with pytest.raises(runcrate.NotFoundError):
        await done(client.instances.get("nonexistent"))


async def environments(client: Any) -> None:
    assert [e.name for e in await done(client.environments.list())] == ["main"]
    staging = await done(client.environments.create(name="staging"))
    assert (await done(client.environments.get(staging.id))).name == "staging"
    assert (await done(client.environments.update(staging.id, name="stage"))).name == "stage"
    await done(client.environments.delete(staging.id))
    assert (await done(client.secrets.list()))[0].key == "HF_TOKEN"


async def storage(client: Any) -> None:
    assert {r.id for r in await done(client.storage.list_regions())} == {"us-east-1", "eu-central-1"}
    volume = await done(client.storage.create(name="datasets", size_gb=100, region="us-east-1"))
    assert (await done(client.storage.get(volume.id))).size_gb == 100
    assert [v.id for v in await done(client.storage.list(search="data"))] == [volume.id]
    assert (await done(client.storage.resize(volume.id, size_gb=200))).size_gb == 200
    assert (await done(client.storage.delete(volume.id))).refund_amount > 0


async def billing(client: Any) -> None:
    before = await done(client.billing.get_balance())
    top = await done(client.billing.top_up(amount_usd=25, idempotency_key="top-1"))
    assert top.status == "succeeded" and (await done(client.billing.get_balance())).credits_balance == pytest.approx(
        before.credits_balance + 25)  # fmt: skip
    page = await done(client.billing.list_transactions(limit=5, offset=0, type="topup"))
    assert [t.type for t in page] == ["topup"] and page.has_more is False
    assert (await done(client.billing.usage(from_date="2025-01-01", to_date="2025-01-31"))).total_requests >= 0
    recharge = await done(client.billing.set_auto_recharge(enabled=True, threshold_usd=10, target_usd=50))
    assert recharge.enabled and (await done(client.billing.get_auto_recharge())).target_usd == 50
    assert (await done(client.billing.list_payment_methods()))[0].last4 == "4242"
    found = await done(client.templates.list(page=1, page_size=5, search="py", category="ml", sort_by="name",
                                             sort_dir="asc"))  # fmt: skip
    assert found.total == 2 and {t.name for t in found} == {"PyTorch 2.6", "PyTorch Lightning"}


async def schedules(client: Any) -> None:
    key = await ssh_key(client, "scheduler")
    job_spec = {"command": "python nightly.py", "gpu_type": ["A4000", "L40S"], "max_runtime_minutes": 30}
    nightly = await done(client.schedules.create(kind="job", spec=job_spec, cron="0 3 * * *", timezone="UTC",
                                                 overlap="skip", name="nightly", enabled=True))  # fmt: skip
    once = await done(client.schedules.create(kind="instance", run_at=datetime.now(timezone.utc) + timedelta(days=30), spec={
        "name": "box", "gpu_type": "A100", "ssh_key_id": key.id, "max_runtime_minutes": 60}))  # fmt: skip
    assert {s.id for s in await done(client.schedules.list())} == {nightly.id, once.id}
    assert (await done(client.schedules.get(nightly.id))).cron == "0 3 * * *"
    assert (await done(client.schedules.update(nightly.id, enabled=False, name="paused"))).enabled is False
    ran = await done(client.schedules.run_now(nightly.id))
    assert ran.schedule.run_count == 1 and ran.job["gpu_type"] == "A4000"  # the SDK keeps the job as a dict
    assert (await done(client.schedules.run_now(once.id))).instance.gpu_type == "A100"
    await done(client.schedules.delete(once.id))


async def chat(client: Any) -> None:
    reply = await done(client.models.chat_completion(model=CHAT_MODEL, messages=USER, max_tokens=20, temperature=0.5,
                                                     top_p=0.9, stop=["END"], frequency_penalty=0.1,
                                                     presence_penalty=0.1, logprobs=True))  # fmt: skip
    assert reply.choices[0].message.content
    chunks = await collect(client.models.chat_completion(model=CHAT_MODEL, messages=USER, stream=True))
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == (
        await done(client.chat.completions.create(model=CHAT_MODEL, messages=USER))).choices[0].message.content  # fmt: skip


async def images(client: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        made = await done(client.models.generate_image(model="black-forest-labs/FLUX.1-schnell", prompt="A cat",
                                                       width=512, height=512, aspect_ratio="1:1", seed=42,
                                                       num_inference_steps=4, guidance=3.5, negative_prompt="blur",
                                                       image=f"data:image/png;base64,{base64.b64encode(PNG).decode()}"))  # fmt: skip
        again = await done(client.images.generate(model="black-forest-labs/FLUX.1-schnell", prompt="A dog"))
        assert made.data[0].b64_json != again.data[0].b64_json
        made.data[0].save(str(Path(folder) / "out.png"))
        assert (Path(folder) / "out.png").read_bytes().startswith(PNG[:8])


async def audio(client: Any) -> None:
    speech = await done(client.models.text_to_speech(model="hexgrad/Kokoro-82M", input="Hi", voice="af_heart",
                                                     response_format="mp3", speed=1.5))  # fmt: skip
    assert speech.startswith(b"ID3") and speech == await done(
        client.audio.speech.create(model="hexgrad/Kokoro-82M", input="Hi", voice="af_heart", response_format="mp3")
    )
    wav = b"RIFF" + bytes(64)
    text = await done(client.models.transcribe(model="openai/whisper-1", file=wav, filename="a.wav", language="en"))
    verbose = await done(client.audio.transcriptions.create(model="openai/whisper-1", file=wav,
                                                            response_format="verbose_json"))  # fmt: skip
    assert text.text == verbose.text and verbose.segments and verbose.language == "en"


async def videos(client: Any) -> None:
    job = await done(client.models.generate_video(model="google/veo-3.0", prompt="Waves", duration=4,
                                                   aspect_ratio="16:9", width=1280, height=720, seed=1))  # fmt: skip
    other = await done(client.videos.generate(model="google/veo-3.0", prompt="Hills"))
    assert (await done(client.models.get_video_status(job.id))).id == job.id
    with tempfile.TemporaryDirectory() as folder:
        first = await done(client.models.generate_video_and_save(str(Path(folder) / "a.mp4"), model="google/veo-3.0",
                                                                 prompt="Sky", poll_interval=0.02))  # fmt: skip
        second = await done(client.videos.generate_and_save(str(Path(folder) / "b.mp4"), model="google/veo-3.0",
                                                            prompt="Sea", poll_interval=0.02))  # fmt: skip
        assert first.status == second.status == "completed"
        assert (Path(folder) / "a.mp4").read_bytes()[4:8] == b"ftyp"
    assert (await done(client.videos.get_status(other.id))).status in ("queued", "processing", "completed")
    for _ in range(500):  # a few phases of the sandbox's lifecycle
        if (await done(client.videos.get_status(job.id))).status == "completed":
            break
        await asyncio.sleep(0.02)
    assert (await done(client.models.download_video(job.id))) == await done(client.videos.download(job.id))


CONTROL: dict[Driver, tuple[str, ...]] = {
    instances: ("ssh_keys.create", "ssh_keys.list", "ssh_keys.delete", "instances.list_types", "instances.create",
                "instances.get", "instances.get_status", "instances.list", "instances.update", "instances.terminate"),
    environments: ("environments.list", "environments.create", "environments.get", "environments.update",
                   "environments.delete", "secrets.list"),
    storage: ("storage.list_regions", "storage.create", "storage.get", "storage.list", "storage.resize",
              "storage.delete"),
    billing: ("billing.get_balance", "billing.top_up", "billing.list_transactions", "billing.usage",
              "billing.set_auto_recharge", "billing.get_auto_recharge", "billing.list_payment_methods",
              "templates.list"),
    schedules: ("schedules.create", "schedules.list", "schedules.get", "schedules.update", "schedules.run_now",
                "schedules.delete"),
    chat: ("models.chat_completion", "chat.completions.create"),
    images: ("models.generate_image", "images.generate"),
    audio: ("models.text_to_speech", "audio.speech.create", "models.transcribe", "audio.transcriptions.create"),
    videos: ("models.generate_video", "videos.generate", "models.get_video_status", "videos.get_status",
             "models.generate_video_and_save", "videos.generate_and_save", "models.download_video", "videos.download"),
}  # fmt: skip
