"""What may go into a JSON request body (pure): the check every request model runs before validation, and the
diagnosis the transport gives when a body cannot be encoded.

JSON data is ``None``, ``bool``, ``int``, a finite ``float``, ``str`` (valid UTF-8: no lone surrogates), and lists,
tuples and mappings with string keys of those, nested at most ``MAX_DEPTH`` levels (the body itself is level 1,
so a tool's JSON schema may nest some 60 levels). Anything else (bytes, sets, NaN, infinities, objects, cycles,
a schema 10,000 levels deep) is refused before sending, naming where it is, instead of failing inside the encoder
as a ``TypeError``, ``ValueError``, ``UnicodeEncodeError`` or ``RecursionError``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ALLOWED", "MAX_DEPTH", "json_problem"]

MAX_DEPTH = 64
ALLOWED = f"JSON data: str, int, finite float, bool, None, lists and str-keyed objects, at most {MAX_DEPTH} levels deep"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _scalar_problem(value: Any) -> str | None:
    if value is None or isinstance(value, (bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a JSON number (NaN and infinities are not)"
    if isinstance(value, str):
        return "contains a lone surrogate (not valid UTF-8)" if _SURROGATE.search(value) else None
    return f"a {type(value).__name__} is not JSON data"


def json_problem(value: Any, *, max_depth: int = MAX_DEPTH, where: str = "") -> tuple[str, str] | None:
    """The first thing in ``value`` that is not JSON data, as ``(location, reason)``; ``None`` when it all is.

    ``location`` is dotted (``messages.0.content``; ``where`` prefixes it). Iterative, so no input can exhaust the
    stack; a cycle shows up as nesting beyond ``max_depth``.
    """
    if _plainly_json(value, max_depth):
        return None
    return _locate(value, max_depth, where)


_SCALARS = (int, float, bool, type(None))


def _plainly_json(value: Any, max_depth: int) -> bool:
    """The common case, fast: plain dicts, lists and scalars that are all fine. ``False`` means "look closer"."""
    isfinite, surrogate = math.isfinite, _SURROGATE.search
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        kind = type(item)
        if kind is dict:
            if depth > max_depth:
                return False
            for key, child in item.items():
                if type(key) is not str or (not key.isascii() and surrogate(key)):
                    return False
                push((child, depth + 1))
        elif kind is list or kind is tuple:
            if depth > max_depth:
                return False
            for child in item:
                push((child, depth + 1))
        elif kind is str:
            if not item.isascii() and surrogate(item):
                return False
        elif kind is float:
            if not isfinite(item):
                return False
        elif kind not in _SCALARS:
            return False  # a subclass or another type: the slow walk decides
    return True


def _locate(value: Any, max_depth: int, where: str) -> tuple[str, str] | None:
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        item, at, depth = stack.pop()
        if isinstance(item, (Mapping, list, tuple)):
            if depth > max_depth:
                return at or "(body)", f"nested more than {max_depth} levels deep"
            children: list[tuple[Any, str, int]] = []
            if isinstance(item, Mapping):
                for key, child in item.items():
                    if not isinstance(key, str):
                        return at or "(body)", f"object keys must be strings; got {type(key).__name__} {key!r}"
                    if _SURROGATE.search(key):
                        return _join(at, "(key)"), "contains a lone surrogate (not valid UTF-8)"
                    children.append((child, _join(at, key), depth + 1))
            else:
                children = [(child, _join(at, str(i)), depth + 1) for i, child in enumerate(item)]
            stack.extend(reversed(children))  # (reversed: problems are reported in document order)
            continue
        problem = _scalar_problem(item)
        if problem is not None:
            return at or "(body)", problem
    return None


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key
