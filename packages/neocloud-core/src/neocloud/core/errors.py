"""The typed exception tree shared by every neocloud client.

```
NeocloudError                       base of everything raised by neocloud
 ├── ConfigurationError             client-side setup is wrong (missing key, bad base URL); no request sent
 ├── RequestValidationError         an argument is invalid; raised before any request is sent
 │    └── LocalBadRequestError      what every client raises: also a BadRequestError, with no status (see below)
 ├── ModelOutputError               the model's answer does not follow the prompted tools / JSON protocol
 └── APIError                       something went wrong talking to a provider
      ├── APIConnectionError        no usable response (DNS, refused, reset, TLS, redirect loop, ...)
      │    └── APITimeoutError      connect / read / write / pool timeout or the total deadline
      ├── APIResponseValidationError  the provider answered 2xx with a body we cannot parse (bad JSON, wrong
      │                               shape, nested too deep, a Content-Encoding it does not follow, too large)
      ├── StreamError               a stream broke mid-way (dropped, stalled, malformed frame)
      │    └── StreamFormatError    a frame was not JSON, not the documented shape, or over the size cap
      └── APIStatusError            the provider answered with an error status (or an in-band error frame)
           ├── BadRequestError            400
           ├── AuthenticationError        401
           ├── PaymentRequiredError       402 (insufficient credits / balance)
           ├── PermissionDeniedError      403
           ├── NotFoundError              404
           ├── ConflictError              409
           ├── UnprocessableEntityError   422
           ├── RateLimitError             429 (``retry_after`` in seconds when the provider said)
           └── InternalServerError        >= 500
```

Provider packages subclass these (e.g. MetalCloud's ``InsufficientCreditsError`` is a
``PaymentRequiredError``), so ``except neocloud.core.RateLimitError`` works for every provider.

A call refused before sending raises the provider's local class (``ClientProfile.local_error``): a
``LocalBadRequestError`` or a subclass of it, so it is caught both by ``except RequestValidationError`` and by
the 400 class each provider's documentation has users catch for a bad argument (``BadRequestError``,
``APIStatusError``, ``APIError``, Cluster Protocol's ``ClusterAPIError``, Runcrate's
``UnprocessableEntityError``, InferenceKey's ``ValidationError``). It has no ``status_code``, ``response`` or
``request_id`` (all ``None``): nothing was sent, so it is never retried.

``str(error)`` has one format for every API error: ``<Provider> <status> <code>: <message> (request id <id>)``,
without the parts that are absent (no code: ``<Provider> <status>: <message>``; no request id: no parenthesis;
no status: ``<Provider>: <message>``). A connection error names the host it tried:
``<Provider> connection error: could not connect to <host>: <reason>``; a timeout says what ran out:
``<Provider> timeout: the total deadline of 5 s passed while reading the answer from <host>``.

No error ever carries an API key: messages are built from the provider's error body and our own text, and
every request object an error can reach (``.request``, ``.response.request``, the ``__cause__`` /
``__context__`` chain) has its credentials masked (``neocloud.core.redact``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "LocalBadRequestError",
    "ModelOutputError",
    "NeocloudError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "StreamError",
    "StreamFormatError",
    "UnprocessableEntityError",
    "format_error",
    "status_error_class",
]


class NeocloudError(Exception):
    """Base class of every exception raised by neocloud."""


class ConfigurationError(NeocloudError, ValueError):
    """Client-side configuration is missing or invalid; raised before any request is sent."""


class RequestValidationError(NeocloudError, ValueError):
    """An argument failed validation before any request was sent.

    ``param`` names the offending argument (dotted for nested fields, e.g. ``messages.0.role``) and
    ``allowed`` says what would have been accepted.
    """

    def __init__(self, message: str, *, param: str | None = None, allowed: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.allowed = allowed


class ModelOutputError(NeocloudError, ValueError):
    """The model answered, but not as the prompt-and-parse protocol asked (``neocloud.core.prompted``): not one
    JSON object of the documented shape, a tool that was not offered, or arguments / output failing the schema.

    ``reason`` says what is wrong; ``text`` is the model's answer as received (model output, never a secret).
    Asking again may well succeed, so this is the error to retry on.
    """

    def __init__(self, reason: str, *, text: str) -> None:
        excerpt = text if len(text) <= 200 else text[:200] + "..."
        super().__init__(f"the model's answer does not follow the protocol: {reason} (answer: {excerpt!r})")
        self.reason = reason
        self.text = text


class APIError(NeocloudError):
    """An error talking to a provider's API.

    ``request_id`` is the provider's request id when one was received; ``idempotency_key`` is the key
    the request carried (repeat the call with it to be sure nothing is created twice).
    """

    message: str
    request_id: str | None
    idempotency_key: str | None
    body: Any
    # The provider's display name ("Cerebras"), set by the client that raised the error.
    provider: str | None = None

    def __init__(
        self,
        message: str,
        *,
        request: httpx2.Request | None = None,
        body: Any = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.provider = provider

    def __str__(self) -> str:
        return format_error(self.provider, None, None, self.message, self.request_id)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle only plain data: httpx objects hold sockets and (masked) headers we do not want copied.
        return (_rebuild_error, (type(self), self.message, self._state()))

    def _state(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "request_id": self.request_id,
            "idempotency_key": self.idempotency_key,
            "provider": self.provider,
        }


def format_error(
    provider: str | None, status: int | None, code: str | None, message: str, request_id: str | None
) -> str:
    """``<Provider> <status> <code>: <message> (request id <id>)``, leaving out what is absent (pure)."""
    head = " ".join(part for part in (provider, None if status is None else str(status), code) if part)
    tail = f" (request id {request_id})" if request_id else ""
    return f"{head}: {message}{tail}" if head else f"{message}{tail}"


def _rebuild_error(cls: type[APIError], message: str, state: dict[str, Any]) -> APIError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.message = message
    err.request = None
    for key, value in state.items():
        setattr(err, key, value)
    if isinstance(err, APIStatusError):
        err.response = None
    return err


class APIConnectionError(APIError):
    """No usable response was received (connection refused or reset, DNS, TLS, protocol error, redirect loop).

    ``str()``: ``<Provider> connection error: <message>`` (the message names the host, never a key).
    """

    _KIND = "connection error"

    def __init__(self, message: str = "Connection error.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)

    def __str__(self) -> str:
        if not self.provider:  # raised by hand, not by a client: the message alone
            return format_error(None, None, None, self.message, self.request_id)
        tail = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.provider} {self._KIND}: {self.message}{tail}"


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout, or the whole-call deadline, expired."""

    _KIND = "timeout"

    def __init__(self, message: str = "Request timed out.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class APIResponseValidationError(APIError):
    """The provider answered with a success status but a body that does not match its documented shape."""


class StreamError(APIError):
    """A streamed response broke before it finished: dropped, stalled, or a frame could not be decoded.

    Raised instead of silently ending the stream, so a truncated answer is never mistaken for a full one.
    """


class StreamFormatError(StreamError):
    """A stream frame was not JSON, or not the shape the provider documents: the server is at fault, so
    callers that reopen dropped streams (InferenceKey readiness) must not reopen on this one."""


class APIStatusError(APIError):
    """The provider answered with an error status (or sent an error frame inside a stream).

    Attributes: ``status_code``, ``message`` (the provider's own words; ``str(error)`` prefixes the status and
    code), ``code`` (the provider's machine-readable code),
    ``details`` (extra structured information), ``request_id``, ``body`` (the parsed error body) and
    ``response`` (the ``httpx2.Response``, or the ``httpx.Response`` of a caller's ``httpx`` client; ``None`` after
    unpickling).
    """

    status_code: int
    code: str | None
    details: Any

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        response: httpx2.Response | None = None,
        code: str | None = None,
        details: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.response = response
        self.code = code
        self.details = details

    def _state(self) -> dict[str, Any]:
        return {
            **super()._state(),
            "status_code": self.status_code,
            "code": self.code,
            "details": self.details,
        }

    def __str__(self) -> str:
        return format_error(self.provider, self.status_code, self.code, self.message, self.request_id)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """400: the provider rejected the request as malformed or invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed or revoked. Never retried."""


class PaymentRequiredError(APIStatusError):
    """402: the account has no credits or balance left for this call. Never retried."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but not allowed to do this (wrong project, wrong scope). Never retried."""


class NotFoundError(APIStatusError):
    """404: the model, resource or route does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state (or an idempotent request is in flight)."""


class UnprocessableEntityError(APIStatusError):
    """422: the body was well-formed but semantically invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the wait, in seconds, the provider asked for (if any)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "retry_after": self.retry_after}


class InternalServerError(APIStatusError):
    """>= 500: the provider failed. Retried with backoff by default."""


class LocalBadRequestError(RequestValidationError, BadRequestError):
    """An argument refused before any request was sent, raised as the provider's 400 class too.

    ``param`` names the argument and ``allowed`` says what would have been accepted (as for every
    ``RequestValidationError``). Being a ``BadRequestError`` lets the ``except`` clauses the providers document
    for a bad argument catch it; being local, it has ``status_code``, ``response``, ``request``, ``request_id``
    and ``idempotency_key`` all ``None``. The transport never saw it, so no retry policy applies to it.
    """

    # None: no HTTP exchange happened (the one APIStatusError whose status is not an int).
    status_code: int | None  # type: ignore[assignment]

    def __init__(self, message: str, *, param: str | None = None, allowed: str | None = None) -> None:
        # Neither parent's __init__: each chains to the other through the MRO (APIStatusError would want a status).
        Exception.__init__(self, message)
        self.message = message
        self.param = param
        self.allowed = allowed
        self.request = None
        self.body = None
        self.request_id = None
        self.idempotency_key = None
        self.status_code = None
        self.response = None
        self.code = None
        self.details = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(param={self.param!r}, message={self.message!r})"

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "param": self.param, "allowed": self.allowed}


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP status (pure; providers may refine it)."""
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)
