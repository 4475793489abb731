"""``neocloud.core.paths``: every id becomes exactly one path segment, or is refused (table-driven, pure)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from neocloud.core.errors import LocalBadRequestError, RequestValidationError
from neocloud.core.paths import build, segment, segment_problem, subpath


class Refused(RequestValidationError):
    """A provider's local class, to check that the one given is the one raised."""


ENCODED: list[tuple[str, str]] = [
    ("inst_1", "inst_1"),
    ("llama3.1-8b", "llama3.1-8b"),
    ("a~b_c-d.e", "a~b_c-d.e"),  # unreserved characters stay
    ("inst_1/../../storage/vol_9", "inst_1%2F..%2F..%2Fstorage%2Fvol_9"),
    ("../ssh-keys", "..%2Fssh-keys"),
    ("../../_sandbox/reset", "..%2F..%2F_sandbox%2Freset"),
    ("x?environment=prod", "x%3Fenvironment%3Dprod"),
    ("x#frag", "x%23frag"),
    ("100%", "100%25"),
    ("%2e%2e", "%252e%252e"),  # an already-encoded dot-dot stays data
    ("a b", "a%20b"),
    (" padded ", "%20padded%20"),
    ("...", "..."),  # three dots are a name, not a relative segment
    ("a/b", "a%2Fb"),
    ("a\\b", "a%5Cb"),
    ("a;b=c", "a%3Bb%3Dc"),
    ("modèle", "mod%C3%A8le"),
    ("模型", "%E6%A8%A1%E5%9E%8B"),
    ("🙂", "%F0%9F%99%82"),
]

REFUSED: list[tuple[Any, str]] = [
    ("", "empty"),
    ("   ", "blank"),
    (".", "relative"),
    ("..", "relative"),
    ("a\x00b", "control"),
    ("a\nb", "control"),
    ("a\rb", "control"),
    ("a\tb", "control"),
    ("\x7f", "control"),
    ("a\x85b", "control"),
    ("\ud800", "surrogate"),
    (None, "string"),
    (5, "string"),
    (5.0, "string"),
    (True, "string"),
    (b"inst_1", "string"),
    (["inst_1"], "string"),
    ({"id": "x"}, "string"),
]


@pytest.mark.parametrize(("value", "encoded"), ENCODED)
def test_a_valid_id_is_one_encoded_segment(value: str, encoded: str) -> None:
    assert segment_problem(value) is None
    out = segment("instance_id", value, error=Refused)
    assert out == encoded
    assert "/" not in out and "?" not in out and "#" not in out
    assert unquote(out) == value  # the server reads back exactly the id that was given


@pytest.mark.parametrize(("value", "why"), REFUSED)
def test_an_impossible_id_is_refused_with_the_given_class_naming_the_argument(value: Any, why: str) -> None:
    problem = segment_problem(value)
    assert problem is not None and why in problem
    with pytest.raises(Refused) as info:
        segment("volume_id", value, error=Refused)
    assert info.value.param == "volume_id"
    assert "volume_id" in str(info.value) and info.value.allowed


def test_a_long_id_is_shown_shortened_in_the_message() -> None:
    with pytest.raises(LocalBadRequestError) as info:
        segment("job_id", "\x00" * 10_000, error=LocalBadRequestError)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("value", "expected"),
    [("out/model.bin", "out/model.bin"), ("a b/c?d", "a%20b/c%3Fd"), ("logs/100%.txt", "logs/100%25.txt")],
)
def test_a_subpath_keeps_its_slashes_and_encodes_each_segment(value: str, expected: str) -> None:
    assert subpath("path", value, error=Refused) == expected


@pytest.mark.parametrize("value", ["../secrets", "a/../../b", "a//b", "/abs", "a/", "./a", "a/\x00", 7])
def test_a_subpath_with_an_impossible_segment_is_refused(value: Any) -> None:
    with pytest.raises(Refused) as info:
        subpath("path", value, error=Refused)
    assert info.value.param == "path"


def test_build_fills_every_placeholder_and_only_those() -> None:
    path = build("/api/v1/jobs/{job_id}/artifacts/{path:path}", error=Refused, job_id="j/1", path="out/a b")
    assert path == "/api/v1/jobs/j%2F1/artifacts/out/a%20b"
    with pytest.raises(Refused):
        build("/api/v1/instances/{instance_id}", error=Refused, instance_id="..")
    with pytest.raises(KeyError):
        build("/api/v1/instances/{instance_id}", error=Refused)
    with pytest.raises(KeyError):
        build("/api/v1/instances/{instance_id}", error=Refused, instance_id="i", other="x")
