"""``neocloud demo`` runs every layer against the embedded sandbox and exits 0."""

from __future__ import annotations

import pytest


def test_demo_runs_against_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    from neocloud.cli.demo import run_demo

    assert run_demo() == 0
    out = capsys.readouterr().out
    for step in (
        "ChatCerebras.invoke",
        "ChatCerebras.stream",
        "ChatCerebras tool call",
        "CerebrasLLM.chat",
        "CerebrasLLM.stream_chat",
    ):
        assert step in out
    assert "sandbox answer" in out
    assert "get_weather" in out
