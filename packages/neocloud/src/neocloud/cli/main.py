"""The ``neocloud`` command.

``neocloud sandbox`` · ``neocloud demo [--live]`` · ``neocloud models --provider P`` ·
``neocloud chat --provider P [--model M] "prompt"`` · ``neocloud instances list|types`` ·
``neocloud workloads list`` · ``neocloud ledger [--run ID] [--provider P] [--json]`` ·
``neocloud cleanup [--run ID] [--dry-run] [--yes] [--json]``.

Errors are one line on stderr with a hint (never a traceback), and the exit code says what kind:
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_PROVIDER = 1  # the provider answered with an error, or the connection failed
EXIT_USAGE = 2  # bad arguments (argparse's own code, and a request refused before sending)
EXIT_MISSING = 3  # an optional package is not installed
EXIT_CONFIG = 4  # configuration is missing (an API key, a project)
EXIT_INCOMPLETE = 5  # cleanup finished but something may still exist (a call it could not resolve, a failed teardown)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from .commands import PROVIDERS

    parser = argparse.ArgumentParser(
        prog="neocloud",
        description="GPU and inference clouds for LangChain and LlamaIndex.",
        epilog="Exit codes: 0 ok, 1 provider or connection error, 2 usage or a refused argument, 3 missing package, "
        "4 missing "
        "configuration, 5 cleanup incomplete (something may still exist). The ledger is NEOCLOUD_LEDGER. "
        'Clients read the same environment as in Python; `eval "$(neocloud sandbox '
        '--print-env)"` in another shell points them at a sandbox.',
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox = sub.add_parser("sandbox", help="run the local emulator of every provider's API")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument(
        "--print-env", action="store_true", help="print the environment variables that point clients at it"
    )
    demo = sub.add_parser("demo", help="run the guided demo (embedded sandbox; --live for the real providers)")
    demo.add_argument("--live", action="store_true", help="use the real providers (keys from the environment)")
    providers = sorted(PROVIDERS)
    models = sub.add_parser("models", help="list a provider's models")
    models.add_argument("--provider", "-p", required=True, choices=providers)
    chat = sub.add_parser("chat", help="stream one answer from a provider's chat model")
    chat.add_argument("--provider", "-p", required=True, choices=providers)
    chat.add_argument("--model", "-m", help="model id (InferenceKey: the workload slug); default: the provider's")
    chat.add_argument("--max-tokens", type=int, default=None)
    chat.add_argument("prompt")
    instances = sub.add_parser("instances", help="Runcrate GPU instances: list, or the instance types and prices")
    instances.add_argument("action", choices=["list", "types"])
    workloads = sub.add_parser("workloads", help="InferenceKey workloads of INFERENCEKEY_PROJECT")
    workloads.add_argument("action", choices=["list"])
    ledger_help = "the ledger's URL (sqlite:///path, postgresql://..., memory://); default: NEOCLOUD_LEDGER"
    ledger = sub.add_parser("ledger", help="what the spend ledger says exists and was spent, by provider and run")
    ledger.add_argument("--run", help="only this run id")
    ledger.add_argument("--provider", "-p", help="only this provider")
    ledger.add_argument("--json", action="store_true", help="print JSON")
    ledger.add_argument("--ledger", help=ledger_help)
    cleanup = sub.add_parser("cleanup", help="resolve lost creates and tear down what the ledger's runs left")
    cleanup.add_argument("--run", help="only this run id")
    cleanup.add_argument("--dry-run", action="store_true", help="list what would be done; change nothing")
    cleanup.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    cleanup.add_argument("--json", action="store_true", help="print the report as JSON")
    cleanup.add_argument("--ledger", help=ledger_help)
    return parser


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from . import commands

    console = Console()
    if args.command == "sandbox":
        from neocloud.sandbox import serve

        serve(host=args.host, port=args.port, print_env=args.print_env)
    elif args.command == "demo":
        from .demo import run_demo

        return run_demo(live=args.live)  # its own console: see demo_console
    elif args.command == "models":
        commands.models(args.provider, console)
    elif args.command == "chat":
        commands.chat(args.provider, args.model, args.prompt, console, max_tokens=args.max_tokens)
    elif args.command == "instances":
        commands.instances(args.action, console)
    elif args.command == "ledger":
        from .recovery import ledger_view

        ledger_view(args.ledger, run_id=args.run, provider=args.provider, as_json=args.json, console=console)
    elif args.command == "cleanup":
        from .recovery import cleanup

        done = cleanup(args.ledger, run_id=args.run, dry_run=args.dry_run, yes=args.yes, as_json=args.json,
                       console=console)  # fmt: skip
        if not done:
            print("neocloud: cleanup is incomplete: something may still exist (see above)", file=sys.stderr)
            return EXIT_INCOMPLETE
    else:
        commands.workloads(console)
    return EXIT_OK


def _one_line(exc: BaseException) -> tuple[int, str]:
    """An exception → (exit code, the one line to print). Pure, so the mapping is table-tested."""
    from neocloud.core.errors import (
        APIConnectionError,
        APIStatusError,
        AuthenticationError,
        ConfigurationError,
        RequestValidationError,
    )

    from .demo import MissingKeys
    from .recovery import CleanupDeclined

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ImportError):
        hint = "" if "pip install" in first else ' Hint: pip install "neocloud[all]"'
        return EXIT_MISSING, f"neocloud: {first}.{hint}"
    if isinstance(exc, (ConfigurationError, MissingKeys)):
        return (
            EXIT_CONFIG,
            f"neocloud: {first}. Hint: export the variable, or point every client at a sandbox "
            'with eval "$(neocloud sandbox --print-env)" (run the sandbox in another shell)',
        )
    if isinstance(exc, CleanupDeclined):
        return EXIT_USAGE, f"neocloud: {first}"
    if isinstance(exc, RequestValidationError):
        # Before APIStatusError: a local refusal is also a BadRequestError, but the provider never saw it.
        return EXIT_USAGE, f"neocloud: {first} (refused here: nothing was sent)"
    if isinstance(exc, AuthenticationError):
        return EXIT_PROVIDER, f"neocloud: {first}. Hint: check the API key in the environment"
    if isinstance(exc, APIStatusError):
        rid = f" (request id {exc.request_id})" if exc.request_id else ""
        code = f" {exc.code}" if exc.code else ""
        message = (exc.message or first).strip().splitlines()[0]
        return EXIT_PROVIDER, f"neocloud: the provider answered {exc.status_code}{code}: {message}{rid}"
    if isinstance(exc, APIConnectionError):
        return EXIT_PROVIDER, f"neocloud: {first}. Hint: is the base URL right and reachable?"
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
