"""LangChain's standard unit suites for every chat and embeddings class."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests
from syrupy.assertion import SnapshotAssertion

from neocloud.langchain import (
    ChatCerebras,
    ChatClusterProtocol,
    ChatInferenceKey,
    ChatMetalCloud,
    ChatRuncrate,
    ClusterProtocolEmbeddings,
    InferenceKeyEmbeddings,
)

SERDES_XFAIL = pytest.mark.xfail(
    strict=True,
    reason=(
        "not a provider limitation: langchain-core's loader with allowed_objects='all' admits only the classes "
        "listed in langchain_core.load.mapping, so no third-party namespace can load there; the snapshot half "
        "passes, and test_serialization.py round-trips every class with an explicit allowlist"
    ),
)


class _Unit(ChatModelUnitTests):
    model_id = ""
    env: dict[str, str] = {}
    key = ""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": self.model_id}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return self.env, {"model": self.model_id}, {"api_key": self.key}

    @SERDES_XFAIL
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)


class TestChatCerebrasUnit(_Unit):
    chat_model_class = ChatCerebras  # type: ignore[assignment]
    model_id, key = "llama3.1-8b", "csk-unit-env-key"
    env = {"CEREBRAS_API_KEY": key, "CEREBRAS_BASE_URL": "https://api.cerebras.test"}


class TestChatClusterProtocolUnit(_Unit):
    chat_model_class = ChatClusterProtocol  # type: ignore[assignment]
    model_id, key = "llama-3.1-70b", "sk-cluster-unit-env-key"
    env = {"CLUSTER_API_KEY": key, "CLUSTER_BASE_URL": "https://api.clusterprotocol.test"}


class TestChatRuncrateUnit(_Unit):
    chat_model_class = ChatRuncrate  # type: ignore[assignment]
    model_id, key = "deepseek-ai/DeepSeek-V3", "rc_live_unit-env-key"
    env = {"RUNCRATE_API_KEY": key, "RUNCRATE_INFERENCE_URL": "https://api.runcrate.test"}


class TestChatInferenceKeyUnit(_Unit):
    chat_model_class = ChatInferenceKey  # type: ignore[assignment]
    model_id, key = "support-bot", "ik_live_unit-env-key"
    env = {"INFERENCEKEY_API_KEY": key, "INFERENCEKEY_PROJECT": "acme",
           "INFERENCEKEY_BASE_URL": "https://api.inferencekey.test"}  # fmt: skip


class TestChatMetalCloudUnit(_Unit):
    chat_model_class = ChatMetalCloud  # type: ignore[assignment]
    model_id, key = "meta-llama/Llama-3.3-70B", "mc_unit-env-key"
    env = {"METALCLOUD_API_KEY": key, "METALCLOUD_BASE_URL": "https://api.metalcloud.test"}
    # Tools and structured output are on, through the prompted protocol (bind_tools, with_structured_output).


class TestClusterProtocolEmbeddingsUnit(EmbeddingsUnitTests):
    embeddings_class = ClusterProtocolEmbeddings  # type: ignore[assignment]
    embedding_model_params = {"model": "bge-large-en-v1.5"}  # type: ignore[assignment]
    init_from_env_params = (  # type: ignore[assignment]
        {"CLUSTER_API_KEY": "sk-cluster-unit-env-key", "CLUSTER_BASE_URL": "https://api.clusterprotocol.test"},
        {"model": "bge-large-en-v1.5"},
        {"api_key": "sk-cluster-unit-env-key"},
    )


class TestInferenceKeyEmbeddingsUnit(EmbeddingsUnitTests):
    embeddings_class = InferenceKeyEmbeddings  # type: ignore[assignment]
    embedding_model_params = {"model": "embedder", "project": "acme"}  # type: ignore[assignment]
    init_from_env_params = (  # type: ignore[assignment]
        {"INFERENCEKEY_API_KEY": "ik_live_unit-env-key", "INFERENCEKEY_PROJECT": "acme"},
        {"model": "embedder"},
        {"api_key": "ik_live_unit-env-key", "project": "acme"},
    )
