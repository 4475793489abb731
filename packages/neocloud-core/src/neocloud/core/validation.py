"""Argument validation before any request is sent: pydantic errors become the provider's local error class
(a ``RequestValidationError``, named by its ``ClientProfile.local_error``) naming the argument and what is
allowed.

Request models validate in strict mode (``RequestModel``): ``"5"``, ``5.0`` and ``True`` are not integers, ``"0.5"``
and ``True`` are not numbers, NaN and infinities are refused; the data must be JSON (``jsonsafe``) before it is
validated at all. What is sent is the validated value (``validated_body``), never the caller's original object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._dict_schema import dict_validator
from .errors import RequestValidationError
from .jsonsafe import ALLOWED as JSON_ALLOWED
from .jsonsafe import json_problem

__all__ = ["check_json", "check_seconds", "validate_params", "validated_body"]

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

    ``error`` has no default on purpose: every caller says which provider's class its users catch. The data is
    checked to be JSON first (``check_json``), so nothing reaches pydantic or the encoder that could fail there."""
    check_json(data, error=error, what=what)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _refusal(exc, error, what) from None


def _refusal(exc: ValidationError, error: type[RequestValidationError], what: str) -> RequestValidationError:
    errors = exc.errors(include_url=False)
    param, msg, allowed = _describe(errors[0])
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    hint = f"; allowed: {allowed}" if allowed else ""
    return error(f"invalid {what} argument {param!r}: {msg}{hint}{more}", param=param, allowed=allowed)


def check_json(data: Any, *, error: type[RequestValidationError], what: str = "request", where: str = "") -> None:
    """Raise ``error`` naming the argument when ``data`` is not JSON data (see ``jsonsafe``); ``where`` prefixes
    the name (``extra_body``)."""
    found = json_problem(data, where=where)
    if found is not None:
        where, reason = found
        raise error(f"invalid {what} argument {where!r}: {reason}", param=where, allowed=JSON_ALLOWED)


def validated_body(
    model: type[BaseModel], data: Mapping[str, Any], *, error: type[RequestValidationError], what: str = "request"
) -> dict[str, Any]:
    """The JSON body to send: ``data`` validated by ``model``, as the model has it (the fields given, by their wire
    names), so a value is sent only in the form it was checked in.

    One pass: the model's rules validate straight into the body (``_dict_schema``), with no model instance built
    and dumped again; a model that needs its instances (a model validator) is validated and dumped."""
    validator = dict_validator(model)
    if validator is None:
        return validate_params(model, data, error=error, what=what).model_dump(by_alias=True, exclude_unset=True)
    check_json(data, error=error, what=what)
    try:
        body: dict[str, Any] = validator.validate_python(data)
    except ValidationError as exc:
        raise _refusal(exc, error, what) from None
    return body


def check_seconds(name: str, value: Any, *, error: type[RequestValidationError], optional: bool = False) -> None:
    """A wait's ``timeout`` / ``poll_interval``: a finite number of seconds >= 0 (or ``None`` when ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < float("inf"):
        raise error(f"{name!r} must be a number of seconds >= 0; got {value!r}", param=name, allowed=">= 0")
