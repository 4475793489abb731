"""``make test``'s split of the interpreter-independent tests between the Python jobs (``scripts/matrix.py``):
each test runs in exactly one job, whatever the number of Pythons."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _matrix() -> object:
    spec = importlib.util.spec_from_file_location("matrix", ROOT / "scripts" / "matrix.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _runs(args: str, markers: set[str]) -> bool:
    expression = args.removeprefix("UNIT_ARGS=").removeprefix("-m ").strip("'")
    if not expression:
        return True
    from _pytest.mark.expression import Expression  # how pytest itself evaluates ``-m``

    def has(name: str, /, **kwargs: object) -> bool:
        return name in markers

    return Expression.compile(expression).evaluate(has)


@pytest.mark.parametrize("count", [1, 2, 3])
@pytest.mark.parametrize("markers", [set(), {"once"}, {"once_oldest"}])
def test_each_test_runs_in_exactly_the_jobs_it_should(count: int, markers: set[str]) -> None:
    matrix = _matrix()
    jobs = [i for i in range(count) if _runs(matrix.unit_args(i, count), markers)]  # type: ignore[attr-defined]
    if not markers:
        assert jobs == list(range(count))
    elif "once" in markers:
        assert jobs == [count - 1]
    else:
        assert jobs == [0]
