"""What is measured: each variant as a zero-argument callable, built against the loopback server's URL.

Every family starts with ``raw httpx`` (the floor the ratios are taken against), then our classes, then the
incumbents that are installed (a missing one is left out of the table, never faked).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

MESSAGES = [{"role": "user", "content": "Why is fast inference important?"}]
KEY = "csk-bench-key-not-secret"
MODEL = "llama3.1-8b"
EMBED_MODEL = "bench-embed"
TEXTS = [f"passage {i}: fast inference keeps agents responsive" for i in range(32)]
CONCURRENT = 200

Sync = Callable[[], Any]
Async = Callable[[], Awaitable[Any]]

RAW, CORE = "raw httpx", "neocloud.cerebras (core client)"
LC, LI = "neocloud ChatCerebras (LangChain)", "neocloud CerebrasLLM (LlamaIndex)"
CORE_EMBED = "neocloud.clusterprotocol (core client)"
LC_EMBED, LI_EMBED = "neocloud ClusterProtocolEmbeddings (LangChain)", "neocloud ClusterProtocolEmbedding (LlamaIndex)"


def _count(iterable: Any) -> int:
    return sum(1 for _ in iterable)


def _framework_models(base: str) -> tuple[Any, Any, Any, Any, Any]:
    """Ours and the incumbents, LangChain then LlamaIndex: (ours_lc, lc_openai, ours_li, li_openai, li_messages)."""
    from langchain_openai import ChatOpenAI
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.llms.openai_like import OpenAILike

    from neocloud.langchain import ChatCerebras
    from neocloud.llamaindex import CerebrasLLM

    ours_lc = ChatCerebras(model=MODEL, api_key=KEY, base_url=base)
    lc_openai = ChatOpenAI(model=MODEL, api_key=KEY, base_url=f"{base}/v1")  # type: ignore[arg-type]
    ours_li = CerebrasLLM(model=MODEL, api_key=KEY, base_url=base)
    li_openai = OpenAILike(model=MODEL, api_key=KEY, api_base=f"{base}/v1", is_chat_model=True)
    return ours_lc, lc_openai, ours_li, li_openai, [ChatMessage(role="user", content=MESSAGES[0]["content"])]


def chat(base: str) -> dict[str, tuple[Sync, Sync]]:
    """name → (one non-streaming call, one streamed reply consumed whole)."""
    import httpx

    body = {"model": MODEL, "messages": MESSAGES}
    raw = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})

    def raw_stream() -> int:
        with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
            return sum(1 for line in r.iter_lines() if line.startswith("data: {"))

    from openai import OpenAI

    from neocloud.cerebras import Cerebras

    core = Cerebras(api_key=KEY, base_url=base)
    oa = OpenAI(api_key=KEY, base_url=f"{base}/v1")
    ours_lc, lc_openai, ours_li, li_openai, li_messages = _framework_models(base)
    msgs: Any = MESSAGES

    found: dict[str, tuple[Sync, Sync]] = {
        RAW: (lambda: raw.post("/v1/chat/completions", json=body).json(), raw_stream),
        CORE: (lambda: core.chat.completions.create(model=MODEL, messages=msgs),
               lambda: _count(core.chat.completions.create(model=MODEL, messages=msgs, stream=True))),
        "openai SDK": (lambda: oa.chat.completions.create(model=MODEL, messages=msgs),
                       lambda: _count(oa.chat.completions.create(model=MODEL, messages=msgs, stream=True))),
        LC: (lambda: ours_lc.invoke(msgs), lambda: _count(ours_lc.stream(msgs))),
        "langchain-openai ChatOpenAI": (lambda: lc_openai.invoke(msgs), lambda: _count(lc_openai.stream(msgs))),
        LI: (lambda: ours_li.chat(li_messages), lambda: _count(ours_li.stream_chat(li_messages))),
        "llama-index OpenAILike": (lambda: li_openai.chat(li_messages),
                                   lambda: _count(li_openai.stream_chat(li_messages))),
    }  # fmt: skip
    try:
        from cerebras.cloud.sdk import Cerebras as Official

        official = Official(api_key=KEY, base_url=base, warm_tcp_connection=False)
        found["cerebras-cloud-sdk"] = (
            lambda: official.chat.completions.create(model=MODEL, messages=msgs),
            lambda: _count(official.chat.completions.create(model=MODEL, messages=msgs, stream=True)),
        )
    except ImportError:
        pass
    try:
        from langchain_cerebras import ChatCerebras as IncumbentChatCerebras

        inc = IncumbentChatCerebras(model=MODEL, api_key=KEY, base_url=f"{base}/v1")  # type: ignore[arg-type,call-arg]
        found["langchain-cerebras ChatCerebras"] = (lambda: inc.invoke(msgs), lambda: _count(inc.stream(msgs)))
    except ImportError:
        pass
    return found


def concurrent(base: str) -> dict[str, Async]:
    """name → 200 concurrent non-streaming calls on one event loop (each variant with its default pool)."""
    import httpx
    from openai import AsyncOpenAI

    from neocloud.cerebras import AsyncCerebras

    body = {"model": MODEL, "messages": MESSAGES}
    raw = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    core = AsyncCerebras(api_key=KEY, base_url=base)
    oa = AsyncOpenAI(api_key=KEY, base_url=f"{base}/v1")
    ours_lc, lc_openai, ours_li, li_openai, li_messages = _framework_models(base)
    msgs: Any = MESSAGES

    async def raw_call() -> Any:
        return (await raw.post("/v1/chat/completions", json=body)).json()

    def fan_out(one: Async) -> Async:
        async def run() -> Any:
            return await asyncio.gather(*(one() for _ in range(CONCURRENT)))

        return run

    return {
        RAW: fan_out(raw_call),
        CORE: fan_out(lambda: core.chat.completions.create(model=MODEL, messages=msgs)),
        "openai SDK": fan_out(lambda: oa.chat.completions.create(model=MODEL, messages=msgs)),
        LC: fan_out(lambda: ours_lc.ainvoke(msgs)),
        "langchain-openai ChatOpenAI": fan_out(lambda: lc_openai.ainvoke(msgs)),
        LI: fan_out(lambda: ours_li.achat(li_messages)),
        "llama-index OpenAILike": fan_out(lambda: li_openai.achat(li_messages)),
    }


def embeddings(base: str) -> dict[str, Sync]:
    """name → one embeddings call for 32 texts. Neither of our embeddings providers documents the compact
    (base64) encoding, so ours ask for floats; the openai SDK asks for base64, which the server offers."""
    import httpx
    from langchain_openai import OpenAIEmbeddings
    from openai import OpenAI

    from neocloud.clusterprotocol import ClusterClient
    from neocloud.langchain import ClusterProtocolEmbeddings
    from neocloud.llamaindex import ClusterProtocolEmbedding

    raw = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    core = ClusterClient(api_key=KEY, base_url=base)
    oa = OpenAI(api_key=KEY, base_url=f"{base}/v1")
    ours_lc = ClusterProtocolEmbeddings(model=EMBED_MODEL, api_key=KEY, base_url=base)  # type: ignore[arg-type]
    ours_li = ClusterProtocolEmbedding(model_name=EMBED_MODEL, api_key=KEY, base_url=base)
    lc_openai = OpenAIEmbeddings(model=EMBED_MODEL, api_key=KEY, base_url=f"{base}/v1",  # type: ignore[arg-type]
                                 check_embedding_ctx_length=False)  # fmt: skip
    found: dict[str, Sync] = {
        RAW: lambda: [d["embedding"] for d in raw.post("/v1/embeddings", json={"model": EMBED_MODEL, "input": TEXTS})
                      .json()["data"]],
        CORE_EMBED: lambda: [d.vector() for d in core.embeddings.create(model=EMBED_MODEL, input=TEXTS).data],
        "openai SDK": lambda: [d.embedding for d in oa.embeddings.create(model=EMBED_MODEL, input=TEXTS).data],
        LC_EMBED: lambda: ours_lc.embed_documents(TEXTS),
        "langchain-openai OpenAIEmbeddings": lambda: lc_openai.embed_documents(TEXTS),
        LI_EMBED: lambda: ours_li.get_text_embedding_batch(TEXTS),
    }  # fmt: skip
    return found


def construction() -> dict[str, Sync]:
    """name → construct one chat model / client (no request). Ours share one pool per configuration."""
    import httpx
    from langchain_openai import ChatOpenAI
    from llama_index.llms.openai_like import OpenAILike
    from openai import OpenAI

    from neocloud.cerebras import Cerebras
    from neocloud.langchain import ChatCerebras
    from neocloud.llamaindex import CerebrasLLM

    base = "http://127.0.0.1:9"
    return {
        RAW: lambda: httpx.Client(base_url=base),
        CORE: lambda: Cerebras(api_key=KEY, base_url=base),
        "openai SDK": lambda: OpenAI(api_key=KEY, base_url=base),
        LC: lambda: ChatCerebras(model=MODEL, api_key=KEY, base_url=base),
        "langchain-openai ChatOpenAI": lambda: ChatOpenAI(model=MODEL, api_key=KEY, base_url=base),  # type: ignore[arg-type]
        LI: lambda: CerebrasLLM(model=MODEL, api_key=KEY, base_url=base),
        "llama-index OpenAILike": lambda: OpenAILike(model=MODEL, api_key=KEY, api_base=base, is_chat_model=True),
    }


def framework_floors() -> dict[str, tuple[Sync, Sync]]:
    """The frameworks' own cost with no I/O at all: a chat model that answers from memory, built the way a
    provider integration is (LangChain: ``_generate`` / ``_stream``; LlamaIndex: the callback-decorated
    ``chat`` / ``stream_chat`` yielding accumulated responses). Added to raw httpx, the best any integration
    could do."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse, LLMMetadata, MessageRole
    from llama_index.core.llms.callbacks import llm_chat_callback
    from llama_index.core.llms.custom import CustomLLM

    class FloorChat(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "floor"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="Fast inference matters."))])

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            for _ in range(500):
                yield ChatGenerationChunk(message=AIMessageChunk(content="tok ", id="chatcmpl-floor"))

    class FloorLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(is_chat_model=True)

        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            raise NotImplementedError

        def stream_complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            raise NotImplementedError

        @llm_chat_callback()
        def chat(self, messages: Any, **kw: Any) -> ChatResponse:
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content="Fast inference matters."))

        @llm_chat_callback()
        def stream_chat(self, messages: Any, **kw: Any) -> Any:
            def gen() -> Any:
                text = ""
                for _ in range(500):
                    text += "tok "
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta="tok ")

            return gen()

    lc, li = FloorChat(), FloorLLM()
    li_messages = [ChatMessage(role="user", content=MESSAGES[0]["content"])]
    return {
        "floor: langchain-core, no I/O": (lambda: lc.invoke(MESSAGES), lambda: _count(lc.stream(MESSAGES))),
        "floor: llama-index-core, no I/O": (lambda: li.chat(li_messages), lambda: _count(li.stream_chat(li_messages))),
    }
