"""Serialization: round trip with an explicit allowlist, and the key never serialized."""

from __future__ import annotations

import json

import pytest
from langchain_core.load import dumpd, dumps, load

from neocloud.langchain import ChatCerebras

KEY = "csk-serialization-secret"


def test_round_trip_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ChatCerebras(
        model="llama3.1-8b", api_key=KEY, temperature=0.2, max_tokens=50, model_kwargs={"reasoning_effort": "low"}
    )
    text = dumps(model)
    assert KEY not in text and KEY not in repr(model) and KEY not in str(model)
    data = json.loads(text)
    assert data["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["CEREBRAS_API_KEY"]}
    monkeypatch.setenv("CEREBRAS_API_KEY", KEY)
    loaded = load(dumpd(model), valid_namespaces=["neocloud"], allowed_objects=[ChatCerebras], secrets_from_env=True)
    assert isinstance(loaded, ChatCerebras)
    assert loaded.model_dump() == model.model_dump()
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == KEY


def test_ls_params_hold_no_secret() -> None:
    model = ChatCerebras(model="llama3.1-8b", api_key=KEY)
    params = model._get_ls_params(stop=["END"])
    assert (
        params["ls_provider"] == "cerebras"
        and params["ls_model_name"] == "llama3.1-8b"
        and params["ls_stop"] == ["END"]
    )
    assert KEY not in json.dumps(params, default=str)
