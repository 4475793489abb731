"""What the sync and async clients share: provider profile, config resolution and request building (response
processing and error mapping: ``_responses``). No I/O happens here."""

from __future__ import annotations

import copy
import logging
import os
import platform
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx2

from . import _http
from ._http import errors
from ._responses import ResponseHandling
from ._types import NOT_GIVEN, NotGiven, Timeout, TimeoutTypes, at_least, coerce_timeout
from .errors import (
    APIStatusError,
    ConfigurationError,
    LocalBadRequestError,
    RequestValidationError,
)
from .retry import EXPONENTIAL, Backoff

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

__all__ = ["BaseAPIClient", "ClientProfile", "FinalRequest", "resolve_setting"]

log = logging.getLogger("neocloud.core")
_T = TypeVar("_T")
_Self = TypeVar("_Self", bound="BaseAPIClient")


@dataclass(frozen=True)
class ClientProfile:
    """Everything that makes a provider's HTTP API different, as data (see ARCHITECTURE.md, "seams")."""

    provider: str
    distribution: str
    default_base_url: str
    api_key_env: str | None = None
    base_url_env: str | None = None
    api_key_required: bool = True
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    default_timeout: Timeout = field(default_factory=Timeout)
    default_max_retries: int = 2
    # The wait before each retry when the server names none (exponential with jitter unless the provider
    # documents otherwise: Cluster Protocol's ``retry_delay`` is a fixed wait).
    retry_backoff: Backoff = EXPONENTIAL
    # A response body larger than this is refused (APIResponseValidationError) instead of filling memory.
    max_response_bytes: int = 64 * 1024 * 1024
    # The same for one line of an event stream (a frame that never ends is a StreamFormatError, not a memory leak).
    max_event_bytes: int = 16 * 1024 * 1024
    # The provider's name as errors print it ("Cerebras 429 rate_limited: ..."); ``provider`` when unset.
    label: str | None = None
    # Headers that carry a credential besides Authorization / x-api-key / api-key (masked in every error).
    secret_headers: frozenset[str] = frozenset()
    # Cerebras: an integer ``status_code`` in the error body wins over the HTTP status.
    body_status_overrides: bool = False
    error_classes: Mapping[int, type[APIStatusError]] = field(default_factory=dict)
    # Refinement by the body's error code (e.g. 404 ``model_not_found`` → ``ModelNotFoundError``).
    error_codes: Mapping[str, type[APIStatusError]] = field(default_factory=dict)
    idempotency_header: str = "Idempotency-Key"
    # Error codes that mean "this request itself is refused": never retried whatever the status
    # (Runcrate's ``launch_refused`` comes with a 502).
    never_retry_codes: frozenset[str] = frozenset()
    # Set: a 409 is retried only when the request sent an idempotency key and the error's ``details.reason`` is
    # this (Runcrate: ``idempotency_in_progress``); any other conflict (a job that is not live) is a final answer.
    conflict_retry_reason: str | None = None
    # Streams of this provider always end with ``data: [DONE]``; ending without it is a truncation.
    stream_requires_done: bool = True
    # What a call refused before sending raises: a LocalBadRequestError (or the provider's subclass of it, named
    # in its error module), so the except clauses the provider documents for a bad argument catch it.
    local_error: type[RequestValidationError] = LocalBadRequestError
    # The provider's documented logging switch (``CEREBRAS_LOG=info|debug``): read when a client is constructed,
    # it sends the ``neocloud`` loggers to stderr at that level (see ``logs.configure_from_env``).
    log_env: str | None = None
    # The provider's shipped, dated prices (``neocloud.core.pricing.PriceTable``): what a call costs when the
    # provider reports no cost and its catalog was not read.
    price_table: Any = None


@dataclass
class FinalRequest:
    """One logical API call, before retries: what to send and how to treat it."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    files: Any = None
    data: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    # Safe to repeat: GET/PUT/DELETE, inference calls, and creates that carry an idempotency key.
    idempotent: bool = True
    idempotency_key: str | None = None
    timeout: Timeout | None = None
    # The operation's documented minimum per-phase timeouts (a launch that may take 60 s): each phase is at least
    # this, whatever the client's timeout; the total deadline (the caller's) still bounds the whole call.
    min_timeout: Timeout | None = None
    max_retries: int | None = None
    # None: the HTTP client's setting. False: hand back a 3xx as is (e.g. to read a signed URL's Location).
    follow_redirects: bool | None = None
    # ``json`` was already checked to be JSON data (``jsonsafe``) where it was built: the transport need not walk it.
    json_checked: bool = False
    # False: ``path`` is a URL that carries its own authorisation (a signed storage URL): the request goes out
    # without the API key, the caller's custom headers and query, and keeps the deadline, retries and typed errors.
    credentials: bool = True


def resolve_setting(explicit: _T | None, env_var: str | None, default: _T) -> _T | str:
    """Explicit argument > environment variable > default (the one precedence rule for every setting)."""
    if explicit is not None:
        return explicit
    if env_var:
        value = os.environ.get(env_var)
        if value:
            return value
    return default


@lru_cache(maxsize=32)
def _user_agent(distribution: str) -> str:
    # Read once per distribution; importlib.metadata is slow enough to keep off the import path.
    from importlib.metadata import PackageNotFoundError, version

    try:
        dist_version = version(distribution)
    except PackageNotFoundError:
        dist_version = "0+unknown"
    return f"{distribution}/{dist_version} (python {platform.python_version()}; httpx2 {httpx2.__version__})"


def new_idempotency_key() -> str:
    """A fresh idempotency key (one per logical call; every retry of that call reuses it)."""
    return f"neocloud-{uuid.uuid4()}"


class BaseAPIClient(ResponseHandling):
    """Configuration and pure request/response handling shared by the sync and async clients.

    Construction only resolves configuration: no sockets, no SSL context, no threads. The HTTP pool is
    created on the first request and shared with every ``with_options`` copy.
    """

    profile: ClassVar[ClientProfile]
    _api_key: SecretStr | None

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | httpx2.URL | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        from pydantic import SecretStr

        prof = self.profile
        self._metering: dict[str, Any] = {"ledger": ledger, "budget": budget, "run_id": run_id, "unpriced": unpriced,
                                          "table": prof.price_table if prices is None else prices}  # fmt: skip
        self._meter: Any = None
        key = resolve_setting(api_key, prof.api_key_env, None)
        if isinstance(key, str):
            key = SecretStr(key)
        if key is None and prof.api_key_required:
            where = f" or set the {prof.api_key_env} environment variable" if prof.api_key_env else ""
            raise ConfigurationError(f"No API key for {prof.provider}: pass api_key=...{where}.")
        self._api_key = key
        url = str(resolve_setting(base_url, prof.base_url_env, prof.default_base_url))
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url must start with http:// or https://, got {url!r}")
        if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in url):
            raise ConfigurationError(f"base_url must not contain control characters, got {url!r}")
        self.base_url = url.rstrip("/")
        self.timeout = coerce_timeout(
            prof.default_timeout if isinstance(timeout, NotGiven) else timeout, prof.default_timeout
        )
        retries = prof.default_max_retries if max_retries is None else max_retries
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        self.max_retries = retries
        self.retry_backoff = prof.retry_backoff
        if prof.log_env:
            from .logs import configure_from_env

            configure_from_env(prof.log_env)
        self.max_response_bytes = prof.max_response_bytes
        self.max_event_bytes = prof.max_event_bytes
        self._custom_headers: dict[str, str] = dict(default_headers or {})
        self._custom_query: dict[str, object] = dict(default_query or {})
        self._owns_pool = True
        # (api key, custom headers, the headers they make): rebuilt only when either object changes.
        self._headers_cache: tuple[Any, Any, dict[str, str]] | None = None

    # -- identity ---------------------------------------------------------------------------------------
    @property
    def api_key(self) -> SecretStr | None:
        """The API key as a ``SecretStr`` (``str()`` and ``repr()`` print ``**********``)."""
        return self._api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"

    @property
    def event_cap(self) -> int:
        """The longest stream line or event read: ``max_event_bytes``, and never more than a whole response may be
        (a client whose ``max_response_bytes`` was lowered gets the lower cap for one event too)."""
        return min(self.max_event_bytes, self.max_response_bytes)

    @property
    def meter(self) -> Any:
        """The ``neocloud.core.pricing.Meter`` that prices this client's inference calls and reserves them in the
        ledger when ``ledger=`` / ``budget=`` were given (built on first use; shared with ``with_options`` copies)."""
        if self._meter is None:
            from .pricing import Meter

            self._meter = Meter(self.profile.provider, **self._metering)
        return self._meter

    # -- copies -----------------------------------------------------------------------------------------
    def _copy(
        self: _Self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | httpx2.URL | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
    ) -> _Self:
        from pydantic import SecretStr

        _ = self.meter  # built before copying, so every copy reserves in the same ledger and shares the catalog
        new = copy.copy(self)
        # Resources cache a reference to their client; drop them so the copy builds its own.
        for name, value in list(vars(new).items()):
            if getattr(value, "_is_resource", False):
                delattr(new, name)
        new._owns_pool = False
        if api_key is not None:
            new._api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        if base_url is not None:
            new.base_url = str(base_url).rstrip("/")
        if not isinstance(timeout, NotGiven):
            new.timeout = coerce_timeout(timeout, self.timeout)
        if max_retries is not None:
            if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
                raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
            new.max_retries = max_retries
        if default_headers is not None:
            new._custom_headers = {**self._custom_headers, **default_headers}
        if default_query is not None:
            new._custom_query = {**self._custom_query, **default_query}
        return new

    # -- request building -------------------------------------------------------------------------------
    def _auth_headers(self) -> dict[str, str]:
        if self._api_key is None:
            return {}
        prof = self.profile
        secret = self._api_key.get_secret_value()
        value = f"{prof.auth_scheme} {secret}" if prof.auth_scheme else secret
        return {prof.auth_header: value}

    def _default_headers(self) -> dict[str, str]:
        """The headers every request carries (shared: copy before changing). Made once per key and custom headers:
        both are replaced, never changed in place, when a copy or the caller sets them."""
        cached = self._headers_cache
        if cached is not None and cached[0] is self._api_key and cached[1] is self._custom_headers:
            return cached[2]
        headers = {
            "Accept": "application/json",
            "User-Agent": _user_agent(self.profile.distribution),
            **self._auth_headers(),
            **self._custom_headers,
        }
        self._headers_cache = (self._api_key, self._custom_headers, headers)
        return headers

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def _build_request(
        self, http: httpx2.Client | httpx2.AsyncClient, req: FinalRequest, attempt: int, remaining: float | None
    ) -> httpx2.Request:
        headers = self._default_headers() if req.credentials else {"User-Agent": _user_agent(self.profile.distribution)}
        if req.headers or req.idempotency_key or attempt:
            headers = {**headers, **(req.headers or {})}
            if req.idempotency_key:
                headers[self.profile.idempotency_header] = req.idempotency_key
            if attempt:
                headers["X-Retry-Count"] = str(attempt)
        params: dict[str, Any] | None = None
        if (self._custom_query and req.credentials) or req.params:
            params = {**(self._custom_query if req.credentials else {}), **(req.params or {})}
            params = {k: v for k, v in params.items() if v is not None}
            for name, value in params.items():
                # httpx would send str(value) for anything else ("<object object at 0x...>"): a bad argument.
                if not _query_value(value):
                    raise self._unencodable(req, params, TypeError(name))
        # The timeout goes straight into the request's extension (what both libraries make of ``timeout=``), so no
        # Timeout object is built per call; the URL is parsed once per library and path (``_http.url``).
        extensions = {"timeout": self._timeout(req).phases(remaining)}
        if req.json is not None and not req.json_checked:
            # Depth is checked here, not left to the encoder: from Python 3.12 json.dumps nests as deep as the C
            # stack allows, and a body thousands of levels deep would be sent.
            from .jsonsafe import json_problem

            if json_problem(req.json) is not None:
                raise self._unencodable(req, params, ValueError("not JSON data"))
        try:
            return http.build_request(
                req.method,
                _http.url(_http.library_of(http), self._url(req.path)),
                params=params,
                json=req.json,
                content=req.content,
                files=req.files,
                data=req.data,
                headers=headers,
                extensions=extensions,
            )
        except errors("TypeError", "ValueError", "RecursionError", "InvalidURL") as exc:
            # What the library could not encode (bytes or NaN in a body, a lone surrogate, an object as a query
            # value...) never leaves: refused as a bad argument, named where possible, before any byte is sent.
            raise self._unencodable(req, params, exc) from None

    def _unencodable(self, req: FinalRequest, params: Mapping[str, Any] | None, exc: BaseException) -> Exception:
        from .jsonsafe import ALLOWED, json_problem

        refuse = self.profile.local_error
        found = json_problem(req.json) if req.json is not None else None
        if found is not None:
            where, reason = found
            return refuse(f"{req.method} {req.path}: argument {where!r} {reason}", param=where, allowed=ALLOWED)
        for name, value in (params or {}).items():
            if not _query_value(value):
                return refuse(f"{req.method} {req.path}: query argument {name!r} must be a string or number; got "
                              f"{type(value).__name__}", param=name, allowed="str, int, float, bool")  # fmt: skip
        return refuse(f"{req.method} {req.path}: the request cannot be encoded ({type(exc).__name__}: {exc})")

    def _timeout(self, req: FinalRequest) -> Timeout:
        return at_least(req.timeout or self.timeout, req.min_timeout)

    def _deadline(self, req: FinalRequest) -> float | None:
        total = self._timeout(req).total
        return None if total is None else time.monotonic() + total


def _query_value(value: Any) -> bool:
    items = value if isinstance(value, (list, tuple)) else (value,)
    return all(isinstance(item, (str, int, float)) for item in items)
