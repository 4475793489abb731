"""The requests of Cluster Protocol's non-chat operations, built and validated once (pure) for both the
sync and async resources."""

from __future__ import annotations

from typing import Any

from neocloud.core._base import FinalRequest, new_idempotency_key
from neocloud.core.paths import build
from neocloud.core.validation import validated_body

from .errors import LocalBadRequestError
from .types import FineTuneRequest

__all__ = [
    "access",
    "balance",
    "cancel_fine_tune",
    "create_fine_tune",
    "dataset",
    "datasets",
    "download_file",
    "get_fine_tune",
    "list_fine_tunes",
    "purchase",
    "usage",
]

_PAYMENT_METHODS = ("balance", "eth", "token")


def _path(pattern: str, **ids: Any) -> str:
    """A path with its ids filled in as single encoded segments (``neocloud.core.paths``), or the local error."""
    return build(pattern, error=LocalBadRequestError, **ids)


def balance() -> FinalRequest:
    return FinalRequest("GET", "/api/balance")


def usage() -> FinalRequest:
    return FinalRequest("GET", "/api/usage")


def datasets(page: int, limit: int, q: str | None, category: str | None) -> FinalRequest:
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise LocalBadRequestError(f"'page' must be an integer >= 1; got {page!r}", param="page", allowed=">= 1")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        raise LocalBadRequestError(f"'limit' must be 1..100; got {limit!r}", param="limit", allowed="1..100")
    for name, value in (("q", q), ("category", category)):
        if value is not None and not isinstance(value, str):
            raise LocalBadRequestError(f"'{name}' must be a string; got {type(value).__name__}", param=name)
    params = {"page": str(page), "limit": str(limit), "q": q or None, "category": category or None}
    return FinalRequest("GET", "/api/datasets", params=params)


def dataset(slug_or_id: str) -> FinalRequest:
    return FinalRequest("GET", _path("/api/datasets/{slug_or_id}", slug_or_id=slug_or_id))


def purchase(dataset_id: str, payment_method: str, tx_hash: str | None, idempotency_key: str | None) -> FinalRequest:
    if payment_method not in _PAYMENT_METHODS:
        raise LocalBadRequestError(
            f"'payment_method' must be one of {', '.join(_PAYMENT_METHODS)}; got {payment_method!r}",
            param="payment_method",
            allowed=", ".join(_PAYMENT_METHODS),
        )
    if payment_method != "balance" and not tx_hash:
        raise LocalBadRequestError("'tx_hash' is required for eth and token payments", param="tx_hash")
    body: dict[str, Any] = {"paymentMethod": payment_method}
    if tx_hash:
        body["txHash"] = tx_hash
    # A payment: never repeated unless the server can deduplicate it by key.
    return FinalRequest(
        "POST",
        _path("/api/datasets/{dataset_id}/purchase", dataset_id=dataset_id),
        json=body,
        idempotent=False,
        idempotency_key=idempotency_key or new_idempotency_key(),
    )


def access(dataset_id: str) -> FinalRequest:
    return FinalRequest("GET", _path("/api/datasets/{dataset_id}/access", dataset_id=dataset_id))


def download_file(dataset_id: str, cid: str) -> FinalRequest:
    return FinalRequest("GET", _path("/api/datasets/{dataset_id}/ipfs-download/{cid}", dataset_id=dataset_id, cid=cid))


def create_fine_tune(fields: dict[str, Any], idempotency_key: str | None) -> FinalRequest:
    body = {k: v for k, v in fields.items() if v is not None}
    body = validated_body(FineTuneRequest, body, what="fine_tuning.create", error=LocalBadRequestError)
    return FinalRequest(
        "POST",
        "/v1/fine_tuning/jobs",
        json=body,
        idempotent=False,
        idempotency_key=idempotency_key or new_idempotency_key(),
    )


def get_fine_tune(job_id: str) -> FinalRequest:
    return FinalRequest("GET", _path("/v1/fine_tuning/jobs/{job_id}", job_id=job_id))


def list_fine_tunes(limit: int | None, after: str | None) -> FinalRequest:
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100):
        raise LocalBadRequestError(f"'limit' must be 1..100; got {limit!r}", param="limit", allowed="1..100")
    return FinalRequest("GET", "/v1/fine_tuning/jobs", params={"limit": limit, "after": after})


def cancel_fine_tune(job_id: str) -> FinalRequest:
    # Cancelling twice is harmless (the job is already cancelled), so the call may be retried.
    return FinalRequest("POST", _path("/v1/fine_tuning/jobs/{job_id}/cancel", job_id=job_id), idempotent=True)
