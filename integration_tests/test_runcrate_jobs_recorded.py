"""Runcrate jobs, job groups, uploads, schedules, environments, secrets and billing settings, replayed from
cassettes recorded against the sandbox."""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from neocloud_testing.targets import Target

from neocloud.core import RequestValidationError
from neocloud.runcrate import AsyncRuncrate, ConflictError, NotFoundError, Runcrate, UnprocessableEntityError
from neocloud.runcrate.resources import job_resources

pytestmark = pytest.mark.vcr
RUN_AT = datetime(2027, 1, 4, 8, 0, tzinfo=timezone.utc)  # fixed, so the request matches its cassette


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch, runcrate_target: Target) -> None:
    """``wait`` and ``follow_logs`` pause 1-30 s between polls: short while recording, none while replaying."""
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep
    recording = runcrate_target.sandbox is not None

    def pause(seconds: float) -> None:
        if recording:
            real_sleep(min(seconds, 0.05))

    async def apause(seconds: float) -> None:
        await real_async_sleep(min(seconds, 0.05) if recording else 0)

    monkeypatch.setattr(job_resources.time, "sleep", pause)
    monkeypatch.setattr(job_resources.asyncio, "sleep", apause)


def client(target: Target, **kwargs: Any) -> Runcrate:
    return Runcrate(api_key=target.api_key, base_url=target.base_url, inference_url=target.base_url, max_retries=0,
                    **kwargs)  # fmt: skip


def test_job_lifecycle_logs_metrics_artifacts(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    job = c.jobs.run(command="python train.py --epochs 1", gpu_type=["H100:2", "A100"], max_runtime_minutes=60,
                     name="train", env={"WANDB_MODE": "offline"}, tags={"team": "nlp"},
                     webhook_url="https://hooks.example.com/runcrate/abc", idempotency_key="run-train-1")  # fmt: skip
    assert job.status == "queued" and (job.gpu_type, job.gpu_count) == ("H100", 2)
    assert job.env_keys == ["WANDB_MODE"] and job.webhook_secret and job.webhook_url == "https://hooks.example.com/…"
    assert c.jobs.run(command="python train.py --epochs 1", gpu_type=["H100:2", "A100"], max_runtime_minutes=60,
                      idempotency_key="run-train-1").id == job.id  # fmt: skip
    done = c.jobs.wait(job.id, timeout=60)
    assert (done.status, done.exit_code, len(done.attempts)) == ("succeeded", 0, 1)
    assert done.cost_usd is not None and done.cost_usd > 0 and done.artifacts_count == 1
    chunks = list(c.jobs.follow_logs(job.id))
    assert chunks[0].text.startswith("[runcrate] launching 2x H100") and chunks[-1].text == "[runcrate] exit 0"
    page = c.jobs.logs(job.id, after=chunks[1].seq or 0, limit=1)
    assert [ch.seq for ch in page.chunks] == [3] and page.cursor == 3 and not page.done
    assert [e.kind for e in c.jobs.events(job.id)] == ["created", "queued", "launch_attempt", "started", "exited"]
    points = c.jobs.metrics(job.id, step=60)
    assert len(points) == 2 and len(points[0].gpus) == 2 and points[0].gpus[0].mem_total_mb == 81_920
    [artifact] = c.jobs.artifacts.list(job.id)
    url = c.jobs.artifacts.url(job.id, artifact.path)
    assert "/_signed/artifacts/" in url and "sig=" in url
    content = c.jobs.artifacts.download(job.id, artifact.path)
    assert isinstance(content, bytes) and content.startswith(b"job ")
    assert hashlib.sha256(content).hexdigest() == artifact.sha256

    again = c.jobs.rerun(job.id, env={"SEED": "2"}, webhook_url=None, idempotency_key="rerun-train-1")
    assert again.rerun_of == job.id and again.env_keys == ["SEED", "WANDB_MODE"] and again.webhook_url is None
    assert [j.id for j in c.jobs.list(tags={"team": "nlp"})] == [again.id, job.id]
    assert [j.id for j in c.jobs.list(status=["succeeded"])] == [job.id]
    assert [j.id for j in c.jobs.list_all(q="train")] == [again.id, job.id]

    with pytest.raises(ConflictError):
        c.jobs.delete(again.id)  # still live
    cancelled = c.jobs.cancel(again.id)
    assert cancelled.status == "cancelled" and c.jobs.cancel(again.id).status == "cancelled"
    with pytest.raises(ConflictError):
        c.jobs.cancel(job.id)  # it ended otherwise
    c.jobs.delete(job.id)
    with pytest.raises(NotFoundError):
        c.jobs.get(job.id)


def test_failing_job_is_retried_then_fails(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    job = c.jobs.run(command="python eval.py\nexit 3", gpu_type="L40S", max_runtime_minutes=10, max_retries=1,
                     retry_on=["nonzero_exit"], idempotency_key="run-eval-1")  # fmt: skip
    done = c.jobs.wait(job.id)
    assert (done.status, done.exit_code, done.error) == ("failed", 3, "command exited with code 3")
    assert [a.attempt for a in done.attempts] == [1, 2] and done.artifacts_count == 0
    with pytest.raises(UnprocessableEntityError) as info:
        c.jobs.run(command="x", gpu_type="TPU", max_runtime_minutes=5)
    assert info.value.code == "validation_error" and info.value.details == {"param": "gpu_type"}


def test_job_groups_and_uploads(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    archive = b"\x1f\x8b" + bytes(range(64))
    digest = hashlib.sha256(archive).hexdigest()
    ticket = c.jobs.uploads.upload(archive)
    assert ticket.upload_id and ticket.max_bytes == len(archive)
    assert c.jobs.uploads.create(bytes=len(archive), sha256=digest).url is None  # already uploaded: nothing to PUT
    group = c.jobs.run_group(params=[{"LR": "0.1"}, {"LR": "0.01"}], max_parallel=1, command="python sweep.py",
                             gpu_type="A100", max_runtime_minutes=30, name="sweep",
                             code={"upload_id": ticket.upload_id}, idempotency_key="sweep-1")  # fmt: skip
    assert (group.count, group.max_parallel, [j.job_index for j in group.jobs]) == (2, 1, [0, 1])
    assert group.jobs[1].queue_reason == "max_parallel" and group.jobs[0].code == {
        "source": "upload", "ref": ticket.upload_id, "sha256": digest}  # fmt: skip
    assert [j.name for j in group.jobs] == ["sweep-0", "sweep-1"] and group.jobs[0].env_keys == ["LR"]
    assert sum(c.job_groups.get(group.id).status_counts.values()) == 2
    after = c.job_groups.cancel(group.id)
    assert after.status_counts == {"cancelled": 2}
    with pytest.raises(RequestValidationError):
        c.jobs.run_group(count=2, params=[{}], command="x", gpu_type="A100", max_runtime_minutes=5)


def test_schedules(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    spec = {"command": "python nightly.py", "gpu_type": "A100", "max_runtime_minutes": 30, "name": "nightly"}
    once = c.schedules.create(kind="job", spec=spec, run_at=RUN_AT, idempotency_key="sched-1")
    assert once.run_at == "2027-01-04T08:00:00.000Z" and once.name == "nightly" and once.enabled
    cron = c.schedules.create(kind="job", spec=spec, cron="0 3 * * *", timezone="Europe/Berlin", name="at-3",
                              idempotency_key="sched-2")  # fmt: skip
    assert [s.id for s in c.schedules.list()] == [cron.id, once.id]
    paused = c.schedules.update(cron.id, enabled=False)
    assert not paused.enabled and c.schedules.get(cron.id).cron == "0 3 * * *"
    run = c.schedules.run_now(once.id)
    assert run.job is not None and run.schedule.run_count == 1 and run.schedule.last_status == "launched"
    assert run.schedule.last_job_id == run.job["id"] and run.schedule.next_run_at == once.run_at
    with pytest.raises(RequestValidationError):
        c.schedules.create(kind="job", spec=spec, run_at=RUN_AT, cron="* * * * *")
    with pytest.raises(RequestValidationError):
        c.schedules.create(kind="job", spec=spec, run_at=datetime(2027, 1, 4, 8, 0))  # naive
    c.schedules.delete(cron.id)
    c.schedules.delete(once.id)
    assert list(c.schedules.list()) == []
    with pytest.raises(UnprocessableEntityError):  # the server's own limit: at most 365 days ahead
        c.schedules.create(kind="job", spec=spec, run_at=datetime(2031, 1, 1, tzinfo=timezone.utc))


def test_environments_secrets_and_billing_settings(runcrate_target: Target) -> None:
    c = client(runcrate_target)
    [main] = c.environments.list()
    assert main.name == "main" and main.is_default
    staging = c.environments.create(name="staging")
    with pytest.raises(ConflictError):
        c.environments.create(name="staging")
    assert c.environments.update(staging.id, is_default=True).is_default
    assert not c.environments.get(main.id).is_default
    with pytest.raises(ConflictError):
        c.environments.delete(staging.id)  # the default cannot go
    c.environments.update(main.id, is_default=True)
    c.environments.delete(staging.id)
    assert [e.name for e in c.environments.list()] == ["main"]
    assert {s.key: s.sensitive for s in c.secrets.list()} == {"HF_TOKEN": True, "WANDB_PROJECT": False}

    [card] = c.billing.list_payment_methods()
    assert (card.brand, card.last4, card.default) == ("visa", "4242", True)
    before = c.billing.get_balance().credits_balance
    first = c.billing.top_up(amount_usd=50, idempotency_key="topup-1")
    second = c.billing.top_up(amount_usd=50, idempotency_key="topup-1")  # polling the same top-up never charges twice
    assert first.id == second.id and first.status == "succeeded"
    assert c.billing.get_balance().credits_balance == pytest.approx(before + 50, abs=0.01)
    with pytest.raises(RequestValidationError):
        c.billing.top_up(amount_usd=5)
    rule = c.billing.set_auto_recharge(enabled=True, threshold_usd=10, target_usd=100)
    assert (rule.enabled, rule.threshold_usd, rule.target_usd) == (True, 10, 100)
    assert c.billing.get_auto_recharge().enabled


def test_async_jobs(runcrate_target: Target, tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncRuncrate(api_key=runcrate_target.api_key, base_url=runcrate_target.base_url,
                                 inference_url=runcrate_target.base_url, max_retries=0) as c:  # fmt: skip
            job = await c.jobs.run(command="echo hi", gpu_type="L40S", max_runtime_minutes=5,
                                   idempotency_key="async-run-1")  # fmt: skip
            done = await c.jobs.wait(job.id, timeout=60)
            assert done.status == "succeeded"
            texts = [chunk.text async for chunk in c.jobs.follow_logs(job.id)]
            assert texts[-1] == "[runcrate] exit 0"
            [artifact] = await c.jobs.artifacts.list(job.id)
            saved = await c.jobs.artifacts.download(job.id, artifact.path, to=tmp_path / "result.txt")
            assert saved == tmp_path / "result.txt" and saved.read_bytes().startswith(b"job ")
            assert [j.id async for j in c.jobs.list_all()] == [job.id]
            assert [e.name for e in await c.environments.list()] == ["main"]
            assert len(await c.secrets.list()) == 2
            group = await c.jobs.run_group(count=2, command="echo x", gpu_type="L40S", max_runtime_minutes=5,
                                           idempotency_key="async-group-1")  # fmt: skip
            assert (await c.job_groups.get(group.id)).count == 2
            schedule = await c.schedules.create(kind="job", spec={"command": "echo", "gpu_type": "L40S",
                                                                  "max_runtime_minutes": 5}, cron="*/30 * * * *",
                                                idempotency_key="async-sched-1")  # fmt: skip
            assert (await c.schedules.run_now(schedule.id)).job is not None
            assert (await c.billing.top_up(amount_usd=20, idempotency_key="async-topup-1")).amount_usd == 20

    asyncio.run(main())
