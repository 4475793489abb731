"""Runcrate's documented error hierarchy, as members of the common tree.

Every API error exposes ``message``, ``status_code``, ``code`` (e.g. ``not_found``, ``rate_limited``,
``BUDGET_REACHED``) and ``details``. ``ConnectionError`` / ``TimeoutError`` are the names Runcrate
documents; they are the common ``APIConnectionError`` / ``APITimeoutError`` (importing them by those
names shadows Python's builtins in your module, as with the official SDK).
"""

from __future__ import annotations

import builtins
from typing import Any

from neocloud.core import errors as _core

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectionError",
    "InsufficientCreditsError",
    "InternalServerError",
    "JobWaitTimeoutError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RuncrateError",
    "RuncrateValidationError",
    "TimeoutError",
    "UnprocessableEntityError",
]

RuncrateError = _core.NeocloudError
ApiError = _core.APIStatusError
BadRequestError = _core.BadRequestError
AuthenticationError = _core.AuthenticationError
PermissionDeniedError = _core.PermissionDeniedError
NotFoundError = _core.NotFoundError
ConflictError = _core.ConflictError
UnprocessableEntityError = _core.UnprocessableEntityError
RateLimitError = _core.RateLimitError
InternalServerError = _core.InternalServerError
ConnectionError = _core.APIConnectionError
TimeoutError = _core.APITimeoutError


class RuncrateValidationError(_core.LocalBadRequestError, _core.UnprocessableEntityError):
    """An argument refused before any request was sent (``param`` names it; ``status_code`` is ``None``)."""


class InsufficientCreditsError(_core.PaymentRequiredError):
    """402: not enough credits; ``code`` tells which limit (``BUDGET_REACHED``, ``budget_exceeded``, ...)."""


class JobWaitTimeoutError(_core.NeocloudError, builtins.TimeoutError):
    """``jobs.wait`` ran out of time; ``job`` is the last state seen (also the builtin ``TimeoutError``)."""

    def __init__(self, message: str, job: Any) -> None:
        super().__init__(message)
        self.job = job
