"""Runcrate client over mock transports: hosts, environment scoping, errors, retries, inputs."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

import neocloud.runcrate as rc
from neocloud.core import RequestValidationError
from neocloud.core import errors as core
from neocloud.runcrate import Runcrate
from neocloud.runcrate._archive import code_archive
from neocloud.runcrate._ops import image_input
from neocloud.runcrate.resources.control import BillingSettings
from neocloud.runcrate.resources.jobs import Environments, Jobs, Schedules

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


JOB = {"id": "job_1", "name": "j", "status": "queued", "command": "true", "gpu_type": "A100", "gpu_count": 1,
       "max_runtime_minutes": 5, "created_at": "2026-12-01T00:00:00Z"}  # fmt: skip
NOT_LIVE = {"error": {"code": "job_not_live", "message": "the job already succeeded"}}
IN_PROGRESS = {"error": {"code": "conflict", "message": "busy", "details": {"reason": "idempotency_in_progress"}}}


@pytest.mark.parametrize(
    ("call", "first", "requests"),
    [
        # A job that is not live stays so: the 409 is the answer, sent once (not retried with backoff).
        (lambda c: c.jobs.cancel("job_1"), NOT_LIVE, 1),
        (lambda c: c.jobs.delete("job_1"), {"error": {"code": "job_live", "message": "cancel it first"}}, 1),
        (lambda c: c.jobs.run(command="true", gpu_type="A100", max_runtime_minutes=5), {"error": "conflict"}, 1),
        # The same idempotency key still being processed: worth asking again.
        (lambda c: c.jobs.run(command="true", gpu_type="A100", max_runtime_minutes=5), IN_PROGRESS, 2),
        (lambda c: c.jobs.cancel("job_1"), IN_PROGRESS, 1),  # no Idempotency-Key sent: not that conflict
    ],
)
def test_a_409_is_retried_only_while_its_idempotency_key_is_in_progress(
    call: Callable[[Runcrate], Any], first: dict[str, Any], requests: int
) -> None:
    answers = iter([httpx.Response(409, json=first), httpx.Response(201, json={"data": JOB})])
    c, seen = client_for(lambda r: next(answers))
    if requests == 1:
        with pytest.raises(core.ConflictError):
            call(c)
    else:
        assert call(c).id == "job_1"
    assert len(seen) == requests


@pytest.mark.parametrize(("first", "requests"), [(NOT_LIVE, 1), (IN_PROGRESS, 2)])
async def test_a_409_is_retried_only_while_in_progress_async(first: dict[str, Any], requests: int) -> None:
    seen: list[httpx.Request] = []
    answers = iter([httpx.Response(409, json=first), httpx.Response(201, json={"data": JOB})])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    c = rc.AsyncRuncrate(api_key=KEY, base_url="https://control.test",
                         http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))  # fmt: skip

    async def no_wait(s: float) -> None:
        return None

    c._control._sleep = no_wait  # type: ignore[method-assign]
    if requests == 1:
        with pytest.raises(core.ConflictError):
            await c.jobs.run(command="true", gpu_type="A100", max_runtime_minutes=5)
    else:
        assert (await c.jobs.run(command="true", gpu_type="A100", max_runtime_minutes=5)).id == "job_1"
    assert len(seen) == requests


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


# -- jobs, schedules, billing settings: checks before sending, and what is sent -----------------------------------

_JOB = {"command": "python train.py", "gpu_type": "H100:2", "max_runtime_minutes": 60}


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda: Jobs.run(**{**_JOB, "command": " "}), "command"),
        (lambda: Jobs.run(**{**_JOB, "command": "x" * 70_000}), "command"),
        (lambda: Jobs.run(command="x", max_runtime_minutes=5), "gpu_type"),
        (lambda: Jobs.run(command="x", gpu_type="A100"), "max_runtime_minutes"),
        (lambda: Jobs.run(**{**_JOB, "max_runtime_minutes": 20_000}), "max_runtime_minutes"),
        (lambda: Jobs.run(**{**_JOB, "gpu_count": 9}), "gpu_count"),
        (lambda: Jobs.run(**{**_JOB, "retry_on": ["always"]}), "retry_on"),
        (lambda: Jobs.run(**{**_JOB, "webhook_url": "http://plain"}), "webhook_url"),
        (lambda: Jobs.run(**{**_JOB, "env": {"A": 1}}), "env"),
        (lambda: Jobs.run_group(**_JOB), "count"),
        (lambda: Jobs.run_group(count=2, params=[{}], **_JOB), "count"),
        (lambda: Jobs.list(limit=500), "limit"),
        (lambda: Jobs.list(created_after=datetime(2026, 1, 1)), "created_after"),
        (lambda: Jobs.logs("job_1", after=-1), "after"),
        (lambda: Jobs.metrics("job_1", step=5), "step"),
        (lambda: Jobs.create_upload(bytes=0), "bytes"),
        (lambda: Jobs.create_upload(bytes=10, sha256="XYZ"), "sha256"),
        (lambda: Schedules.create(kind="vm", spec={"max_runtime_minutes": 5}, cron="* * * * *"), "kind"),
        (lambda: Schedules.create(kind="job", spec={}, cron="* * * * *"), "spec"),
        (lambda: Schedules.create(kind="job", spec={"max_runtime_minutes": 5}), "run_at"),
        (lambda: Schedules.create(kind="job", spec={"max_runtime_minutes": 5}, cron="* * *"), "cron"),
        (lambda: Schedules.update("s_1"), "fields"),
        (lambda: Environments.update("env_1"), "name"),
        (lambda: BillingSettings.top_up(amount_usd=10_001), "amount_usd"),
        (lambda: BillingSettings.set_auto_recharge(enabled=True, threshold_usd=50, target_usd=10), "threshold_usd"),
    ],
)
def test_job_family_bad_input(call: Any, param: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        call()
    assert info.value.param is not None and info.value.param.split(".")[0] == param  # (nested: "env.A")


def test_job_family_requests() -> None:
    run = Jobs.run(**_JOB, idempotency_key="k").request
    assert (run.method, run.path, run.idempotency_key, run.json) == ("POST", "/api/v1/jobs", "k", _JOB)
    assert Jobs.run(**_JOB).request.idempotency_key  # a fresh key per call, reused by its retries
    listing = Jobs.list(status=["queued", "running"], tags={"team": "nlp", "env": "prod"},
                        created_after=datetime(2026, 1, 1, tzinfo=timezone.utc)).request  # fmt: skip
    assert listing.params == {"status": "queued,running", "created_after": "2026-01-01T00:00:00+00:00",
                              "tag": ["team:nlp", "env:prod"]}  # fmt: skip
    assert Jobs.rerun("job_1", webhook_url=None).request.json == {"webhook_url": None}  # None is sent: it drops
    assert (
        Jobs.artifact_url("job 1", "out dir/a b.txt").request.path
        == "/api/v1/jobs/job%201/artifacts/out%20dir/a%20b.txt"
    )
    assert Jobs.artifact_url("j", "a").request.follow_redirects is False
    assert Jobs.create_upload(bytes=3).request.idempotent is False
    assert Jobs.create_upload(bytes=3, sha256="a" * 64).request.idempotent is True
    when = datetime(2027, 1, 4, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    body = Schedules.create(kind="job", spec={"max_runtime_minutes": 5}, run_at=when).request.json
    assert body["run_at"] == "2027-01-04T08:30:00.000Z"
    top = BillingSettings.top_up(amount_usd=50, idempotency_key="t-1").request
    assert top.json == {"amount_usd": 50, "idempotency_key": "t-1"} and top.idempotency_key == "t-1"
    assert BillingSettings.set_auto_recharge(enabled=False, threshold_usd=None, target_usd=None).request.json == {
        "enabled": False, "threshold_usd": None, "target_usd": None}  # fmt: skip


def test_code_archive_is_reproducible(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("a")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    first = code_archive(tmp_path)
    (tmp_path / "src" / "a.py").touch()  # a new mtime changes nothing
    assert code_archive(tmp_path) == first and code_archive(first) == first
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        assert tar.getnames() == ["src/a.py"]  # .git is left out
    with pytest.raises(RequestValidationError):
        code_archive(tmp_path / "missing")


def test_signed_transfers_carry_no_key_and_are_typed(tmp_path: Path) -> None:
    """Artifact downloads and code uploads go to the signed URL through the control-plane client (deadline,
    retries, typed errors) without the API key, the custom headers or the environment query."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "control.test" and "/artifacts/" in request.url.path:
            return httpx.Response(307, headers={"location": "https://storage.test/a/out.txt?sig=s1"})
        if request.url.host == "control.test":
            return httpx.Response(201, json={"data": {"upload_id": "up_1", "url": "https://storage.test/u/up_1?sig=s2",
                                                      "expires_at": "2026-12-02T00:00:00Z", "max_bytes": 1 << 30}})  # fmt: skip
        if request.method == "PUT":
            return httpx.Response(200)
        if request.url.path == "/a/out.txt":
            return httpx.Response(200, content=b"job output")
        return httpx.Response(403, text="<Error><Code>SignatureDoesNotMatch</Code></Error>")

    c, seen = client_for(handler, environment="staging", default_headers={"X-Team": "t1"})
    assert c.jobs.artifacts.download("job_1", "out.txt") == b"job output"
    saved = c.jobs.artifacts.download("job_1", "out.txt", to=tmp_path / "o.txt")
    assert isinstance(saved, Path) and saved.read_bytes() == b"job output"
    c.jobs.uploads.upload(b"\x1f\x8b archive bytes")
    storage = [r for r in seen if r.url.host == "storage.test"]
    assert [(r.method, r.url.path) for r in storage] == [("GET", "/a/out.txt"), ("GET", "/a/out.txt"),
                                                         ("PUT", "/u/up_1")]  # fmt: skip
    for request in storage:
        assert "authorization" not in request.headers and "x-team" not in request.headers
        assert "environment" not in request.url.params and request.url.params["sig"] in ("s1", "s2")
    assert storage[2].content == b"\x1f\x8b archive bytes"
    control = [r for r in seen if r.url.host == "control.test"]
    assert len(control) == 3 and all("authorization" in r.headers for r in control)  # (masked once sent)

    def expired(request: httpx.Request) -> httpx.Response:
        if request.url.host == "control.test":
            return httpx.Response(307, headers={"location": "https://storage.test/gone?sig=old"})
        return handler(request)

    c, _ = client_for(expired)
    with pytest.raises(core.PermissionDeniedError) as info:
        c.jobs.artifacts.download("job_1", "out.txt")
    assert info.value.status_code == 403
