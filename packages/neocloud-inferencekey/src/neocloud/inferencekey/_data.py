"""``DataClient`` → ``Endpoint``: a workload's OpenAI-compatible data plane, one ``ik_live_`` key each.

An endpoint lives at ``{base_url}/endpoint/{project}/{workload}/v1/...``; the wire ``model`` is the
workload slug. Endpoints of one DataClient share its connection pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx2

from neocloud.core._base import FinalRequest
from neocloud.core._client import AsyncAPIClient, DefaultHttpxClient, SyncAPIClient
from neocloud.core._types import NOT_GIVEN, NotGiven, TimeoutTypes
from neocloud.core.openai_compat import AsyncChatCompletions, AsyncEmbeddings, ChatCompletions, Embeddings
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk

from ._common import DATA_PROFILE, DEFAULT_BASE_URL, chat_body, endpoint_root, require, resolve
from .errors import LocalValidationError, translate
from .types import EmbedResult, RerankItem, RerankResult, TextChunk, TextResult

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncDataClient", "AsyncEndpoint", "DataClient", "Endpoint"]


class _Data(SyncAPIClient):
    profile = DATA_PROFILE


class _AsyncData(AsyncAPIClient):
    profile = DATA_PROFILE


def _text_result(data: Any) -> TextResult:
    try:
        choice = data["choices"][0]
        text = choice["message"]["content"]
        model = data["model"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"chat completion without choices[0].message.content / model: {exc}") from None
    if not isinstance(text, str) or not isinstance(model, str):
        raise ValueError("chat completion content and model must be strings")
    return TextResult(text=text, model=model, finish_reason=choice.get("finish_reason"), raw=data)


def _chunk(data: Any) -> TextChunk:
    choices = data.get("choices") if isinstance(data, dict) else None
    if not choices:
        raise ValueError("every stream chunk must carry choices[0]")
    delta = choices[0].get("delta") or {}
    return TextChunk(text=delta.get("content") or "", finish_reason=choices[0].get("finish_reason"), raw=data)


def _stream_request(body: dict[str, Any]) -> FinalRequest:
    return FinalRequest("POST", "/v1/chat/completions", json=body, headers={"Accept": "text/event-stream"})


def _embed_body(slug: str, texts: str | list[str]) -> dict[str, Any]:
    items = [texts] if isinstance(texts, str) else texts
    if not isinstance(items, list) or not items or not all(isinstance(t, str) for t in items):
        raise LocalValidationError("'input' must be a string or a non-empty list of strings", param="input")
    return {"input": items, "model": slug}


def _embed_result(data: Any) -> EmbedResult:
    return EmbedResult(embeddings=[list(d["embedding"]) for d in data["data"]], model=data["model"], raw=data)


def _rerank_body(slug: str, query: str, documents: list[str], top_n: int | None) -> dict[str, Any]:
    if not isinstance(query, str) or not query:
        raise LocalValidationError("'query' must be non-empty", param="query")
    if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
        raise LocalValidationError("'documents' must be a non-empty list of strings", param="documents")
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1):
        raise LocalValidationError("'top_n' must be a positive integer", param="top_n", allowed=">= 1")
    return {"query": query, "documents": documents, "model": slug, **({"top_n": top_n} if top_n is not None else {})}


def _rerank_result(data: Any) -> RerankResult:
    results = [RerankItem(int(r["index"]), float(r.get("relevance_score", r.get("score")))) for r in data["results"]]
    return RerankResult(results=results, model=data.get("model") or "", raw=data)


class Endpoint:
    """One workload's endpoint: ``generate_text``, ``generate_text_stream``, ``embed``, ``rerank`` (and the
    OpenAI-style ``chat.completions`` / ``embeddings`` used by the framework adapters)."""

    def __init__(
        self, *, base_url: str, project: str, workload_slug: str, api_key: str,
        http_client: httpx2.Client | httpx.Client | None = None, timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        meter: Any = None, **metering: Any,
    ) -> None:  # fmt: skip
        self.workload_slug = workload_slug
        self.project = project
        with translate():
            root = endpoint_root(base_url, project, workload_slug)
            self._client = _Data(api_key=api_key, base_url=root, http_client=http_client, timeout=timeout, **metering)
        if meter is not None:  # the DataClient's: every endpoint of one client reserves in one ledger and run
            self._client._meter = meter

    def __repr__(self) -> str:
        return f"Endpoint(project={self.project!r}, workload_slug={self.workload_slug!r})"

    def generate_text(
        self, *, prompt: str | None = None, messages: list[Mapping[str, Any]] | None = None,
        temperature: float | None = None, max_tokens: int | None = None,
    ) -> TextResult:  # fmt: skip
        """A non-streaming chat completion (``prompt`` or ``messages``)."""
        body = {**chat_body(self.workload_slug, prompt, messages, temperature, max_tokens), "stream": False}
        request = FinalRequest("POST", "/v1/chat/completions", json=body)
        with translate():
            return self._client.meter.call("chat", body, lambda: self._client.request(_text_result, request))  # type: ignore[no-any-return]

    def generate_text_stream(
        self, *, prompt: str | None = None, messages: list[Mapping[str, Any]] | None = None,
        temperature: float | None = None, max_tokens: int | None = None,
    ) -> Iterator[TextChunk]:  # fmt: skip
        """A streaming completion; the request is sent now (errors raise here), chunks arrive as you iterate."""
        body = {**chat_body(self.workload_slug, prompt, messages, temperature, max_tokens), "stream": True}
        with translate():
            stream = self._client.meter.stream("chat", body, lambda: self._client.request_stream(
                _chunk, _stream_request(body)))  # fmt: skip
        return _translated(stream)

    def embed(self, *, input: str | list[str]) -> EmbedResult:
        """One vector per input (a bare string is a one-item batch)."""
        body = _embed_body(self.workload_slug, input)
        request = FinalRequest("POST", "/v1/embeddings", json=body)
        with translate():
            return self._client.meter.call("embedding", body, lambda: self._client.request(_embed_result, request))  # type: ignore[no-any-return]

    def rerank(self, *, query: str, documents: list[str], top_n: int | None = None) -> RerankResult:
        """Documents ranked best-first by relevance to ``query``."""
        body = _rerank_body(self.workload_slug, query, documents, top_n)
        request = FinalRequest("POST", "/v1/rerank", json=body)
        with translate():
            return self._client.meter.call("rerank", body, lambda: self._client.request(_rerank_result, request))  # type: ignore[no-any-return]

    @cached_property
    def chat(self) -> Any:
        return _Namespace(completions=ChatCompletions[ChatCompletion, ChatCompletionChunk](self._client))

    @cached_property
    def embeddings(self) -> Embeddings:
        return Embeddings(self._client)

    def close(self) -> None:
        self._client.close()


def _meter(ledger: Any, budget: Any, run_id: str | None, prices: Any, unpriced: str) -> Any:
    """One ``Meter`` for every endpoint of a data client (one ledger, one run, one budget); ``None`` when the
    client meters nothing, so each endpoint keeps its own (which still prices calls and counts ``costs()``)."""
    if ledger is None and budget is None and run_id is None and prices is None and unpriced == "refuse":
        return None
    from neocloud.core.pricing import Meter

    return Meter("inferencekey", table=prices, ledger=ledger, budget=budget, run_id=run_id, unpriced=unpriced)  # type: ignore[arg-type]


def _translated(stream: Any) -> Iterator[TextChunk]:
    with translate():
        yield from stream


class _Namespace:
    def __init__(self, **members: Any) -> None:
        self.__dict__.update(members)


class DataClient:
    """Data-plane client for one project; ``endpoint(slug, api_key=...)`` binds a workload and its key.

    ``project`` defaults to ``INFERENCEKEY_PROJECT`` and ``api_key`` (the default ``ik_live_`` key) to
    ``INFERENCEKEY_API_KEY``. ``ledger=`` / ``budget=`` / ``run_id=`` / ``prices=`` / ``unpriced=`` reserve and
    record every endpoint's chat, embeddings and rerank calls in one run (``neocloud.core.pricing.Meter``).
    """

    def __init__(
        self, *, base_url: str, project: str | None = None, api_key: str | None = None, ledger: Any = None,
        budget: Any = None, run_id: str | None = None, prices: Any = None, unpriced: str = "refuse",
    ) -> None:  # fmt: skip
        self.base_url = require(base_url, "base_url is required")
        self.project = require(
            resolve(project, "INFERENCEKEY_PROJECT"), "a blank project: pass project=... or set INFERENCEKEY_PROJECT"
        )
        self._api_key = resolve(api_key, "INFERENCEKEY_API_KEY")  # the default key of endpoint()
        self._meter = _meter(ledger, budget, run_id, prices, unpriced)
        self._pool: httpx2.Client | None = None

    @classmethod
    def from_env(
        cls, *, base_url: str | None = None, project: str | None = None, api_key: str | None = None, **metering: Any
    ) -> DataClient:
        """Explicit > ``INFERENCEKEY_BASE_URL`` / ``INFERENCEKEY_PROJECT`` / ``INFERENCEKEY_API_KEY`` > default."""
        return cls(
            base_url=resolve(base_url, "INFERENCEKEY_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
            project=resolve(project, "INFERENCEKEY_PROJECT") or "",
            api_key=resolve(api_key, "INFERENCEKEY_API_KEY"),
            **metering,
        )

    def __repr__(self) -> str:
        return f"DataClient(base_url={self.base_url!r}, project={self.project!r})"

    def endpoint(self, workload_slug: str, *, api_key: str | None = None) -> Endpoint:
        """Bind ``workload_slug`` and an ``ik_live_`` key (argument > the client's default)."""
        key = require(api_key or self._api_key, "no ik_live_ key: pass api_key=... or set INFERENCEKEY_API_KEY")
        if self._pool is None:
            self._pool = DefaultHttpxClient()  # one pool for every endpoint of this client, made on first use
        return Endpoint(
            base_url=self.base_url,
            project=self.project,
            workload_slug=workload_slug,
            api_key=key,
            http_client=self._pool,
            meter=self._meter,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


class AsyncEndpoint:
    """Async twin of ``Endpoint``."""

    def __init__(
        self,
        *,
        base_url: str,
        project: str,
        workload_slug: str,
        api_key: str,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        meter: Any = None,
        **metering: Any,
    ) -> None:
        self.workload_slug = workload_slug
        self.project = project
        with translate():
            root = endpoint_root(base_url, project, workload_slug)
            self._client = _AsyncData(
                api_key=api_key, base_url=root, http_client=http_client, timeout=timeout, **metering
            )
        if meter is not None:
            self._client._meter = meter

    async def generate_text(
        self, *, prompt: str | None = None, messages: list[Mapping[str, Any]] | None = None,
        temperature: float | None = None, max_tokens: int | None = None,
    ) -> TextResult:  # fmt: skip
        body = {**chat_body(self.workload_slug, prompt, messages, temperature, max_tokens), "stream": False}
        request = FinalRequest("POST", "/v1/chat/completions", json=body)
        with translate():
            return await self._client.meter.acall("chat", body, lambda: self._client.request(_text_result, request))  # type: ignore[no-any-return]

    async def generate_text_stream(
        self, *, prompt: str | None = None, messages: list[Mapping[str, Any]] | None = None,
        temperature: float | None = None, max_tokens: int | None = None,
    ) -> AsyncIterator[TextChunk]:  # fmt: skip
        body = {**chat_body(self.workload_slug, prompt, messages, temperature, max_tokens), "stream": True}
        with translate():
            stream = await self._client.meter.astream("chat", body, lambda: self._client.request_stream(
                _chunk, _stream_request(body)))  # fmt: skip
        return _atranslated(stream)

    async def embed(self, *, input: str | list[str]) -> EmbedResult:
        body = _embed_body(self.workload_slug, input)
        request = FinalRequest("POST", "/v1/embeddings", json=body)
        with translate():
            return await self._client.meter.acall(  # type: ignore[no-any-return]
                "embedding", body, lambda: self._client.request(_embed_result, request)
            )

    async def rerank(self, *, query: str, documents: list[str], top_n: int | None = None) -> RerankResult:
        body = _rerank_body(self.workload_slug, query, documents, top_n)
        request = FinalRequest("POST", "/v1/rerank", json=body)
        with translate():
            return await self._client.meter.acall(  # type: ignore[no-any-return]
                "rerank", body, lambda: self._client.request(_rerank_result, request)
            )

    @cached_property
    def chat(self) -> Any:
        return _Namespace(completions=AsyncChatCompletions[ChatCompletion, ChatCompletionChunk](self._client))

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        return AsyncEmbeddings(self._client)

    async def close(self) -> None:
        await self._client.close()


async def _atranslated(stream: Any) -> AsyncIterator[TextChunk]:
    with translate():
        async for chunk in stream:
            yield chunk


class AsyncDataClient:
    """Async twin of ``DataClient``."""

    def __init__(
        self, *, base_url: str, project: str | None = None, api_key: str | None = None, ledger: Any = None,
        budget: Any = None, run_id: str | None = None, prices: Any = None, unpriced: str = "refuse",
    ) -> None:  # fmt: skip
        self.base_url = require(base_url, "base_url is required")
        self.project = require(
            resolve(project, "INFERENCEKEY_PROJECT"), "a blank project: pass project=... or set INFERENCEKEY_PROJECT"
        )
        self._api_key = resolve(api_key, "INFERENCEKEY_API_KEY")  # the default key of endpoint()
        self._meter = _meter(ledger, budget, run_id, prices, unpriced)

    @classmethod
    def from_env(
        cls, *, base_url: str | None = None, project: str | None = None, api_key: str | None = None, **metering: Any
    ) -> AsyncDataClient:
        return cls(
            base_url=resolve(base_url, "INFERENCEKEY_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
            project=resolve(project, "INFERENCEKEY_PROJECT") or "",
            api_key=resolve(api_key, "INFERENCEKEY_API_KEY"),
            **metering,
        )

    def endpoint(self, workload_slug: str, *, api_key: str | None = None) -> AsyncEndpoint:
        key = require(api_key or self._api_key, "no ik_live_ key: pass api_key=... or set INFERENCEKEY_API_KEY")
        # No shared pool here: an async pool belongs to one event loop, and the core already keeps one per loop
        # for each endpoint (made on first use), so endpoints survive repeated asyncio.run() calls.
        return AsyncEndpoint(base_url=self.base_url, project=self.project, workload_slug=workload_slug, api_key=key,
                             meter=self._meter)  # fmt: skip
