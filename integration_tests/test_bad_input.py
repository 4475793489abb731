"""Bad input is refused before any request, by a validation error that names the argument — for every provider's
public calls (the transport here fails the test if anything is sent)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from neocloud.core.errors import RequestValidationError


def nothing_sent(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.method} {request.url}")


def sync_http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(nothing_sent))


def async_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(nothing_sent))


def openai_style(factory: Callable[..., Any], key: str, model: str, is_async: bool) -> Any:
    client = factory(api_key=key, base_url="http://x.invalid", http_client=async_http() if is_async else sync_http())
    return lambda **kw: client.chat.completions.create(**{"model": model, "messages": MSG, **kw})


MSG = [{"role": "user", "content": "hi"}]
CHAT_CASES: list[tuple[dict[str, Any], str]] = [
    ({"messages": []}, "messages"),
    ({"messages": "hi"}, "messages"),
    ({"messages": [{"content": "no role"}]}, "messages"),
    ({"max_tokens": -1}, "max_tokens"),
    ({"max_tokens": "ten"}, "max_tokens"),
    ({"temperature": 5}, "temperature"),
    ({"top_p": 1.5}, "top_p"),
    ({"model": ""}, "model"),
    ({"stream": "yes"}, "stream"),
]


def _providers() -> list[tuple[str, Callable[[bool], Any]]]:
    from neocloud.cerebras import AsyncCerebras, Cerebras
    from neocloud.clusterprotocol import AsyncClusterClient, ClusterClient
    from neocloud.runcrate import AsyncRuncrate, Runcrate

    def runcrate(is_async: bool) -> Any:
        cls = AsyncRuncrate if is_async else Runcrate
        client = cls(
            api_key="rc_live_x", inference_url="http://x.invalid", http_client=async_http() if is_async else sync_http()
        )
        return lambda **kw: client.chat.completions.create(**{"model": "m", "messages": MSG, **kw})

    return [
        ("cerebras", lambda a: openai_style(AsyncCerebras if a else Cerebras, "csk-x", "llama3.1-8b", a)),
        ("clusterprotocol", lambda a: openai_style(AsyncClusterClient if a else ClusterClient, "sk-cluster-x", "m", a)),
        ("runcrate", runcrate),
    ]


CASES = [(name, make, kw, param, a) for name, make in _providers() for kw, param in CHAT_CASES for a in (False, True)]


@pytest.mark.parametrize(("name", "make", "kwargs", "param", "is_async"), CASES,
                         ids=[f"{n}-{p}-{'async' if a else 'sync'}-{i}" for i, (n, _, _, p, a) in enumerate(CASES)])  # fmt: skip
def test_chat_arguments_are_checked_before_sending(name: str, make: Any, kwargs: dict[str, Any], param: str,
                                                   is_async: bool) -> None:  # fmt: skip
    call = make(is_async)
    with pytest.raises(RequestValidationError) as info:
        result = call(**kwargs)
        if is_async:
            asyncio.run(result)
    assert info.value.param is not None and info.value.param.split(".")[0] == param, info.value


def test_metalcloud_inference_arguments() -> None:
    from neocloud.metalcloud import Client

    client = Client(api_key="mc_x", base_url="http://x.invalid", http_client=sync_http())
    for kwargs, param in [({"prompt": "a", "messages": MSG}, "prompt"), ({}, "prompt"), ({"prompt": "a", "max_tokens": 0}, "max_tokens"),
                          ({"prompt": "a", "temperature": 3}, "temperature"), ({"prompt": "a", "top_p": -1}, "top_p"),
                          ({"messages": []}, "messages"), ({"prompt": "a", "stop": "x"}, "stop")]:  # fmt: skip
        with pytest.raises(RequestValidationError) as info:
            client.inference(model="meta-llama/Llama-3.1-8B", **kwargs)
        assert info.value.param == param, (kwargs, info.value)


def test_control_plane_arguments() -> None:
    from neocloud.runcrate import Runcrate

    c = Runcrate(api_key="rc_live_x", base_url="http://x.invalid", http_client=sync_http())
    calls: list[tuple[Callable[[], Any], str]] = [
        (lambda: c.instances.create(name="x", ssh_key_id="k", gpu_type="A100", gpu_count=0), "gpu_count"),
        (lambda: c.instances.create(name="", ssh_key_id="k", gpu_type="A100"), "name"),
        (lambda: c.instances.update("i", max_runtime_minutes=1), "max_runtime_minutes"),
        (lambda: c.storage.create("v", -1, "us-east-1"), "size_gb"),
        (lambda: c.billing.usage(from_date="yesterday"), "from_date"),
        (lambda: c.billing.list_transactions(limit=0), "limit"),
        (lambda: c.templates.list(sort_dir="up"), "sort_dir"),
        (lambda: c.jobs.run(command="x", gpu_type="A100", max_runtime_minutes=0), "max_runtime_minutes"),
        (lambda: c.billing.top_up(amount_usd=1), "amount_usd"),
    ]
    for call, param in calls:
        with pytest.raises(RequestValidationError) as info:
            call()
        assert info.value.param == param, (param, info.value)
