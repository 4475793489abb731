"""Every example of the Runcrate SDK page, with only its imports changed, against the sandbox."""

from __future__ import annotations

import ast
import asyncio
import base64
import contextlib
import inspect
import io
import time
from pathlib import Path
from typing import Any

import pytest

from neocloud.runcrate import NotFoundError, UnprocessableEntityError

from .seed_examples_runcrate import EXAMPLES

# Placeholders the page leaves literal: "your-key-id" is no SSH key of ours (422 before launching) and
# "volume-id" is no volume (404) — what the real API answers too.
RAISES: dict[str, type[Exception]] = {"instances": UnprocessableEntityError, "storage": NotFoundError}
EXPECTED = {
    "quick_start": ".",
    "context_manager": "Credits: $100",
    "streaming": ".",
    "instances": "a100-1x-us-east",
    "billing": "Has more: ",
    "templates": "Total: 2",
    "error_handling": "Not found: Instance nonexistent not found",
    "transcription": "",
}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def rewrite(source: str) -> str:
    """Only the imports change: ``runcrate`` is ``neocloud.runcrate``."""
    return source.replace("from runcrate import", "from neocloud.runcrate import")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, live_sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # the page reads ./photo.png etc. and writes output files
    for image in ("photo.png", "edges.png", "first_frame.png"):
        (tmp_path / image).write_bytes(PNG)
    (tmp_path / "recording.wav").write_bytes(b"RIFF" + bytes(64))
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: real_sleep(min(seconds, 0.05)))  # the page polls every 5 s
    from neocloud.runcrate import Runcrate

    # Later snippets use the Quick Start's import and `client`.
    namespace: dict[str, Any] = {
        "__name__": "__example__", "Runcrate": Runcrate, "client": Runcrate(api_key="rc_live_YOUR_API_KEY"),
    }  # fmt: skip
    out = io.StringIO()
    expect = pytest.raises(RAISES[name]) if name in RAISES else contextlib.nullcontext()
    code = compile(rewrite(EXAMPLES[name]), f"<runcrate example {name}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    with contextlib.redirect_stdout(out), expect:
        result = eval(code, namespace)  # the async example awaits at top level, as in a notebook
        if inspect.iscoroutine(result):
            asyncio.run(result)
    assert EXPECTED.get(name, "") in out.getvalue(), out.getvalue()
    if name == "video_and_save":
        assert (tmp_path / "output.mp4").read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    if name == "image_generation":
        assert (tmp_path / "output.png").read_bytes().startswith(PNG[:8])
    if name == "text_to_speech":
        assert (tmp_path / "speech.mp3").read_bytes().startswith(b"ID3")
