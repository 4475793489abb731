"""The per-call paths do their work once: validation straight through the model's pydantic-core validator, request
headers, URL and timeout reused across calls, and still right whenever the key, headers or timeout change."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from neocloud.core import errors
from neocloud.core._base import FinalRequest
from neocloud.core._fastjson import json_validator, validator_of_method
from neocloud.core._types import Timeout
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk

from .conftest import KEY

BODY = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}  # fmt: skip


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("model_validate_json called on the hot path")


def test_bodies_are_validated_by_the_models_own_validator(
    make_client: Any, hx: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _, _ = make_client(lambda r: hx.Response(200, json=BODY))
    assert client.request(ChatCompletion, FinalRequest("POST", "/v1/chat/completions")).id == "c1"
    monkeypatch.setattr(ChatCompletion, "model_validate_json", classmethod(_refuse))
    reply = client.request(ChatCompletion, FinalRequest("POST", "/v1/chat/completions"))
    assert isinstance(reply, ChatCompletion) and reply.choices[0].message.content == "hi"
    # The same typed validation and the same error.
    bad, _, _ = make_client(lambda r: hx.Response(200, json={**BODY, "choices": 3}))
    with pytest.raises(errors.APIResponseValidationError, match="not a valid ChatCompletion"):
        bad.request(ChatCompletion, FinalRequest("POST", "/v1/chat/completions"))


def test_a_model_that_validates_its_own_way_keeps_it() -> None:
    class Custom(ChatCompletion):
        @classmethod
        def model_validate_json(cls, json_data: Any, **kwargs: Any) -> Any:
            return "custom"

    assert json_validator(Custom)(json.dumps(BODY)) == "custom"
    assert validator_of_method(Custom.model_validate_json)(json.dumps(BODY)) == "custom"
    assert json_validator(dict) is None
    plain = validator_of_method(ChatCompletionChunk.model_validate_json)
    assert plain is not None and plain('{"id": "x", "choices": []}').id == "x"


def test_cached_headers_follow_the_key_and_headers_of_each_copy(make_client: Any, hx: ModuleType) -> None:
    client, seen, _ = make_client(lambda r: hx.Response(200, json={}), default_headers={"X-Team": "a"})
    other = client.with_options(api_key="other-key", default_headers={"X-Team": "b"})
    slow = client.with_options(timeout=Timeout(connect=1, read=2, write=3, total=None))
    for c in (client, other, client, slow):
        c.request(dict, FinalRequest("GET", "/v1/x", headers={"X-Call": "1"}, idempotency_key="k"))
    assert [(r.headers["authorization"], r.headers["x-team"]) for r in seen] == [
        (f"Bearer {KEY}", "a"), ("Bearer other-key", "b"), (f"Bearer {KEY}", "a"), (f"Bearer {KEY}", "a"),
    ]  # fmt: skip
    assert all(r.headers["x-call"] == "1" and r.headers["idempotency-key"] == "k" for r in seen)
    assert "x-call" not in client._default_headers() and "Idempotency-Key" not in client._default_headers()
    assert [r.extensions["timeout"]["read"] for r in seen] == [60.0, 60.0, 60.0, 2.0]
    assert str(seen[0].url) == "https://api.testcloud.example/v1/x"


def test_a_chunk_carries_no_private_state_until_priced() -> None:
    import copy
    import pickle
    from decimal import Decimal

    from neocloud.core.pricing import Cost
    from neocloud.core.pricing._meter import _usage

    chunk = ChatCompletionChunk.model_validate_json(
        '{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}'
    )
    # Nothing per chunk: pydantic builds no private state for a model without declared private attributes.
    assert chunk.__pydantic_private__ is None and chunk.cost is None
    assert _usage(chunk) is None  # (and the meter asks a wire model for nothing it lacks)
    chunk.attach_cost(Cost(Decimal("0.25"), "catalog"))
    assert chunk.cost == {"usd": "0.25", "source": "catalog"}
    for copied in (copy.copy(chunk), copy.deepcopy(chunk), pickle.loads(pickle.dumps(chunk))):
        assert copied.cost == chunk.cost
    response = ChatCompletion.model_validate_json(json.dumps(BODY))
    response.attach_cost(None)
    assert response.cost is None and "cost" not in response.model_dump()
