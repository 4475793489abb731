"""Running ``neocloud`` as the user does: a subprocess, piped (stdout not a terminal) or under a pseudo-terminal."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "neocloud.cli"]


@dataclass
class World:
    """A sandbox and the environment that points the CLI at it (its own ledger and sandbox state file)."""

    sandbox: object
    env: dict[str, str]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.1)) as sandbox:
        env = {**sandbox.env(), "NEOCLOUD_LEDGER": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
               "NEOCLOUD_SANDBOX_STATE": str(tmp_path / "state" / "sandbox.json")}  # fmt: skip
        yield World(sandbox, env)


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(world: World) -> Run:
    """``cli("volumes", "list", stdin="...")``: the command, piped, against the world's sandbox."""

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], capture_output=True, text=True, input=stdin, timeout=120,
                              env={**os.environ, "COLUMNS": "200", **world.env, **(env or {})})  # fmt: skip

    return run


def run_in_pty(args: list[str], env: dict[str, str], answers: dict[str, str] | None = None,
               timeout: float = 120.0) -> tuple[int, str]:  # fmt: skip
    """Run ``neocloud`` with stdin, stdout and stderr on a pseudo-terminal (as in a person's shell); answer each
    prompt that appears (``answers``: text seen → what to type). Returns the exit code and all it wrote."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "40",
                                 **env})  # fmt: skip
    os.close(slave)
    seen, pending = b"", dict(answers or {})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal (EIO on Linux)
                    break
                if not chunk:
                    break
                seen += chunk
                for prompt in list(pending):
                    if prompt.encode() in seen:
                        os.write(master, pending.pop(prompt).encode() + b"\n")
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, seen.decode(errors="replace")


@pytest.fixture
def in_pty(world: World) -> Callable[..., tuple[int, str]]:
    """``in_pty(["volumes", "list"], answers={"[y/N]": "y"})`` against the world's sandbox."""

    def run(args: list[str], answers: dict[str, str] | None = None) -> tuple[int, str]:
        return run_in_pty(args, world.env, answers)

    return run
