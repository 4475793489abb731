"""What the scaling table measures: each variant as a pair of coroutine functions, (one non-streaming call,
one streamed reply consumed whole), built with each client's DEFAULT settings (pool size, timeouts) against the
loopback server. Each builder imports only what it measures: the scaling runs every variant in its own process,
so that process CPU time and resident memory are that variant's alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .variants import CORE, KEY, LC, LC_FLOOR, LI, LI_FLOOR, MESSAGES, MODEL, RAW, RAW2, TYPED

Async = Callable[[], Awaitable[Any]]
Pair = tuple[Async, Async]


async def _acount(iterable: Any) -> int:
    n = 0
    async for _ in iterable:
        n += 1
    return n


def _li_messages() -> list[Any]:
    from llama_index.core.base.llms.types import ChatMessage

    return [ChatMessage(role="user", content=MESSAGES[0]["content"])]


def _raw(module_name: str) -> Callable[[str], Pair]:
    def build(base: str) -> Pair:
        import importlib

        module = importlib.import_module(module_name)
        raw = module.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
        body = {"model": MODEL, "messages": MESSAGES}

        async def call() -> Any:
            return (await raw.post("/v1/chat/completions", json=body)).json()

        async def stream() -> int:
            async with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
                return sum([1 async for line in r.aiter_lines() if line.startswith("data: {")])

        return call, stream

    return build


def _typed(base: str) -> Pair:
    """Raw httpx2, each answer and each chunk validated into the core's wire models (``variants.TYPED``)."""
    import httpx2

    from neocloud.core.wire.chat import ChatCompletion, ChatCompletionChunk

    raw = httpx2.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    body = {"model": MODEL, "messages": MESSAGES}
    completion, chunk = ChatCompletion.model_validate_json, ChatCompletionChunk.model_validate_json

    async def call() -> Any:
        return completion((await raw.post("/v1/chat/completions", json=body)).content)

    async def stream() -> int:
        async with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
            return len([chunk(line[6:]) async for line in r.aiter_lines() if line.startswith("data: {")])

    return call, stream


def _openai_shaped(client: Any) -> Pair:
    """Clients with the openai SDK's surface (ours, the openai SDK, the Cerebras SDK)."""
    msgs: Any = MESSAGES

    async def call() -> Any:
        return await client.chat.completions.create(model=MODEL, messages=msgs)

    async def stream() -> int:
        return await _acount(await client.chat.completions.create(model=MODEL, messages=msgs, stream=True))

    return call, stream


def _langchain(model: Any) -> Pair:
    msgs: Any = MESSAGES
    return (lambda: model.ainvoke(msgs)), (lambda: _acount(model.astream(msgs)))


def _llamaindex(llm: Any) -> Pair:
    msgs = _li_messages()

    async def stream() -> int:
        return await _acount(await llm.astream_chat(msgs))

    return (lambda: llm.achat(msgs)), stream


def _core(base: str) -> Pair:
    from neocloud.cerebras import AsyncCerebras

    return _openai_shaped(AsyncCerebras(api_key=KEY, base_url=base))


def _ours_lc(base: str) -> Pair:
    from neocloud.langchain import ChatCerebras

    return _langchain(ChatCerebras(model=MODEL, api_key=KEY, base_url=base))


def _ours_li(base: str) -> Pair:
    from neocloud.llamaindex import CerebrasLLM

    return _llamaindex(CerebrasLLM(model=MODEL, api_key=KEY, base_url=base))


def _lc_floor(base: str) -> Pair:
    from .floors import langchain_floor

    return _langchain(langchain_floor(base))


def _li_floor(base: str) -> Pair:
    from .floors import llamaindex_floor

    return _llamaindex(llamaindex_floor(base))


def _openai(base: str) -> Pair:
    from openai import AsyncOpenAI

    return _openai_shaped(AsyncOpenAI(api_key=KEY, base_url=f"{base}/v1"))


def _cerebras_sdk(base: str) -> Pair:
    from cerebras.cloud.sdk import AsyncCerebras as Official

    return _openai_shaped(Official(api_key=KEY, base_url=base, warm_tcp_connection=False))


def _lc_openai(base: str) -> Pair:
    from langchain_openai import ChatOpenAI

    return _langchain(ChatOpenAI(model=MODEL, api_key=KEY, base_url=f"{base}/v1"))


def _lc_cerebras(base: str) -> Pair:
    from langchain_cerebras import ChatCerebras as Incumbent

    return _langchain(Incumbent(model=MODEL, api_key=KEY, base_url=f"{base}/v1"))


def _li_openai_like(base: str) -> Pair:
    from llama_index.llms.openai_like import OpenAILike

    return _llamaindex(OpenAILike(model=MODEL, api_key=KEY, api_base=f"{base}/v1", is_chat_model=True))


# name → builder, in table order: the floors, ours, the framework floors, the incumbents. An incumbent that is
# not installed fails to build in its process and is left out of the table.
BUILDERS: dict[str, Callable[[str], Pair]] = {
    RAW2: _raw("httpx2"),
    RAW: _raw("httpx"),
    TYPED: _typed,
    CORE: _core,
    LC: _ours_lc,
    LI: _ours_li,
    LC_FLOOR: _lc_floor,
    LI_FLOOR: _li_floor,
    "openai SDK": _openai,
    "cerebras-cloud-sdk": _cerebras_sdk,
    "langchain-openai ChatOpenAI": _lc_openai,
    "langchain-cerebras ChatCerebras": _lc_cerebras,
    "llama-index OpenAILike": _li_openai_like,
}
