"""The provider-client protocol: what a provider declares once and the framework adapters read.

A provider package exposes one ``ProviderSpec`` (``neocloud.<provider>.PROVIDER_SPEC``). The LangChain
and LlamaIndex adapters, the docs' capability matrix and the CLI are written against this protocol only,
never against a particular provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # (annotations only: importing a provider's spec must not load pydantic)
    from .wire import ChatCompletion, ChatCompletionChunk

__all__ = [
    "OPENAI_CHAT_PARAMS",
    "OPENAI_EMBEDDING_PARAMS",
    "AsyncChatBackend",
    "Capabilities",
    "ChatBackend",
    "ModelInfo",
    "OpenAICompatAsyncBackend",
    "OpenAICompatBackend",
    "ProviderSpec",
]

ToolChoiceForm = Literal["auto", "none", "required", "named"]
StructuredMethod = Literal["json_schema", "json_mode", "function_calling"]

# The request parameters of OpenAI's chat and embeddings APIs that a caller sets (model, messages / input and the
# streaming switches are the adapters' own). A test keeps them equal to the wire request models' fields; they are
# spelled out here so that reading a spec never loads pydantic.
OPENAI_CHAT_PARAMS = frozenset(
    {"max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop", "seed", "frequency_penalty",
     "presence_penalty", "logit_bias", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls",
     "response_format", "user"}
)  # fmt: skip
OPENAI_EMBEDDING_PARAMS = frozenset({"encoding_format", "dimensions", "user"})


@dataclass(frozen=True)
class Capabilities:
    """What a provider's wire API can do, declared once."""

    chat: bool = True
    completions: bool = False
    tools: bool = False
    # The tool_choice forms the provider accepts; adapters translate the others.
    tool_choice: frozenset[ToolChoiceForm] = frozenset()
    parallel_tool_calls: bool = False
    # Structured-output methods in order of preference (the first is the default).
    structured_output: tuple[StructuredMethod, ...] = ()
    embeddings: bool = False
    reasoning: bool = False
    stream_usage: bool = True
    image_inputs: bool = False
    provisioning: bool = False
    # Tools and structured output are not on the wire but emulated by the prompt-and-parse protocol of
    # ``neocloud.core.prompted`` (the provider's chat backend renders and parses; adapters see OpenAI shapes).
    prompted: bool = False

    def as_row(self) -> dict[str, str]:
        """One row of the capability matrix (docs)."""

        def mark(flag: bool) -> str:
            return "yes" if flag else "-"

        how = " (prompted)" if self.prompted else ""
        return {
            "chat": mark(self.chat),
            "tools": mark(self.tools) + (how if self.tools else ""),
            "tool_choice": ", ".join(sorted(self.tool_choice)) or "-",
            "structured output": (", ".join(self.structured_output) + how) if self.structured_output else "-",
            "embeddings": mark(self.embeddings),
            "reasoning": mark(self.reasoning),
            "streaming usage": mark(self.stream_usage),
            "provisioning": mark(self.provisioning),
        }


@dataclass(frozen=True)
class ModelInfo:
    """A model's limits and abilities, from the shipped fallback table (or the provider's catalog)."""

    id: str
    context_window: int
    max_output_tokens: int
    tools: bool = True
    structured_output: bool = True
    reasoning: bool = False
    image_inputs: bool = False


@runtime_checkable
class ChatBackend(Protocol):
    """Synchronous chat over OpenAI-shaped bodies: what the framework adapters call."""

    def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion: ...
    def stream_chat(self, body: Mapping[str, Any]) -> Iterator[ChatCompletionChunk]: ...
    def close(self) -> None: ...


@runtime_checkable
class AsyncChatBackend(Protocol):
    """Asynchronous chat over OpenAI-shaped bodies."""

    async def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion: ...
    async def stream_chat(self, body: Mapping[str, Any]) -> AsyncIterator[ChatCompletionChunk]: ...


_SPLIT = ("messages", "model", "stream")


class OpenAICompatBackend:
    """``ChatBackend`` over any client with an OpenAI-compatible ``chat.completions.create``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        params = {k: v for k, v in body.items() if k not in _SPLIT}
        return self.client.chat.completions.create(  # type: ignore[no-any-return]
            messages=body["messages"], model=body["model"], **params
        )

    def stream_chat(self, body: Mapping[str, Any]) -> Iterator[ChatCompletionChunk]:
        params = {k: v for k, v in body.items() if k not in _SPLIT}
        return self.client.chat.completions.create(  # type: ignore[no-any-return]
            messages=body["messages"], model=body["model"], stream=True, **params
        )

    def close(self) -> None:
        self.client.close()


class OpenAICompatAsyncBackend:
    """``AsyncChatBackend`` over any async client with an OpenAI-compatible ``chat.completions.create``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def create_chat(self, body: Mapping[str, Any]) -> ChatCompletion:
        params = {k: v for k, v in body.items() if k not in _SPLIT}
        return await self.client.chat.completions.create(  # type: ignore[no-any-return]
            messages=body["messages"], model=body["model"], **params
        )

    async def stream_chat(self, body: Mapping[str, Any]) -> AsyncIterator[ChatCompletionChunk]:
        params = {k: v for k, v in body.items() if k not in _SPLIT}
        stream = await self.client.chat.completions.create(
            messages=body["messages"], model=body["model"], stream=True, **params
        )
        return stream  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ProviderSpec:
    """One provider, declared once: identity, configuration names, capabilities, models, client factories.

    ``sync_client`` / ``async_client`` build the provider's own clients from keyword arguments
    (``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``); ``chat_backend`` /
    ``async_chat_backend`` turn such a client into the protocol the adapters use.
    """

    name: str
    display_name: str
    distribution: str
    api_key_env: str | None
    base_url_env: str | None
    default_base_url: str
    default_model: str
    capabilities: Capabilities
    models: tuple[ModelInfo, ...]
    sync_client: Callable[..., Any]
    async_client: Callable[..., Any]
    chat_backend: Callable[[Any], ChatBackend] = OpenAICompatBackend
    async_chat_backend: Callable[[Any], AsyncChatBackend] = OpenAICompatAsyncBackend
    # The embeddings model used when none is named (providers with an embeddings API).
    default_embedding_model: str | None = None
    # Response fields beyond OpenAI's worth surfacing as framework metadata (Cerebras ``time_info``).
    metadata_fields: tuple[str, ...] = ()
    # Extra request fields the provider accepts beyond ``chat_params`` (forwarded by adapters from model kwargs).
    extra_request_fields: frozenset[str] = field(default_factory=frozenset)
    # The chat / embeddings request parameters the provider's API accepts: a framework class given one of these as
    # a constructor argument that is not one of its own fields passes it through to every request.
    chat_params: frozenset[str] = OPENAI_CHAT_PARAMS
    embedding_params: frozenset[str] = OPENAI_EMBEDDING_PARAMS

    def chat_request_params(self) -> frozenset[str]:
        """Every chat request parameter the provider accepts (``chat_params`` and ``extra_request_fields``)."""
        return self.chat_params | self.extra_request_fields

    def model_info(self, model: str) -> ModelInfo | None:
        """The shipped fallback entry for ``model`` (``None`` when unknown)."""
        for info in self.models:
            if info.id == model:
                return info
        return None


def import_provider_spec(module: str, install_hint: str) -> ProviderSpec:
    """``<module>.PROVIDER_SPEC``, imported on first use; a missing package raises ``ImportError(install_hint)``."""
    import importlib

    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(install_hint) from exc
    spec: ProviderSpec = loaded.PROVIDER_SPEC
    return spec


def seconds_timeout(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Factory arguments for clients whose ``timeout`` is seconds or a timeout object (``neocloud.core.Timeout``,
    whose ``total`` deadline is kept, or ``httpx.Timeout``); anything else is read as its ``read`` seconds."""
    from ._http import classes
    from ._types import Timeout

    timeout = kwargs.pop("timeout", None)
    if timeout is not None and not isinstance(timeout, (int, float, Timeout, *classes("Timeout"))):
        timeout = getattr(timeout, "read", None)
    return {**kwargs, "timeout": timeout}


def lazy_client(
    module: str, name: str, adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> Callable[..., Any]:
    """A ``ProviderSpec`` client factory that imports ``module.name`` on first use (never at import) and
    builds it from the common factory arguments, mapped by ``adapt`` where the client names them differently."""

    def make(**kwargs: Any) -> Any:
        import importlib

        cls = getattr(importlib.import_module(module), name)
        return cls(**(adapt(kwargs) if adapt is not None else kwargs))

    return make
