"""MetalCloud's documented exceptions, as members of the common neocloud tree.

``from neocloud.metalcloud.exceptions import AuthenticationError, RateLimitError,
InsufficientCreditsError, ModelNotFoundError`` works as in MetalCloud's SDK reference, and each is also
caught by ``except neocloud.core.<Parent>``.

A call refused before sending (a bad argument) raises ``LocalBadRequestError``: a ``MetalCloudError``, a
``BadRequestError`` (``status_code`` ``None``) and a ``RequestValidationError`` naming the argument (``param``).
"""

from __future__ import annotations

from neocloud.core import errors as _core
from neocloud.core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    LocalBadRequestError,
    RequestValidationError,
    StreamError,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "InsufficientCreditsError",
    "InternalServerError",
    "JobNotFoundError",
    "LocalBadRequestError",
    "MetalCloudError",
    "ModelNotFoundError",
    "NotFoundError",
    "RateLimitError",
    "RequestValidationError",
    "StreamError",
]

MetalCloudError = _core.NeocloudError
NotFoundError = _core.NotFoundError


class AuthenticationError(_core.AuthenticationError):
    """The API key is missing or invalid (401)."""


class RateLimitError(_core.RateLimitError):
    """Too many requests (429); ``retry_after`` is the wait in seconds from ``Retry-After``."""


class InsufficientCreditsError(_core.PaymentRequiredError):
    """The account has no credits left (402)."""


class ModelNotFoundError(_core.NotFoundError):
    """The model does not exist (404, ``model_not_found``)."""


class JobNotFoundError(_core.NotFoundError):
    """The job does not exist or belongs to another account (404, ``job_not_found``)."""
