"""Cluster Protocol's and InferenceKey's provisioning tools against the live sandbox, through the LangChain toolkit
and the LlamaIndex tool spec, sync and async: a fine-tune's hyper-parameters reach the job, a dataset purchase is
priced from the dataset's price and charged once, and a workload's name, description, execution policy and
``on_drift`` reach the platform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neocloud_testing.tool_surfaces import SURFACES, ToolSurface

from neocloud.core.ledger import Budget
from neocloud.core.tools import SpendPolicy

TRAIN = "https://data.example.com/train.jsonl"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
        yield sb


@pytest.fixture
def cluster(sandbox: Any) -> Any:
    from neocloud.clusterprotocol import ClusterClient

    sandbox.reset()
    return ClusterClient(api_key="sk-cluster-sandbox-valid", base_url=sandbox.base_url("clusterprotocol"),
                         max_retries=0)  # fmt: skip


@pytest.fixture
def ik(sandbox: Any) -> Any:
    from neocloud.inferencekey import ManagementClient
    from neocloud.inferencekey.tools import Clients

    sandbox.reset()
    url = sandbox.base_url("inferencekey")
    return Clients(ManagementClient(base_url=url, sdk_token="ik_sdk_sandbox-acme", project="acme"), url, "acme")


@pytest.mark.parametrize("surface", SURFACES)
def test_fine_tune_hyper_parameters_reach_the_job(cluster: Any, surface: str) -> None:
    tools = ToolSurface(surface, "clusterprotocol", cluster, spend_policy=SpendPolicy(unpriced_hourly_usd=2))
    job = tools.ok("clusterprotocol_create_fine_tune", base_model="llama-3.1-8b", training_file=TRAIN,
                   suffix="support", epochs=3, learning_rate=0.0002, lora_rank=16, lora_alpha=32)  # fmt: skip
    assert cluster.fine_tuning.get(job["id"]).hyperparameters == {
        "epochs": 3, "learning_rate": 0.0002, "lora_rank": 16, "lora_alpha": 32}  # fmt: skip
    assert job["suffix"] == "support"
    # The client's limits, before anything is reserved or sent.
    for bad, name in (({"lora_rank": 999}, "lora_rank"), ({"learning_rate": 1.5}, "learning_rate"),
                      ({"training_file": "ftp://x"}, "training_file")):  # fmt: skip
        args = {"base_model": "llama-3.1-8b", "training_file": TRAIN, **bad}
        ok, refused = tools.call("clusterprotocol_create_fine_tune", **args)
        assert not ok and name in refused
    assert len(tools.session.entries()) == 1 and len(list(cluster.fine_tuning.list())) == 1
    assert list(tools.cleanup()) == [f"fine_tune {job['id']}"]


@pytest.mark.parametrize("surface", SURFACES)
def test_a_dataset_purchase_is_priced_from_the_dataset_and_charged_once(cluster: Any, surface: str) -> None:
    tools = ToolSurface(surface, "clusterprotocol", cluster, budget=Budget(max_usd=8))
    listed = {d["slug"]: d for d in tools.ok("clusterprotocol_list_datasets")}
    paid = listed["code-reviews"]
    assert paid["price_usd"] == "5.00" and listed["gpu-telemetry"]["pricing_type"] == "free"
    before = cluster.balance.get().balance_usd
    bought = tools.ok("clusterprotocol_purchase_dataset", dataset_id=paid["id"])
    assert bought["status"] == "completed" and cluster.balance.get().balance_usd == pytest.approx(before - 5)
    assert cluster.datasets.check_access(paid["id"]).has_access
    assert [e.reserved_micros for e in tools.session.entries()] == [5_000_000]
    # Bought already: the platform says so and charges nothing, and the ledger keeps nothing for it.
    again = tools.ok("clusterprotocol_purchase_dataset", dataset_id=paid["id"])
    assert again["status"] == "already_owned" and cluster.balance.get().balance_usd == pytest.approx(before - 5)
    assert [e.reserved_micros for e in tools.session.entries()] == [5_000_000, 0]  # priced as owned already
    assert tools.session.spend().committed_usd == 5
    ok, refused = tools.call("clusterprotocol_purchase_dataset", dataset_id=paid["id"], payment_method="card")
    assert not ok and "payment_method" in refused


@pytest.mark.parametrize("surface", SURFACES)
def test_workload_name_description_policy_and_on_drift_reach_the_platform(ik: Any, surface: str) -> None:
    tools = ToolSurface(surface, "inferencekey", ik, spend_policy=SpendPolicy(unpriced_hourly_usd=2))
    spec = {"slug": "support-bot", "model": "meta-llama/Llama-3.1-8B-Instruct", "name": "Support bot",
            "description": "Answers tickets", "execution_policy": "autoscaling",
            "execution_policy_config": {"min_replicas": 0, "max_replicas": 2}, "config": {"max_model_len": 8192}}  # fmt: skip
    made = tools.ok("inferencekey_ensure_workload", **spec)
    assert made["created"] is True and made["workload"] == "support-bot"
    live = {w.slug: w for w in ik.management.list_workloads()}["support-bot"]
    assert (live.name, live.description, live.execution_policy.value) == ("Support bot", "Answers tickets",
                                                                          "autoscaling")  # fmt: skip
    assert live.execution_policy_config == {"min_replicas": 0, "max_replicas": 2}
    assert live.config == {"max_model_len": 8192}
    # The live workload now differs from what the agent asks: on_drift decides.
    changed = {**spec, "description": "Answers tickets in French"}
    ok, refused = tools.call("inferencekey_ensure_workload", **changed, on_drift="fail")
    assert not ok and "description" in refused
    kept = tools.ok("inferencekey_ensure_workload", **changed, on_drift="ignore")
    assert kept["created"] is False and ik.management.list_workloads()[0].description == "Answers tickets"
    tools.ok("inferencekey_ensure_workload", **changed, on_drift="reconcile")
    assert ik.management.list_workloads()[0].description == "Answers tickets in French"
    ok, refused = tools.call("inferencekey_ensure_workload", **spec, on_drift="overwrite")
    assert not ok and "on_drift" in refused
    # Only the first ensure made something: cleanup deletes it, once.
    assert list(tools.cleanup()) == ["workload support-bot"]
    assert ik.management.list_workloads() == []
