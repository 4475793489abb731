"""How every ``neocloud`` command prints: one set of rules, so scripts and people both get what they expect.

- ``--json``: the data as JSON on stdout (a list for listings, an object for one thing).
- stdout a terminal: a rich table (or ``key  value`` lines for one thing).
- stdout not a terminal: tab-separated lines without a header or box drawing, so ``cut -f1`` works.
- an empty listing is the word ``none``.

Progress goes to stderr (a rich bar on a terminal, one plain line per change otherwise), so stdout stays the data.
Questions (``confirm``) need a terminal on stdin; without one, ``--yes`` must say it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["NotConfirmed", "Poll", "cell", "confirm", "emit_list", "emit_one", "watch"]


class NotConfirmed(Exception):
    """A command that changes something was not confirmed (declined, or no terminal to ask and no ``--yes``)."""


def cell(value: Any) -> str:
    """One value as text: nothing for ``None``, JSON for containers (one line, so tab-separated rows stay rows)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value).replace("\t", " ").replace("\n", " ")


def emit_list(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str, as_json: bool,
              console: Console) -> None:  # fmt: skip
    """A listing: ``columns`` of each row (JSON: the rows whole)."""
    if as_json:
        print(json.dumps(list(rows), indent=2, default=str))
    elif not rows:
        print("none")
    elif not console.is_terminal:
        for row in rows:
            print("\t".join(cell(row.get(column)) for column in columns))
    else:
        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(cell(row.get(column)) for column in columns))
        console.print(table)


def emit_one(record: dict[str, Any], *, as_json: bool, console: Console, title: str | None = None) -> None:
    """One thing: its fields (JSON: the object whole)."""
    if as_json:
        print(json.dumps(record, indent=2, default=str))
    elif not console.is_terminal:
        for key, value in record.items():
            print(f"{key}\t{cell(value)}")
    else:
        table = Table(title=title, show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for key, value in record.items():
            table.add_row(key, cell(value))
        console.print(table)


def confirm(question: str, *, yes: bool, console: Console) -> None:
    """Go ahead only when ``--yes`` was given or the person at the terminal says yes; ``NotConfirmed`` otherwise."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise NotConfirmed(f"{question.rstrip('?')}: not confirmed: pass --yes to go ahead without a terminal")
    from rich.text import Text

    answer = console.input(Text(f"{question} [y/N] "))  # (Text: "[y/N]" is not markup)
    if answer.strip().lower() not in {"y", "yes"}:
        raise NotConfirmed("not confirmed: nothing was changed")


@dataclass(frozen=True)
class Poll:
    """One look at something that finishes: its status, progress (0..1, when known), and whether it is done."""

    status: str
    progress: float | None
    done: bool
    detail: str = ""


def watch(label: str, poll: Callable[[], Poll], *, timeout: float, interval: float = 0.5,
          stream: Any = None) -> Poll:  # fmt: skip
    """Poll until done (``TimeoutError`` after ``timeout`` seconds): a live bar on a terminal, else one line on
    stderr per change of status."""
    out = stream or sys.stderr
    deadline = time.monotonic() + timeout
    last: str | None = None
    progress_view: Any = None
    if out.isatty():
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("[bold]{task.fields[label]}"), BarColumn(), TextColumn("{task.description}"),
                   TimeElapsedColumn())  # fmt: skip
        progress_view = Progress(*columns, console=Console(file=out))
        progress_view.start()
        task = progress_view.add_task("waiting", total=1.0, label=label)
    try:
        while True:
            seen = poll()
            if progress_view is not None:
                progress_view.update(task, description=f"{seen.status} {seen.detail}".strip(),
                                     completed=1.0 if seen.done else (seen.progress or 0.0))  # fmt: skip
            elif seen.status != last:  # (plain lines: one per status, not one per poll)
                share = "" if seen.progress is None else f" {seen.progress:.0%}"
                print(f"{label}: {seen.status}{share}{' ' + seen.detail if seen.detail else ''}", file=out, flush=True)
                last = seen.status
            if seen.done:
                return seen
            if time.monotonic() > deadline:
                raise TimeoutError(f"{label} was still {seen.status} after {timeout:g} s")
            time.sleep(interval)
    finally:
        if progress_view is not None:
            progress_view.stop()
