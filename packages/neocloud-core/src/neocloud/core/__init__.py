"""neocloud.core: the typed client core shared by every neocloud provider.

Config resolution, auth, httpx2 transports (or a caller's httpx client) with retries and deadlines, SSE streams,
the typed error tree, OpenAI-compatible wire models and the provider protocol. Heavy pieces are imported on first
use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    LocalBadRequestError,
    ModelOutputError,
    NeocloudError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    StreamError,
    StreamFormatError,
    UnprocessableEntityError,
)
from .lazy import lazy_getattr

if TYPE_CHECKING:
    from ._base import ClientProfile, FinalRequest
    from ._client import (
        AsyncAPIClient,
        AsyncAPIResource,
        DefaultAsyncHttpxClient,
        DefaultHttpxClient,
        SyncAPIClient,
        SyncAPIResource,
    )
    from ._response import APIResponse
    from ._types import NOT_GIVEN, NotGiven, Timeout
    from .provider import Capabilities, ModelInfo, ProviderSpec
    from .streaming import AsyncStream, Stream

__version__ = "0.1.0"

_LAZY = {
    "ClientProfile": "._base",
    "FinalRequest": "._base",
    "AsyncAPIClient": "._client",
    "AsyncAPIResource": "._client",
    "DefaultAsyncHttpxClient": "._client",
    "DefaultHttpxClient": "._client",
    "SyncAPIClient": "._client",
    "SyncAPIResource": "._client",
    "APIResponse": "._response",
    "NOT_GIVEN": "._types",
    "NotGiven": "._types",
    "Timeout": "._types",
    "Capabilities": ".provider",
    "ModelInfo": ".provider",
    "ProviderSpec": ".provider",
    "AsyncStream": ".streaming",
    "Stream": ".streaming",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIClient",
    "AsyncAPIResource",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "Capabilities",
    "ClientProfile",
    "ConfigurationError",
    "ConflictError",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "FinalRequest",
    "InternalServerError",
    "LocalBadRequestError",
    "ModelInfo",
    "ModelOutputError",
    "NeocloudError",
    "NotFoundError",
    "NotGiven",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProviderSpec",
    "RateLimitError",
    "RequestValidationError",
    "Stream",
    "StreamError",
    "StreamFormatError",
    "SyncAPIClient",
    "SyncAPIResource",
    "Timeout",
    "UnprocessableEntityError",
]
