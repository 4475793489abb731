"""langchain-tests' ToolsUnitTests and ToolsIntegrationTests for every provisioning tool.

Integration runs replay cassettes recorded against the sandbox. Billable and destructive tools run in a dry-run
toolkit (priced, never sent): no standard test ever spends. Tools that read one resource get a real one, created
by the test's setup (recorded too).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests
from neocloud_testing.targets import Target, make_target, provision_workload

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAstandard"


def runcrate_client(t: Target) -> Any:
    from neocloud.runcrate import Runcrate

    return Runcrate(api_key=t.api_key, base_url=t.base_url, inference_url=t.base_url, max_retries=0)


def ik_clients(t: Target) -> Any:
    from neocloud.inferencekey import ManagementClient
    from neocloud.inferencekey.tools import Clients

    mgmt = ManagementClient(base_url=t.base_url, sdk_token=t.api_key, project=t.extra["project"], max_retries=0)
    return Clients(mgmt, t.base_url, t.extra["project"])


def cluster_client(t: Target) -> Any:
    from neocloud.clusterprotocol import ClusterClient

    return ClusterClient(api_key=t.api_key, base_url=t.base_url, max_retries=0)


def metal_client(t: Target) -> Any:
    from neocloud.metalcloud import Client

    return Client(api_key=t.api_key, base_url=t.base_url, max_retries=0)


def new_instance(c: Any, t: Target) -> dict[str, Any]:
    key = c.ssh_keys.create(name="std", public_key=KEY)
    return {"instance_id": c.instances.create(name="std", ssh_key_id=key.id, gpu_type="A100", idempotency_key="s1").id}


def new_volume(c: Any, t: Target) -> dict[str, Any]:
    return {"volume_id": c.storage.create("std", 10, "us-east-1", idempotency_key="s2").id, "size_gb": 20}


def ready_workload(c: Any, t: Target) -> dict[str, Any]:
    provision_workload(t, "std-bot")
    return {"slug": "std-bot", "timeout_seconds": 60}


def new_fine_tune(c: Any, t: Target) -> dict[str, Any]:
    job = c.fine_tuning.create("llama-3.1-8b", "https://data.example.com/train.jsonl", idempotency_key="s3")
    return {"job_id": job.id}


def new_job(c: Any, t: Target) -> dict[str, Any]:
    return {"job_id": c.inference(model="meta-llama/Llama-3.1-8B", prompt="Hello").id}


def new_job_rc(c: Any, t: Target) -> dict[str, Any]:
    job = c.jobs.run(command="echo hi", gpu_type="A100", max_runtime_minutes=5, idempotency_key="s4")
    return {"job_id": job.id}


def new_group(c: Any, t: Target) -> dict[str, Any]:
    group = c.jobs.run_group(count=2, command="echo hi", gpu_type="A100", max_runtime_minutes=5, idempotency_key="s5")
    return {"group_id": group.id}


def new_video(c: Any, t: Target) -> dict[str, Any]:
    return {"job_id": c.models.generate_video(model="tencent/HunyuanVideo", prompt="waves").id, "wait_seconds": 5}


def done_video(c: Any, t: Target) -> dict[str, Any]:
    job = c.models.wait_for_video(c.models.generate_video(model="tencent/HunyuanVideo", prompt="sea").id,
                                  poll_interval=0.05, timeout=30)  # fmt: skip
    return {"job_id": job.id, "path": str(Path(tempfile.mkdtemp()) / "standard.mp4")}


def running_instance(c: Any, t: Target) -> dict[str, Any]:
    return {**new_instance(c, t), "max_runtime_minutes": 120}


def rerun_of(c: Any, t: Target) -> dict[str, Any]:
    return {**new_job_rc(c, t), "max_runtime_minutes": 10}


@dataclass(frozen=True)
class ToolCase:
    toolkit: str
    target_fixture: str
    make_client: Callable[[Target], Any]
    tool: str
    example: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[Any, Target], dict[str, Any]] | None = None
    teardown: Callable[[Any, dict[str, Any]], Any] | None = None


RC, IK, CP, MC = ("RuncrateToolkit", "runcrate_target", runcrate_client), \
    ("InferenceKeyToolkit", "inferencekey_target", ik_clients), \
    ("ClusterProtocolToolkit", "cluster_target", cluster_client), ("MetalCloudToolkit", "metalcloud_target", metal_client)  # fmt: skip
CASES = [
    ToolCase(*RC, "runcrate_list_gpu_types", {"gpu_type": "A100"}),
    ToolCase(*RC, "runcrate_list_ssh_keys"),
    ToolCase(*RC, "runcrate_list_templates"),
    ToolCase(*RC, "runcrate_list_instances"),
    ToolCase(
        *RC,
        "runcrate_instance_status",
        {"instance_id": "inst_x"},
        new_instance,
        lambda c, ex: c.instances.terminate(ex["instance_id"]),
    ),
    ToolCase(
        *RC,
        "runcrate_create_instance",
        {"name": "x", "gpu_type": "A100", "ssh_key_id": "key_x", "max_runtime_minutes": 60},
    ),
    ToolCase(*RC, "runcrate_terminate_instance", {"instance_id": "inst_x"}),
    ToolCase(*RC, "runcrate_list_storage_regions"),
    ToolCase(*RC, "runcrate_list_volumes"),
    ToolCase(*RC, "runcrate_create_volume", {"name": "v", "size_gb": 10, "region": "us-east-1"}),
    ToolCase(
        *RC,
        "runcrate_resize_volume",
        {"volume_id": "vol_x", "size_gb": 20},
        new_volume,
        lambda c, ex: c.storage.delete(ex["volume_id"]),
    ),
    ToolCase(*RC, "runcrate_delete_volume", {"volume_id": "vol_x"}),
    ToolCase(*RC, "runcrate_balance"),
    ToolCase(*RC, "runcrate_usage", {"from_date": "2026-11-01", "to_date": "2026-11-30"}),
    ToolCase(*RC, "runcrate_create_ssh_key", {"name": "k", "public_key": KEY}),
    ToolCase(*RC, "runcrate_delete_ssh_key", {"key_id": "key_x"}),
    ToolCase(
        *RC,
        "runcrate_update_instance",
        {"instance_id": "inst_x", "max_runtime_minutes": 120},
        running_instance,
        lambda c, ex: c.instances.terminate(ex["instance_id"]),
    ),
    ToolCase(*RC, "runcrate_list_transactions", {"limit": 10}),
    ToolCase(*RC, "runcrate_run_job", {"command": "echo hi", "gpu_type": "A100", "max_runtime_minutes": 5}),
    ToolCase(
        *RC, "runcrate_run_job_group", {"command": "echo hi", "gpu_type": "A100", "max_runtime_minutes": 5, "count": 2}
    ),
    ToolCase(*RC, "runcrate_rerun_job", {"job_id": "job_x", "max_runtime_minutes": 10}, rerun_of),
    ToolCase(*RC, "runcrate_get_job", {"job_id": "job_x"}, new_job_rc),
    ToolCase(*RC, "runcrate_list_jobs", {"limit": 5}),
    ToolCase(*RC, "runcrate_job_logs", {"job_id": "job_x"}, new_job_rc),
    ToolCase(*RC, "runcrate_cancel_job", {"job_id": "job_x"}),
    ToolCase(*RC, "runcrate_get_job_group", {"group_id": "grp_x"}, new_group),
    ToolCase(*RC, "runcrate_cancel_job_group", {"group_id": "grp_x"}),
    ToolCase(*RC, "runcrate_generate_image", {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a fox"}),
    ToolCase(*RC, "runcrate_generate_video", {"model": "tencent/HunyuanVideo", "prompt": "waves"}),
    ToolCase(*RC, "runcrate_video_status", {"job_id": "video_x"}, new_video),
    ToolCase(*RC, "runcrate_save_video", {"job_id": "video_x", "path": "x.mp4"}, done_video),
    ToolCase(*RC, "runcrate_text_to_speech", {"model": "hexgrad/Kokoro-82M", "input": "Hello"}),
    ToolCase(*RC, "runcrate_transcribe", {"model": "openai/whisper-large-v3", "file": "hello.wav"}),
    ToolCase(*IK, "inferencekey_list_workloads"),
    ToolCase(*IK, "inferencekey_ensure_workload", {"slug": "x", "model": "meta-llama/Llama-3.1-8B-Instruct"}),
    ToolCase(
        *IK,
        "inferencekey_wait_until_ready",
        {"slug": "x", "timeout_seconds": 60},
        ready_workload,
        lambda c, ex: c.management.delete(ex["slug"]),
    ),
    ToolCase(*IK, "inferencekey_get_endpoint", {"slug": "x"}),
    ToolCase(*IK, "inferencekey_delete_workload", {"slug": "x"}),
    ToolCase(*CP, "clusterprotocol_list_models"),
    ToolCase(
        *CP,
        "clusterprotocol_create_fine_tune",
        {"base_model": "llama-3.1-8b", "training_file": "https://data.example.com/t.jsonl"},
    ),
    ToolCase(
        *CP,
        "clusterprotocol_get_fine_tune",
        {"job_id": "ft_job_x"},
        new_fine_tune,
        lambda c, ex: c.fine_tuning.cancel(ex["job_id"]),
    ),
    ToolCase(*CP, "clusterprotocol_list_fine_tunes", {"limit": 5}),
    ToolCase(*CP, "clusterprotocol_cancel_fine_tune", {"job_id": "ft_job_x"}),
    ToolCase(*CP, "clusterprotocol_list_datasets", {"q": "code"}),
    ToolCase(*CP, "clusterprotocol_purchase_dataset", {"dataset_id": "ds_002"}),
    ToolCase(*MC, "metalcloud_list_models"),
    ToolCase(*MC, "metalcloud_get_job", {"job_id": "job_x"}, new_job),
    ToolCase(*MC, "metalcloud_list_jobs", {"limit": 5}),
]


def build(case: ToolCase, client: Any) -> BaseTool:
    import neocloud.langchain as pkg

    toolkit = getattr(pkg, case.toolkit)(client=client, allow_billable=True, allow_destructive=True, dry_run=True)
    return next(t for t in toolkit.get_tools() if t.name == case.tool)


class _Unit(ToolsUnitTests):
    case: ToolCase

    @property
    def tool_constructor(self) -> BaseTool:
        provider = {"cluster": "clusterprotocol"}.get(self.case.target_fixture[:-7], self.case.target_fixture[:-7])
        # The replay target's placeholder settings: the unit suite never sends a request.
        return build(self.case, self.case.make_client(make_target(provider, recording=False, sandbox=None)))

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return self.case.example


class _Integration(ToolsIntegrationTests):
    case: ToolCase
    _tool: BaseTool
    _example: dict[str, Any]

    @pytest.fixture(autouse=True)
    def _against_target(self, request: pytest.FixtureRequest) -> Iterator[None]:
        target: Target = request.getfixturevalue(self.case.target_fixture)
        client = self.case.make_client(target)
        self._example = self.case.setup(client, target) if self.case.setup else dict(self.case.example)
        self._tool = build(self.case, client)
        yield
        if self.case.teardown is not None:  # leave nothing running
            self.case.teardown(client, self._example)

    @property
    def tool_constructor(self) -> BaseTool:
        return self._tool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return self._example


for _case in CASES:
    _name = "".join(part.title() for part in _case.tool.split("_"))
    globals()[f"Test{_name}Unit"] = type(f"Test{_name}Unit", (_Unit,), {"case": _case})
    globals()[f"Test{_name}Integration"] = pytest.mark.vcr(
        type(f"Test{_name}Integration", (_Integration,), {"case": _case})
    )
