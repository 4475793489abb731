"""The Cluster Protocol client, every operation, replayed from cassettes recorded against the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from neocloud_testing.targets import Target

from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient, NotFoundError

pytestmark = pytest.mark.vcr
MSG = [{"role": "user", "content": "Write a Python function to check if a number is prime."}]


def client(target: Target) -> ClusterClient:
    return ClusterClient(**target.client_kwargs(), max_retries=0)


def test_chat_usage_cost_and_stream(cluster_target: Target) -> None:
    c = client(cluster_target)
    reply = c.chat.completions.create(model="llama-3.1-70b", messages=MSG, temperature=0.7, max_tokens=512)
    assert reply.choices[0].message.content and reply.usage is not None
    assert reply.usage.total_cost is not None and reply.usage.total_cost > 0
    chunks = list(
        c.chat.completions.create(model="llama-3.1-70b", messages=MSG, temperature=0.7, max_tokens=512, stream=True)
    )
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == reply.choices[0].message.content
    with_usage = list(
        c.chat.completions.create(
            model="llama-3.1-70b", messages=MSG, stream=True, stream_options={"include_usage": True}
        )
    )
    assert with_usage[-1].choices == [] and with_usage[-1].usage is not None and with_usage[-1].usage.total_cost


async def test_async_chat(cluster_target: Target) -> None:
    c = AsyncClusterClient(**cluster_target.client_kwargs(), max_retries=0)
    reply = await c.chat.completions.create(model="llama-3.1-70b", messages=[{"role": "user", "content": "Hello!"}])
    stream = await c.chat.completions.create(
        model="llama-3.1-70b", messages=[{"role": "user", "content": "Hello!"}], stream=True
    )
    assert "".join([ch.choices[0].delta.content or "" async for ch in stream]) == reply.choices[0].message.content
    assert (await c.models.list()).data[0].id == "llama-3.1-70b"


def test_models_embeddings_balance_usage(cluster_target: Target) -> None:
    c = client(cluster_target)
    models = c.models.list()
    by_id = {m.id: m for m in models}
    assert by_id["llama-3.1-70b"].input_price == 0.00059 and by_id["llama-3.1-70b"].category == "chat"
    assert c.models.retrieve("llama-3.1-8b").name == "Llama 3.1 8B Instruct"
    with pytest.raises(NotFoundError):
        c.models.retrieve("no-such-model")
    vectors = c.embeddings.create(model="bge-large-en-v1.5", input=["gpu clusters", "bread"])
    a, other = (d.vector() for d in vectors.data)
    assert a != other and len(a) == len(other) == 1024  # bge-large-en-v1.5's real width
    before = c.balance.get()
    c.chat.completions.create(model="llama-3.1-8b", messages=MSG)
    after = c.balance.get()
    assert after.balance_usd < before.balance_usd and after.total_spent > before.total_spent
    usage = c.usage.get()
    assert usage.total_requests == 1 and usage.total_tokens == usage.total_tokens_in + usage.total_tokens_out


def test_fine_tuning_lifecycle(cluster_target: Target) -> None:
    c = client(cluster_target)
    job = c.fine_tuning.create(base_model="llama-3.1-8b", training_file="https://example.com/training-data.jsonl",
                               suffix="my-custom-model-v1", epochs=3, learning_rate=2e-5, lora_rank=16, lora_alpha=32,
                               idempotency_key="ft-test-1")  # fmt: skip
    assert job.status == "queued" and job.id.startswith("ft_job_")
    again = c.fine_tuning.create(base_model="llama-3.1-8b", training_file="https://example.com/training-data.jsonl",
                                 suffix="my-custom-model-v1", epochs=3, learning_rate=2e-5, lora_rank=16, lora_alpha=32,
                                 idempotency_key="ft-test-1")  # fmt: skip
    assert again.id == job.id  # the same key never starts a second job
    seen = {job.status}
    while job.status in ("queued", "running"):
        time.sleep(0.05 if cluster_target.sandbox else 0)
        job = c.fine_tuning.get(job.id)
        seen.add(job.status)
    assert (
        job.status == "succeeded" and "running" in seen and job.fine_tuned_model == "llama-3.1-8b:ft-my-custom-model-v1"
    )
    reply = c.chat.completions.create(model=job.fine_tuned_model, messages=[{"role": "user", "content": "Hello!"}])
    assert reply.choices[0].message.content
    second = c.fine_tuning.create(
        base_model="llama-3.1-70b", training_file="https://example.com/t.jsonl", idempotency_key="ft-test-2"
    )
    cancelled = c.fine_tuning.cancel(second.id)
    assert cancelled.status == "cancelled"
    assert [j.id for j in c.fine_tuning.list()] == [second.id, job.id]


def test_datasets(cluster_target: Target, tmp_path: Path) -> None:
    c = client(cluster_target)
    page = c.datasets.list(limit=1)
    assert len(page.datasets) == 1 and page.pagination.total == 2 and page.has_more
    paid = c.datasets.get("code-reviews")
    assert paid.pricing_type == "paid" and paid.files[0].ipfs_cid == "bafyreviews1"
    assert not c.datasets.check_access(paid.id).has_access
    purchase = c.datasets.purchase(paid.id, idempotency_key="buy-1")
    assert purchase.status == "completed"
    assert c.datasets.purchase(paid.id, idempotency_key="buy-1").id == purchase.id  # replay: charged once
    assert c.datasets.check_access(paid.id).has_access
    files = c.datasets.download("code-reviews", tmp_path)
    assert [f.name for f in files] == ["reviews.jsonl"]
    assert files[0].read_text().splitlines()[0] == '{"row": 0, "cid": "bafyreviews1"}'
