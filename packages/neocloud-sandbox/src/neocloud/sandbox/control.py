"""The sandbox's control plane under ``/_sandbox/`` (no provider has it; tests and demos use it).

- ``POST /_sandbox/script`` ``{"provider", "api_key"?, "responses": [{"content", "reasoning",
  "tool_calls": [{"name", "arguments", "id"?}], "finish_reason", "usage"}]}``: the next chat answers of
  that provider (for that key, when given) are exactly these, in order. ``GET`` lists, ``DELETE`` clears.
- ``POST /_sandbox/faults`` ``{"provider", "faults": [{"status"| "kind", "headers", "body", "times",
  "path", "after_chunks", "seconds", "status_code"}]}``: inject faults (off by default); ``DELETE`` clears.
  A single request can carry its own fault in the ``X-Sandbox-Fault`` header (the same JSON, one fault).
- ``GET /_sandbox/requests?provider=``: every request the provider planes received since the last reset (or
  ``DELETE``), in order, as ``{"requests": [{"provider", "method", "path"}]}``.
- ``POST /_sandbox/reset``: forget scripts, faults, resources and received requests.
- ``GET /_sandbox/health``: liveness and providers.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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
        data = await request.json()
    except ValueError:
        return None, _bad("body must be JSON")
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
    try:
        parsed = [ScriptedResponse.from_json(r) for r in responses]
    except (ValueError, TypeError, AttributeError) as exc:
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
    try:
        parsed = [Fault.from_json(f) for f in data.get("faults") or []]
    except (ValueError, TypeError) as exc:
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
    return JSONResponse({"ok": True, "providers": list(PROVIDERS)})


def routes() -> list[Route]:
    return [
        Route("/_sandbox/script", script, methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/faults", faults, methods=["POST", "DELETE"]),
        Route("/_sandbox/requests", received, methods=["GET", "DELETE"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]
