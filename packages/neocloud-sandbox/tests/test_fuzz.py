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
