"""Driving an official SDK through its whole public surface against the sandbox.

``public_methods`` lists the methods of an SDK client by walking its resources (attributes whose objects are
the SDK's resource classes), so a method the SDK adds later shows up and fails the coverage test until it is
driven or excused. ``record_calls`` wraps some of those methods on one client so a driver test can prove it called
the methods it claims to drive. Drivers are written once as coroutines and run against the sync and the async
client alike: ``done`` awaits what needs awaiting and ``collect`` drains sync and async iterators.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["Driver", "collect", "done", "missing_and_stale", "public_methods", "record_calls", "run"]

Driver = Callable[[Any], Awaitable[None]]
# Response views of the Stainless SDKs: the same requests as the plain methods, answered raw or unparsed.
_VIEWS = frozenset({"with_raw_response", "with_streaming_response"})


def _resources(root: Any, is_resource: Callable[[Any], bool], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted path, resource)`` for every resource reachable from ``root`` (``root`` itself excluded)."""
    for name in sorted(dir(root)):
        if name.startswith("_") or name in _VIEWS:
            continue
        try:
            value = getattr(root, name)
        except Exception:  # a property that cannot be read on an unconfigured client is no resource
            continue
        if is_resource(value):
            path = f"{prefix}{name}"
            yield path, value
            yield from _resources(value, is_resource, path + ".")


def _methods(resource: Any) -> Iterator[str]:
    for name in sorted(dir(resource)):
        if name.startswith("_") or name in _VIEWS:
            continue
        value = inspect.getattr_static(resource, name, None)
        if inspect.isfunction(value):
            yield name


def public_methods(client: Any, is_resource: Callable[[Any], bool]) -> set[str]:
    """Dotted names (``chat.completions.create``) of every public method of ``client``'s resources."""
    return {f"{path}.{name}" for path, resource in _resources(client, is_resource) for name in _methods(resource)}


def record_calls(client: Any, *methods: str) -> list[str]:
    """Wrap ``methods`` (dotted names) on this ``client`` instance to log their names whenever they are called;
    returns the log."""
    calls: list[str] = []
    for method in methods:
        *path, name = method.split(".")
        resource = client
        for part in path:
            resource = getattr(resource, part)
        setattr(resource, name, _logged(getattr(resource, name), method, calls))
    return calls


def _logged(method: Callable[..., Any], name: str, calls: list[str]) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(method):

        @functools.wraps(method)
        async def agen(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            async for item in method(*args, **kwargs):
                yield item

        return agen
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def coro(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return await method(*args, **kwargs)

        return coro

    @functools.wraps(method)
    def plain(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return method(*args, **kwargs)

    return plain


def missing_and_stale(
    surface: set[str], driven: Iterable[str], excused: Mapping[str, str]
) -> tuple[set[str], set[str]]:
    """Methods neither driven nor excused (an excuse names a method or a resource prefix ending in ``.``), and
    driven or excused names the SDK no longer has."""

    def excused_by(method: str) -> bool:
        return any(method == key or (key.endswith(".") and method.startswith(key)) for key in excused)

    driven = set(driven)
    missing = {m for m in surface if m not in driven and not excused_by(m)}
    stale = {d for d in driven if d not in surface} | {
        key for key in excused if not any(m == key or (key.endswith(".") and m.startswith(key)) for m in surface)
    }
    return missing, stale


async def done(value: Any) -> Any:
    """``value``, awaited when it is awaitable: one driver serves the sync and the async client."""
    return await value if inspect.isawaitable(value) else value


async def collect(stream: Any) -> list[Any]:
    """Every item of a sync or async iterable (awaiting it first when the call itself is a coroutine)."""
    stream = await done(stream)
    if isinstance(stream, AsyncIterable):
        return [item async for item in stream]
    return list(stream)


def run(driver: Driver, client: Any) -> None:
    """Run a driver to completion (a fresh event loop; sync clients simply block inside it)."""
    asyncio.run(driver(client))
