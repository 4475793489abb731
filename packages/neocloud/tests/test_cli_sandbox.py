"""``neocloud sandbox``: start in the background on port 0, env prints the right port and a call through it works,
status and stop; the foreground run; a busy port; ``--print-env`` returns instead of serving forever."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from neocloud.cli.main import EXIT_NOT_RUNNING, EXIT_PORT_BUSY

CLI = [sys.executable, "-m", "neocloud.cli"]


@pytest.fixture
def state_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose sandbox state file is private to the test; whatever it started is stopped after."""
    blank = {k: "" for k in os.environ if k.endswith(("_API_KEY", "_BASE_URL", "_SDK_TOKEN", "_INFERENCE_URL"))}
    env = {**os.environ, **blank, "NEOCLOUD_SANDBOX_STATE": str(tmp_path / "state" / "sandbox.json")}
    yield env
    subprocess.run([*CLI, "sandbox", "stop"], env=env, capture_output=True, timeout=60)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=120)


def exports(text: str) -> dict[str, str]:
    pairs = [line.removeprefix("export ").split("=", 1) for line in text.splitlines() if line.startswith("export ")]
    return {name: value for name, value in pairs}


def test_start_env_call_status_stop(state_env: dict[str, str]) -> None:
    assert run(state_env, "sandbox", "status").returncode == EXIT_NOT_RUNNING
    started = run(state_env, "sandbox", "start", "--port", "0")
    assert started.returncode == 0, started.stderr
    port = int(started.stdout)
    assert port > 0 and f"sandbox started on http://127.0.0.1:{port}" in started.stderr

    env = run(state_env, "sandbox", "env")
    assert env.returncode == 0, env.stderr
    variables = exports(env.stdout)
    assert variables["CEREBRAS_BASE_URL"] == f"http://127.0.0.1:{port}/cerebras"
    assert variables["RUNCRATE_BASE_URL"] == f"http://127.0.0.1:{port}/runcrate"
    assert json.loads(run(state_env, "sandbox", "env", "--json").stdout) == variables

    answer = run({**state_env, **variables}, "chat", "-p", "cerebras", "--max-tokens", "4", "--json", "Hello")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["finish_reason"] == "length" and len(json.loads(answer.stdout)["content"]) > 0

    status = run(state_env, "sandbox", "status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["port"] == port and json.loads(status.stdout)["running"]
    again = run(state_env, "sandbox", "start")  # one sandbox per state file: the running one is reported
    assert (again.returncode, int(again.stdout)) == (0, port) and "already running" in again.stderr

    stopped = run(state_env, "sandbox", "stop")
    assert stopped.returncode == 0 and f"stopped the sandbox on http://127.0.0.1:{port}" in stopped.stdout
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/_sandbox/health")
    status = run(state_env, "sandbox", "status")
    assert (status.returncode, status.stdout) == (EXIT_NOT_RUNNING, "not running\n")
    missing = run(state_env, "sandbox", "env")
    assert missing.returncode == EXIT_NOT_RUNNING and missing.stdout == ""
    assert missing.stderr.strip() == "neocloud: no sandbox is running: start one with `neocloud sandbox start`"
    assert run(state_env, "sandbox", "stop").stdout == "not running\n"


def test_print_env_returns_and_leaves_a_sandbox_running(state_env: dict[str, str]) -> None:
    # It used to serve in the foreground, so `eval "$(neocloud sandbox --print-env)"` never returned. In a shell:
    script = f'eval "$({shlex.join(CLI)} sandbox --port 0 --print-env)" && echo "url=$CEREBRAS_BASE_URL"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=state_env, timeout=60)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip().removeprefix("url=").removesuffix("/cerebras")
    assert url.startswith("http://127.0.0.1:") and httpx.get(f"{url}/_sandbox/health").json()["ok"] is True
    assert exports(run(state_env, "sandbox", "env").stdout)["CEREBRAS_BASE_URL"] == f"{url}/cerebras"


def test_a_busy_port_is_one_line_and_its_own_exit_code(state_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for action in ("run", "start"):
            result = run(state_env, "sandbox", action, "--port", str(port))
            assert result.returncode == EXIT_PORT_BUSY, (action, result.stderr)
            assert result.stderr.strip() == (
                f"neocloud: port {port} on 127.0.0.1 is already in use: pick another with "
                "--port (0: any free port), or stop what is listening there"
            )
    assert run(state_env, "sandbox", "status").returncode == EXIT_NOT_RUNNING


def test_foreground_run_prints_the_real_port_and_records_itself(state_env: dict[str, str]) -> None:
    proc = subprocess.Popen([*CLI, "sandbox", "run", "--port", "0"], stdout=subprocess.PIPE, text=True, env=state_env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("# listening on http://127.0.0.1:")
        port = int(first.split("http://127.0.0.1:")[1].split(" ")[0])
        lines = [proc.stdout.readline().strip() for _ in range(2)]
        assert lines == ["export CEREBRAS_API_KEY=csk-sandbox-valid",
                         f"export CEREBRAS_BASE_URL=http://127.0.0.1:{port}/cerebras"]  # fmt: skip
        health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health").json()
        assert health["pid"] == proc.pid
        assert health["providers"] == ["cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"]
        assert json.loads(run(state_env, "sandbox", "status", "--json").stdout)["port"] == port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not Path(state_env["NEOCLOUD_SANDBOX_STATE"]).exists()  # it removed its record on the way out


def test_a_stale_record_is_not_a_running_sandbox(state_env: dict[str, str]) -> None:
    path = Path(state_env["NEOCLOUD_SANDBOX_STATE"])
    path.parent.mkdir(parents=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    path.write_text(json.dumps({"pid": 999_999, "host": "127.0.0.1", "port": free}))  # a crash left it behind
    assert run(state_env, "sandbox", "status").returncode == EXIT_NOT_RUNNING
    assert run(state_env, "sandbox", "stop").stdout == "not running\n" and not path.exists()
