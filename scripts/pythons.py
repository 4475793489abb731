"""The Pythons ``make test`` runs on: the lowest the packages claim, and the newest claimed that is installed.

What the packages claim is read from their ``Programming Language :: Python :: 3.X`` classifiers (all of them
must agree with ``requires-python``, which names the lowest). Interpreters are found by ``uv python find`` (the
same search uv does for a project: virtual environments, uv-managed Pythons, then ``pythonX.Y`` on PATH),
never downloaded. Prints ``X.Y <path>`` lines on stdout, one per Python to test, and says on stderr which
claimed versions were not found.

pyenv's shims answer only for the versions pyenv has selected, and fail for the others even when installed; so
when pyenv is present, every installed pyenv version is added after the selected ones for the search (as
``pyenv global 3.11.7 3.13.0 3.12.1 ...`` would).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLASSIFIER = re.compile(r'"Programming Language :: Python :: 3\.(\d+)"')


def claimed() -> list[tuple[int, int]]:
    """Every ``3.X`` that every package claims, ascending."""
    sets = []
    for pyproject in sorted(ROOT.glob("packages/*/pyproject.toml")):
        minors = {int(m) for m in CLASSIFIER.findall(pyproject.read_text())}
        if minors:
            sets.append(minors)
    common = set.intersection(*sets) if sets else set()
    return [(3, minor) for minor in sorted(common)]


def search_env() -> dict[str, str]:
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    pyenv = shutil.which("pyenv")
    if pyenv:
        bare = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True, check=False).stdout
        versions = [v for v in bare.split() if re.fullmatch(r"3\.\d+\.\d+", v)]
        versions.sort(key=lambda v: tuple(int(p) for p in v.split(".")), reverse=True)
        # A shim run (python3 itself may be one) already exports the selected version: keep it first.
        selected = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
        if versions:
            env["PYENV_VERSION"] = ":".join(selected + [v for v in versions if v not in selected])
    return env


def find(version: tuple[int, int], uv: str, env: dict[str, str]) -> str | None:
    wanted = f"{version[0]}.{version[1]}"
    result = subprocess.run(
        [uv, "python", "find", "--no-project", wanted], capture_output=True, text=True, env=env, check=False
    )
    path = result.stdout.strip()
    return path if result.returncode == 0 and path else None


def main() -> int:
    uv = os.environ.get("UV", str(ROOT / ".tools" / "bin" / "uv"))
    versions = claimed()
    if not versions:
        print("pythons: no package claims a Python version in its classifiers", file=sys.stderr)
        return 1
    env = search_env()
    found = {v: find(v, uv, env) for v in versions}
    installed = [v for v in versions if found[v]]
    lowest, newest = versions[0], versions[-1]
    for label, version in (("lowest", lowest), ("newest", newest)):
        if not found[version]:
            print(f"pythons: Python {version[0]}.{version[1]} ({label} claimed) not found: not tested", file=sys.stderr)
    chosen: list[tuple[int, int]] = []
    if installed:
        chosen = sorted({installed[0], installed[-1]})
    for version in chosen:
        print(f"{version[0]}.{version[1]} {found[version]}")
    return 0 if chosen else 1


if __name__ == "__main__":
    sys.exit(main())
