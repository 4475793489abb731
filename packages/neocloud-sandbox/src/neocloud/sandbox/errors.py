"""Error responses in each provider's documented shape, and the request id every response carries."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["error_response", "request_id"]

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "insufficient_credits",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def request_id(method: str, path: str, body: bytes) -> str:
    """Deterministic per request, so recordings are stable across runs."""
    return "req_" + hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()[:24]


def error_body(
    provider: str, status: int, message: str, code: str | None, param: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The provider's error body: OpenAI's ``{"error": {message, type, param, code}}`` (plus ``extra``
    fields such as Cluster Protocol's ``balance``/``required``), with Cerebras' top-level ``status_code``."""
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    if provider == "inferencekey":  # InferenceKey's body: {"error": "<code>"} (+ a readable message)
        return {"error": code or kind, "message": message}
    if provider == "runcrate":  # Runcrate's canonical body: {"error": {"code", "message", "details"}}
        details = {**({"param": param} if param else {}), **extra}
        return {"error": {"code": code or kind, "message": message, "details": details}}
    body: dict[str, Any] = {"error": {"message": message, "type": kind, "param": param, "code": code or kind, **extra}}
    if provider == "cerebras":
        body["status_code"] = status
    return body


def error_response(
    provider: str,
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    rid: str = "",
    headers: dict[str, str] | None = None,
    body: Any = None,
    **extra: Any,
) -> JSONResponse:
    payload = body if body is not None else error_body(provider, status, message, code, param, **extra)
    return JSONResponse(payload, status_code=status, headers={"x-request-id": rid, **(headers or {})})
