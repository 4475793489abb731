"""Every Runcrate operation once: its request (validated before sending) and how to read its answer.

The sync and async resources only run these (``Op``), so both surfaces behave identically. Control-plane
answers use the ``{"data": ..., "meta": {...}}`` envelope; inference answers are plain.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from neocloud.core._base import FinalRequest, new_idempotency_key
from neocloud.core._types import Timeout
from neocloud.core.paths import build

from .exceptions import RuncrateValidationError
from .types import Page

__all__ = ["Op", "audio_input", "image_input", "instance_create", "page_of", "route", "unwrap"]

_T = TypeVar("_T")
LAUNCH_TIMEOUT = Timeout(connect=10.0, read=75.0, write=75.0, pool=75.0)  # launches may take 60 s
MEDIA_TIMEOUT = Timeout(connect=10.0, read=120.0, write=120.0, pool=120.0)
_IMAGE_FIELDS = ("image", "start_image", "mask", "control_image")


@dataclass(frozen=True)
class Op(Generic[_T]):
    """One call: the request, how to parse its JSON (or bytes), and which host serves it."""

    request: FinalRequest
    parse: Callable[[Any], _T]
    host: str = "control"  # or "inference"
    raw: bool = False  # True: the parser receives the body bytes
    # A billable inference call: the ``Meter`` kind it is reserved and recorded as (``None``: not billable).
    metered: str | None = None


def unwrap(body: Any) -> tuple[Any, Mapping[str, Any]]:
    """``(data, meta)`` from the control plane's envelope (bare objects are accepted too)."""
    if isinstance(body, dict) and "data" in body:
        meta = body.get("meta") or {}
        return body["data"], meta if isinstance(meta, dict) else {}
    return body, {}


def page_of(model: type[Any]) -> Callable[[Any], Page[Any]]:
    """A parser for a list answer: items validated as ``model``, paging from ``meta``."""

    def parse(body: Any) -> Page[Any]:
        data, meta = unwrap(body)
        return Page[model](  # type: ignore[valid-type]
            data=[model.model_validate(item) for item in data or []],
            has_more=bool(meta.get("has_more", meta.get("hasMore", False))),
            total=meta.get("total"),
            cursor=meta.get("cursor"),
        )

    return parse


def one(model: type[_T]) -> Callable[[Any], _T]:
    """A parser for a single-object answer."""
    return lambda body: model.model_validate(unwrap(body)[0])  # type: ignore[attr-defined]


def none(body: Any) -> None:
    return None


def clean(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values (Runcrate omits unset fields)."""
    return {k: v for k, v in params.items() if v is not None}


def route(pattern: str, **ids: Any) -> str:
    """A path with its ids filled in as single encoded segments (``neocloud.core.paths``), or the local error."""
    return build(pattern, error=RuncrateValidationError, **ids)


def ident(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuncrateValidationError(f"'{name}' must be a non-empty string; got {value!r}", param=name)
    return value


def ranged(value: Any, name: str, low: int, high: int) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
        raise RuncrateValidationError(
            f"'{name}' must be an integer from {low} to {high}; got {value!r}", param=name, allowed=f"{low}..{high}"
        )


def instance_create(fields: dict[str, Any], idempotency_key: str | None) -> FinalRequest:
    """``POST /api/v1/instances`` (an ``Idempotency-Key`` on every launch; 75 s minimum timeout)."""
    from ._requests import InstanceCreate, body_of

    ident(fields.get("name"), "name")
    return FinalRequest(
        "POST",
        "/api/v1/instances",
        json=body_of(InstanceCreate, fields, "instances.create"),
        idempotent=False,
        idempotency_key=idempotency_key or new_idempotency_key(),
        timeout=LAUNCH_TIMEOUT,
    )


def image_input(value: Any, name: str) -> Any:
    """An image field: a local file path becomes a ``data:`` URI; URLs, data URIs and base64 pass through."""
    if not isinstance(value, (str, os.PathLike)):
        raise RuncrateValidationError(f"'{name}' must be a file path, URL or base64 string", param=name)
    text = os.fspath(value)
    if text.startswith(("http://", "https://", "data:")):
        return text
    path = Path(text)
    looks_like_path = len(text) < 4096 and (path.suffix or text.startswith((".", "/", "~")))
    if looks_like_path:
        path = path.expanduser()
        if not path.is_file():
            raise RuncrateValidationError(f"'{name}': no such file {text!r}", param=name)
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        if mime not in {"image/png", "image/jpeg", "image/webp", "image/gif"}:
            mime = "image/png"
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
    return text  # raw base64


_FILE_FORMS = "a path (str or os.PathLike), bytes, or a binary file object"


def audio_input(file: Any, filename: str | None) -> tuple[str, bytes]:
    """``(filename, content)`` of an upload given as a path, bytes or a binary file object (read here, before
    anything is sent, so a retry re-sends the same bytes). The name defaults to the file's own, else ``audio.wav``."""
    if isinstance(file, (str, os.PathLike)):
        path = Path(os.fspath(file)).expanduser()
        if not path.exists():
            raise RuncrateValidationError(f"'file': no such file {os.fspath(file)!r}", param="file")
        if not path.is_file():
            raise RuncrateValidationError(f"'file': {os.fspath(file)!r} is not a file", param="file")
        content, name = path.read_bytes(), path.name
    elif isinstance(file, (bytes, bytearray, memoryview)):
        content, name = bytes(file), None
    elif callable(getattr(file, "read", None)):
        data = file.read()
        if not isinstance(data, (bytes, bytearray)):
            raise RuncrateValidationError("'file' must be opened in binary mode ('rb'): it gave text", param="file")
        own = getattr(file, "name", None)
        content, name = bytes(data), Path(own).name if isinstance(own, str) and own else None
    else:
        raise RuncrateValidationError(f"'file' must be {_FILE_FORMS}; got {type(file).__name__}", param="file")
    if not content:
        raise RuncrateValidationError("'file' is empty: there is no audio to send", param="file")
    if filename is not None and (not isinstance(filename, str) or not filename.strip()):
        raise RuncrateValidationError(f"'filename' must be a non-empty string; got {filename!r}", param="filename")
    return filename or name or "audio.wav", content


def media_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Convert the image-typed fields of a media request (``image``, ``mask``, ...)."""
    return {k: (image_input(v, k) if k in _IMAGE_FIELDS and v is not None else v) for k, v in clean(params).items()}
