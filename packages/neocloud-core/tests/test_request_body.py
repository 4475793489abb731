"""The request body is validated in one pass straight into what is sent: the same body, refusals and error
messages as validating a model and dumping it, without building the model."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ConfigDict, Field, ValidationError, model_validator

from neocloud.core._dict_schema import dict_validator
from neocloud.core.errors import LocalBadRequestError
from neocloud.core.openai_compat import build_body
from neocloud.core.validation import validated_body
from neocloud.core.wire import ChatCompletionRequest, CompletionRequest, EmbeddingRequest, RequestModel

USER = {"role": "user", "content": "Hi"}
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}  # fmt: skip

BODIES: list[tuple[type[RequestModel], dict[str, Any]]] = [
    (ChatCompletionRequest, {"model": "m", "messages": [USER]}),
    (ChatCompletionRequest, {"model": "m", "messages": [USER], "stream": True, "stream_options": {"include_usage": True},
                             "temperature": 1, "top_p": 0.5, "max_tokens": 5, "stop": ["a", "b"], "seed": 3}),
    (ChatCompletionRequest, {"model": "m", "tools": [TOOL], "tool_choice": {"type": "function",
                             "function": {"name": "get_weather"}}, "parallel_tool_calls": False, "messages": [
        {"role": "system", "content": "Be brief.", "name": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "see"},
                                     {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
                                                              "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "content": "Sunny", "tool_call_id": "c1"},
        {"role": "user", "content": "thanks", "provider_field": {"kept": [1, 2]}},
    ]}),
    (ChatCompletionRequest, {"model": "m", "messages": [USER], "logit_bias": {"42": -1, "7": 0.5},
                             "response_format": {"type": "json_schema", "json_schema": {
                                 "name": "Film", "strict": True, "schema": {"type": "object", "properties": {}}}}}),
    (ChatCompletionRequest, {"model": "m", "messages": [USER], "response_format": {"type": "json_object"},
                             "user": "u", "n": 1, "logprobs": True, "top_logprobs": 2}),
    (CompletionRequest, {"model": "m", "prompt": "Once"}),
    (EmbeddingRequest, {"model": "m", "input": ["a", "b"]}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "data"), BODIES)
def test_body_is_what_validating_and_dumping_gave(model: type[RequestModel], data: dict[str, Any]) -> None:
    want = model.model_validate(data).model_dump(by_alias=True, exclude_unset=True)
    got = validated_body(model, data, error=LocalBadRequestError)
    assert got == want and list(got) == list(want)
    assert repr(got) == repr(want)  # same types too (an int given for a float stays what the dump had)


def test_no_model_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    validated_body(ChatCompletionRequest, BODIES[2][1], error=LocalBadRequestError)  # (the validator is made once)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request model was built and dumped")

    monkeypatch.setattr(ChatCompletionRequest, "model_validate", refuse)
    monkeypatch.setattr(ChatCompletionRequest, "model_dump", refuse)
    body = build_body(ChatCompletionRequest, {"model": "m", "messages": [USER], "max_tokens": 5}, extra_body=None,
                      what="chat.completions.create", error=LocalBadRequestError)  # fmt: skip
    assert body == {"model": "m", "messages": [USER], "max_tokens": 5}


def test_sent_body_shares_nothing_with_the_callers_data() -> None:
    data = copy.deepcopy(BODIES[2][1])
    body = validated_body(ChatCompletionRequest, data, error=LocalBadRequestError)
    snapshot = copy.deepcopy(body)
    data["tools"][0]["function"]["parameters"]["properties"]["city"]["type"] = "integer"
    data["messages"][4]["provider_field"]["kept"].append(3)
    data["messages"][1]["content"][1]["image_url"]["url"] = "https://elsewhere"
    assert body == snapshot


REFUSED = [
    ({"max_tokens": "5"}, "max_tokens", "valid integer"),
    ({"max_tokens": 5.0}, "max_tokens", "valid integer"),
    ({"max_tokens": True}, "max_tokens", "valid integer"),
    ({"max_tokens": 0}, "max_tokens", "greater than 0"),
    ({"temperature": "0.5"}, "temperature", "valid number"),
    ({"temperature": 3}, "temperature", "less than or equal to 2"),
    ({"stream": "yes"}, "stream", "valid boolean"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "at most 4 stop sequences"),
    ({"bogus": 1}, "bogus", "unknown argument"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages.0", "does not match any of the expected tags"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages.0.tool.tool_call_id", "Field required"),
    ({"tools": [{"type": "function", "function": {"name": "bad name"}}]}, "tools.0.function.name", "pattern"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": ""}}},
     "response_format.json_schema.json_schema.name", "at least 1 character"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "param", "says"), REFUSED)
def test_refusals_are_unchanged(change: dict[str, Any], param: str, says: str) -> None:
    data = {"model": "m", "messages": [USER], **change}
    with pytest.raises(ValidationError) as by_model:
        ChatCompletionRequest.model_validate(data)
    with pytest.raises(LocalBadRequestError) as refused:
        validated_body(ChatCompletionRequest, data, error=LocalBadRequestError, what="chat.completions.create")
    assert refused.value.param == param and says in str(refused.value)
    first = by_model.value.errors(include_url=False)[0]
    assert ".".join(str(p) for p in first["loc"]) == param or param == "bogus"


class _Checked(RequestModel):
    model_config = ConfigDict(extra="forbid")

    low: int = Field(default=0, ge=0)
    high: int = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> _Checked:
        if self.low > self.high:
            raise ValueError("low: must not exceed high")
        return self


def test_a_model_validator_keeps_the_model_path() -> None:
    assert dict_validator(_Checked) is None and dict_validator(ChatCompletionRequest) is not None
    assert validated_body(_Checked, {"low": 1}, error=LocalBadRequestError) == {"low": 1}
    with pytest.raises(LocalBadRequestError) as refused:
        validated_body(_Checked, {"low": 11}, error=LocalBadRequestError)
    assert refused.value.param == "low"


def test_cost_is_set_and_read_without_pydantic_getattr(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.core.pricing import ModelPrice
    from neocloud.core.pricing._meter import Meter
    from neocloud.core.wire import ChatCompletion

    answer = ChatCompletion.model_validate({"model": "m", "usage": {"prompt_tokens": 1_000_000, "completion_tokens": 0,
                                                                    "total_tokens": 1_000_000}})  # fmt: skip
    assert answer.cost is None
    meter = Meter(provider="p", catalog={"m": ModelPrice(input_per_m=Decimal("0.5"), output_per_m=Decimal("1"))})
    seen: list[str] = []
    original_get, original_set = ChatCompletion.__getattr__, ChatCompletion.__setattr__

    def spy_get(self: Any, name: str) -> Any:
        seen.append(name)
        return original_get(self, name)

    def spy_set(self: Any, name: str, value: Any) -> None:
        seen.append(name)
        original_set(self, name, value)

    monkeypatch.setattr(ChatCompletion, "__getattr__", spy_get)
    monkeypatch.setattr(ChatCompletion, "__setattr__", spy_set)
    meter.price_response("m", answer)
    assert answer.cost == {"usd": "0.5", "source": "catalog"} and seen == []
