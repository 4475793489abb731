"""``models.transcribe(file=...)``: a path (str or os.PathLike), bytes, or a binary file object, sync and async;
anything else, or a path that is not a file, is refused before sending."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from neocloud.core import RequestValidationError
from neocloud.runcrate import AsyncRuncrate, Runcrate

KEY = "rc_live_unit-test"
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt fake pcm"
URLS = {"base_url": "https://control.test", "inference_url": "https://inference.test"}


def _answer(seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200, json={"text": "hello there", "language": "en"})

    return handle


def _upload(request: httpx.Request) -> tuple[str, bytes, dict[str, str]]:
    """(filename, bytes, text fields) of the multipart body, parsed as the server would."""
    from starlette.formparsers import MultiPartParser

    async def parse() -> tuple[str, bytes, dict[str, str]]:
        async def body() -> Any:
            yield request.content

        form = await MultiPartParser(request.headers, body()).parse()
        upload = form["file"]
        try:
            return upload.filename, await upload.read(), {k: v for k, v in form.items() if isinstance(v, str)}
        finally:
            await form.close()

    return asyncio.run(parse())


def transcribe_sync(file: Any, **kw: Any) -> tuple[str, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    client = Runcrate(api_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(_answer(seen))), **URLS)
    return client.models.transcribe(model="openai/whisper-1", file=file, **kw).text, seen


def transcribe_async(file: Any, **kw: Any) -> tuple[str, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    async def main() -> str:
        transport = httpx.AsyncClient(transport=httpx.MockTransport(_answer(seen)))
        async with AsyncRuncrate(api_key=KEY, http_client=transport, **URLS) as client:
            result = await client.models.transcribe(model="openai/whisper-1", file=file, **kw)
            return result.text

    return asyncio.run(main()), seen


BOTH = pytest.mark.parametrize("transcribe", [transcribe_sync, transcribe_async], ids=["sync", "async"])


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the docstring's example: file="recording.wav", relative to the working directory
    path = tmp_path / "recording.wav"
    path.write_bytes(AUDIO)
    return path


@BOTH
@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (lambda p: "recording.wav", "recording.wav"),  # a str path; the upload is named after the file
        (lambda p: p, "recording.wav"),  # an os.PathLike
        (lambda p: AUDIO, "audio.wav"),  # bytes
        (lambda p: bytearray(AUDIO), "audio.wav"),
        (lambda p: io.BytesIO(AUDIO), "audio.wav"),  # a file object without a name
        (lambda p: p.open("rb"), "recording.wav"),  # an open file: named after it
    ],
    ids=["str", "pathlike", "bytes", "bytearray", "bytesio", "open-file"],
)
def test_every_documented_file_form_uploads_the_same_audio(
    transcribe: Callable[..., tuple[str, list[httpx.Request]]], recording: Path, make: Any, filename: str
) -> None:
    file = make(recording)
    try:
        text, seen = transcribe(file, language="en")
    finally:
        if hasattr(file, "close"):
            file.close()  # the caller's file stays the caller's: transcribe reads it, never closes it
    assert text == "hello there"
    [request] = seen
    assert request.url.path == "/v1/audio/transcriptions" and request.url.host == "inference.test"
    assert _upload(request) == (filename, AUDIO, {"model": "openai/whisper-1", "language": "en"})


@BOTH
def test_the_seed_example_an_open_file_with_its_filename(
    transcribe: Callable[..., tuple[str, list[httpx.Request]]], recording: Path
) -> None:
    with open("recording.wav", "rb") as f:
        text, seen = transcribe(f, filename="take-2.wav", response_format="srt")
    assert text == "hello there"
    assert _upload(seen[0]) == ("take-2.wav", AUDIO, {"model": "openai/whisper-1", "response_format": "srt"})


@BOTH
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: "missing.wav", "no such file 'missing.wav'"),
        (lambda p: p.parent, "is not a file"),  # a directory
        (lambda p: 42, "got int"),
        (lambda p: None, "got NoneType"),
        (lambda p: ["recording.wav"], "got list"),
        (lambda p: io.StringIO("text"), "binary mode"),
        (lambda p: b"", "empty"),
    ],
    ids=["missing", "directory", "int", "none", "list", "text-mode", "empty"],
)
def test_anything_else_is_refused_before_sending(
    transcribe: Callable[..., tuple[str, list[httpx.Request]]], recording: Path, make: Any, match: str
) -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(RequestValidationError, match=match) as info:
        sent = transcribe(make(recording))[1]
    assert info.value.param == "file" and sent == []


def test_async_transcribe_reads_the_file_off_the_event_loop(recording: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from neocloud.runcrate.resources import inference

    readers: list[bool] = []
    real = inference.audio_input

    def spy(file: Any, filename: str | None) -> tuple[str, bytes]:
        readers.append(threading.current_thread() is threading.main_thread())
        return real(file, filename)

    monkeypatch.setattr(inference, "audio_input", spy)
    assert transcribe_async("recording.wav")[0] == "hello there"  # asyncio.run: the loop is the main thread
    assert transcribe_sync("recording.wav")[0] == "hello there"
    assert readers == [False, True]
