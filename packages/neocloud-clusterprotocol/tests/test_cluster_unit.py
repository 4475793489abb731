"""Cluster Protocol client: error parsing, configuration, retries and validation over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient, errors
from neocloud.core import errors as core

MSG = [{"role": "user", "content": "Hello!"}]


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[ClusterClient, list[httpx.Request], list[float]]:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return handler(request)

    c = ClusterClient(
        api_key="sk-cluster-unit",
        base_url="https://cp.test",
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
        **kwargs,
    )
    c._sleep = sleeps.append
    return c, seen, sleeps


@pytest.mark.parametrize(
    ("status", "body", "cls", "parent"),
    [
        (
            401,
            {"error": {"message": "bad key", "type": "authentication_error"}},
            errors.AuthenticationError,
            core.AuthenticationError,
        ),
        (
            402,
            {"error": {"message": "low", "type": "insufficient_balance", "balance": "0.5", "required": 2}},
            errors.InsufficientBalanceError,
            core.PaymentRequiredError,
        ),
        (404, {"error": {"message": "no model", "code": "model_not_found"}}, errors.NotFoundError, core.NotFoundError),
        (429, {"error": {"message": "slow"}}, errors.RateLimitError, core.RateLimitError),
        (503, {"error": {"message": "down"}}, errors.ServerError, core.InternalServerError),
        (418, {"error": {"message": "teapot"}}, core.APIStatusError, core.APIError),
    ],
)
def test_documented_errors(status: int, body: dict[str, Any], cls: type[Exception], parent: type[Exception]) -> None:
    c, _, _ = client_for(lambda r: httpx.Response(status, json=body), max_retries=0)
    with pytest.raises(cls) as info:
        c.chat.completions.create(model="llama-3.1-70b", messages=MSG)
    err = info.value
    assert isinstance(err, parent) and isinstance(err, errors.ClusterAPIError)
    assert err.status_code == status and body["error"]["message"] in err.message  # type: ignore[attr-defined]
    if isinstance(err, errors.InsufficientBalanceError):
        assert (err.balance, err.required) == (0.5, 2.0)


def test_retry_delay_is_the_fixed_wait_between_retries() -> None:
    # "retry_delay=1.0  # seconds between retries": the same wait before every retry, no doubling, no jitter.
    answers = iter([httpx.Response(500, json={}), httpx.Response(502, json={}), httpx.Response(503, json={}),
                    httpx.Response(200, json={"choices": []})])  # fmt: skip
    c, seen, sleeps = client_for(lambda r: next(answers), retry_delay=0.3, max_retries=3)
    c.chat.completions.create(model="llama-3.1-70b", messages=MSG)
    assert len(seen) == 4 and sleeps == [0.3, 0.3, 0.3]


@pytest.mark.parametrize(("retry_after", "slept"), [("2", 2.0), ("0.1", 0.3)])
def test_a_longer_retry_after_wins_over_retry_delay(retry_after: str, slept: float) -> None:
    answers = iter([httpx.Response(429, json={}, headers={"Retry-After": retry_after}), httpx.Response(200, json={})])
    c, _, sleeps = client_for(lambda r: next(answers), retry_delay=0.3)
    c.balance.get()
    assert sleeps == [slept]


def test_retry_delay_default_and_async_client_waits_the_same() -> None:
    answers = iter([httpx.Response(503, json={}), httpx.Response(503, json={}), httpx.Response(200, json={})])
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> None:
        transport = httpx.MockTransport(lambda r: next(answers))
        async with AsyncClusterClient(api_key="sk-cluster-unit", base_url="https://cp.test",
                                      http_client=httpx.AsyncClient(transport=transport)) as c:  # fmt: skip
            c._sleep = record
            await c.balance.get()

    asyncio.run(main())
    assert sleeps == [1.0, 1.0]  # the documented default, 1 s between retries


def test_defaults_and_timeouts() -> None:
    c = ClusterClient(
        api_key="sk-cluster-unit", timeout=30, connect_timeout=5, default_headers={"X-Custom-Header": "my-value"}
    )
    assert (c.timeout.read, c.timeout.connect, c.max_retries, c.retry_delay) == (30.0, 5.0, 3, 1.0)
    assert c._default_headers()["X-Custom-Header"] == "my-value"
    with pytest.raises(core.ConfigurationError):
        ClusterClient(api_key="k", retry_delay=-1)


def test_models_accept_a_bare_array() -> None:
    c, _, _ = client_for(lambda r: httpx.Response(200, json=[{"id": "m1", "input_price": 0.1}]))
    assert [(m.id, m.input_price) for m in c.models.list()] == [("m1", 0.1)]


def test_creates_carry_idempotency_keys_and_are_validated() -> None:
    c, seen, _ = client_for(lambda r: httpx.Response(200, json={"id": "ft_job_1", "status": "queued"}))
    c.fine_tuning.create(base_model="llama-3.1-8b", training_file="https://x.test/a.jsonl", lora_rank=8)
    assert seen[0].headers["idempotency-key"].startswith("neocloud-")
    assert json.loads(seen[0].content) == {
        "base_model": "llama-3.1-8b",
        "training_file": "https://x.test/a.jsonl",
        "lora_rank": 8,
    }
    for bad in ({"training_file": "ftp://x"}, {"epochs": 0}, {"learning_rate": 5.0}):
        with pytest.raises(core.RequestValidationError):
            c.fine_tuning.create(**{"base_model": "b", "training_file": "https://x.test/a", **bad})  # type: ignore[arg-type]
    with pytest.raises(core.RequestValidationError, match="tx_hash"):
        c.datasets.purchase("ds_1", payment_method="eth")
    with pytest.raises(core.RequestValidationError, match="payment_method"):
        c.datasets.purchase("ds_1", payment_method="card")
    assert len(seen) == 1


def test_purchase_is_not_blindly_retried_but_same_key_is_reused() -> None:
    answers = iter([httpx.ReadError("reset"), httpx.Response(200, json={"datasetId": "ds_1", "status": "completed"})])

    def handler(request: httpx.Request) -> httpx.Response:
        item = next(answers)
        if isinstance(item, Exception):
            raise item
        return item

    c, seen, _ = client_for(handler)
    assert c.datasets.purchase("ds_1", idempotency_key="buy-7").status == "completed"
    assert [r.headers["idempotency-key"] for r in seen] == ["buy-7", "buy-7"]
