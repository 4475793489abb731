"""LangChain's standard unit suite for every chat class."""

from __future__ import annotations

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from neocloud.langchain import ChatCerebras


class TestChatCerebrasUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatCerebras]:
        return ChatCerebras

    @property
    def chat_model_params(self) -> dict[str, str]:
        return {"model": "llama3.1-8b"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        return (
            {"CEREBRAS_API_KEY": "csk-unit-env-key", "CEREBRAS_BASE_URL": "https://api.cerebras.test"},
            {"model": "llama3.1-8b"},
            {"api_key": "csk-unit-env-key"},
        )

    @pytest.mark.xfail(
        strict=True,
        reason=(
            "not a provider limitation: langchain-core's loader with allowed_objects='all' admits only the classes "
            "listed in langchain_core.load.mapping, so no third-party namespace can load there; the snapshot half "
            "passes, and test_serialization.py round-trips ChatCerebras with an explicit allowlist"
        ),
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)
