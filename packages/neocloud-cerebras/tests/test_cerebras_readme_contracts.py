"""What the Cerebras SDK README promises beyond the wire: the nested-params example's ``stream_options``,
``CEREBRAS_LOG=info`` request logging (method, path, status; never the key), and connection warming, which our
constructors never do on their own (``warm_tcp_connection`` is accepted; ``warm_connection()`` does it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from neocloud.cerebras import AsyncCerebras, Cerebras
from neocloud.core import logs

KEY = "csk-readme-contract-key"
BASE = "https://api.cerebras.test"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "llama3.1-8b",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi."}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}  # fmt: skip
MSG = [{"content": "content", "role": "system"}]


def recorder(seen: list[httpx.Request], answer: Callable[[httpx.Request], httpx.Response]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return answer(request)

    return handle


def completion(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=COMPLETION, headers={"x-request-id": "req_7"})


# -- nested params: the README example prints chat_completion.stream_options ---------------------------------------


def test_the_nested_params_example_reads_stream_options_sync_and_async() -> None:
    seen: list[httpx.Request] = []
    client = Cerebras(api_key=KEY, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(recorder(seen, completion))))  # fmt: skip
    chat_completion = client.chat.completions.create(
        messages=MSG, model="llama3.1-8b", stream_options={"include_usage": True}
    )
    assert chat_completion.stream_options is not None and chat_completion.stream_options.include_usage is True
    assert str(chat_completion.stream_options) == "StreamOptions(include_usage=True)"  # what the example prints
    assert "stream_options" not in chat_completion.to_dict()  # the request's value, not something the server sent
    plain = client.chat.completions.create(messages=MSG, model="llama3.1-8b")
    assert plain.stream_options is None  # not asked for: None, never an AttributeError
    raw = client.chat.completions.with_raw_response.create(
        messages=MSG, model="llama3.1-8b", stream_options={"include_usage": False}
    )
    assert raw.parse().stream_options.include_usage is False
    assert [r.url.path for r in seen] == ["/v1/chat/completions"] * 3

    async def main() -> Any:
        transport = httpx.AsyncClient(transport=httpx.MockTransport(recorder(seen, completion)))
        async with AsyncCerebras(api_key=KEY, base_url=BASE, http_client=transport) as aclient:
            return await aclient.chat.completions.create(
                messages=MSG, model="llama3.1-8b", stream_options={"include_usage": True}
            )

    assert asyncio.run(main()).stream_options.include_usage is True


# -- CEREBRAS_LOG ------------------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_logging() -> Iterator[logging.Logger]:
    """The ``neocloud`` logger as a new process has it; restored afterwards."""
    logger = logging.getLogger("neocloud")
    saved = (logger.level, list(logger.handlers), set(logs._configured))
    logger.setLevel(logging.NOTSET)
    logger.handlers.clear()
    logs._configured.clear()
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logs._configured.clear()
    logs._configured.update(saved[2])


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _calls_logged(monkeypatch: pytest.MonkeyPatch, level: str | None, is_async: bool) -> list[logging.LogRecord]:
    if level is None:
        monkeypatch.delenv("CEREBRAS_LOG", raising=False)
    else:
        monkeypatch.setenv("CEREBRAS_LOG", level)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"error": {"message": "no such model"}})
        return completion(request)

    records = Records()
    logging.getLogger().addHandler(records)  # where an application's own logging would see them
    try:
        if is_async:

            async def main() -> None:
                transport = httpx.AsyncClient(transport=httpx.MockTransport(recorder(seen, answer)))
                async with AsyncCerebras(api_key=KEY, base_url=BASE, http_client=transport, max_retries=0) as c:
                    await c.chat.completions.create(messages=MSG, model="llama3.1-8b")
                    with pytest.raises(Exception, match="no such model"):
                        await c.models.retrieve("missing")

            asyncio.run(main())
        else:
            transport = httpx.Client(transport=httpx.MockTransport(recorder(seen, answer)))
            client = Cerebras(api_key=KEY, base_url=BASE, http_client=transport, max_retries=0)
            client.chat.completions.create(messages=MSG, model="llama3.1-8b")
            with pytest.raises(Exception, match="no such model"):
                client.models.retrieve("missing")
    finally:
        logging.getLogger().removeHandler(records)
    return [r for r in records.records if r.name.startswith("neocloud")]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_cerebras_log_info_logs_each_request_without_the_key(
    fresh_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch, is_async: bool
) -> None:
    records = _calls_logged(monkeypatch, "info", is_async)
    lines = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert lines == [
        "cerebras POST /v1/chat/completions -> 200 (request id req_7)",
        "cerebras GET /v1/models/missing -> 404",
    ]
    assert not any(KEY in r.getMessage() for r in records)
    assert fresh_logging.level == logging.INFO and fresh_logging.handlers  # printed to stderr, as the SDK does


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_without_cerebras_log_nothing_is_logged(
    fresh_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch, is_async: bool
) -> None:
    assert _calls_logged(monkeypatch, None, is_async) == []
    assert fresh_logging.handlers == []


def test_cerebras_log_debug_adds_the_attempts(fresh_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [r.getMessage() for r in _calls_logged(monkeypatch, "debug", False)]
    assert "cerebras POST /v1/chat/completions attempt=0" in lines
    assert "cerebras POST /v1/chat/completions -> 200 (request id req_7)" in lines


# -- warm_tcp_connection / warm_connection() ---------------------------------------------------------------------------


def test_constructors_send_nothing_even_with_warm_tcp_connection_and_warm_connection_does() -> None:
    seen: list[httpx.Request] = []
    ok = recorder(seen, lambda r: httpx.Response(200, text="ok"))
    client = Cerebras(api_key=KEY, base_url=BASE, warm_tcp_connection=True,
                      http_client=httpx.Client(transport=httpx.MockTransport(ok)))  # fmt: skip

    aclient = AsyncCerebras(api_key=KEY, base_url=BASE, warm_tcp_connection=True,
                            http_client=httpx.AsyncClient(transport=httpx.MockTransport(ok)))  # fmt: skip
    assert seen == []  # constructing either client sent nothing
    assert client.warm_connection() is True
    assert asyncio.run(aclient.warm_connection()) is True
    assert [(r.method, r.url.path) for r in seen] == [("GET", "/v1/tcp_warming")] * 2


def test_warm_connection_opens_the_pooled_connection_the_next_call_reuses(live_cerebras: tuple[str, str]) -> None:
    base, key = live_cerebras
    client = Cerebras(api_key=key, base_url=base, warm_tcp_connection=True)
    pool = client._pool.get()._transport._pool  # type: ignore[attr-defined]
    assert pool.connections == []  # constructed: nothing opened
    assert client.warm_connection() is True
    [warmed] = pool.connections
    client.chat.completions.create(messages=[{"role": "user", "content": "Hi"}], model="llama3.1-8b", max_tokens=4)
    assert pool.connections == [warmed]  # the call went over the warmed connection
    client.close()


@pytest.fixture(scope="module")
def live_cerebras() -> Iterator[tuple[str, str]]:
    from neocloud.sandbox import SANDBOX_KEYS, Sandbox

    with Sandbox() as sb:
        yield sb.base_url("cerebras"), SANDBOX_KEYS["cerebras"]["valid"]
