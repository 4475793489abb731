"""Serialization: round trip with an explicit allowlist, and the key never serialized, for every class."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core._api.beta_decorator import LangChainBetaWarning
from langchain_core.load import dumpd, dumps, load

from neocloud.langchain import (
    ChatCerebras,
    ChatClusterProtocol,
    ChatInferenceKey,
    ChatMetalCloud,
    ChatRuncrate,
    ClusterProtocolEmbeddings,
    InferenceKeyEmbeddings,
)

CHATS: list[tuple[type[Any], str, str, dict[str, Any]]] = [
    (ChatCerebras, "llama3.1-8b", "CEREBRAS_API_KEY", {"model_kwargs": {"reasoning_effort": "low"}}),
    (ChatClusterProtocol, "llama-3.1-70b", "CLUSTER_API_KEY", {}),
    (ChatRuncrate, "deepseek-ai/DeepSeek-V3", "RUNCRATE_API_KEY", {}),
    (ChatInferenceKey, "support-bot", "INFERENCEKEY_API_KEY", {"project": "acme"}),
    (ChatMetalCloud, "meta-llama/Llama-3.3-70B", "METALCLOUD_API_KEY", {}),
]
KEY = "secret-serialization-value-0123456789"


@pytest.mark.parametrize(("cls", "model_id", "env", "extra"), CHATS, ids=[c[0].__name__ for c in CHATS])
def test_round_trip_without_the_key(
    cls: type[Any], model_id: str, env: str, extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(env, raising=False)
    model = cls(model=model_id, api_key=KEY, temperature=0.2, max_tokens=50, **extra)
    text = dumps(model)
    assert KEY not in text and KEY not in repr(model) and KEY not in str(model)
    assert json.loads(text)["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": [env]}
    monkeypatch.setenv(env, KEY)
    with warnings.catch_warnings():
        # langchain-core marks load() as beta; it is the documented way back from dumps(), tested on purpose.
        warnings.filterwarnings("ignore", "The function `load` is in beta", LangChainBetaWarning)
        loaded = load(dumpd(model), valid_namespaces=["neocloud"], allowed_objects=[cls], secrets_from_env=True)
    assert isinstance(loaded, cls) and loaded.model_dump() == model.model_dump()
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == KEY


@pytest.mark.parametrize(("cls", "model_id", "env", "extra"), CHATS, ids=[c[0].__name__ for c in CHATS])
def test_ls_params_hold_no_secret(cls: type[Any], model_id: str, env: str, extra: dict[str, Any]) -> None:
    model = cls(model=model_id, api_key=KEY, **extra)
    params = model._get_ls_params(stop=["END"])
    assert params["ls_provider"] == model._provider and params["ls_model_name"] == model_id
    assert params["ls_stop"] == ["END"] and params["ls_model_type"] == "chat"
    assert KEY not in json.dumps(params, default=str)


@pytest.mark.parametrize("cls", [ClusterProtocolEmbeddings, InferenceKeyEmbeddings])
def test_embeddings_never_show_the_key(cls: type[Any]) -> None:
    emb = cls(model="m", api_key=KEY, project="acme") if cls is InferenceKeyEmbeddings else cls(api_key=KEY)
    assert KEY not in repr(emb) and KEY not in str(emb) and KEY not in json.dumps(emb.model_dump(mode="json"))
