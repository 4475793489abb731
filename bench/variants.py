"""What is measured (synchronous): each variant as a zero-argument callable, built against the loopback
server's URL. The asynchronous variants of the scaling table are in ``bench.async_variants``.

Every family starts with ``raw httpx2`` (the floor the ratios are taken against) and ``raw httpx``, then our
classes, the framework floors (``bench.floors``), then the incumbents that are installed (a missing one is left
out of the table, never faked).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MESSAGES = [{"role": "user", "content": "Why is fast inference important?"}]
KEY = "csk-bench-key-not-secret"
MODEL = "llama3.1-8b"
EMBED_MODEL = "bench-embed"
TEXTS = [f"passage {i}: fast inference keeps agents responsive" for i in range(32)]

Sync = Callable[[], Any]

RAW2, RAW, CORE = "raw httpx2", "raw httpx", "neocloud.cerebras (core client)"
LC, LI = "neocloud ChatCerebras (LangChain)", "neocloud CerebrasLLM (LlamaIndex)"
CORE_EMBED = "neocloud.clusterprotocol (core client)"
LC_EMBED, LI_EMBED = "neocloud ClusterProtocolEmbeddings (LangChain)", "neocloud ClusterProtocolEmbedding (LlamaIndex)"
LC_FLOOR, LI_FLOOR = "floor: LangChain model on raw httpx2", "floor: LlamaIndex LLM on raw httpx2"
# Raw httpx2 plus the one guarantee the core adds on the hot path that no shortcut may drop: each response and
# each chunk validated into the core's typed wire models. The core client's own floor.
TYPED = "floor: raw httpx2 + the core's typed models"


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


def _raw_sync(module: Any, base: str) -> tuple[Sync, Sync]:
    """A raw client (httpx or httpx2): post and parse, or stream and count the data lines."""
    body = {"model": MODEL, "messages": MESSAGES}
    raw = module.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})

    def stream() -> int:
        with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
            return sum(1 for line in r.iter_lines() if line.startswith("data: {"))

    return lambda: raw.post("/v1/chat/completions", json=body).json(), stream


def _typed_sync(base: str) -> tuple[Sync, Sync]:
    """Raw httpx2, each answer and each chunk validated into the core's wire models (``TYPED``)."""
    import httpx2

    from neocloud.core.wire.chat import ChatCompletion, ChatCompletionChunk

    body = {"model": MODEL, "messages": MESSAGES}
    raw = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    completion, chunk = ChatCompletion.model_validate_json, ChatCompletionChunk.model_validate_json

    def stream() -> int:
        with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
            return len([chunk(line[6:]) for line in r.iter_lines() if line.startswith("data: {")])

    return lambda: completion(raw.post("/v1/chat/completions", json=body).content), stream


def chat(base: str) -> dict[str, tuple[Sync, Sync]]:
    """name → (one non-streaming call, one streamed reply consumed whole)."""
    import httpx
    import httpx2
    from openai import OpenAI

    from neocloud.cerebras import Cerebras

    from .floors import langchain_floor, llamaindex_floor

    core = Cerebras(api_key=KEY, base_url=base)
    oa = OpenAI(api_key=KEY, base_url=f"{base}/v1")
    ours_lc, lc_openai, ours_li, li_openai, li_messages = _framework_models(base)
    lc_floor, li_floor = langchain_floor(base), llamaindex_floor(base)
    msgs: Any = MESSAGES

    found: dict[str, tuple[Sync, Sync]] = {
        RAW2: _raw_sync(httpx2, base),
        RAW: _raw_sync(httpx, base),
        TYPED: _typed_sync(base),
        LC_FLOOR: (lambda: lc_floor.invoke(msgs), lambda: _count(lc_floor.stream(msgs))),
        LI_FLOOR: (lambda: li_floor.chat(li_messages), lambda: _count(li_floor.stream_chat(li_messages))),
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


def embeddings(base: str) -> dict[str, Sync]:
    """name → one embeddings call for 32 texts. Neither of our embeddings providers documents the compact
    (base64) encoding, so ours ask for floats; the openai SDK asks for base64, which the server offers."""
    import httpx
    import httpx2
    from langchain_openai import OpenAIEmbeddings
    from openai import OpenAI

    from neocloud.clusterprotocol import ClusterClient
    from neocloud.langchain import ClusterProtocolEmbeddings
    from neocloud.llamaindex import ClusterProtocolEmbedding

    raw2 = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    raw = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})
    body = {"model": EMBED_MODEL, "input": TEXTS}
    core = ClusterClient(api_key=KEY, base_url=base)
    oa = OpenAI(api_key=KEY, base_url=f"{base}/v1")
    ours_lc = ClusterProtocolEmbeddings(model=EMBED_MODEL, api_key=KEY, base_url=base)  # type: ignore[arg-type]
    ours_li = ClusterProtocolEmbedding(model_name=EMBED_MODEL, api_key=KEY, base_url=base)
    lc_openai = OpenAIEmbeddings(model=EMBED_MODEL, api_key=KEY, base_url=f"{base}/v1",  # type: ignore[arg-type]
                                 check_embedding_ctx_length=False)  # fmt: skip
    found: dict[str, Sync] = {
        RAW2: lambda: [d["embedding"] for d in raw2.post("/v1/embeddings", json=body).json()["data"]],
        RAW: lambda: [d["embedding"] for d in raw.post("/v1/embeddings", json=body).json()["data"]],
        CORE_EMBED: lambda: [d.vector() for d in core.embeddings.create(model=EMBED_MODEL, input=TEXTS).data],
        "openai SDK": lambda: [d.embedding for d in oa.embeddings.create(model=EMBED_MODEL, input=TEXTS).data],
        LC_EMBED: lambda: ours_lc.embed_documents(TEXTS),
        "langchain-openai OpenAIEmbeddings": lambda: lc_openai.embed_documents(TEXTS),
        LI_EMBED: lambda: ours_li.get_text_embedding_batch(TEXTS),
    }  # fmt: skip
    try:  # LlamaIndex's OpenAI embeddings, when installed
        from llama_index.embeddings.openai import OpenAIEmbedding

        li_openai = OpenAIEmbedding(model_name=EMBED_MODEL, api_key=KEY, api_base=f"{base}/v1")
        found["llama-index OpenAIEmbedding"] = lambda: li_openai.get_text_embedding_batch(TEXTS)
    except ImportError:
        pass
    return found


def construction() -> dict[str, Sync]:
    """name → construct one chat model / client (no request). Ours share one pool per configuration."""
    import httpx
    import httpx2
    from langchain_openai import ChatOpenAI
    from llama_index.llms.openai_like import OpenAILike
    from openai import OpenAI

    from neocloud.cerebras import Cerebras
    from neocloud.langchain import ChatCerebras
    from neocloud.llamaindex import CerebrasLLM

    base = "http://127.0.0.1:9"
    return {
        RAW2: lambda: httpx2.Client(base_url=base),
        RAW: lambda: httpx.Client(base_url=base),
        CORE: lambda: Cerebras(api_key=KEY, base_url=base),
        "openai SDK": lambda: OpenAI(api_key=KEY, base_url=base),
        LC: lambda: ChatCerebras(model=MODEL, api_key=KEY, base_url=base),
        "langchain-openai ChatOpenAI": lambda: ChatOpenAI(model=MODEL, api_key=KEY, base_url=base),  # type: ignore[arg-type]
        LI: lambda: CerebrasLLM(model=MODEL, api_key=KEY, base_url=base),
        "llama-index OpenAILike": lambda: OpenAILike(model=MODEL, api_key=KEY, api_base=base, is_chat_model=True),
    }
