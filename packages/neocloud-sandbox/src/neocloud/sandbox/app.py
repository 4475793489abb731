"""``create_app()``: one ASGI app, every provider under its own prefix, the control plane beside them."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from . import control
from .providers import PROVIDERS, load
from .state import SandboxSettings, SandboxState

__all__ = ["create_app"]


async def _not_found(request: Request, exc: Exception) -> Response:
    # Unknown routes answer in the OpenAI-style error shape every client here understands.
    return JSONResponse(
        {"error": {"message": f"No route {request.method} {request.url.path}", "type": "not_found_error",
                   "code": "not_found"}, "status_code": 404},
        status_code=404,
    )  # fmt: skip


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {"error": {"message": f"{request.method} is not allowed on {request.url.path}", "type": "invalid_request_error",
                   "code": "method_not_allowed"}, "status_code": 405},
        status_code=405,
    )  # fmt: skip


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """A fresh sandbox app with its own state (nothing is shared between apps)."""
    routes = [*control.routes(), *(Mount(f"/{name}", routes=load(name).routes()) for name in PROVIDERS)]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _method_not_allowed})
    app.state.sandbox = SandboxState(settings=settings or SandboxSettings())
    return app
