"""SSE: the pure frame classifier, and streams fed byte by byte through a mock transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx2
import pytest

from neocloud.core.errors import InternalServerError, StreamError, StreamFormatError
from neocloud.core.streaming import Frame, Stream, classify


@pytest.mark.parametrize(
    ("event", "data", "expected"),
    [
        (None, "[DONE]", Frame("done")),
        (None, "[DONE] trailing", Frame("done")),
        (None, "", Frame("skip")),
        (None, "   ", Frame("skip")),
        (None, '{"a": 1}', Frame("data", {"a": 1})),
        (
            None,
            '{"error": {"message": "x"}, "status_code": 503}',
            Frame("error", {"error": {"message": "x"}, "status_code": 503}),
        ),
        (None, '{"error": null, "a": 1}', Frame("data", {"error": None, "a": 1})),
        ("error", '{"message": "boom"}', Frame("error", {"message": "boom"})),
        ("error", '"boom"', Frame("error", {"error": {"message": "boom"}})),
        ("ping", "[1]", Frame("data", [1])),
    ],
)
def test_classify(event: str | None, data: str, expected: Frame) -> None:
    assert classify(event, data) == expected


def test_classify_malformed_raises() -> None:
    with pytest.raises(StreamError, match="not JSON"):
        classify(None, "{oops")


def _response(hx: ModuleType, chunks: list[bytes], content_type: str = "text/event-stream") -> Any:
    class Chunked(hx.SyncByteStream):  # type: ignore[name-defined,misc]
        def __iter__(self) -> Iterator[bytes]:
            yield from chunks

    return hx.Response(
        200,
        headers={"content-type": content_type},
        stream=Chunked(),
        request=hx.Request("POST", "http://t/"),
    )


def _make_error(payload: object, response: Any) -> InternalServerError:
    return InternalServerError("in-band", status_code=503, body=payload)


PAYLOAD = (
    'data: {"n": 1, "text": "h\u00e9llo"}\r\n\r\n'
    ": a comment\n\n"
    'data: {"n": 2,\ndata: "text": "multi"}\n\n'
    'event: message\ndata: {"n": 3, "text": "\u2603"}\r\r'
    "data: [DONE]\n\n"
).encode()


def test_split_at_every_byte_boundary(hx: ModuleType) -> None:
    expected = [{"n": 1, "text": "h\u00e9llo"}, {"n": 2, "text": "multi"}, {"n": 3, "text": "\u2603"}]
    for cut in range(1, len(PAYLOAD)):
        stream = Stream(_response(hx, [PAYLOAD[:cut], PAYLOAD[cut:]]), lambda d: d, _make_error)
        assert list(stream) == expected, cut
    one_byte = Stream(_response(hx, [PAYLOAD[i : i + 1] for i in range(len(PAYLOAD))]), lambda d: d, _make_error)
    assert list(one_byte) == expected


def test_missing_done_is_a_truncation(hx: ModuleType) -> None:
    stream = Stream(_response(hx, [b'data: {"n": 1}\n\n']), lambda d: d, _make_error)
    assert next(stream) == {"n": 1}
    with pytest.raises(StreamError, match="without its \\[DONE\\]"):
        next(stream)


def test_missing_done_allowed_when_provider_never_sends_it(hx: ModuleType) -> None:
    stream = Stream(_response(hx, [b'data: {"n": 1}\n\n']), lambda d: d, _make_error, require_done=False)
    assert list(stream) == [{"n": 1}]


def test_error_frame_raises_typed_error(hx: ModuleType) -> None:
    body = (
        b'data: {"n": 1}\n\ndata: '
        + json.dumps({"error": {"message": "overloaded"}, "status_code": 503}).encode()
        + b"\n\n"
    )
    stream = Stream(_response(hx, [body]), lambda d: d, _make_error)
    assert next(stream) == {"n": 1}
    with pytest.raises(InternalServerError) as info:
        next(stream)
    assert info.value.body == {"error": {"message": "overloaded"}, "status_code": 503}


def test_wrong_content_type_is_a_stream_error(hx: ModuleType) -> None:
    stream = Stream(_response(hx, [b"{}"], content_type="application/json"), lambda d: d, _make_error)
    with pytest.raises(StreamError, match="content-type"):
        list(stream)


def test_malformed_chunk_shape_is_a_stream_error(hx: ModuleType) -> None:
    def parse(data: object) -> int:
        raise ValueError("bad shape")

    stream = Stream(_response(hx, [b'data: {"n": 1}\n\ndata: [DONE]\n\n']), parse, _make_error)
    with pytest.raises(StreamError, match="malformed stream chunk"):
        list(stream)


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        # The one-pass path (raw JSON validated by the model) and the general path agree on every outcome.
        (b'data: {"id": "a", "choices": []}\n\ndata: [DONE]\n\n', ["a"]),
        (b'data: {"id": \n\ndata: [DONE]\n\n', "malformed stream frame \\(not JSON\\)"),
        (b'data: {"id": "a", "choices": 3}\n\ndata: [DONE]\n\n', "malformed stream chunk"),
        (b'data: {"error": {"message": "overloaded"}, "status_code": 503}\n\n', InternalServerError),
        (b'event: error\ndata: {"message": "boom"}\n\n', InternalServerError),
        (b'data: {"id": "b", "choices": [], "note": "an \\"error\\" word"}\n\ndata: [DONE]\n\n', ["b"]),
    ],
)  # fmt: skip
def test_raw_json_fast_path(frames: bytes, expected: object, hx: ModuleType) -> None:
    from neocloud.core.wire import ChatCompletionChunk

    def stream() -> Stream[ChatCompletionChunk]:
        return Stream(_response(hx, [frames]), ChatCompletionChunk.model_validate, _make_error,
                      parse_json=ChatCompletionChunk.model_validate_json)  # fmt: skip

    if isinstance(expected, list):
        assert [c.id for c in stream()] == expected
    elif isinstance(expected, str):
        with pytest.raises(StreamFormatError, match=expected):
            list(stream())
    else:
        with pytest.raises(InternalServerError):
            list(stream())


def test_dropped_connection_mid_stream(hx: ModuleType) -> None:
    class Dropping(hx.SyncByteStream):  # type: ignore[name-defined,misc]
        def __iter__(self) -> Iterator[bytes]:
            yield b'data: {"n": 1}\n\n'
            raise hx.RemoteProtocolError("peer closed connection without sending complete message body")

    response = hx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=Dropping(),
        request=hx.Request("POST", "http://t/"),
    )
    stream = Stream(response, lambda d: d, _make_error)
    assert next(stream) == {"n": 1}
    with pytest.raises(StreamError, match="broke"):
        next(stream)


def test_close_on_break_closes_response(hx: ModuleType) -> None:
    response = _response(hx, [b'data: {"n": 1}\n\ndata: {"n": 2}\n\ndata: [DONE]\n\n'])
    with Stream(response, lambda d: d, _make_error) as stream:
        for item in stream:
            assert item == {"n": 1}
            break
    assert response.is_closed


def test_async_stream_yields_typed_chunks_and_raises_in_band_errors(hx: ModuleType) -> None:
    from neocloud.core.streaming import AsyncStream
    from neocloud.core.wire import ChatCompletionChunk

    def response(body: bytes) -> Any:
        class Chunked(hx.AsyncByteStream):  # type: ignore[name-defined,misc]
            async def __aiter__(self) -> Any:
                for i in range(0, len(body), 7):  # frames cut across reads
                    yield body[i : i + 7]

        return hx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunked(),
                           request=hx.Request("POST", "http://t/"))  # fmt: skip

    ok = b'data: {"id": "a", "choices": []}\n\ndata: {"id": "b", "choices": []}\n\ndata: [DONE]\n\n'
    failing = b'data: {"id": "a", "choices": []}\n\ndata: {"error": {"message": "overloaded"}, "status_code": 503}\n\n'

    async def collect(body: bytes, deadline: float | None) -> list[str]:
        stream = AsyncStream(response(body), ChatCompletionChunk.model_validate, _make_error, deadline=deadline,
                             parse_json=ChatCompletionChunk.model_validate_json)  # fmt: skip
        seen = []
        async for chunk in stream:
            assert isinstance(chunk, ChatCompletionChunk)
            seen.append(chunk.id)
        assert stream.response.is_closed
        return seen

    import asyncio
    import time

    assert asyncio.run(collect(ok, None)) == ["a", "b"]
    assert asyncio.run(collect(ok, time.monotonic() + 30)) == ["a", "b"]
    with pytest.raises(InternalServerError):
        asyncio.run(collect(failing, time.monotonic() + 30))


# -- the event splitter's fast path (``_reading.sse_events``) -------------------------------------------------------
_STREAMS = [
    'data: {"a": 1}\n\ndata: {"a": 2}\n\ndata: [DONE]\n\n',
    'event: error\ndata: {"error": {"message": "x"}}\n\ndata: {"a": 1}\n\n',
    'id: 7\ndata: {"a": 1}\n\n: keep-alive\n\ndata: {"a": 2}\n\n',
    'data: {"a":\ndata: 1}\n\ndata: {"b": 2}\n\n',  # one event over two data lines
    'data: {"a": 1}\r\n\r\ndata: {"a": 2}\r\rdata:{"a": 3}\n\n',  # CR and CRLF newlines, no space after the colon
    'retry: 10\n\ndata: {"a": 1}\n\ndata: tail without a blank line',
]


def _reference(body: str) -> list[tuple[str, str]]:
    """What httpx-sse's decoders alone make of the whole body."""
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    lines, decoder, out = SSELineDecoder(), SSEDecoder(), []
    for line in [*lines.decode(body), *lines.flush()]:
        sse = decoder.decode(line)
        if sse is not None:
            out.append((sse.event, sse.data))
    return out


def _splits(body: str, seed: int) -> list[str]:
    import random

    if seed == -1:  # two events per chunk, as a busy socket coalesces them
        parts = [part + "\n\n" for part in body.split("\n\n")[:-1]] + [body.split("\n\n")[-1]]
        return ["".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
    if seed == 0:  # one network chunk per event, as servers that stream tokens send them
        return [part + "\n\n" for part in body.split("\n\n")[:-1]] + ([body.split("\n\n")[-1]] if not body.endswith("\n\n") else [])  # fmt: skip
    rng, pieces, at = random.Random(seed), [], 0
    while at < len(body):
        step = rng.randint(1, 12)
        pieces.append(body[at : at + step])
        at += step
    return pieces


@pytest.mark.parametrize("seed", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize("body", _STREAMS)
def test_events_are_those_of_httpx_sse_however_the_body_is_cut(body: str, seed: int) -> None:
    from neocloud.core._reading import sse_events

    chunks = [piece.encode() for piece in _splits(body, seed) if piece]
    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))
    got = [("message", e) if isinstance(e, str) else (e.event, e.data) for e in sse_events(response, lambda n: None)]
    assert got == _reference(body)


@pytest.mark.parametrize(
    ("text", "clean", "frames"),
    [
        ('data: {"a": 1}\n\n', True, ['{"a": 1}']),
        ('data: {"a": 1}\n\ndata: {"a": 2}\n\n', True, ['{"a": 1}', '{"a": 2}']),  # coalesced by the socket
        ("data:  two spaces\n\n", True, [" two spaces"]),  # one space is the separator, the next is data
        ('data: {"a": 1}\n\n', False, None),  # an event or a line is pending: the decoders must see it
        ('data: {"a": 1}\n', True, None),  # no blank line yet
        ('data: {"a": 1}\n\ndata: {"a"', True, None),  # a frame cut in two
        ('data: {"a": 1}\n\n\n\ndata: {"a": 2}\n\n', True, None),  # an extra blank line
        ('data:{"a": 1}\n\n', True, None),  # no space after the colon: the general path strips nothing
        ('data: {"a": 1}\r\n\r\n', True, None),
        ("event: x\ndata: 1\n\n", True, None),
        ("data: a\ndata: b\n\n", True, None),  # one event over two data lines
        (": keep-alive\n\n", True, None),
    ],
)
def test_only_whole_single_line_data_frames_take_the_fast_path(
    text: str, clean: bool, frames: list[str] | None
) -> None:
    from neocloud.core._reading import data_frames

    assert data_frames(text, clean) == frames
