"""``neocloud sandbox run|start|stop|status|env``: the sandbox as a background service of the user's shell.

One sandbox per user is recorded in a state file (``sandbox.json`` in ``platformdirs.user_state_path("neocloud")``,
or the path in ``NEOCLOUD_SANDBOX_STATE``): its pid, host and port. ``run`` serves in the foreground and records
itself while it serves; ``start`` runs ``run`` as a detached process (its output goes to ``sandbox.log`` beside the
state file) and returns once it answers. A recorded sandbox counts as running only while its health endpoint answers
with the recorded pid, so a state file left by a crash or a reboot is recognised as stale and ignored.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["STATE_ENV", "PortBusy", "SandboxNotRunning", "SandboxState", "bind", "find_running", "run_foreground",
           "start_detached", "state_path", "stop_running"]  # fmt: skip

STATE_ENV = "NEOCLOUD_SANDBOX_STATE"
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


class PortBusy(Exception):
    """The port the sandbox was asked to listen on is taken by another process."""


class SandboxNotRunning(Exception):
    """No sandbox is recorded as running (or the recorded one no longer answers)."""


@dataclass(frozen=True)
class SandboxState:
    """A running sandbox, as recorded in the state file."""

    pid: int
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        from neocloud.sandbox import env_for

        return env_for(self.url)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "url": self.url}


def state_path() -> Path:
    """Where the running sandbox is recorded."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_state_path("neocloud") / "sandbox.json"


def _read() -> SandboxState | None:
    try:
        data = json.loads(state_path().read_text())
        return SandboxState(pid=int(data["pid"]), host=str(data["host"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: nothing is recorded


def _write(state: SandboxState) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(json.dumps(asdict(state)))
    os.replace(scratch, path)  # atomic: a reader sees the old record or the new one, never half of one


def _forget(pid: int) -> None:
    """Remove the record if it is still ``pid``'s (another sandbox may have replaced it meanwhile)."""
    found = _read()
    if found is not None and found.pid == pid:
        state_path().unlink(missing_ok=True)


def _answers(state: SandboxState, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{state.url}/_sandbox/health", timeout=timeout) as response:  # noqa: S310
            health = json.loads(response.read())
    except (OSError, ValueError):
        return False
    # The pid check tells our sandbox from whatever took its port after it died.
    return bool(health.get("ok")) and health.get("pid") == state.pid


def find_running() -> SandboxState | None:
    """The recorded sandbox if it answers, else ``None``."""
    state = _read()
    return state if state is not None and _answers(state) else None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one); ``PortBusy`` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name != "nt":  # (on Windows SO_REUSEADDR would let two servers share the port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise PortBusy(f"port {port} on {host} is already in use: pick another with --port (0: any free "
                           "port), or stop what is listening there") from None  # fmt: skip
        raise
    sock.listen(128)
    return sock


def run_foreground(host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM), printing where and the variables that point clients here."""
    import uvicorn

    from neocloud.sandbox import create_app

    sock = bind(host, port)
    state = SandboxState(pid=os.getpid(), host=host, port=int(sock.getsockname()[1]))
    recorded = find_running() is None  # another live sandbox keeps its record; this one just serves
    if recorded:
        _write(state)
    try:
        print(f'# listening on {state.url} (Ctrl-C stops it); in another shell run: eval "$(neocloud sandbox env)" '
              "or paste:")  # fmt: skip
        for name, value in state.env().items():
            print(f"export {name}={value}")
        sys.stdout.flush()
        config = uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off")
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it with the handler it found: make that an exit
        # (not the default, which kills the process before the record is removed).
        signal.signal(signal.SIGTERM, _exit_on_signal)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if recorded:
            _forget(state.pid)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def start_detached(host: str, port: int, timeout: float = START_TIMEOUT_S) -> tuple[SandboxState, bool]:
    """Start ``neocloud sandbox run`` in the background unless a sandbox runs; ``(state, started)`` once it
    answers. ``PortBusy`` (or ``RuntimeError``) with the child's own error line when it could not start."""
    running = find_running()
    if running is not None:
        return running, False
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.with_suffix(".log")
    command = [sys.executable, "-m", "neocloud.cli", "sandbox", "run", "--host", host, "--port", str(port)]
    detach: dict[str, Any] = (
        {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS}  # type: ignore[attr-defined]
        if os.name == "nt"
        else {"start_new_session": True}  # its own session: the shell's Ctrl-C and hangup do not reach it
    )
    with open(log, "wb") as out:
        # No inherited stdout: `eval "$(neocloud sandbox start ...)"` must see EOF when this command returns.
        # (S603: the command is this interpreter running this package, with validated host and port.)
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, close_fds=True, **detach)  # noqa: S603
    deadline = time.monotonic() + timeout
    while True:
        code = child.poll()
        if code is not None:
            line = _last_line(log) or f"the sandbox exited with code {code}"
            from .main import EXIT_PORT_BUSY

            raise (PortBusy if code == EXIT_PORT_BUSY else RuntimeError)(line.removeprefix("neocloud: "))
        state = _read()
        if state is not None and state.pid == child.pid and _answers(state, timeout=0.5):
            return state, True
        if time.monotonic() > deadline:
            child.terminate()
            raise RuntimeError(f"the sandbox did not answer within {timeout:g} s (see {log})")
        time.sleep(0.05)


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def stop_running(timeout: float = STOP_TIMEOUT_S) -> SandboxState | None:
    """Stop the recorded sandbox; the state it had, or ``None`` when none was running (a stale record is removed)."""
    state = _read()
    if state is None:
        return None
    if not _answers(state):
        _forget(state.pid)
        return None
    os.kill(state.pid, signal.SIGTERM)  # uvicorn stops gracefully, and the sandbox removes its record
    deadline = time.monotonic() + timeout
    # Not "the pid is gone": a detached process whose parent exited may linger as a zombie where nothing reaps.
    while _answers(state, timeout=0.5):
        if time.monotonic() > deadline:
            os.kill(state.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            break
        time.sleep(0.05)
    _forget(state.pid)
    return state
