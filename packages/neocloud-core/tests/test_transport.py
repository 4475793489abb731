"""The sync and async request loops: retries, idempotency, deadlines, config, pools, redaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from neocloud.core import errors
from neocloud.core._base import FinalRequest
from neocloud.core._types import Timeout

from .conftest import KEY, AsyncTestClient, TestClient

OK = {"ok": True}


def sequence(*responses: Any) -> Callable[[Any], Any]:
    items: Iterator[Any] = iter(responses)

    def handler(request: Any) -> Any:
        item = next(items)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_retries_429_then_succeeds_honouring_retry_after(make_client: Any, hx: Any) -> None:
    client, seen, sleeps = make_client(
        sequence(
            hx.Response(429, headers={"retry-after": "1.5"}, json={"error": {"message": "slow"}}),
            hx.Response(200, json=OK),
        )
    )
    assert client.request(dict, FinalRequest("GET", "/v1/x")) == OK
    assert sleeps == [1.5]
    assert [r.headers.get("x-retry-count") for r in seen] == [None, "1"]


@pytest.mark.parametrize("status", [401, 402, 403, 400, 404, 422])
def test_client_errors_are_never_retried(make_client: Any, status: int, hx: Any) -> None:
    client, seen, sleeps = make_client(
        sequence(hx.Response(status, headers={"x-request-id": "req_9"}, json={"error": {"message": "no", "code": "c"}}))
    )
    with pytest.raises(errors.APIStatusError) as info:
        client.request(dict, FinalRequest("GET", "/v1/x"))
    assert (info.value.status_code, info.value.code, info.value.request_id) == (status, "c", "req_9")
    assert len(seen) == 1 and sleeps == []


def test_server_errors_exhaust_retries(make_client: Any, hx: Any) -> None:
    client, seen, sleeps = make_client(sequence(*[hx.Response(503, json={"error": {"message": "down"}})] * 3))
    with pytest.raises(errors.InternalServerError, match="down"):
        client.request(dict, FinalRequest("GET", "/v1/x"))
    assert len(seen) == 3
    assert len(sleeps) == 2 and 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


def test_create_without_key_is_not_retried_on_500(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(sequence(hx.Response(500, json={}), hx.Response(200, json=OK)))
    with pytest.raises(errors.InternalServerError):
        client.request(dict, FinalRequest("POST", "/v1/things", json={}, idempotent=False))
    assert len(seen) == 1


def test_create_with_key_is_retried_with_the_same_key(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(sequence(hx.ReadError("reset"), hx.Response(500, json={}), hx.Response(201, json=OK)))
    req = FinalRequest("POST", "/v1/things", json={}, idempotent=False, idempotency_key="key-123")
    assert client.request(dict, req) == OK
    assert [r.headers["idempotency-key"] for r in seen] == ["key-123"] * 3


def test_create_without_key_retried_only_if_never_sent(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(sequence(hx.ConnectError("refused"), hx.Response(201, json=OK)))
    assert client.request(dict, FinalRequest("POST", "/v1/things", json={}, idempotent=False)) == OK
    client2, seen2, _ = make_client(sequence(hx.ReadError("reset"), hx.Response(201, json=OK)))
    with pytest.raises(errors.APIConnectionError) as info:
        client2.request(dict, FinalRequest("POST", "/v1/things", json={}, idempotent=False))
    assert len(seen2) == 1
    assert info.value.request is not None
    assert info.value.request.headers["authorization"] == "**********"


def test_timeouts_map_to_api_timeout_error(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(sequence(*[hx.ReadTimeout("slow")] * 3))
    with pytest.raises(errors.APITimeoutError):
        client.request(dict, FinalRequest("GET", "/v1/x"))
    assert len(seen) == 3


def test_per_request_max_retries_via_with_options(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(sequence(*[hx.Response(503, json={})] * 10))
    with pytest.raises(errors.InternalServerError):
        client.with_options(max_retries=5).request(dict, FinalRequest("GET", "/v1/x"))
    assert len(seen) == 6
    with pytest.raises(errors.InternalServerError):
        client.with_options(max_retries=0).request(dict, FinalRequest("GET", "/v1/x"))
    assert len(seen) == 7


def test_total_deadline_stops_retrying(make_client: Any, hx: Any) -> None:
    client, seen, sleeps = make_client(
        sequence(hx.Response(429, headers={"retry-after": "5"}, json={}), hx.Response(200, json=OK)),
        timeout=Timeout(total=2.0),
    )
    with pytest.raises(errors.RateLimitError) as info:
        client.request(dict, FinalRequest("GET", "/v1/x"))
    assert info.value.retry_after == 5.0
    assert len(seen) == 1 and sleeps == []


def test_x_should_retry_header(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(
        sequence(hx.Response(400, headers={"x-should-retry": "true"}, json={}), hx.Response(200, json=OK))
    )
    assert client.request(dict, FinalRequest("GET", "/v1/x")) == OK
    client2, seen2, _ = make_client(sequence(hx.Response(429, headers={"x-should-retry": "false"}, json={})))
    with pytest.raises(errors.RateLimitError):
        client2.request(dict, FinalRequest("GET", "/v1/x"))
    assert len(seen2) == 1


def test_in_band_error_in_200_is_raised(make_client: Any, hx: Any) -> None:
    client, _, _ = make_client(
        sequence(
            hx.Response(200, headers={"x-request-id": "r1"}, json={"error": {"message": "quota"}, "status_code": 429})
        )
    )
    with pytest.raises(errors.RateLimitError) as info:
        client.request(dict, FinalRequest("GET", "/v1/x"))
    assert info.value.request_id == "r1"


def test_malformed_json_is_a_validation_error(make_client: Any, hx: Any) -> None:
    client, _, _ = make_client(sequence(hx.Response(200, content=b"{not json")))
    with pytest.raises(errors.APIResponseValidationError):
        client.request(dict, FinalRequest("GET", "/v1/x"))


def test_headers_auth_user_agent_and_query(make_client: Any, hx: Any) -> None:
    client, seen, _ = make_client(
        sequence(hx.Response(200, json=OK)),
        default_headers={"X-Custom": "1"},
        default_query={"environment": "dev"},
    )
    client.request(dict, FinalRequest("GET", "/v1/x", params={"a": 1}))
    req = seen[0]
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["user-agent"].startswith("neocloud-core/")
    assert req.headers["x-custom"] == "1"
    assert req.url.params["environment"] == "dev" and req.url.params["a"] == "1"


def test_config_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESTCLOUD_API_KEY", "from-env")
    monkeypatch.setenv("TESTCLOUD_BASE_URL", "http://env.example/")
    c = TestClient()
    assert c.api_key is not None and c.api_key.get_secret_value() == "from-env"
    assert c.base_url == "http://env.example"
    c2 = TestClient(api_key="explicit", base_url="http://explicit.example")
    assert c2.api_key is not None and c2.api_key.get_secret_value() == "explicit"
    assert c2.base_url == "http://explicit.example"
    monkeypatch.delenv("TESTCLOUD_API_KEY")
    monkeypatch.delenv("TESTCLOUD_BASE_URL")
    with pytest.raises(errors.ConfigurationError, match="TESTCLOUD_API_KEY"):
        TestClient()
    assert TestClient(api_key="k").base_url == "https://api.testcloud.example"


@pytest.mark.parametrize("bad", [{"max_retries": -1}, {"timeout": -3}, {"base_url": "ftp://x"}, {"timeout": "soon"}])
def test_bad_config_is_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        TestClient(api_key="k", **bad)


def test_secret_not_in_repr_or_str() -> None:
    c = TestClient(api_key=KEY)
    assert KEY not in repr(c) and KEY not in str(c) and KEY not in repr(c.api_key)


def test_with_options_shares_the_pool_and_close_is_owner_only() -> None:
    c = TestClient(api_key=KEY)
    copy = c.with_options(timeout=3.0)
    assert copy._pool is c._pool
    assert copy.timeout.read == 3.0 and c.timeout.read == 60.0
    pool = c._pool.get()
    copy.close()
    assert not pool.is_closed
    c.close()
    assert pool.is_closed


def test_no_network_or_pool_at_construction() -> None:
    c = TestClient(api_key=KEY)
    assert c._pool.client is None


def test_redirect_to_another_host_drops_authorization(make_client: Any, hx: Any) -> None:
    def handler(request: Any) -> hx.Response:
        if request.url.host == "api.testcloud.example":
            return hx.Response(302, headers={"location": "https://elsewhere.example/v1/x"})
        return hx.Response(200, json=OK)

    client, seen, _ = make_client(handler)
    client.request(dict, FinalRequest("GET", "https://api.testcloud.example/v1/x"))
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert seen[1].url.host == "elsewhere.example"
    assert "authorization" not in seen[1].headers


def test_debug_logs_hold_no_secret(make_client: Any, caplog: pytest.LogCaptureFixture, hx: Any) -> None:
    client, _, _ = make_client(sequence(hx.Response(503, json={}), hx.Response(200, json=OK)))
    with caplog.at_level(logging.DEBUG, logger="neocloud"):
        client.request(dict, FinalRequest("GET", "/v1/x"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /v1/x attempt=0" in text and "retry 1" in text
    assert KEY not in text


def test_async_retries_and_one_pool_per_event_loop(hx: Any) -> None:
    calls: list[Any] = []
    answers = iter([hx.Response(503, json={}), hx.Response(200, json=OK), hx.Response(200, json=OK)])

    def handler(request: Any) -> hx.Response:
        calls.append(request)
        return next(answers)

    client = AsyncTestClient(api_key=KEY)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client._sleep = fake_sleep

    async def run() -> Any:
        # Patch the per-loop pool factory so each loop's client uses the mock transport.
        loop = asyncio.get_running_loop()
        client._pool.per_loop[loop] = hx.AsyncClient(transport=hx.MockTransport(handler))
        return await client.request(dict, FinalRequest("GET", "/v1/x"))

    assert asyncio.run(run()) == OK
    assert asyncio.run(run()) == OK  # a second event loop gets its own pool
    assert len(calls) == 3 and len(sleeps) == 1


@pytest.mark.parametrize(
    ("response", "refused"),
    [
        (lambda hx: hx.Response(200, json={"ok": "x" * 50}), False),
        (lambda hx: hx.Response(200, content=b'{"ok": "' + b"x" * 5000 + b'"}'), True),  # declared length over
        (lambda hx: hx.Response(200, content=iter([b'{"ok": "', b"x" * 3000, b"x" * 3000, b'"}'])), True),  # streamed
        (lambda hx: hx.Response(500, content=b"e" * 5000), True),  # error bodies are bounded too
    ],
)
def test_oversized_bodies_are_refused_not_read(make_client: Any, response: Any, refused: bool, hx: Any) -> None:
    client, seen, _ = make_client(lambda r: response(hx), max_retries=0)
    client.max_response_bytes = 1024
    if refused:
        with pytest.raises(errors.APIResponseValidationError, match="larger than 1024 bytes"):
            client.request(object, FinalRequest("GET", "/v1/thing"))
    else:
        assert client.request(object, FinalRequest("GET", "/v1/thing")) == {"ok": "x" * 50}
    assert len(seen) == 1
