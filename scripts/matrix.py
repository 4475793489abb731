"""``make test`` after the pins check: lint, docs and the cassette scan once; types and tests on every Python.

The Pythons are the lowest the packages claim and the newest claimed that is installed (``scripts/pythons.py``).
Each gets its own venv under ``.venvs/X.Y`` that later runs reuse; the checks that do not depend on the
Python version run once, in the first. Standard library only: this runs under the tools' interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONCE = ("lint", "docs", "cassettes")
EACH = ("typecheck", "unit")


def make(version: str, interpreter: str, targets: tuple[str, ...]) -> int:
    command = ["make", "--no-print-directory", f"VENV=.venvs/{version}", f"PYTHON={interpreter}", *targets]
    print(f"==> Python {version}: make {' '.join(targets)}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def interpreter_version(path: str) -> str:
    return subprocess.run(
        [path, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> int:
    finder = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pythons.py")], capture_output=True, text=True, check=False
    )
    missing = finder.stderr.strip()
    if missing:
        print(missing, flush=True)
    pythons = [line.split(" ", 1) for line in finder.stdout.splitlines() if line.strip()]
    if finder.returncode != 0 or not pythons:
        print("make test: no Python the packages claim is installed", file=sys.stderr)
        return 1
    started = time.monotonic()
    for index, (version, path) in enumerate(pythons):
        targets = (ONCE if index == 0 else ()) + EACH
        if make(version, path, targets) != 0:
            print(f"make test: FAILED on Python {version} ({path})", file=sys.stderr)
            return 1
    tested = ", ".join(f"{interpreter_version(path)} ({path})" for _, path in pythons)
    print(f"make test: passed on Python {tested} in {time.monotonic() - started:.0f} s")
    if missing:
        print("make test: " + "; ".join(line.removeprefix("pythons: ") for line in missing.splitlines()))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
