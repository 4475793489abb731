"""What a client does with what comes back: response parsing, the typed errors of error answers, and the one exit
every error leaving a call passes (``ResponseHandling._finish``: provider label, request id, credentials masked).
No I/O happens here."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import httpx2

from . import _http
from ._fastjson import json_validator
from .error_body import build_status_error, parse_error_body
from .errors import APIError, APIResponseValidationError, APIStatusError
from .redact import Secrets, scrub

if TYPE_CHECKING:
    from pydantic import SecretStr

    from ._base import ClientProfile, FinalRequest

__all__ = ["ResponseHandling"]

_T = TypeVar("_T")
# The request-id headers providers use, most specific first.
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray")


class ResponseHandling:
    """The response half of ``BaseAPIClient`` (a mixin: it reads the client's ``profile`` and key)."""

    profile: ClassVar[ClientProfile]
    _api_key: SecretStr | None

    # -- errors leaving a call ---------------------------------------------------------------------------
    def _secrets(self) -> Secrets:
        # Made once per key (every exchange masks with it): a copy with another key gets its own.
        cached = self.__dict__.get("_secrets_cache")
        if cached is not None and cached[0] is self._api_key:
            return cached[1]  # type: ignore[no-any-return]
        key = self._api_key.get_secret_value() if self._api_key is not None else None
        secrets = Secrets.of((self.profile.auth_header, *self.profile.secret_headers), (key,))
        self.__dict__["_secrets_cache"] = (self._api_key, secrets)
        return secrets

    def _finish(self, obj: object, response: httpx2.Response | None = None) -> None:
        """Every error (and every response) leaving a call passes here: it is labelled with the provider and the
        request id, and every credential it can reach is masked (``redact.scrub``), whatever path raised it."""
        if isinstance(obj, APIError):
            if obj.provider is None:
                obj.provider = self.profile.label or self.profile.provider
            if obj.request_id is None and response is not None:
                obj.request_id = self._request_id(response)
        secrets = self._secrets()
        scrub(obj, secrets)
        if response is not None:
            scrub(response, secrets)

    # -- response handling ------------------------------------------------------------------------------
    @staticmethod
    def _request_id(response: httpx2.Response) -> str | None:
        headers = response.headers
        for name in _REQUEST_ID_HEADERS:
            value: str | None = headers.get(name)
            if value:
                return value
        return None

    def _make_status_error(self, response: httpx2.Response, req: FinalRequest) -> APIStatusError:
        """The typed error for an error response whose body has been read."""
        info = parse_error_body(
            response.status_code, response.content, body_status_overrides=self.profile.body_status_overrides
        )
        return build_status_error(
            info,
            headers=response.headers,
            request_id=self._request_id(response),
            idempotency_key=req.idempotency_key,
            now=time.time(),
            classes=self.profile.error_classes,
            codes=self.profile.error_codes,
            response=response,
            request=response.request,
        )

    def _make_error_from_payload(
        self, payload: Mapping[str, Any], response: httpx2.Response, status: int | None = None
    ) -> APIStatusError:
        """The typed error for an in-band error object (an SSE error frame, or a 200 that is an error)."""
        import json

        code = payload.get("status_code")
        status_code = code if isinstance(code, int) and code >= 400 else (status or 500)
        info = parse_error_body(status_code, json.dumps(payload).encode(), body_status_overrides=True)
        return build_status_error(
            info,
            headers=response.headers,
            request_id=self._request_id(response),
            now=time.time(),
            classes=self.profile.error_classes,
            codes=self.profile.error_codes,
            response=response,
            request=response.request,
        )

    def _process_response(self, response: httpx2.Response, cast_to: Callable[[Any], _T] | type[_T]) -> _T:
        """Parse a fully read 2xx response into ``cast_to`` (a pydantic model, the HTTP response, a type or a
        parser of the decoded JSON)."""
        try:
            return self._parse_response(response, cast_to)
        except BaseException as exc:
            self._finish(exc, response)
            raise

    def _parse_response(self, response: httpx2.Response, cast_to: Callable[[Any], _T] | type[_T]) -> _T:
        if _http.is_response_type(cast_to):
            return response  # type: ignore[return-value]
        content = response.content
        # The model's own pydantic-core validator, called directly (``_fastjson``): the same typed validation.
        validate_json = json_validator(cast_to)
        try:
            data: Any = None
            if validate_json is None or _looks_like_error(content):
                import json

                data = json.loads(content) if content else None
                if isinstance(data, dict) and _is_error_payload(data):
                    raise self._make_error_from_payload(data, response, status=None)
                if validate_json is None:
                    if cast_to is str:
                        return response.text  # type: ignore[return-value]
                    if cast_to in (object, dict, list):
                        return data  # type: ignore[no-any-return]
                    return cast("Callable[[Any], _T]", cast_to)(data)
            return validate_json(content)  # type: ignore[no-any-return]
        except (ValueError, TypeError, LookupError, AttributeError, RecursionError) as exc:
            # pydantic.ValidationError and json.JSONDecodeError are both ValueErrors; a parser given a body of the
            # wrong shape fails with a TypeError / KeyError / AttributeError; a body nested thousands of levels
            # deep exhausts the parser's recursion. All are the provider's answer not being what it documents.
            if isinstance(exc, APIStatusError):
                raise
            what = cast_to.__name__ if isinstance(cast_to, type) else "answer of the documented shape"
            raise APIResponseValidationError(
                f"the answer is not a valid {what}: {_why(exc)}",
                request=response.request,
                body=content[:500].decode("utf-8", "replace"),
                request_id=self._request_id(response),
            ) from exc


def _why(exc: BaseException) -> str:
    """One line on why a body was refused: pydantic's first error (where and what), else the exception's words."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    errors = getattr(exc, "errors", None)
    try:
        first = errors()[0] if callable(errors) else None
    except (TypeError, IndexError):
        first = None
    if isinstance(first, dict):
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', 'invalid')}"
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _looks_like_error(content: bytes) -> bool:
    # Cheap pre-check so the common path parses once, with pydantic-core, straight from bytes.
    return b'"error"' in content[:200]


def _is_error_payload(data: Mapping[str, Any]) -> bool:
    """A 2xx JSON body that is really an error (Cerebras sends ``{"error": {...}, "status_code": N}``)."""
    return bool(data.get("error")) and set(data) <= {"error", "status_code", "id", "object"}
