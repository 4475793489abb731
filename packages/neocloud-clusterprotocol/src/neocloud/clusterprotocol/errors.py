"""Cluster Protocol's documented exceptions (``cluster_sdk.errors``), as members of the common tree.

A call refused before sending (a bad argument) raises ``LocalBadRequestError``: a ``ClusterAPIError`` (so the
documented ``except ClusterAPIError`` catches it; its ``status_code`` is ``None``) and a
``RequestValidationError`` naming the argument (``param``).
"""

from __future__ import annotations

from typing import Any

from neocloud.core import errors as _core
from neocloud.core.errors import (
    APIConnectionError,
    APITimeoutError,
    LocalBadRequestError,
    RequestValidationError,
    StreamError,
)

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "ClusterAPIError",
    "InsufficientBalanceError",
    "LocalBadRequestError",
    "NotFoundError",
    "RateLimitError",
    "RequestValidationError",
    "ServerError",
    "StreamError",
]

ClusterAPIError = _core.APIStatusError
"""Base class for all API errors: ``status_code``, ``message``, ``code``, ``details``, ``request_id``."""


class AuthenticationError(_core.AuthenticationError):
    """401 - invalid API key."""


class InsufficientBalanceError(_core.PaymentRequiredError):
    """402 - not enough funds; ``balance`` and ``required`` are in USD when the server says."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        body = self.body if isinstance(self.body, dict) else {}
        self.balance: float | None = _number(body.get("balance"))
        self.required: float | None = _number(body.get("required"))

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "balance": self.balance, "required": self.required}


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class NotFoundError(_core.NotFoundError):
    """404 - model or resource not found."""


class RateLimitError(_core.RateLimitError):
    """429 - too many requests; ``retry_after`` in seconds."""


class ServerError(_core.InternalServerError):
    """500+ - internal errors (retried by the client first)."""
