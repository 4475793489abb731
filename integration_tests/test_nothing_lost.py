"""Nothing lost, nothing doubled: creates whose answer is lost after the server acted, concurrent ensures, and
streams interrupted on every exit path, against the live sandbox."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from neocloud.core import errors as nc

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAnothinglost"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
        yield sb


def recording(sent: list[httpx.Request]) -> httpx.Client:
    return httpx.Client(event_hooks={"request": [sent.append]})


def runcrate(sb: Any, sent: list[httpx.Request]) -> Any:
    from neocloud.runcrate import Runcrate

    url = sb.base_url("runcrate")
    return Runcrate(api_key="rc_live_sandbox-valid", base_url=url, inference_url=url, http_client=recording(sent))


def make_instance(sb: Any, sent: list[httpx.Request]) -> tuple[str, Callable[[], int]]:
    c = runcrate(sb, sent)
    key = c.ssh_keys.create(name="k", public_key=KEY)
    c.instances.create(name="once", ssh_key_id=key.id, gpu_type="A100")
    return "/api/v1/instances", lambda: len(list(c.instances.list()))


def make_volume(sb: Any, sent: list[httpx.Request]) -> tuple[str, Callable[[], int]]:
    c = runcrate(sb, sent)
    c.storage.create("once", 10, "us-east-1")
    return "/api/v1/storage", lambda: len(list(c.storage.list()))


def make_job(sb: Any, sent: list[httpx.Request]) -> tuple[str, Callable[[], int]]:
    c = runcrate(sb, sent)
    c.jobs.run(command="echo once", gpu_type="L40S", max_runtime_minutes=5)
    return "/api/v1/jobs", lambda: len(list(c.jobs.list()))


def make_workload(sb: Any, sent: list[httpx.Request]) -> tuple[str, Callable[[], int]]:
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec

    mgmt = ManagementClient(base_url=sb.base_url("inferencekey"), sdk_token="ik_sdk_sandbox-acme", project="acme",
                            http_client=recording(sent))  # fmt: skip
    mgmt.ensure(WorkloadSpec(name="once", slug="once", model="org/m", backend=Backend.VLLM))
    return "/workloads", lambda: len(mgmt.list_workloads())


def make_fine_tune(sb: Any, sent: list[httpx.Request]) -> tuple[str, Callable[[], int]]:
    from neocloud.clusterprotocol import ClusterClient

    c = ClusterClient(api_key="sk-cluster-sandbox-valid", base_url=sb.base_url("clusterprotocol"),
                      http_client=recording(sent), retry_delay=0.01)  # fmt: skip
    c.fine_tuning.create("llama-3.1-8b", "https://data.example.com/t.jsonl")
    return "/v1/fine_tuning/jobs", lambda: len(list(c.fine_tuning.list()))


CASES = [("runcrate", "/api/v1/instances", make_instance), ("runcrate", "/api/v1/storage", make_volume),
         ("runcrate", "/api/v1/jobs", make_job), ("inferencekey", "/workloads", make_workload),
         ("clusterprotocol", "/fine_tuning/jobs", make_fine_tune)]  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "path", "create"), CASES, ids=["instance", "volume", "job", "workload", "fine-tune"]
)
def test_a_create_whose_answer_is_lost_is_retried_with_its_key_and_made_once(
    sandbox: Any, provider: str, path: str, create: Callable[..., Any]
) -> None:
    sandbox.reset()
    sandbox.faults(provider, [{"kind": "drop_after_act", "path": path, "method": "POST", "times": 1}])
    sent: list[httpx.Request] = []
    _, count = create(sandbox, sent)
    posts = [r for r in sent if r.method == "POST" and r.url.path.endswith(path)]
    assert len(posts) == 2  # the answer was lost once, so the call was made again...
    keys = {r.headers.get("idempotency-key") for r in posts}
    assert len(keys) == 1 and None not in keys  # ...with the same Idempotency-Key...
    assert count() == 1  # ...and exactly one resource exists


def test_a_job_create_without_a_key_is_surfaced_not_repeated(sandbox: Any) -> None:
    """MetalCloud inference makes a job and takes no Idempotency-Key: a lost answer is an error, never a second job."""
    from neocloud.metalcloud import Client

    sandbox.reset()
    sandbox.faults("metalcloud", [{"kind": "drop_after_act", "path": "/v1/inference", "times": 1}])
    client = Client(api_key="mc_sandbox-valid", base_url=sandbox.base_url("metalcloud"))
    with pytest.raises(nc.APIConnectionError):
        client.inference(model="meta-llama/Llama-3.1-8B", prompt="Hello")
    assert len(client.list_jobs().data) == 1


def test_concurrent_ensures_of_one_slug_make_one_workload(sandbox: Any) -> None:
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec

    sandbox.reset()
    spec = WorkloadSpec(name="race", slug="race", model="org/m", backend=Backend.VLLM)

    def ensure(_: int) -> Any:
        mgmt = ManagementClient(base_url=sandbox.base_url("inferencekey"), sdk_token="ik_sdk_sandbox-acme",
                                project="acme")  # fmt: skip
        return mgmt.ensure(spec)

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(ensure, range(8)))
    assert {(r.project_slug, r.workload_slug) for r in refs} == {("acme", "race")}
    mgmt = ManagementClient(base_url=sandbox.base_url("inferencekey"), sdk_token="ik_sdk_sandbox-acme", project="acme")
    assert [w.slug for w in mgmt.list_workloads()] == ["race"]


def _pool_connections(http: httpx.Client | httpx.AsyncClient) -> list[Any]:
    return list(http._transport._pool.connections)  # type: ignore[attr-defined]


def test_a_thousand_interrupted_streams_leak_no_connection(sandbox: Any) -> None:
    from neocloud.cerebras import AsyncCerebras, Cerebras

    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    http = httpx.Client(limits=limits)
    client = Cerebras(api_key="csk-sandbox-valid", base_url=sandbox.base_url("cerebras"), http_client=http)
    messages = [{"role": "user", "content": "Why is fast inference important?"}]
    for i in range(1000):
        stream = client.chat.completions.create(model="llama3.1-8b", messages=messages, stream=True)
        if i % 3 == 0:  # exit path 1: break out of the loop (the stream closes itself when collected)
            for _ in stream:
                break
            del stream
        elif i % 3 == 1:  # exit path 2: an exception in the consumer, inside the context manager
            with pytest.raises(RuntimeError), stream:
                next(iter(stream))
                raise RuntimeError("consumer failed")
        else:  # exit path 3: explicit close after one chunk
            next(iter(stream))
            stream.close()
    gc.collect()
    connections = _pool_connections(http)
    # With max_connections=4 a single leaked connection per stream would have blocked after four streams.
    assert len(connections) <= 4 and all(c.is_idle() for c in connections)

    async def interrupted() -> list[Any]:
        ahttp = httpx.AsyncClient(limits=limits)
        aclient = AsyncCerebras(api_key="csk-sandbox-valid", base_url=sandbox.base_url("cerebras"),
                                http_client=ahttp)  # fmt: skip
        for _ in range(200):
            async with await aclient.chat.completions.create(model="llama3.1-8b", messages=messages,
                                                             stream=True) as astream:  # fmt: skip
                async for _chunk in astream:
                    break
        return _pool_connections(ahttp)

    aconnections = asyncio.run(interrupted())
    assert len(aconnections) <= 4 and all(c.is_idle() for c in aconnections)
