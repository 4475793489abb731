"""Which project a call goes to (argument > spec > client > ``INFERENCEKEY_PROJECT``), the ``EndpointRef`` naming
that project, and ``WorkloadSpec.config`` (backend-specific settings) reaching the platform. Sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from neocloud.inferencekey import (
    AsyncDataClient,
    AsyncManagementClient,
    Backend,
    DataClient,
    ManagementClient,
    ValidationError,
    WorkloadSpec,
)

TOKEN = "ik_sdk_unit-acme"
BASE = "http://ik.invalid"
MODEL = "org/model"


def live(project: str, slug: str = "bot", **fields: Any) -> dict[str, Any]:
    return {"id": "wl_1", "project_id": project, "name": slug, "slug": slug, "model_name": MODEL, "backend": "vllm",
            "task_type": "text2text", "created_at": "t", "updated_at": "t", **fields}  # fmt: skip


class Platform:
    """A recording fake of the control plane: workloads per project, created by POST, listed by GET."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.projects: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        parts = request.url.path.split("/")  # /api/projects/<project>/workloads | /api/workloads/<id>
        if request.method == "POST":
            body = json.loads(request.content)
            created = live(parts[3], body["slug"], config=body.get("config"))
            self.projects.setdefault(parts[3], []).append(created)
            return httpx.Response(201, json=created)
        if request.method == "DELETE":
            for items in self.projects.values():
                items[:] = [w for w in items if w["id"] != parts[3]]
            return httpx.Response(200, json={"deleted": True})
        if request.method == "PATCH":
            return httpx.Response(200, json={**live("acme"), **json.loads(request.content)})
        return httpx.Response(200, json=self.projects.get(parts[3], []))

    def paths(self, method: str) -> list[str]:
        return [r.url.path for r in self.sent if r.method == method]


def sync_client(platform: Platform, **kw: Any) -> ManagementClient:
    return ManagementClient(base_url=BASE, sdk_token=TOKEN, http_client=httpx.Client(transport=httpx.MockTransport(platform)), **kw)  # fmt: skip


def run_async(platform: Platform, action: Callable[[AsyncManagementClient], Any], **kw: Any) -> Any:
    async def main() -> Any:
        transport = httpx.AsyncClient(transport=httpx.MockTransport(platform))
        async with AsyncManagementClient(base_url=BASE, sdk_token=TOKEN, http_client=transport, **kw) as client:
            return await action(client)

    return asyncio.run(main())


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INFERENCEKEY_PROJECT", "INFERENCEKEY_API_KEY", "INFERENCEKEY_BASE_URL", "INFERENCEKEY_SDK_TOKEN"):
        monkeypatch.delenv(name, raising=False)


SPEC = WorkloadSpec(name="bot", slug="bot", model=MODEL, backend=Backend.VLLM)


# -- the project -------------------------------------------------------------------------------------------------


def test_plain_constructors_fall_back_to_the_project_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERENCEKEY_PROJECT", "acme")
    platform = Platform()
    client = sync_client(platform)
    assert client.project == "acme"
    assert client.ensure(SPEC).project_slug == "acme" and client.delete("bot") is True
    assert platform.paths("POST") == ["/api/projects/acme/workloads"]
    assert run_async(Platform(), lambda c: c.ensure(SPEC)).project_slug == "acme"
    assert sync_client(Platform(), project="explicit").project == "explicit"  # an argument beats the variable

    monkeypatch.setenv("INFERENCEKEY_API_KEY", "ik_live_unit-acme")
    for data in (DataClient(base_url=BASE), AsyncDataClient(base_url=BASE)):
        endpoint = data.endpoint("bot")  # the key too comes from the environment
        assert (data.project, endpoint.project) == ("acme", "acme")
    assert DataClient(base_url=BASE, project="explicit").project == "explicit"


# (client project, spec.project, project=) -> where the workload is created, and the ref's project_slug
PRECEDENCE = [
    ("client", None, None, "client"),
    ("client", "spec", None, "spec"),
    ("client", "spec", "arg", "arg"),  # the documented order: project= > spec.project > the client's project
    (None, "spec", "arg", "arg"),
    (None, None, "arg", "arg"),
]


@pytest.mark.parametrize(("client_project", "spec_project", "argument", "used"), PRECEDENCE)
def test_ensure_uses_the_documented_project_and_its_ref_names_it(
    client_project: str | None, spec_project: str | None, argument: str | None, used: str
) -> None:
    spec = WorkloadSpec(name="bot", slug="bot", model=MODEL, backend=Backend.VLLM, project=spec_project)
    platform = Platform()
    ref = sync_client(platform, project=client_project).ensure(spec, project=argument)
    assert platform.paths("POST") == [f"/api/projects/{used}/workloads"] and ref.project_slug == used
    again = sync_client(platform, project=client_project).ensure(spec, project=argument)  # found, not created
    assert again == ref and platform.paths("POST") == [f"/api/projects/{used}/workloads"]

    aplatform = Platform()
    aref = run_async(aplatform, lambda c: c.ensure(spec, project=argument), project=client_project)
    assert aplatform.paths("POST") == [f"/api/projects/{used}/workloads"] and aref == ref


# -- the spec's config -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "config"),
    [
        ({"config": {"max_model_len": 8192}}, {"max_model_len": 8192}),
        ({"config": {"max_model_len": 8192}, "command": "vllm serve m"}, {"max_model_len": 8192, "command": "vllm serve m"}),
        ({"command": "vllm serve m", "vllm_version": "0.6.3"}, {"command": "vllm serve m", "vllm_version": "0.6.3"}),
        ({"config": {"command": "vllm serve m"}, "command": "vllm serve m"}, {"command": "vllm serve m"}),  # agree
        ({"vllm_version": "0.6.3"}, {"vllm_version": "0.6.3"}),  # not dropped for want of a command
        ({}, None),
    ],
)  # fmt: skip
def test_spec_config_is_sent(fields: dict[str, Any], config: dict[str, Any] | None) -> None:
    spec = WorkloadSpec(name="bot", slug="bot", model=MODEL, backend=Backend.VLLM, **fields)
    platform = Platform()
    sync_client(platform, project="acme").ensure(spec)
    aplatform = Platform()
    run_async(aplatform, lambda c: c.ensure(spec), project="acme")
    for p in (platform, aplatform):
        [create] = [json.loads(r.content) for r in p.sent if r.method == "POST"]
        assert create.get("config") == config and ("config" in create) == (config is not None)


def test_a_config_that_drifted_is_reconciled_whole() -> None:
    platform = Platform()
    platform.projects["acme"] = [live("acme", config={"max_model_len": 4096})]
    spec = WorkloadSpec(name="bot", slug="bot", model=MODEL, backend=Backend.VLLM, config={"max_model_len": 8192})
    sync_client(platform, project="acme").ensure(spec)
    assert [json.loads(r.content) for r in platform.sent if r.method == "PATCH"] == [
        {"config": {"max_model_len": 8192}}
    ]


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"config": ["max_model_len", 8192]}, "'config' must be a dict"),
        ({"config": {"command": "sglang serve"}, "command": "vllm serve m"}, "config\\['command'\\]"),
        ({"config": {"vllm_version": "0.5"}, "vllm_version": "0.6.3"}, "config\\['vllm_version'\\]"),
        ({"config": {"when": object()}}, "JSON"),
    ],
)
def test_a_bad_config_is_refused_before_sending(fields: dict[str, Any], match: str) -> None:
    spec = WorkloadSpec(name="bot", slug="bot", model=MODEL, backend=Backend.VLLM, **fields)
    platform = Platform()
    with pytest.raises(ValidationError, match=match) as info:
        sync_client(platform, project="acme").ensure(spec)
    assert info.value.param == "config"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match=match):
        run_async(platform, lambda c: c.ensure(spec), project="acme")
    assert platform.sent == []
