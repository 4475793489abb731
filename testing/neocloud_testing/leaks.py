"""Where a secret could hide in a raised error: every text reachable from it."""

from __future__ import annotations

import pickle
from typing import Any

__all__ = ["as_sent", "texts_reachable"]


def as_sent(request: Any) -> Any:
    """A copy of ``request`` as it went on the wire: the client masks the credentials in the request object itself
    once its exchange ends, so a test that inspects headers afterwards records this copy."""
    import copy

    sent = copy.copy(request)
    sent.headers = request.headers.copy()
    sent.extensions = request.extensions  # (a copy goes through __getstate__, which leaves the extensions out)
    return sent


def texts_reachable(err: BaseException) -> list[str]:
    """Every string and bytes reachable from ``err`` the way a caller or a logger can reach them: its attributes,
    ``.request`` / ``.response`` (headers, URL, history), and the ``__cause__`` / ``__context__`` chain, with the
    ``repr`` and (where possible) the pickle of each exception on the way."""
    from neocloud.core._http import classes

    requests, responses = classes("Request"), classes("Response")  # httpx and httpx2 alike
    found: list[str] = []
    seen: set[int] = set()
    todo: list[Any] = [err]
    while todo:
        obj = todo.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes)):
            found.append(obj if isinstance(obj, str) else obj.decode("latin-1"))
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, requests):
            found += [str(obj.url), repr(obj.headers), *(f"{k}: {v}" for k, v in obj.headers.items())]
            found.append(pickle.dumps(obj).decode("latin-1"))
        elif isinstance(obj, responses):
            found.append(repr(obj.headers))
            todo += [obj._request, *obj.history]
        elif isinstance(obj, BaseException):
            found += [repr(obj), str(obj)]
            found.append(_pickled(obj))
            todo += [obj.__cause__, obj.__context__, getattr(obj, "_request", None), vars(obj)]
    return found


def _pickled(exc: BaseException) -> str:
    try:
        return pickle.dumps(exc).decode("latin-1")
    except Exception as failure:
        return f"<unpicklable: {type(failure).__name__}>"
