"""An id cannot escape its path segment: for every operation of every provider client (sync and async) that takes an
id, found by introspection, a hostile id is either refused before sending (with the provider's local error naming
the argument) or sent percent-encoded as the one segment it was given for, with the same query as a plain id. The
transport records the request and stops it: nothing leaves the process.

And the agent tools refuse such an id before the approval hook is asked, so what is approved is what is sent."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import httpx2
import pytest

from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core.errors import RequestValidationError

# Every id-taking operation of every client, sync and async, found by introspection: CPU-heavy and independent of the
# interpreter (the path encoding it relies on, ``neocloud.core.paths``, is tested on every Python).
pytestmark = pytest.mark.once_oldest

PLAIN = "ID0x"
ENCODED = [
    "inst_1/../../storage/vol_9",
    "../ssh-keys",
    "../../_sandbox/reset",
    "x?environment=prod",
    "x#frag",
    "100%",
    "%2e%2e",
    "a b",
    " leading",
    "...",
    "a\\b",
    "modèle",
    "模型",
    "🙂",
]
REFUSED: list[Any] = ["", "   ", ".", "..", "a\x00b", "a\nb", "a\tb", "\x7f", "\ud800", 5, b"inst_1", ["x"]]
ID_NAMES = {"slug_or_id", "cid", "workload_slug", "project", "tenant_id"}
_BASE_METHODS = set(dir(SyncAPIClient)) | set(dir(AsyncAPIClient))


class Sent(Exception):
    """Not an error: how the recording transport stops a request."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(f"{request.method} {request.url}")
        self.request = request


REQUESTS = (httpx.Request, httpx2.Request)


def _patch_transports(monkeypatch: pytest.MonkeyPatch, handle: Callable[[Any, Any], Any]) -> None:
    """Every transport of both libraries (the core's httpx2 pools, a caller's httpx client): ``handle(request,
    library)`` answers."""
    for library in (httpx, httpx2):

        def sync(self: Any, request: Any, library: Any = library) -> Any:
            return handle(request, library)

        async def asynchronous(self: Any, request: Any, library: Any = library) -> Any:
            return handle(request, library)

        monkeypatch.setattr(library.HTTPTransport, "handle_request", sync)
        monkeypatch.setattr(library.AsyncHTTPTransport, "handle_async_request", asynchronous)


@pytest.fixture(autouse=True)
def recording_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every transport, whoever made the client: record the request and stop it."""

    def handle(request: Any, library: Any) -> Any:
        raise Sent(request)

    _patch_transports(monkeypatch, handle)


def _clients(is_async: bool) -> dict[str, Any]:
    from neocloud.cerebras import AsyncCerebras, Cerebras
    from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient
    from neocloud.inferencekey import AsyncManagementClient, ManagementClient
    from neocloud.metalcloud import AsyncClient, Client
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    url = "http://ids.invalid"
    if is_async:
        return {
            "cerebras": AsyncCerebras(api_key="csk-x", base_url=url),
            "clusterprotocol": AsyncClusterClient("sk-x", base_url=url),
            "metalcloud": AsyncClient("mc_x", url),
            # With an environment: every control-plane call carries ?environment=main, and only that.
            "runcrate": AsyncRuncrate("rc_live_x", base_url=url, inference_url=url, environment="main"),
            "inferencekey": AsyncManagementClient(base_url=url, sdk_token="ik_sdk_x", project="acme"),
        }
    return {
        "cerebras": Cerebras(api_key="csk-x", base_url=url),
        "clusterprotocol": ClusterClient("sk-x", base_url=url),
        "metalcloud": Client("mc_x", url),
        "runcrate": Runcrate("rc_live_x", base_url=url, inference_url=url, environment="main"),
        "inferencekey": ManagementClient(base_url=url, sdk_token="ik_sdk_x", project="acme"),
    }


def _is_id(name: str) -> bool:
    return name.endswith("_id") or name in ID_NAMES


def _operations(root: Any) -> Iterator[tuple[str, list[str]]]:
    """``(dotted method, its id parameters)`` for every public method reachable from ``root`` that takes an id."""
    keep: list[Any] = []  # (visited objects stay alive, so no id() is reused while walking)
    seen: set[int] = set()

    def walk(obj: Any, prefix: str, depth: int) -> Iterator[tuple[str, list[str]]]:
        if id(obj) in seen or depth > 3:
            return
        seen.add(id(obj))
        keep.append(obj)
        for name in dir(obj):
            if name.startswith(("_", "from_")) or name == "with_raw_response" or (depth == 0 and name in _BASE_METHODS):
                continue
            attr = getattr(obj, name)
            if callable(attr) and not isinstance(attr, type):
                ids = [p for p in inspect.signature(attr).parameters if _is_id(p)]
                if ids:
                    yield prefix + name, ids
            elif type(attr).__module__.startswith("neocloud."):
                yield from walk(attr, f"{prefix}{name}.", depth + 1)

    yield from walk(root, "", 0)


def _resolve(root: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


def _other_arguments(tmp: Path) -> dict[str, Any]:
    from neocloud.inferencekey import WorkloadSpec

    return {
        "path": "out/a.txt",
        "size_gb": 10,
        "dest": tmp / "file",
        "directory": tmp,
        "spec": WorkloadSpec(name="w", slug="w", model="m", backend="vllm"),
        # The updates need a field to change before they build a request.
        "environments.update": {"name": "n"},
        "instances.update": {"max_runtime_minutes": 60},
        "schedules.update": {"enabled": True},
    }


def _call(fn: Callable[..., Any], kwargs: dict[str, Any]) -> httpx.Request | BaseException:
    """Run one call to its first request: that request, or the exception that stopped it before."""

    async def drive(result: Any) -> Any:
        if inspect.isawaitable(result):
            result = await result
        if hasattr(result, "__anext__"):
            await result.__anext__()

    try:
        result = fn(**kwargs)
        if inspect.isawaitable(result) or hasattr(result, "__anext__"):
            asyncio.run(drive(result))
        elif hasattr(result, "__next__"):
            next(result)
    except Sent as sent:
        return sent.request
    except Exception as exc:
        return exc
    raise AssertionError(f"{fn} returned without sending anything")


def _split(request: httpx.Request) -> tuple[str, list[tuple[str, str]]]:
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    return path, parse_qsl(query, keep_blank_values=True)


def _cases() -> list[tuple[str, bool, str, str]]:
    cases = []
    for is_async in (False, True):
        for provider, client in _clients(is_async).items():
            cases += [(provider, is_async, op, name) for op, ids in _operations(client) for name in ids]
    return cases


CASES = _cases()


def test_the_introspection_finds_the_operations_of_every_provider() -> None:
    found = {(p, a, f"{op}({name})") for p, a, op, name in CASES}
    for must in [
        ("runcrate", False, "instances.terminate(instance_id)"),
        ("runcrate", True, "instances.get(instance_id)"),
        ("runcrate", False, "storage.delete(volume_id)"),
        ("runcrate", False, "ssh_keys.delete(key_id)"),
        ("runcrate", True, "jobs.artifacts.url(job_id)"),
        ("runcrate", False, "models.get_video_status(job_id)"),
        ("cerebras", True, "models.retrieve(model_id)"),
        ("clusterprotocol", False, "datasets.download_file(cid)"),
        ("clusterprotocol", True, "fine_tuning.cancel(job_id)"),
        ("metalcloud", False, "get_job(job_id)"),
        ("inferencekey", True, "wait_until_ready(workload_slug)"),
        ("inferencekey", False, "list_workloads(project)"),
    ]:
        assert must in found, must
    assert len(CASES) >= 90


@pytest.mark.parametrize(("provider", "is_async", "op", "name"), CASES,
                         ids=[f"{p}-{'async' if a else 'sync'}-{op}-{n}" for p, a, op, n in CASES])  # fmt: skip
def test_a_hostile_id_stays_one_segment_or_is_refused(
    provider: str, is_async: bool, op: str, name: str, tmp_path: Path
) -> None:
    client = _clients(is_async)[provider]
    fn = _resolve(client, op)
    params = inspect.signature(fn).parameters
    others = _other_arguments(tmp_path)
    kwargs: dict[str, Any] = {**others.get(op, {})}
    for param in params.values():
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.name in kwargs:
            continue
        if _is_id(param.name):
            kwargs[param.name] = PLAIN if param.name == name else "other0"
        elif param.default is param.empty:
            assert param.name in others, f"{op}: give the test a value for {param.name!r}"
            kwargs[param.name] = others[param.name]

    plain = _call(fn, kwargs)
    assert isinstance(plain, REQUESTS), f"{op} with a plain id did not send: {plain!r}"
    plain_path, plain_query = _split(plain)
    in_path = PLAIN in plain_path

    for hostile in ENCODED:
        sent = _call(fn, {**kwargs, name: hostile})
        assert isinstance(sent, REQUESTS), f"{op}({name}={hostile!r}) did not send: {sent!r}"
        path, query = _split(sent)
        assert sent.method == plain.method
        # The same route with the id as one encoded segment, and the same query (an id in the query stays a value).
        assert path == plain_path.replace(PLAIN, quote(hostile, safe="")), (hostile, path)
        assert query == [(k, v.replace(PLAIN, hostile)) for k, v in plain_query], (hostile, query)

    if not in_path:
        return  # an id sent as a query value or looked up in a listing is data wherever it goes
    optional = params[name].default is None  # where a blank means "not given" (the client's default project)
    for impossible in REFUSED:
        refused = _call(fn, {**kwargs, name: impossible})
        if optional and isinstance(impossible, str) and not impossible.strip():
            assert not isinstance(refused, REQUESTS) or PLAIN not in _split(refused)[0]
            continue
        assert isinstance(refused, RequestValidationError), f"{op}({name}={impossible!r}) gave {refused!r}"
        assert refused.param == name and name in str(refused)
        assert type(refused) is client_error(provider) or isinstance(refused, client_error(provider))


def client_error(provider: str) -> type[RequestValidationError]:
    """The class a provider's users catch for a call refused before sending (its profiles' ``local_error``)."""
    from neocloud.cerebras._client import PROFILE as cerebras
    from neocloud.clusterprotocol._client import PROFILE as cluster
    from neocloud.inferencekey._common import CONTROL_PROFILE as inferencekey
    from neocloud.metalcloud._client import PROFILE as metalcloud
    from neocloud.runcrate._client import CONTROL_PROFILE as runcrate

    profiles = {"cerebras": cerebras, "clusterprotocol": cluster, "metalcloud": metalcloud, "runcrate": runcrate,
                "inferencekey": inferencekey}  # fmt: skip
    return profiles[provider].local_error


# -- ids outside the method tree: endpoint roots, tenants, and ids the server hands back ----------------------------


@pytest.mark.parametrize("is_async", [False, True])
@pytest.mark.parametrize("which", ["project", "workload_slug"])
def test_an_inferencekey_endpoint_root_is_built_from_segments(is_async: bool, which: str) -> None:
    from neocloud.inferencekey import AsyncDataClient, DataClient
    from neocloud.inferencekey.errors import LocalValidationError

    def first(project: str, slug: str) -> httpx.Request | BaseException:
        def go() -> Any:
            cls = AsyncDataClient if is_async else DataClient
            client = cls(base_url="http://ids.invalid", project=project, api_key="ik_live_x")
            return client.endpoint(slug).generate_text(prompt="hi")

        return _call(go, {})

    for hostile in ENCODED:
        ids = {"project": "acme", "workload_slug": "bot", which: hostile}
        sent = first(ids["project"], ids["workload_slug"])
        assert isinstance(sent, REQUESTS), sent
        expected = ["endpoint", quote(ids["project"], safe=""), quote(ids["workload_slug"], safe=""), "v1", "chat",
                    "completions"]  # fmt: skip
        assert sent.url.raw_path.decode().split("/")[1:] == expected and not sent.url.query
    for impossible in ["", ".", "..", "a\x00b"]:
        ids = {"project": "acme", "workload_slug": "bot", which: impossible}
        refused = first(ids["project"], ids["workload_slug"])
        if impossible.strip():
            assert isinstance(refused, LocalValidationError) and refused.param == which, refused
        else:
            assert not isinstance(refused, REQUESTS)  # a blank project is a configuration error, raised as such


@pytest.mark.parametrize("is_async", [False, True])
def test_a_custom_backend_tenant_stays_one_segment(is_async: bool, tmp_path: Path) -> None:
    import io
    import json
    import tarfile

    from neocloud.inferencekey import apublish_custom_backend, publish_custom_backend
    from neocloud.inferencekey.errors import LocalValidationError

    package = tmp_path / "backend.tar.gz"
    with tarfile.open(package, "w:gz") as tar:
        data = json.dumps({"name": "b", "version": "1"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    publish = apublish_custom_backend if is_async else publish_custom_backend
    call = lambda tenant: _call(publish, {"tenant_id": tenant, "package_path": package, "token": "ik_sdk_x",  # noqa: E731
                                          "base_url": "http://ids.invalid"})  # fmt: skip
    sent = call("t/../../admin?x=1")
    assert isinstance(sent, REQUESTS)
    assert sent.url.raw_path == b"/api/tenants/t%2F..%2F..%2Fadmin%3Fx%3D1/custom-backends"
    refused = call("..")
    assert isinstance(refused, LocalValidationError) and refused.param == "tenant_id"


@pytest.mark.parametrize("is_async", [False, True])
def test_an_id_from_the_server_stays_one_segment(is_async: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``delete`` removes the workload the listing names: a hostile id in the answer cannot redirect the DELETE."""
    from neocloud.inferencekey import AsyncManagementClient, ManagementClient

    seen: list[httpx.Request] = []
    workload = {"id": "../../tenants/t1", "slug": "bot", "name": "bot", "project_id": "p1", "model_name": "m",
                "backend": "vllm", "task_type": "text2text", "status": "running", "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    listing = {"workloads": [workload]}

    def answer(request: Any, library: Any) -> Any:
        seen.append(request)
        if request.method == "GET":
            return library.Response(200, json=listing)
        return library.Response(204)

    _patch_transports(monkeypatch, answer)
    if is_async:
        client: Any = AsyncManagementClient(base_url="http://ids.invalid", sdk_token="t", project="acme")
        assert asyncio.run(client.delete("bot")) is True
    else:
        assert ManagementClient(base_url="http://ids.invalid", sdk_token="t", project="acme").delete("bot") is True
    assert [(r.method, r.url.raw_path) for r in seen] == [
        ("GET", b"/api/projects/acme/workloads"),
        ("DELETE", b"/api/workloads/..%2F..%2Ftenants%2Ft1"),
    ]


# -- the agent tools ----------------------------------------------------------------------------------------------


def _tool_id_cases() -> list[tuple[str, str, str]]:
    import importlib

    cases = []
    for provider in ("runcrate", "metalcloud", "clusterprotocol", "inferencekey"):
        for op in importlib.import_module(f"neocloud.{provider}.tools").OPERATIONS:
            cases += [(provider, op.name, field) for field in op.args.model_fields if _is_id(field) or field == "slug"]
    return cases


TOOL_CASES = _tool_id_cases()


def test_every_tool_that_names_a_resource_is_covered() -> None:
    names = {(op, field) for _, op, field in TOOL_CASES}
    for must in [("runcrate_terminate_instance", "instance_id"), ("runcrate_delete_volume", "volume_id"),
                 ("runcrate_resize_volume", "volume_id"), ("metalcloud_get_job", "job_id"),
                 ("clusterprotocol_cancel_fine_tune", "job_id"), ("inferencekey_delete_workload", "slug")]:  # fmt: skip
        assert must in names, must


@pytest.mark.parametrize(("provider", "operation", "field"), TOOL_CASES)
def test_a_tool_refuses_a_hostile_id_before_approval(provider: str, operation: str, field: str) -> None:
    from neocloud.core.tools import SideEffect, ToolRefused, ToolSession

    asked: list[Any] = []
    session = ToolSession.for_provider(
        f"neocloud.{provider}.tools",
        client=object(),  # never reached: nothing may be sent
        allow_billable=True,
        allow_destructive=True,
        approve=lambda request: asked.append(request) or True,
    )
    op = session.operations[operation]
    base = {name: _tool_sample(info.annotation) for name, info in op.args.model_fields.items() if info.is_required()}
    base.update(VALID_EXTRA.get(operation, {}))
    # "..." is a name like any other for a client; an agent's id is the plain token a list tool returned.
    for hostile in [*[h for h in ENCODED if h != "..."], *REFUSED]:
        with pytest.raises(ToolRefused, match=field):
            session.invoke(operation, {**base, field: hostile})
    assert asked == []
    if op.side_effect is not SideEffect.READ:
        assert op.args.model_validate({**base, field: "inst_4f2a-b.c~d"}).model_dump()[field] == "inst_4f2a-b.c~d"


# Tools whose arguments are valid only with one of several optional fields (their model validators say which).
VALID_EXTRA: dict[str, dict[str, Any]] = {
    "runcrate_update_instance": {"max_runtime_minutes": 60},
    "runcrate_run_job_group": {"count": 2},
}


def _tool_sample(annotation: Any) -> Any:
    return 10 if annotation is int else "x"


def test_the_approval_shows_the_id_that_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.core.tools import ToolSession
    from neocloud.runcrate import Runcrate

    sent: list[Any] = []

    def answer(request: Any, library: Any) -> Any:
        sent.append(request)
        return library.Response(204)

    _patch_transports(monkeypatch, answer)
    asked: list[Any] = []
    session = ToolSession.for_provider(
        "neocloud.runcrate.tools",
        client=Runcrate("rc_live_x", base_url="http://ids.invalid"),
        allow_destructive=True,
        approve=lambda request: asked.append(request) or True,
    )
    session.invoke("runcrate_terminate_instance", {"instance_id": "inst_4f2a"}, "call-1")
    assert asked[0].arguments == {"instance_id": "inst_4f2a"}
    assert [(r.method, r.url.raw_path) for r in sent] == [("DELETE", b"/api/v1/instances/inst_4f2a")]
