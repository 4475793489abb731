"""The lazy packages' listing helpers (``neocloud.core.lazy``): pure, table-tested."""

from __future__ import annotations

import pytest

from neocloud.core.lazy import lazy_dir, lazy_index


@pytest.mark.parametrize(
    ("exports", "groups", "expected"),
    [
        ({"ChatA": ".chat.a", "EmbA": ".emb.a", "ChatB": ".chat.b"}, ["a", "b"],
         ["    a       ChatA, EmbA", "    b       ChatB"]),
        ({"Base": ".chat.base", "ChatA": ".chat.a", "costs": ".callbacks"}, ["a", "b"],
         ["    a       ChatA", "    shared  Base, costs"]),  # an empty group is left out
        ({"X": ".x"}, [], ["    shared  X"]),
    ],
)  # fmt: skip
def test_lazy_index_groups_every_export_by_its_module(
    exports: dict[str, str], groups: list[str], expected: list[str]
) -> None:
    text = lazy_index(exports, groups)
    assert text.startswith("\n\nClasses and functions (each imported on first use):\n\n")
    assert text.strip().splitlines()[2:] == expected


def test_lazy_dir_lists_the_exports_and_dunders_but_not_the_helpers() -> None:
    namespace = {"__name__": "pkg", "__all__": ["A"], "TYPE_CHECKING": False, "lazy_getattr": print, "A": 1}
    listing = lazy_dir(namespace, ["A", "B"])
    assert listing() == ["A", "B", "__all__", "__name__"]
    namespace["__version__"] = "1"  # read when called, not when made
    assert "__version__" in listing()
