"""Constructor arguments of every LangChain class: incumbents' aliases, pass-through, or a clear error.

One ``sort_kwargs`` for the chat models and the embeddings, run first by their ``mode="before"`` validators; the
policy itself is ``neocloud.core.init_kwargs.sort_init_kwargs`` (pure, shared with the LlamaIndex classes).
langchain-openai's names (``openai_api_base``, ``openai_api_key``, ``request_timeout``) and LlamaIndex's
(``api_base``) address our fields, so ported code reaches the URL it names; a provider request parameter given
as an argument moves to ``model_kwargs`` with langchain-openai's warning; anything else raises.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Collection
from typing import Any

from pydantic import BaseModel

from neocloud.core.init_kwargs import sort_init_kwargs

__all__ = ["sort_kwargs"]


@functools.cache
def _accepted(cls: type[BaseModel]) -> frozenset[str]:
    """The class's fields and their aliases (computed once per class)."""
    return frozenset({*cls.model_fields, *(f.alias for f in cls.model_fields.values() if f.alias)})


def sort_kwargs(cls: type[BaseModel], values: dict[str, Any], request_params: Collection[str]) -> dict[str, Any]:
    """``values`` with aliases renamed and request parameters moved into ``model_kwargs`` (warning for each)."""
    out, notes = sort_init_kwargs(
        values, owner=cls.__name__, fields=_accepted(cls), request_params=request_params, extra_field="model_kwargs"
    )
    for note in notes:
        # stacklevel: warn at the user's constructor call, past pydantic's validator frames
        warnings.warn(note, UserWarning, stacklevel=5)
    return out
