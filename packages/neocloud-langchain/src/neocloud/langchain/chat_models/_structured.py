"""``with_structured_output`` for every method: ``json_schema`` (native), ``function_calling``, ``json_mode``."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

__all__ = ["structured_runnable"]


def structured_runnable(
    model: Any, schema: Any, *, method: str, include_raw: bool, strict: bool | None, **kwargs: Any
) -> Runnable[LanguageModelInput, Any]:
    """The runnable ``with_structured_output`` returns (``model`` is the chat model)."""
    if schema is None:
        raise ValueError("with_structured_output needs a schema (pydantic class, TypedDict or JSON schema)")
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    function = convert_to_openai_tool(schema, strict=strict)["function"]
    name, parameters = function["name"], function.get("parameters", {})
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": convert_to_openai_tool(schema)}
    parser: Runnable[Any, Any]
    if method == "function_calling":
        llm = model.bind_tools(
            [schema], tool_choice=name, strict=strict, ls_structured_output_format=ls_format, **kwargs
        )
        parser = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if is_pydantic
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
    elif method == "json_schema":
        spec: dict[str, Any] = {"name": name, "schema": parameters}
        if function.get("description"):
            spec["description"] = function["description"]
        if strict is not None:
            spec["strict"] = strict
        llm = model.bind(
            response_format={"type": "json_schema", "json_schema": spec},
            ls_structured_output_format=ls_format,
            **kwargs,
        )
        parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()
    elif method == "json_mode":
        llm = model.bind(response_format={"type": "json_object"}, ls_structured_output_format=ls_format, **kwargs)
        parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()
    else:
        raise ValueError(f"unknown method {method!r}: use 'json_schema', 'function_calling' or 'json_mode'")
    if not include_raw:
        chain: Runnable[LanguageModelInput, Any] = llm | parser
        return chain
    parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parsed.with_fallbacks([fallback], exception_key="parsing_error")
