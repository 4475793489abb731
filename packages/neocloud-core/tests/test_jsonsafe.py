"""``neocloud.core.jsonsafe`` (what may go into a JSON body, pure, table-driven), strict request models, and the
transport's refusal of a body it cannot encode."""

from __future__ import annotations

import json
import math
from types import ModuleType
from typing import Any

import pytest

from neocloud.core._base import ClientProfile, FinalRequest
from neocloud.core._client import SyncAPIClient
from neocloud.core.errors import LocalBadRequestError, RequestValidationError
from neocloud.core.jsonsafe import MAX_DEPTH, json_problem
from neocloud.core.validation import validated_body
from neocloud.core.wire import ChatCompletionRequest, EmbeddingRequest


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"x": value}
    return value


cycle: dict[str, Any] = {}
cycle["self"] = cycle

JSON_DATA = [None, True, 0, -(2**70), 1.5, "", "text", "modèle 🙂", [], {}, [1, "a", None], {"a": {"b": [1.0]}},
             (1, 2), nested(MAX_DEPTH - 1)]  # fmt: skip
NOT_JSON = [
    (b"hi", "", "bytes"),
    (math.nan, "", "NaN"),
    (math.inf, "", "inf"),
    (-math.inf, "", "inf"),
    ("\ud800", "", "surrogate"),
    ("ok \udfff", "", "surrogate"),
    ({1: "a"}, "", "keys must be strings"),
    ({"\ud800": 1}, "(key)", "surrogate"),
    ({1, 2}, "", "set"),
    (object(), "", "object"),
    ({"messages": [{"content": b"x"}]}, "messages.0.content", "bytes"),
    ({"logit_bias": {"5": math.nan}}, "logit_bias.5", "NaN"),
    ({"tools": [nested(10_000)]}, "tools.0", "nested more than"),
    (nested(MAX_DEPTH + 1), "x.x", "nested more than"),
    (cycle, "self", "nested more than"),
]


@pytest.mark.parametrize("value", JSON_DATA)
def test_json_data_passes(value: Any) -> None:
    assert json_problem(value) is None
    json.dumps(value, allow_nan=False).encode("utf-8")  # and the encoder agrees


@pytest.mark.parametrize(("value", "where", "reason"), NOT_JSON)
def test_what_is_not_json_is_found_and_located(value: Any, where: str, reason: str) -> None:
    found = json_problem(value)
    assert found is not None
    assert found[0].startswith(where or "(body)") and reason in found[1], found


def test_problems_are_reported_in_document_order() -> None:
    assert json_problem({"a": 1, "b": b"x", "c": math.nan}) == ("b", "a bytes is not JSON data")


class Refused(RequestValidationError):
    """A provider's local class."""


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"max_tokens": "5"}, "max_tokens"),
        ({"max_tokens": 5.0}, "max_tokens"),  # refused, not normalised: 5.0 is not an integer argument
        ({"max_tokens": True}, "max_tokens"),
        ({"temperature": "0.5"}, "temperature"),
        ({"temperature": True}, "temperature"),
        ({"temperature": math.nan}, "temperature"),
        ({"logit_bias": {"1": math.inf}}, "logit_bias"),
        ({"stop": 5}, "stop"),
        ({"stream": 1}, "stream"),
        ({"temprature": 0.5}, "temprature"),
    ],
)
def test_request_models_are_strict_and_closed(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(Refused) as info:
        validated_body(ChatCompletionRequest, {"model": "m", "messages": [{"role": "user", "content": "hi"}],
                                               **fields}, error=Refused)  # fmt: skip
    assert info.value.param is not None and info.value.param.split(".")[0] == param


def test_the_validated_body_is_the_models() -> None:
    sent = validated_body(EmbeddingRequest, {"input": ["a"], "model": "m", "dimensions": 8}, error=Refused)
    assert sent == {"model": "m", "input": ["a"], "dimensions": 8}  # only the fields given
    chat = validated_body(
        ChatCompletionRequest,
        {"model": "m", "messages": [{"role": "user", "content": "hi", "provider_field": 1}], "top_p": 1,
         "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}}},
        error=Refused,
    )  # fmt: skip
    assert chat["top_p"] == 1.0 and isinstance(chat["top_p"], float)
    assert chat["messages"] == [{"role": "user", "content": "hi", "provider_field": 1}]  # nested parts stay open
    assert chat["response_format"]["json_schema"]["schema"] == {"type": "object"}  # by its wire name


class _Client(SyncAPIClient):
    profile = ClientProfile(provider="t", distribution="neocloud-core", default_base_url="http://t.invalid",
                            api_key_required=False, local_error=LocalBadRequestError)  # fmt: skip


def _never(request: Any) -> Any:
    raise AssertionError("sent")


@pytest.mark.parametrize(
    ("request_", "param"),
    [
        (FinalRequest("POST", "/x", json={"a": [1, math.nan]}), "a.1"),
        (FinalRequest("POST", "/x", json={"text": "\ud800"}), "text"),
        (FinalRequest("POST", "/x", json={"blob": b"\x00"}), "blob"),
        (FinalRequest("POST", "/x", json=nested(5_000)), "x"),
        (FinalRequest("GET", "/x", params={"after": object()}), "after"),
    ],
)
def test_the_transport_refuses_what_it_cannot_encode(request_: FinalRequest, param: str, hx: ModuleType) -> None:
    client = _Client(http_client=hx.Client(transport=hx.MockTransport(_never)))
    with pytest.raises(LocalBadRequestError) as info:
        client.request(object, request_)
    assert info.value.param is not None and info.value.param.startswith(param)
