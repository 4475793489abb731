"""The exact resolution of the workspace, pinned in ``pyproject.toml`` and checked by ``make test``.

``[tool.uv] constraint-dependencies`` lists every package of the universal resolution (runtime and dev, every
transitive package, every Python the packages claim) at one exact version, with the environment markers under
which uv installs it. ``uv.lock`` stays out of the repository: it is derived, and naming no index host in the
repository keeps the pins usable behind any mirror.

    python scripts/pins.py check   # uv lock, then fail unless the lock's packages are exactly the pins
    python scripts/pins.py write   # make pins: re-resolve without the pins, then write them

Only the standard library is used, and the pins block is found by its fixed shape rather than parsed as TOML:
this runs under whatever ``python3`` bootstrapped the tools (3.10 has no ``tomllib``), and ``write`` is what
keeps the block in that shape.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
HINT = "the installed resolution differs from the pins in pyproject.toml: run `make pins`"
BLOCK = re.compile(r"^constraint-dependencies = \[\n(?P<body>(?:.*\n)*?)\]\n", re.MULTILINE)
ENTRY = re.compile(r'^\s*"(?P<pin>[^"]+)",\s*$')
HEADER = "# The exact resolution, written by `make pins` (scripts/pins.py); `make test` fails when it differs.\n"


def uv() -> str:
    return os.environ.get("UV", str(ROOT / ".tools" / "bin" / "uv"))


def read_pins(text: str) -> list[str] | None:
    """The pin lines of ``pyproject.toml``, or ``None`` when it has no pins block."""
    match = BLOCK.search(text)
    if match is None:
        return None
    pins = []
    for line in match["body"].splitlines():
        entry = ENTRY.match(line)
        if entry is not None:
            pins.append(normalise(entry["pin"]))
    return pins


def normalise(pin: str) -> str:
    """One spelling per pin: ``name==version ; markers``, name lower-case with dashes (PEP 503)."""
    requirement, _, markers = pin.partition(";")
    name, _, version = requirement.strip().partition("==")
    name = re.sub(r"[-_.]+", "-", name.strip()).lower()
    out = f"{name}=={version.strip()}"
    return f"{out} ; {markers.strip()}" if markers.strip() else out


def exported() -> list[str]:
    """Every package of the current ``uv.lock`` (not the workspace's own), as ``uv export`` spells it."""
    result = subprocess.run(
        [uv(), "export", "--frozen", "--all-packages", "--all-groups", "--no-emit-workspace", "--no-hashes",
         "--no-header", "--no-annotate", "--quiet"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return sorted({normalise(line) for line in result.stdout.splitlines() if line.strip() and not line.startswith("#")})


def lock(*args: str) -> None:
    subprocess.run([uv(), "lock", "--quiet", *args], cwd=ROOT, check=True)


def differences(pins: list[str], resolution: list[str]) -> tuple[list[str], list[str]]:
    """(resolved but not pinned as resolved, pinned but not resolved)."""
    pinned, resolved = set(pins), set(resolution)
    return sorted(resolved - pinned), sorted(pinned - resolved)


def render(text: str, pins: list[str]) -> str:
    block = "constraint-dependencies = [\n" + "".join(f'    "{pin}",\n' for pin in pins) + "]\n"
    match = BLOCK.search(text)
    if match is not None:
        return text[: match.start()] + block + text[match.end() :]
    # First pins: at the end of the [tool.uv] table, which must then exist.
    table = re.search(r"^\[tool\.uv\]\n(?:(?!\[).*\n)*", text, re.MULTILINE)
    if table is None:
        raise SystemExit("pyproject.toml has no [tool.uv] table to hold the pins")
    body = table.group(0).rstrip("\n") + "\n"
    return text[: table.start()] + body + HEADER + block + "\n" + text[table.end() :].lstrip("\n")


def check() -> int:
    text = PYPROJECT.read_text()
    pins = read_pins(text)
    if pins is None:
        print(f"pins: pyproject.toml has no constraint-dependencies; {HINT}", file=sys.stderr)
        return 1
    lock()
    unpinned, stale = differences(pins, exported())
    if unpinned or stale:
        detail = [f"  resolved, not pinned: {p}" for p in unpinned] + [f"  pinned, not resolved: {p}" for p in stale]
        print("\n".join(detail), file=sys.stderr)
        print(f"pins: {HINT}", file=sys.stderr)
        return 1
    print(f"pins: the resolution matches the {len(pins)} pins")
    return 0


def write() -> int:
    original = PYPROJECT.read_text()
    # Resolve afresh (newest releases up to [tool.uv] exclude-newer), with no pins to hold versions back.
    PYPROJECT.write_text(render(original, []))
    try:
        lock("--upgrade")
        pins = exported()
    except BaseException:
        PYPROJECT.write_text(original)
        raise
    PYPROJECT.write_text(render(original, pins))
    lock()
    unpinned, stale = differences(pins, exported())
    if unpinned or stale:  # the pins must reproduce the resolution they came from
        print(f"pins: re-resolving with the new pins changed {unpinned + stale}", file=sys.stderr)
        return 1
    before = set(read_pins(original) or [])
    print(f"pins: wrote {len(pins)} pins ({len(set(pins) - before)} new or changed, {len(before - set(pins))} gone)")
    return 0


def main(argv: list[str]) -> int:
    if argv == ["check"]:
        return check()
    if argv == ["write"]:
        return write()
    print("usage: python scripts/pins.py check|write", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
