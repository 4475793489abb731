"""What every docs generator does with its output: rewrite the file, or with ``--check`` report it stale (exit 1)."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(pages: dict[Path, str], script: str, argv: list[str] | None = None) -> int:
    """Write each page's new text, or (``--check``) exit 1 naming the stale pages without writing."""
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = [path for path, text in pages.items() if not path.exists() or path.read_text() != text]
    if check:
        if stale:
            names = ", ".join(str(p) for p in stale)
            print(f"out of date (run `python scripts/{script}`): {names}", file=sys.stderr)
            return 1
        return 0
    for path in stale:
        path.write_text(pages[path])
    return 0
