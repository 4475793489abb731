"""``create_app()``: one ASGI app, every provider under its own prefix, the control plane beside them."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from . import control
from .errors import error_response, request_id
from .providers import PROVIDERS, load
from .state import SandboxSettings, SandboxState

__all__ = ["create_app"]


def _provider_of(request: Request) -> str | None:
    """The provider plane a path belongs to (``/runcrate/...`` → ``runcrate``), if any."""
    first = request.url.path.lstrip("/").split("/", 1)[0]
    return first if first in PROVIDERS else None


def _route_error(request: Request, status: int, message: str, code: str) -> Response:
    # Under a provider's prefix the answer has that provider's own error shape (a client parses only its
    # provider's); elsewhere (the control plane, unknown prefixes) the OpenAI shape.
    provider = _provider_of(request)
    if provider is None:
        payload = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
        return JSONResponse(payload, status_code=status)
    return error_response(provider, status, message, code=code, rid=request_id(request.method, request.url.path, b""))


async def _not_found(request: Request, exc: Exception) -> Response:
    return _route_error(request, 404, f"No route {request.method} {request.url.path}", "not_found")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return _route_error(request, 405, f"{request.method} is not allowed on {request.url.path}", "method_not_allowed")


class _Received:
    """Records each request under a provider's prefix in ``SandboxState.received`` before it is served."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            first = path.lstrip("/").split("/", 1)[0]
            if first in PROVIDERS:
                self.state.received.append((first, scope.get("method", ""), path))
        await self.app(scope, receive, send)


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """A fresh sandbox app with its own state (nothing is shared between apps)."""
    routes = [*control.routes(), *(Mount(f"/{name}", routes=load(name).routes()) for name in PROVIDERS)]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _method_not_allowed})
    state = SandboxState(settings=settings or SandboxSettings())
    app.state.sandbox = state
    app.add_middleware(_Received, state=state)
    return app
