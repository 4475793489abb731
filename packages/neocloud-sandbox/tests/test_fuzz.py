"""Fuzzing every sandbox route (hypothesis): whatever arrives — any JSON, any bytes, any path segment — the answer
is a 2xx or a 4xx in the provider's error shape, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, SandboxSettings, create_app

APP = create_app(SandboxSettings(phase_s=0.01))
CLIENT = TestClient(APP, raise_server_exceptions=False)
KEYS = {"cerebras": SANDBOX_KEYS["cerebras"]["valid"], "clusterprotocol": SANDBOX_KEYS["clusterprotocol"]["valid"],
        "metalcloud": SANDBOX_KEYS["metalcloud"]["valid"], "runcrate": SANDBOX_KEYS["runcrate"]["valid"],
        "inferencekey": SANDBOX_KEYS["inferencekey"]["valid"]}  # fmt: skip


def _routes() -> list[tuple[str, str, str]]:
    """``(provider, method, path template)`` for every provider route."""
    found = []
    for mount in APP.routes:
        if not isinstance(mount, Mount) or mount.path.startswith("/_sandbox"):
            continue
        provider = mount.path.strip("/")
        for route in mount.routes:
            if isinstance(route, Route) and not route.path.startswith("/_signed"):
                found += [(provider, m, route.path) for m in sorted(route.methods or []) if m != "HEAD"]
    return found


ROUTES = _routes()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=10)  # fmt: skip
BODIES = JSON.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)
SEGMENT = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12)


def test_every_route_is_fuzzed() -> None:
    assert len(ROUTES) > 80 and {p for p, _, _ in ROUTES} == set(KEYS)


@pytest.mark.parametrize(("provider", "method", "path"), ROUTES, ids=[f"{m} {p}{t}" for p, m, t in ROUTES])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, segment=SEGMENT, data=st.data())
def test_route_never_answers_500(provider: str, method: str, path: str, body: bytes, segment: str, data: Any) -> None:
    concrete = path.replace(":path", "")
    while "{" in concrete:
        start, end = concrete.index("{"), concrete.index("}")
        concrete = concrete[:start] + segment + concrete[end + 1 :]
    key = (
        KEYS[provider]
        if provider != "inferencekey" or "/endpoint/" not in path
        else SANDBOX_KEYS["inferencekey"]["data"]
    )
    headers = {"Authorization": f"Bearer {key}", "content-type": data.draw(st.sampled_from(
        ["application/json", "text/plain", "multipart/form-data; boundary=x"]))}  # fmt: skip
    response = CLIENT.request(method, f"/{provider}{concrete}", content=body if method != "GET" else None,
                              headers=headers)  # fmt: skip
    assert response.status_code < 500, (response.status_code, response.text[:200])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json")
        assert "error" in response.json() or "detail" in response.json() or "message" in response.json()


def _sdk_params(module: str) -> list[str]:
    """The parameter names the official Cerebras SDK's request types declare (headers aside)."""
    import importlib

    params = importlib.import_module(f"cerebras.cloud.sdk.types.{module}").CompletionCreateParams
    return sorted(set(params.__annotations__) - {"model", "cf_ray", "x_amz_cf_id", "x_delay_time"})


CHAT_PARAMS, TEXT_PARAMS = _sdk_params("chat.completion_create_params"), _sdk_params("completion_create_params")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_value_of_any_sdk_chat_parameter_never_answers_500(data: Any) -> None:
    body: dict[str, Any] = {"model": data.draw(st.sampled_from(["llama3.1-8b", "gpt-oss-120b"])),
                            "messages": [{"role": "user", "content": "Hello"}]}  # fmt: skip
    for name in data.draw(st.lists(st.sampled_from(CHAT_PARAMS), min_size=1, max_size=4, unique=True)):
        body[name] = data.draw(JSON)
    response = CLIENT.post("/cerebras/v1/chat/completions", content=json.dumps(body),
                           headers={"Authorization": f"Bearer {KEYS['cerebras']}"})  # fmt: skip
    assert response.status_code < 500, (body, response.text[:300])


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_value_of_any_sdk_completion_parameter_never_answers_500(data: Any) -> None:
    body: dict[str, Any] = {"model": "llama3.1-8b"}
    for name in data.draw(st.lists(st.sampled_from(TEXT_PARAMS), min_size=1, max_size=4, unique=True)):
        body[name] = data.draw(JSON)
    response = CLIENT.post("/cerebras/v1/completions", content=json.dumps(body),
                           headers={"Authorization": f"Bearer {KEYS['cerebras']}"})  # fmt: skip
    assert response.status_code < 500, (body, response.text[:300])
