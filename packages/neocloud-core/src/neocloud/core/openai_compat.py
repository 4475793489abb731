"""OpenAI-compatible resources written once: chat completions, text completions, embeddings, models.

A provider whose wire is OpenAI-compatible subclasses these with its own paths and wire models; the
request is validated before anything is sent (the client's ``profile.local_error``, a
``RequestValidationError`` naming the argument), strictly (see ``RequestModel``), and what goes on the wire is the
validated value plus ``extra_body``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar, overload

from ._base import FinalRequest
from ._client import AsyncAPIResource, SyncAPIResource
from ._response import async_raw_response_wrapper, raw_response_wrapper
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes, coerce_timeout
from .errors import RequestValidationError
from .paths import segment
from .streaming import AsyncStream, Stream
from .validation import check_json, validated_body
from .wire import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    CreateEmbeddingResponse,
    EmbeddingRequest,
    Model,
    ModelList,
    RequestModel,
)

__all__ = [
    "AsyncChatCompletions",
    "AsyncCompletions",
    "AsyncEmbeddings",
    "AsyncModels",
    "ChatCompletions",
    "Completions",
    "Embeddings",
    "Models",
    "build_body",
]

# Left as they are, for the model to refuse: text, bytes (``list(b"hi")`` would be the token ids [104, 105]),
# mappings, and sets (unordered: the n-th embedding would not be the n-th text's).
_NOT_A_SEQUENCE = (str, bytes, bytearray, memoryview, Mapping, list, set, frozenset)

_Resp = TypeVar("_Resp")
_Chunk = TypeVar("_Chunk")


def build_body(
    request_model: type[RequestModel],
    fields: Mapping[str, Any],
    *,
    extra_body: Mapping[str, Any] | None,
    what: str,
    error: type[RequestValidationError],
) -> dict[str, Any]:
    """The JSON body: given fields (``None`` / ``NOT_GIVEN`` dropped), validated, then ``extra_body`` merged.

    ``extra_body`` is the documented escape hatch for fields we do not model: its fields are not checked against
    the model, only as JSON data (``jsonsafe``).
    """
    body = {k: v for k, v in fields.items() if v is not None and not isinstance(v, NotGiven)}
    for key in ("messages", "tools", "stop", "input", "prompt"):
        value = body.get(key)
        if isinstance(value, Iterable) and not isinstance(value, _NOT_A_SEQUENCE):
            body[key] = list(value)  # accept any ordered iterable, send a list
    sent = validated_body(request_model, body, what=what, error=error)
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise error(f"'extra_body' must be a mapping of field names to values; got {type(extra_body).__name__}",
                        param="extra_body")  # fmt: skip
        check_json(dict(extra_body), error=error, what=what, where="extra_body")
        sent.update(extra_body)
    return sent


def _local_error(client: Any) -> type[RequestValidationError]:
    """The class this client's provider raises for a call refused before sending."""
    cls: type[RequestValidationError] = client.profile.local_error
    return cls


def _request(
    client: Any,
    method: str,
    path: str,
    *,
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    idempotent: bool = True,
) -> FinalRequest:
    refuse = _local_error(client)
    if extra_headers is not None and (
        not isinstance(extra_headers, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) and v.isascii() for k, v in extra_headers.items())
    ):
        raise refuse("'extra_headers' must map header names to ASCII strings", param="extra_headers")
    if extra_query is not None and not isinstance(extra_query, Mapping):
        raise refuse("'extra_query' must map query names to values", param="extra_query")
    query = {**(params or {}), **(extra_query or {})} or None
    return FinalRequest(
        method,
        path,
        json=body,
        params=query,
        headers=extra_headers,
        timeout=None if isinstance(timeout, NotGiven) else coerce_timeout(timeout, client.timeout),
        # Inference calls create nothing, so repeating one is safe (as every official SDK does).
        idempotent=idempotent,
        # Every body here was built by build_body, which checked it is JSON data.
        json_checked=body is not None,
    )


class _ChatBase(Generic[_Resp, _Chunk]):
    path: ClassVar[str] = "/v1/chat/completions"
    request_model: ClassVar[type[RequestModel]] = ChatCompletionRequest
    response_model: ClassVar[type[Any]] = ChatCompletion
    chunk_model: ClassVar[type[Any]] = ChatCompletionChunk
    _client: Any

    def _parser(self, body: Any) -> Any:
        """How the non-streamed answer to ``body`` is read: the response model. A provider may return a parser
        (with ``model_validate_json``) that also records request values its server does not echo."""
        return self.response_model

    def _prepare(
        self,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: bool,
        params: dict[str, Any],
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, Any] | None,
        extra_body: Mapping[str, Any] | None,
        timeout: TimeoutTypes | NotGiven,
    ) -> FinalRequest:
        fields = {"messages": messages, "model": model, **params}
        refuse = _local_error(self._client)
        if not isinstance(stream, bool):  # "yes" would otherwise be sent as a streaming request
            raise refuse(f"'stream' must be True or False; got {stream!r}", param="stream")
        if stream:
            fields["stream"] = True
        body = build_body(
            self.request_model, fields, extra_body=extra_body, what="chat.completions.create", error=refuse
        )
        return _request(
            self._client,
            "POST",
            self.path,
            body=body,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
        )


class ChatCompletions(SyncAPIResource, _ChatBase[_Resp, _Chunk]):
    """``client.chat.completions``: ``create(messages=..., model=..., stream=...)``."""

    @overload
    def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: Literal[False] = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp: ...
    @overload
    def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: Literal[True],
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> Stream[_Chunk]: ...
    @overload
    def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp | Stream[_Chunk]: ...
    def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp | Stream[_Chunk]:
        """Create a chat completion; with ``stream=True`` a ``Stream`` of chunks."""
        req = self._prepare(messages, model, stream, params, extra_headers, extra_query, extra_body, timeout)
        meter = self._client.meter
        if stream:
            return meter.stream(  # type: ignore[no-any-return]
                "chat", req.json, lambda: self._client.request_stream(
                    self.chunk_model.model_validate, req, parse_json=self.chunk_model.model_validate_json)
            )  # fmt: skip
        return meter.call("chat", req.json, lambda: self._client.request(self._parser(req.json), req))  # type: ignore[no-any-return]

    @property
    def with_raw_response(self) -> _RawChat[_Resp, _Chunk]:
        """The same methods, returning ``APIResponse`` (headers, request id, ``parse()``)."""
        return _RawChat(self)


class _RawChat(Generic[_Resp, _Chunk]):
    def __init__(self, resource: ChatCompletions[_Resp, _Chunk]) -> None:
        self.create = raw_response_wrapper(resource.create)


class AsyncChatCompletions(AsyncAPIResource, _ChatBase[_Resp, _Chunk]):
    """``client.chat.completions`` of an async client."""

    @overload
    async def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: Literal[False] = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp: ...
    @overload
    async def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: Literal[True],
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> AsyncStream[_Chunk]: ...
    @overload
    async def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp | AsyncStream[_Chunk]: ...
    async def create(
        self,
        *,
        messages: Iterable[Mapping[str, Any]],
        model: str,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        **params: Any,
    ) -> _Resp | AsyncStream[_Chunk]:
        """Create a chat completion; with ``stream=True`` an ``AsyncStream`` of chunks."""
        req = self._prepare(messages, model, stream, params, extra_headers, extra_query, extra_body, timeout)
        meter = self._client.meter
        if stream:
            return await meter.astream(  # type: ignore[no-any-return]
                "chat", req.json, lambda: self._client.request_stream(
                    self.chunk_model.model_validate, req, parse_json=self.chunk_model.model_validate_json)
            )  # fmt: skip
        return await meter.acall("chat", req.json, lambda: self._client.request(self._parser(req.json), req))  # type: ignore[no-any-return]

    @property
    def with_raw_response(self) -> _AsyncRawChat[_Resp, _Chunk]:
        """The same methods, returning ``APIResponse`` (headers, request id, ``parse()``)."""
        return _AsyncRawChat(self)


class _AsyncRawChat(Generic[_Resp, _Chunk]):
    def __init__(self, resource: AsyncChatCompletions[_Resp, _Chunk]) -> None:
        self.create = async_raw_response_wrapper(resource.create)


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


_EXTRA_KEYS = ("extra_headers", "extra_query", "extra_body", "timeout")


def _split_extra(params: dict[str, Any]) -> dict[str, Any]:
    return {k: params.pop(k) for k in _EXTRA_KEYS if k in params}


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
