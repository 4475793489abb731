"""Running ``Op`` objects on the right host, sync or async."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar

import httpx2

from .._ops import Op

__all__ = ["AsyncResource", "SyncResource", "async_call", "sync_call"]

_T = TypeVar("_T")


class SyncResource:
    """Base of the synchronous resources; ``_run`` sends an operation to its host."""

    _is_resource = True

    def __init__(self, client: Any) -> None:
        self._client = client

    def _run(self, op: Op[_T]) -> _T:
        transport = self._client._control if op.host == "control" else self._client._inference
        if op.metered is not None:  # reserved before sending, settled after (see neocloud.core.pricing.Meter)
            return transport.meter.call(op.metered, _metered_body(op), lambda: self._send(transport, op))  # type: ignore[no-any-return]
        return self._send(transport, op)

    @staticmethod
    def _send(transport: Any, op: Op[_T]) -> _T:
        if op.raw:
            return op.parse(transport.request(httpx2.Response, op.request))
        return transport.request(op.parse, op.request)  # type: ignore[no-any-return]  # a body of the wrong shape: APIResponseValidationError


class AsyncResource:
    """Base of the asynchronous resources."""

    _is_resource = True

    def __init__(self, client: Any) -> None:
        self._client = client

    async def _run(self, op: Op[_T]) -> _T:
        transport = self._client._control if op.host == "control" else self._client._inference
        if op.metered is not None:
            return await transport.meter.acall(op.metered, _metered_body(op), lambda: self._send(transport, op))  # type: ignore[no-any-return]
        return await self._send(transport, op)

    @staticmethod
    async def _send(transport: Any, op: Op[_T]) -> _T:
        if op.raw:
            return op.parse(await transport.request(httpx2.Response, op.request))
        return await transport.request(op.parse, op.request)  # type: ignore[no-any-return]


def _metered_body(op: Op[Any]) -> dict[str, Any]:
    # What the meter reads of a call: its JSON body, or a multipart upload's form fields (the model).
    body = op.request.json if isinstance(op.request.json, dict) else dict(op.request.data or {})
    return body


_P = ParamSpec("_P")
_C = TypeVar("_C", bound=Callable[..., Any])


def _described(call: _C, descriptor: Any) -> _C:
    # The method shows the operation's name, docstring and parameters (for help(), IDEs and introspection); the
    # signature is computed once, on first use, not at import.
    signature = descriptor.__dict__.get("_signature")
    if signature is None:
        signature = inspect.signature(descriptor._factory).replace(return_annotation=inspect.Signature.empty)
        descriptor._signature = signature
    call.__name__ = call.__qualname__ = descriptor._factory.__name__
    call.__doc__ = descriptor.__doc__
    call.__signature__ = signature  # type: ignore[attr-defined]
    return call


class sync_call(Generic[_P, _T]):
    """Expose an operation factory as a typed sync method: ``list = sync_call(ops.Instances.list)``."""

    def __init__(self, factory: Callable[_P, Op[_T]]) -> None:
        self._factory = factory
        self.__doc__ = factory.__doc__

    def __get__(self, obj: SyncResource | None, owner: type | None = None) -> Callable[_P, _T]:
        factory = self._factory

        def call(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            assert obj is not None
            return obj._run(factory(*args, **kwargs))

        return _described(call, self)


class async_call(Generic[_P, _T]):
    """Expose an operation factory as a typed async method. ``reads_files``: the factory may read local files
    (an upload given as a path), so it runs in a worker thread and the event loop never waits on the disk."""

    def __init__(self, factory: Callable[_P, Op[_T]], *, reads_files: bool = False) -> None:
        self._factory = factory
        self._reads_files = reads_files
        self.__doc__ = factory.__doc__

    def __get__(self, obj: AsyncResource | None, owner: type | None = None) -> Callable[_P, Awaitable[_T]]:
        factory, reads_files = self._factory, self._reads_files

        async def call(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            assert obj is not None
            if reads_files:
                import asyncio

                return await obj._run(await asyncio.to_thread(factory, *args, **kwargs))
            return await obj._run(factory(*args, **kwargs))

        return _described(call, self)
