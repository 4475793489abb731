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
from ._openai_request import _local_error, _request, build_body
from ._openai_resources import AsyncCompletions, AsyncEmbeddings, AsyncModels, Completions, Embeddings, Models
from ._response import async_raw_response_wrapper, raw_response_wrapper
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .streaming import AsyncStream, Stream
from .wire import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
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

_Resp = TypeVar("_Resp")
_Chunk = TypeVar("_Chunk")


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
