"""``neocloud sandbox [run|start|stop|status|env]``: the parser and what each action prints (see ``lifecycle``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console

from .lifecycle import SandboxNotRunning, SandboxState, find_running, run_foreground, start_detached, stop_running

__all__ = ["register"]

DEFAULT_PORT = 8765


def port_arg(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0..65535 (0: any free port), got {text!r}")
    return port


def _exports(state: SandboxState) -> str:
    return "\n".join(f"export {name}={value}" for name, value in state.env().items())


def _started(state: SandboxState, started: bool) -> None:
    said = "started" if started else "already running"
    print(f'sandbox {said} on {state.url} (pid {state.pid}); point clients at it: eval "$(neocloud sandbox env)"; '
          "stop it: neocloud sandbox stop", file=sys.stderr)  # fmt: skip


def _sandbox(args: argparse.Namespace, console: Console) -> int:
    from .main import EXIT_NOT_RUNNING

    action = args.action or ("print-env" if args.print_env else "run")
    if action == "run":
        run_foreground(args.host, args.port)
    elif action == "print-env":  # the old spelling: never blocks (it starts one in the background if need be)
        state, started = start_detached(args.host, args.port)
        _started(state, started)
        print(_exports(state))
    elif action == "start":
        state, started = start_detached(args.host, args.port)
        _started(state, started)
        print(json.dumps({**state.as_json(), "started": started}, indent=2) if args.json else state.port)
    elif action == "stop":
        stopped = stop_running()
        if args.json:
            print(json.dumps({"stopped": stopped is not None, **(stopped.as_json() if stopped else {})}, indent=2))
        else:
            print(f"stopped the sandbox on {stopped.url} (pid {stopped.pid})" if stopped else "not running")
    elif action == "status":
        running = find_running()
        if args.json:
            print(json.dumps({"running": running is not None, **(running.as_json() if running else {})}, indent=2))
        else:
            print(f"running on {running.url} (pid {running.pid})" if running else "not running")
        return 0 if running else EXIT_NOT_RUNNING
    else:  # env
        running = find_running()
        if running is None:
            raise SandboxNotRunning("no sandbox is running: start one with `neocloud sandbox start`")
        print(json.dumps(running.env(), indent=2) if args.json else _exports(running))
    return 0


def register(sub: Any) -> None:
    """Add ``sandbox`` and its actions to the ``neocloud`` parser."""
    sandbox = sub.add_parser(
        "sandbox", help="the local emulator of every provider's API: run, start, stop, status, env",
        description="The local emulator of every provider's API. Without an action it runs in the foreground "
        "(like `run`). `start` runs it in the background and returns; `env` prints the exports of the running one: "
        'neocloud sandbox start && eval "$(neocloud sandbox env)".',
        epilog="Exit codes: 0 ok, 3 no sandbox is running (status, env), 6 the port is already in use.",
    )  # fmt: skip
    host_help = "the address to listen on (default 127.0.0.1)"
    port_help = f"the port to listen on (default {DEFAULT_PORT}; 0: any free port, printed)"
    sandbox.add_argument("--host", default="127.0.0.1", help=host_help)
    sandbox.add_argument("--port", type=port_arg, default=DEFAULT_PORT, help=port_help)
    sandbox.add_argument("--print-env", action="store_true", help="start it in the background unless one is "
                         "running, then print its exports (the same as `start` then `env`)")  # fmt: skip
    sandbox.set_defaults(handler=_sandbox)
    actions = sandbox.add_subparsers(dest="action", metavar="ACTION")
    for name, help_text, description in (
        ("run", "serve in the foreground until Ctrl-C",
         "Serve in the foreground until interrupted; prints where it listens and the exports to paste elsewhere."),
        ("start", "start in the background; prints the port",
         "Start the sandbox as a background process (recorded in the user's state directory) and wait until it "
         "answers; prints its port. If one is running already, prints that one's port."),
    ):  # fmt: skip
        p = actions.add_parser(name, help=help_text, description=description)
        # SUPPRESS: given here or before the action (`neocloud sandbox --port 0 start`), either works.
        p.add_argument("--host", default=argparse.SUPPRESS, help=host_help)
        p.add_argument("--port", type=port_arg, default=argparse.SUPPRESS, help=port_help)
        if name == "start":
            p.add_argument("--json", action="store_true", help="print the url, port and pid as JSON")
    p = actions.add_parser("stop", help="stop the background sandbox", description="Stop the running sandbox (exit 0 "
                           "also when none was running).")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print what was stopped as JSON")
    p = actions.add_parser(
        "status",
        help="whether a sandbox runs (exit 0 yes, 3 no)",
        description="Say whether a sandbox is running, and where. Exit 0: running; 3: not.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p = actions.add_parser("env", help="print the exports that point clients at the running sandbox",
                           description='Print the `export ...` lines of the running sandbox: eval "$(neocloud '
                           'sandbox env)". Exit 3 when none is running.')  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the variables as a JSON object")
