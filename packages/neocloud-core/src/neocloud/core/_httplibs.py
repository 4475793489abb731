"""The HTTP libraries a client may be built on, as class tuples: ``httpx`` and its fork ``httpx2`` (same API).

Users may pass either library's client, so every ``isinstance`` test on a request, a response or an exception uses
these tuples. A library that was never imported cannot have produced an object, so only modules already in
``sys.modules`` are consulted: nothing is imported here.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

__all__ = ["classes", "errors"]

_LIBRARIES = ("httpx", "httpx2")


def classes(name: str) -> tuple[type[Any], ...]:
    """``name`` (``"Request"``, ``"DecodingError"``, ...) from every loaded HTTP library (pure over ``sys.modules``)."""
    found: list[type[Any]] = []
    for library in _LIBRARIES:
        module = sys.modules.get(library)
        cls = getattr(module, name, None) if module is not None else None
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return tuple(found)


def errors(*names: str) -> tuple[type[Exception], ...]:
    """The exception classes ``names`` from every loaded HTTP library (for ``except`` and ``isinstance``); a
    built-in name (``"ValueError"``) is itself, so one tuple can mix both."""
    found: list[type[Exception]] = []
    for name in names:
        builtin = getattr(builtins, name, None)
        candidates = (builtin,) if isinstance(builtin, type) else classes(name)
        found += [cls for cls in candidates if issubclass(cls, Exception)]
    return tuple(found)
