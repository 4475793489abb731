"""Property-based tests (hypothesis) for the SSE decoding path, the error-body parser and the wire models."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from neocloud.core.error_body import parse_error_body
from neocloud.core.errors import StreamError
from neocloud.core.streaming import Stream, classify
from neocloud.core.wire import ChatCompletion, ChatCompletionChunk, CreateEmbeddingResponse

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# A top-level "error" key marks an in-band error frame, which is not what these payloads are about.
KEYS = st.text(min_size=1, max_size=6).filter(lambda k: k != "error")
PAYLOADS = st.lists(st.dictionaries(KEYS, JSON, max_size=4), min_size=1, max_size=6)


def _stream(body: bytes, cuts: list[int]) -> Stream[Any]:
    """A ``Stream`` over ``body`` delivered in pieces cut at ``cuts`` (as a network would)."""
    points = sorted({c % (len(body) + 1) for c in cuts} | {0, len(body)})
    pieces = [body[a:b] for a, b in itertools.pairwise(points)]
    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=iter(pieces),
                              request=httpx2.Request("POST", "http://stream.invalid/v1/chat/completions"))  # fmt: skip

    def refuse(payload: Any, r: httpx2.Response) -> Any:
        raise AssertionError(f"not an error frame: {payload!r}")

    return Stream(response, lambda data: data, refuse)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads=PAYLOADS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_sse_frames_survive_any_split(payloads: list[dict[str, Any]], cuts: list[int]) -> None:
    body = b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads) + b"data: [DONE]\n\n"
    assert list(_stream(body, cuts)) == payloads


@settings(max_examples=100, deadline=None)
@given(payloads=PAYLOADS, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=6))
def test_a_stream_without_its_end_marker_is_an_error_never_a_short_answer(
    payloads: list[dict[str, Any]], cuts: list[int]
) -> None:
    body = b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads)
    got: list[Any] = []
    try:
        for item in _stream(body, cuts):
            got.append(item)
    except StreamError:
        assert got == payloads  # everything before the break was delivered, then the truncation was reported
    else:
        raise AssertionError("a truncated stream ended quietly")


@given(event=st.none() | st.text(max_size=10), data=st.text(max_size=200))
def test_classify_is_total(event: str | None, data: str) -> None:
    try:
        frame = classify(event, data)
    except StreamError:
        return  # malformed data is reported as such
    assert frame.kind in {"data", "error", "done", "skip"} or frame.kind


@given(
    status=st.integers(min_value=400, max_value=599),
    content=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()),
)
def test_error_bodies_never_crash_the_parser(status: int, content: bytes) -> None:
    for overrides in (False, True):
        info = parse_error_body(status, content, body_status_overrides=overrides)
        assert isinstance(info.message, str) and info.message and 100 <= info.status_code <= 599
        assert info.code is None or isinstance(info.code, str)


@given(data=JSON)
def test_wire_models_validate_or_refuse_cleanly(data: Any) -> None:
    for model in (ChatCompletion, ChatCompletionChunk, CreateEmbeddingResponse):
        try:
            parsed = model.model_validate(data)
        except ValidationError:
            continue
        assert model.model_validate(parsed.model_dump()) == parsed  # a parsed model round-trips


@given(
    content=st.text(max_size=50),
    tokens=st.integers(min_value=0, max_value=10**6),
    extra=st.dictionaries(st.sampled_from(["x_custom", "x_provider_field"]), JSON, max_size=2),
)
def test_completions_keep_unknown_fields(content: str, tokens: int, extra: dict[str, Any]) -> None:
    raw = {"id": "c", "object": "chat.completion", "created": 1, "model": "m",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
           "usage": {"prompt_tokens": tokens, "completion_tokens": 1, "total_tokens": tokens + 1}, **extra}  # fmt: skip
    parsed = ChatCompletion.model_validate(raw)
    assert parsed.choices[0].message.content == content and parsed.usage is not None
    dumped = parsed.model_dump()
    assert all(dumped[k] == v for k, v in extra.items())
