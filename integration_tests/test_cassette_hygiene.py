"""The cassette secret scanner, on synthetic keys, and on the repository's own cassettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neocloud_testing.cassettes import canonical_uri, scan_cassettes, serializer

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("line", "kinds"),
    [
        ("authorization: Bearer abcdefghijklmnopqrstuvwxyz", ["bearer token", "credential header"]),
        ('"api_key": "csk-' + "a1" * 10 + '"', ["provider-key-shaped value"]),
        ("token rc_live_" + "Z" * 20, ["provider-key-shaped value"]),
        ("ik_sdk_" + "9" * 16, ["provider-key-shaped value"]),
        ("x-api-key: anything", ["credential header"]),
        ("content-type: application/json", []),
        ("csk-sandbox-valid", []),
        ("key: sk-short", []),
    ],
)
def test_scanner_flags_key_shaped_values(tmp_path: Path, line: str, kinds: list[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"interactions:\n- {line}\n")
    problems = scan_cassettes([path])
    assert [p.split(": ", 1)[1] for p in problems] == kinds
    for problem in problems:  # the report names file, line and kind, never the value
        assert line not in problem


def test_scanner_flags_secret_env_values(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("body: my-very-private-value\n")
    assert scan_cassettes([path], ["my-very-private-value"]) == [f"{path}:1: value of a secret environment variable"]


def test_repository_cassettes_are_clean() -> None:
    files = sorted((ROOT / "cassettes").rglob("*.yaml"))
    assert scan_cassettes(files) == []


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://127.0.0.1:54321/cerebras/v1/models", "http://sandbox.invalid/cerebras/v1/models"),
        ("http://localhost:8765/cerebras/v1/models", "http://sandbox.invalid/cerebras/v1/models"),
        ("https://api.cerebras.ai/v1/chat/completions", "http://sandbox.invalid/cerebras/v1/chat/completions"),
        ("http://sandbox.invalid/cerebras/v1/models", "http://sandbox.invalid/cerebras/v1/models"),
    ],
)
def test_canonical_uri(uri: str, expected: str) -> None:
    assert canonical_uri(uri) == expected


def test_serializer_round_trip_keeps_bodies_readable() -> None:
    cassette = {
        "interactions": [
            {
                "request": {
                    "body": '{"model": "m", "messages": []}',
                    "headers": {"content-type": ["application/json"]},
                    "method": "POST",
                    "uri": "http://sandbox.invalid/x",
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"content-type": ["text/event-stream"]},
                    "body": {"string": 'data: {"a": 1}\n\ndata: [DONE]\n\n'},
                },
            }
        ],
        "version": 1,
    }
    text = serializer.serialize(cassette)
    assert "parsed_body:" in text and "body: |" in text
    back = serializer.deserialize(text)
    assert back["interactions"][0]["response"]["body"]["string"] == b'data: {"a": 1}\n\ndata: [DONE]\n\n'
    assert back["interactions"][0]["request"]["body"] == '{"model": "m", "messages": []}'


def test_serializer_writes_long_number_lists_compactly() -> None:
    vector = [round((i * 0.618034) % 1 - 0.5, 6) for i in range(1024)]  # one embedding of a 1024-wide model
    body = json.dumps({"data": [{"embedding": vector, "index": 0}], "ids": [1, 2]})
    cassette = {"interactions": [{
        "request": {"body": "", "headers": {}, "method": "POST", "uri": "http://sandbox.invalid/x"},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {"content-type": ["application/json"]},
                     "body": {"string": body.encode()}}}], "version": 1}  # fmt: skip
    text = serializer.serialize(cassette)
    assert len(text.splitlines()) < 120  # a few dozen numbers per line, not one line per number
    assert "embedding: [" in text and "ids:\n" in text  # short lists keep the block style
    back = json.loads(serializer.deserialize(text)["interactions"][0]["response"]["body"]["string"])
    assert back["data"][0]["embedding"] == vector
