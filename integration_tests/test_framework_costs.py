"""LangChain and LlamaIndex surface each call's cost, and their cost handlers total it, against the live sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from neocloud.core.pricing import ModelPrice

CLUSTER_KEY = "sk-cluster-sandbox-valid"
PROMPT = "Say hi"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


def provider_cost(usage_total_cost: Any) -> dict[str, str]:
    """Cluster Protocol's own reported price of a call, as ``.cost`` states it."""
    return {"usd": format(Decimal(str(usage_total_cost)).normalize(), "f"), "source": "provider"}


def catalog_cost(prompt_tokens: int, completion_tokens: int, price: ModelPrice) -> dict[str, str]:
    usd = (prompt_tokens * price.input_per_m + completion_tokens * price.output_per_m) / 1_000_000
    return {"usd": format(usd.normalize(), "f"), "source": "catalog"}


# -- LangChain ------------------------------------------------------------------------------------------------
def lc_cluster(sandbox: Any, **kwargs: Any) -> Any:
    from neocloud.langchain import ChatClusterProtocol

    return ChatClusterProtocol(model="llama-3.1-8b", api_key=CLUSTER_KEY, base_url=sandbox.base_url("clusterprotocol"),
                               max_retries=0, **kwargs)  # fmt: skip


def test_langchain_invoke_carries_the_provider_reported_cost_and_the_handler_totals_it(sandbox: Any) -> None:
    from neocloud.langchain import neocloud_costs

    model = lc_cluster(sandbox)
    with neocloud_costs() as handler:
        first = model.invoke(PROMPT)
        second = model.invoke(PROMPT)
    costs = [first.response_metadata["cost"], second.response_metadata["cost"]]
    for message, cost in zip((first, second), costs, strict=True):
        assert cost["source"] == "provider"
        assert Decimal(cost["usd"]) > 0 and message.usage_metadata is not None
    assert handler.calls == 2
    assert handler.total_usd == sum(Decimal(c["usd"]) for c in costs)
    row = handler.by_model[("clusterprotocol", "llama-3.1-8b")]
    assert row.prompt_tokens == first.usage_metadata["input_tokens"] + second.usage_metadata["input_tokens"]
    assert row.completion_tokens == first.usage_metadata["output_tokens"] + second.usage_metadata["output_tokens"]
    assert row.unpriced_calls == 0
    # Outside the block, nothing more is counted.
    model.invoke(PROMPT)
    assert handler.calls == 2


def test_langchain_cost_equals_cluster_reported_total_cost(sandbox: Any) -> None:
    from neocloud.clusterprotocol import ClusterClient

    client = ClusterClient(api_key=CLUSTER_KEY, base_url=sandbox.base_url("clusterprotocol"))
    sandbox.script("clusterprotocol", [{"content": "hello there"}, {"content": "hello there"}])
    wire = client.chat.completions.create(model="llama-3.1-8b", messages=[{"role": "user", "content": PROMPT}])
    message = lc_cluster(sandbox).invoke(PROMPT)
    assert message.content == wire.choices[0].message.content
    assert message.response_metadata["cost"] == provider_cost(wire.usage.total_cost) == wire.cost


def test_langchain_catalog_price_after_models_list(sandbox: Any) -> None:
    from neocloud.langchain import ChatCerebras, neocloud_costs

    model = ChatCerebras(model="llama-3.3-70b", api_key="csk-sandbox-valid", base_url=sandbox.base_url("cerebras"),
                         max_retries=0)  # fmt: skip
    assert model.invoke(PROMPT).response_metadata.get("cost") is None  # no price known yet: never a guess
    model._sync_backend().client.models.list(extra_query={"format": "huggingface"})
    with neocloud_costs() as handler:
        message = model.invoke(PROMPT)
    usage = message.usage_metadata
    assert usage is not None
    expected = catalog_cost(usage["input_tokens"], usage["output_tokens"], ModelPrice.of("0.85", "1.2"))
    assert message.response_metadata["cost"] == expected
    assert handler.total_usd == Decimal(expected["usd"])
    assert handler.by_model[("cerebras", "llama-3.3-70b")].calls == 1


def test_langchain_stream_puts_the_cost_on_the_usage_chunk_and_counts_it_once(sandbox: Any) -> None:
    from neocloud.langchain import neocloud_costs

    model = lc_cluster(sandbox)
    with neocloud_costs() as handler:
        chunks = list(model.stream(PROMPT))
    priced = [c for c in chunks if "cost" in c.response_metadata]
    assert len(priced) == 1 and priced[0].usage_metadata is not None
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.response_metadata["model_name"] == "llama-3.1-8b"
    assert handler.calls == 1
    assert handler.total_usd == Decimal(priced[0].response_metadata["cost"]["usd"]) > 0
    assert (
        handler.by_model[("clusterprotocol", "llama-3.1-8b")].completion_tokens
        == merged.usage_metadata["output_tokens"]
    )


def test_langchain_async_invoke_and_stream_are_totalled(sandbox: Any) -> None:
    from neocloud.langchain import neocloud_costs

    model = lc_cluster(sandbox)

    async def main() -> list[Any]:
        a, b = await asyncio.gather(model.ainvoke(PROMPT), model.ainvoke(PROMPT))
        streamed = [c async for c in model.astream(PROMPT)]
        return [a.response_metadata["cost"], b.response_metadata["cost"],
                *(c.response_metadata["cost"] for c in streamed if "cost" in c.response_metadata)]  # fmt: skip

    with neocloud_costs() as handler:
        costs = asyncio.run(main())
    assert len(costs) == 3 and all(c["source"] == "provider" for c in costs)
    assert handler.calls == 3
    assert handler.total_usd == sum(Decimal(c["usd"]) for c in costs)


# -- LlamaIndex -----------------------------------------------------------------------------------------------
def li_cluster(sandbox: Any) -> Any:
    from neocloud.llamaindex import ClusterProtocolLLM

    return ClusterProtocolLLM(model="llama-3.1-8b", api_key=CLUSTER_KEY, base_url=sandbox.base_url("clusterprotocol"),
                              max_retries=0)  # fmt: skip


def test_llamaindex_chat_and_complete_carry_the_cost_and_the_handler_totals_each_call_once(sandbox: Any) -> None:
    from llama_index.core.llms import ChatMessage

    from neocloud.llamaindex import neocloud_costs

    llm = li_cluster(sandbox)
    with neocloud_costs() as handler:
        chat = llm.chat([ChatMessage(role="user", content=PROMPT)])
        completion = llm.complete(PROMPT)
    for response in (chat, completion):
        assert (
            response.raw["cost"]
            == response.additional_kwargs["cost"]
            == provider_cost(response.raw["usage"]["total_cost"])
        )
    assert handler.calls == 2  # complete() runs through chat(): still one call
    assert handler.total_usd == Decimal(chat.raw["cost"]["usd"]) + Decimal(completion.raw["cost"]["usd"])
    row = handler.by_model[("clusterprotocol", "llama-3.1-8b")]
    assert row.prompt_tokens == chat.additional_kwargs["prompt_tokens"] + completion.additional_kwargs["prompt_tokens"]
    llm.complete(PROMPT)  # detached on exit
    assert handler.calls == 2


def test_llamaindex_streams_sync_and_async_are_totalled(sandbox: Any) -> None:
    from llama_index.core.llms import ChatMessage

    from neocloud.llamaindex import neocloud_costs

    llm = li_cluster(sandbox)

    async def main() -> list[Any]:
        achat = await llm.achat([ChatMessage(role="user", content=PROMPT)])
        streamed = [r async for r in await llm.astream_complete(PROMPT)]
        return [achat, streamed[-1]]

    with neocloud_costs() as handler:
        *_, last_sync = llm.stream_chat([ChatMessage(role="user", content=PROMPT)])
        achat, last_async = asyncio.run(main())
    costs = [r.additional_kwargs["cost"] for r in (last_sync, achat, last_async)]
    assert all(c["source"] == "provider" for c in costs)
    assert handler.calls == 3
    assert handler.total_usd == sum(Decimal(c["usd"]) for c in costs)
    assert handler.by_model[("clusterprotocol", "llama-3.1-8b")].completion_tokens == sum(
        r.additional_kwargs["completion_tokens"] for r in (last_sync, achat, last_async)
    )


def test_the_handlers_are_lazy_exports_listed_by_dir() -> None:
    import neocloud.langchain as lc
    import neocloud.llamaindex as li

    for package in (lc, li):
        assert {"NeocloudCostHandler", "neocloud_costs"} <= set(dir(package))
        assert package.NeocloudCostHandler.__module__.startswith(package.__name__)


def test_a_message_without_a_cost_counts_as_an_unpriced_call() -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from neocloud.langchain import NeocloudCostHandler

    handler = NeocloudCostHandler()
    reply = AIMessage(content="hi", usage_metadata={"input_tokens": 3, "output_tokens": 1, "total_tokens": 4},
                      response_metadata={"model_provider": "other", "model_name": "m"})  # fmt: skip
    GenericFakeChatModel(messages=iter([reply])).invoke("x", config={"callbacks": [handler]})
    row = handler.by_model[("other", "m")]
    assert (row.calls, row.unpriced_calls, row.prompt_tokens, row.usd) == (1, 1, 3, Decimal(0))
