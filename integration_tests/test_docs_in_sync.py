"""docs/providers.md is generated from the providers' declarations: it must match them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_providers_page_matches_the_declarations() -> None:
    done = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_provider_is_documented() -> None:
    text = (ROOT / "docs" / "providers.md").read_text()
    for name in ("Cerebras", "Cluster Protocol", "MetalCloud", "Runcrate", "InferenceKey"):
        assert f"| {name} | `neocloud-" in text
