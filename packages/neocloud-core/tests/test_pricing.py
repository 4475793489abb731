"""The pricing arithmetic (pure, table-driven): costs from usage and prices, worst cases, catalog shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from neocloud.core.pricing import (
    DEFAULT_MAX_OUTPUT_TOKENS,
    Cost,
    CostTotals,
    ModelPrice,
    PriceTable,
    catalog_price,
    output_token_bound,
    prompt_token_bound,
    reported_cost,
    usage_cost,
    usd_of,
    worst_case_usd,
)

P = ModelPrice.of("0.60", "2.40")
CACHED = ModelPrice.of("0.60", "2.40", cached_input_per_m="0.15")


@pytest.mark.parametrize(
    ("usage", "price", "usd"),
    [
        ({"prompt_tokens": 1_000_000, "completion_tokens": 0}, P, "0.60"),
        ({"prompt_tokens": 0, "completion_tokens": 1_000_000}, P, "2.40"),
        ({"prompt_tokens": 12, "completion_tokens": 7}, P, "0.0000240"),
        ({"prompt_tokens": 100, "completion_tokens": 0, "prompt_tokens_details": {"cached_tokens": 40}}, P, "0.00006"),
        (
            {"prompt_tokens": 100, "completion_tokens": 0, "prompt_tokens_details": {"cached_tokens": 40}},
            CACHED,
            "0.000042",
        ),
        (
            {"prompt_tokens": 10, "completion_tokens": 0, "prompt_tokens_details": {"cached_tokens": 99}},
            CACHED,
            "0.0000015",
        ),
        ({}, P, "0"),
        ({"prompt_tokens": -5, "completion_tokens": True}, P, "0"),
    ],
)
def test_usage_cost(usage: dict[str, Any], price: ModelPrice, usd: str) -> None:
    assert usage_cost(usage, price) == Decimal(usd)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"total_cost": 0.00012}, Decimal("0.00012")),
        ({"total_cost": "0.5"}, Decimal("0.5")),
        ({"total_cost": -1}, None),
        ({"total_cost": "n/a"}, None),
        ({"total_cost": True}, None),
        ({}, None),
    ],
)
def test_reported_cost(usage: dict[str, Any], expected: Decimal | None) -> None:
    assert reported_cost(usage) == expected


@pytest.mark.parametrize(
    ("body", "bound"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, len('[{"role": "user", "content": "hi"}]') + 8),
        ({"prompt": "héllo"}, 6),
        ({"input": ["ab", "c"]}, len('["ab", "c"]')),
        ({}, 0),
    ],
)
def test_prompt_token_bound(body: dict[str, Any], bound: int) -> None:
    assert prompt_token_bound(body) == bound


@pytest.mark.parametrize(
    ("body", "price", "bound"),
    [
        ({"max_tokens": 100}, P, 100),
        ({"max_completion_tokens": 50, "max_tokens": 100}, P, 50),
        ({"max_tokens": 100, "n": 3}, P, 300),
        ({}, ModelPrice.of(1, 1, context_length=4096), 4096),
        ({}, P, DEFAULT_MAX_OUTPUT_TOKENS),
        ({"max_tokens": "100"}, P, DEFAULT_MAX_OUTPUT_TOKENS),
    ],
)
def test_output_token_bound(body: dict[str, Any], price: ModelPrice, bound: int) -> None:
    assert output_token_bound(body, price) == bound


def test_worst_case_is_prompt_bound_plus_output_bound_at_their_prices() -> None:
    body = {"prompt": "x" * 1000, "max_tokens": 500}
    assert worst_case_usd(body, P) == (1000 * Decimal("0.60") + 500 * Decimal("2.40")) / 1_000_000
    assert worst_case_usd(body, P, embeddings=True) == 1000 * Decimal("0.60") / 1_000_000


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"id": "a", "input_price": 0.00059, "output_price": 0.00079, "context_length": 131072},
            ModelPrice(Decimal("0.59000"), Decimal("0.79000"), None, 131072),
        ),
        (
            {"id": "b", "pricing": {"prompt": "0.00000085", "completion": "0.0000012"}},
            ModelPrice(Decimal("0.85"), Decimal("1.2"), None, None),
        ),
        (
            {"id": "c", "pricing": {"prompt": "0.000001", "completion": "0.000002", "input_cache_read": "0.0000005"}},
            ModelPrice(Decimal("1"), Decimal("2"), Decimal("0.5"), None),
        ),
        ({"id": "d", "pricing": {"input": 0.85, "output": 1.2}}, ModelPrice(Decimal("0.85"), Decimal("1.2"))),
        ({"id": "e"}, None),
        ({"id": "f", "pricing": {"prompt": "free", "completion": "0"}}, None),
    ],
)
def test_catalog_price_reads_every_published_shape(entry: dict[str, Any], expected: ModelPrice | None) -> None:
    assert catalog_price(entry) == expected


def test_cost_json_form_and_table_source() -> None:
    table = PriceTable("acme", date(2026, 11, 1), "https://example.invalid/pricing")
    assert table.source == "price_table:2026-11-01"
    assert Cost(Decimal("0.0001230"), table.source).to_dict() == {"usd": "0.000123", "source": "price_table:2026-11-01"}
    assert Cost.from_dict({"usd": "0.5", "source": "provider"}) == Cost(Decimal("0.5"), "provider")


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ({"usd": "0.000123", "source": "provider"}, Decimal("0.000123")),
        ({"usd": "0", "source": "catalog"}, Decimal(0)),
        ({"source": "catalog"}, None),
        ({"usd": 0.5, "source": "catalog"}, None),  # only the JSON form (a string) is read: never a float
        (None, None),
        ("0.1", None),
        ({"usd": "n/a"}, None),
        ({"usd": "-1"}, None),
        ({"usd": "NaN"}, None),
    ],
)
def test_usd_of_reads_the_json_cost_form(cost: Any, expected: Decimal | None) -> None:
    assert usd_of(cost) == expected


def test_totals_count_plain_numbers_per_model_and_unpriced_calls() -> None:
    totals = CostTotals()
    totals.count("clusterprotocol", "m", 10, 2, Decimal("0.001"))
    totals.count("clusterprotocol", "m", 5, 1, None)
    totals.count("cerebras", "n", 1, 1, Decimal("0.002"))
    row = totals.by_model[("clusterprotocol", "m")]
    assert (row.calls, row.prompt_tokens, row.completion_tokens, row.usd, row.unpriced_calls) == (
        2,
        15,
        3,
        Decimal("0.001"),
        1,
    )
    assert totals.total_usd == Decimal("0.003") and totals.total_tokens == 20 and totals.calls == 3


def test_async_calls_use_a_worker_thread_only_when_something_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger's I/O runs off the event loop; a client with nothing to record pays no thread hop (two per
    call, most of an async call's own CPU)."""
    import asyncio

    from neocloud.core.ledger import InMemoryLedger, Status
    from neocloud.core.pricing._meter import Meter

    hops: list[str] = []
    to_thread = asyncio.to_thread

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn.__name__)
        return await to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)

    async def send() -> dict[str, Any]:
        return {"model": "m", "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}

    assert asyncio.run(Meter("cerebras").acall("chat", {"model": "m"}, send))["model"] == "m"
    assert hops == []
    ledger = InMemoryLedger()
    asyncio.run(Meter("cerebras", ledger=ledger, unpriced="allow").acall("chat", {"model": "m"}, send))
    assert hops == ["reserve", "settle"]
    [entry] = ledger.entries()
    assert entry.status is Status.SUCCEEDED and entry.model == "m"


_USAGE_STREAM = [
    b'data: {"model": "m", "choices": [{"delta": {"content": "hi"}}]}\n\n',
    b'data: {"model": "m", "choices": [], "usage": {"prompt_tokens": 1000000, "completion_tokens": 0}}\n\n',
    b"data: [DONE]\n\n",
]


def _stream(asynchronous: bool) -> Any:
    import httpx2

    from neocloud.core.streaming import AsyncStream, Stream

    class Body(httpx2.SyncByteStream, httpx2.AsyncByteStream):
        def __iter__(self) -> Any:
            yield from _USAGE_STREAM

        async def __aiter__(self) -> Any:
            for chunk in _USAGE_STREAM:
                yield chunk

    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=Body(),
                               request=httpx2.Request("POST", "http://t/"))  # fmt: skip
    kind = AsyncStream if asynchronous else Stream
    return kind(response, dict, lambda payload, response: RuntimeError(str(payload)))


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("with_ledger", [False, True], ids=["no ledger", "ledger"])
def test_a_stream_is_priced_on_its_usage_chunk_and_settled(asynchronous: bool, with_ledger: bool) -> None:
    """Without anything to settle, the meter prices through the reader's per-item hook (the stream is not wrapped
    in a generator); with a ledger it wraps it and settles when it ends. Either way the usage chunk is priced and
    the open totals count it once."""
    import asyncio

    from neocloud.core.ledger import InMemoryLedger, Status
    from neocloud.core.pricing import costs
    from neocloud.core.pricing._meter import Meter

    table = PriceTable("cerebras", date(2026, 1, 1), "https://example.test/prices",
                       {"m": ModelPrice(Decimal("0.6"), Decimal("0.6"))})  # fmt: skip
    ledger = InMemoryLedger() if with_ledger else None
    meter = Meter("cerebras", table=table, ledger=ledger)
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
    with costs() as totals:
        if asynchronous:

            async def run() -> tuple[Any, list[Any]]:
                stream = await meter.astream("chat", body, lambda: asyncio.sleep(0, _stream(True)))
                return stream, [item async for item in stream]

            stream, items = asyncio.run(run())
        else:
            stream = meter.stream("chat", body, lambda: _stream(False))
            items = list(stream)
    assert [item["choices"] for item in items] == [[{"delta": {"content": "hi"}}], []]
    assert totals.total_usd == Decimal("0.6")  # 1,000,000 prompt tokens at $0.6 per million, counted once
    inner = stream._aiterator if asynchronous else stream._iterator
    assert (inner.__name__ == "_iter") is not with_ledger  # the reader's own generator unless settling is needed
    if ledger is not None:
        [entry] = ledger.entries()
        assert entry.status is Status.SUCCEEDED and entry.actual_usd == Decimal("0.6")


def test_usage_reads_alike_from_a_mapping_a_wire_model_and_an_object() -> None:
    from types import SimpleNamespace

    from neocloud.core.wire.chat import Usage

    raw: dict[str, Any] = {"prompt_tokens": 100, "completion_tokens": 3, "total_tokens": 103,
                           "prompt_tokens_details": {"cached_tokens": 40}, "total_cost": "0.5"}  # fmt: skip
    model = Usage.model_validate(raw)  # total_cost is an extra field of the model
    plain = SimpleNamespace(**{**raw, "prompt_tokens_details": SimpleNamespace(cached_tokens=40)})
    for usage in (raw, model, plain):
        assert usage_cost(usage, CACHED) == Decimal("0.0000492")  # 60 x 0.60 + 3 x 2.40 + 40 x 0.15, per million
        assert reported_cost(usage) == Decimal("0.5")

    class Derived(Usage):  # a model that computes a name rather than storing it
        @property
        def total_cost(self) -> str:
            return "0.25"

    assert reported_cost(Derived.model_validate({k: v for k, v in raw.items() if k != "total_cost"})) == Decimal("0.25")
    bare = {"prompt_tokens": 5}
    for usage in (bare, Usage.model_validate(bare), SimpleNamespace(**bare)):
        assert reported_cost(usage) is None
        assert usage_cost(usage, CACHED) == Decimal("0.000003")
