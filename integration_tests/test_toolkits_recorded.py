"""The provisioning toolkits (LangChain) and tool specs (LlamaIndex) against the sandbox, replayed from cassettes:
every provider's tools, the spend cap, approval, dry run, a replayed create, and cleanup leaving nothing running."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from neocloud_testing.targets import Target

from neocloud.core.tools import ApprovalRequest, SpendPolicy

pytestmark = pytest.mark.vcr
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtoolkit"


def tools_by_name(toolkit: Any) -> dict[str, Any]:
    return {t.name: t for t in toolkit.get_tools()}


def call(tool: Any, call_id: str, **args: Any) -> ToolMessage:
    """Invoke a LangChain tool the way an agent does: with a full tool call."""
    message = tool.invoke({"type": "tool_call", "id": call_id, "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage) and message.tool_call_id == call_id
    return message


def ok(message: ToolMessage) -> Any:
    assert message.status == "success", message.content
    return json.loads(str(message.content))


def runcrate(target: Target) -> Any:
    from neocloud.runcrate import Runcrate

    return Runcrate(api_key=target.api_key, base_url=target.base_url, inference_url=target.base_url, max_retries=0)


def test_runcrate_toolkit_instances_volumes_billing_and_cleanup(runcrate_target: Target) -> None:
    from neocloud.langchain import RuncrateToolkit

    client = runcrate(runcrate_target)
    key = client.ssh_keys.create(name="agent", public_key=KEY)
    assert set(tools_by_name(RuncrateToolkit(client=client))) == {
        "runcrate_list_gpu_types", "runcrate_list_ssh_keys", "runcrate_list_templates", "runcrate_list_instances",
        "runcrate_instance_status", "runcrate_list_storage_regions", "runcrate_list_volumes", "runcrate_balance",
        "runcrate_usage", "runcrate_list_transactions", "runcrate_get_job", "runcrate_list_jobs", "runcrate_job_logs",
        "runcrate_get_job_group", "runcrate_video_status", "runcrate_save_video"}  # fmt: skip
    with RuncrateToolkit(client=client, allow_billable=True, allow_destructive=True,
                         spend_policy=SpendPolicy(max_hourly_usd=5, max_total_usd=20)) as toolkit:  # fmt: skip
        tools = tools_by_name(toolkit)
        types = ok(call(tools["runcrate_list_gpu_types"], "c1", gpu_type="A100", gpu_count=1))
        assert {t["hourly_rate"] for t in types} == {1.29}
        assert [k["id"] for k in ok(call(tools["runcrate_list_ssh_keys"], "c2"))] == [key.id]
        args = {"name": "agent-box", "gpu_type": "A100", "ssh_key_id": key.id, "max_runtime_minutes": 120}
        made = ok(call(tools["runcrate_create_instance"], "c3", **args))
        again = ok(call(tools["runcrate_create_instance"], "c3", **args))  # the agent's call, replayed
        assert again["id"] == made["id"] and len(client.instances.list()) == 1 and len(toolkit.session.entries()) == 1
        assert ok(call(tools["runcrate_instance_status"], "c4", instance_id=made["id"]))["status"] in (
            "pending", "starting", "running")  # fmt: skip
        volume = ok(call(tools["runcrate_create_volume"], "c5", name="data", size_gb=50, region="us-east-1"))
        assert ok(call(tools["runcrate_resize_volume"], "c6", volume_id=volume["id"], size_gb=80))["size_gb"] == 80
        assert [v["id"] for v in ok(call(tools["runcrate_list_volumes"], "c7"))] == [volume["id"]]
        assert ok(call(tools["runcrate_balance"], "c8"))["credits_balance"] < 100
        assert ok(call(tools["runcrate_usage"], "c9"))["total_requests"] == 0
        assert ok(call(tools["runcrate_list_templates"], "c10"))[0]["name"]
        assert float(toolkit.session.running_hourly_usd()) == pytest.approx(1.29 + 50 * 0.03 / 730)
        # Every call that spent is in the run's record: the launch, the volume and its resize.
        spent = [(e.operation, e.status.value) for e in toolkit.session.entries()]
        assert spent == [("runcrate_create_instance", "succeeded"), ("runcrate_create_volume", "succeeded"),
                         ("runcrate_resize_volume", "succeeded")]  # fmt: skip
    # Leaving the toolkit tore down what it made: the instance is going away and the volume is gone.
    assert client.instances.get(made["id"]).status in ("terminating", "terminated")
    assert list(client.storage.list()) == []
    assert toolkit.session.resources() == []  # (the run's record outlives the toolkit: read from the file again)
    assert len(toolkit.session.resources(include_torn_down=True)) == 2
    client.ssh_keys.delete(key.id)


def test_spend_cap_refuses_with_a_message_the_agent_can_read(runcrate_target: Target) -> None:
    from neocloud.langchain import RuncrateToolkit

    client = runcrate(runcrate_target)
    key = client.ssh_keys.create(name="agent", public_key=KEY)
    toolkit = RuncrateToolkit(client=client, allow_billable=True, spend_policy=SpendPolicy(max_hourly_usd=2.0))
    refused = call(tools_by_name(toolkit)["runcrate_create_instance"], "c1", name="big", gpu_type="H100",
                   gpu_count=1, ssh_key_id=key.id)  # fmt: skip
    assert refused.status == "error"
    assert (
        "refused before anything was sent: it may cost up to $2.49 (h100-1x-us-east at $2.49/h, Runcrate's listed "
        "price; no maximum runtime declared, so 1 h is assumed) and this run's hourly cap ($2.00/h x 1 h) has "
        "$2.00 left of $2.00 (nothing spent or reserved yet)"
    ) in str(refused.content)
    assert list(client.instances.list()) == [] and toolkit.session.entries() == []
    client.ssh_keys.delete(key.id)


def test_dry_run_prices_and_sends_nothing(runcrate_target: Target) -> None:
    from neocloud.langchain import RuncrateToolkit

    client = runcrate(runcrate_target)
    toolkit = RuncrateToolkit(client=client, allow_billable=True, dry_run=True)
    out = ok(call(tools_by_name(toolkit)["runcrate_create_instance"], "c1", name="x", gpu_type="A100",
                  ssh_key_id="key_anything", max_runtime_minutes=60))  # fmt: skip
    assert out["dry_run"] is True and out["estimate"]["hourly_usd"] == 1.29 and out["estimate"]["total_usd"] == 1.29
    assert out["worst_case_usd"] == 1.29
    assert list(client.instances.list()) == [] and toolkit.session.entries() == []


def test_llamaindex_spec_approval_denied_and_granted(runcrate_target: Target) -> None:
    from neocloud.llamaindex import RuncrateToolSpec

    client = runcrate(runcrate_target)
    asked: list[ApprovalRequest] = []

    def approve(request: ApprovalRequest) -> bool:
        asked.append(request)
        return request.arguments["size_gb"] <= 10

    spec = RuncrateToolSpec(client=client, allow_billable=True, allow_destructive=True, approve=approve)
    tools = {t.metadata.name: t for t in spec.to_tool_list()}
    denied = tools["runcrate_create_volume"].call(name="huge", size_gb=500, region="us-east-1")
    assert denied.is_error and "was not approved" in denied.content and list(client.storage.list()) == []
    made = json.loads(asyncio.run(tools["runcrate_create_volume"].acall(name="small", size_gb=10,
                                                                        region="us-east-1")).content)  # fmt: skip
    assert [r.arguments["size_gb"] for r in asked] == [500, 10] and asked[0].estimate is not None
    assert asked[0].estimate.total_usd == pytest.approx(500 * 0.03 * 12 / 52, abs=1e-3)
    assert spec.cleanup() == [f"volume {made['id']}"] and list(client.storage.list()) == []


def test_inferencekey_tools_ensure_wait_endpoint_delete(inferencekey_target: Target) -> None:
    from neocloud.inferencekey import ManagementClient
    from neocloud.inferencekey.tools import Clients
    from neocloud.langchain import InferenceKeyToolkit

    project = inferencekey_target.extra["project"]
    mgmt = ManagementClient(base_url=inferencekey_target.base_url, sdk_token=inferencekey_target.api_key,
                            project=project, max_retries=0)  # fmt: skip
    clients = Clients(mgmt, inferencekey_target.base_url, project)
    with InferenceKeyToolkit(client=clients, allow_billable=True, allow_destructive=True,
                             spend_policy=SpendPolicy(max_hourly_usd=3, unpriced_hourly_usd=1.5)) as toolkit:  # fmt: skip
        tools = tools_by_name(toolkit)
        made = ok(call(tools["inferencekey_ensure_workload"], "c1", slug="agent-bot",
                       model="meta-llama/Llama-3.1-8B-Instruct"))  # fmt: skip
        assert made["created"] is True and made["endpoint"].endswith(f"/endpoint/{project}/agent-bot/v1")
        progress = ok(call(tools["inferencekey_wait_until_ready"], "c2", slug="agent-bot", timeout_seconds=60))
        assert progress["ready"] is True and progress["progress"][-1] == "ready: Serving"
        assert ok(call(tools["inferencekey_get_endpoint"], "c3", slug="agent-bot"))["model"] == "agent-bot"
        assert [w["slug"] for w in ok(call(tools["inferencekey_list_workloads"], "c4"))] == ["agent-bot"]
        second = call(tools["inferencekey_ensure_workload"], "c5", slug="other", model="m/x")
        assert ok(second)["created"] is True
        third = call(tools["inferencekey_ensure_workload"], "c6", slug="third", model="m/x")
        # A third would make 3 x the assumed $1.50/h.
        assert third.status == "error"
        assert "this run's hourly cap ($3.00/h x 1 h) has nothing left" in str(third.content)
        assert ok(call(tools["inferencekey_delete_workload"], "c7", slug="other"))["deleted"] is True
    assert mgmt.list_workloads() == []


def test_cluster_and_metalcloud_tools(cluster_target: Target, metalcloud_target: Target) -> None:
    from neocloud.clusterprotocol import ClusterClient
    from neocloud.langchain import ClusterProtocolToolkit, MetalCloudToolkit
    from neocloud.metalcloud import Client

    cluster = ClusterClient(api_key=cluster_target.api_key, base_url=cluster_target.base_url, max_retries=0)
    # Cluster Protocol publishes no fine-tuning price: under the default budget the toolkit says what to assume.
    with ClusterProtocolToolkit(client=cluster, allow_billable=True, allow_destructive=True,
                                spend_policy=SpendPolicy(unpriced_hourly_usd=2.0)) as toolkit:  # fmt: skip
        tools = tools_by_name(toolkit)
        models = ok(call(tools["clusterprotocol_list_models"], "c1"))
        assert all("input_price" in m for m in models if m["id"] == "llama-3.1-8b")
        job = ok(call(tools["clusterprotocol_create_fine_tune"], "c2", base_model="llama-3.1-8b",
                      training_file="https://data.example.com/train.jsonl", epochs=1))  # fmt: skip
        assert ok(call(tools["clusterprotocol_get_fine_tune"], "c3", job_id=job["id"]))["id"] == job["id"]
        assert [j["id"] for j in ok(call(tools["clusterprotocol_list_fine_tunes"], "c4"))] == [job["id"]]
    assert cluster.fine_tuning.get(job["id"]).status == "cancelled"  # cleanup cancelled what the toolkit started

    metal = Client(api_key=metalcloud_target.api_key, base_url=metalcloud_target.base_url, max_retries=0)
    done = metal.inference(model="meta-llama/Llama-3.1-8B", prompt="Hello")
    tools = tools_by_name(MetalCloudToolkit(client=metal))
    assert set(tools) == {"metalcloud_list_models", "metalcloud_get_job", "metalcloud_list_jobs"}
    assert ok(call(tools["metalcloud_get_job"], "c5", job_id=done.id))["id"] == done.id
    assert [j["id"] for j in ok(call(tools["metalcloud_list_jobs"], "c6", limit=5))] == [done.id]
    assert len(ok(call(tools["metalcloud_list_models"], "c7"))) >= 3
