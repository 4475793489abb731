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
