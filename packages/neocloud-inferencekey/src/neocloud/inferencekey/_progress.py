"""The live progress view of ``wait_until_ready``: a rich phase bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .types import ReadinessEvent

__all__ = ["ProgressView"]

PHASES = ("scheduling", "provisioning", "bootstrapping", "ready")


class ProgressView:
    """Shows readiness events; use as a context manager around the wait."""

    def __init__(self, workload: str, stream: TextIO | None = None) -> None:
        self.workload = workload
        self.stream = stream or sys.stderr
        self._rich: Any = None
        self._task: Any = None
        self._last: tuple[str, str] | None = None

    def __enter__(self) -> ProgressView:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._rich = Progress(
                TextColumn("[bold]{task.fields[workload]}"), BarColumn(), TextColumn("{task.description}"),
                TimeElapsedColumn(), console=Console(file=self.stream), transient=False,
            )  # fmt: skip
            self._rich.start()
            self._task = self._rich.add_task("waiting", total=len(PHASES) - 1, workload=self.workload)
        return self

    def __call__(self, event: ReadinessEvent) -> None:
        if self._rich is not None:
            done = PHASES.index(event.phase) if event.phase in PHASES else None
            self._rich.update(self._task, description=f"{event.phase}: {event.message}", completed=done)
            return
        if (event.phase, event.message) != self._last:  # plain lines: one per change, no repeats
            step = f" [{event.step}]" if event.step else ""
            print(
                f"{self.workload}: {event.phase}{step} - {event.message} ({event.elapsed_ms / 1000:.1f}s)",
                file=self.stream,
            )
            self._last = (event.phase, event.message)

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()
