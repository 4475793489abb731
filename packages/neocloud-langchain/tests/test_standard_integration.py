"""LangChain's standard integration suites for every chat and embeddings class, replayed from cassettes
recorded against the sandbox (``make record ARGS=packages/neocloud-langchain``).

Where a standard test checks a specific model answer, the answer is scripted here, visibly, in ``SCRIPTS``;
everything else is what the sandbox's emulator answers on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests, EmbeddingsIntegrationTests
from neocloud_testing.prompted import prompted_calls, prompted_reply
from neocloud_testing.targets import Target, env_for, provision_workload

from neocloud.langchain import (
    ChatCerebras,
    ChatClusterProtocol,
    ChatInferenceKey,
    ChatMetalCloud,
    ChatRuncrate,
    ClusterProtocolEmbeddings,
    InferenceKeyEmbeddings,
)

pytestmark = pytest.mark.vcr


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


MAGIC = {"tool_calls": [call("magic_function", input=3)]}
# JSON mode only promises JSON; the keys come from the prompt, which a model reads and the emulator does not.
JOKE = {"content": '{"setup": "Why did the cat sit on the GPU?", "punchline": "To keep an eye on the cache."}'}
# Tool arguments that copy text out of the prompt (here: non-Latin names, checked to survive the round trip).
CUSTOMERS = [
    {"tool_calls": [{"name": "unicode_customer",
                     "arguments": {"customer_name": "你好啊集团", "description": "A Chinese technology company"}}]},
    {"tool_calls": [{"name": "unicode_customer",
                     "arguments": {"customer_name": "こんにちは株式会社", "description": "A Japanese company"}}]},
]  # fmt: skip
# test name → the answers it needs, in request order (sent to the sandbox only while recording).
SCRIPTS: dict[str, list[dict[str, Any]]] = {
    "test_tool_calling": [MAGIC, MAGIC],
    "test_tool_calling_async": [MAGIC, MAGIC],
    "test_json_mode": [JOKE] * 4,
    "test_unicode_tool_call_integration": CUSTOMERS,
}

# MetalCloud has no tools on the wire: ChatMetalCloud asks for them through the prompted protocol, so a model's
# answer is the protocol's JSON text. With tools bound every answer must follow it (an unscripted emulator answer is
# prose and would rightly be refused), so each tool test scripts all of its answers; structured output scripts
# the JSON document itself.
JOKE_JSON = {"content": '{"setup": "Why did the cat sit on the GPU?", "punchline": "To keep an eye on the cache."}'}
SETUP_ONLY = {"content": '{"setup": "Why did the cat sit on the GPU?"}'}
REPLY = prompted_reply("1 + 2 = 3.")
PROMPTED_SCRIPTS: dict[str, list[dict[str, Any]]] = {
    "test_tool_calling": [prompted_calls(*MAGIC["tool_calls"])] * 2,
    "test_tool_calling_async": [prompted_calls(*MAGIC["tool_calls"])] * 2,
    "test_bind_runnables_as_tools": [prompted_calls(call("greeting_generator", answer_style="pirate"))],
    "test_tool_message_histories_string_content": [REPLY],
    "test_tool_message_histories_list_content": [REPLY],
    "test_tool_choice": [prompted_calls(*MAGIC["tool_calls"])] * 2,
    "test_tool_calling_with_no_arguments": [prompted_calls(call("magic_function_no_args"))] * 2,
    "test_tool_message_error_status": [prompted_reply("I need both numbers: what is b?")],
    "test_structured_few_shot_examples": [prompted_calls(call("my_adder_tool", a=3, b=4))],
    "test_structured_output": [JOKE_JSON] * 2,
    "test_structured_output_async": [JOKE_JSON] * 2,
    "test_structured_output_pydantic_2_v1": [JOKE_JSON] * 4,
    "test_structured_output_optional_param": [SETUP_ONLY, JOKE_JSON, JOKE_JSON, JOKE_JSON],
    "test_json_mode": [JOKE] * 4,
    "test_agent_loop": [prompted_calls(call("get_weather", location="San Francisco, CA")),
                        prompted_reply("It's sunny in San Francisco.")],
    "test_unicode_tool_call_integration": [prompted_calls(*c["tool_calls"]) for c in CUSTOMERS],
}  # fmt: skip


class _PointAtTarget:
    target_fixture = ""
    workload: tuple[str, str] | None = None
    scripts = SCRIPTS

    @pytest.fixture(autouse=True)
    def _point_at_target(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        target: Target = request.getfixturevalue(self.target_fixture)
        for name, value in env_for(target).items():
            monkeypatch.setenv(name, value)
        if self.workload is not None:
            provision_workload(target, *self.workload)
        script = self.scripts.get(request.node.originalname)
        if script:
            target.script(*script)
        yield


class _Chat(_PointAtTarget, ChatModelIntegrationTests):
    model_id = ""
    override: str | None = None

    @property
    def model_override_value(self) -> str | None:
        return self.override

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": self.model_id}

    @property
    def supports_json_mode(self) -> bool:
        return True


class TestChatCerebrasIntegration(_Chat):
    chat_model_class = ChatCerebras  # type: ignore[assignment]
    target_fixture, model_id, override = "cerebras_target", "llama3.1-8b", "llama-3.3-70b"


class TestChatClusterProtocolIntegration(_Chat):
    chat_model_class = ChatClusterProtocol  # type: ignore[assignment]
    target_fixture, model_id, override = "cluster_target", "llama-3.1-8b", "llama-3.1-70b"


class TestChatRuncrateIntegration(_Chat):
    chat_model_class = ChatRuncrate  # type: ignore[assignment]
    target_fixture, model_id, override = "runcrate_target", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen2.5-Coder-32B-Instruct"


class TestChatInferenceKeyIntegration(_Chat):
    chat_model_class = ChatInferenceKey  # type: ignore[assignment]
    target_fixture, model_id = "inferencekey_target", "support-bot"
    workload = ("support-bot", "text2text")
    # No model override: an InferenceKey model is bound to one workload endpoint (the slug is in the URL).


class TestChatMetalCloudIntegration(_Chat):
    chat_model_class = ChatMetalCloud  # type: ignore[assignment]
    target_fixture, model_id, override = "metalcloud_target", "meta-llama/Llama-3.3-70B", "meta-llama/Llama-3.1-8B"
    # Tools, tool_choice, structured output and JSON mode all run, through the prompted protocol.
    scripts = PROMPTED_SCRIPTS


class TestClusterProtocolEmbeddingsIntegration(_PointAtTarget, EmbeddingsIntegrationTests):
    embeddings_class = ClusterProtocolEmbeddings  # type: ignore[assignment]
    embedding_model_params = {"model": "bge-large-en-v1.5"}  # type: ignore[assignment]
    target_fixture = "cluster_target"


class TestInferenceKeyEmbeddingsIntegration(_PointAtTarget, EmbeddingsIntegrationTests):
    embeddings_class = InferenceKeyEmbeddings  # type: ignore[assignment]
    embedding_model_params = {"model": "embedder"}  # type: ignore[assignment]
    target_fixture = "inferencekey_target"
    workload = ("embedder", "embedding")
