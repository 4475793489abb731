"""docs/capabilities.md is generated from the providers' declarations: it must match them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_providers_page_matches_the_declarations() -> None:
    done = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_provider_is_documented() -> None:
    text = (ROOT / "docs" / "capabilities.md").read_text()
    for name in ("Cerebras", "Cluster Protocol", "MetalCloud", "Runcrate", "InferenceKey"):
        assert f"| {name} | `neocloud-" in text


def test_operation_tables_match_the_clients() -> None:
    done = subprocess.run([sys.executable, "scripts/gen_operations.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    runcrate = (ROOT / "docs" / "providers" / "runcrate.md").read_text()
    assert "`client.instances.create(" in runcrate and "`client.jobs.artifacts.download(" in runcrate
