"""``NeocloudLLM``: the LlamaIndex function-calling LLM, written once against the provider protocol.

Fixes what the incumbents get wrong: per-model ``context_window`` (never a silent 3900), function
calling enabled where the provider has tools, structured output through the provider's JSON-schema mode
(never ``tool_choice`` without tools), one retry layer (the core's), streaming usage requested, one
async pool per event loop, and the key kept out of ``repr`` and ``to_dict``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator, Generator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

from neocloud.core.provider import ProviderSpec
from neocloud.core.shared_clients import (
    aclose_stream,
    chat_backend,
    close_stream,
    finalize_chat_body,
    metering_settings,
)
from neocloud.core.tool_choice import translate_tool_choice

from .._kwargs import sort_kwargs
from .._registry import load_spec
from ._convert import StreamAccumulator, to_chat_response, to_wire_messages, tool_selections
from ._structured import StructuredMixin

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["NeocloudLLM"]

log = logging.getLogger("neocloud.llamaindex")

# (provider, model) pairs already warned about as missing from the model table: once per process is enough.
_WARNED: set[tuple[str, str]] = set()


class NeocloudLLM(StructuredMixin, FunctionCallingLLM):
    """A LlamaIndex LLM for a neocloud provider (subclasses set ``provider``)."""

    provider: ClassVar[str] = ""

    model: str = Field(default="", description="The model id (default: the provider's default model).")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False, description="The API key.")
    base_url: str | None = Field(default=None, description="The API root (default: env var, else production).")
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    timeout: float | None = Field(default=None, gt=0, description="Seconds per request phase.")
    max_retries: int = Field(default=2, ge=0, description="Retries of the core client (the only retry layer).")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Request fields sent with each request (a request parameter given as an argument lands here).",
    )
    stream_usage: bool = Field(default=True, description="Request token usage in streams.")
    context_window: int | None = Field(default=None, description="Override the model table's context window.")
    num_output: int | None = Field(default=None, description="Override the model table's output limit.")
    ledger: Any = Field(default=None, exclude=True, description="A ledger store (True: open_ledger()).")
    budget: Any = Field(default=None, exclude=True, description="A Budget (or several) each call reserves in.")
    run_id: str | None = Field(default=None, description="The ledger run (chosen on first use when metered).")
    prices: Any = Field(default=None, exclude=True, description="A PriceTable for the provider's models.")
    unpriced: Literal["refuse", "allow"] = Field(
        default="refuse", description="Under a budget, refuse a call of unknown price, or send it reserving nothing."
    )
    default_headers: dict[str, str] | None = None

    _http_client: Any = PrivateAttr(default=None)
    _async_http_client: Any = PrivateAttr(default=None)
    _backend: Any = PrivateAttr(default=None)
    _abackend: Any = PrivateAttr(default=None)
    _metadata: Any = PrivateAttr(default=None)  # (the settings it was computed from, LLMMetadata)

    def __init__(self, *, http_client: Any = None, async_http_client: Any = None, **kwargs: Any) -> None:
        spec = self._spec()
        kwargs = sort_kwargs(type(self), kwargs, spec.chat_request_params())
        kwargs.setdefault("model", spec.default_model)
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
        return f"{cls.__name__}"

    @property
    def metadata(self) -> LLMMetadata:
        # LlamaIndex reads this on every call: computed once per combination of the settings it depends on.
        private = self._private()
        key = (self.model, self.context_window, self.num_output, self.max_tokens)
        cached = private["_metadata"]
        if cached is None or cached[0] != key:
            cached = private["_metadata"] = (key, self._compute_metadata())
        metadata: LLMMetadata = cached[1]
        return metadata

    def _compute_metadata(self) -> LLMMetadata:
        spec = self._spec()
        info = spec.model_info(self.model)
        if info is None:
            smallest = min(spec.models, key=lambda m: m.context_window)
            if (spec.name, self.model) not in _WARNED:
                _WARNED.add((spec.name, self.model))
                log.warning(
                    "%s: model %r is not in the model table; assuming the smallest known context window (%d). "
                    "Pass context_window= to set it.",
                    spec.display_name,
                    self.model,
                    smallest.context_window,
                )
            context, output, tools = smallest.context_window, smallest.max_output_tokens, spec.capabilities.tools
        else:
            context, output, tools = info.context_window, info.max_output_tokens, spec.capabilities.tools and info.tools
        return LLMMetadata(
            context_window=self.context_window or context,
            num_output=self.num_output or self.max_tokens or output,
            is_chat_model=True,
            is_function_calling_model=tools,
            model_name=self.model,
        )

    # -- clients ----------------------------------------------------------------------------------------
    def _private(self) -> dict[str, Any]:
        # ``self._backend`` would go through pydantic's ``__getattr__``, which costs microseconds per read; the
        # per-call paths read the private attributes' dict directly.
        return cast(dict[str, Any], self.__pydantic_private__)

    def _settings(self) -> dict[str, Any]:
        return {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries, "default_headers": self.default_headers,
                **metering_settings(self)}  # fmt: skip

    def _sync_backend(self) -> Any:
        private = self._private()
        backend = private["_backend"]
        if backend is None:
            backend = private["_backend"] = chat_backend(
                self._spec(), "sync", http_client=private["_http_client"], **self._settings()
            )
        return backend

    def _async_backend(self) -> Any:
        private = self._private()
        backend = private["_abackend"]
        if backend is None:
            backend = private["_abackend"] = chat_backend(
                self._spec(), "async", http_client=private["_async_http_client"], **self._settings()
            )
        return backend

    def _body(self, messages: Sequence[ChatMessage], stream: bool, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": to_wire_messages(messages)}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        body.update(self.additional_kwargs)
        body.update({k: v for k, v in kwargs.items() if v is not None})
        return finalize_chat_body(body, self._spec(), stream=stream, stream_usage=self.stream_usage)

    # -- chat -------------------------------------------------------------------------------------------
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._body(messages, False, **kwargs)
        return to_chat_response(self._sync_backend().create_chat(body), self._spec().name)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._body(messages, False, **kwargs)
        return to_chat_response(await self._async_backend().create_chat(body), self._spec().name)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body = self._body(messages, True, **kwargs)

        def gen() -> Generator[ChatResponse, None, None]:
            stream = self._sync_backend().stream_chat(body)
            acc = StreamAccumulator(self._spec().name)
            try:
                for chunk in stream:
                    response = acc.add(chunk)
                    if response is not None:
                        yield response
            finally:
                close_stream(stream)

        return gen()

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        body = self._body(messages, True, **kwargs)

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            stream = await self._async_backend().stream_chat(body)
            acc = StreamAccumulator(self._spec().name)
            try:
                async for chunk in stream:
                    response = acc.add(chunk)
                    if response is not None:
                        yield response
            finally:
                await aclose_stream(stream)

        return gen()

    # -- completion (through chat) ----------------------------------------------------------------------
    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self.chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return await achat_to_completion_decorator(self.achat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self.stream_chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self.astream_chat)(prompt, **kwargs)

    # -- tools ------------------------------------------------------------------------------------------
    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        caps = self._spec().capabilities
        if not caps.tools:
            raise NotImplementedError(f"{self._spec().display_name} does not support tool calling")
        specs = [tool.metadata.to_openai_tool() for tool in tools]
        messages = list(chat_history or [])
        if user_msg is not None:
            messages.append(
                ChatMessage(role=MessageRole.USER, content=user_msg) if isinstance(user_msg, str) else user_msg
            )
        wanted = "required" if tool_required else (tool_choice if tool_choice is not None else "auto")
        choice, specs = translate_tool_choice(wanted, specs, caps)
        return {"messages": messages, "tools": specs or None, "tool_choice": choice, **kwargs}

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        # LlamaIndex asks for one call unless parallel calls are allowed; trim here rather than sending
        # parallel_tool_calls=false, which some providers reject.
        calls = response.message.additional_kwargs.get("tool_calls") or []
        if not allow_parallel_tool_calls and len(calls) > 1:
            response.message.additional_kwargs["tool_calls"] = calls[:1]
        return response

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        return tool_selections(response, error_on_no_tool_call)
