"""Fail when any cassette holds something that looks like a real API key (run by ``make test``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "testing"))

from neocloud_testing.cassettes import scan_cassettes

SECRET_ENV = (
    "CEREBRAS_API_KEY",
    "METALCLOUD_API_KEY",
    "CLUSTER_API_KEY",
    "RUNCRATE_API_KEY",
    "INFERENCEKEY_SDK_TOKEN",
    "INFERENCEKEY_API_KEY",
)


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "cassettes"
    files = sorted(root.rglob("*.yaml"))
    problems = scan_cassettes(files, [os.environ.get(name, "") for name in SECRET_ENV])
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"cassette scan: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
