"""Hostile input never makes the sandbox answer 500: bodies nested far too deep (every JSON route and the control
plane), control-plane faults and scripted answers of the wrong types (refused with a 400 naming the field when they
are given, not accepted and failing later), and a lost answer on Runcrate's schedule create."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from neocloud.sandbox import SANDBOX_KEYS, SandboxSettings, create_app

APP = create_app(SandboxSettings(phase_s=0.01))
CLIENT = TestClient(APP, raise_server_exceptions=False)
DEEP = b"[" * 50_000 + b"]" * 50_000
DEEP_OBJECT = b'{"a": ' * 50_000 + b"1" + b"}" * 50_000
CHAT = {"model": "llama3.1-8b", "messages": [{"role": "user", "content": "hi"}]}
CEREBRAS = {"Authorization": f"Bearer {SANDBOX_KEYS['cerebras']['valid']}"}


def _key(provider: str, path: str) -> str:
    if provider == "inferencekey" and "/endpoint/" in path:
        return SANDBOX_KEYS["inferencekey"]["data"]
    return SANDBOX_KEYS[provider]["valid"]


def _json_routes() -> list[tuple[str, str, str]]:
    """``(provider, method, concrete path)`` for every provider route that takes a body."""
    found = []
    for mount in APP.routes:
        if not isinstance(mount, Mount):
            continue
        for route in mount.routes:
            if isinstance(route, Route) and not route.path.startswith("/_signed"):
                path = route.path.replace(":path", "")
                while "{" in path:  # InferenceKey's keys are scoped to project acme
                    path = path[: path.index("{")] + "acme" + path[path.index("}") + 1 :]
                found += [
                    (mount.path.strip("/"), m, path)
                    for m in sorted(route.methods or [])
                    if m in ("POST", "PATCH", "PUT")
                ]
    return found


# Routes whose body is multipart, not JSON.
NOT_JSON = {("inferencekey", "/api/tenants/acme/custom-backends")}
ROUTES = [r for r in _json_routes() if (r[0], r[2]) not in NOT_JSON]


# The bad-request shape each provider documents (docs/sandbox.md, "Errors").
def _is_provider_400(provider: str, body: Any) -> bool:
    if provider == "inferencekey":
        return isinstance(body.get("error"), str) and "nested" in body["message"]
    if provider == "runcrate":
        return set(body["error"]) == {"code", "message", "details"} and "nested" in body["error"]["message"]
    error = body["error"]
    shaped = error["type"] == "invalid_request_error" and "nested" in error["message"]
    return shaped and (body.get("status_code") == 400 if provider == "cerebras" else "status_code" not in body)


def test_every_provider_has_body_routes() -> None:
    assert {p for p, _, _ in ROUTES} == set(SANDBOX_KEYS) and len(ROUTES) > 30


@pytest.mark.parametrize(("provider", "method", "path"), ROUTES, ids=[f"{m} {p}{t}" for p, m, t in ROUTES])
def test_a_body_nested_50000_deep_is_a_400_in_the_providers_shape(provider: str, method: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {_key(provider, path)}", "content-type": "application/json"}
    for body in (DEEP, DEEP_OBJECT):
        response = CLIENT.request(method, f"/{provider}{path}", content=body, headers=headers)
        if response.status_code in (404, 405, 409, 422) or response.status_code < 400:
            continue  # the route answered before reading the body (unknown id, no body needed): not a parse
        assert response.status_code == 400, (response.status_code, response.text[:200])
        assert _is_provider_400(provider, response.json()), response.text[:300]


def test_a_chat_body_nested_past_the_limit_is_refused_naming_the_limit() -> None:
    messages: Any = "hi"
    for _ in range(200):
        messages = [messages]
    response = CLIENT.post("/cerebras/v1/chat/completions", json={**CHAT, "tools": messages}, headers=CEREBRAS)
    assert response.status_code == 400 and "nested more than 100 levels" in response.json()["error"]["message"]


@pytest.mark.parametrize("route", ["/_sandbox/faults", "/_sandbox/script"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_the_control_plane_refuses_a_deep_body(route: str, body: bytes) -> None:
    response = CLIENT.post(route, content=body)
    assert response.status_code == 400 and "nested" in response.json()["error"]["message"]


BAD_FAULTS = [
    ({"status": "abc"}, "status"),
    ({"status": 1.5}, "status"),
    ({"status": True}, "status"),
    ({"status": 99999}, "status"),
    ({"status": 0}, "status"),
    ({"status": -1}, "status"),
    ({"status": 200}, "status"),
    ({"kind": 5}, "kind"),
    ({"kind": "explode"}, "kind"),
    ({"status": 500, "headers": "x"}, "headers"),
    ({"status": 500, "headers": [["a", "b"]]}, "headers"),
    ({"status": 500, "headers": {"retry-after": 1}}, "headers"),
    ({"status": 500, "headers": {"bad name": "1"}}, "headers"),
    ({"status": 500, "headers": {"x-a": "1\r\nx-b: 2"}}, "headers"),
    ({"status": 500, "times": "x"}, "times"),
    ({"status": 500, "times": 0}, "times"),
    ({"status": 500, "path": 5}, "path"),
    ({"status": 500, "method": ["GET"]}, "method"),
    ({"kind": "oversized_body", "size": "big"}, "size"),
    ({"kind": "oversized_body", "size": 10**12}, "size"),
    ({"kind": "stall_stream", "after_chunks": -1}, "after_chunks"),
    ({"kind": "stall_stream", "seconds": "5"}, "seconds"),
    ({"kind": "stall_stream", "seconds": -1}, "seconds"),
    ({"kind": "error_frame", "status_code": "503"}, "status_code"),
    ({"kind": "error_frame", "status_code": 42}, "status_code"),
    ({"status": 500, "nope": 1}, "nope"),
    ({}, "status"),
    ("drop", "faults"),
]


@pytest.mark.parametrize(("fault", "field"), BAD_FAULTS, ids=[repr(f) for f, _ in BAD_FAULTS])
def test_a_badly_typed_fault_is_refused_naming_the_field(fault: Any, field: str) -> None:
    CLIENT.delete("/_sandbox/faults")
    response = CLIENT.post("/_sandbox/faults", json={"provider": "cerebras", "faults": [fault]})
    assert response.status_code == 400, response.text
    assert f"'{field}'" in response.json()["error"]["message"], response.text
    # Nothing was registered: the next call is answered normally.
    assert CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=CEREBRAS).status_code == 200


def test_faults_must_be_a_list() -> None:
    response = CLIENT.post("/_sandbox/faults", json={"provider": "cerebras", "faults": {"status": 500}})
    assert response.status_code == 400 and "'faults'" in response.json()["error"]["message"]


@pytest.mark.parametrize(("fault", "field"), BAD_FAULTS[:-1], ids=[repr(f) for f, _ in BAD_FAULTS[:-1]])
def test_a_badly_typed_fault_header_is_a_400_naming_the_field(fault: Any, field: str) -> None:
    import json

    headers = {**CEREBRAS, "x-sandbox-fault": json.dumps(fault)}
    response = CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["param"] == "X-Sandbox-Fault" and f"'{field}'" in body["error"]["message"]


def test_a_well_typed_fault_still_works() -> None:
    CLIENT.post("/_sandbox/faults", json={"provider": "cerebras", "faults": [
        {"status": 503, "headers": {"retry-after": "1"}, "times": 1, "path": "/chat/completions"}]})  # fmt: skip
    response = CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=CEREBRAS)
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=CEREBRAS).status_code == 200


BAD_SCRIPTS = [
    ({"content": 5}, "content"),
    ({"content": ["a"]}, "content"),
    ({"reasoning": {"a": 1}}, "reasoning"),
    ({"finish_reason": 3}, "finish_reason"),
    ({"finish_reason": "done"}, "finish_reason"),
    ({"usage": "lots"}, "usage"),
    ({"usage": {"prompt_tokens": "5"}}, "usage"),
    ({"usage": {"prompt_tokens": -1}}, "usage"),
    ({"usage": {"tokens": 5}}, "usage"),
    ({"tool_calls": "f"}, "tool_calls"),
    ({"tool_calls": [{"name": ""}]}, "tool_calls"),
    ({"tool_calls": [{"name": "f", "arguments": 5}]}, "tool_calls"),
    ({"tool_calls": [{"name": "f", "id": 5}]}, "tool_calls"),
    ({"tool_calls": [{"name": "f", "extra": 5}]}, "tool_calls"),
    ("text", "responses"),
]


@pytest.mark.parametrize(("answer", "field"), BAD_SCRIPTS, ids=[repr(a) for a, _ in BAD_SCRIPTS])
def test_a_badly_typed_scripted_answer_is_refused_naming_the_field(answer: Any, field: str) -> None:
    CLIENT.delete("/_sandbox/script")
    response = CLIENT.post("/_sandbox/script", json={"provider": "cerebras", "responses": [answer]})
    assert response.status_code == 400, response.text
    assert f"'{field}'" in response.json()["error"]["message"], response.text
    assert CLIENT.get("/_sandbox/script").json()["queued"] == {}
    assert CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=CEREBRAS).status_code == 200


def test_a_script_api_key_must_be_a_string() -> None:
    response = CLIENT.post("/_sandbox/script", json={"provider": "cerebras", "api_key": 5, "responses": [{}]})
    assert response.status_code == 400 and "'api_key'" in response.json()["error"]["message"]


def test_a_well_typed_scripted_answer_is_served() -> None:
    CLIENT.post("/_sandbox/script", json={"provider": "cerebras", "responses": [{
        "content": None, "finish_reason": "tool_calls", "usage": {"prompt_tokens": 3, "completion_tokens": 4},
        "tool_calls": [{"name": "f", "arguments": {"x": 1}, "id": "call_1"}]}]})  # fmt: skip
    choice = CLIENT.post("/cerebras/v1/chat/completions", json=CHAT, headers=CEREBRAS).json()["choices"][0]
    assert choice["message"]["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"x": 1}'}


def test_runcrate_schedule_create_honours_idempotency_key() -> None:
    client = TestClient(create_app(SandboxSettings(phase_s=0.01)))
    auth = {"Authorization": f"Bearer {SANDBOX_KEYS['runcrate']['valid']}"}
    spec = {"kind": "job", "spec": {"command": "echo", "gpu_type": "L40S", "max_runtime_minutes": 5},
            "cron": "0 * * * *"}  # fmt: skip
    first = client.post("/runcrate/api/v1/schedules", json=spec, headers={**auth, "Idempotency-Key": "k-1"})
    again = client.post("/runcrate/api/v1/schedules", json=spec, headers={**auth, "Idempotency-Key": "k-1"})
    other = client.post("/runcrate/api/v1/schedules", json=spec, headers={**auth, "Idempotency-Key": "k-2"})
    assert first.status_code == again.status_code == other.status_code == 201
    assert again.json()["data"] == first.json()["data"] and other.json()["data"]["id"] != first.json()["data"]["id"]
    listed = client.get("/runcrate/api/v1/schedules", headers=auth).json()["data"]
    assert sorted(s["id"] for s in listed) == sorted({first.json()["data"]["id"], other.json()["data"]["id"]})


def test_most_body_routes_read_the_body() -> None:
    """The deep-body test is not vacuous: most routes get as far as parsing it."""
    parsed = []
    for provider, method, path in ROUTES:
        headers = {"Authorization": f"Bearer {_key(provider, path)}", "content-type": "application/json"}
        parsed.append(CLIENT.request(method, f"/{provider}{path}", content=DEEP, headers=headers).status_code)
    assert parsed.count(400) >= len(ROUTES) // 2, list(zip(ROUTES, parsed, strict=True))
