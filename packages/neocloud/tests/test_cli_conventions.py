"""What shell users expect of ``neocloud``: ``--version``, every subcommand's own ``--help`` with every option
described, the prompt from stdin, plain output when piped, and the pure pieces (cost line, cells) table-tested."""

from __future__ import annotations

import argparse
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from neocloud.cli.guarded import cost_line
from neocloud.cli.main import _parser
from neocloud.cli.output import cell
from neocloud.core.tools import CostEstimate
from neocloud.core.tools._spend import WorstCase


def subparsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += subparsers(child, (*path, name))
    return found


ALL = subparsers(_parser())


def test_the_commands_shell_users_need_exist() -> None:
    paths = {" ".join(path) for path, _ in ALL}
    for expected in ("sandbox run", "sandbox start", "sandbox stop", "sandbox status", "sandbox env",
                     "instances create", "instances status", "instances terminate", "volumes create", "volumes list",
                     "volumes delete", "workloads ensure", "workloads wait", "workloads delete", "fine-tunes create",
                     "fine-tunes watch", "fine-tunes cancel", "video generate", "ledger", "cleanup"):  # fmt: skip
        assert expected in paths


@pytest.mark.parametrize(("path", "parser"), ALL[1:], ids=[" ".join(p) for p, _ in ALL[1:]])
def test_every_subcommand_has_its_own_help_and_every_option_is_described(path: tuple[str, ...], parser: Any) -> None:
    text = parser.format_help()
    assert text.startswith(f"usage: neocloud {' '.join(path)}")
    assert parser.description, f"neocloud {' '.join(path)} has no description"
    assert parser.description.split()[0] in text
    for action in parser._actions:
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            assert action.help, f"neocloud {' '.join(path)}: {action.option_strings or action.dest} has no help"


def test_help_texts_differ() -> None:
    descriptions = [parser.description for _, parser in ALL[1:]]
    assert len(descriptions) == len(set(descriptions))


def test_version(cli: Any) -> None:
    from importlib.metadata import version

    done = cli("--version")
    assert (done.returncode, done.stdout) == (0, f"neocloud {version('neocloud')}\n")


def test_the_prompt_comes_from_stdin_when_dash_or_piped(cli: Any) -> None:
    direct = cli("chat", "-p", "cerebras", "--max-tokens", "6", "--json", "Why is fast inference important?")
    dashed = cli("chat", "-p", "cerebras", "--max-tokens", "6", "--json", "-",
                 stdin="Why is fast inference important?\n")  # fmt: skip
    piped = cli("chat", "-p", "cerebras", "--max-tokens", "6", "--json", stdin="Why is fast inference important?")
    other = cli("chat", "-p", "cerebras", "--max-tokens", "6", "--json", "Something else entirely")
    answers = [json.loads(r.stdout)["content"] for r in (direct, dashed, piped, other)]
    # The sandbox's answer is a function of the request: the same prompt, the same answer.
    assert answers[0] == answers[1] == answers[2] != answers[3]
    empty = cli("chat", "-p", "cerebras", "-", stdin="  \n")
    assert empty.returncode == 2 and "the prompt read from stdin is empty" in empty.stderr


def test_piped_listings_are_plain(cli: Any) -> None:
    models = cli("models", "-p", "cerebras")
    assert models.returncode == 0 and models.stdout.splitlines()[0] == "llama3.1-8b\tMeta"
    assert not any(c in models.stdout for c in "┏━│┃└")
    listed = json.loads(cli("models", "-p", "metalcloud", "--json").stdout)
    assert {"id": "meta-llama/Llama-3.1-8B", "owned_by": "meta-llama"} in listed


@pytest.mark.parametrize(
    ("estimate", "worst", "expected"),
    [
        (CostEstimate(1.29, 1.29, "a100 for 60 min"), WorstCase(Decimal("1.29"), Decimal("1.29"), ""),
         "$1.29/h, at most $1.29 (a100 for 60 min); reserves $1.29 of the run's budget"),
        (CostEstimate(2.5, None, "h100"), WorstCase(Decimal("2.5"), Decimal("2.5"), ""),
         "$2.50/h until it is stopped (h100); reserves $2.50 of the run's budget"),
        (CostEstimate(None, 0.35, "a week"), WorstCase(Decimal("0.35"), None, ""),
         "$0.35 (a week); reserves $0.35 of the run's budget"),
        (CostEstimate(None, None, "no published price"), WorstCase(None, None, ""),
         "price unknown (no published price)"),
        (CostEstimate(None, None, "no published price"), WorstCase(Decimal(1), Decimal(1), ""),
         "price unknown (no published price); reserves $1.00 of the run's budget"),
        (None, WorstCase(None, None, ""), "price unknown (no estimate)"),
    ],
)  # fmt: skip
def test_cost_line(estimate: CostEstimate | None, worst: WorstCase, expected: str) -> None:
    assert cost_line(estimate, worst) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (1.5, "1.5"), ("a\tb\nc", "a b c"), ({"k": [1, 2]}, '{"k":[1,2]}'), (True, "True")],
)
def test_cell(value: Any, expected: str) -> None:
    assert cell(value) == expected


def test_read_prompt_refuses_a_terminal_without_a_prompt() -> None:
    from neocloud.cli.commands import read_prompt
    from neocloud.core.errors import RequestValidationError

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(RequestValidationError, match="chat needs a prompt") as caught:
        read_prompt(None, Terminal("ignored"))
    assert caught.value.param == "prompt"
    assert read_prompt("hi", Terminal("ignored")) == "hi"
    assert read_prompt(None, io.StringIO("from a pipe\n")) == "from a pipe"
