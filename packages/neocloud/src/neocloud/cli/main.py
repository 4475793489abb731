"""The ``neocloud`` command: ``neocloud COMMAND [ACTION] ...``; ``neocloud COMMAND --help`` describes each.

``sandbox [run|start|stop|status|env]`` · ``demo [--live]`` · ``models`` · ``chat`` · ``instances
list|types|create|status|terminate`` · ``volumes list|create|delete`` · ``workloads list|ensure|wait|delete`` ·
``fine-tunes list|create|watch|cancel`` · ``video generate`` · ``ledger`` · ``cleanup``.

Output follows ``output``: ``--json`` for programs, a table on a terminal, tab-separated lines otherwise, ``none``
for nothing. Errors are one line on stderr with a hint (never a traceback), and the exit code says what kind:
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.console import Console

EXIT_OK = 0
EXIT_PROVIDER = 1  # the provider answered with an error, or the connection failed
EXIT_USAGE = 2  # bad arguments (argparse's own code), a request refused before sending, a create not confirmed
EXIT_MISSING = 3  # an optional package is not installed
EXIT_NOT_RUNNING = 3  # `sandbox status` / `sandbox env`: no sandbox is running (as LSB `status` says it)
EXIT_CONFIG = 4  # configuration is missing (an API key, a project)
EXIT_INCOMPLETE = 5  # cleanup finished but something may still exist (a call it could not resolve, a failed teardown)
EXIT_PORT_BUSY = 6  # `sandbox`: the port is already in use
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it

__all__ = ["main"]

EXIT_CODES = (
    "Exit codes: 0 ok, 1 provider or connection error, 2 usage, an argument refused before sending, or not "
    "confirmed, 3 missing package (sandbox status/env: no sandbox running), 4 missing configuration, 5 cleanup "
    "incomplete (something may still exist), 6 the sandbox's port is in use."
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("neocloud")
    except PackageNotFoundError:  # (run from a source tree that was never installed)
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    from . import commands, jobs, provision, sandbox_cmd

    parser = argparse.ArgumentParser(
        prog="neocloud",
        description="GPU and inference clouds for LangChain and LlamaIndex.",
        epilog=f"{EXIT_CODES} The ledger is NEOCLOUD_LEDGER. Clients read the same environment as in Python; "
        '`neocloud sandbox start && eval "$(neocloud sandbox env)"` points them at a local sandbox.',
    )
    parser.add_argument("--version", action="version", version=f"neocloud {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox_cmd.register(sub)
    demo = sub.add_parser("demo", help="run the guided demo (embedded sandbox; --live for the real providers)",
                          description="The guided demo: every layer against an embedded sandbox (or, with --live, "
                          "the real providers: it launches, then terminates, one small instance).")  # fmt: skip
    demo.add_argument("--live", action="store_true", help="use the real providers (keys from the environment)")
    demo.set_defaults(handler=_demo)
    commands.register(sub)
    provision.register(sub)
    jobs.register(sub)
    ledger_help = "the ledger's URL (sqlite:///path, postgresql://..., memory://); default: NEOCLOUD_LEDGER"
    ledger = sub.add_parser(
        "ledger",
        help="what the spend ledger says exists and was spent, by provider and run",
        description="What the spend ledger says exists and was spent, by provider and run.",
    )
    ledger.add_argument("--run", help="only this run id")
    ledger.add_argument("--provider", "-p", help="only this provider")
    ledger.add_argument("--json", action="store_true", help="print JSON")
    ledger.add_argument("--ledger", help=ledger_help)
    ledger.set_defaults(handler=_ledger)
    cleanup = sub.add_parser("cleanup", help="resolve lost creates and tear down what the ledger's runs left",
                             description="After a crash: resolve lost creates and tear down what the ledger's runs "
                             "left (exit 5 when something may still exist).")  # fmt: skip
    cleanup.add_argument("--run", help="only this run id")
    cleanup.add_argument("--dry-run", action="store_true", help="list what would be done; change nothing")
    cleanup.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    cleanup.add_argument("--json", action="store_true", help="print the report as JSON")
    cleanup.add_argument("--ledger", help=ledger_help)
    cleanup.set_defaults(handler=_cleanup)
    return parser


def _demo(args: argparse.Namespace, console: Console) -> int:
    from .demo import run_demo

    return run_demo(live=args.live)  # its own console, never wrapping when piped: see demo_console


def _ledger(args: argparse.Namespace, console: Console) -> None:
    from .recovery import ledger_view

    ledger_view(args.ledger, run_id=args.run, provider=args.provider, as_json=args.json, console=console)


def _cleanup(args: argparse.Namespace, console: Console) -> int:
    from .recovery import cleanup

    done = cleanup(args.ledger, run_id=args.run, dry_run=args.dry_run, yes=args.yes, as_json=args.json,
                   console=console)  # fmt: skip
    if not done:
        print("neocloud: cleanup is incomplete: something may still exist (see above)", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    code = args.handler(args, Console())
    return EXIT_OK if code is None else int(code)


def _one_line(exc: BaseException) -> tuple[int, str]:
    """An exception → (exit code, the one line to print). Pure, so the mapping is table-tested."""
    from neocloud.core.errors import (
        APIConnectionError,
        APIError,
        AuthenticationError,
        ConfigurationError,
        RequestValidationError,
    )
    from neocloud.core.tools import ToolRefused

    from .commands import MissingWorkload
    from .demo import MissingKeys
    from .lifecycle import PortBusy, SandboxNotRunning
    from .output import NotConfirmed
    from .recovery import CleanupDeclined

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ImportError):
        hint = "" if "pip install" in first else ' Hint: pip install "neocloud[all]"'
        return EXIT_MISSING, f"neocloud: {first}.{hint}"
    if isinstance(exc, (ConfigurationError, MissingKeys)):
        return (
            EXIT_CONFIG,
            f"neocloud: {first}. Hint: export the variable, or point every client at a local sandbox: "
            'neocloud sandbox start && eval "$(neocloud sandbox env)"',
        )
    if isinstance(exc, (CleanupDeclined, NotConfirmed, ToolRefused)):
        return EXIT_USAGE, f"neocloud: {first}"
    if isinstance(exc, PortBusy):
        return EXIT_PORT_BUSY, f"neocloud: {first}"
    if isinstance(exc, SandboxNotRunning):
        return EXIT_NOT_RUNNING, f"neocloud: {first}"
    if isinstance(exc, MissingWorkload):
        return EXIT_PROVIDER, f"neocloud: {first}"
    if isinstance(exc, RequestValidationError):
        # Before APIStatusError: a local refusal is also a BadRequestError, but the provider never saw it.
        return EXIT_USAGE, f"neocloud: {first} (refused here: nothing was sent)"
    if isinstance(exc, AuthenticationError):
        return EXIT_PROVIDER, f"neocloud: {first}. Hint: check the API key in the environment"
    if isinstance(exc, APIConnectionError):
        return EXIT_PROVIDER, f"neocloud: {first}. Hint: is the base URL right and reachable?"
    if isinstance(exc, APIError):  # str(error) is the one error format: "<Provider> <status> <code>: <message> ..."
        return EXIT_PROVIDER, f"neocloud: {first}"
    return EXIT_PROVIDER, f"neocloud: {type(exc).__name__}: {first}"


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)  # usage errors exit 2 with argparse's message
    try:
        code = _run(args)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as exc:  # the CLI's contract: one line, never a traceback
        code, line = _one_line(exc)
        print(line, file=sys.stderr)
    raise SystemExit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
