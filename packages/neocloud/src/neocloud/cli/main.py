"""The ``neocloud`` command: ``neocloud sandbox`` and ``neocloud demo``.

Errors are one clear line with a hint and a distinct exit code (never a traceback):
0 success, 1 a provider or runtime error, 2 bad usage, 3 a missing optional package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_MISSING = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neocloud", description="GPU and inference clouds for LangChain and LlamaIndex."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sandbox = sub.add_parser("sandbox", help="run the local emulator of every provider's API")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument(
        "--print-env", action="store_true", help="print the environment variables that point clients at it"
    )
    demo = sub.add_parser("demo", help="run the guided demo against the embedded sandbox")
    demo.add_argument("--live", action="store_true", help="use the real providers (keys from the environment)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from neocloud.sandbox import serve

            serve(host=args.host, port=args.port, print_env=args.print_env)
            code = EXIT_OK
        else:
            from .demo import run_demo

            code = run_demo(live=args.live)
    except KeyboardInterrupt:
        code = EXIT_OK
    except ImportError as exc:
        print(f'neocloud: {exc}. Hint: pip install "neocloud[all]"', file=sys.stderr)
        code = EXIT_MISSING
    except Exception as exc:  # the CLI's contract: one line, never a traceback
        from neocloud.core.errors import NeocloudError

        kind = "error" if isinstance(exc, NeocloudError) else type(exc).__name__
        print(f"neocloud: {kind}: {exc}", file=sys.stderr)
        code = EXIT_ERROR
    raise SystemExit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
