"""The official InferenceKey SDK (``inferencekey``, sync only: it has no async clients) through every public
method against the sandbox: both planes' clients, an endpoint, and publishing a packaged custom backend."""

from __future__ import annotations

import dataclasses
import inspect
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import inferencekey as ik
import inferencekey.backend as ik_backend
import pytest
from inferencekey.clients import DataClient, Endpoint, ManagementClient

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

from .official_sdks import done, missing_and_stale, record_calls, run

KEYS = SANDBOX_KEYS["inferencekey"]
NOT_APPLICABLE = {
    "inferencekey.backend.serve_backend": "serves a custom backend in this process; sends no request to the platform",
    "inferencekey.backend.pick_device": "picks a local torch device; sends no request",
}
SPEC = ik.WorkloadSpec(name="Embedder", slug="embedder", model="BAAI/bge-large-en-v1.5", backend=ik.Backend.VLLM,
                       task_type=ik.TaskType.EMBEDDING, description="Vectors", command="vllm serve BAAI/bge-large-en-v1.5",
                       vllm_version="0.6.0", execution_policy=ik.ExecutionPolicy.AUTOSCALING,
                       execution_policy_config={"min_replicas": 0})  # fmt: skip


def surface() -> set[str]:
    """The SDK's public methods: the three clients' and the package's functions (``inferencekey.backend`` too)."""
    names = {f"{cls.__name__}.{name}" for cls in (ManagementClient, DataClient, Endpoint)
             for name, value in vars(cls).items()
             if not name.startswith("_") and (inspect.isfunction(value) or isinstance(value, classmethod))}  # fmt: skip
    names |= {f"inferencekey.{n}" for n in ik.__all__ if inspect.isfunction(getattr(ik, n))}
    names |= {f"inferencekey.backend.{n}" for n in ik_backend.__all__ if inspect.isfunction(getattr(ik_backend, n))}
    return names


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=SandboxSettings(phase_s=0.03)) as sb:
        yield sb


def kit(sandbox: Sandbox, project: str) -> SimpleNamespace:
    """The SDK's objects under the names ``surface`` uses, for one project (the token names it)."""
    base = sandbox.base_url("inferencekey")
    mgmt = ManagementClient.from_env(base_url=base, sdk_token=f"ik_sdk_sandbox-{project}", project=project)
    data = DataClient.from_env(base_url=base, project=project, api_key=f"ik_live_sandbox-{project}")
    return SimpleNamespace(
        base_url=base, project=project, ManagementClient=mgmt, DataClient=data, Endpoint=data.endpoint("embedder"),
        inferencekey=SimpleNamespace(publish_custom_backend=ik.publish_custom_backend,
                                     backend=SimpleNamespace(package_backend=ik_backend.package_backend,
                                                             read_manifest_from_archive=ik_backend.read_manifest_from_archive)),
    )  # fmt: skip


async def management(k: Any) -> None:
    mgmt = k.ManagementClient.from_env(base_url=k.base_url, sdk_token=f"ik_sdk_sandbox-{k.project}", project=k.project)
    assert mgmt.ensure(SPEC) == ik.EndpointRef(project_slug=k.project, workload_slug="embedder")
    drifted = dataclasses.replace(SPEC, description="Better vectors")
    with pytest.raises(ik.ApiError, match="drifted"):
        k.ManagementClient.ensure(drifted, on_drift=ik.OnDrift.FAIL)
    for policy in (ik.OnDrift.DRY_RUN, ik.OnDrift.WARN, ik.OnDrift.IGNORE, "reconcile"):
        assert k.ManagementClient.ensure(drifted, on_drift=policy).workload_slug == "embedder"
    events: list[ik.ReadinessEvent] = []
    k.ManagementClient.wait_until_ready("embedder", on_progress=events.append, timeout=30)
    assert events[-1].phase == "ready" and {e.phase for e in events} <= {
        "scheduling",
        "provisioning",
        "bootstrapping",
        "ready",
    }
    k.ManagementClient.wait_until_ready("embedder", silent=True, timeout=30)
    with pytest.raises(ik.PermissionDenied, match="project_scope_mismatch"):
        k.ManagementClient.ensure(SPEC, project="someone-else")
    assert k.ManagementClient.delete("embedder") is True and k.ManagementClient.delete("embedder") is False


async def data_plane(k: Any) -> None:
    k.ManagementClient.ensure(SPEC)
    k.ManagementClient.wait_until_ready("embedder", silent=True, timeout=30)
    data = k.DataClient.from_env(base_url=k.base_url, project=k.project, api_key=f"ik_live_sandbox-{k.project}")
    assert data.endpoint("embedder").workload_slug == "embedder"
    endpoint = k.DataClient.endpoint("embedder", api_key=f"ik_live_sandbox-{k.project}")
    text = k.Endpoint.generate_text(prompt="Hola", temperature=0.2, max_tokens=5)
    assert text.model == "embedder" and text.finish_reason == "length" and len(text.text.split()) == 5
    chat = endpoint.generate_text(messages=[{"role": "user", "content": "Hola"}])
    chunks = list(k.Endpoint.generate_text_stream(messages=[{"role": "user", "content": "Hola"}]))
    assert "".join(c.text for c in chunks) == chat.text and chunks[-1].finish_reason == "stop"
    vectors = k.Endpoint.embed(input=["GPU racks", "bread"]).embeddings
    assert [len(v) for v in vectors] == [1024, 1024]  # the width of the model the workload serves
    assert k.Endpoint.embed(input="GPU racks").embeddings == vectors[:1]
    ranked = k.Endpoint.rerank(query="GPU racks", documents=["bread", "GPU racks for rent"], top_n=1)
    assert [r.index for r in ranked.results] == [1] and ranked.model == "embedder"
    with pytest.raises(ik.ApiError, match="not_found"):
        k.DataClient.endpoint("never-created").generate_text(prompt="x")


async def publish(k: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "echo_backend.py"
        source.write_text("class Echo:\n    pass\n")
        package = k.inferencekey.backend.package_backend(src=str(source), entrypoint="echo_backend:Echo", name="echo",
                                                         version="1.0.0", out_dir=folder, task_type="text2text")  # fmt: skip
        manifest = k.inferencekey.backend.read_manifest_from_archive(package.path)
        assert (manifest["name"], manifest["version"]) == ("echo", "1.0.0")
        record = await done(k.inferencekey.publish_custom_backend(
            "tenant-1", package.path, token=f"ik_sdk_sandbox-{k.project}", base_url=k.base_url))  # fmt: skip
        assert record["slug"] == "echo" and record["size_bytes"] == package.size_bytes
        with pytest.raises(ik.ApiError, match="409"):
            k.inferencekey.publish_custom_backend("tenant-1", package.path, token=f"ik_sdk_sandbox-{k.project}",
                                                  base_url=k.base_url)  # fmt: skip


DRIVERS = {
    management: ("ManagementClient.from_env", "ManagementClient.ensure", "ManagementClient.wait_until_ready",
                 "ManagementClient.delete"),
    data_plane: ("DataClient.from_env", "DataClient.endpoint", "Endpoint.generate_text",
                 "Endpoint.generate_text_stream", "Endpoint.embed", "Endpoint.rerank"),
    publish: ("inferencekey.backend.package_backend", "inferencekey.backend.read_manifest_from_archive",
              "inferencekey.publish_custom_backend"),
}  # fmt: skip


def test_every_public_method_is_driven_or_not_applicable() -> None:
    driven = {m for methods in DRIVERS.values() for m in methods}
    missing, stale = missing_and_stale(surface(), driven, NOT_APPLICABLE)
    assert not missing, f"methods neither driven nor listed as not applicable: {sorted(missing)}"
    assert not stale, f"entries for methods the SDK does not have: {sorted(stale)}"


@pytest.mark.parametrize("driver", list(DRIVERS), ids=lambda d: d.__name__)
def test_methods_parse(sandbox: Sandbox, driver: Any) -> None:
    objects = kit(sandbox, driver.__name__.replace("_", ""))
    calls = record_calls(objects, *DRIVERS[driver])
    run(driver, objects)
    assert set(DRIVERS[driver]) <= set(calls), sorted(set(DRIVERS[driver]) - set(calls))
