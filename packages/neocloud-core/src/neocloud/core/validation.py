"""Argument validation before any request is sent: pydantic errors become the provider's local error class
(a ``RequestValidationError``, named by its ``ClientProfile.local_error``) naming the argument and what is
allowed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import RequestValidationError

__all__ = ["validate_params"]

_M = TypeVar("_M", bound=BaseModel)


def _describe(err: Mapping[str, Any]) -> tuple[str, str, str | None]:
    loc = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith("function-"))
    msg = str(err.get("msg", "invalid value"))
    ctx = err.get("ctx") or {}
    allowed: str | None = None
    if "expected" in ctx:
        allowed = str(ctx["expected"])
    elif err.get("type") == "union_tag_invalid" and "expected_tags" in ctx:
        allowed = str(ctx["expected_tags"])
    elif "ge" in ctx or "gt" in ctx or "le" in ctx or "lt" in ctx:
        bounds = [f"{k} {ctx[k]}" for k in ("gt", "ge", "lt", "le") if k in ctx]
        allowed = ", ".join(bounds)
    elif err.get("type") == "extra_forbidden":
        msg = "unknown argument (pass provider-specific fields through extra_body=...)"
    if not loc:
        # A check across fields names the argument it is about by starting its message with "<name>: ".
        named = re.match(r"^(?:Value error, )?([a-z_]+): (.*)$", msg)
        if named:
            loc, msg = named.group(1), named.group(2)
    return loc or "(arguments)", msg, allowed


def validate_params(
    model: type[_M], data: Mapping[str, Any], *, error: type[RequestValidationError], what: str = "request"
) -> _M:
    """Validate ``data`` against ``model``; raise ``error`` (the provider's local class) for the first problem.

    ``error`` has no default on purpose: every caller says which provider's class its users catch."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        param, msg, allowed = _describe(errors[0])
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        hint = f"; allowed: {allowed}" if allowed else ""
        raise error(f"invalid {what} argument {param!r}: {msg}{hint}{more}", param=param, allowed=allowed) from None
