"""The framework floors: the smallest LangChain chat model and LlamaIndex LLM a provider integration could be,
written directly on raw httpx2 with plain ``json.loads`` (no validation, no retries, no usage accounting).
Measured next to ours, they show what the framework itself costs on top of the transport: the best any
integration could do.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

MODEL = "llama3.1-8b"
KEY = "csk-bench-key-not-secret"


def _wire(messages: Any) -> list[dict[str, str]]:
    """LangChain or LlamaIndex messages (or plain dicts) as the wire's ``messages``."""
    out = []
    for m in messages:
        if isinstance(m, dict):
            out.append({"role": m["role"], "content": m["content"]})
        else:
            role = getattr(m, "type", None) or str(m.role.value)
            out.append({"role": {"human": "user", "ai": "assistant"}.get(role, role), "content": str(m.content)})
    return out


def _deltas(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            choices = json.loads(line[6:])["choices"]
            if choices and choices[0]["delta"].get("content"):
                yield choices[0]["delta"]["content"]


async def _adeltas(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    async for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            choices = json.loads(line[6:])["choices"]
            if choices and choices[0]["delta"].get("content"):
                yield choices[0]["delta"]["content"]


def langchain_floor(base: str) -> Any:
    """A ``BaseChatModel`` with ``_generate`` / ``_stream`` / ``_agenerate`` / ``_astream`` on raw httpx2."""
    import httpx2
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    headers = {"Authorization": f"Bearer {KEY}"}
    sync, asyn = httpx2.Client(base_url=base, headers=headers), httpx2.AsyncClient(base_url=base, headers=headers)

    def result(raw: bytes) -> ChatResult:
        content = json.loads(raw)["choices"][0]["message"]["content"]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))])

    class FloorChat(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "floor"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            body = {"model": MODEL, "messages": _wire(messages)}
            return result(sync.post("/v1/chat/completions", json=body).content)

        async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            body = {"model": MODEL, "messages": _wire(messages)}
            return result((await asyn.post("/v1/chat/completions", json=body)).content)

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            body = {"model": MODEL, "messages": _wire(messages), "stream": True}
            with sync.stream("POST", "/v1/chat/completions", json=body) as r:
                for text in _deltas(r.iter_lines()):
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))

        async def _astream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            body = {"model": MODEL, "messages": _wire(messages), "stream": True}
            async with asyn.stream("POST", "/v1/chat/completions", json=body) as r:
                async for text in _adeltas(r.aiter_lines()):
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    return FloorChat()


def llamaindex_floor(base: str) -> Any:
    """A ``CustomLLM`` with ``chat`` / ``stream_chat`` / ``achat`` / ``astream_chat`` on raw httpx2."""
    import httpx2
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse, LLMMetadata, MessageRole
    from llama_index.core.llms.callbacks import llm_chat_callback
    from llama_index.core.llms.custom import CustomLLM

    headers = {"Authorization": f"Bearer {KEY}"}
    sync, asyn = httpx2.Client(base_url=base, headers=headers), httpx2.AsyncClient(base_url=base, headers=headers)

    def response(raw: bytes) -> ChatResponse:
        content = json.loads(raw)["choices"][0]["message"]["content"]
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=content))

    def partial(text: str, delta: str) -> ChatResponse:
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

    class FloorLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(is_chat_model=True, model_name=MODEL)

        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            raise NotImplementedError("the floor is a chat model")

        def stream_complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            raise NotImplementedError("the floor is a chat model")

        @llm_chat_callback()
        def chat(self, messages: Any, **kw: Any) -> ChatResponse:
            body = {"model": MODEL, "messages": _wire(messages)}
            return response(sync.post("/v1/chat/completions", json=body).content)

        @llm_chat_callback()
        async def achat(self, messages: Any, **kw: Any) -> ChatResponse:
            body = {"model": MODEL, "messages": _wire(messages)}
            return response((await asyn.post("/v1/chat/completions", json=body)).content)

        @llm_chat_callback()
        def stream_chat(self, messages: Any, **kw: Any) -> Any:
            body = {"model": MODEL, "messages": _wire(messages), "stream": True}

            def gen() -> Any:
                text = ""
                with sync.stream("POST", "/v1/chat/completions", json=body) as r:
                    for delta in _deltas(r.iter_lines()):
                        text += delta
                        yield partial(text, delta)

            return gen()

        @llm_chat_callback()
        async def astream_chat(self, messages: Any, **kw: Any) -> Any:
            body = {"model": MODEL, "messages": _wire(messages), "stream": True}

            async def gen() -> Any:
                text = ""
                async with asyn.stream("POST", "/v1/chat/completions", json=body) as r:
                    async for delta in _adeltas(r.aiter_lines()):
                        text += delta
                        yield partial(text, delta)

            return gen()

    return FloorLLM()
