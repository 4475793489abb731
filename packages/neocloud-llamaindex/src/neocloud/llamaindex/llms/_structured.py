"""Structured prediction through the provider's JSON-schema mode first (no tools, no ``tool_choice``);
providers without it fall back to LlamaIndex's function-calling program."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any, TypeVar

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import LLMStructuredPredictEndEvent, LLMStructuredPredictStartEvent
from llama_index.core.prompts.base import BasePromptTemplate
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

__all__ = ["StructuredMixin"]

dispatcher = get_dispatcher(__name__)
Model = TypeVar("Model", bound=BaseModel)


def _response_format(output_cls: type[BaseModel]) -> dict[str, Any]:
    return {"type": "json_schema",
            "json_schema": {"name": output_cls.__name__, "schema": output_cls.model_json_schema()}}  # fmt: skip


def _messages(prompt: BasePromptTemplate, prompt_args: dict[str, Any]) -> list[ChatMessage]:
    return prompt.format_messages(**prompt_args)


def _partial(output_cls: type[Model], text: str) -> Model | None:
    try:
        return output_cls.model_validate(from_json(text or "{}", allow_partial=True))
    except (ValidationError, ValueError):
        return None


class StructuredMixin:
    """``structured_predict`` and friends via ``response_format: json_schema`` where the provider has it."""

    def _native_json_schema(self) -> bool:
        return "json_schema" in self._spec().capabilities.structured_output  # type: ignore[attr-defined]

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if not self._native_json_schema():
            return super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)  # type: ignore[misc, no-any-return]
        dispatcher.event(
            LLMStructuredPredictStartEvent(output_cls=output_cls, template=prompt, template_args=prompt_args)
        )
        response = self.chat(  # type: ignore[attr-defined]
            _messages(prompt, prompt_args), response_format=_response_format(output_cls), **(llm_kwargs or {})
        )
        result = output_cls.model_validate_json(response.message.content or "")
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if not self._native_json_schema():
            return await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)  # type: ignore[misc, no-any-return]
        dispatcher.event(
            LLMStructuredPredictStartEvent(output_cls=output_cls, template=prompt, template_args=prompt_args)
        )
        response = await self.achat(  # type: ignore[attr-defined]
            _messages(prompt, prompt_args), response_format=_response_format(output_cls), **(llm_kwargs or {})
        )
        result = output_cls.model_validate_json(response.message.content or "")
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model, None, None]:
        """Partial objects as the JSON arrives (each a valid ``output_cls``), the complete one last."""
        if not self._native_json_schema():
            yield from super().stream_structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)  # type: ignore[misc]
            return
        stream = self.stream_chat(  # type: ignore[attr-defined]
            _messages(prompt, prompt_args), response_format=_response_format(output_cls), **(llm_kwargs or {})
        )
        text = ""
        for response in stream:
            text = response.message.content or ""
            partial = _partial(output_cls, text)
            if partial is not None:
                yield partial
        yield output_cls.model_validate_json(text)

    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model, None]:
        """Async twin of ``stream_structured_predict``."""
        if not self._native_json_schema():
            return await super().astream_structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)  # type: ignore[misc, no-any-return]

        async def gen() -> AsyncGenerator[Model, None]:
            stream = await self.astream_chat(  # type: ignore[attr-defined]
                _messages(prompt, prompt_args), response_format=_response_format(output_cls), **(llm_kwargs or {})
            )
            text = ""
            async for response in stream:
                text = response.message.content or ""
                partial = _partial(output_cls, text)
                if partial is not None:
                    yield partial
            yield output_cls.model_validate_json(text)

        return gen()
