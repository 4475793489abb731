"""``BaseNeocloudChatModel``: the LangChain chat model, written once against the provider protocol.

A provider class only names its provider (``ChatCerebras._provider = "cerebras"``); everything else is
read from that provider's ``ProviderSpec``: env var names, default model, capabilities (tool_choice
forms, structured-output methods), model profiles and extra response metadata.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import agenerate_from_stream, generate_from_stream
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from neocloud.core.provider import ProviderSpec
from neocloud.core.shared_clients import (
    aclose_stream,
    chat_backend,
    close_stream,
    finalize_chat_body,
    metering_settings,
)

from .._errors import translate_errors
from .._kwargs import sort_kwargs
from .._registry import load_spec
from ._convert import to_chat_result, to_generation_chunk, to_wire_messages

if TYPE_CHECKING:
    # Used only by bind_tools / with_structured_output / profiles, which import what they need when called:
    # `from neocloud.langchain import ChatCerebras` costs little more than LangChain's own chat-model module.
    from langchain_core.language_models.model_profile import ModelProfile
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

__all__ = ["BaseNeocloudChatModel"]

# Keys LangChain passes through kwargs that are not request fields.
_INTERNAL = {"ls_structured_output_format"}


class BaseNeocloudChatModel(BaseChatModel):
    """A LangChain chat model for a neocloud provider (subclasses set ``_provider``)."""

    _provider: ClassVar[str] = ""

    model_name: str = Field(default="", alias="model")
    """The model id; defaults to the provider's default model."""
    api_key: SecretStr | None = None
    """The API key; defaults to the provider's environment variable (e.g. ``CEREBRAS_API_KEY``)."""
    base_url: str | None = None
    """The API root; defaults to the provider's environment variable, else its production URL."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    top_p: float | None = None
    seed: int | None = None
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    timeout: float | None = None
    """Seconds per request phase (connect is capped at 5 s)."""
    max_retries: int = 2
    """Retries of the core client (the only retry layer)."""
    streaming: bool = False
    stream_usage: bool = True
    """Ask for token usage in streams (``stream_options.include_usage``)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Request fields sent as given (e.g. Cerebras ``reasoning_effort``). A provider request parameter given as a
    constructor argument lands here with a warning; an unknown argument is an error (see ``_kwargs``)."""
    default_headers: dict[str, str] | None = None
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
    """An ``httpx2.Client`` or ``httpx.Client`` to use instead of the shared pool."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An ``httpx2.AsyncClient`` or ``httpx.AsyncClient`` to use instead of the shared pools."""

    # defer_build: the validator is built when the first model is constructed, not when neocloud.langchain is
    # imported (import time is a benchmark target; the work is the same, done once, where it is needed).
    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, defer_build=True)

    _backend: Any = PrivateAttr(default=None)
    _abackend: Any = PrivateAttr(default=None)

    # -- provider and configuration ---------------------------------------------------------------------
    @classmethod
    def _spec(cls) -> ProviderSpec:
        return load_spec(cls._provider)

    @model_validator(mode="before")
    @classmethod
    def _neocloud_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        spec = cls._spec()
        values = sort_kwargs(cls, values, spec.chat_request_params())
        if not (values.get("model") or values.get("model_name")):
            values["model"] = spec.default_model
        if values.get("api_key") is None and spec.api_key_env:
            import os

            env_key = os.environ.get(spec.api_key_env)
            if env_key:
                values["api_key"] = env_key
        return values

    @property
    def lc_secrets(self) -> dict[str, str]:
        env = self._spec().api_key_env
        return {"api_key": env} if env else {}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["neocloud", "langchain", "chat_models"]

    @property
    def _llm_type(self) -> str:
        return f"{self._provider}-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._sampling()}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self._provider
        params["ls_model_name"] = kwargs.get("model", self.model_name)
        params["ls_model_type"] = "chat"
        if self.temperature is not None:
            params["ls_temperature"] = kwargs.get("temperature", self.temperature)
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stops = stop or self.stop
        if stops:
            params["ls_stop"] = [stops] if isinstance(stops, str) else list(stops)
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        from langchain_core.language_models.model_profile import ModelProfile

        spec = self._spec()
        caps = spec.capabilities
        info = spec.model_info(self.model_name)
        profile = ModelProfile(
            tool_calling=caps.tools and (info.tools if info else True),
            tool_choice=bool(caps.tool_choice),
            structured_output="json_schema" in caps.structured_output and (info.structured_output if info else True),
        )
        if info is not None:
            profile["max_input_tokens"] = info.context_window
            profile["max_output_tokens"] = info.max_output_tokens
            profile["reasoning_output"] = info.reasoning
            profile["image_inputs"] = info.image_inputs
        return profile

    # -- clients ----------------------------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            **metering_settings(self),
        }

    def _private(self) -> dict[str, Any]:
        # ``self._backend`` would go through pydantic's ``__getattr__``, which costs microseconds per read; the
        # per-call paths read the private attributes' dict directly.
        return cast(dict[str, Any], self.__pydantic_private__)

    def _sync_backend(self) -> Any:
        private = self._private()
        backend = private["_backend"]
        if backend is None:
            backend = private["_backend"] = chat_backend(
                self._spec(), "sync", http_client=self.http_client, **self._settings()
            )
        return backend

    def _async_backend(self) -> Any:
        private = self._private()
        backend = private["_abackend"]
        if backend is None:
            backend = private["_abackend"] = chat_backend(
                self._spec(), "async", http_client=self.http_async_client, **self._settings()
            )
        return backend

    # -- request ----------------------------------------------------------------------------------------
    def _sampling(self) -> dict[str, Any]:
        params = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _body(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": kwargs.pop("model", None) or self.model_name,
            "messages": to_wire_messages(messages),
            **self._sampling(),
            **self.model_kwargs,
        }
        stops = stop if stop is not None else self.stop
        if stops:
            body["stop"] = stops
        body.update({k: v for k, v in kwargs.items() if k not in _INTERNAL and v is not None})
        return finalize_chat_body(body, self._spec(), stream=stream, stream_usage=self.stream_usage)

    # -- the four paths ---------------------------------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        body = self._body(messages, stop, stream=False, **kwargs)
        with translate_errors():
            completion = self._sync_backend().create_chat(body)
        return to_chat_result(completion, self._spec())

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        body = self._body(messages, stop, stream=False, **kwargs)
        with translate_errors():
            completion = await self._async_backend().create_chat(body)
        return to_chat_result(completion, self._spec())

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body = self._body(messages, stop, stream=True, **kwargs)
        spec = self._spec()
        with translate_errors():
            stream = self._sync_backend().stream_chat(body)
            try:
                for chunk in stream:
                    generation = to_generation_chunk(chunk, spec)
                    if generation is None:
                        continue
                    if run_manager:
                        run_manager.on_llm_new_token(generation.text, chunk=generation)
                    yield generation
            finally:
                close_stream(stream)  # release the connection even when the consumer stops early

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        body = self._body(messages, stop, stream=True, **kwargs)
        spec = self._spec()
        with translate_errors():
            stream = await self._async_backend().stream_chat(body)
            try:
                async for chunk in stream:
                    generation = to_generation_chunk(chunk, spec)
                    if generation is None:
                        continue
                    if run_manager:
                        await run_manager.on_llm_new_token(generation.text, chunk=generation)
                    yield generation
            finally:
                await aclose_stream(stream)

    # -- tools and structured output --------------------------------------------------------------------
    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; ``tool_choice`` accepts every LangChain form and is translated per provider."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        from neocloud.core.tool_choice import translate_tool_choice

        caps = self._spec().capabilities
        if not caps.tools:
            raise NotImplementedError(f"{self._spec().display_name} does not support tool calling")
        formatted = [convert_to_openai_tool(t, strict=strict) for t in tools]
        choice, formatted = translate_tool_choice(tool_choice, formatted, caps)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None and caps.parallel_tool_calls:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: Any = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Structured output. The default method is the first the provider and this model support (native JSON
        schema where there is one); if the server refuses that request (400), the next method is tried."""
        from ._structured import structured_runnable

        spec = self._spec()
        caps = spec.capabilities
        if not caps.structured_output:
            raise NotImplementedError(f"{spec.display_name} does not support structured output")
        if method is not None:
            if method not in caps.structured_output:
                raise ValueError(
                    f"{spec.display_name} supports structured output via {', '.join(caps.structured_output)}; "
                    f"not {method!r}"
                )
            return structured_runnable(self, schema, method=method, include_raw=include_raw, strict=strict, **kwargs)
        info = spec.model_info(self.model_name)
        unsupported = set()
        if info is not None and not info.structured_output:
            unsupported.add("json_schema")
        if info is not None and not info.tools:
            unsupported.add("function_calling")
        order = [m for m in caps.structured_output if m not in unsupported] or list(caps.structured_output)
        runnables = [structured_runnable(self, schema, method=m, include_raw=include_raw, strict=strict, **kwargs)
                     for m in order]  # fmt: skip
        if len(runnables) == 1:
            return runnables[0]
        from langchain_core.exceptions import ModelInvalidRequestError

        return runnables[0].with_fallbacks(runnables[1:], exceptions_to_handle=(ModelInvalidRequestError,))
