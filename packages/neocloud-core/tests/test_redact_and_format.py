"""Pure pieces of "every failure typed, time bounded, no secret reachable": credential scrubbing over httpx and
httpx2 objects, the one error format, and an operation's minimum timeout under the caller's deadline."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import httpx2
import pytest

from neocloud.core import errors as nc
from neocloud.core._http import classes, errors
from neocloud.core._types import Timeout, at_least, coerce_timeout
from neocloud.core.redact import MASK, Secrets, scrub

KEY = "tc-secret-key-0123456789abcdef"
SECRETS = Secrets.of(["X-Custom-Token"], [KEY])


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
@pytest.mark.parametrize(
    ("headers", "masked"),
    [
        ({"Authorization": f"Bearer {KEY}"}, {"authorization"}),
        ({"x-api-key": KEY, "accept": "application/json"}, {"x-api-key"}),
        ({"api-key": KEY}, {"api-key"}),
        ({"X-Custom-Token": "other-credential-value"}, {"x-custom-token"}),  # named secret by the profile
        ({"X-Forwarded-Key": f"k={KEY}"}, {"x-forwarded-key"}),  # any header holding the key itself
        ({"accept": "application/json"}, set()),
        # by name and by value in one request; the value search must not stop at the named header
        (
            {"Authorization": f"Bearer {KEY}", "Accept": "*/*", "X-Trace": f"{KEY}-1", "X-Plain": "tc-secret"},
            {"authorization", "x-trace"},
        ),
        ({"Authorization": MASK, "X-Echo": KEY}, {"authorization", "x-echo"}),  # already masked stays masked
        ({"X-A": KEY[:10], "X-B": KEY[10:]}, set()),  # halves of the key in two headers are no key
    ],
)
def test_scrub_masks_credential_headers(lib: Any, headers: dict[str, str], masked: set[str]) -> None:
    request = lib.Request("GET", "https://api.example/v1/x", headers=headers)
    scrub(request, SECRETS)
    assert {k for k, v in request.headers.items() if v == MASK} == masked
    assert KEY not in repr(request.headers) and KEY not in pickle.dumps(request).decode("latin-1")


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_scrub_walks_the_error_graph(lib: Any) -> None:
    """``.request``, ``.response.request``, the redirect history and the cause/context chain, both libraries."""
    sent = lib.Request("GET", f"https://api.example/v1/x?key={KEY}&n=1", headers={"Authorization": f"Bearer {KEY}"})
    redirected = lib.Request("GET", "https://api.example/v1/y", headers={"Authorization": f"Bearer {KEY}"})
    response = lib.Response(500, request=redirected, history=[lib.Response(307, request=sent)])
    cause = lib.DecodingError("bad gzip", request=lib.Request("GET", "https://a.example", headers={"api-key": KEY}))
    err = nc.InternalServerError("boom", status_code=500, response=response)
    try:
        try:
            raise cause
        except lib.DecodingError as exc:
            raise err from exc
    except nc.APIError as raised:
        scrub(raised, SECRETS)
    for request in (sent, redirected, cause.request):
        assert KEY not in repr(request.headers) and KEY not in str(request.url)
        assert KEY not in pickle.dumps(request).decode("latin-1")
    assert sent.url.params["n"] == "1" and sent.url.params["key"] == MASK
    assert KEY not in pickle.dumps(cause).decode("latin-1")


def test_the_library_classes_cover_httpx_and_httpx2() -> None:
    assert set(classes("Request")) == {httpx.Request, httpx2.Request}
    assert set(errors("DecodingError")) == {httpx.DecodingError, httpx2.DecodingError}
    found = errors("ValueError", "TooManyRedirects")
    assert found[0] is ValueError and set(found[1:]) == {httpx.TooManyRedirects, httpx2.TooManyRedirects}


@pytest.mark.parametrize(
    ("err", "text"),
    [
        (nc.RateLimitError("slow down", status_code=429, code="rate_limited", request_id="req_1", provider="Cerebras"),
         "Cerebras 429 rate_limited: slow down (request id req_1)"),
        (nc.NotFoundError("no such model", status_code=404, provider="Runcrate"), "Runcrate 404: no such model"),
        (nc.InternalServerError("down", status_code=503, request_id="r"), "503: down (request id r)"),
        (nc.APIResponseValidationError("not JSON", request_id="r2", provider="MetalCloud"),
         "MetalCloud: not JSON (request id r2)"),
        (nc.APIConnectionError("could not connect to api.example: refused", provider="InferenceKey"),
         "InferenceKey connection error: could not connect to api.example: refused"),
        (nc.APITimeoutError("no answer from api.example in time (ReadTimeout)", provider="Cluster Protocol"),
         "Cluster Protocol timeout: no answer from api.example in time (ReadTimeout)"),
        (nc.APITimeoutError(), "Request timed out."),
    ],
)  # fmt: skip
def test_one_error_format(err: nc.APIError, text: str) -> None:
    assert str(err) == text
    assert str(pickle.loads(pickle.dumps(err))) == text  # the provider and request id survive pickling


@pytest.mark.parametrize(
    ("timeout", "floor", "expected"),
    [
        (Timeout(2, 2, 2, 2, total=5), None, Timeout(2, 2, 2, 2, total=5)),
        # a launch's documented 75 s minimum per phase; the caller's total deadline is kept
        (Timeout(2, 2, 2, 2, total=5), Timeout(10, 75, 75, 75), Timeout(10, 75, 75, 75, total=5)),
        (Timeout(20, 120, 120, 120), Timeout(10, 75, 75, 75), Timeout(20, 120, 120, 120)),
        # a floor never invents a total, and an unlimited phase stays unlimited
        (Timeout(None, None, None, None), Timeout(10, 75, 75, 75, total=80), Timeout(None, None, None, None)),
    ],
)
def test_an_operation_minimum_never_extends_the_total_deadline(
    timeout: Timeout, floor: Timeout | None, expected: Timeout
) -> None:
    assert at_least(timeout, floor) == expected


@pytest.mark.parametrize("lib", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_either_librarys_timeout_is_accepted(lib: Any) -> None:
    got = coerce_timeout(lib.Timeout(3.0, read=7.0), Timeout(total=9.0))
    assert got == Timeout(connect=3.0, read=7.0, write=3.0, pool=3.0, total=9.0)


@pytest.mark.parametrize("url", ["https://api.example/\x00", "https://api.example/v1\n", "https://a\tb.example"])
def test_a_base_url_with_a_control_character_is_refused_at_construction(url: str) -> None:
    from neocloud.core.errors import ConfigurationError

    from .conftest import KEY, TestClient

    with pytest.raises(ConfigurationError, match="control characters"):
        TestClient(api_key=KEY, base_url=url)


class _ReadOnly:
    read = 7.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (Timeout(total=30.0), Timeout(total=30.0)),  # the total deadline reaches the provider's client
        (httpx.Timeout(4.0), httpx.Timeout(4.0)),
        (12, 12),
        (_ReadOnly(), 7.0),
        (None, None),
    ],
)
def test_framework_factories_keep_a_timeout_object(given: Any, expected: Any) -> None:
    from neocloud.core.provider import seconds_timeout

    assert seconds_timeout({"timeout": given, "max_retries": 1}) == {"timeout": expected, "max_retries": 1}
