"""The ``neocloud`` command: sandbox with --print-env, and errors as one line with an exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sandbox_prints_env_and_serves() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "neocloud.cli", "sandbox", "--port", str(port), "--print-env"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(2)]
        assert f"export CEREBRAS_BASE_URL=http://127.0.0.1:{port}/cerebras" in lines
        assert "export CEREBRAS_API_KEY=csk-sandbox-valid" in lines
        deadline = time.monotonic() + 10
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health").json()
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert health["providers"] == ["cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_errors_are_one_line_with_exit_code() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CEREBRAS_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "neocloud.cli", "demo", "--live"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "CEREBRAS_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    usage = subprocess.run([sys.executable, "-m", "neocloud.cli", "nope"], capture_output=True, text=True)
    assert usage.returncode == 2
