"""Runcrate client over mock transports: hosts, environment scoping, errors, retries, inputs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import neocloud.runcrate as rc
from neocloud.core import errors as core
from neocloud.runcrate import Runcrate
from neocloud.runcrate._ops import image_input

KEY = "rc_live_unit-test"


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[Runcrate, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return handler(request)

    c = Runcrate(api_key=KEY, base_url="https://control.test", inference_url="https://inference.test",
                 http_client=httpx.Client(transport=httpx.MockTransport(record)), **kwargs)  # fmt: skip
    c._control._sleep = c._inference._sleep = lambda s: None
    return c, seen


def test_key_prefix_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(core.ConfigurationError, match="rc_live_"):
        Runcrate(api_key="sk-wrong")
    monkeypatch.delenv("RUNCRATE_API_KEY", raising=False)
    with pytest.raises(core.ConfigurationError, match="RUNCRATE_API_KEY"):
        Runcrate()
    monkeypatch.setenv("RUNCRATE_API_KEY", KEY)
    monkeypatch.setenv("RUNCRATE_BASE_URL", "http://env-control.test")
    c = Runcrate()
    assert c._control.base_url == "http://env-control.test" and c._inference.base_url == "https://api.runcrate.ai"
    assert KEY not in repr(c)


def test_environment_goes_to_the_control_plane_only() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "control.test":
            return httpx.Response(200, json={"data": [], "meta": {"total": 0}})
        return httpx.Response(200, json={"id": "c", "model": "m", "choices": []})

    c, seen = client_for(handler, environment="staging")
    c.instances.list()
    c.models.chat_completion(model="m", messages=[{"role": "user", "content": "x"}])
    assert seen[0].url.params["environment"] == "staging" and "environment" not in seen[1].url.params


def test_envelope_paging_and_camel_case() -> None:
    c, _ = client_for(lambda r: httpx.Response(200, json={"data": {"creditsBalance": 12.5, "activeUsageCost": 1.29}}))
    assert c.billing.get_balance().credits_balance == 12.5
    c, seen = client_for(
        lambda r: httpx.Response(
            200, json={"data": [{"id": "t1", "amount": -2}], "meta": {"total": 9, "has_more": True}}
        )
    )
    page = c.billing.list_transactions(limit=1)
    assert [t.id for t in page] == ["t1"] and page.has_more and page.total == 9
    assert seen[0].url.params["limit"] == "1" and seen[0].url.params["offset"] == "0"


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (400, {"error": {"code": "bad", "message": "no", "details": {"field": "x"}}}, rc.BadRequestError, "bad"),
        (
            402,
            {"error": {"code": "BUDGET_REACHED", "message": "budget"}},
            rc.InsufficientCreditsError,
            "BUDGET_REACHED",
        ),
        (404, {"error": "gone"}, rc.NotFoundError, "gone"),
        (409, {"message": "dup", "code": "conflict"}, rc.ConflictError, "conflict"),
        (422, {"detail": "bad value"}, rc.UnprocessableEntityError, None),
    ],
)
def test_error_bodies(status: int, body: dict[str, Any], cls: type[Exception], code: str | None) -> None:
    c, _ = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(cls) as info:
        c.instances.get("i-1")
    err = info.value
    assert isinstance(err, rc.ApiError) and err.code == code and err.status_code == status  # type: ignore[attr-defined]
    if status == 400:
        assert err.details == {"field": "x"} and err.message == "no"  # type: ignore[attr-defined]


def test_launch_is_never_repeated_blindly_and_launch_refused_is_final() -> None:
    answers = iter([httpx.Response(502, json={"error": {"code": "launch_refused", "message": "machine refused"}})])
    c, seen = client_for(lambda r: next(answers))
    with pytest.raises(core.InternalServerError) as info:
        c.instances.create(name="x", ssh_key_id="k", gpu_type="A100", idempotency_key="launch-9")
    assert info.value.code == "launch_refused" and len(seen) == 1
    assert seen[0].headers["idempotency-key"] == "launch-9"
    retried = iter(
        [
            httpx.Response(503, json={}),
            httpx.Response(201, json={"data": {"id": "i", "name": "x", "status": "pending"}}),
        ]
    )
    c2, seen2 = client_for(lambda r: next(retried))
    assert c2.instances.create(name="x", ssh_key_id="k", gpu_type="A100").id == "i"
    assert len(seen2) == 2 and seen2[0].headers["idempotency-key"] == seen2[1].headers["idempotency-key"]


def test_validation_before_sending() -> None:
    c, seen = client_for(lambda r: httpx.Response(200, json={}))
    with pytest.raises(core.RequestValidationError, match="max_runtime_minutes"):
        c.instances.create(name="x", ssh_key_id="k", max_runtime_minutes=1)
    with pytest.raises(core.RequestValidationError, match="from_date"):
        c.billing.usage(from_date="January")
    with pytest.raises(core.RequestValidationError, match="public_key"):
        c.ssh_keys.create(name="k", public_key="not a key")
    with pytest.raises(core.RequestValidationError, match="response_format"):
        c.models.transcribe(model="m", file=b"x", response_format="mp4")
    assert seen == []


def test_image_inputs(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8jpeg")
    assert (
        image_input(str(tmp_path / "photo.jpg"), "image")
        == "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8jpeg").decode()
    )
    assert image_input("https://example.com/a.png", "image") == "https://example.com/a.png"
    raw = base64.b64encode(b"x" * 64).decode()
    assert image_input(raw, "image") == raw
    with pytest.raises(core.RequestValidationError, match="no such file"):
        image_input("./missing.png", "image")


def test_media_calls_are_not_repeated_after_the_server_may_have_acted() -> None:
    c, seen = client_for(lambda r: httpx.Response(500, json={"error": {"message": "boom"}}))
    with pytest.raises(core.InternalServerError):
        c.models.generate_image(model="m", prompt="p")
    assert len(seen) == 1 and json.loads(seen[0].content) == {"model": "m", "prompt": "p"}
