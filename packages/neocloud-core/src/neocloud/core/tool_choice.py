"""Every ``tool_choice`` form the frameworks use, translated to what a provider accepts (pure; shared by the
LangChain and LlamaIndex adapters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .provider import Capabilities

__all__ = ["translate_tool_choice"]

_KEYWORDS = {"auto", "none", "required", "any"}


def _named(choice: Any) -> str | None:
    if isinstance(choice, str) and choice not in _KEYWORDS:
        return choice
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        return str(name) if name else None
    return None


def translate_tool_choice(
    choice: Any, tools: Sequence[dict[str, Any]], capabilities: Capabilities
) -> tuple[Any, list[dict[str, Any]]]:
    """``(tool_choice to send or None, tools to send)`` for any LangChain ``tool_choice`` form.

    ``True`` / ``"any"`` / ``"required"`` mean "call some tool"; a tool name or
    ``{"type": "function", "function": {"name": ...}}`` means "call this one". A provider that cannot
    force a named tool (Cerebras) gets ``"required"`` with the tool list narrowed to that tool, which
    means the same thing. Nothing is sent for ``None``/``False``, and never a choice without tools.
    """
    tools = list(tools)
    if choice is None or choice is False or not tools:
        return None, tools
    accepted = capabilities.tool_choice
    name = _named(choice)
    if name is not None:
        chosen = [t for t in tools if t.get("function", {}).get("name") == name]
        if not chosen:
            known = ", ".join(t.get("function", {}).get("name", "?") for t in tools)
            raise ValueError(f"tool_choice names {name!r}, which is not among the bound tools ({known})")
        if "named" in accepted:
            return {"type": "function", "function": {"name": name}}, tools
        if "required" in accepted:
            return "required", chosen
        return None, chosen
    if choice is True or choice in {"any", "required"}:
        return ("required" if "required" in accepted else None), tools
    if choice in {"auto", "none"}:
        return (choice if choice in accepted else None), tools
    raise ValueError(
        f"unsupported tool_choice {choice!r}: use 'auto', 'none', 'any'/'required'/True, a tool name, "
        "or {'type': 'function', 'function': {'name': ...}}"
    )
