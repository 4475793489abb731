"""Constructor arguments of every LlamaIndex class: incumbents' aliases, pass-through, or a clear error.

One ``sort_kwargs`` for the LLMs and the embeddings, run first by their ``__init__``; the policy itself is
``neocloud.core.init_kwargs.sort_init_kwargs`` (pure, shared with the LangChain classes). As with
``OpenAILike``, ``api_base`` is the base URL (so are langchain-openai's names), and ``additional_kwargs`` is
the pass-through: a provider request parameter given as an argument moves there with a warning; anything else
raises, naming the argument and the nearest valid name.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Collection
from typing import Any

from llama_index.core.bridge.pydantic import BaseModel

from neocloud.core.init_kwargs import sort_init_kwargs

__all__ = ["sort_kwargs"]

# Arguments of our __init__ that are not fields: the transports, and ``model`` for embeddings (``model_name``).
_INIT_ONLY = frozenset({"http_client", "async_http_client", "model"})


@functools.cache
def _accepted(cls: type[BaseModel]) -> frozenset[str]:
    """The class's fields, their aliases and the ``__init__``-only arguments (computed once per class)."""
    return frozenset({*cls.model_fields, *(f.alias for f in cls.model_fields.values() if f.alias), *_INIT_ONLY})


def sort_kwargs(cls: type[BaseModel], kwargs: dict[str, Any], request_params: Collection[str]) -> dict[str, Any]:
    """``kwargs`` with aliases renamed and request parameters moved into ``additional_kwargs`` (warning each)."""
    out, notes = sort_init_kwargs(
        kwargs,
        owner=cls.__name__,
        fields=_accepted(cls),
        request_params=request_params,
        extra_field="additional_kwargs",
    )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=3)  # at the user's constructor call
    return out
