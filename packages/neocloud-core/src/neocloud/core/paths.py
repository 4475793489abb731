"""URL paths built from caller-given values, in one place: every id that goes into a path goes through here.

An id is data, never route: whatever it holds, it stays one path segment and can add no query. Two rules (pure):

- an id that can never name a resource is refused before anything is sent, with the provider's local validation
  error naming the argument: a non-string, an empty string, ``.`` or ``..`` (a client, a proxy or the server would
  resolve them as "this" or "the parent" segment), a control character (including ``\\x00``, tabs and newlines),
  a blank string, or a lone surrogate (not encodable as UTF-8);
- everything else is percent-encoded (UTF-8, RFC 3986: only ``A-Z a-z 0-9 - . _ ~`` stay as they are), so ``/``,
  ``?``, ``#``, ``%`` and spaces reach the server as data: ``inst_1/../../storage/vol_9`` is sent as the one segment
  ``inst_1%2F..%2F..%2Fstorage%2Fvol_9`` and can only name an instance.

``subpath`` is the one exception, for a documented multi-segment value (a job artifact's path): each of its
segments follows the same two rules and the ``/`` between them is kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .errors import RequestValidationError

__all__ = ["ALLOWED", "build", "segment", "segment_problem", "subpath"]

# C0 and C1 controls and DEL: never part of an id, and a newline in a path is a request-smuggling vector.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
ALLOWED = "a non-empty string other than '.' and '..', without control characters"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(:path)?\}")


def segment_problem(value: object) -> str | None:
    """Why ``value`` can never be a path segment, or ``None`` when it can (after percent-encoding)."""
    if not isinstance(value, str):
        return f"must be a string; got {type(value).__name__}"
    if not value.strip():
        return "must not be empty or blank"
    if value in (".", ".."):
        return f"must not be {value!r} (a relative path segment)"
    if _CONTROL.search(value):
        return "must not contain control characters"
    if _SURROGATE.search(value):
        return "must not contain lone surrogates (not valid UTF-8)"
    return None


def segment(name: str, value: object, *, error: type[RequestValidationError]) -> str:
    """``value`` as one percent-encoded path segment; ``error`` (the provider's local class) when it cannot be one."""
    problem = segment_problem(value)
    if problem is not None or not isinstance(value, str):
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise error(f"{name!r} {problem}; got {shown}", param=name, allowed=ALLOWED)
    return quote(value, safe="")


def subpath(name: str, value: object, *, error: type[RequestValidationError]) -> str:
    """A relative path of several segments (``a/b.txt``), each one checked and encoded by the ``segment`` rules."""
    if not isinstance(value, str):
        return segment(name, value, error=error)  # refused with the same message
    return "/".join(segment(name, part, error=error) for part in value.split("/"))


def build(pattern: str, *, error: type[RequestValidationError], **values: object) -> str:
    """Fill ``pattern``'s ``{name}`` placeholders with encoded segments (``{name:path}`` with a ``subpath``).

    ``build("/api/v1/instances/{instance_id}/status", instance_id=x, error=...)``. Every placeholder must be given and
    every value used: a mismatch is a bug in the caller, raised as ``KeyError``.
    """
    used: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name, multi = match.group(1), match.group(2)
        used.add(name)
        value = values[name]
        return subpath(name, value, error=error) if multi else segment(name, value, error=error)

    path = _PLACEHOLDER.sub(fill, pattern)
    unused = set(values) - used
    if unused:
        raise KeyError(f"{pattern!r} has no placeholder for {sorted(unused)}")
    return path
