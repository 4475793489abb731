"""The InferenceKey clients, every documented operation, replayed from cassettes recorded against the sandbox."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import logging
import tarfile
from pathlib import Path

import pytest
from neocloud_testing.targets import Target

from neocloud.core import NotFoundError, PaymentRequiredError
from neocloud.inferencekey import (
    ApiError,
    AsyncDataClient,
    AsyncManagementClient,
    Backend,
    DataClient,
    DriftError,
    ManagementClient,
    OnDrift,
    PermissionDenied,
    ReadinessEvent,
    TaskType,
    ValidationError,
    WorkloadSpec,
    apublish_custom_backend,
    publish_custom_backend,
)

pytestmark = pytest.mark.vcr
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def spec(slug: str = "support-bot", **kw: object) -> WorkloadSpec:
    return WorkloadSpec(name=slug, slug=slug, model=MODEL, backend=Backend.VLLM, **kw)  # type: ignore[arg-type]


def management(target: Target) -> ManagementClient:
    return ManagementClient(base_url=target.base_url, sdk_token=target.api_key, project=target.extra["project"],
                            max_retries=0)  # fmt: skip


def data(target: Target) -> DataClient:
    return DataClient(base_url=target.base_url, project=target.extra["project"], api_key=target.extra["data_key"])


def test_workload_lifecycle_and_every_data_operation(inferencekey_target: Target) -> None:
    mgmt = management(inferencekey_target)
    ref = mgmt.ensure(spec(), idempotency_key="ensure-support-bot-1")
    assert (ref.project_slug, ref.workload_slug) == (inferencekey_target.extra["project"], "support-bot")
    assert mgmt.ensure(spec()) == ref  # present and unchanged: no write
    [live] = mgmt.list_workloads()
    assert (live.slug, live.model_name, live.backend, live.task_type) == ("support-bot", MODEL, "vllm", "text2text")

    ep = data(inferencekey_target).endpoint(ref.workload_slug)
    with pytest.raises(ApiError, match="not ready") as info:
        ep.generate_text(prompt="Hola")
    assert info.value.status_code == 503 and info.value.code == "workload_not_ready"  # type: ignore[attr-defined]

    events: list[ReadinessEvent] = []
    mgmt.wait_until_ready(ref.workload_slug, timeout=60, on_progress=events.append)
    phases = [e.phase for e in events]
    assert phases[-1] == "ready" and set(phases) <= {"scheduling", "provisioning", "bootstrapping", "ready"}
    assert [e.elapsed_ms for e in events] == sorted(e.elapsed_ms for e in events)

    out = ep.generate_text(prompt="Hola", temperature=0.2, max_tokens=300)
    assert out.text and out.model == "support-bot" and out.finish_reason == "stop"
    chunks = list(ep.generate_text_stream(prompt="Hola", temperature=0.2, max_tokens=300))
    assert "".join(c.text for c in chunks) == out.text and chunks[-1].finish_reason == "stop"
    chat = ep.generate_text(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert chat.text
    emb = ep.embed(input=["a", "b"])
    assert len(emb.embeddings) == 2 and len(emb.embeddings[0]) == len(emb.embeddings[1]) > 0
    assert ep.embed(input="a").embeddings == emb.embeddings[:1]  # a bare string is a one-item batch
    ranked = ep.rerank(query="gpu", documents=["cats", "gpu cluster"], top_n=2)
    assert [r.index for r in ranked.results] == [1, 0]
    assert ranked.results[0].relevance_score > ranked.results[1].relevance_score

    assert mgmt.delete(ref.workload_slug) is True
    assert mgmt.delete(ref.workload_slug) is False  # idempotent
    assert mgmt.list_workloads() == []
    with pytest.raises(NotFoundError):
        ep.embed(input="a")


def test_every_on_drift_mode(inferencekey_target: Target, caplog: pytest.LogCaptureFixture) -> None:
    mgmt = management(inferencekey_target)
    mgmt.ensure(spec("drifty"), idempotency_key="ensure-drifty-1")
    moved = spec("drifty", description="now with a description")
    with pytest.raises(DriftError) as info:
        mgmt.ensure(moved, on_drift=OnDrift.FAIL)
    assert info.value.fields == ["description"]
    for mode in (OnDrift.DRY_RUN, OnDrift.IGNORE):
        mgmt.ensure(moved, on_drift=mode)
    with caplog.at_level(logging.WARNING, logger="neocloud.inferencekey"):
        mgmt.ensure(moved, on_drift=OnDrift.WARN)
    assert "drifted from spec (description)" in caplog.text
    assert mgmt.list_workloads()[0].description is None  # none of those wrote
    mgmt.ensure(moved, on_drift="reconcile")
    assert mgmt.list_workloads()[0].description == "now with a description"
    mgmt.delete("drifty")


def test_errors_are_typed(inferencekey_target: Target) -> None:
    mgmt = management(inferencekey_target)
    with pytest.raises(PermissionDenied) as denied:  # a data key cannot provision
        ManagementClient(base_url=inferencekey_target.base_url, sdk_token=inferencekey_target.extra["data_key"],
                         project=inferencekey_target.extra["project"]).list_workloads()  # fmt: skip
    assert denied.value.code == "wrong_credential_type" and denied.value.status_code == 403  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        data(inferencekey_target).endpoint("billing").embed(input=["a", "b"])  # never created
    with pytest.raises(ValidationError) as bad:  # the platform's own limit on slugs (no client-side rule)
        mgmt.ensure(spec("s" * 65, task_type=TaskType.EMBEDDING), idempotency_key="ensure-long-1")
    assert bad.value.status_code == 400  # type: ignore[attr-defined]
    assert mgmt.list_workloads() == []


def test_no_credits_is_a_payment_error(inferencekey_target: Target) -> None:
    if inferencekey_target.live:
        pytest.skip("needs the sandbox's no-credits token")
    from neocloud.sandbox import SANDBOX_KEYS

    mgmt = ManagementClient(base_url=inferencekey_target.base_url, sdk_token=SANDBOX_KEYS["inferencekey"]["no_credits"],
                            project="acme", max_retries=0)  # fmt: skip
    with pytest.raises(PaymentRequiredError) as info:
        mgmt.ensure(spec("broke"), idempotency_key="ensure-broke-1")
    assert isinstance(info.value, ApiError) and info.value.code == "insufficient_credits"  # type: ignore[attr-defined]


def test_async_twins(inferencekey_target: Target) -> None:
    async def main() -> None:
        async with AsyncManagementClient(base_url=inferencekey_target.base_url, sdk_token=inferencekey_target.api_key,
                                         project=inferencekey_target.extra["project"], max_retries=0) as mgmt:  # fmt: skip
            ref = await mgmt.ensure(spec("async-bot"), idempotency_key="ensure-async-bot-1")
            phases: list[str] = []
            await mgmt.wait_until_ready(ref.workload_slug, on_progress=lambda e: phases.append(e.phase))
            assert phases[-1] == "ready"
            ep = AsyncDataClient(base_url=inferencekey_target.base_url, project=inferencekey_target.extra["project"],
                                 api_key=inferencekey_target.extra["data_key"]).endpoint(ref.workload_slug)  # fmt: skip
            out = await ep.generate_text(prompt="Hola", max_tokens=50)
            streamed = [c.text async for c in await ep.generate_text_stream(prompt="Hola", max_tokens=50)]
            assert out.text and "".join(streamed) == out.text
            assert len((await ep.embed(input=["x"])).embeddings) == 1
            assert (await ep.rerank(query="gpu", documents=["gpu", "cat"])).results[0].index == 0
            assert [w.slug for w in await mgmt.list_workloads()] == ["async-bot"]
            assert await mgmt.delete("async-bot") is True and await mgmt.delete("async-bot") is False
            await ep.close()

    asyncio.run(main())


def backend_package(path: Path, manifest: dict[str, object]) -> Path:
    """A byte-for-byte reproducible backend package (fixed mtimes), so the upload matches its cassette."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in (("manifest.json", json.dumps(manifest).encode()), ("backend.py", b"print('hi')\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(content), 0
            tar.addfile(info, io.BytesIO(content))
    target = path / "echo-backend.tar.gz"
    with gzip.GzipFile(target, "wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return target


def test_publish_custom_backend(inferencekey_target: Target, tmp_path: Path) -> None:
    package = backend_package(tmp_path, {"name": "echo", "version": "1.0.0", "task_type": "text2text",
                                         "entrypoint": "backend:Echo"})  # fmt: skip
    auth = {"token": inferencekey_target.api_key, "base_url": inferencekey_target.base_url}
    record = publish_custom_backend("tenant-1", package, **auth)
    assert (record["slug"], record["version"], record["entrypoint"]) == ("echo", "1.0.0", "backend:Echo")
    assert record["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    with pytest.raises(ApiError) as info:  # a version is published once
        asyncio.run(apublish_custom_backend("tenant-1", package, **auth))
    assert info.value.status_code == 409  # type: ignore[attr-defined]
    other = backend_package(tmp_path, {"name": "echo", "version": "1.0.1", "entrypoint": "backend:Echo"})
    assert asyncio.run(apublish_custom_backend("tenant-1", other, **auth))["version"] == "1.0.1"
