"""The two HTTP libraries the core runs on, in one place: ``httpx2`` by default, ``httpx`` for a caller's own client.

``httpx2`` is the maintained fork of ``httpx`` with the same API (and a connection pool that queues fairly under
thousands of concurrent calls), so every pool the core makes is an ``httpx2`` one. Code written for the providers'
own SDKs passes ``http_client=httpx.Client(...)``; that client is used as it is, with the same typed errors,
deadlines, retries and key masking. Only the things that differ between the libraries live here: which library a
client (or a transport given to ``DefaultHttpxClient``) belongs to, and their exception and response classes.

``httpx`` is never imported for the core's own sake: only when a caller passes an ``httpx`` object (which means
they imported it already), and its exception classes are looked up at error-mapping time only when it is in
``sys.modules`` (an ``httpx`` exception cannot exist otherwise). ``httpx2``'s import-wide alias (``alias_httpx``)
is deliberately not used: it would change what ``import httpx`` means for the whole program.

Inside the core, requests, responses and clients are typed as ``httpx2``'s; an ``httpx`` object has the same API
and is handled through it (``as_httpx2`` marks the one place where a caller's object is taken that way).
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Mapping
from functools import lru_cache
from types import ModuleType
from typing import Any, cast

import httpx2

__all__ = [
    "LIMITS",
    "TIMEOUT_PHASES",
    "as_httpx2",
    "classes",
    "default_client_kwargs",
    "errors",
    "is_client",
    "is_response_type",
    "is_timeout_config",
    "library_of",
    "url",
]

# The pool the core makes: 100 connections, all of them kept alive between calls (keeping only 20, as httpx's
# default does, closes and reopens 80 connections after every burst of concurrent calls).
LIMITS: Mapping[str, float | int | None] = {"max_connections": 100, "max_keepalive_connections": 100,
                                            "keepalive_expiry": 30.0}  # fmt: skip
TIMEOUT_PHASES = ("connect", "read", "write", "pool")


def _httpx() -> ModuleType | None:
    """``httpx`` if the program imported it (else no ``httpx`` object or exception can exist)."""
    module = sys.modules.get("httpx")
    return module if module is not None and hasattr(module, "TransportError") else None


def classes(name: str) -> tuple[type[Any], ...]:
    """``httpx2``'s class ``name``, and ``httpx``'s when it is loaded: for ``isinstance`` and ``except`` clauses
    (an ``except`` clause's expression is evaluated only when an exception is being matched, so this costs the
    happy path nothing)."""
    return _classes(name, _httpx())


def errors(*names: str) -> tuple[type[Exception], ...]:
    """The exception classes ``names`` of both libraries (for ``except`` and ``isinstance``); a built-in name
    (``"ValueError"``) is itself, so one tuple can mix both."""
    return _errors(names, _httpx())


@lru_cache(maxsize=64)
def _errors(names: tuple[str, ...], httpx: ModuleType | None) -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = []
    for name in names:
        builtin = getattr(builtins, name, None)
        candidates = (builtin,) if isinstance(builtin, type) else _classes(name, httpx)
        found += [cls for cls in candidates if issubclass(cls, Exception)]
    return tuple(found)


@lru_cache(maxsize=64)
def _classes(name: str, httpx: ModuleType | None) -> tuple[type[Any], ...]:
    own: type[Any] = getattr(httpx2, name)
    other = getattr(httpx, name, None) if httpx is not None else None
    return (own,) if other is None or other is own else (own, other)


def library_of(obj: object) -> ModuleType:
    """The library (``httpx2`` or ``httpx``) ``obj`` (a client, transport, request, response...) belongs to."""
    kind = type(obj)
    library = _libraries.get(kind)
    if library is None:
        library = _libraries[kind] = _library_of_type(kind)
    return library


_libraries: dict[type[Any], ModuleType] = {}


def _library_of_type(kind: type[Any]) -> ModuleType:
    for cls in kind.__mro__:
        module = cls.__module__
        if module == "httpx2" or module.startswith("httpx2."):
            return httpx2
        if module == "httpx" or module.startswith("httpx."):
            return sys.modules["httpx"]
    return httpx2


def is_client(obj: object, *, asynchronous: bool) -> bool:
    """Whether ``obj`` is an ``httpx2`` or ``httpx`` client of the right kind (sync or async)."""
    return isinstance(obj, classes("AsyncClient" if asynchronous else "Client"))


def as_httpx2(obj: Any) -> Any:
    """A caller's ``httpx`` (or ``httpx2``) object, taken as the ``httpx2`` type the core is written against: the
    two libraries share their API, and the core only uses what both have."""
    return obj


def is_response_type(cast_to: object) -> bool:
    """``cast_to`` asks for the raw HTTP response (``httpx2.Response``, or ``httpx.Response`` in code written for
    the SDKs' ``client.post(..., cast_to=httpx.Response)``)."""
    if cast_to is httpx2.Response:
        return True
    return getattr(cast_to, "__name__", None) == "Response" and cast_to in classes("Response")


def is_timeout_config(value: object) -> bool:
    """``value`` is an ``httpx2.Timeout`` or ``httpx.Timeout``."""
    return isinstance(value, classes("Timeout"))


def default_client_kwargs(library: ModuleType, kwargs: dict[str, Any], timeout: Mapping[str, float | None]) -> None:
    """Fill in neocloud's defaults (timeouts, pool limits, redirects) for a client of ``library``."""
    kwargs.setdefault("timeout", library.Timeout(**timeout))
    kwargs.setdefault("limits", library.Limits(**LIMITS))
    # Both libraries drop Authorization when a redirect leaves the original origin, so following is safe.
    kwargs.setdefault("follow_redirects", True)


def wants_httpx(kwargs: Mapping[str, Any]) -> bool:
    """Whether client keyword arguments carry an ``httpx`` object (a transport, mounts, limits, timeout, auth): the
    client must then be an ``httpx`` one, since an ``httpx2`` client cannot drive an ``httpx`` transport."""
    if _httpx() is None:
        return False
    values = [*kwargs.values(), *(kwargs.get("mounts") or {}).values()]
    return any(library_of(v) is not httpx2 for v in values if type(v).__module__.startswith("httpx"))


@lru_cache(maxsize=512)
def url(library: ModuleType, text: str) -> Any:
    """``text`` parsed as ``library``'s URL, once: the base URL and the paths of a client repeat on every call, and
    a parsed URL is immutable."""
    return cast("Any", library).URL(text)
