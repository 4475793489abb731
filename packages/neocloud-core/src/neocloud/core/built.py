"""Building a framework's output objects (LangChain messages and generations, LlamaIndex messages and responses)
from values that already have their declared types, without validating them a second time.

The adapters make every field value handed to ``built`` from a wire model the core has validated: strings, ints,
plain dicts and lists. Validating them again is most of what a response or a stream chunk costs (a LangChain
``AIMessageChunk`` with metadata costs several times what building it from its values does). The object built is
the one validation would make: the class's defaults come from an instance the framework validated (so a field it
adds later gets its default), mutable defaults are fresh per object, and ``model_fields_set`` names the fields
given. A class with private attributes or a post-init hook is validated as usual. The caller passes only values
the class's validators would leave as they are; each adapter's ``test_hot_paths`` checks built objects equal
validated ones across the shapes it produces.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["built"]

_M = TypeVar("_M", bound=BaseModel)

# class -> (immutable defaults, names of empty-container defaults, extra-dict expected) or None: validate instead.
_plans: dict[type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, type], ...], bool] | None] = {}
_set = object.__setattr__


def _plan(
    cls: type[BaseModel], example: dict[str, Any]
) -> tuple[dict[str, Any], tuple[tuple[str, type], ...], bool] | None:
    if cls.__private_attributes__ or cls.model_post_init is not BaseModel.model_post_init:
        return None
    template = cls(**example)  # validated once: its values are the class's defaults (plus the example's)
    # Every field, in declaration order (so a built object's repr matches); fresh containers replace their slot.
    fixed: dict[str, Any] = dict(template.__dict__)
    fresh: list[tuple[str, type]] = []
    for name, value in template.__dict__.items():
        if name in example:
            continue
        if type(value) in (list, dict):
            if value:  # (a non-empty mutable default would be shared: validate such a class instead)
                return None
            fresh.append((name, type(value)))
    return fixed, tuple(fresh), template.__pydantic_extra__ is not None


def built(cls: type[_M], example: dict[str, Any], **fields: Any) -> _M:
    """``cls(**fields)`` for values already of the declared types, built without validation. ``example`` is a
    minimal valid set of arguments, used once per class to learn its defaults; ``fields`` must cover it."""
    if cls not in _plans:
        _plans[cls] = _plan(cls, example)
    plan = _plans[cls]
    if plan is None:
        return cls(**fields)
    fixed, fresh, has_extra = plan
    values = dict(fixed)
    for name, kind in fresh:
        values[name] = kind()
    values.update(fields)
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(fields))
    _set(obj, "__pydantic_extra__", {} if has_extra else None)
    _set(obj, "__pydantic_private__", None)
    return obj
