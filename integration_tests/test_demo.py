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
    ):
        assert step in out  # fmt: skip
    assert "ready: Serving" in out  # the readiness progress was shown
    assert "(sandbox answer)" in out and "(scripted turn)" in out
    # Retrieval found the one document about scaling to zero, and the approval was asked and shown.
    assert "retrieved" in out and "scales it to zero when idle" in out
    assert "approval requested: runcrate_create_instance" in out and "granted" in out
    assert "toolkit cleanup terminated: instance inst_" in out
    assert "nothing left running (0 workloads, 0 instances)" in out
