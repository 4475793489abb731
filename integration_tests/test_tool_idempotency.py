"""A create is a create: the agent tools' idempotency protects a redelivery of the same call, never merges two
calls. Against the live sandbox, through the LangChain toolkits and the LlamaIndex tool specs, sync and async:
two identical creates without a tool-call id make two resources; a create after cancelling an identical one
makes a new one; the same tool-call id delivered twice makes one; an answer lost after the server acted is
retried with the invocation's key and still makes exactly one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from neocloud.core.tools import SpendPolicy

SURFACES = ["langchain-sync", "langchain-async", "llamaindex-sync", "llamaindex-async"]
# Fine-tunes have no published price: the default budget needs an assumption to allow them.
ASSUME = SpendPolicy(unpriced_hourly_usd=1.0)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    # Lifecycles slower than any loaded machine: a job created here is still cancellable a moment later.
    with Sandbox(settings=SandboxSettings(phase_s=30.0)) as sb:
        yield sb


def recording(sent: list[httpx.Request]) -> httpx.Client:
    return httpx.Client(event_hooks={"request": [sent.append]})


def runcrate(sb: Any, sent: list[httpx.Request]) -> Any:
    from neocloud.runcrate import Runcrate

    url = sb.base_url("runcrate")
    return Runcrate(api_key="rc_live_sandbox-valid", base_url=url, inference_url=url, http_client=recording(sent))


def cluster(sb: Any, sent: list[httpx.Request]) -> Any:
    from neocloud.clusterprotocol import ClusterClient

    return ClusterClient(api_key="sk-cluster-sandbox-valid", base_url=sb.base_url("clusterprotocol"),
                         http_client=recording(sent), retry_delay=0.01)  # fmt: skip


class Tools:
    """One provider's tools on one surface (``langchain`` / ``llamaindex``, ``sync`` / ``async``), called the way
    that framework calls them: LangChain with a full tool call when there is an id, LlamaIndex never with one."""

    def __init__(self, surface: str, provider: str, client: Any) -> None:
        self.framework, mode = surface.split("-")
        self.is_async = mode == "async"
        if self.framework == "langchain":
            import neocloud.langchain as lc

            cls = {"runcrate": lc.RuncrateToolkit, "clusterprotocol": lc.ClusterProtocolToolkit}[provider]
            self.kit: Any = cls(client=client, allow_billable=True, allow_destructive=True, spend_policy=ASSUME)
            self.tools = {t.name: t for t in self.kit.get_tools()}
        else:
            import neocloud.llamaindex as li

            cls = {"runcrate": li.RuncrateToolSpec, "clusterprotocol": li.ClusterProtocolToolSpec}[provider]
            self.kit = cls(client=client, allow_billable=True, allow_destructive=True, spend_policy=ASSUME)
            self.tools = {t.metadata.name: t for t in self.kit.to_tool_list()}

    @property
    def ledger(self) -> list[Any]:
        """What the run created, oldest first, torn down or not."""
        return list(self.kit.session.resources(include_torn_down=True))

    def __call__(self, tool_name: str, call_id: str | None = None, /, **args: Any) -> Any:
        tool = self.tools[tool_name]
        if self.framework == "langchain":
            payload = args if call_id is None else {"type": "tool_call", "id": call_id, "name": tool_name, "args": args}
            out = asyncio.run(tool.ainvoke(payload)) if self.is_async else tool.invoke(payload)
            if call_id is not None:
                assert out.status == "success", out.content
                out = out.content
            return json.loads(str(out))
        assert call_id is None  # LlamaIndex hands the tool no call id
        output = asyncio.run(tool.acall(**args)) if self.is_async else tool.call(**args)
        assert not output.is_error, output.content
        return json.loads(str(output.content))


VOLUME = {"name": "data", "size_gb": 10, "region": "us-east-1"}
FINE_TUNE = {"base_model": "llama-3.1-8b", "training_file": "https://data.example.com/train.jsonl"}


@pytest.mark.parametrize("surface", SURFACES)
def test_two_identical_creates_without_an_id_make_two_volumes(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox, [])
    tools = Tools(surface, "runcrate", client)
    first = tools("runcrate_create_volume", **VOLUME)
    second = tools("runcrate_create_volume", **VOLUME)  # the agent asked for two
    assert first["id"] != second["id"]
    assert sorted(v.id for v in client.storage.list()) == sorted([first["id"], second["id"]])
    assert [r.id for r in tools.ledger] == [first["id"], second["id"]]


@pytest.mark.parametrize("surface", SURFACES)
def test_a_create_after_cancelling_an_identical_one_is_a_new_job(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = cluster(sandbox, [])
    tools = Tools(surface, "clusterprotocol", client)
    first = tools("clusterprotocol_create_fine_tune", **FINE_TUNE)
    assert tools("clusterprotocol_cancel_fine_tune", job_id=first["id"])["status"] == "cancelled"
    again = tools("clusterprotocol_create_fine_tune", **FINE_TUNE)  # the agent starts over
    assert again["id"] != first["id"] and again["status"] != "cancelled"
    assert {j.id: j.status for j in client.fine_tuning.list()}[again["id"]] != "cancelled"
    assert [(r.id, r.torn_down_at is not None) for r in tools.ledger] == [(first["id"], True), (again["id"], False)]


@pytest.mark.parametrize("surface", ["langchain-sync", "langchain-async"])
def test_the_same_tool_call_delivered_twice_makes_one_volume(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    sent: list[httpx.Request] = []
    client = runcrate(sandbox, sent)
    tools = Tools(surface, "runcrate", client)
    first = tools("runcrate_create_volume", "call_7", **VOLUME)
    again = tools("runcrate_create_volume", "call_7", **VOLUME)  # the framework delivered the call again
    assert again["id"] == first["id"] and [v.id for v in client.storage.list()] == [first["id"]]
    assert len(tools.ledger) == 1
    keys = {r.headers["idempotency-key"] for r in sent if r.method == "POST"}
    assert len(keys) == 1


def test_the_same_call_id_in_the_session_makes_one_and_another_id_makes_another(sandbox: Any) -> None:
    from neocloud.core.tools import ToolSession

    sandbox.reset()
    client = runcrate(sandbox, [])
    session = ToolSession.for_provider("neocloud.runcrate.tools", client=client, allow_billable=True)
    first = session.invoke("runcrate_create_volume", dict(VOLUME), call_id="a")
    assert asyncio.run(session.ainvoke("runcrate_create_volume", dict(VOLUME), call_id="a"))["id"] == first["id"]
    other = session.invoke("runcrate_create_volume", dict(VOLUME), call_id="b")
    assert other["id"] != first["id"] and len(list(client.storage.list())) == 2


@pytest.mark.parametrize("surface", SURFACES)
def test_a_lost_answer_is_retried_with_the_invocations_key_and_makes_one_volume(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    sandbox.faults("runcrate", [{"kind": "drop_after_act", "path": "/api/v1/storage", "method": "POST", "times": 1}])
    sent: list[httpx.Request] = []
    client = runcrate(sandbox, sent)
    made = Tools(surface, "runcrate", client)("runcrate_create_volume", **VOLUME)
    posts = [r for r in sent if r.method == "POST" and r.url.path.endswith("/api/v1/storage")]
    assert len(posts) == 2  # the answer was lost once, so the client sent the call again...
    assert len({r.headers.get("idempotency-key") for r in posts} - {None}) == 1  # ...with the same key...
    assert [v.id for v in client.storage.list()] == [made["id"]]  # ...and exactly one volume exists
