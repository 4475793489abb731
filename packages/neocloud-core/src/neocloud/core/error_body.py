"""Turning a provider's error body into fields of the typed exception tree (pure functions).

The five providers disagree on error bodies. This parser accepts every documented shape:

- ``{"error": {"message", "type", "code", "param", "details"}, "status_code": 503}`` (OpenAI, Cerebras)
- ``{"error": {"code", "message", "details"}}`` (Runcrate)
- ``{"error": "project_scope_mismatch"}`` (InferenceKey: the string is a code)
- ``{"message": ..., "code": ...}`` or ``{"detail": ...}`` (flat bodies, FastAPI-style servers)
- anything else: the text itself (truncated) becomes the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import APIStatusError, RateLimitError, status_error_class
from .retry import parse_retry_after

__all__ = ["ErrorInfo", "build_status_error", "parse_error_body"]

_MAX_TEXT = 500


@dataclass(frozen=True)
class ErrorInfo:
    """What an error response said, normalised."""

    status_code: int
    message: str
    code: str | None = None
    details: Any = None
    body: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)[:_MAX_TEXT]


def parse_error_body(status_code: int, content: bytes, *, body_status_overrides: bool = False) -> ErrorInfo:
    """Parse an error response body.

    ``body_status_overrides``: Cerebras puts an integer ``status_code`` in the body that takes
    precedence over the HTTP status (an HTTP 400 saying ``"status_code": 429`` is a rate limit).
    """
    try:
        data: Any = json.loads(content) if content else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = content.decode("utf-8", "replace").strip()[:_MAX_TEXT]
        return ErrorInfo(status_code, text or f"HTTP {status_code}", body=text or None)

    status = status_code
    if body_status_overrides and isinstance(data.get("status_code"), int) and data["status_code"] >= 400:
        status = data["status_code"]

    err = data.get("error")
    message: str | None = None
    code: str | None = None
    details: Any = None
    body: Any = data
    if isinstance(err, dict):
        body = err
        message = _as_text(err.get("message"))
        code = _as_text(err.get("code")) or _as_text(err.get("type"))
        details = err.get("details", err.get("param"))
    elif isinstance(err, str):
        # InferenceKey sends {"error": "<code>"}: the string is the machine-readable code.
        code = err
        message = _as_text(data.get("message")) or err
        details = data.get("details")
    if message is None:
        message = _as_text(data.get("message")) or _as_text(data.get("detail"))
    if code is None:
        code = _as_text(data.get("code")) or _as_text(data.get("type"))
    if details is None:
        details = data.get("details")
    extra = {k: v for k, v in data.items() if k not in {"error", "message", "detail", "code", "details"}}
    return ErrorInfo(
        status,
        message or f"HTTP {status}",
        code=code,
        details=details,
        body=body,
        extra=extra,
    )


def build_status_error(
    info: ErrorInfo,
    *,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    now: float = 0.0,
    classes: Mapping[int, type[APIStatusError]] | None = None,
    codes: Mapping[str, type[APIStatusError]] | None = None,
    **context: Any,
) -> APIStatusError:
    """Build the typed exception for ``info``.

    A provider refines the class by error code (``codes``, checked first) or by status (``classes``).
    """
    cls = (
        (codes or {}).get(info.code or "")
        or (classes or {}).get(info.status_code)
        or status_error_class(info.status_code)
    )
    message = info.message  # the provider's own words; str(error) adds status and code
    kwargs: dict[str, Any] = {
        "status_code": info.status_code,
        "code": info.code,
        "details": info.details,
        "body": info.body,
        "request_id": request_id,
        "idempotency_key": idempotency_key,
        **context,
    }
    if issubclass(cls, RateLimitError):
        kwargs["retry_after"] = parse_retry_after(headers or {}, now=now)
    return cls(message, **kwargs)
