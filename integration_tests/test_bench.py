"""The benchmark's machinery (``make bench``), on tiny sizes: the verdicts are pure functions, and one small run
goes end to end (server process, in-process tables, the scaling subprocesses, the report). No timing asserted."""

# The report writes ratios with the multiplication sign; the expected strings here do too.
# ruff: noqa: RUF001

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The benchmark lives at the top of the repository, outside every package (it is never installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, run, scaling
from bench import variants as V


def _level(cpu: float, pool_timeouts: int = 0) -> dict[str, Any]:
    return {
        "calls_per_s": 1.0,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "cpu_us_per_call": cpu,
        "peak_rss_mib": 50.0,
        "rss_mib": 50.0,
        "new_connections": 1,
        "errors": {},
        "pool_timeouts": pool_timeouts,
        "calls": 1,
    }


def _scaled(cpus: dict[str, float], timeouts: int = 0, rss: tuple[float, float] = (50.0, 50.0)) -> dict[str, Any]:
    return {
        "levels": {level: _level(cpu, timeouts) for level, cpu in cpus.items()},
        "rss_first_mib": rss[0],
        "rss_repeat_mib": rss[1],
    }


def _verdict(found: list[dict[str, Any]], target: str) -> dict[str, Any]:
    return next(v for v in found if v["target"] == target)


@pytest.mark.parametrize(
    ("core_call", "met", "shown"),
    [(1.04, True, "1.04×"), (1.05, True, "1.05×"), (1.06, False, "1.06×"), (None, False, None)],
)
def test_call_target_is_a_ratio_to_raw_httpx2(core_call: float | None, met: bool, shown: str | None) -> None:
    calls = {V.RAW2: 100e-6, V.RAW: 50e-6}  # raw httpx faster: the floor is httpx2 all the same
    if core_call is not None:
        calls[V.CORE] = core_call * 100e-6
    v = _verdict(report.verdicts({"call": calls}, {}), f"{V.CORE}, call")
    assert (v["met"], v["measured"], v["limit"]) == (met, shown, "≤ 1.05× raw httpx2")


@pytest.mark.parametrize(
    ("core_cpus", "met", "shown"),
    [
        ({"calls 1": 100.0, "calls 100": 110.0}, True, "worst 1.10× (calls 100)"),
        ({"calls 1": 100.0, "calls 100": 112.0}, False, "worst 1.12× (calls 100)"),
        ({"calls 1": 130.0, "calls 100": 100.0}, False, "worst 1.30× (calls 1)"),
    ],
)
def test_scaling_target_holds_at_every_level(core_cpus: dict[str, float], met: bool, shown: str) -> None:
    found = report.verdicts({}, {V.RAW2: _scaled({"calls 1": 100.0, "calls 100": 100.0}), V.CORE: _scaled(core_cpus)})
    v = _verdict(found, f"{V.CORE}, scaling CPU/call")
    assert (v["met"], v["measured"]) == (met, shown)


@pytest.mark.parametrize(
    ("timeouts", "rss", "pool_met", "rss_met"),
    [(0, (50.0, 50.0), True, True), (3, (50.0, 53.4), False, True), (0, (50.0, 53.6), True, False)],
)
def test_pool_timeout_and_rss_flat(timeouts: int, rss: tuple[float, float], pool_met: bool, rss_met: bool) -> None:
    found = report.verdicts({}, {V.LC: _scaled({"calls 1": 1.0}, timeouts, rss)})  # limit: 5% of 50 + 1 = 3.5 MiB
    assert _verdict(found, f"{V.LC}, no pool timeout")["met"] is pool_met
    assert _verdict(found, f"{V.LC}, RSS flat")["met"] is rss_met
    # A variant that did not run is "not measured", never met.
    assert _verdict(found, f"{V.LI}, RSS flat") == {
        "target": f"{V.LI}, RSS flat",
        "limit": "repeat of the top level: ≤ +5% + 1 MiB",
        "measured": None,
        "met": False,
    }


def test_each_target_also_shows_the_ratio_to_its_own_floor() -> None:
    calls = {V.RAW2: 100e-6, V.TYPED: 110e-6, V.CORE: 112e-6, V.LC: 150e-6}  # no LangChain floor measured
    found = report.verdicts({"call": calls}, {})
    assert _verdict(found, f"{V.CORE}, call")["measured"] == "1.12× (1.02× its own floor, which is 1.10×)"
    assert _verdict(found, f"{V.LC}, call")["measured"] == "1.50×"
    scaled = {V.RAW2: _scaled({"calls 1": 100.0, "streams 9": 100.0}), V.TYPED: _scaled({"calls 1": 101.0, "streams 9": 112.0}),
              V.CORE: _scaled({"calls 1": 104.0, "streams 9": 115.0})}  # fmt: skip
    v = _verdict(report.verdicts({}, scaled), f"{V.CORE}, scaling CPU/call")
    assert (v["measured"], v["met"]) == ("worst 1.15× (streams 9), 1.03× its own floor there, which is 1.12×", False)


def test_passes_combine_into_the_median_row_with_every_error_and_the_worst_rss() -> None:
    def one(cpu: float, timeouts: int, errors: dict[str, int], rss: tuple[float, float]) -> dict[str, Any]:
        level = {**_level(cpu, timeouts), "errors": errors, "p50_ms": cpu / 100}
        return {"levels": {"calls 1": level}, "rss_first_mib": rss[0], "rss_repeat_mib": rss[1]}

    passes = [one(130.0, 0, {}, (50.0, 50.5)), one(100.0, 2, {"PoolTimeout": 2}, (50.0, 54.0)),
              one(110.0, 0, {"ReadError": 1}, (50.0, 50.0))]  # fmt: skip
    combined = scaling.combine(passes)
    row = combined["levels"]["calls 1"]
    # The median pass's own row (its latency with its CPU), the range of all, errors of all.
    assert (row["cpu_us_per_call"], row["p50_ms"], row["cpu_us_range"]) == (110.0, 1.1, [100.0, 130.0])
    assert (row["pool_timeouts"], row["errors"]) == (2, {"PoolTimeout": 2, "ReadError": 1})
    assert (combined["rss_first_mib"], combined["rss_repeat_mib"], combined["rounds"]) == (50.0, 54.0, 3)
    # Two passes: the higher middle (never the kinder one); a failed pass is counted, not hidden.
    two = scaling.combine([one(100.0, 0, {}, (50.0, 50.0)), {"error": "boom"}, one(120.0, 0, {}, (50.0, 50.0))])
    assert (two["levels"]["calls 1"]["cpu_us_per_call"], two["rounds"], two["failed_rounds"]) == (120.0, 2, 1)
    assert scaling.combine([{"error": "boom"}]) == {"error": "boom"}
    # The report shows the range next to the median.
    assert "| 110 (100–130) |" in "\n".join(report.scaling_tables({V.RAW2: combined}))


def test_quick_sizes_keep_every_table_and_the_smaller_levels() -> None:
    assert run.QUICK.levels == [("calls", 1, 30), ("calls", 100, 2), ("calls", 1000, 1), ("streams", 100, 1)]
    assert [(kind, n) for kind, n, _ in run.FULL.levels] == [
        ("calls", 1),
        ("calls", 100),
        ("calls", 1000),
        ("calls", 3000),
        ("streams", 100),
        ("streams", 1000),
    ]
    assert set(run.ALL_TABLES) == {"call", "chunk", "embeddings", "construction", "scaling", "memory", "import"}


@pytest.mark.once
def test_a_tiny_run_end_to_end() -> None:
    sizes = run.Sizes(
        call_rounds=1,
        stream_rounds=1,
        embed_rounds=1,
        construct_rounds=1,
        memory_rounds=1,
        import_rounds=1,
        calls=1,
        levels=[("calls", 1, 3), ("calls", 4, 2), ("streams", 3, 1)],
        scaling_rounds=2,
    )
    proc, base = run.start_server()
    try:
        results = run.collect(base, sizes, ("call", "chunk", "scaling"), [V.RAW2, V.CORE])
    finally:
        proc.terminate()
        proc.wait()
    # Every chat variant measured, the framework floors and raw httpx among them.
    assert {V.RAW2, V.RAW, V.TYPED, V.CORE, V.LC, V.LI, V.LC_FLOOR, V.LI_FLOOR} <= set(results["call"])
    assert set(results["chunk"]) == set(results["call"])
    for name in (V.RAW2, V.CORE):
        levels = results["scaling"][name]["levels"]
        assert list(levels) == ["calls 1", "calls 4", "streams 3"]
        assert [levels[k]["calls"] for k in levels] == [3, 8, 3]
        assert all(levels[k]["errors"] == {} and levels[k]["pool_timeouts"] == 0 for k in levels)
        # The warm-up opened one connection per client; 4 in flight need 3 more, no more (keep-alive).
        assert (levels["calls 1"]["new_connections"], levels["calls 4"]["new_connections"]) == (0, 3)
        assert levels["calls 4"]["peak_rss_mib"] > 0
        assert results["scaling"][name]["rounds"] == 2  # both are REPEATED: two interleaved passes, combined
        low, high = levels["calls 4"]["cpu_us_range"]
        assert low <= levels["calls 4"]["cpu_us_per_call"] <= high
    text, found = run.render(results, quick=True)
    for heading in ("### call", "### chunk", "### scaling: 1 call in flight", "### scaling: 4 calls in flight",
                    "### scaling: 3 concurrent streams", "### targets"):  # fmt: skip
        assert heading in text
    assert len(found) == len(report.TARGETS) + 3 * len(report.SCALING_TARGETS)
    assert all(line.endswith(("| met |", "| not met |")) for line in text.split("### targets")[1].splitlines()[4:])
    assert scaling.STREAM_CHUNKS == 20
