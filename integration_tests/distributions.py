"""Our distributions as users install them: built once per test session, and the install lines the docs show.

``built_dist`` runs ``uv build --all-packages`` (wheels and sdists, as ``make dist`` does) once however many tests
ask for it. ``install_lines`` finds every ``pip install ...`` in the docs and the README (fenced blocks and inline
code), so a test can run exactly what a reader would type; ``split_pip`` separates its options from the
requirements it names.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*(ROOT / "docs").rglob("*.md"), ROOT / "README.md"])
# A pip command in a fenced block (a line of its own) or in inline code (`pip install ...`).
INSTALL = re.compile(r"(?:^|`)[ \t]*(pip install [^`\n#]+)", re.M)
# pip options that take a value (the next word), as the docs may use them.
VALUED = frozenset({"--find-links", "-f", "--index-url", "-i", "--extra-index-url", "--constraint", "-c"})
_BUILT: dict[str, Path] = {}


def uv() -> str:
    # `uv run` exports UV (the running binary); `make` bootstraps one into .tools/.
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed to build the distributions (make sync installs it into .tools/)")
    return found


def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every distribution's wheel and sdist, built from this checkout once per session."""
    if "dist" not in _BUILT:
        out = tmp_path_factory.mktemp("dist")
        done = subprocess.run([uv(), "build", "--all-packages", "--out-dir", str(out), "--quiet"], cwd=ROOT,
                              capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        _BUILT["dist"] = out
    return _BUILT["dist"]


@dataclass(frozen=True)
class InstallLine:
    """One documented ``pip install`` command and the pages that show it."""

    command: str
    pages: tuple[str, ...]


def install_lines(pages: list[Path] = PAGES) -> list[InstallLine]:
    found: dict[str, list[str]] = {}
    for page in pages:
        for match in INSTALL.finditer(page.read_text()):
            command = " ".join(match[1].split())
            found.setdefault(command, []).append(str(page.relative_to(ROOT)))
    return [InstallLine(command, tuple(sorted(set(where)))) for command, where in found.items()]


def split_pip(command: str) -> tuple[list[str], list[str]]:
    """``pip install`` options (with their values) and the requirements, from one command line."""
    words = shlex.split(command)
    assert words[:2] == ["pip", "install"], command
    options: list[str] = []
    requirements: list[str] = []
    rest = iter(words[2:])
    for word in rest:
        if word in VALUED:
            options += [word, next(rest)]
        elif word.startswith("-"):
            options.append(word)
        else:
            requirements.append(word)
    return options, requirements


def parse_requirement(requirement: str) -> tuple[str, set[str]]:
    name, _, extras = requirement.partition("[")
    return name, set(filter(None, extras.rstrip("]").split(",")))
