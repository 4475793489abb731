"""``NeocloudEmbedding``: a LlamaIndex ``BaseEmbedding`` written once against the provider protocol.

Texts are sent unchanged (no newline stripping, no prefixes) in batches of ``embed_batch_size``; async batches
run at most ``max_concurrency`` at a time per event loop; token usage is counted in ``usage``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, ClassVar, Literal, cast

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr

from neocloud.core.provider import ProviderSpec
from neocloud.core.shared_clients import metering_settings, provider_client

from .._kwargs import sort_kwargs
from .._registry import load_spec

__all__ = ["NeocloudEmbedding"]


class NeocloudEmbedding(BaseEmbedding):
    """LlamaIndex embeddings for a neocloud provider (subclasses set ``provider``)."""

    provider: ClassVar[str] = ""

    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False, description="The API key.")
    base_url: str | None = Field(default=None, description="The API root (default: env var, else production).")
    dimensions: int | None = Field(default=None, gt=0, description="Output dimensions, where the model can shorten.")
    max_concurrency: int = Field(default=4, gt=0, description="Async requests in flight at once.")
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=2, ge=0, description="Retries of the core client (the only retry layer).")
    default_headers: dict[str, str] | None = None
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Request fields sent with each request (e.g. encoding_format, user)."
    )

    ledger: Any = Field(default=None, exclude=True, description="A ledger store (True: open_ledger()).")
    budget: Any = Field(default=None, exclude=True, description="A Budget (or several) each call reserves in.")
    run_id: str | None = Field(default=None, description="The ledger run (chosen on first use when metered).")
    prices: Any = Field(default=None, exclude=True, description="A PriceTable for the provider's models.")
    unpriced: Literal["refuse", "allow"] = Field(
        default="refuse", description="Under a budget, refuse a call of unknown price, or send it reserving nothing."
    )

    _http_client: Any = PrivateAttr(default=None)
    _async_http_client: Any = PrivateAttr(default=None)
    _gates: dict[int, asyncio.Semaphore] = PrivateAttr(default_factory=dict)
    _usage: dict[str, int] = PrivateAttr(default_factory=lambda: {"prompt_tokens": 0, "total_tokens": 0})
    _clients: dict[str, Any] = PrivateAttr(default_factory=dict)  # "sync" / "async" -> the provider client

    def __init__(self, *, http_client: Any = None, async_http_client: Any = None, **kwargs: Any) -> None:
        spec = self._spec()
        if not spec.capabilities.embeddings:
            raise ValueError(f"{spec.display_name} has no embeddings API")
        kwargs = sort_kwargs(type(self), kwargs, spec.embedding_params)
        # LlamaIndex's default batch is 10 texts per request; these APIs take hundreds, and each request is a
        # round trip (32 texts were 4 requests). 256 matches the LangChain classes' chunk_size.
        kwargs.setdefault("embed_batch_size", 256)
        kwargs.setdefault("model_name", kwargs.pop("model", None) or spec.default_embedding_model or spec.default_model)
        if kwargs.get("api_key") is None and spec.api_key_env and os.environ.get(spec.api_key_env):
            kwargs["api_key"] = os.environ[spec.api_key_env]
        super().__init__(**kwargs)
        self._http_client = http_client
        self._async_http_client = async_http_client

    @classmethod
    def _spec(cls) -> ProviderSpec:
        return load_spec(cls.provider)

    @classmethod
    def class_name(cls) -> str:
        return cls.__name__

    @property
    def usage(self) -> dict[str, int]:
        """Tokens embedded by this object so far (``prompt_tokens``, ``total_tokens``)."""
        return dict(self._usage)

    def _settings(self) -> dict[str, Any]:
        return {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries, "default_headers": self.default_headers,
                **metering_settings(self)}  # fmt: skip

    def _params(self) -> dict[str, Any]:
        params = dict(self.additional_kwargs)
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def _private(self) -> dict[str, Any]:
        # ``self._usage`` would go through pydantic's ``__getattr__``, which costs microseconds per read.
        return cast(dict[str, Any], self.__pydantic_private__)

    def _client(self, kind: str) -> Any:
        # Looked up once per object, as the LLMs do: finding the shared client digests the key each time.
        private = self._private()
        client = private["_clients"].get(kind)
        if client is None:
            transport = private["_http_client"] if kind == "sync" else private["_async_http_client"]
            client = private["_clients"][kind] = provider_client(
                self._spec(), kind, http_client=transport, **self._settings()
            )
        return client

    def _vectors(self, response: Any) -> list[list[float]]:
        if response.usage is not None:
            usage = self._private()["_usage"]
            usage["prompt_tokens"] += response.usage.prompt_tokens or 0
            usage["total_tokens"] += response.usage.total_tokens or 0
        return [item.vector() for item in sorted(response.data, key=lambda d: d.index)]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        client = self._client("sync")
        return self._vectors(client.embeddings.create(input=list(texts), model=self.model_name, **self._params()))

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        loop = asyncio.get_running_loop()
        gates = self._private()["_gates"]
        gate = gates.get(id(loop)) or gates.setdefault(id(loop), asyncio.Semaphore(self.max_concurrency))  # per loop
        client = self._client("async")
        async with gate:
            response = await client.embeddings.create(input=list(texts), model=self.model_name, **self._params())
        return self._vectors(response)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return await self._aget_text_embedding(query)
