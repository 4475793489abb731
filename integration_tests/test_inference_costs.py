"""Inference calls carry their cost and go through the ledger and budget, against the live sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from neocloud.core.ledger import Budget, BudgetExceeded, InMemoryLedger
from neocloud.core.pricing import ModelPrice, PriceTable, costs

TABLE = PriceTable("cerebras", date(2026, 11, 1), "https://example.invalid/pricing",
                   {"llama3.1-8b": ModelPrice.of("0.10", "0.10"), "llama-3.3-70b": ModelPrice.of("0.85", "1.20")})  # fmt: skip
MSG = [{"role": "user", "content": "Say hi"}]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


def cerebras(sandbox: Any, **kwargs: Any) -> Any:
    from neocloud.cerebras import Cerebras

    return Cerebras(api_key="csk-sandbox-valid", base_url=sandbox.base_url("cerebras"), max_retries=0,
                    warm_tcp_connection=False, **kwargs)  # fmt: skip


def acerebras(sandbox: Any, **kwargs: Any) -> Any:
    from neocloud.cerebras import AsyncCerebras

    return AsyncCerebras(api_key="csk-sandbox-valid", base_url=sandbox.base_url("cerebras"), max_retries=0,
                         warm_tcp_connection=False, **kwargs)  # fmt: skip


def table_cost(usage: Any, price: ModelPrice) -> str:
    usd = (usage.prompt_tokens * price.input_per_m + usage.completion_tokens * price.output_per_m) / 1_000_000
    return format(usd.normalize(), "f")


def test_a_chat_completion_costs_its_usage_at_the_table_price(sandbox: Any) -> None:
    client = cerebras(sandbox, prices=TABLE)
    reply = client.chat.completions.create(model="llama-3.3-70b", messages=MSG)
    assert reply.usage.prompt_tokens > 0
    assert reply.cost == {"usd": table_cost(reply.usage, TABLE.prices["llama-3.3-70b"]),
                          "source": "price_table:2026-11-01"}  # fmt: skip


def test_an_unknown_price_is_none_never_a_guess(sandbox: Any) -> None:
    reply = cerebras(sandbox).chat.completions.create(model="llama-3.3-70b", messages=MSG)
    assert reply.usage is not None and reply.cost is None


def test_catalog_prices_are_used_once_the_models_were_listed(sandbox: Any) -> None:
    client = cerebras(sandbox)
    client.models.list(extra_query={"format": "huggingface"})
    reply = client.chat.completions.create(model="llama-3.3-70b", messages=MSG)
    assert reply.cost == {"usd": table_cost(reply.usage, ModelPrice.of("0.85", "1.2")), "source": "catalog"}


def test_cluster_reported_total_cost_wins_over_a_table(sandbox: Any) -> None:
    from neocloud.clusterprotocol import ClusterClient

    table = PriceTable(
        "clusterprotocol", date(2026, 11, 1), "https://example.invalid", {"llama-3.1-8b": ModelPrice.of(9, 9)}
    )
    client = ClusterClient(
        api_key="sk-cluster-sandbox-valid", base_url=sandbox.base_url("clusterprotocol"), prices=table
    )
    reply = client.chat.completions.create(model="llama-3.1-8b", messages=MSG)
    assert reply.cost == {"usd": format(Decimal(str(reply.usage.total_cost)).normalize(), "f"), "source": "provider"}


def test_a_streamed_call_is_priced_on_its_usage_chunk_and_settled_at_the_end(sandbox: Any) -> None:
    ledger = InMemoryLedger()
    client = cerebras(sandbox, prices=TABLE, ledger=ledger, budget=Budget(1))
    chunks = list(client.chat.completions.create(model="llama3.1-8b", messages=MSG, max_tokens=50, stream=True,
                                                 stream_options={"include_usage": True}))  # fmt: skip
    priced = [c for c in chunks if c.usage is not None]
    assert len(priced) == 1 and priced[0].cost is not None
    # The reservation was replaced by the actual cost, rounded up to the micro-dollar.
    assert ledger.spend().committed_usd == Decimal(priced[0].cost["usd"]).quantize(
        Decimal("0.000001"), rounding="ROUND_CEILING"
    )


def test_async_calls_and_embeddings_through_the_ledger(sandbox: Any) -> None:
    from neocloud.clusterprotocol import AsyncClusterClient

    ledger = InMemoryLedger()

    async def main() -> tuple[Any, Any]:
        client = acerebras(sandbox, prices=TABLE, ledger=ledger, budget=Budget(1))
        reply = await client.chat.completions.create(model="llama3.1-8b", messages=MSG, max_tokens=20)
        cluster = AsyncClusterClient(api_key="sk-cluster-sandbox-valid", base_url=sandbox.base_url("clusterprotocol"))
        await cluster.models.list()  # catalog prices, including the embeddings model
        emb = await cluster.embeddings.create(model="bge-large-en-v1.5", input=["a", "b"])
        return reply, emb

    reply, emb = asyncio.run(main())
    assert reply.cost["source"] == "price_table:2026-11-01"
    assert emb.cost is not None and emb.cost["source"] == "catalog"
    assert Decimal(emb.cost["usd"]) == Decimal(emb.usage.prompt_tokens) * Decimal("0.02") / 1_000_000
    assert ledger.spend().committed_usd == Decimal(reply.cost["usd"]).quantize(
        Decimal("0.000001"), rounding="ROUND_CEILING"
    )


def _refusing_transport() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, got {request.method} {request.url}")

    return httpx.MockTransport(handler)


def test_a_call_over_budget_is_refused_before_any_request() -> None:
    from neocloud.cerebras import Cerebras

    client = Cerebras(api_key="csk-x", base_url="http://refuse.invalid", http_client=httpx.Client(transport=_refusing_transport()),
                      prices=TABLE, ledger=InMemoryLedger(), budget=Budget("0.00001"), warm_tcp_connection=False)  # fmt: skip
    with pytest.raises(BudgetExceeded) as refused:
        client.chat.completions.create(model="llama-3.3-70b", messages=MSG, max_tokens=1000)
    assert refused.value.asked_usd > Decimal("0.001")


def test_an_unpriced_model_under_a_budget_is_refused_unless_allowed() -> None:
    from neocloud.cerebras import Cerebras
    from neocloud.core.errors import ConfigurationError

    client = Cerebras(api_key="csk-x", base_url="http://refuse.invalid", http_client=httpx.Client(transport=_refusing_transport()),
                      ledger=InMemoryLedger(), budget=Budget(5), warm_tcp_connection=False)  # fmt: skip
    with pytest.raises(ConfigurationError, match="cannot be bounded"):
        client.chat.completions.create(model="llama-3.3-70b", messages=MSG)


def test_costs_block_totals_and_refuses_once_its_budget_is_spent(sandbox: Any) -> None:
    client = cerebras(sandbox, prices=TABLE)
    with costs() as run:
        a = client.chat.completions.create(model="llama3.1-8b", messages=MSG, max_tokens=10)
        b = client.chat.completions.create(model="llama-3.3-70b", messages=MSG, max_tokens=10)
    assert run.calls == 2
    assert run.total_usd == Decimal(a.cost["usd"]) + Decimal(b.cost["usd"])
    assert run.by_model[("cerebras", "llama3.1-8b")].prompt_tokens == a.usage.prompt_tokens
    with costs(budget=Budget("0.0001")) as capped, pytest.raises(BudgetExceeded):
        client.chat.completions.create(model="llama-3.3-70b", messages=MSG, max_tokens=1000)
    assert capped.calls == 0


def test_ten_parallel_calls_under_a_cap_for_two_send_exactly_two() -> None:
    from neocloud.cerebras import AsyncCerebras

    sent: list[int] = []
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(1)
        await release.wait()  # no call settles before every reservation was tried
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 0, "model": "llama3.1-8b",
                                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                                                      "finish_reason": "stop"}],
                                         "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}})  # fmt: skip

    price = ModelPrice.of(0, 1000)  # $0.001 per output token: max_tokens=100 is a $0.10 worst case
    table = PriceTable("cerebras", date(2026, 11, 1), "https://example.invalid", {"llama3.1-8b": price})

    async def main() -> list[Any]:
        client = AsyncCerebras(api_key="csk-x", base_url="http://mock.invalid", prices=table, ledger=InMemoryLedger(),
                               budget=Budget("0.20"), http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                               warm_tcp_connection=False)  # fmt: skip
        tasks = [asyncio.ensure_future(client.chat.completions.create(model="llama3.1-8b", messages=MSG, max_tokens=100))
                 for _ in range(10)]  # fmt: skip
        # Bounded, so a budget that let a third call through fails the assertions below instead of waiting forever.
        for _ in range(1000):
            if sum(t.done() for t in tasks) >= 8:
                break
            await asyncio.sleep(0.01)
        release.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    assert len(sent) == 2
    assert sum(isinstance(r, BudgetExceeded) for r in results) == 8
