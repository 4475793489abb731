"""What every provider plane shares: request context (body, key, request id, fault), auth by key
prefix, fault application and SSE responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .checks import BadInput, parse_json
from .errors import error_response, request_id
from .state import Fault, SandboxState

__all__ = ["Ctx", "SSEPlan", "begin", "json_response", "sse_response"]


# The code of a bad request per provider: OpenAI-shaped planes say ``invalid_request_error`` (their pages' choice),
# Runcrate and InferenceKey use ``validation_error`` for input errors everywhere else.
_BAD_REQUEST_CODE = {"runcrate": "validation_error", "inferencekey": "validation_error"}


class DropConnection(Exception):
    """Raised inside a response body to make uvicorn abort the connection mid-response."""


@dataclass
class Ctx:
    """One request as the sandbox sees it."""

    provider: str
    state: SandboxState
    request: Request
    body: bytes
    rid: str
    api_key: str | None
    fault: Fault | None

    def error(
        self, status: int, message: str, *, code: str | None = None, param: str | None = None, **extra: Any
    ) -> JSONResponse:
        return error_response(self.provider, status, message, code=code, param=param, rid=self.rid, **extra)

    @property
    def account(self) -> str:
        """The account a key belongs to (the key itself: resources are never shared across keys)."""
        return self.api_key or ""

    @property
    def idempotency_key(self) -> str | None:
        return self.request.headers.get("idempotency-key")

    def json(self) -> tuple[Any, Response | None]:
        """The parsed JSON body, or the provider's own 400 (not JSON, nested too deep, not an object)."""
        try:
            data = parse_json(self.body) if self.body else None
        except BadInput as exc:
            return None, self.bad_request(str(exc))
        if not isinstance(data, dict):
            return None, self.bad_request("request body must be a JSON object")
        return data, None

    def bad_request(self, message: str, param: str | None = None) -> JSONResponse:
        """A 400 in the shape and with the code the provider documents for a bad request (docs/sandbox.md)."""
        return self.error(400, message, code=_BAD_REQUEST_CODE.get(self.provider, "invalid_request_error"), param=param)


async def begin(request: Request, provider: str, prefix: tuple[str, ...]) -> tuple[Ctx, Response | None]:
    """Read the request, check auth by key prefix (any of ``prefix``), apply status faults. Returns a response to send
    at once (an error) or ``None`` to continue."""
    state: SandboxState = request.app.state.sandbox
    body = await request.body()
    rid = request_id(request.method, request.url.path, body)
    auth = request.headers.get("authorization", "")
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    ctx = Ctx(provider, state, request, body, rid, key, None)
    try:
        fault = _request_fault(request)
    except BadInput as exc:  # a fault asked for on this request, wrongly: refused, naming the field
        return ctx, ctx.bad_request(f"X-Sandbox-Fault: {exc}", param="X-Sandbox-Fault")
    fault = ctx.fault = fault or state.take_fault(provider, request.url.path, request.method)
    if state.settings.latency_s:
        await asyncio.sleep(state.settings.latency_s)
    if fault is not None and fault.status is not None:
        return ctx, error_response(
            provider,
            fault.status,
            f"injected fault: HTTP {fault.status}",
            rid=rid,
            headers=fault.headers,
            body=fault.body,
        )
    if fault is not None and fault.kind == "drop":
        return ctx, _dropped()
    if not key or not key.startswith(prefix) or key.endswith("-revoked"):
        return ctx, ctx.error(401, "invalid or missing API key", code="wrong_api_key")
    return ctx, None


def _request_fault(request: Request) -> Fault | None:
    """The fault this one request asks for in its ``X-Sandbox-Fault`` header; :class:`BadInput` if malformed."""
    raw = request.headers.get("x-sandbox-fault")
    return Fault.from_json(parse_json(raw)) if raw else None


def _dropped() -> Response:
    async def body() -> AsyncIterator[bytes]:
        raise DropConnection("injected fault: connection dropped")
        yield b""  # pragma: no cover - makes this an async generator

    return StreamingResponse(body(), media_type="application/json")


def json_response(ctx: Ctx, payload: Any, status: int = 200) -> Response:
    """A JSON answer, or a deliberately malformed one when a ``malformed_json`` fault is active."""
    if ctx.fault is not None and ctx.fault.kind == "malformed_json":
        return Response(b'{"id": "truncated', media_type="application/json", headers={"x-request-id": ctx.rid})
    if ctx.fault is not None and ctx.fault.kind == "oversized_body":  # valid JSON, far too much of it
        padding = b'"' + b"x" * max(ctx.fault.size, 1) + b'"'
        return Response(
            b'{"padding": ' + padding + b"}", media_type="application/json", headers={"x-request-id": ctx.rid}
        )
    if ctx.fault is not None and ctx.fault.kind == "drop_after_act":
        return _dropped()  # the server did the work; the client never hears about it
    return JSONResponse(payload, status_code=status, headers={"x-request-id": ctx.rid})


@dataclass
class SSEPlan:
    """Frames to stream: JSON payloads, then ``[DONE]`` unless ``done`` is false."""

    frames: Iterable[Any]
    done: bool = True


def sse_response(ctx: Ctx, plan: SSEPlan, error_frame: Callable[[int], Any] | None = None) -> Response:
    """Stream ``plan`` as server-sent events, applying stream faults (stall, drop, in-band error)."""
    delay = ctx.state.settings.stream_chunk_delay_s
    fault = ctx.fault

    async def body() -> AsyncIterator[bytes]:
        for index, frame in enumerate(plan.frames):
            if fault is not None and index == fault.after_chunks and fault.kind is not None:
                if fault.kind == "stall_stream":
                    await asyncio.sleep(fault.seconds)
                elif fault.kind == "drop_stream":
                    raise DropConnection("injected fault: stream dropped")
                elif fault.kind == "malformed_frame":
                    yield b'data: {"choices": [{"delta": {"content": "trunc\n\n'
                    continue
                elif fault.kind == "error_frame" and error_frame is not None:
                    yield f"data: {json.dumps(error_frame(fault.status_code))}\n\n".encode()
                    return
            yield f"data: {json.dumps(frame)}\n\n".encode()
            if delay:
                await asyncio.sleep(delay)
        if plan.done:
            yield b"data: [DONE]\n\n"

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"x-request-id": ctx.rid, "cache-control": "no-store"}
    )
