"""Every client method that creates something or spends money has an agent tool, or is listed in its provider's
``tools.NOT_TOOLS`` with the reason it is not one; and each such tool takes the method's whole argument set.

The clients are walked the way ``scripts/gen_operations.py`` walks them, so a method added to a client later fails
here until it is given a tool or a reason."""

from __future__ import annotations

import importlib
import inspect
from functools import cached_property
from typing import Any

import pytest

from neocloud.core.tools import SideEffect

# A method creates or spends when its name says so (the clients name their operations by what they do).
SPENDING = {"create", "run", "run_group", "rerun", "run_now", "purchase", "top_up", "ensure", "update", "resize",
            "inference", "transcribe", "text_to_speech", "upload", "set_auto_recharge", "chat_completion"}  # fmt: skip
TRANSPORT = {"get", "post", "delete", "request", "request_stream", "stream_bytes", "copy", "with_options", "close"}

CLIENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "runcrate": ("neocloud.runcrate:Runcrate", {"api_key": "rc_live_coverage"}),
    "clusterprotocol": ("neocloud.clusterprotocol:ClusterClient", {"api_key": "sk-cluster-coverage"}),
    "metalcloud": ("neocloud.metalcloud:Client", {"api_key": "mc_coverage"}),
    "inferencekey": ("neocloud.inferencekey:ManagementClient",
                     {"base_url": "http://127.0.0.1:9", "sdk_token": "ik_sdk_coverage", "project": "p"}),
}  # fmt: skip
# The module-level operations a provider has besides its client.
FUNCTIONS = {"inferencekey": ["publish_custom_backend"]}

COVERED = {
    "runcrate": {
        "instances.create": "runcrate_create_instance", "instances.update": "runcrate_update_instance",
        "ssh_keys.create": "runcrate_create_ssh_key", "storage.create": "runcrate_create_volume",
        "storage.resize": "runcrate_resize_volume", "jobs.run": "runcrate_run_job",
        "jobs.run_group": "runcrate_run_job_group", "jobs.rerun": "runcrate_rerun_job",
        "models.generate_image": "runcrate_generate_image", "models.generate_video": "runcrate_generate_video",
        "models.text_to_speech": "runcrate_text_to_speech", "models.transcribe": "runcrate_transcribe",
    },
    "clusterprotocol": {"fine_tuning.create": "clusterprotocol_create_fine_tune",
                        "datasets.purchase": "clusterprotocol_purchase_dataset"},
    "metalcloud": {},
    "inferencekey": {"ensure": "inferencekey_ensure_workload"},
}  # fmt: skip

# Fields a method takes as ``**fields`` (documented in /work/shared/providers/<name>.md), which its tool must take.
_JOB_SPEC = ["command", "gpu_type", "max_runtime_minutes", "gpu_count", "template", "image", "env", "storage_id",
             "name", "region", "capacity_wait_minutes", "max_retries", "retry_on", "retry_exit_codes", "tags",
             "webhook_url", "webhook_events", "code", "image_registry_auth", "allow_cpu_container"]  # fmt: skip
DOCUMENTED_FIELDS = {
    "instances.create": ["name", "ssh_key_id", "gpu_type", "instance_type_id", "region", "gpu_count", "cpu_cores",
                         "memory", "storage", "template", "env_vars", "startup_commands", "storage_id",
                         "launch_script", "max_runtime_minutes", "idle_shutdown_minutes"],
    "instances.update": ["max_runtime_minutes", "idle_shutdown_minutes"],
    "jobs.run": _JOB_SPEC, "jobs.run_group": _JOB_SPEC, "jobs.rerun": _JOB_SPEC,
    "models.generate_image": ["width", "height", "aspect_ratio", "response_format", "num_inference_steps",
                              "guidance", "seed", "negative_prompt", "image", "start_image", "mask", "control_image"],
    "models.generate_video": ["aspect_ratio", "width", "height", "seed", "negative_prompt", "image"],
    "models.text_to_speech": ["response_format", "speed", "language"],
    "ensure": ["name", "slug", "model", "backend", "description", "command", "vllm_version", "task_type", "config",
               "execution_policy", "execution_policy_config", "worker_id", "gpu_resource_id"],
}  # fmt: skip
# Parameters a tool deliberately does not take, and why.
NOT_TAKEN = {
    "idempotency_key": "the session derives it from the tool call",
    "spec": "ensure's spec is spelled out field by field",
    "project": "the toolkit works in its client's project",
}


def _load(ref: str) -> Any:
    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def walk(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Every public method of a client and its resources (``cached_property`` attributes), by dotted path."""
    found: dict[str, Any] = {}
    for name in dir(type(obj)):
        attr = getattr(type(obj), name, None)
        if name.startswith("_") or (not prefix and name in TRANSPORT):
            continue
        if isinstance(attr, cached_property):
            found.update(walk(getattr(obj, name), f"{prefix}{name}."))
        elif callable(attr):
            found[prefix + name] = (obj, name)
    for name, value in getattr(obj, "__dict__", {}).items():  # resources set in __init__ (``chat.completions``)
        if not name.startswith("_") and type(value).__module__.startswith("neocloud.") and prefix.count(".") < 3:
            found.update(walk(value, f"{prefix}{name}."))
    return found


def spending(provider: str) -> dict[str, Any]:
    ref, kwargs = CLIENTS[provider]
    methods = {p: m for p, m in walk(_load(ref)(**kwargs)).items()
               if p.rsplit(".", 1)[-1] in SPENDING or p.rsplit(".", 1)[-1].startswith("generate_")}  # fmt: skip
    module = importlib.import_module(f"neocloud.{provider}")
    methods.update({name: (module, name) for name in FUNCTIONS.get(provider, [])})
    return methods


def parameters(owner: Any, name: str) -> list[str]:
    """The named parameters of a method (the operation factory behind a Runcrate resource's method)."""
    attr = inspect.getattr_static(type(owner), name, None) if not inspect.ismodule(owner) else None
    target = getattr(attr, "_factory", None) or getattr(owner, name)
    return [p.name for p in inspect.signature(target).parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"]  # fmt: skip


@pytest.mark.parametrize("provider", list(CLIENTS))
def test_every_method_that_creates_or_spends_has_a_tool_or_a_reason(provider: str) -> None:
    tools = importlib.import_module(f"neocloud.{provider}.tools")
    operations = {op.name: op for op in tools.OPERATIONS}
    found, covered, not_tools = set(spending(provider)), COVERED[provider], tools.NOT_TOOLS
    assert not set(covered) & set(not_tools), "a method is both a tool and not one"
    assert found - set(covered) - set(not_tools) == set(), "methods that create or spend without a tool or a reason"
    assert set(covered) | set(not_tools) <= found, "listed methods the client no longer has"
    assert all(isinstance(why, str) and len(why) > 20 for why in not_tools.values())
    for tool in covered.values():
        op = operations[tool]
        assert op.side_effect is SideEffect.BILLABLE and op.estimate is not None, tool


@pytest.mark.parametrize("provider", list(CLIENTS))
def test_each_tool_takes_its_methods_whole_argument_set(provider: str) -> None:
    operations = {op.name: op for op in importlib.import_module(f"neocloud.{provider}.tools").OPERATIONS}
    methods = spending(provider)
    for method, tool in COVERED[provider].items():
        wanted = {*parameters(*methods[method]), *DOCUMENTED_FIELDS.get(method, [])} - set(NOT_TAKEN)
        fields = set(operations[tool].args.model_fields)
        assert wanted - fields == set(), f"{tool} lacks arguments of {method}"


def test_a_method_without_a_tool_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = importlib.import_module("neocloud.clusterprotocol.tools")
    monkeypatch.setattr(tools, "NOT_TOOLS", {k: v for k, v in tools.NOT_TOOLS.items() if k != "embeddings.create"})
    with pytest.raises(AssertionError, match="without a tool or a reason"):
        test_every_method_that_creates_or_spends_has_a_tool_or_a_reason("clusterprotocol")
