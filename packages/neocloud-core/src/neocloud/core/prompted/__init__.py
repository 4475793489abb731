"""Tool calling and structured output for providers whose API has neither: the prompt-and-parse protocol.

A provider's chat backend (MetalCloud's) takes an OpenAI-shaped chat body as any other, and:

1. ``plan_from_body`` reads what the body asks for (``tools``, ``tool_choice``, ``parallel_tool_calls``,
   ``response_format``);
2. ``render_messages`` writes the tools' names, descriptions and argument JSON Schemas (or the output schema)
   into a system instruction asking for exactly one JSON object, and the history's tool calls and results as
   text;
3. ``parse_answer`` reads the model's text strictly: ``{"tool_calls": [{"name", "arguments"}]}`` or
   ``{"content": "..."}`` with tools, the JSON document itself without. Calls must name an offered tool and
   carry arguments valid for its schema; each gets a fresh ``call_`` id. Anything else raises
   ``neocloud.core.ModelOutputError`` (``reason`` and the answer ``text``).

The framework adapters see OpenAI-shaped completions with ``tool_calls``, exactly as from a native provider.
The protocol is documented for users in ``docs/providers/metalcloud.md``.
"""

from __future__ import annotations

from ._parse import Answer, parse_answer
from ._render import PROTOCOL_FIELDS, Plan, ToolSpec, instruction, plan_from_body, render_messages
from ._schema import schema_errors

__all__ = [
    "PROTOCOL_FIELDS",
    "Answer",
    "Plan",
    "ToolSpec",
    "instruction",
    "parse_answer",
    "plan_from_body",
    "render_messages",
    "schema_errors",
]
