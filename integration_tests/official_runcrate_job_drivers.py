"""Drivers of the official Runcrate SDK's jobs (each works on ``Runcrate`` and on ``AsyncRuncrate``), with the
methods each one drives; the GPU types are the SDK's own examples (``"A4000"``, ``["H100", "A100-80GB:2"]``)."""

from __future__ import annotations

import gzip
import io
import tarfile
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .official_sdks import Driver, collect, done

FAST = {"poll_interval": 0.02, "max_poll_interval": 0.05, "timeout": 30}


def archive() -> bytes:
    """A small .tar.gz of code, as ``jobs.uploads.upload`` takes it."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        data = b"print('trained')\n"
        info = tarfile.TarInfo("train.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def jobs(client: Any) -> None:
    reserved = await done(client.jobs.uploads.create(bytes=len(archive())))
    assert reserved.url and reserved.max_bytes >= len(archive())
    upload = await done(client.jobs.uploads.upload(archive()))
    assert upload.upload_id and upload.upload_id != reserved.upload_id
    job = await done(client.jobs.run(
        command="python train.py", gpu_type="A4000", max_runtime_minutes=10, name="train", gpu_count=1,
        image="pytorch/pytorch:latest", env={"EPOCHS": "1"}, region="us-east", capacity_wait_minutes=5,
        max_retries=1, retry_on=["machine_failure"], retry_exit_codes=[3], tags={"team": "ml"},
        webhook_url="https://example.com/hook", webhook_events=["finished"], code={"upload_id": upload.upload_id},
        image_registry_auth={"username_env": "U", "password_env": "P"}, allow_cpu_container=False,
        idempotency_key="train-1"))  # fmt: skip
    assert job.gpu_type == "A4000" and job.env_keys == ["EPOCHS"]
    fallback = await done(client.jobs.run(command="echo hi", gpu_type=["H100", "A100-80GB:2"], max_runtime_minutes=5))
    assert [(c.gpu_type, c.gpu_count) for c in fallback.gpu_candidates] == [("H100", 1), ("A100-80GB", 2)]
    assert (await done(client.jobs.get(job.id))).name == "train"
    finished = await done(client.jobs.wait(job.id, **FAST))
    assert finished.status == "succeeded" and finished.exit_code == 0
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    page = await done(client.jobs.list(status=["succeeded", "running"], tags={"team": "ml"}, q="train",
                                       gpu_type="A4000", created_after=since, limit=5))  # fmt: skip
    assert [j.id for j in page] == [job.id]
    assert {j.id for j in await collect(client.jobs.list_all(created_after=since))} >= {job.id, fallback.id}
    assert [e.kind for e in await done(client.jobs.events(job.id))][-1] == "exited"
    logs = await done(client.jobs.logs(job.id, after=0, limit=100))
    assert logs.done and [c.text for c in await collect(client.jobs.follow_logs(job.id))] == [
        c.text for c in logs.chunks
    ]
    assert (await done(client.jobs.metrics(job.id, step=60)))[0].gpus
    assert [a.path for a in await done(client.jobs.artifacts.list(job.id))] == ["outputs/result.txt"]
    assert (await done(client.jobs.artifacts.url(job.id, "outputs/result.txt"))).startswith("http")
    content = await done(client.jobs.artifacts.download(job.id, "outputs/result.txt"))
    with tempfile.TemporaryDirectory() as folder:
        saved = await done(client.jobs.artifacts.download(job.id, "outputs/result.txt", to=Path(folder) / "r.txt"))
        assert Path(saved).read_bytes() == content and b"finished" in content  # noqa: ASYNC240 - a tiny local file
    again = await done(client.jobs.rerun(job.id, command="python train.py --again", env={"EPOCHS": "2"}))
    assert again.rerun_of == job.id
    stopped = await done(client.jobs.cancel(again.id))
    assert stopped.status == "cancelled"
    await done(client.jobs.delete(again.id))


async def groups(client: Any) -> None:
    group = await done(client.jobs.run_group(command="python sweep.py", gpu_type="L40S", max_runtime_minutes=5,
                                             params=[{"LR": "0.1"}, {"LR": "0.01"}], max_parallel=1))  # fmt: skip
    assert group.count == 2 and len(group.jobs) == 2
    assert (await done(client.job_groups.get(group.id))).max_parallel == 1
    cancelled = await done(client.job_groups.cancel(group.id))
    assert cancelled.status_counts.get("cancelled") == 2


JOBS: dict[Driver, tuple[str, ...]] = {
    jobs: ("jobs.uploads.upload", "jobs.uploads.create", "jobs.run", "jobs.get", "jobs.wait", "jobs.list",
           "jobs.list_all", "jobs.events", "jobs.logs", "jobs.follow_logs", "jobs.metrics", "jobs.artifacts.list",
           "jobs.artifacts.url", "jobs.artifacts.download", "jobs.rerun", "jobs.cancel", "jobs.delete"),
    groups: ("jobs.run_group", "job_groups.get", "job_groups.cancel"),
}  # fmt: skip
