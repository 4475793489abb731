"""InferenceKey's documented exceptions, each also a member of the common tree.

```
InferenceKeyError
├── PermissionDenied     403 (code: wrong_credential_type / project_scope_mismatch / scope_insufficient)
├── AuthError            401
├── ValidationError      400, or a local argument check (then also a RequestValidationError and a
│                        BadRequestError whose status_code is None: LocalValidationError)
├── ConfigurationError   client-side misconfiguration before any request
├── ApiError             any other non-2xx response or a transport failure; subclasses also join
│                        the common tree by status (402 InsufficientCredits is a PaymentRequiredError,
│                        404 NotFound, 409 Conflict, 422, 429 RateLimited, 5xx ServerError)
├── WaitTimeout          wait_until_ready ran out of time (also the builtin TimeoutError)
└── BackendError         custom backends
    └── PackagingError   a backend package (.tar.gz) without a readable, safe manifest.json
```
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from neocloud.core import errors as core

__all__ = [
    "ApiError",
    "AuthError",
    "BackendError",
    "ConfigurationError",
    "DriftError",
    "InferenceKeyError",
    "PackagingError",
    "PermissionDenied",
    "ValidationError",
    "WaitTimeout",
    "translate",
]


class InferenceKeyError(core.NeocloudError):
    """Base class of every InferenceKey error."""


class PermissionDenied(InferenceKeyError, core.PermissionDeniedError):
    """403: the credential may not do this (``code`` says why)."""


class AuthError(InferenceKeyError, core.AuthenticationError):
    """401: credentials missing or invalid."""


class ValidationError(InferenceKeyError):
    """An argument failed local or server validation."""


class ServerValidationError(ValidationError, core.BadRequestError):
    """400 from the platform."""


class LocalValidationError(ValidationError, core.LocalBadRequestError):
    """Refused before any request was sent (``param`` names the argument; ``status_code`` is ``None``).

    What every InferenceKey client raises for a bad argument, the OpenAI-style ``chat.completions`` and
    ``embeddings`` of an endpoint included (it is the profiles' ``local_error``)."""


class ConfigurationError(InferenceKeyError, core.ConfigurationError):
    """The client is misconfigured (no token, no project, no ik_live_ key)."""


class ApiError(InferenceKeyError):
    """Any other error response, a transport failure, or a workload that failed to become ready."""


class ApiStatusError(ApiError, core.APIStatusError):
    """A non-2xx answer other than 400/401/403."""


class InsufficientCredits(ApiError, core.PaymentRequiredError):
    """402: the account cannot pay for the workload."""


class NotFound(ApiError, core.NotFoundError):
    """404."""


class Conflict(ApiError, core.ConflictError):
    """409 (e.g. the slug exists with another spec)."""


class Unprocessable(ApiError, core.UnprocessableEntityError):
    """422."""


class RateLimited(ApiError, core.RateLimitError):
    """429."""


class ServerError(ApiError, core.InternalServerError):
    """>= 500."""


class ConnectionFailed(ApiError, core.APIConnectionError):
    """The platform could not be reached."""


class TimedOut(ConnectionFailed, core.APITimeoutError):
    """A request timed out."""


class StreamBroken(ApiError, core.StreamError):
    """A stream ended before its end marker."""


class MalformedFrame(StreamBroken, core.StreamFormatError):
    """A stream frame the documented shape does not allow (e.g. a readiness event without ``phase``)."""


class ReadinessFailed(ApiError, core.APIError):
    """The workload reported the ``error`` phase."""


class WaitTimeout(InferenceKeyError, TimeoutError):
    """``wait_until_ready`` ran out of time (also the builtin ``TimeoutError``, as documented)."""


STATUS_CLASSES: dict[int, type[core.APIStatusError]] = {
    400: ServerValidationError,
    401: AuthError,
    402: InsufficientCredits,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
    429: RateLimited,
    **{status: ServerError for status in range(500, 600)},
}

# Transport-level and local errors raised by the core, re-raised as their InferenceKey twins.
_TWINS: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (core.APITimeoutError, TimedOut),
    (core.APIConnectionError, ConnectionFailed),
    (core.StreamFormatError, MalformedFrame),
    (core.StreamError, StreamBroken),
    (core.RequestValidationError, LocalValidationError),
    (core.ConfigurationError, ConfigurationError),
    (core.APIStatusError, ApiStatusError),
)


@contextlib.contextmanager
def translate() -> Iterator[None]:
    """Make every error raised inside the block an ``InferenceKeyError`` (same attributes)."""
    try:
        yield
    except InferenceKeyError:
        raise
    except core.NeocloudError as err:
        twin = next((t for source, t in _TWINS if isinstance(err, source)), None)
        if twin is None:
            raise
        new = twin.__new__(twin)
        new.__dict__.update(err.__dict__)
        new.args = err.args
        raise new from err


class BackendError(InferenceKeyError):
    """A custom-backend problem on our side of the wire."""


class PackagingError(BackendError):
    """A backend package cannot be read: not a .tar.gz, no root ``manifest.json``, or an unsafe member."""


class DriftError(ApiError):
    """``ensure(on_drift="fail")`` found the live workload different from the spec (``fields``)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"workload drifted from spec: {', '.join(fields)}")
        self.fields = fields
