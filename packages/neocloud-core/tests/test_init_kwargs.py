"""The constructor-argument policy of every framework class (table-driven): aliases, pass-through, errors."""

from __future__ import annotations

from typing import Any

import pytest

from neocloud.core.errors import RequestValidationError
from neocloud.core.init_kwargs import sort_init_kwargs
from neocloud.core.provider import OPENAI_CHAT_PARAMS, OPENAI_EMBEDDING_PARAMS

FIELDS = {"model", "api_key", "base_url", "timeout", "max_retries", "temperature", "max_tokens", "model_kwargs"}
PARAMS = {"frequency_penalty", "presence_penalty", "temperature", "max_tokens", "logit_bias"}


def sort(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    return sort_init_kwargs(values, owner="ChatX", fields=FIELDS, request_params=PARAMS, extra_field="model_kwargs")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"model": "m", "temperature": 0.1}, {"model": "m", "temperature": 0.1}),
        ({"api_base": "http://a"}, {"base_url": "http://a"}),
        ({"openai_api_base": "http://a"}, {"base_url": "http://a"}),
        ({"openai_api_key": "k"}, {"api_key": "k"}),
        ({"request_timeout": 5}, {"timeout": 5}),
        ({"model_kwargs": {"seed_of_mine": 1}}, {"model_kwargs": {"seed_of_mine": 1}}),
        ({"model_kwargs": {}}, {"model_kwargs": {}}),
        ({"frequency_penalty": 0.5}, {"model_kwargs": {"frequency_penalty": 0.5}}),
        ({"frequency_penalty": 0.5, "model_kwargs": {"x": 1}}, {"model_kwargs": {"x": 1, "frequency_penalty": 0.5}}),
    ],
)
def test_accepted_arguments(given: dict[str, Any], expected: dict[str, Any]) -> None:
    out, _ = sort(given)
    assert out == expected


def test_a_request_parameter_moves_with_a_warning_naming_it() -> None:
    _, notes = sort({"frequency_penalty": 0.5, "presence_penalty": 0.1, "model": "m"})
    assert len(notes) == 2
    assert "frequency_penalty is not a parameter of ChatX; it was transferred to model_kwargs" in notes[0]
    assert "presence_penalty" in notes[1]
    assert sort({"api_base": "u", "model": "m"})[1] == []  # aliases and fields: no warning


def test_the_input_is_not_modified() -> None:
    given = {"api_base": "u", "frequency_penalty": 1.0}
    sort(given)
    assert given == {"api_base": "u", "frequency_penalty": 1.0}


@pytest.mark.parametrize(
    ("given", "param", "words"),
    [
        ({"temprature": 0.1}, "temprature", ["unknown argument 'temprature'", "nearest valid name: 'temperature'"]),
        ({"foo": 1}, "foo", ["unknown argument 'foo'", "nearest valid name:", "model_kwargs={...}"]),
        ({"api_bse": "u"}, "api_bse", ["nearest valid name: 'api_base'"]),
        ({"api_base": "a", "base_url": "b"}, "api_base", ["both 'base_url' and its alias 'api_base'"]),
        ({"openai_api_key": "a", "api_key": "b"}, "openai_api_key", ["both 'api_key' and its alias"]),
        ({"model_kwargs": {"temperature": 1}}, "model_kwargs.temperature", ["pass temperature=... itself"]),
        ({"model_kwargs": {"request_timeout": 1}}, "model_kwargs.request_timeout", ["pass timeout=... itself"]),
        ({"frequency_penalty": 1, "model_kwargs": {"frequency_penalty": 2}}, "frequency_penalty", ["given twice"]),
        ({"model_kwargs": "x"}, "model_kwargs", ["must be a dict"]),
    ],
)
def test_rejected_arguments_name_the_argument(given: dict[str, Any], param: str, words: list[str]) -> None:
    with pytest.raises(RequestValidationError) as info:
        sort(given)
    assert info.value.param == param
    for word in words:
        assert word in str(info.value)
    assert "secret" not in str(info.value)


def test_a_key_value_never_appears_in_an_error() -> None:
    with pytest.raises(RequestValidationError) as info:
        sort({"openai_api_key": "sk-secret-value", "api_key": "sk-other-secret"})
    assert "secret" not in str(info.value)


def test_the_openai_parameter_lists_match_the_wire_request_models() -> None:
    from neocloud.core.wire import ChatCompletionRequest
    from neocloud.core.wire.embeddings import EmbeddingRequest

    adapters_own = {"model", "messages", "stream", "stream_options"}
    assert set(ChatCompletionRequest.model_fields) - adapters_own == OPENAI_CHAT_PARAMS
    assert set(EmbeddingRequest.model_fields) - {"model", "input"} == OPENAI_EMBEDDING_PARAMS
