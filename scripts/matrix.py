"""``make test`` after the pins check: lint, docs and the cassette scan once; types and tests on every Python.

The Pythons are the lowest the packages claim and the newest claimed that is installed (``scripts/pythons.py``).
Each gets its own venv under ``.venvs/X.Y`` that later runs reuse. The Pythons run side by side, one job each
(the machine has two cores and each test session is mostly one busy thread), and the checks that do not depend
on the Python version join the newest Python's job, the shorter one. Each job writes its log to
``.venvs/X.Y/test.log``; the log is printed when the job ends. ``MATRIX_JOBS=1`` runs them one after the other
with the output streamed. Standard library only: this runs under the tools' interpreter.
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


# Tests marked ``once`` check what does not depend on the interpreter and cost the most CPU (building the
# distributions, fresh venvs, a subprocess per import check): they run in the newest Python's job only, which keeps
# the two side-by-side jobs within the machine's two cores. Those marked ``once_oldest`` run in the oldest
# Python's job only instead: the newest job also lints, builds the docs and scans the cassettes, so this evens the
# two jobs out.
def unit_args(index: int, count: int) -> str:
    """The pytest marker expression of the ``index``-th of ``count`` Pythons (oldest first)."""
    if count == 1:
        return "UNIT_ARGS="
    if index == count - 1:
        return "UNIT_ARGS=-m 'not once_oldest'"
    if index == 0:
        return "UNIT_ARGS=-m 'not once'"
    return "UNIT_ARGS=-m 'not once and not once_oldest'"


def command(version: str, interpreter: str, targets: tuple[str, ...], *extra: str) -> list[str]:
    return ["make", "--no-print-directory", f"VENV=.venvs/{version}", f"PYTHON={interpreter}", *extra, *targets]


def interpreter_version(path: str) -> str:
    return subprocess.run(
        [path, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, check=True
    ).stdout.strip()


def find_pythons() -> tuple[list[tuple[str, str]], list[str]]:
    finder = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pythons.py")], capture_output=True, text=True, check=False
    )
    missing = [line.removeprefix("pythons: ") for line in finder.stderr.splitlines() if line.strip()]
    pythons = [(v, p) for v, _, p in (line.partition(" ") for line in finder.stdout.splitlines() if line.strip())]
    return pythons, missing


def run_streamed(jobs: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]) -> list[str]:
    for version, path, targets, extra in jobs:
        print(f"==> Python {version}: make {' '.join(targets)}", flush=True)
        if subprocess.run(command(version, path, targets, *extra), cwd=ROOT, check=False).returncode != 0:
            return [version]
    return []


def run_side_by_side(jobs: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]) -> list[str]:
    running = []
    for version, path, targets, extra in jobs:
        log = ROOT / ".venvs" / version / "test.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        print(f"==> Python {version}: make {' '.join(targets)} (log: {log.relative_to(ROOT)})", flush=True)
        handle = log.open("w")
        process = subprocess.Popen(command(version, path, targets, *extra), cwd=ROOT, stdout=handle,
                                   stderr=subprocess.STDOUT)  # fmt: skip
        running.append((version, process, handle, log, time.monotonic()))
    failed = []
    while running:
        for entry in list(running):
            version, process, handle, log, started = entry
            if process.poll() is None:
                continue
            running.remove(entry)
            handle.close()
            status = "passed" if process.returncode == 0 else "FAILED"
            print(f"==> Python {version}: {status} in {time.monotonic() - started:.0f} s", flush=True)
            print(log.read_text(), end="", flush=True)
            if process.returncode != 0:
                failed.append(version)
        time.sleep(0.2)
    return failed


def main() -> int:
    pythons, missing = find_pythons()
    for line in missing:
        print(f"make test: {line}", flush=True)
    if not pythons:
        print("make test: no Python the packages claim is installed", file=sys.stderr)
        return 1
    started = time.monotonic()
    # Venvs first, one after the other: uv shares one cache, and a failed sync should stop everything early.
    for version, path in pythons:
        if subprocess.run(command(version, path, ("sync",)), cwd=ROOT, check=False).returncode != 0:
            print(f"make test: could not build the venv for Python {version} ({path})", file=sys.stderr)
            return 1
    jobs = [(v, p, (ONCE if i == len(pythons) - 1 else ()) + EACH, (unit_args(i, len(pythons)),))
            for i, (v, p) in enumerate(pythons)]  # fmt: skip
    side_by_side = os.environ.get("MATRIX_JOBS", "2") != "1" and len(jobs) > 1
    failed = run_side_by_side(jobs) if side_by_side else run_streamed(jobs)
    if failed:
        print(f"make test: FAILED on Python {', '.join(failed)}", file=sys.stderr)
        return 1
    tested = ", ".join(f"{interpreter_version(path)} ({path})" for _, path in pythons)
    print(f"make test: passed on Python {tested} in {time.monotonic() - started:.0f} s")
    for line in missing:
        print(f"make test: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
