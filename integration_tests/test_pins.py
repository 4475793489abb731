"""The pins in pyproject.toml and the scripts behind ``make pins`` / ``make test`` (pure parts, table-driven)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pins = load("pins")
pythons = load("pythons")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anyio==4.16.0", "anyio==4.16.0"),
        ("Typing_Extensions==4.15.0", "typing-extensions==4.15.0"),
        ("zope.interface==8.0", "zope-interface==8.0"),
        (
            "langchain-core==1.7.7 ; python_full_version < '3.11'",
            "langchain-core==1.7.7 ; python_full_version < '3.11'",
        ),
        ("numpy==2.2.6;python_full_version < '3.11'", "numpy==2.2.6 ; python_full_version < '3.11'"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert pins.normalise(raw) == expected


@pytest.mark.parametrize(
    ("pinned", "resolved", "unpinned", "stale"),
    [
        (["a==1", "b==2"], ["a==1", "b==2"], [], []),
        (["a==1"], ["a==1", "b==2"], ["b==2"], []),  # a new dependency, not re-pinned
        (["a==1", "b==2"], ["a==1"], [], ["b==2"]),  # a pin nothing needs any more
        (["a==1"], ["a==2"], ["a==2"], ["a==1"]),  # another version
        (["a==1 ; python_full_version < '3.11'"], ["a==1"], ["a==1"], ["a==1 ; python_full_version < '3.11'"]),
    ],
)
def test_differences(pinned: list[str], resolved: list[str], unpinned: list[str], stale: list[str]) -> None:
    assert pins.differences(pinned, resolved) == (unpinned, stale)


def test_render_then_read_round_trips_and_keeps_the_rest() -> None:
    text = '[project]\nname = "x"\n\n[tool.uv]\npackage = false\n\n[tool.other]\nkey = 1\n'
    first = pins.render(text, ["a==1", "b==2 ; python_full_version >= '3.11'"])
    assert pins.read_pins(first) == ["a==1", "b==2 ; python_full_version >= '3.11'"]
    assert first.startswith('[project]\nname = "x"\n\n[tool.uv]\npackage = false\n')
    assert first.endswith("\n[tool.other]\nkey = 1\n")
    second = pins.render(first, ["c==3"])
    assert pins.read_pins(second) == ["c==3"]
    assert second.replace('    "c==3",\n', "") == first.replace('    "a==1",\n', "").replace(
        "    \"b==2 ; python_full_version >= '3.11'\",\n", ""
    )


def test_read_pins_without_a_block_is_none() -> None:
    assert pins.read_pins("[tool.uv]\npackage = false\n") is None


def test_the_repository_pins_every_package_once_and_names_no_host() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    pinned = pins.read_pins(text)
    assert pinned, "pyproject.toml has no pins: run `make pins`"
    assert pinned == sorted(pinned)
    assert all(re.fullmatch(r"[a-z0-9-]+==[^ ;]+( ; .+)?", p) for p in pinned)
    # One version per package and environment: a package pinned twice differs in its markers.
    assert len(set(pinned)) == len(pinned)
    assert not re.search(r"https?://", text), "pyproject.toml must not name a package index"


def test_the_claimed_pythons_come_from_every_package() -> None:
    claimed = pythons.claimed()
    assert claimed[0] == (3, 10)  # requires-python >= 3.10
    assert claimed == [(3, minor) for minor in range(10, claimed[-1][1] + 1)]
