"""``BaseNeocloudEmbeddings``: LangChain ``Embeddings`` written once against the provider protocol.

A provider class names its provider; the client, env vars and default model come from its ``ProviderSpec``.
Texts are sent unchanged in batches of ``chunk_size``; async batches run with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, ClassVar, Literal, cast

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from neocloud.core.provider import ProviderSpec
from neocloud.core.shared_clients import metering_settings, provider_client

from .._errors import translate_errors
from .._kwargs import sort_kwargs
from .._registry import load_spec

__all__ = ["BaseNeocloudEmbeddings"]


class BaseNeocloudEmbeddings(BaseModel, Embeddings):
    """LangChain embeddings for a neocloud provider (subclasses set ``_provider``)."""

    _provider: ClassVar[str] = ""

    model: str = ""
    """The embedding model (for InferenceKey: the workload slug)."""
    api_key: SecretStr | None = None
    base_url: str | None = None
    dimensions: int | None = None
    """Output dimensions, for models that can shorten their vectors."""
    chunk_size: int = Field(default=256, gt=0)
    """Texts per request."""
    max_concurrency: int = Field(default=4, gt=0)
    """Requests in flight at once in ``aembed_documents``."""
    timeout: float | None = None
    max_retries: int = 2
    default_headers: dict[str, str] | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Request fields sent as given (e.g. ``encoding_format``, ``user``); a request parameter given as a
    constructor argument lands here with a warning, an unknown argument is an error."""
    ledger: Any = Field(default=None, exclude=True)
    """A ``neocloud.core.ledger`` store (or ``True`` for ``open_ledger()``): every call is recorded there."""
    budget: Any = Field(default=None, exclude=True)
    """A ``Budget`` (or several): each call's worst case is reserved first; over it, ``BudgetExceeded``."""
    run_id: str | None = None
    """The ledger run the calls belong to (chosen on the first call when a ledger or budget is set)."""
    prices: Any = Field(default=None, exclude=True)
    """A ``PriceTable`` that prices the provider's models (else its catalog, once listed)."""
    unpriced: Literal["refuse", "allow"] = "refuse"
    """Under a budget, a call whose price is unknown is refused (``"refuse"``) or sent reserving nothing."""
    http_client: Any = Field(default=None, exclude=True)
    http_async_client: Any = Field(default=None, exclude=True)

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    _last_usage: dict[str, int] = PrivateAttr(default_factory=dict)
    _clients: dict[str, Any] = PrivateAttr(default_factory=dict)  # "sync" / "async" -> the provider client

    @classmethod
    def _spec(cls) -> ProviderSpec:
        return load_spec(cls._provider)

    @model_validator(mode="before")
    @classmethod
    def _neocloud_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        spec = cls._spec()
        if not spec.capabilities.embeddings:
            raise ValueError(f"{spec.display_name} has no embeddings API")
        values = sort_kwargs(cls, values, spec.embedding_params)
        if not values.get("model"):
            values["model"] = spec.default_embedding_model or spec.default_model
        if values.get("api_key") is None and spec.api_key_env and os.environ.get(spec.api_key_env):
            values["api_key"] = os.environ[spec.api_key_env]
        return values

    def __repr_args__(self) -> Any:  # never show the key, even masked, in reprs
        return [(k, v) for k, v in super().__repr_args__() if k not in ("api_key", "http_client", "http_async_client")]

    @property
    def usage(self) -> dict[str, int]:
        """Token usage of the last ``embed_*`` call (``prompt_tokens``, ``total_tokens``)."""
        return dict(self._last_usage)

    def _settings(self) -> dict[str, Any]:
        return {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries, "default_headers": self.default_headers,
                **metering_settings(self)}  # fmt: skip

    def _params(self) -> dict[str, Any]:
        params = dict(self.model_kwargs)
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def _batches(self, texts: list[str]) -> list[list[str]]:
        return [texts[i : i + self.chunk_size] for i in range(0, len(texts), self.chunk_size)]

    def _private(self) -> dict[str, Any]:
        # ``self._clients`` would go through pydantic's ``__getattr__``, which costs microseconds per read.
        return cast(dict[str, Any], self.__pydantic_private__)

    def _client(self, kind: str) -> Any:
        # Looked up once per object, as the chat models do: finding the shared client digests the key each time.
        clients = self._private()["_clients"]
        client = clients.get(kind)
        if client is None:
            transport = self.http_client if kind == "sync" else self.http_async_client
            client = clients[kind] = provider_client(self._spec(), kind, http_client=transport, **self._settings())
        return client

    def _record(self, responses: list[Any]) -> None:
        prompt = sum((r.usage.prompt_tokens if r.usage else 0) for r in responses)
        total = sum((r.usage.total_tokens if r.usage else 0) for r in responses)
        self._private()["_last_usage"] = {"prompt_tokens": prompt, "total_tokens": total}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        if not texts:
            return []
        client = self._client("sync")
        with translate_errors():
            responses = [client.embeddings.create(input=batch, model=self.model, **self._params())
                         for batch in self._batches(list(texts))]  # fmt: skip
        self._record(responses)
        return [item.vector() for r in responses for item in sorted(r.data, key=lambda d: d.index)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        client = self._client("async")
        gate = asyncio.Semaphore(self.max_concurrency)

        async def one(batch: list[str]) -> Any:
            async with gate:
                return await client.embeddings.create(input=batch, model=self.model, **self._params())

        with translate_errors():
            responses = await asyncio.gather(*(one(b) for b in self._batches(list(texts))))
        self._record(list(responses))
        return [item.vector() for r in responses for item in sorted(r.data, key=lambda d: d.index)]

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]
