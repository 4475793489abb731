"""The scaling table: an async closed loop at each level (N callers in flight, each making its next call as soon
as its last one returns), every client with its default settings.

Each variant runs in its own process (``python -m bench.scaling VARIANT BASE SPEC``), one after the other,
so that process CPU time (``time.process_time``) and peak resident memory (``VmHWM``, reset before each level
through ``/proc/self/clear_refs``) are that client's alone; the server, in yet another process, counts the
sockets it accepts, which gives the new connections each level opened. "RSS flat": the top call level is run a
second time right after the first, and the resident set may grow by at most ``RSS_GROWTH`` (plus 1 MiB) from
the end of the first pass to the end of the second (a pool or cache that grows with every call would show).

The variants with targets, their floor and the framework floors (``REPEATED``) run ``rounds`` times, interleaved
(all of them once, then all again): on a shared machine a variant measured alone a minute after another meets a
different machine, and the median of interleaved passes is what a ratio between them can stand on (``combine``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from .variants import CORE, LC, LC_FLOOR, LI, LI_FLOOR, RAW2, TYPED

ROOT = Path(__file__).resolve().parent.parent

RSS_GROWTH = 0.05
ROUNDS = 3  # interleaved passes of each REPEATED variant (one for the incumbents)
STREAM_CHUNKS = 20  # each streamed reply of the scaling table (the ``/chunks/N`` prefix of the server)

# (kind, callers in flight, calls per caller): the full run, then --quick.
FULL = [("calls", 1, 300), ("calls", 100, 10), ("calls", 1000, 4), ("calls", 3000, 2),
        ("streams", 100, 4), ("streams", 1000, 2)]  # fmt: skip
QUICK = [("calls", 1, 30), ("calls", 100, 2), ("calls", 1000, 1), ("streams", 100, 1)]
REPEATED = frozenset({RAW2, TYPED, CORE, LC, LI, LC_FLOOR, LI_FLOOR})


def _status(field: str) -> float:
    """A ``/proc/self/status`` field in MiB (0 where there is no /proc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> None:
    try:  # "5" resets the peak resident set (VmHWM) to the current one (Linux ≥ 4.0)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _accepted(base: str) -> int:
    root = base.split("/chunks/")[0]
    with urllib.request.urlopen(f"{root}/_bench/stats", timeout=10) as r:  # noqa: S310 (loopback, our server)
        return int(json.loads(r.read())["accepted"])


def _is_pool_timeout(exc: BaseException | None) -> bool:
    while exc is not None:
        if type(exc).__name__ == "PoolTimeout":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


async def run_level(fn: Any, base: str, inflight: int, per_caller: int) -> dict[str, Any]:
    """One closed-loop level: ``inflight`` callers, each making ``per_caller`` calls back to back."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    pool_timeouts = 0

    async def caller() -> None:
        nonlocal pool_timeouts
        for _ in range(per_caller):
            start = time.perf_counter()
            try:
                await fn()
            except Exception as exc:
                errors[type(exc).__name__] += 1
                pool_timeouts += _is_pool_timeout(exc)
                continue
            latencies.append(time.perf_counter() - start)

    before = _accepted(base)
    gc.collect()
    _reset_peak()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(inflight)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _status("VmHWM")
    new = _accepted(base) - before - 1  # the stats request after the level is an accepted socket too
    latencies.sort()
    done = len(latencies)
    return {
        "calls_per_s": done / wall if wall else 0.0,
        "p50_ms": statistics.median(latencies) * 1e3 if done else None,
        "p99_ms": latencies[min(done - 1, int(done * 0.99))] * 1e3 if done else None,
        "cpu_us_per_call": cpu / max(done, 1) * 1e6,
        "peak_rss_mib": peak,
        "rss_mib": _status("VmRSS"),
        "new_connections": new,
        "errors": dict(errors),
        "pool_timeouts": pool_timeouts,
        "calls": done,
    }


async def _variant(name: str, base: str, levels: list[tuple[str, int, int]]) -> dict[str, Any]:
    from .async_variants import BUILDERS

    call, _ = BUILDERS[name](base)
    _, stream = BUILDERS[name](f"{base}/chunks/{STREAM_CHUNKS}")
    for _ in range(3):  # imports, first connection, first-call caches
        await call()
    await stream()
    out: dict[str, Any] = {"levels": {}}
    top = max(n for kind, n, _ in levels if kind == "calls")
    for kind, inflight, per_caller in levels:
        fn = call if kind == "calls" else stream
        result = await run_level(fn, base, inflight, per_caller)
        out["levels"][f"{kind} {inflight}"] = result
        if kind == "calls" and inflight == top:
            again = await run_level(fn, base, inflight, per_caller)
            out["rss_first_mib"], out["rss_repeat_mib"] = result["rss_mib"], again["rss_mib"]
    return out


def combine(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """One variant's passes as one result. Per level: the row of the pass with the median CPU per call (the higher
    of two middles; the whole row, so that its figures belong together), with ``cpu_us_range`` (the lowest and
    highest CPU per call of all passes), and the errors and pool timeouts of every pass added up. "RSS flat" is
    judged on the pass whose resident set grew most. ``{"error": ...}`` only when no pass ran."""
    ran = [p for p in passes if "levels" in p]
    if not ran:
        return passes[0]
    out: dict[str, Any] = {"levels": {}, "rounds": len(ran), "failed_rounds": len(passes) - len(ran)}
    for level in ran[0]["levels"]:
        rows = sorted((p["levels"][level] for p in ran), key=lambda r: r["cpu_us_per_call"])
        row = dict(rows[len(rows) // 2])
        row["cpu_us_range"] = [rows[0]["cpu_us_per_call"], rows[-1]["cpu_us_per_call"]]
        row["pool_timeouts"] = sum(r["pool_timeouts"] for r in rows)
        errors: Counter[str] = Counter()
        for r in rows:
            errors.update(r["errors"])
        row["errors"] = dict(errors)
        out["levels"][level] = row
    grown = [p for p in ran if "rss_first_mib" in p]
    if grown:
        worst = max(grown, key=lambda p: p["rss_repeat_mib"] - p["rss_first_mib"])
        out["rss_first_mib"], out["rss_repeat_mib"] = worst["rss_first_mib"], worst["rss_repeat_mib"]
    return out


def _run(name: str, base: str, levels: list[tuple[str, int, int]]) -> dict[str, Any] | None:
    """One pass of one variant in its own process; None for an incumbent that is not installed."""
    env = {**os.environ, "LANGCHAIN_TRACING_V2": "false"}
    done = subprocess.run([sys.executable, "-m", "bench.scaling", name, base, json.dumps(levels)],
                          capture_output=True, text=True, check=False, env=env, cwd=ROOT, timeout=1800)  # fmt: skip
    if done.returncode == 0:
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    if "ModuleNotFoundError" in done.stderr:
        return None
    tail = done.stderr.strip().splitlines()
    return {"error": tail[-1] if tail else f"exit {done.returncode}"}


def measure(base: str, names: list[str], levels: list[tuple[str, int, int]], rounds: int = ROUNDS) -> dict[str, Any]:
    """name → the variant's levels (each pass in its own process; ``REPEATED`` variants ``rounds`` times,
    interleaved, see ``combine``); ``{"error": ...}`` when it could not run, nothing for an incumbent that is not
    installed."""
    passes: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(rounds):
        for name in names:
            if round_ and (name not in REPEATED or name not in passes):
                continue
            result = _run(name, base, levels)
            if result is not None:
                passes.setdefault(name, []).append(result)
    return {name: combine(passes[name]) for name in names if name in passes}


def main(argv: list[str]) -> None:
    from .server import raise_fd_limit

    raise_fd_limit()  # thousands of sockets in flight
    warnings.filterwarnings("ignore")
    name, base, levels = argv[0], argv[1], [tuple(level) for level in json.loads(argv[2])]
    result = asyncio.run(_variant(name, base, levels))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
