"""Input is what it says: every chat, completion and embeddings entry point of every provider, and Runcrate's typed
creates, refuse a value of the wrong type (no ``"5"`` → 5, no ``True`` → 1, no ``5.0`` → 5, no ``"0.5"`` → 0.5), a
misspelled argument, and anything that is not JSON data (bytes, NaN, a lone surrogate, a schema 10,000 levels
deep) with the provider's local validation error naming the argument, sync and async, before anything is sent
(the transport fails the test if it is called). And what is sent is the validated value."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from neocloud.core.errors import RequestValidationError

NAN, INF = math.nan, math.inf
USER = [{"role": "user", "content": "hi"}]
URL = "http://strict.invalid"


def nothing_sent(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.method} {request.url}")


def http(is_async: bool) -> Any:
    transport = httpx.MockTransport(nothing_sent)
    return httpx.AsyncClient(transport=transport) if is_async else httpx.Client(transport=transport)


def deep(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"x": schema}}
    return schema


def tool(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": "f", "parameters": parameters}}]


# (argument given, value, the argument the error must name)
CHAT = [
    ("max_tokens", "5", "max_tokens"),
    ("max_tokens", 5.0, "max_tokens"),
    ("max_tokens", True, "max_tokens"),
    ("temperature", "0.5", "temperature"),
    ("temperature", True, "temperature"),
    ("top_p", INF, "top_p"),
    ("messages", [{"role": "user", "content": b"hi"}], "messages"),
    ("messages", [{"role": "user", "content": "\ud800"}], "messages"),
    ("messages", [{"role": "user", "content": "hi", "name": NAN}], "messages"),
    ("logit_bias", {"50256": NAN}, "logit_bias"),
    ("stop", 5, "stop"),
    ("stop", [b"x"], "stop"),
    ("seed", 1.5, "seed"),
    ("n", "2", "n"),
    ("tools", tool(deep(10_000)), "tools"),
    ("tools", tool({"type": "object", "default": NAN}), "tools"),
    ("temprature", 0.5, "temprature"),
    ("extra_body", {"x": NAN}, "extra_body"),
    ("extra_body", {"x": b"raw"}, "extra_body"),
    ("extra_headers", {"X-Trace": 5}, "extra_headers"),
    ("extra_query", 5, "extra_query"),
]
COMPLETION = [
    ("max_tokens", "5", "max_tokens"),
    ("max_tokens", 5.0, "max_tokens"),
    ("temperature", True, "temperature"),
    ("prompt", b"hi", "prompt"),
    ("prompt", "\ud800", "prompt"),
    ("logit_bias", {"1": INF}, "logit_bias"),
    ("stop", 5, "stop"),
    ("promt", "x", "promt"),
    ("extra_body", {"x": NAN}, "extra_body"),
]
EMBED = [
    ("input", b"hi", "input"),  # not the token ids [104, 105]
    ("input", "\ud800", "input"),
    ("input", ["a", 5], "input"),
    ("input", {"a", "b"}, "input"),  # unordered: the n-th vector would not be the n-th text's
    ("dimensions", "8", "dimensions"),
    ("dimensions", True, "dimensions"),
    ("dimension", 8, "dimension"),
    ("encoding_format", 5, "encoding_format"),
    ("extra_body", {"x": NAN}, "extra_body"),
]
METALCLOUD = [  # a fixed signature: no logit_bias, tools or other fields to misspell
    ("max_tokens", "5", "max_tokens"),
    ("max_tokens", 5.0, "max_tokens"),
    ("max_tokens", True, "max_tokens"),
    ("temperature", "0.5", "temperature"),
    ("temperature", True, "temperature"),
    ("messages", [{"role": "user", "content": b"hi"}], "messages"),
    ("messages", [{"role": "user", "content": "\ud800"}], "messages"),
    ("stop", 5, "stop"),
]
GENERATE_TEXT = [  # InferenceKey's data plane: prompt or messages, temperature, max_tokens
    ("max_tokens", "5", "max_tokens"),
    ("max_tokens", 5.0, "max_tokens"),
    ("max_tokens", True, "max_tokens"),
    ("temperature", "0.5", "temperature"),
    ("temperature", True, "temperature"),
    ("prompt", b"hi", "prompt"),
    ("prompt", "\ud800", "messages"),
]
INSTANCE = [
    ("gpu_type", None, "gpu_type"),
    ("gpu_type", 123, "gpu_type"),
    ("region", ["x"], "region"),
    ("gpu_cuont", 8, "gpu_cuont"),
    ("gpu_count", "8", "gpu_count"),
    ("gpu_count", True, "gpu_count"),
    ("gpu_count", 8.0, "gpu_count"),
    ("name", b"box", "name"),
    ("env_vars", {"A": 1}, "env_vars"),
    ("startup_commands", ["\ud800"], "startup_commands"),
    ("max_runtime_minutes", NAN, "max_runtime_minutes"),
]
JOB = [
    ("gpu_count", "2", "gpu_count"),
    ("max_runtime_minutes", 10.0, "max_runtime_minutes"),
    ("comand", "echo", "comand"),
    ("env", {"A": 1}, "env"),
    ("tags", {"t": "\ud800"}, "tags"),
    ("code", {"upload_id": 5}, "code"),
    ("allow_cpu_container", "yes", "allow_cpu_container"),
]
SCHEDULE = [
    ("enabled", "yes", "enabled"),
    ("crn", "0 * * * *", "crn"),
    ("spec", {"max_runtime_minutes": 10, "x": NAN}, "spec"),
    ("timezone", 5, "timezone"),
]


def _openai(provider: str, is_async: bool) -> Any:
    if provider == "cerebras":
        from neocloud.cerebras import AsyncCerebras, Cerebras

        return (AsyncCerebras if is_async else Cerebras)(api_key="csk-x", base_url=URL, http_client=http(is_async))
    if provider == "clusterprotocol":
        from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient

        return (AsyncClusterClient if is_async else ClusterClient)("sk-x", base_url=URL, http_client=http(is_async))
    if provider == "inferencekey":
        from neocloud.inferencekey._spec import AsyncEndpointClient, EndpointClient

        cls = AsyncEndpointClient if is_async else EndpointClient
        return cls(api_key="ik_live_x", base_url=URL + "/endpoint/acme/bot", http_client=http(is_async))
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    cls = AsyncRuncrate if is_async else Runcrate
    return cls("rc_live_x", base_url=URL, inference_url=URL, http_client=http(is_async))


def _endpoint(is_async: bool) -> Any:
    from neocloud.inferencekey import AsyncEndpoint, Endpoint

    cls = AsyncEndpoint if is_async else Endpoint
    return cls(base_url=URL, project="acme", workload_slug="bot", api_key="ik_live_x", http_client=http(is_async))


Call = Callable[[bool], Callable[..., Any]]


def _with(base: dict[str, Any], call: Callable[[Any], Callable[..., Any]], make: Callable[[bool], Any]) -> Call:
    return lambda is_async: lambda **kw: call(make(is_async))(**{**base, **kw})


ENTRY_POINTS: dict[str, tuple[Call, list[tuple[str, Any, str]]]] = {
    **{
        f"{p}.chat.completions.create": (
            _with({"model": "m", "messages": USER}, lambda c: c.chat.completions.create, lambda a, p=p: _openai(p, a)),
            CHAT,
        )
        for p in ("cerebras", "clusterprotocol", "runcrate", "inferencekey")
    },
    "runcrate.models.chat_completion": (
        _with({"model": "m", "messages": USER}, lambda c: c.models.chat_completion, lambda a: _openai("runcrate", a)),
        CHAT,
    ),
    "cerebras.completions.create": (
        _with({"model": "m", "prompt": "hi"}, lambda c: c.completions.create, lambda a: _openai("cerebras", a)),
        COMPLETION,
    ),
    **{
        f"{p}.embeddings.create": (
            _with({"model": "m", "input": "hi"}, lambda c: c.embeddings.create, lambda a, p=p: _openai(p, a)),
            EMBED,
        )
        for p in ("clusterprotocol", "inferencekey")
    },
    "metalcloud.inference": (
        _with({"model": "m", "messages": USER}, lambda c: c.inference, lambda a: _metalcloud(a)),
        METALCLOUD,
    ),
    "inferencekey.Endpoint.generate_text": (
        _with({"prompt": "hi"}, lambda e: e.generate_text, _endpoint),
        GENERATE_TEXT,
    ),
    "inferencekey.Endpoint.embed": (
        _with({}, lambda e: e.embed, _endpoint),
        [("input", b"hi", "input"), ("input", ["\ud800"], "input"), ("input", [1], "input")],
    ),
    "inferencekey.Endpoint.rerank": (
        _with({"query": "q", "documents": ["a"]}, lambda e: e.rerank, _endpoint),
        [
            ("documents", [b"x"], "documents"),
            ("top_n", "3", "top_n"),
            ("top_n", True, "top_n"),
            ("query", "\ud800", "query"),
        ],
    ),
    "runcrate.instances.create": (
        _with(
            {"name": "box", "gpu_type": "A100", "ssh_key_id": "key_1"},
            lambda c: c.instances.create,
            lambda a: _openai("runcrate", a),
        ),
        INSTANCE,
    ),
    "runcrate.jobs.run": (
        _with(
            {"command": "echo", "gpu_type": "A100", "max_runtime_minutes": 10},
            lambda c: c.jobs.run,
            lambda a: _openai("runcrate", a),
        ),
        JOB,
    ),
    "runcrate.jobs.run_group": (
        _with(
            {"command": "echo", "gpu_type": "A100", "max_runtime_minutes": 10, "count": 2},
            lambda c: c.jobs.run_group,
            lambda a: _openai("runcrate", a),
        ),
        [*JOB, ("count", "2", "count"), ("max_parallel", True, "max_parallel")],
    ),
    "runcrate.schedules.create": (
        _with(
            {"kind": "job", "spec": {"max_runtime_minutes": 10}, "cron": "0 * * * *"},
            lambda c: c.schedules.create,
            lambda a: _openai("runcrate", a),
        ),
        SCHEDULE,
    ),
    "runcrate.models.generate_image": (  # its pass-through fields stay open, but must still be JSON
        _with({"model": "m", "prompt": "p"}, lambda c: c.models.generate_image, lambda a: _openai("runcrate", a)),
        [("seed", NAN, "seed"), ("negative_prompt", "\ud800", "negative_prompt"), ("guidance", b"3", "guidance")],
    ),
    "runcrate.jobs.list": (
        _with({}, lambda c: c.jobs.list, lambda a: _openai("runcrate", a)),
        [("status", 5, "status"), ("tags", ["a"], "tags"), ("limit", "5", "limit"), ("cursor", object(), "cursor")],
    ),
    "runcrate.jobs.wait": (
        _with({"job_id": "job_1"}, lambda c: c.jobs.wait, lambda a: _openai("runcrate", a)),
        [("timeout", "10", "timeout"), ("poll_interval", NAN, "poll_interval")],
    ),
    "runcrate.billing.usage": (
        _with({}, lambda c: c.billing.usage, lambda a: _openai("runcrate", a)),
        [("from_date", 20260101, "from_date")],
    ),
    "clusterprotocol.fine_tuning.create": (
        _with(
            {"base_model": "m", "training_file": "https://x/f.jsonl"},
            lambda c: c.fine_tuning.create,
            lambda a: _openai("clusterprotocol", a),
        ),
        [
            ("epochs", "3", "epochs"),
            ("epochs", 3.0, "epochs"),
            ("learning_rate", True, "learning_rate"),
            ("suffix", 5, "suffix"),
        ],
    ),
}


def _metalcloud(is_async: bool) -> Any:
    from neocloud.metalcloud import AsyncClient, Client

    return (AsyncClient if is_async else Client)("mc_x", URL, http_client=http(is_async))


CASES = [
    (entry, arg, value, param, is_async)
    for entry, (_, cases) in ENTRY_POINTS.items()
    for arg, value, param in cases
    for is_async in (False, True)
]


@pytest.mark.parametrize(("entry", "arg", "value", "param", "is_async"), CASES,
                         ids=[f"{e}-{a}-{type(v).__name__}-{i}-{'async' if s else 'sync'}"
                              for i, (e, a, v, _, s) in enumerate(CASES)])  # fmt: skip
def test_bad_input_is_refused_before_sending(entry: str, arg: str, value: Any, param: str, is_async: bool) -> None:
    make, _ = ENTRY_POINTS[entry]
    call = make(is_async)
    with pytest.raises(RequestValidationError) as info:
        result = call(**{arg: value})
        if is_async:
            asyncio.run(result)
    error = info.value
    assert error.param is not None and error.param.split(".")[0] == param, (error.param, str(error))
    assert param in str(error)
    assert getattr(error, "status_code", None) is None


# -- what is sent is the validated value -------------------------------------------------------------------------


def _capture() -> tuple[list[dict[str, Any]], httpx.Client]:
    bodies: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if request.url.path == "/api/v1/instances":
            return httpx.Response(201, json={"data": {"id": "i", "name": "n", "status": "pending"}})
        return httpx.Response(200, json={"id": "x", "choices": [], "data": []})

    return bodies, httpx.Client(transport=httpx.MockTransport(answer))


def test_the_validated_value_is_what_is_sent() -> None:
    from neocloud.cerebras import Cerebras

    bodies, client = _capture()
    cerebras = Cerebras(api_key="csk-x", base_url=URL, http_client=client)
    messages = (m for m in USER)  # a generator: validated into a list, and that list is sent
    cerebras.chat.completions.create(model="m", messages=messages, temperature=1, stop=("END",), max_tokens=5,
                                      extra_body={"custom": {"a": [1]}})  # fmt: skip
    body = bodies[0]
    assert body == {"model": "m", "messages": USER, "temperature": 1.0, "stop": ["END"], "max_tokens": 5,
                    "custom": {"a": [1]}}  # fmt: skip
    assert isinstance(body["temperature"], float)  # the float field's value, not the int that was passed


def test_documented_pass_through_fields_stay_open() -> None:
    from neocloud.runcrate import Runcrate

    bodies, client = _capture()
    runcrate = Runcrate("rc_live_x", base_url=URL, inference_url=URL, http_client=client)
    runcrate.models.generate_image(model="m", prompt="p", num_inference_steps=4, some_new_model_option="x")
    assert bodies[0] == {"model": "m", "prompt": "p", "num_inference_steps": 4, "some_new_model_option": "x"}
    runcrate.chat.completions.create(model="m", messages=USER, extra_body={"top_k": 40})
    assert bodies[1]["top_k"] == 40
    runcrate.models.chat_completion(model="m", messages=USER, extra_body={"top_k": 40})
    assert bodies[2] == {"model": "m", "messages": USER, "top_k": 40, "stream": False}
    runcrate.instances.create(name="box", gpu_type="A100", ssh_key_id="key_1", gpu_count=2)
    assert bodies[3] == {"name": "box", "gpu_type": "A100", "ssh_key_id": "key_1", "gpu_count": 2}
