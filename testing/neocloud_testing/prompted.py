"""Scripted answers for providers whose tools run through the prompted protocol (``neocloud.core.prompted``).

Such a provider's API only returns text, so a test that needs a tool call scripts the text a model following the
protocol writes: the JSON object ``{"tool_calls": [...]}`` or ``{"content": "..."}``. Tests write the same answers
they write for providers with native tools (``{"tool_calls": [{"name", "arguments"}]}``), visibly wrapped here.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["prompted_calls", "prompted_reply"]


def prompted_calls(*calls: dict[str, Any]) -> dict[str, Any]:
    """Tool calls (``{"name", "arguments"}``, as in a native-tools scripted answer) as the protocol text a prompted
    model answers."""
    wire = [{"name": c["name"], "arguments": c.get("arguments") or {}} for c in calls]
    return {"content": json.dumps({"tool_calls": wire}, ensure_ascii=False)}


def prompted_reply(text: str) -> dict[str, Any]:
    """A direct answer (no tool call) as the protocol text a prompted model answers while tools are bound."""
    return {"content": json.dumps({"content": text}, ensure_ascii=False)}
