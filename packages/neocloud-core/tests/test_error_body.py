"""Table-driven tests of the error-body parser and the status → exception mapping."""

from __future__ import annotations

import json
import pickle

import pytest

from neocloud.core import errors
from neocloud.core.error_body import build_status_error, parse_error_body


def _b(obj: object) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("status", "content", "overrides", "expected"),
    [
        (
            400,
            _b(
                {
                    "error": {
                        "message": "bad",
                        "type": "invalid_request_error",
                        "param": "x",
                        "code": "bad_param",
                    }
                }
            ),
            False,
            (400, "bad", "bad_param", "x"),
        ),
        (
            404,
            _b({"error": {"message": "no model", "type": "not_found_error"}}),
            False,
            (404, "no model", "not_found_error", None),
        ),
        (400, _b({"error": {"message": "slow"}, "status_code": 429}), True, (429, "slow", None, None)),
        (400, _b({"error": {"message": "slow"}, "status_code": 429}), False, (400, "slow", None, None)),
        (
            409,
            _b({"error": {"code": "idempotency_in_progress", "message": "busy", "details": {"reason": "x"}}}),
            False,
            (409, "busy", "idempotency_in_progress", {"reason": "x"}),
        ),
        (
            403,
            _b({"error": "project_scope_mismatch"}),
            False,
            (403, "project_scope_mismatch", "project_scope_mismatch", None),
        ),
        (
            422,
            _b({"detail": [{"loc": ["body"], "msg": "field required"}]}),
            False,
            (422, '[{"loc": ["body"], "msg": "field required"}]', None, None),
        ),
        (
            402,
            _b({"message": "no credits", "code": "insufficient_credits"}),
            False,
            (402, "no credits", "insufficient_credits", None),
        ),
        (502, b"<html>Bad Gateway</html>", False, (502, "<html>Bad Gateway</html>", None, None)),
        (500, b"", False, (500, "HTTP 500", None, None)),
        (500, b"[1,2]", False, (500, "[1,2]", None, None)),
    ],
)
def test_parse_error_body(status: int, content: bytes, overrides: bool, expected: tuple[object, ...]) -> None:
    info = parse_error_body(status, content, body_status_overrides=overrides)
    assert (info.status_code, info.message, info.code, info.details) == expected


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.PaymentRequiredError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (408, errors.APIStatusError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (503, errors.InternalServerError),
        (599, errors.InternalServerError),
    ],
)
def test_status_error_class(status: int, cls: type[errors.APIStatusError]) -> None:
    err = build_status_error(parse_error_body(status, _b({"error": {"message": "m", "code": "c"}})), request_id="req_1")
    assert type(err) is cls
    assert err.status_code == status
    assert err.code == "c"
    assert err.request_id == "req_1"
    assert str(err) == f"{status} c: m (request id req_1)"


def test_rate_limit_error_carries_retry_after_and_pickles() -> None:
    err = build_status_error(
        parse_error_body(429, _b({"error": {"message": "slow"}})),
        headers={"retry-after": "7"},
        request_id="r",
    )
    assert isinstance(err, errors.RateLimitError)
    assert err.retry_after == 7.0
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is errors.RateLimitError
    assert (clone.status_code, clone.retry_after, clone.request_id, clone.message) == (
        429,
        7.0,
        "r",
        err.message,
    )
    assert clone.response is None


def test_provider_can_refine_classes() -> None:
    class InsufficientCredits(errors.PaymentRequiredError):
        pass

    err = build_status_error(parse_error_body(402, b"{}"), classes={402: InsufficientCredits})
    assert isinstance(err, InsufficientCredits)
    assert isinstance(err, errors.PaymentRequiredError)


def test_tree_shape() -> None:
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    assert issubclass(errors.StreamError, errors.APIError)
    assert issubclass(errors.RequestValidationError, ValueError)
    assert issubclass(errors.ConfigurationError, errors.NeocloudError)
    for cls in (errors.BadRequestError, errors.RateLimitError, errors.InternalServerError):
        assert issubclass(cls, errors.APIStatusError)
