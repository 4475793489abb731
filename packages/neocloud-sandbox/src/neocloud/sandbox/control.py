"""The sandbox's control plane under ``/_sandbox/`` (no provider has it; tests and demos use it).

- ``POST /_sandbox/script`` ``{"provider", "api_key"?, "responses": [{"content", "reasoning",
  "tool_calls": [{"name", "arguments", "id"?}], "finish_reason", "usage"}]}``: the next chat answers of
  that provider (for that key, when given) are exactly these, in order. ``GET`` lists, ``DELETE`` clears.
- ``POST /_sandbox/faults`` ``{"provider", "faults": [{"status"| "kind", "headers", "body", "times",
  "path", "after_chunks", "seconds", "status_code"}]}``: inject faults (off by default); ``DELETE`` clears.
  A single request can carry its own fault in the ``X-Sandbox-Fault`` header (the same JSON, one fault).
- Every field is checked when it is given (``neocloud.sandbox.checks``): the wrong type, a value out of range or
  a body nested too deep is a 400 naming the field, and nothing is queued, rather than a 500 on a later call.
- ``GET /_sandbox/requests?provider=``: every request the provider planes received since the last reset (or
  ``DELETE``), in order, as ``{"requests": [{"provider", "method", "path"}]}``.
- ``POST /_sandbox/reset``: forget scripts, faults, resources and received requests.
- ``GET /_sandbox/health``: liveness, providers and the server's pid.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .checks import BadInput, parse_json
from .providers import PROVIDERS
from .state import Fault, SandboxState, ScriptedResponse

__all__ = ["routes"]


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, status_code=400)


async def _payload(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    try:
        data = parse_json(await request.body())
    except BadInput as exc:
        return None, _bad(str(exc))
    if not isinstance(data, dict):
        return None, _bad("body must be a JSON object")
    if data.get("provider") not in PROVIDERS:
        return None, _bad(f"'provider' must be one of {list(PROVIDERS)}")
    return data, None


async def script(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.scripts.clear()
        return JSONResponse({"ok": True})
    if request.method == "GET":
        provider = request.query_params.get("provider")
        queued = {p: [r.__dict__ for _, r in q] for p, q in state.scripts.items() if provider in (None, p)}
        return JSONResponse({"queued": queued})
    data, bad = await _payload(request)
    if bad or data is None:
        return bad or _bad("invalid body")
    responses = data.get("responses")
    if not isinstance(responses, list) or not responses:
        return _bad("'responses' must be a non-empty list")
    if data.get("api_key") is not None and not isinstance(data["api_key"], str):
        return _bad(f"'api_key' must be a string or null, got {data['api_key']!r}")
    try:
        parsed = [ScriptedResponse.from_json(r) for r in responses]
    except BadInput as exc:  # nothing is queued unless every answer is well-formed
        return _bad(str(exc))
    queue = state.scripts.setdefault(data["provider"], deque())
    queue.extend((data.get("api_key"), r) for r in parsed)
    return JSONResponse({"ok": True, "queued": len(queue)})


async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.faults.clear()
        return JSONResponse({"ok": True})
    data, bad = await _payload(request)
    if bad or data is None:
        return bad or _bad("invalid body")
    given = data.get("faults") or []
    if not isinstance(given, list):
        return _bad(f"'faults' must be a list of fault objects, got {given!r}")
    try:
        parsed = [Fault.from_json(f) for f in given]
    except BadInput as exc:  # nothing is registered unless every fault is well-formed
        return _bad(str(exc))
    state.faults.setdefault(data["provider"], []).extend(parsed)
    return JSONResponse({"ok": True, "faults": len(state.faults[data["provider"]])})


async def received(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.received.clear()
        return JSONResponse({"ok": True})
    provider = request.query_params.get("provider")
    rows = [{"provider": p, "method": m, "path": path} for p, m, path in list(state.received) if provider in (None, p)]
    return JSONResponse({"requests": rows})


async def reset(request: Request) -> Response:
    _state(request).reset()
    return JSONResponse({"ok": True})


async def health(request: Request) -> Response:
    # The pid lets a client that recorded this server tell it from another process on the same port later.
    return JSONResponse({"ok": True, "providers": list(PROVIDERS), "pid": os.getpid()})


def routes() -> list[Route]:
    return [
        Route("/_sandbox/script", script, methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/faults", faults, methods=["POST", "DELETE"]),
        Route("/_sandbox/requests", received, methods=["GET", "DELETE"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]
