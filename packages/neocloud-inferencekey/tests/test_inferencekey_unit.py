"""InferenceKey unit tests: pure policies, error mapping, configuration, readiness handling, progress view."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from neocloud_testing.leaks import as_sent

from neocloud.core import errors as core
from neocloud.inferencekey import (
    ApiError,
    AsyncManagementClient,
    AuthError,
    Backend,
    BackendError,
    ConfigurationError,
    DataClient,
    DriftError,
    Endpoint,
    InferenceKeyError,
    ManagementClient,
    OnDrift,
    PackagingError,
    PermissionDenied,
    ReadinessEvent,
    ValidationError,
    WaitTimeout,
    WorkloadSpec,
    publish_custom_backend,
    read_manifest,
)
from neocloud.inferencekey._policy import drifted_fields, reconnect_delay
from neocloud.inferencekey._progress import ProgressView

TOKEN = "ik_sdk_unit-acme"
BASE = "http://ik.invalid"
SPEC = WorkloadSpec(name="bot", slug="bot", model="org/model", backend=Backend.VLLM)
LIVE = {"id": "wl_1", "project_id": "acme", "name": "bot", "slug": "bot", "model_name": "org/model",
        "backend": "vllm", "task_type": "text2text", "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip


# -- pure policies ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "live", "drift"),
    [
        ({"name": "a", "model_name": "m"}, {"name": "a", "model_name": "m"}, []),
        ({"name": "a", "model_name": "m"}, {"name": "b", "model_name": "m"}, ["name"]),
        ({"model_name": "m2", "backend": "sglang"}, {"model_name": "m", "backend": "vllm"}, ["backend", "model_name"]),
        ({"config": {"a": 1}}, {"config": {"a": 1}}, []),
        ({"config": {"a": 1}}, {"config": {"a": 1, "b": 2}}, ["config"]),  # compared as a whole
        ({"gpu_resource_id": "g1"}, {}, ["gpu_resource_id"]),
        ({"slug": "other", "task_type": "embedding"}, {"slug": "bot", "task_type": "text2text"}, []),  # never drift
        ({}, {"name": "anything"}, []),  # unset in the spec: not compared
    ],
)
def test_drifted_fields(desired: dict[str, Any], live: dict[str, Any], drift: list[str]) -> None:
    assert drifted_fields(desired, live) == drift


@pytest.mark.parametrize(
    ("empty_tries", "status", "delivered", "delay"),
    [
        (0, None, True, 1.0),  # a connection that delivered events closed early: reopen after 1 s
        (0, None, False, 1.0),
        (1, None, False, 2.0),
        (2, None, False, 4.0),
        (3, None, False, 5.0),
        (9, None, False, 5.0),
        (0, 502, False, 1.0),
        (1, 503, False, 2.0),
        (4, 504, False, 5.0),
        (0, 400, False, None),
        (0, 401, False, None),
        (0, 403, False, None),
        (0, 404, False, None),
        (0, 429, False, None),
        (0, 500, False, None),
        (0, 501, False, None),
    ],
)
def test_reconnect_delay(empty_tries: int, status: int | None, delivered: bool, delay: float | None) -> None:
    assert reconnect_delay(empty_tries, status=status, delivered=delivered) == delay


# -- transports ------------------------------------------------------------------------------------------------


def mock(handler: Callable[[httpx.Request], httpx.Response], sent: list[httpx.Request]) -> httpx.Client:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(as_sent(request))
        return handler(request)

    return httpx.Client(transport=httpx.MockTransport(record))


def mgmt(handler: Callable[[httpx.Request], httpx.Response], sent: list[httpx.Request], **kw: Any) -> ManagementClient:
    client = ManagementClient(base_url=BASE, sdk_token=TOKEN, project="acme", http_client=mock(handler, sent), **kw)
    client._sleep = lambda seconds: None  # reconnect pauses are tested as policy above
    return client


def sse(*events: dict[str, Any]) -> httpx.Response:
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})


@pytest.mark.parametrize(
    ("status", "body", "cls", "core_cls", "code"),
    [
        (400, {"error": "validation_error", "message": "slug is required"}, ValidationError, core.BadRequestError,
         "validation_error"),
        (401, {"error": "invalid token"}, AuthError, core.AuthenticationError, None),
        (402, {"error": "insufficient_credits", "message": "no credits"}, ApiError, core.PaymentRequiredError,
         "insufficient_credits"),
        (403, {"error": "project_scope_mismatch", "message": "scoped to other"}, PermissionDenied,
         core.PermissionDeniedError, "project_scope_mismatch"),
        (404, {"error": "not_found", "message": "gone"}, ApiError, core.NotFoundError, "not_found"),
        (409, {"error": "slug_taken", "message": "exists"}, ApiError, core.ConflictError, "slug_taken"),
        (422, {"error": "unprocessable"}, ApiError, core.UnprocessableEntityError, None),
        (429, {"error": "rate_limited"}, ApiError, core.RateLimitError, None),
        (500, {"error": "boom"}, ApiError, core.InternalServerError, None),
        (503, "upstream unavailable", ApiError, core.InternalServerError, None),
    ],
)  # fmt: skip
def test_status_maps_to_documented_and_common_classes(
    status: int, body: Any, cls: type[Exception], core_cls: type[Exception], code: str | None
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        kw: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"text": body}
        return httpx.Response(status, headers={"x-request-id": "req_42", "retry-after": "0"}, **kw)

    with pytest.raises(cls) as info:
        mgmt(handler, sent, max_retries=0).list_workloads()
    err = info.value
    assert isinstance(err, InferenceKeyError) and isinstance(err, core_cls)
    assert err.status_code == status and err.request_id == "req_42"  # type: ignore[attr-defined]
    if code is not None:
        assert err.code == code  # type: ignore[attr-defined]
    assert TOKEN not in str(err) and TOKEN not in repr(err.__dict__)
    assert len(sent) == 1


def test_configuration_errors_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INFERENCEKEY_SDK_TOKEN", "INFERENCEKEY_PROJECT", "INFERENCEKEY_API_KEY", "INFERENCEKEY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="sdk_token"):
        ManagementClient.from_env(project="acme")
    with pytest.raises(ConfigurationError, match="sdk_token"):
        ManagementClient(base_url=BASE, sdk_token="   ")
    with pytest.raises(ConfigurationError, match="project"):
        ManagementClient(base_url=BASE, sdk_token=TOKEN).ensure(SPEC)  # no project anywhere
    with pytest.raises(ConfigurationError, match="project"):
        DataClient.from_env()
    with pytest.raises(ConfigurationError, match="ik_live_"):
        DataClient(base_url=BASE, project="acme").endpoint("bot")
    monkeypatch.setenv("INFERENCEKEY_SDK_TOKEN", TOKEN)
    monkeypatch.setenv("INFERENCEKEY_PROJECT", "env-project")
    client = ManagementClient.from_env()
    assert client.project == "env-project" and ManagementClient.from_env(project="explicit").project == "explicit"
    assert "api.inferencekey.com" in repr(client) and TOKEN not in repr(client)
    assert isinstance(ConfigurationError("x"), core.ConfigurationError)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda c: c.ensure(WorkloadSpec(name="x", slug="", model="m", backend=Backend.VLLM)), "slug"),
        (lambda c: c.ensure(WorkloadSpec(name="x", slug="a/b", model="m", backend=Backend.VLLM)), "slug"),
        (lambda c: c.ensure(WorkloadSpec(name="x", slug="s", model=" ", backend=Backend.VLLM)), "model"),
        (lambda c: c.ensure(WorkloadSpec(name="x", slug="s", model="m", backend=Backend.VLLM, task_type="nope")),
         "task_type"),
        (lambda c: c.ensure(SPEC, on_drift="sometimes"), "on_drift"),
        (lambda c: c.ensure({"slug": "bot"}), "spec"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_sending(call: Callable[[ManagementClient], Any], param: str) -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(ValidationError) as info:
        call(mgmt(lambda r: httpx.Response(500), sent))
    assert isinstance(info.value, core.RequestValidationError) and info.value.param == param  # type: ignore[attr-defined]
    assert sent == []


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({}, "prompt"),
        ({"prompt": "a", "messages": [{"role": "user", "content": "b"}]}, "prompt"),
        ({"messages": []}, "messages"),
        ({"messages": [{"content": "hi"}]}, "messages.0.role"),
        ({"prompt": "hi", "temperature": 3}, "temperature"),
        ({"prompt": "hi", "max_tokens": 0}, "max_tokens"),
        ({"prompt": "hi", "max_tokens": True}, "max_tokens"),
    ],
)
def test_endpoint_bad_input(kwargs: dict[str, Any], param: str) -> None:
    sent: list[httpx.Request] = []
    ep = Endpoint(base_url=BASE, project="acme", workload_slug="bot", api_key="ik_live_unit",
                  http_client=mock(lambda r: httpx.Response(500), sent))  # fmt: skip
    with pytest.raises(ValidationError) as info:
        ep.generate_text(**kwargs)
    assert info.value.param == param and sent == []  # type: ignore[attr-defined]


# -- ensure ----------------------------------------------------------------------------------------------------


def test_ensure_creates_with_one_idempotency_key_across_retries() -> None:
    sent: list[httpx.Request] = []
    posts = iter([httpx.Response(503, json={"error": "busy"}), httpx.Response(201, json=LIVE)])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[]) if request.method == "GET" else next(posts)

    ref = mgmt(handler, sent, max_retries=2).ensure(SPEC)
    assert (ref.project_slug, ref.workload_slug) == ("acme", "bot")
    creates = [r for r in sent if r.method == "POST"]
    assert len(creates) == 2 and creates[0].headers["idempotency-key"] == creates[1].headers["idempotency-key"]
    assert json.loads(creates[0].content) == {"name": "bot", "slug": "bot", "model_name": "org/model",
                                              "backend": "vllm", "task_type": "text2text"}  # fmt: skip
    assert creates[0].url.path == "/api/projects/acme/workloads"


@pytest.mark.parametrize(
    ("on_drift", "patched", "raises"),
    [
        (OnDrift.RECONCILE, {"model_name": "org/new"}, None),
        ("reconcile", {"model_name": "org/new"}, None),
        (OnDrift.FAIL, None, DriftError),
        (OnDrift.DRY_RUN, None, None),
        (OnDrift.WARN, None, None),
        (OnDrift.IGNORE, None, None),
    ],
)
def test_ensure_on_drift(
    on_drift: OnDrift | str, patched: dict[str, Any] | None, raises: type[Exception] | None
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            return httpx.Response(200, json={**LIVE, **json.loads(request.content)})
        return httpx.Response(200, json=[LIVE])

    client = mgmt(handler, sent)
    drifted = WorkloadSpec(name="bot", slug="bot", model="org/new", backend=Backend.VLLM)
    if raises:
        with pytest.raises(raises, match="model_name") as info:
            client.ensure(drifted, on_drift=on_drift)
        assert info.value.fields == ["model_name"]  # type: ignore[attr-defined]
    else:
        assert client.ensure(drifted, on_drift=on_drift).workload_slug == "bot"
    patches = [json.loads(r.content) for r in sent if r.method == "PATCH"]
    assert patches == ([patched] if patched else [])
    assert [r.url.path for r in sent if r.method == "PATCH"] == (["/api/workloads/wl_1"] if patched else [])
    assert not [r for r in sent if r.method == "POST"]


def test_ensure_that_loses_a_race_adopts_the_winner() -> None:
    """Two processes ensure the same slug: the loser's create gets 409 and it reconciles the winner's workload."""
    sent: list[httpx.Request] = []
    lists = iter([[], [LIVE]])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(409, json={"error": "slug_taken"})
        return httpx.Response(200, json=next(lists))

    assert mgmt(handler, sent).ensure(SPEC).workload_slug == "bot"
    assert [r.method for r in sent] == ["GET", "POST", "GET"]


def test_delete_is_idempotent() -> None:
    sent: list[httpx.Request] = []
    store = [LIVE]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            store.clear()
            return httpx.Response(200, json={"deleted": True, "id": "wl_1"})
        return httpx.Response(200, json=list(store))

    client = mgmt(handler, sent)
    assert client.delete("bot") is True and client.delete("bot") is False
    assert [r.method for r in sent] == ["GET", "DELETE", "GET"]


# -- readiness -------------------------------------------------------------------------------------------------


def test_wait_reconnects_after_drops_and_5xx_and_reports_every_event() -> None:
    sent: list[httpx.Request] = []
    answers = iter([
        sse({"phase": "scheduling", "message": "Finding a worker"}),  # closed before a terminal phase
        httpx.Response(503, json={"error": "busy"}),
        sse(),  # an empty connection
        sse({"phase": "bootstrapping", "message": "Loading", "step": "model_load", "elapsed_ms": 1200},
            {"phase": "ready", "message": "Serving", "elapsed_ms": 1500}),
    ])  # fmt: skip
    events: list[ReadinessEvent] = []
    mgmt(lambda r: next(answers), sent, max_retries=0).wait_until_ready("bot", on_progress=events.append)
    assert [(e.phase, e.step) for e in events] == [
        ("scheduling", None),
        ("bootstrapping", "model_load"),
        ("ready", None),
    ]
    assert len(sent) == 4 and sent[0].url.path == "/api/projects/acme/workloads/bot/readiness-events"
    assert sent[0].headers["accept"] == "text/event-stream" and sent[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("answer", "raises", "match"),
    [
        (sse({"phase": "error", "message": "No GPU available"}), ApiError, "failed to become ready: No GPU"),
        (httpx.Response(403, json={"error": "scope_insufficient"}), PermissionDenied, "scope_insufficient"),
        (httpx.Response(404, json={"error": "not_found", "message": "no bot"}), ApiError, "no bot"),
        (sse({"phase": "ready"}), ApiError, "phase/message"),  # a malformed frame is an error, not a hang
    ],
)
def test_wait_raises_without_reconnecting(answer: httpx.Response, raises: type[Exception], match: str) -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(raises, match=match):
        mgmt(lambda r: answer, sent, max_retries=0).wait_until_ready("bot", silent=True)
    assert len(sent) == 1


def test_wait_times_out_with_the_documented_builtin() -> None:
    sent: list[httpx.Request] = []
    client = mgmt(lambda r: sse({"phase": "scheduling", "message": "waiting"}), sent, max_retries=0)
    with pytest.raises(TimeoutError) as info:
        client.wait_until_ready("bot", timeout=0.2, silent=True)
    assert isinstance(info.value, WaitTimeout) and isinstance(info.value, InferenceKeyError)


def test_progress_view_plain_lines_without_a_tty() -> None:
    out = io.StringIO()
    with ProgressView("bot", stream=out) as view:
        for phase, message, step in [("scheduling", "Finding", None), ("scheduling", "Finding", None),
                                     ("bootstrapping", "Loading", "model_load"), ("ready", "Serving", None)]:  # fmt: skip
            view(ReadinessEvent(phase=phase, message=message, elapsed_ms=1500, step=step))
    assert out.getvalue().splitlines() == [
        "bot: scheduling - Finding (1.5s)",  # repeats of the same phase print once
        "bot: bootstrapping [model_load] - Loading (1.5s)",
        "bot: ready - Serving (1.5s)",
    ]


def test_progress_view_uses_rich_on_a_tty() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    with ProgressView("bot", stream=out) as view:
        view(ReadinessEvent(phase="provisioning", message="Provisioning a cloud GPU", elapsed_ms=0))
        assert view._rich is not None and view._rich.tasks[0].completed == 1
        view(ReadinessEvent(phase="ready", message="Serving", elapsed_ms=0))
        assert view._rich.tasks[0].completed == 3 == view._rich.tasks[0].total
    assert "ready: Serving" in out.getvalue()


def test_default_wait_shows_the_view_and_silent_shows_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    sent: list[httpx.Request] = []
    client = mgmt(lambda r: sse({"phase": "ready", "message": "Serving"}), sent, max_retries=0)
    client.wait_until_ready("bot")
    assert "bot: ready - Serving" in capsys.readouterr().err
    client.wait_until_ready("bot", silent=True)
    assert capsys.readouterr() == ("", "")


def test_async_twin_ensure_wait_delete() -> None:
    sent: list[httpx.Request] = []
    store: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "POST":
            store.append(LIVE)
            return httpx.Response(201, json=LIVE)
        if request.method == "DELETE":
            store.clear()
            return httpx.Response(200, json={"deleted": True})
        if request.url.path.endswith("readiness-events"):
            return sse({"phase": "ready", "message": "Serving"})
        return httpx.Response(200, json=list(store))

    async def main() -> tuple[Any, ...]:
        async with AsyncManagementClient(base_url=BASE, sdk_token=TOKEN, project="acme",
                                         http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))) as c:  # fmt: skip
            ref = await c.ensure(SPEC)
            again = await c.ensure(SPEC)
            events: list[ReadinessEvent] = []
            await c.wait_until_ready("bot", on_progress=events.append)
            return ref, again, [e.phase for e in events], await c.delete("bot"), await c.delete("bot")

    ref, again, phases, first, second = asyncio.run(main())
    assert ref == again and ref.workload_slug == "bot" and phases == ["ready"] and (first, second) == (True, False)
    assert [r.method for r in sent].count("POST") == 1


# -- custom backends -------------------------------------------------------------------------------------------


def _package(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    ("members", "match"),
    [
        ({"backend.py": b"x"}, "manifest.json not found"),
        ({"manifest.json": b"{not json"}, "not valid JSON"),
        ({"manifest.json": b"[1, 2]"}, "JSON object"),
        ({"manifest.json": b"{}", "../escape.py": b"x"}, "unsafe member"),
        ({"manifest.json": b"{}", "/etc/passwd": b"x"}, "unsafe member"),
    ],
)
def test_unreadable_packages_are_refused_before_sending(tmp_path: Path, members: dict[str, bytes], match: str) -> None:
    with pytest.raises(PackagingError, match=match):
        publish_custom_backend("tenant", _package(tmp_path / "p.tar.gz", members), token=TOKEN, base_url=BASE)


def test_publish_needs_a_gzip_a_name_and_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFERENCEKEY_SDK_TOKEN", raising=False)
    (tmp_path / "plain.txt").write_text("hi")
    with pytest.raises(PackagingError, match="could not open"):
        read_manifest(tmp_path / "plain.txt")
    nameless = _package(tmp_path / "n.tar.gz", {"manifest.json": b'{"version": "1"}'})
    with pytest.raises(ConfigurationError, match="'name'"):
        publish_custom_backend("tenant", nameless, token=TOKEN, base_url=BASE)
    named = _package(tmp_path / "ok.tar.gz", {"manifest.json": b'{"name": "echo"}'})
    with pytest.raises(ConfigurationError, match="token"):
        publish_custom_backend("tenant", named, base_url=BASE)
    assert read_manifest(named) == {"name": "echo"}
    assert isinstance(PackagingError("x"), BackendError) and isinstance(PackagingError("x"), InferenceKeyError)
