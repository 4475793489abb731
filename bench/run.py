"""``make bench``: start the loopback server in its own process, then measure every variant, and report medians
as ratios to raw httpx2 from the same run, with every target met or not met (Markdown and JSON).

Metrics: a non-streaming chat call, a streamed chunk (500-chunk reply), one embeddings call for 32 texts,
construction of a chat model (all in this process, interleaved round-robin), the scaling table (async closed
loop at 1 to 3,000 calls in flight and 100 / 1,000 concurrent streams, each variant in its own process; see
``bench.scaling``), cold import and peak memory (fresh processes).
``python -m bench.run --quick`` (``make bench ARGS=--quick``) is the short run that still prints every table and
target: fewer samples (noisier medians) and the smaller levels (1 / 100 / 1,000 calls, 100 streams).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fresh, report, scaling
from . import variants as V
from .async_variants import BUILDERS
from .server import raise_fd_limit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """How much of everything to measure: rounds (samples per median) and calls per sample."""

    call_rounds: int = 15
    stream_rounds: int = 7
    embed_rounds: int = 15
    construct_rounds: int = 15
    memory_rounds: int = 3
    import_rounds: int = 5
    calls: int = 40
    levels: list[tuple[str, int, int]] = field(default_factory=lambda: list(scaling.FULL))
    scaling_rounds: int = scaling.ROUNDS


FULL = Sizes()
QUICK = Sizes(call_rounds=5, stream_rounds=3, embed_rounds=5, construct_rounds=5, memory_rounds=1,
              import_rounds=1, calls=20, levels=list(scaling.QUICK))  # fmt: skip
ALL_TABLES = ("call", "chunk", "embeddings", "construction", "scaling", "memory", "import")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.server", str(port)], cwd=ROOT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the benchmark server did not start")


def measure(fns: dict[str, Callable[[], Any]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call, all variants interleaved round-robin (drift hits them alike)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():  # warm every pool and import
        for _ in range(3):
            fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def collect(base: str, sizes: Sizes, tables: Collection[str], scaled: list[str]) -> dict[str, Any]:
    """Every asked-for table's results, measured against the server at ``base`` (imports need no server)."""
    results: dict[str, Any] = {}
    if "call" in tables or "chunk" in tables:
        chat = V.chat(base)
        if "call" in tables:
            results["call"] = measure({n: f[0] for n, f in chat.items()}, sizes.call_rounds, sizes.calls)
        if "chunk" in tables:
            per_reply = measure({n: f[1] for n, f in chat.items()}, sizes.stream_rounds, 2)
            results["chunk"] = {n: t / 500 for n, t in per_reply.items()}
    if "embeddings" in tables:
        results["embeddings"] = measure(V.embeddings(base), sizes.embed_rounds, max(1, sizes.calls // 2))
    if "construction" in tables:
        results["construction"] = measure(V.construction(), sizes.construct_rounds, sizes.calls)
    if "scaling" in tables:
        results["scaling"] = scaling.measure(base, scaled, sizes.levels, sizes.scaling_rounds)
    if "memory" in tables:
        results["memory"] = fresh.peak_memory(base, rounds=sizes.memory_rounds)
    if "import" in tables:
        results["import"] = fresh.cold_imports(rounds=sizes.import_rounds)
    return results


def render(results: dict[str, Any], quick: bool) -> tuple[str, list[dict[str, Any]]]:
    """The Markdown report and the target verdicts."""
    mode = "quick: fewer samples, smaller levels" if quick else "full"
    lines = [f"## neocloud benchmark ({mode}; medians; ratios to the floor measured in the same run)", ""]
    for metric, values in results.items():
        lines += report.scaling_tables(values) if metric == "scaling" else report.table(metric, values)
    found = report.verdicts({k: v for k, v in results.items() if k != "scaling"}, results.get("scaling", {}))
    return "\n".join([*lines, *report.targets_table(found)]), found


def main(argv: list[str] | None = None, sizes: Sizes | None = None, tables: Collection[str] = ALL_TABLES,
         scaled: list[str] | None = None, out: Path | None = ROOT / "bench" / "results.json") -> str:  # fmt: skip
    """Run the benchmark; returns (and prints) the report. ``sizes``, ``tables`` and ``scaled`` (the variants
    of the scaling table) narrow it; by default everything, at the full or ``--quick`` sizes."""
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    sizes = sizes or (QUICK if quick else FULL)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("LANGCHAIN_TRACING_V2", "false")
    raise_fd_limit()
    proc, base = start_server()
    try:
        results = collect(base, sizes, tables, list(BUILDERS) if scaled is None else scaled)
    finally:
        proc.terminate()
        proc.wait()
    text, found = render(results, quick)
    print(text)
    if out is not None:
        out.write_text(json.dumps({"results": results, "targets": found, "quick": quick}, indent=2))
        print(f"\nJSON: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return text


if __name__ == "__main__":
    main()
