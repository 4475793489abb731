"""The report: one Markdown table per metric (ratios to the floor of the same run, raw httpx2 unless said
otherwise), one per scaling level, then every target as met / not met. Pure functions of the results."""

from __future__ import annotations

from typing import Any

from .scaling import RSS_GROWTH
from .variants import CORE, LC, LC_FLOOR, LI, LI_FLOOR, RAW2, TYPED

# (metric, variant, floor, limit): the largest allowed ratio to the floor; floor None: an absolute limit (s).
TARGETS: list[tuple[str, str, str | None, float]] = [
    ("call", CORE, RAW2, 1.05),
    ("chunk", CORE, RAW2, 1.15),
    ("call", LC, RAW2, 1.55),
    ("chunk", LC, RAW2, 2.1),
    ("call", LI, RAW2, 1.45),
    ("chunk", LI, RAW2, 2.35),
    ("construction", LC, None, 1e-3),
    ("import", "neocloud.langchain ChatCerebras", "langchain_core chat_models", 1.15),
    ("import", "neocloud.cerebras Cerebras", "httpx", 1.5),
]
# variant → the largest allowed ratio of its CPU time per call to raw httpx2's, at every scaling level.
SCALING_TARGETS = {CORE: 1.1, LC: 1.5, LI: 1.5}
UNITS = {"call": ("µs", 1e6), "chunk": ("µs", 1e6), "embeddings": ("µs", 1e6), "construction": ("µs", 1e6),
         "import": ("ms", 1e3), "memory": ("MiB", 1.0)}  # fmt: skip
# Each of our classes' own floor: what the same work costs written directly on raw httpx2 (``bench.floors``; for the
# core, raw httpx2 with the core's typed models). Each target line also prints the ratio to it, and the floor's own
# ratio to raw httpx2: a limit below the floor measured in the same run cannot be met by any integration that keeps
# the floor's work.
OWN_FLOORS = {CORE: TYPED, LC: LC_FLOOR, LI: LI_FLOOR}
# The import table's floors: each module against the one it stands on.
IMPORT_FLOORS = {
    "httpx": "httpx2",
    "neocloud.cerebras Cerebras": "httpx",
    "openai": "httpx",
    "cerebras.cloud.sdk": "httpx",
    "neocloud.langchain ChatCerebras": "langchain_core chat_models",
    "langchain_openai ChatOpenAI": "langchain_core chat_models",
    "langchain_cerebras ChatCerebras": "langchain_core chat_models",
    "neocloud.llamaindex CerebrasLLM": "llama_index.core LLM",
    "llama_index OpenAILike": "llama_index.core LLM",
}


def _floor(metric: str, name: str) -> str | None:
    return IMPORT_FLOORS.get(name) if metric == "import" else RAW2


def table(metric: str, values: dict[str, float]) -> list[str]:
    unit, scale = UNITS[metric]
    floor_name = "the module it stands on" if metric == "import" else RAW2
    lines = [f"### {metric}", "", f"| variant | {unit} | × {floor_name} |", "|---|---|---|"]
    for name, value in values.items():
        floor = _floor(metric, name)
        floor_value = values.get(floor) if floor else None
        ratio = f"{value / floor_value:.2f}" if floor_value and floor != name else "—"
        lines.append(f"| {name} | {value * scale:,.1f} | {ratio} |")
    return [*lines, ""]


def scaling_ratio(scaling: dict[str, Any], name: str, level: str, floor_name: str = RAW2) -> float | None:
    """CPU time per call of ``name`` at ``level`` over ``floor_name``'s, raw httpx2 by default (None when either
    is missing)."""
    try:
        mine = scaling[name]["levels"][level]["cpu_us_per_call"]
        floor = scaling[floor_name]["levels"][level]["cpu_us_per_call"]
    except KeyError:
        return None
    return float(mine / floor) if floor else None


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def scaling_tables(scaling: dict[str, Any]) -> list[str]:
    levels = next((list(r["levels"]) for r in scaling.values() if "levels" in r), [])
    lines: list[str] = []
    for level in levels:
        kind, n = level.split()
        noun = ("stream" if kind == "streams" else "call") + ("" if n == "1" else "s")
        title = f"{int(n):,} concurrent {noun}" if kind == "streams" else f"{int(n):,} {noun} in flight"
        lines += [f"### scaling: {title}", "",
                  "| variant | calls/s | p50 ms | p99 ms | CPU µs/call (range) | × raw httpx2 | peak RSS MiB "
                  "| new conns | errors |",
                  "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for name, result in scaling.items():
            if "error" in result:
                lines.append(f"| {name} | failed: {result['error'][:80]} | | | | | | | |")
                continue
            r = result["levels"][level]
            ratio = scaling_ratio(scaling, name, level)
            errors = ", ".join(f"{k} {v}" for k, v in r["errors"].items()) or "0"
            cpu = f"{r['cpu_us_per_call']:,.0f}"
            low, high = r.get("cpu_us_range", (None, None))
            if result.get("rounds", 1) > 1:
                cpu += f" ({low:,.0f}–{high:,.0f})"
            lines.append(f"| {name} | {r['calls_per_s']:,.0f} | {_ms(r['p50_ms'])} | {_ms(r['p99_ms'])} | "
                         f"{cpu} | {'—' if ratio is None else f'{ratio:.2f}'} | "
                         f"{r['peak_rss_mib']:.1f} | {r['new_connections']:,} | {errors} |")  # fmt: skip
        lines.append("")
    return lines


def verdicts(results: dict[str, dict[str, float]], scaling: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target with its measured value and whether it is met (not measured counts as not met)."""
    out: list[dict[str, Any]] = []
    for metric, name, floor, limit in TARGETS:
        value = results.get(metric, {}).get(name)
        floor_value = results.get(metric, {}).get(floor) if floor else 1.0
        measured = value / floor_value if value is not None and floor_value else None
        if floor:
            label, shown_limit = f"{name}, {metric}", f"≤ {limit}× {floor}"
            shown = None if measured is None else f"{measured:.2f}×"
            own = results.get(metric, {}).get(OWN_FLOORS.get(name, ""))
            if shown and own and value is not None and floor_value:
                shown += f" ({value / own:.2f}× its own floor, which is {own / floor_value:.2f}×)"
        else:
            label, shown_limit = f"{name}, {metric}", f"≤ {limit * 1e3:g} ms"
            shown = None if value is None else f"{value * 1e3:.3f} ms"
        out.append({"target": label, "limit": shown_limit, "measured": shown,
                    "met": measured is not None and measured <= limit})  # fmt: skip
    for name, limit in SCALING_TARGETS.items():
        levels = list(scaling.get(name, {}).get("levels", {}))
        ratios = {level: scaling_ratio(scaling, name, level) for level in levels}
        known = {level: r for level, r in ratios.items() if r is not None}
        worst = max(known, key=lambda level: known[level]) if known else None
        met = bool(known) and len(known) == len(ratios) and max(known.values()) <= limit
        shown = f"worst {known[worst]:.2f}× ({worst})" if worst else None
        own = scaling_ratio(scaling, name, worst, OWN_FLOORS[name]) if worst else None
        own_floor = scaling_ratio(scaling, OWN_FLOORS[name], worst) if worst else None
        if shown and own is not None and own_floor is not None:
            shown += f", {own:.2f}× its own floor there, which is {own_floor:.2f}×"
        out.append({"target": f"{name}, scaling CPU/call", "limit": f"≤ {limit}× raw httpx2 at every level",
                    "measured": shown, "met": met})  # fmt: skip
    for name in SCALING_TARGETS:
        result = scaling.get(name, {})
        timeouts = sum(r["pool_timeouts"] for r in result.get("levels", {}).values()) if "levels" in result else None
        out.append({"target": f"{name}, no pool timeout", "limit": "0 at every level",
                    "measured": None if timeouts is None else str(timeouts), "met": timeouts == 0})  # fmt: skip
    for name in SCALING_TARGETS:
        result = scaling.get(name, {})
        first, again = result.get("rss_first_mib"), result.get("rss_repeat_mib")
        growth = None if first is None or again is None else again - first
        met = growth is not None and first is not None and growth <= first * RSS_GROWTH + 1.0
        out.append({"target": f"{name}, RSS flat", "limit": f"repeat of the top level: ≤ +{RSS_GROWTH:.0%} + 1 MiB",
                    "measured": None if growth is None else f"{growth:+.1f} MiB", "met": met})  # fmt: skip
    return out


def targets_table(found: list[dict[str, Any]]) -> list[str]:
    lines = ["### targets", "", "| target | limit | measured | |", "|---|---|---|---|"]
    for v in found:
        shown = v["measured"] if v["measured"] is not None else "not measured"
        lines.append(f"| {v['target']} | {v['limit']} | {shown} | {'met' if v['met'] else 'not met'} |")
    return lines
