"""Credential scrubbing for everything an error can reach: the one place that masks secrets in request objects.

``scrub(obj, secrets)`` walks an exception (``.request``, ``.response``, ``__cause__``, ``__context__``,
recursively), a response (its ``.request`` and its redirect ``.history``) or a request, and masks in place every
credential it finds in a request: the headers named in ``Secrets.headers`` (``Authorization``, ``x-api-key``,
``api-key`` and the provider's own), any header whose value contains the key itself, and any URL query value that
is the key. The clients call it when an HTTP exchange ends (``Attempts.exchange``), so every request object an
error can point to, and therefore its ``repr`` and its pickle, shows ``**********`` instead of the key. It works
on ``httpx`` and ``httpx2`` objects alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ._http import classes

__all__ = ["MASK", "SECRET_HEADERS", "Secrets", "scrub"]

MASK = "**********"
_MASK_RAW = MASK.encode()
# Credentials by name, whatever the provider (compared lower-case).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"})
_MIN_SECRET = 8  # a shorter "key" would mask innocent text; no provider issues one


@dataclass(frozen=True)
class Secrets:
    """What to mask: header names (lower-case) and secret values (the API key)."""

    headers: frozenset[str] = SECRET_HEADERS
    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, headers: Iterable[str] = (), values: Iterable[str | None] = ()) -> Secrets:
        return cls(
            SECRET_HEADERS | {h.lower() for h in headers}, tuple(v for v in values if v and len(v) >= _MIN_SECRET)
        )

    @cached_property
    def _raw(self) -> tuple[frozenset[bytes], tuple[bytes, ...]]:
        # ``headers`` and ``values`` as the bytes a request's headers are stored in: checking needs no decoding.
        return frozenset(h.encode("latin-1") for h in self.headers), tuple(v.encode() for v in self.values)

    def hidden_headers(self, raw: Iterable[tuple[bytes, bytes]]) -> list[bytes]:
        """The names of the headers in ``raw`` (a request's ``headers.raw``) to mask. Every exchange asks, so the
        values of the headers not masked by name are searched joined into one string first (a key in any of them
        is in the join), and one by one only when a key is there."""
        names, values = self._raw
        found: list[bytes] = []
        rest: list[tuple[bytes, bytes]] = []
        for name, value in raw:
            if name.lower() in names:
                if value != _MASK_RAW:
                    found.append(name)
            else:
                rest.append((name, value))
        if values and rest:
            joined = b"\n".join([value for _, value in rest])
            if any(secret in joined for secret in values):
                found += [name for name, value in rest if value != _MASK_RAW and any(s in value for s in values)]
        return found


def scrub(obj: object, secrets: Secrets) -> None:
    """Mask every credential reachable from ``obj`` (an exception, response or request), in place."""
    requests, responses = classes("Request"), classes("Response")
    seen: set[int] = set()
    todo: list[object] = [obj]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if requests and isinstance(item, requests):
            _mask_request(item, secrets)
        elif responses and isinstance(item, responses):
            todo.append(getattr(item, "_request", None))
            todo.extend(getattr(item, "history", ()))
        elif isinstance(item, BaseException):
            # httpx exceptions keep their request in ``_request`` (the ``request`` property raises when unset).
            todo += [_attribute(item, name) for name in ("_request", "request", "response")]
            todo += [item.__cause__, item.__context__]


def _attribute(obj: object, name: str) -> object:
    try:
        return getattr(obj, name, None)
    except RuntimeError:  # an httpx exception's ``request`` when it has none
        return None


def _mask_request(request: Any, secrets: Secrets) -> None:
    headers = request.headers
    for name in secrets.hidden_headers(headers.raw):
        headers[name.decode("latin-1")] = MASK
    url = request.url
    if secrets.values and url.query and any(secret in str(url) for secret in secrets.values):
        params = [(k, MASK if any(s in v for s in secrets.values) else v) for k, v in url.params.multi_items()]
        request.url = url.copy_with(params=params)
