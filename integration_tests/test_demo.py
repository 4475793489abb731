"""``neocloud demo`` against the embedded sandbox: every section runs, answers are labelled, nothing is left."""

from __future__ import annotations

import io

from rich.console import Console


def test_demo_runs_every_section_and_leaves_nothing_running() -> None:
    from neocloud.cli.demo import run_demo

    buffer = io.StringIO()
    assert run_demo(console=Console(file=buffer, width=200)) == 0
    out = buffer.getvalue()
    for step in (
        "InferenceKey ensure",
        "InferenceKey wait_until_ready",
        "ChatInferenceKey.invoke",
        "ChatInferenceKey.stream",
        "InferenceKey delete",
        "VectorStoreIndex (ClusterProtocolEmbedding)",
        "query through CerebrasLLM",
        "agent: create instance",
        "agent: check instance",
        "toolkit cleanup",
        "agent: over-budget launch",
        "ledger: run spend",
    ):
        assert step in out  # fmt: skip
    assert "ready: Serving" in out  # the readiness progress was shown
    assert "(sandbox answer)" in out and "(scripted turn)" in out
    # Retrieval found the one document about scaling to zero, and the approval was asked and shown.
    assert "retrieved" in out and "scales it to zero when idle" in out
    assert "approval requested: runcrate_create_instance" in out and "granted" in out
    assert "toolkit cleanup terminated: instance inst_" in out
    assert "nothing left running (0 workloads, 0 instances)" in out
    # The agent asked for eight H100s for ten hours and the budget refused it before anything was sent.
    assert "'gpu_count': 8" in out and "was refused before anything was sent: it may cost up to $199.2" in out
    assert "this run's budget has $4.355 left of $5.00" in out and "│ refused │ nothing sent" in out
    # The run's spend, from the ledger: the one A100, settled at the minute it ran ($1.29/h), nothing reserved.
    assert "│ runcrate │ runcrate_create_instance │ 1     │ 0.021500 │ 0.000000 │ 0.021500" in out
    assert "committed $0.021500 in total" in out


def test_demo_piped_prints_each_phase_once_and_wraps_no_line() -> None:
    """Piped (as in CI or ``make demo | tee``), the output is as clean as on a terminal: each readiness phase
    once, and every line whole (a tool call's arguments, the budget's refusal) rather than cut at 80 columns."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "TERM")}
    done = subprocess.run([sys.executable, "-m", "neocloud.cli", "demo"], capture_output=True, text=True,
                          timeout=300, check=False, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The phases seen depend on how the polls fall (a fast start skips one): each is printed once, in order.
    start = next(i for i, line in enumerate(lines) if line.startswith("ensured workload")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("invoke ("))
    phases = [line.strip() for line in lines[start:end]]
    order = ["scheduling: Finding a worker", "provisioning: Provisioning a cloud GPU",
             "bootstrapping: Loading the model", "ready: Serving"]  # fmt: skip
    assert phases and phases[-1] == "ready: Serving" and len(set(phases)) == len(phases), phases
    assert phases == sorted(phases, key=order.index), phases
    calls = [line for line in lines if line.startswith(("agent calls ", "approval requested: "))]
    assert len(calls) >= 5
    for line in calls:  # each call's arguments on its own line, whole
        assert line.count("{") == line.count("}") and line.count("(") == line.count(")"), line
    [refusal] = [line for line in lines if "was refused before anything was sent" in line]
    assert refusal.endswith("Retrying the same call will be refused again.")
    assert "│ runcrate │ runcrate_create_instance │" in done.stdout  # the table has room for its columns
    assert not any(line.startswith(("'", '"')) for line in lines)  # no dict continued on the next line
