"""The official Cluster Protocol SDK (``cluster-sdk``) through every public method against the sandbox, sync and
async, with the ``cp_`` key its README shows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cluster_sdk
import pytest

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

from .official_sdks import Driver, collect, done, missing_and_stale, public_methods, record_calls, run

README_KEY = "cp_sandbox-readme"  # the SDK README's key form (cp_...)
MODEL = "llama-3.1-8b"
USER = [{"role": "user", "content": "Hello!"}]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=SandboxSettings(phase_s=0.05)) as sb:
        yield sb


def make(sandbox: Sandbox, kind: str, key: str = README_KEY) -> Any:
    cls = cluster_sdk.ClusterClient if kind == "sync" else cluster_sdk.AsyncClusterClient
    return cls(api_key=key, base_url=sandbox.base_url("clusterprotocol"), max_retries=0)


def is_resource(value: Any) -> bool:
    return type(value).__module__.startswith("cluster_sdk.") and type(value).__name__.startswith("_")


async def chat(client: Any) -> None:
    reply = await done(client.chat.completions.create(
        model=MODEL, messages=[{"role": "system", "content": "Be brief."}, *USER], temperature=0.3, max_tokens=8,
        top_p=0.9, stop=["END"], seed=3, n=2, logprobs=True, top_logprobs=1))  # fmt: skip
    assert isinstance(reply, cluster_sdk.ChatCompletion) and [c.index for c in reply.choices] == [0, 1]
    assert reply.choices[0].message.content and reply.usage.total_tokens > 0
    chunks = await collect(client.chat.completions.create(model=MODEL, messages=USER, stream=True))
    assert all(isinstance(c, cluster_sdk.ChatCompletionChunk) and c.choices for c in chunks)  # no usage-only frame
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks)
        == (await done(client.chat.completions.create(model=MODEL, messages=USER))).choices[0].message.content
    )
    with pytest.raises(cluster_sdk.ModelNotFoundError):
        await done(client.chat.completions.create(model="no-such-model", messages=USER))


async def models_list(client: Any) -> None:
    models = await done(client.models.list())
    assert MODEL in [m.id for m in models] and all(isinstance(m, cluster_sdk.Model) for m in models)


async def models_retrieve(client: Any) -> None:
    assert (await done(client.models.retrieve("deepseek-ai/DeepSeek-V3"))).id == "deepseek-ai/DeepSeek-V3"


async def balance(client: Any) -> None:
    funds = await done(client.balance.get())
    assert funds.total_deposited == 25.0 and 0 < funds.usd <= 25.0


async def usage(client: Any) -> None:
    await done(client.chat.completions.create(model=MODEL, messages=USER))
    used = await done(client.usage.get())
    assert used.total_requests >= 1 and used.total_tokens == used.total_tokens_in + used.total_tokens_out


async def embeddings(client: Any) -> None:
    batch = await done(client.embeddings.create(input=["gpu clusters", "bread"], model="bge-large-en-v1.5"))
    assert [len(e.embedding) for e in batch.data] == [1024, 1024]  # bge-large-en-v1.5's real width
    one = await done(client.embeddings.create(input="gpu clusters", model="bge-large-en-v1.5"))
    assert one.data[0].embedding == batch.data[0].embedding and batch.usage.total_tokens == 3


async def datasets_list(client: Any) -> None:
    page = await done(client.datasets.list(search="telemetry", category="text", page=1, limit=5))
    assert [d.slug for d in page.datasets] == ["gpu-telemetry"] and page.pagination.limit == 5


async def datasets_get(client: Any) -> None:
    by_slug, by_id = await done(client.datasets.get("code-reviews")), await done(client.datasets.get("ds_002"))
    assert by_slug == by_id and by_slug.files[0].ipfsCid


async def datasets_purchase(client: Any) -> None:
    assert (await done(client.datasets.purchase("ds_001", payment_method="eth", tx_hash="0xabc"))).status == "completed"
    assert (await done(client.datasets.purchase("ds_002"))).status == "completed"
    assert (await done(client.datasets.purchase("ds_002", payment_method="token"))).status == "already_owned"


async def datasets_check_access(client: Any) -> None:
    assert (await done(client.datasets.check_access("ds_001"))).hasAccess  # free
    assert not (await done(client.datasets.check_access("ds_002"))).hasAccess  # paid, not bought by this key


async def datasets_download(client: Any) -> None:
    with tempfile.TemporaryDirectory() as out:
        result = await done(client.datasets.download("gpu-telemetry", out))
        assert [f.filename for f in result.files] == ["telemetry.jsonl"] and result.total_bytes > 0
        one = await done(client.datasets.download_file("ds_001", "bafytelemetry1", str(Path(out) / "again.jsonl")))
        assert Path(one).read_bytes() == (Path(out) / "telemetry.jsonl").read_bytes()  # noqa: ASYNC240 - tiny local files


DRIVERS: dict[str, Driver] = {
    "chat.completions.create": chat,
    "models.list": models_list,
    "models.retrieve": models_retrieve,
    "balance.get": balance,
    "usage.get": usage,
    "embeddings.create": embeddings,
    "datasets.list": datasets_list,
    "datasets.get": datasets_get,
    "datasets.purchase": datasets_purchase,
    "datasets.check_access": datasets_check_access,
    "datasets.download": datasets_download,
    "datasets.download_file": datasets_download,
}
CASES = [(kind, method) for kind in ("sync", "async") for method in DRIVERS]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_public_method_is_driven(sandbox: Sandbox, kind: str) -> None:
    missing, stale = missing_and_stale(public_methods(make(sandbox, kind), is_resource), DRIVERS, {})
    assert not missing, f"methods no test drives: {sorted(missing)}"
    assert not stale, f"drivers for methods the SDK does not have: {sorted(stale)}"


@pytest.mark.parametrize(("kind", "method"), CASES, ids=[f"{k}-{m}" for k, m in CASES])
def test_method_parses(sandbox: Sandbox, kind: str, method: str) -> None:
    # A fresh account per test (the key names it), so purchases and balances never leak between tests.
    client = make(sandbox, kind, f"{README_KEY}-{kind}-{method}")
    calls = record_calls(client, method)
    run(DRIVERS[method], client)
    assert method in calls


def test_both_documented_key_forms_open_an_account(sandbox: Sandbox) -> None:
    for key in (SANDBOX_KEYS["clusterprotocol"]["valid"], "cp_your_key_here"):
        assert make(sandbox, "sync", key).balance.get().usd == 25.0
    with pytest.raises(cluster_sdk.AuthenticationError):
        make(sandbox, "sync", "csk-not-a-cluster-key").balance.get()
