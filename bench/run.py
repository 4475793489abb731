"""``make bench``: start the loopback server in its own process, then measure every variant in ONE process,
interleaved round-robin, and report medians as ratios to raw httpx from the same run (Markdown and JSON).

Metrics: a non-streaming chat call, a streamed chunk (500-chunk reply), 200 concurrent async calls, one
embeddings call for 32 texts, construction of a chat model, cold import and peak memory (fresh processes).
``python -m bench.run --quick`` takes fewer samples (for a smoke run; the medians are noisier).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import fresh
from . import variants as V

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.server:app", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], cwd=ROOT)  # fmt: skip
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


def measure_async(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """As ``measure``, for coroutine functions, on one event loop (pools stay bound to it)."""
    with asyncio.Runner() as runner:
        samples: dict[str, list[float]] = {name: [] for name in fns}
        for fn in fns.values():
            runner.run(fn())
        for _ in range(rounds):
            for name, fn in fns.items():
                start = time.perf_counter()
                runner.run(fn())
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


# (metric, variant, floor) → the largest allowed ratio to the floor; floor None means an absolute limit in seconds.
TARGETS: list[tuple[str, str, str | None, float]] = [
    ("call", V.CORE, V.RAW, 1.3),
    ("chunk", V.CORE, V.RAW, 1.5),
    ("concurrent", V.CORE, V.RAW, 1.3),
    ("call", V.LC, V.RAW, 1.6),
    ("chunk", V.LC, V.RAW, 2.5),
    ("call", V.LI, V.RAW, 1.8),
    ("chunk", V.LI, V.RAW, 3.0),
    ("construction", V.LC, None, 1e-3),
    ("import", "neocloud.langchain ChatCerebras", "langchain_core chat_models", 1.15),
    ("import", "neocloud.cerebras Cerebras", "httpx", 1.5),
]
UNITS = {"call": ("µs", 1e6), "chunk": ("µs", 1e6), "concurrent": ("ms", 1e3), "embeddings": ("µs", 1e6),
         "construction": ("µs", 1e6), "import": ("ms", 1e3), "memory": ("MiB", 1.0)}  # fmt: skip
FLOORS = {"import": {"neocloud.cerebras Cerebras": "httpx", "openai": "httpx", "cerebras.cloud.sdk": "httpx"}}


def table(metric: str, values: dict[str, float]) -> list[str]:
    unit, scale = UNITS[metric]
    floor_of = FLOORS.get(metric, {})
    lines = [f"### {metric}", "", f"| variant | {unit} | × floor |", "|---|---|---|"]
    for name, value in values.items():
        floor = values.get(floor_of.get(name, V.RAW)) if metric != "import" else values.get(floor_of.get(name, ""))
        ratio = f"{value / floor:.2f}" if floor else "—"
        lines.append(f"| {name} | {value * scale:,.1f} | {ratio} |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    warnings.filterwarnings("ignore")
    os.environ.setdefault("LANGCHAIN_TRACING_V2", "false")
    proc, base = start_server()
    results: dict[str, dict[str, float]] = {}
    try:
        chat = {**V.chat(base), **V.framework_floors()}
        results["call"] = measure({n: f[0] for n, f in chat.items()}, 5 if quick else 15, 40)
        per_reply = measure({n: f[1] for n, f in chat.items()}, 3 if quick else 7, 2)
        results["chunk"] = {n: t / 500 for n, t in per_reply.items()}
        results["concurrent"] = measure_async(V.concurrent(base), 3 if quick else 9)
        results["embeddings"] = measure(V.embeddings(base), 5 if quick else 15, 20)
        results["construction"] = measure(V.construction(), 5 if quick else 15, 20)
        results["memory"] = fresh.peak_memory(base, rounds=1 if quick else 3)
    finally:
        proc.terminate()
    results["import"] = fresh.cold_imports(rounds=2 if quick else 5)
    # Ratios of the import table: ours against the module they stand on.
    FLOORS["import"].update({"neocloud.langchain ChatCerebras": "langchain_core chat_models",
                             "langchain_openai ChatOpenAI": "langchain_core chat_models",
                             "langchain_cerebras ChatCerebras": "langchain_core chat_models",
                             "neocloud.llamaindex CerebrasLLM": "llama_index.core LLM",
                             "llama_index OpenAILike": "llama_index.core LLM"})  # fmt: skip

    lines = ["## neocloud benchmark (medians; ratios to the floor measured in the same run)", ""]
    for metric, values in results.items():
        lines += table(metric, values)
    lines += ["### targets", "", "| target | limit | measured | |", "|---|---|---|---|"]
    verdicts = []
    for metric, name, floor, limit in TARGETS:
        value = results[metric].get(name)
        floor_value = results[metric].get(floor) if floor else 1.0
        if value is None or floor_value is None:
            verdicts.append({"metric": metric, "variant": name, "limit": limit, "measured": None, "met": False})
            lines.append(f"| {name}, {metric} | {limit} | not measured | not met |")
            continue
        measured = value / floor_value
        met = measured <= limit
        verdicts.append({"metric": metric, "variant": name, "floor": floor, "limit": limit,
                         "measured": round(measured, 6), "met": met})  # fmt: skip
        if floor:
            shown = (f"≤ {limit}× {floor}", f"{measured:.2f}×")
        else:
            shown = (f"≤ {limit * 1e3:g} ms", f"{value * 1e3:.3f} ms")
        lines.append(f"| {name}, {metric} | {shown[0]} | {shown[1]} | {'met' if met else 'not met'} |")
    print("\n".join(lines))
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps({"results": results, "targets": verdicts, "quick": quick}, indent=2))
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
