"""The OpenAI-compatible text completions, embeddings and models resources (chat is in ``openai_compat``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar, overload

from ._base import FinalRequest
from ._client import AsyncAPIResource, SyncAPIResource
from ._openai_request import _local_error, _request, _split_extra, build_body
from ._types import NOT_GIVEN
from .paths import segment
from .streaming import AsyncStream, Stream
from .wire import (
    Completion,
    CompletionRequest,
    CreateEmbeddingResponse,
    EmbeddingRequest,
    Model,
    ModelList,
    RequestModel,
)

_Resp = TypeVar("_Resp")


class _CompletionsBase(Generic[_Resp]):
    path: ClassVar[str] = "/v1/completions"
    request_model: ClassVar[type[RequestModel]] = CompletionRequest
    response_model: ClassVar[type[Any]] = Completion
    _client: Any

    def _prepare(
        self, prompt: Any, model: str, stream: bool, params: dict[str, Any], extra: dict[str, Any]
    ) -> FinalRequest:
        fields = {"prompt": prompt, "model": model, **params}
        refuse = _local_error(self._client)
        if not isinstance(stream, bool):  # "yes" would otherwise be sent as a streaming request
            raise refuse(f"'stream' must be True or False; got {stream!r}", param="stream")
        if stream:
            fields["stream"] = True
        body = build_body(
            self.request_model, fields, extra_body=extra.get("extra_body"), what="completions.create", error=refuse
        )
        return _request(
            self._client,
            "POST",
            self.path,
            body=body,
            extra_headers=extra.get("extra_headers"),
            extra_query=extra.get("extra_query"),
            timeout=extra.get("timeout", NOT_GIVEN),
        )


class Completions(SyncAPIResource, _CompletionsBase[_Resp]):
    """``client.completions``: text completion, ``create(prompt=..., model=..., stream=...)``."""

    @overload
    def create(self, *, prompt: Any, model: str, stream: Literal[False] = False, **params: Any) -> _Resp: ...
    @overload
    def create(self, *, prompt: Any, model: str, stream: Literal[True], **params: Any) -> Stream[_Resp]: ...
    def create(self, *, prompt: Any, model: str, stream: bool = False, **params: Any) -> _Resp | Stream[_Resp]:
        """Create a text completion (``extra_headers`` / ``extra_query`` / ``extra_body`` / ``timeout`` accepted)."""
        req = self._prepare(prompt, model, stream, params, _split_extra(params))
        meter = self._client.meter
        if stream:
            return meter.stream(  # type: ignore[no-any-return]
                "completion", req.json, lambda: self._client.request_stream(
                    self.response_model.model_validate, req, parse_json=self.response_model.model_validate_json)
            )  # fmt: skip
        return meter.call("completion", req.json, lambda: self._client.request(self.response_model, req))  # type: ignore[no-any-return]


class AsyncCompletions(AsyncAPIResource, _CompletionsBase[_Resp]):
    """``client.completions`` of an async client."""

    @overload
    async def create(self, *, prompt: Any, model: str, stream: Literal[False] = False, **params: Any) -> _Resp: ...
    @overload
    async def create(self, *, prompt: Any, model: str, stream: Literal[True], **params: Any) -> AsyncStream[_Resp]: ...
    async def create(
        self, *, prompt: Any, model: str, stream: bool = False, **params: Any
    ) -> _Resp | AsyncStream[_Resp]:
        """Create a text completion (``extra_headers`` / ``extra_query`` / ``extra_body`` / ``timeout`` accepted)."""
        req = self._prepare(prompt, model, stream, params, _split_extra(params))
        meter = self._client.meter
        if stream:
            return await meter.astream(  # type: ignore[no-any-return]
                "completion", req.json, lambda: self._client.request_stream(
                    self.response_model.model_validate, req, parse_json=self.response_model.model_validate_json)
            )  # fmt: skip
        return await meter.acall("completion", req.json, lambda: self._client.request(self.response_model, req))  # type: ignore[no-any-return]


class _EmbeddingsBase:
    path: ClassVar[str] = "/v1/embeddings"
    request_model: ClassVar[type[RequestModel]] = EmbeddingRequest
    _client: Any

    def _prepare(self, input: Any, model: str, params: dict[str, Any]) -> FinalRequest:
        extra = _split_extra(params)
        body = build_body(
            self.request_model,
            {"input": input, "model": model, **params},
            extra_body=extra.get("extra_body"),
            what="embeddings.create",
            error=_local_error(self._client),
        )
        return _request(
            self._client,
            "POST",
            self.path,
            body=body,
            extra_headers=extra.get("extra_headers"),
            extra_query=extra.get("extra_query"),
            timeout=extra.get("timeout", NOT_GIVEN),
        )


class Embeddings(SyncAPIResource, _EmbeddingsBase):
    """``client.embeddings``: ``create(input=..., model=...)``."""

    def create(self, *, input: Any, model: str, **params: Any) -> CreateEmbeddingResponse:
        """Embed one text or a batch (texts are sent unchanged)."""
        req = self._prepare(input, model, params)
        return self._client.meter.call(  # type: ignore[no-any-return]
            "embedding", req.json, lambda: self._client.request(CreateEmbeddingResponse, req))  # fmt: skip


class AsyncEmbeddings(AsyncAPIResource, _EmbeddingsBase):
    """``client.embeddings`` of an async client."""

    async def create(self, *, input: Any, model: str, **params: Any) -> CreateEmbeddingResponse:
        """Embed one text or a batch (texts are sent unchanged)."""
        req = self._prepare(input, model, params)
        return await self._client.meter.acall(  # type: ignore[no-any-return]
            "embedding", req.json, lambda: self._client.request(CreateEmbeddingResponse, req))  # fmt: skip


class _ModelsBase:
    path: ClassVar[str] = "/v1/models"
    list_model: ClassVar[type[Any]] = ModelList
    model_model: ClassVar[type[Any]] = Model
    _client: Any

    def _list(self, params: Mapping[str, Any] | None, extra: dict[str, Any]) -> FinalRequest:
        return _request(
            self._client,
            "GET",
            self.path,
            params=params,
            **{k: v for k, v in extra.items() if k != "extra_body"},
        )

    def _retrieve(self, model_id: str, params: Mapping[str, Any] | None, extra: dict[str, Any]) -> FinalRequest:
        return _request(
            self._client,
            "GET",
            f"{self.path}/{segment('model_id', model_id, error=_local_error(self._client))}",
            params=params,
            **{k: v for k, v in extra.items() if k != "extra_body"},
        )


class Models(SyncAPIResource, _ModelsBase):
    """``client.models``: ``list()`` and ``retrieve(model_id)``."""

    def list(self, **params: Any) -> Any:
        """All models (no pagination)."""
        extra = _split_extra(params)
        listed = self._client.request(self.list_model, self._list(params or None, extra))
        self._client.meter.learn(listed)  # the catalog's prices then price this client's calls
        return listed

    def retrieve(self, model_id: str, **params: Any) -> Any:
        """One model by id."""
        extra = _split_extra(params)
        return self._client.request(self.model_model, self._retrieve(model_id, params or None, extra))


class AsyncModels(AsyncAPIResource, _ModelsBase):
    """``client.models`` of an async client."""

    async def list(self, **params: Any) -> Any:
        """All models (no pagination)."""
        extra = _split_extra(params)
        listed = await self._client.request(self.list_model, self._list(params or None, extra))
        self._client.meter.learn(listed)  # the catalog's prices then price this client's calls
        return listed

    async def retrieve(self, model_id: str, **params: Any) -> Any:
        """One model by id."""
        extra = _split_extra(params)
        return await self._client.request(self.model_model, self._retrieve(model_id, params or None, extra))
