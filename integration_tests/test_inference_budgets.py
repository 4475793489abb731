"""Every provider's inference clients reserve in the ledger and budget before sending, against the live sandbox.

Each case prices its model so that a call's worst case is exactly the budget (output tokens only: ``max_tokens``
at a known price); the first call fits, its actual cost is then committed, so the second call, whose worst case
alone fills the budget, is refused before anything is sent. The sandbox's request log shows what reached it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest

from neocloud.core.errors import ConfigurationError
from neocloud.core.ledger import Budget, BudgetExceeded, InMemoryLedger, Status
from neocloud.core.pricing import ModelPrice, PriceTable

MSG = [{"role": "user", "content": "Say hi"}]
MAX_TOKENS = 40
OUT_PER_M = Decimal(1000)  # $0.001 per output token: a 40-token worst case is $0.04
CAP = MAX_TOKENS * OUT_PER_M / 1_000_000
EMBED_PER_M = Decimal(1000)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud_testing.faults import matrix_sandbox

    with matrix_sandbox() as sb:  # has a ready InferenceKey workload "bot" in project "acme"
        yield sb


def table(provider: str, *models: str, embeddings: bool = False) -> PriceTable:
    price = ModelPrice.of(EMBED_PER_M, 0) if embeddings else ModelPrice.of(0, OUT_PER_M)
    return PriceTable(provider, date(2026, 11, 1), "https://example.invalid", dict.fromkeys(models, price))


def micros(usd: Decimal) -> Decimal:
    return usd.quantize(Decimal("0.000001"), rounding=ROUND_CEILING)


def tokens_cost(completion_tokens: int) -> Decimal:
    return micros(completion_tokens * OUT_PER_M / 1_000_000)


# Each case: (provider, build(sandbox, async, **metering) -> client, call(client) -> result or awaitable, what the
# result cost). ``call`` makes one chat call of at most MAX_TOKENS output tokens.
def _cerebras(sb: Any, aio: bool, **kw: Any) -> Any:
    from neocloud.cerebras import AsyncCerebras, Cerebras

    cls = AsyncCerebras if aio else Cerebras
    return cls(api_key="csk-sandbox-valid", base_url=sb.base_url("cerebras"), max_retries=0,
               warm_tcp_connection=False, prices=table("cerebras", "llama3.1-8b"), **kw)  # fmt: skip


def _cluster(sb: Any, aio: bool, **kw: Any) -> Any:
    from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

    cls = AsyncClusterClient if aio else ClusterClient
    return cls(api_key="sk-cluster-sandbox-valid", base_url=sb.base_url("clusterprotocol"), max_retries=0,
               prices=table("clusterprotocol", "llama-3.1-8b"), **kw)  # fmt: skip


def _runcrate(sb: Any, aio: bool, **kw: Any) -> Any:
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    cls = AsyncRuncrate if aio else Runcrate
    return cls("rc_live_sandbox-valid", base_url=sb.base_url("runcrate"), inference_url=sb.base_url("runcrate"),
               max_retries=0, prices=table("runcrate", "deepseek-ai/DeepSeek-V3"), **kw)  # fmt: skip


def _metalcloud(sb: Any, aio: bool, **kw: Any) -> Any:
    from neocloud.metalcloud import AsyncClient, Client

    cls = AsyncClient if aio else Client
    return cls(api_key="mc_sandbox-valid", base_url=sb.base_url("metalcloud"), max_retries=0,
               prices=table("metalcloud", "meta-llama/Llama-3.1-8B"), **kw)  # fmt: skip


def _inferencekey(sb: Any, aio: bool, **kw: Any) -> Any:
    from neocloud.inferencekey import AsyncDataClient, DataClient

    cls = AsyncDataClient if aio else DataClient
    client = cls(base_url=sb.base_url("inferencekey"), project="acme", api_key="ik_live_sandbox-acme",
                 prices=table("inferencekey", "bot"), **kw)  # fmt: skip
    return client.endpoint("bot")


def _chat(model: str) -> Callable[[Any], Any]:
    return lambda c: c.chat.completions.create(model=model, messages=MSG, max_tokens=MAX_TOKENS)


def _tokens(result: Any) -> Decimal:
    return tokens_cost(result.usage.completion_tokens)


CASES: dict[str, tuple[str, Callable[..., Any], Callable[[Any], Any], Callable[[Any], Decimal]]] = {
    "cerebras": ("cerebras", _cerebras, _chat("llama3.1-8b"), _tokens),
    # Cluster Protocol reports each call's own total cost, which wins over any table.
    "clusterprotocol": ("clusterprotocol", _cluster, _chat("llama-3.1-8b"),
                        lambda r: micros(Decimal(str(r.usage.total_cost)))),
    "runcrate-chat": ("runcrate", _runcrate, _chat("deepseek-ai/DeepSeek-V3"), _tokens),
    "runcrate-models": ("runcrate", _runcrate, lambda c: c.models.chat_completion(
        "deepseek-ai/DeepSeek-V3", MSG, max_tokens=MAX_TOKENS), _tokens),
    "metalcloud": ("metalcloud", _metalcloud, lambda c: c.inference("meta-llama/Llama-3.1-8B", prompt="Say hi",
                                                                    max_tokens=MAX_TOKENS), _tokens),
    "inferencekey": ("inferencekey", _inferencekey, lambda e: e.generate_text(prompt="Say hi", max_tokens=MAX_TOKENS),
                     lambda r: tokens_cost(r.raw["usage"]["completion_tokens"])),
}  # fmt: skip


def _run(aio: bool, value: Any) -> Any:
    if not aio:
        return value

    async def wait() -> Any:
        return await value

    return asyncio.run(wait())


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_budget_for_one_call_refuses_the_second_before_sending(sandbox: Any, case: str, aio: bool) -> None:
    provider, build, call, cost_of = CASES[case]
    ledger = InMemoryLedger()
    client = build(sandbox, aio, ledger=ledger, budget=Budget(CAP), run_id=f"run-{case}")
    sandbox.clear_requests()
    if aio:  # one event loop for both calls: an async client's pool belongs to its loop

        async def both() -> tuple[Any, BaseException | None]:
            first = await call(client)
            try:
                await call(client)
            except BudgetExceeded as exc:
                return first, exc
            return first, None

        first, refused = asyncio.run(both())
    else:
        first = call(client)
        with pytest.raises(BudgetExceeded) as caught:
            call(client)
        refused = caught.value
    assert isinstance(refused, BudgetExceeded)
    actual = cost_of(first)
    assert actual > 0
    assert refused.asked_usd == CAP and refused.left_usd == CAP - actual and refused.cap_usd == CAP
    sent = [r for r in sandbox.requests(provider) if r["method"] == "POST"]
    assert len(sent) == 1, sent
    (row,) = ledger.entries(run_id=f"run-{case}")
    assert row.status is Status.SUCCEEDED and row.actual_usd == actual and row.reserved_usd == 0
    assert row.estimate_usd == CAP and row.provider == provider


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_streamed_chat_is_reserved_and_settled_on_every_provider(sandbox: Any, aio: bool) -> None:
    ledger = InMemoryLedger()
    streams: dict[str, Callable[[Any], Any]] = {
        "metalcloud": lambda c: c.inference("meta-llama/Llama-3.1-8B", prompt="Say hi", max_tokens=MAX_TOKENS,
                                            stream=True),
        "runcrate": lambda c: c.chat.completions.create(model="deepseek-ai/DeepSeek-V3", messages=MSG, stream=True,
                                                        max_tokens=MAX_TOKENS, stream_options={"include_usage": True}),
        "inferencekey": lambda e: e.generate_text_stream(prompt="Say hi", max_tokens=MAX_TOKENS),
    }  # fmt: skip
    builders = {"metalcloud": _metalcloud, "runcrate": _runcrate, "inferencekey": _inferencekey}

    async def drain(stream: Any) -> int:
        return len([c async for c in await stream])

    for provider, make in streams.items():
        client = builders[provider](sandbox, aio, ledger=ledger, budget=Budget(CAP), run_id=f"stream-{provider}")
        count = asyncio.run(drain(make(client))) if aio else len(list(make(client)))
        assert count > 0
        (row,) = ledger.entries(run_id=f"stream-{provider}")
        assert row.status is Status.SUCCEEDED and row.reserved_usd == 0
        assert row.actual_usd is not None and 0 < row.actual_usd <= CAP, provider


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_embeddings_and_rerank_are_reserved_at_the_input_price(sandbox: Any, aio: bool) -> None:
    from neocloud.inferencekey import AsyncDataClient, DataClient

    ledger = InMemoryLedger()
    cls = AsyncDataClient if aio else DataClient
    endpoint = cls(base_url=sandbox.base_url("inferencekey"), project="acme", api_key="ik_live_sandbox-acme",
                   prices=table("inferencekey", "bot", embeddings=True), ledger=ledger, run_id="emb").endpoint("bot")  # fmt: skip
    result = _run(aio, endpoint.embed(input=["a", "b"]))
    _run(aio, endpoint.rerank(query="q", documents=["x", "y"]))
    embed, rerank = ledger.entries(run_id="emb")
    assert embed.operation == "embeddings.create" and rerank.operation == "rerank.create"
    assert embed.actual_usd == micros(result.raw["usage"]["prompt_tokens"] * EMBED_PER_M / 1_000_000)
    assert embed.estimate_usd >= embed.actual_usd


def test_runcrate_media_calls_are_refused_under_a_budget_and_recorded_without_one(sandbox: Any) -> None:
    ledger = InMemoryLedger()
    capped = _runcrate(sandbox, False, ledger=ledger, budget=Budget(5), run_id="media-capped")
    sandbox.clear_requests()
    with pytest.raises(ConfigurationError, match=r"images\.generate was refused before anything was sent"):
        capped.models.generate_image(model="black-forest-labs/FLUX.1-schnell", prompt="a cat")
    assert sandbox.requests("runcrate") == []
    allowed = _runcrate(sandbox, False, ledger=ledger, budget=Budget(5), run_id="media", unpriced="allow")
    allowed.models.generate_image(model="black-forest-labs/FLUX.1-schnell", prompt="a cat")
    allowed.models.text_to_speech(model="tts-1", input="hello")
    allowed.models.transcribe(model="whisper-1", file=b"RIFF0000WAVEfmt ")

    async def video() -> Any:
        return await _runcrate(sandbox, True, ledger=ledger, run_id="media").models.generate_video(
            model="wan-video/wan-2.1", prompt="waves"
        )

    asyncio.run(video())
    rows = ledger.entries(run_id="media")
    assert [r.operation for r in rows] == ["images.generate", "audio.speech.create", "audio.transcriptions.create",
                                           "videos.create"]  # fmt: skip
    # Unknown price: nothing reserved, nothing guessed; the entries still say the calls were made.
    assert all(r.status is Status.SUCCEEDED and r.estimate_usd == 0 and r.actual_usd is None for r in rows)
    assert [r["path"] for r in sandbox.requests("runcrate")][-4:] == [
        "/runcrate/v1/images/generations", "/runcrate/v1/audio/speech", "/runcrate/v1/audio/transcriptions",
        "/runcrate/v1/videos"]  # fmt: skip


# -- the framework classes: the same arguments, passed through to their provider client ----------------------
def _framework_kwargs(sb: Any, provider: str) -> dict[str, Any]:
    from neocloud.inferencekey import endpoint_url

    models = {"cerebras": "llama3.1-8b", "clusterprotocol": "llama-3.1-8b", "runcrate": "deepseek-ai/DeepSeek-V3",
              "metalcloud": "meta-llama/Llama-3.1-8B", "inferencekey": "bot"}  # fmt: skip
    keys = {"cerebras": "csk-sandbox-valid", "clusterprotocol": "sk-cluster-sandbox-valid",
            "runcrate": "rc_live_sandbox-valid", "metalcloud": "mc_sandbox-valid",
            "inferencekey": "ik_live_sandbox-acme"}  # fmt: skip
    base = endpoint_url("acme", "bot", sb.base_url("inferencekey")) if provider == "inferencekey" else (
        sb.base_url(provider))  # fmt: skip
    return {"model": models[provider], "api_key": keys[provider], "base_url": base, "max_retries": 0,
            "max_tokens": MAX_TOKENS, "prices": table(provider, models[provider])}  # fmt: skip


FRAMEWORK = {"cerebras": ("ChatCerebras", "CerebrasLLM"), "clusterprotocol": ("ChatClusterProtocol",
             "ClusterProtocolLLM"), "runcrate": ("ChatRuncrate", "RuncrateLLM"),
             "metalcloud": ("ChatMetalCloud", "MetalCloudLLM"), "inferencekey": ("ChatInferenceKey", "InferenceKeyLLM")}  # fmt: skip


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
@pytest.mark.parametrize("provider", list(FRAMEWORK))
def test_framework_classes_take_a_ledger_and_budget(sandbox: Any, provider: str, framework: str) -> None:
    import importlib

    ledger = InMemoryLedger()
    lc_name, li_name = FRAMEWORK[provider]
    cls = getattr(importlib.import_module(f"neocloud.{framework}"), lc_name if framework == "langchain" else li_name)
    model = cls(ledger=ledger, budget=Budget(CAP), **_framework_kwargs(sandbox, provider))
    sandbox.clear_requests()
    if framework == "langchain":
        model.invoke("Say hi")
        with pytest.raises(BudgetExceeded):
            asyncio.run(model.ainvoke("Say hi"))  # the async path reserves in the same run
    else:
        model.complete("Say hi")
        with pytest.raises(BudgetExceeded):
            asyncio.run(model.acomplete("Say hi"))
    assert len([r for r in sandbox.requests(provider) if r["method"] == "POST"]) == 1
    assert model.run_id is not None
    (row,) = ledger.entries(run_id=model.run_id)
    assert row.status is Status.SUCCEEDED and row.actual_usd is not None and 0 < row.actual_usd <= CAP


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_framework_embeddings_take_a_ledger_and_budget(sandbox: Any, framework: str) -> None:
    ledger = InMemoryLedger()
    kwargs = {"model": "bge-large-en-v1.5", "api_key": "sk-cluster-sandbox-valid", "max_retries": 0,
              "base_url": sandbox.base_url("clusterprotocol"), "ledger": ledger, "budget": Budget("0.000001"),
              "prices": table("clusterprotocol", "bge-large-en-v1.5", embeddings=True)}  # fmt: skip
    if framework == "langchain":
        from neocloud.langchain import ClusterProtocolEmbeddings

        model: Any = ClusterProtocolEmbeddings(**kwargs)
        embed = model.embed_query
    else:
        from neocloud.llamaindex import ClusterProtocolEmbedding

        model = ClusterProtocolEmbedding(**kwargs)
        embed = model.get_query_embedding
    sandbox.clear_requests()
    with pytest.raises(BudgetExceeded) as refused:
        embed("a text much longer than one micro-dollar of input allows")
    assert refused.value.asked_usd > Decimal("0.000001")
    assert sandbox.requests("clusterprotocol") == []
    assert model.run_id is not None and ledger.entries(run_id=model.run_id) == []  # a refusal reserves nothing
