"""Building an OpenAI-compatible request once, for every resource: the validated body and the ``FinalRequest``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._base import FinalRequest
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes, coerce_timeout
from .errors import RequestValidationError
from .validation import check_json, validated_body
from .wire import (
    RequestModel,
)

# Left as they are, for the model to refuse: text, bytes (``list(b"hi")`` would be the token ids [104, 105]),
# mappings, and sets (unordered: the n-th embedding would not be the n-th text's).
_NOT_A_SEQUENCE = (str, bytes, bytearray, memoryview, Mapping, list, set, frozenset)


def build_body(
    request_model: type[RequestModel],
    fields: Mapping[str, Any],
    *,
    extra_body: Mapping[str, Any] | None,
    what: str,
    error: type[RequestValidationError],
) -> dict[str, Any]:
    """The JSON body: given fields (``None`` / ``NOT_GIVEN`` dropped), validated, then ``extra_body`` merged.

    ``extra_body`` is the documented escape hatch for fields we do not model: its fields are not checked against
    the model, only as JSON data (``jsonsafe``).
    """
    body = {k: v for k, v in fields.items() if v is not None and not isinstance(v, NotGiven)}
    for key in ("messages", "tools", "stop", "input", "prompt"):
        value = body.get(key)
        if isinstance(value, Iterable) and not isinstance(value, _NOT_A_SEQUENCE):
            body[key] = list(value)  # accept any ordered iterable, send a list
    sent = validated_body(request_model, body, what=what, error=error)
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise error(f"'extra_body' must be a mapping of field names to values; got {type(extra_body).__name__}",
                        param="extra_body")  # fmt: skip
        check_json(dict(extra_body), error=error, what=what, where="extra_body")
        sent.update(extra_body)
    return sent


def _local_error(client: Any) -> type[RequestValidationError]:
    """The class this client's provider raises for a call refused before sending."""
    cls: type[RequestValidationError] = client.profile.local_error
    return cls


def _request(
    client: Any,
    method: str,
    path: str,
    *,
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    idempotent: bool = True,
) -> FinalRequest:
    refuse = _local_error(client)
    if extra_headers is not None and (
        not isinstance(extra_headers, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) and v.isascii() for k, v in extra_headers.items())
    ):
        raise refuse("'extra_headers' must map header names to ASCII strings", param="extra_headers")
    if extra_query is not None and not isinstance(extra_query, Mapping):
        raise refuse("'extra_query' must map query names to values", param="extra_query")
    query = {**(params or {}), **(extra_query or {})} or None
    return FinalRequest(
        method,
        path,
        json=body,
        params=query,
        headers=extra_headers,
        timeout=None if isinstance(timeout, NotGiven) else coerce_timeout(timeout, client.timeout),
        # Inference calls create nothing, so repeating one is safe (as every official SDK does).
        idempotent=idempotent,
        # Every body here was built by build_body, which checked it is JSON data.
        json_checked=body is not None,
    )


_EXTRA_KEYS = ("extra_headers", "extra_query", "extra_body", "timeout")


def _split_extra(params: dict[str, Any]) -> dict[str, Any]:
    return {k: params.pop(k) for k in _EXTRA_KEYS if k in params}
