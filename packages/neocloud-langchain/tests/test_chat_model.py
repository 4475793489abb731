"""ChatCerebras over a mock transport: exact request bodies, results, errors, imports, registry."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelRateLimitError
from neocloud_testing.fakes import chunk, completion, sse
from pydantic import BaseModel

from neocloud.core import errors as nc
from neocloud.langchain import PROVIDERS, ChatCerebras, init_chat_model


def model(server: Any, **kwargs: Any) -> ChatCerebras:
    return ChatCerebras(model="llama3.1-8b", api_key="csk-test", max_retries=0, **server.clients(), **kwargs)


def get_weather(city: str) -> str:
    """Weather for a city."""
    return city


def get_time(zone: str) -> str:
    """Time in a zone."""
    return zone


def test_invoke_body_usage_and_metadata(fake: Any) -> None:
    server = fake(lambda body: httpx.Response(200, json=completion(reasoning="Thinking.")))
    reply = model(server, temperature=0.1, max_tokens=20, model_kwargs={"reasoning_effort": "low"}).invoke(
        "Hello", stop=["END"]
    )
    assert server.bodies == [
        {
            "model": "llama3.1-8b",
            "messages": [{"role": "user", "content": "Hello"}],
            "temperature": 0.1,
            "max_tokens": 20,
            "reasoning_effort": "low",
            "stop": ["END"],
        }
    ]
    assert reply.content == "Hi there."
    assert reply.usage_metadata == {
        "input_tokens": 5,
        "output_tokens": 3,
        "total_tokens": 8,
        "input_token_details": {"cache_read": 2},
        "output_token_details": {"reasoning": 1},
    }
    assert reply.response_metadata["time_info"] == {"total_time": 0.01}
    assert reply.response_metadata["model_provider"] == "cerebras"
    assert reply.content_blocks[0] == {"type": "reasoning", "reasoning": "Thinking."}


def test_stream_requests_usage_and_merges_tool_fragments(fake: Any) -> None:
    frames = [
        chunk({"role": "assistant", "content": ""}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"ci'},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Paris"}'}}]}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": '{"zone": "UTC"}'},
                    }
                ]
            }
        ),
        chunk({}, "tool_calls", {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10}),
    ]
    server = fake(lambda body: sse(*frames))
    chunks = list(model(server).bind_tools([get_weather, get_time]).stream("Weather?"))
    assert server.bodies[0]["stream"] is True and server.bodies[0]["stream_options"] == {"include_usage": True}
    full = chunks[0]
    for c in chunks[1:]:
        full += c
    assert [(c["name"], c["args"], c["id"]) for c in full.tool_calls] == [
        ("get_weather", {"city": "Paris"}, "call_1"),
        ("get_time", {"zone": "UTC"}, "call_2"),
    ]
    assert full.usage_metadata is not None and full.usage_metadata["total_tokens"] == 10
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.response_metadata["finish_reason"] == "tool_calls" and full.response_metadata["time_info"] == {
        "total_time": 0.02
    }


def test_stream_usage_can_be_turned_off(fake: Any) -> None:
    server = fake(lambda body: sse(chunk({"content": "a"}, "stop")))
    list(model(server, stream_usage=False).stream("x"))
    assert "stream_options" not in server.bodies[0]


@pytest.mark.parametrize(
    ("tool_choice", "sent_choice", "sent_tools"),
    [
        ("get_time", "required", ["get_time"]),
        ({"type": "function", "function": {"name": "get_weather"}}, "required", ["get_weather"]),
        ("any", "required", ["get_weather", "get_time"]),
        (True, "required", ["get_weather", "get_time"]),
        ("auto", "auto", ["get_weather", "get_time"]),
        (None, None, ["get_weather", "get_time"]),
    ],
)
def test_tool_choice_translated_for_cerebras(
    fake: Any, tool_choice: Any, sent_choice: Any, sent_tools: list[str]
) -> None:
    server = fake(lambda body: httpx.Response(200, json=completion()))
    model(server).bind_tools([get_weather, get_time], tool_choice=tool_choice).invoke("x")
    body = server.bodies[0]
    assert body.get("tool_choice") == sent_choice
    assert [t["function"]["name"] for t in body["tools"]] == sent_tools


def test_structured_output_methods(fake: Any) -> None:
    class Film(BaseModel):
        title: str
        year: int

    args = '{"title": "Alien", "year": 1979}'
    server = fake(
        lambda body: httpx.Response(
            200,
            json=completion(
                None if body.get("tools") else args,
                [{"id": "c", "type": "function", "function": {"name": "Film", "arguments": args}}]
                if body.get("tools")
                else None,
            ),
        )
    )
    chat = model(server)
    assert chat.with_structured_output(Film).invoke("film") == Film(title="Alien", year=1979)
    assert server.bodies[-1]["response_format"]["type"] == "json_schema"
    assert server.bodies[-1]["response_format"]["json_schema"]["name"] == "Film" and "tools" not in server.bodies[-1]
    assert chat.with_structured_output(Film, method="function_calling").invoke("film") == Film(title="Alien", year=1979)
    assert server.bodies[-1]["tool_choice"] == "required" and [
        t["function"]["name"] for t in server.bodies[-1]["tools"]
    ] == ["Film"]
    raw = chat.with_structured_output(Film.model_json_schema(), method="json_mode", include_raw=True).invoke("film")
    assert server.bodies[-1]["response_format"] == {"type": "json_object"}
    assert raw["parsed"] == {"title": "Alien", "year": 1979} and raw["parsing_error"] is None


def test_default_structured_output_falls_back_when_json_schema_is_refused(fake: Any) -> None:
    class Film(BaseModel):
        title: str

    args = '{"title": "Alien"}'

    def answer(body: dict[str, Any]) -> httpx.Response:
        if "response_format" in body:  # this deployment refuses response_format: json_schema
            return httpx.Response(
                400, json={"message": "response_format is not supported", "type": "invalid_request_error"}
            )
        return httpx.Response(200, json=completion(None, [{"id": "c", "type": "function",
                                                            "function": {"name": "Film", "arguments": args}}]))  # fmt: skip

    server = fake(answer)
    assert model(server).with_structured_output(Film).invoke("film") == Film(title="Alien")
    assert [("response_format" in b, "tools" in b) for b in server.bodies] == [
        (True, False),
        (True, False),
        (False, True),
    ]
    with pytest.raises(Exception, match="response_format is not supported"):  # an explicit method never falls back
        model(server).with_structured_output(Film, method="json_schema").invoke("film")


def test_include_raw_reports_parse_errors(fake: Any) -> None:
    class Film(BaseModel):
        title: str

    server = fake(lambda body: httpx.Response(200, json=completion("not json")))
    out = model(server).with_structured_output(Film, include_raw=True).invoke("x")
    assert out["parsed"] is None and out["parsing_error"] is not None and out["raw"].content == "not json"


@pytest.mark.parametrize("path", ["invoke", "stream"])
def test_rate_limit_is_recognised_by_langchain_and_neocloud(fake: Any, path: str) -> None:
    server = fake(
        lambda body: httpx.Response(
            429, headers={"retry-after": "9"}, json={"error": {"message": "slow"}, "status_code": 429}
        )
    )
    chat = model(server)
    with pytest.raises(ModelRateLimitError) as info:
        chat.invoke("x") if path == "invoke" else list(chat.stream("x"))
    assert isinstance(info.value, nc.RateLimitError)
    assert info.value.retry_after == 9.0 and info.value.status_code == 429  # type: ignore[attr-defined]


async def test_async_paths(fake: Any) -> None:
    server = fake(
        lambda body: (
            sse(
                chunk({"content": "Hi"}),
                chunk({"content": "!"}, "stop", {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
            )
            if body.get("stream")
            else httpx.Response(200, json=completion("Hi!"))
        )
    )
    chat = model(server)
    assert (await chat.ainvoke("x")).content == "Hi!"
    assert "".join([str(c.content) async for c in chat.astream("x")]) == "Hi!"


def test_instances_with_same_config_share_one_client() -> None:
    a = ChatCerebras(model="llama3.1-8b", api_key="csk-shared", base_url="http://shared.test")
    b = ChatCerebras(model="llama-3.3-70b", api_key="csk-shared", base_url="http://shared.test")
    c = ChatCerebras(model="llama3.1-8b", api_key="csk-other", base_url="http://shared.test")
    assert a._sync_backend().client is b._sync_backend().client
    assert a._sync_backend().client is not c._sync_backend().client


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEREBRAS_API_KEY", raising=False)
    with pytest.raises(nc.ConfigurationError, match="CEREBRAS_API_KEY"):
        ChatCerebras(model="llama3.1-8b").invoke("x")


def test_init_chat_model_and_registry() -> None:
    chat = init_chat_model("cerebras:llama-3.3-70b", api_key="csk-x")
    assert isinstance(chat, ChatCerebras) and chat.model_name == "llama-3.3-70b"
    with pytest.raises(ValueError, match="known providers: cerebras, clusterprotocol, inferencekey"):
        init_chat_model("nope:model")
    import neocloud.langchain as pkg

    for name, entry in PROVIDERS.items():
        cls = getattr(pkg, entry.chat_class)
        assert cls._provider == name and entry.chat_class in pkg.__all__


def test_missing_provider_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.langchain import _registry

    monkeypatch.setitem(
        _registry.PROVIDERS,
        "ghost",
        _registry.ProviderEntry(module="neocloud.ghost_provider", extra="ghost", chat_class="ChatGhost"),
    )
    with pytest.raises(ImportError, match=r'pip install "neocloud-langchain\[ghost\]"'):
        _registry.load_spec("ghost")


def test_imports_are_lazy() -> None:
    code = (
        "import sys, neocloud.langchain\n"
        "assert 'neocloud.cerebras' not in sys.modules and 'neocloud.langchain.chat_models.base' not in sys.modules\n"
        "from neocloud.langchain import ChatCerebras\n"
        "others = [m for m in sys.modules if m.startswith('neocloud.') and m.split('.')[1] in {'metalcloud', 'runcrate', 'clusterprotocol', 'inferencekey'}]\n"
        "assert not others, others\n"
        "ChatCerebras(model='llama3.1-8b', api_key='k')\n"
        "assert not any(isinstance(o, __import__('httpx').Client) for o in __import__('gc').get_objects())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_init_chat_model_builds_every_provider() -> None:
    for spec_string, cls_name in [("clusterprotocol:llama-3.1-8b", "ChatClusterProtocol"),
                                  ("runcrate:deepseek-ai/DeepSeek-V3", "ChatRuncrate"),
                                  ("metalcloud:meta-llama/Llama-3.1-8B", "ChatMetalCloud")]:  # fmt: skip
        chat = init_chat_model(spec_string, api_key="k")
        assert type(chat).__name__ == cls_name and chat.model_name == spec_string.split(":", 1)[1]
    ik = init_chat_model("inferencekey:support-bot", api_key="k", project="acme")
    assert type(ik).__name__ == "ChatInferenceKey" and ik._settings()["base_url"].endswith("/endpoint/acme/support-bot")


def test_inferencekey_needs_a_project(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.langchain import ChatInferenceKey

    monkeypatch.delenv("INFERENCEKEY_PROJECT", raising=False)
    with pytest.raises(nc.ConfigurationError, match="INFERENCEKEY_PROJECT"):
        ChatInferenceKey(model="bot", api_key="k").invoke("x")
    root = "https://api.inferencekey.com/endpoint/acme/bot"
    assert ChatInferenceKey(model="bot", api_key="k", base_url=root)._settings()["base_url"] == root


def test_shared_clients_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pooled client made under one CEREBRAS_BASE_URL is never reused after the variable changes."""
    monkeypatch.setenv("CEREBRAS_BASE_URL", "http://first.test")
    first = ChatCerebras(model="llama3.1-8b", api_key="csk-env")._sync_backend().client
    assert str(first.base_url).startswith("http://first.test")
    monkeypatch.setenv("CEREBRAS_BASE_URL", "http://second.test")
    second = ChatCerebras(model="llama3.1-8b", api_key="csk-env")._sync_backend().client
    assert second is not first and str(second.base_url).startswith("http://second.test")


def test_disable_streaming_and_rate_limiter(fake: Any) -> None:
    from langchain_core.rate_limiters import InMemoryRateLimiter

    server = fake(lambda body: httpx.Response(200, json=completion("Hi!")))
    limiter = InMemoryRateLimiter(requests_per_second=1000, check_every_n_seconds=0.001, max_bucket_size=1)
    chat = model(server, disable_streaming=True, rate_limiter=limiter)
    assert [c.content for c in chat.stream("x")] == ["Hi!"]  # one plain request, no SSE
    assert "stream" not in server.bodies[-1] or server.bodies[-1]["stream"] is False
    chat.invoke("y")
    assert len(server.bodies) == 2  # the limiter let both through, one at a time
    quiet = model(server, streaming=True, stream_usage=False)
    server.reply = lambda body: sse(chunk({"content": "Hi"}, "stop"))
    assert quiet.invoke("z").content == "Hi" and "stream_options" not in server.bodies[-1]
