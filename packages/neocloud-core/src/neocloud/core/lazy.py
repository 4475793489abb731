"""Lazy package attributes: a package names where each export lives and imports it on first access.

This keeps ``import neocloud.langchain`` (and friends) free of provider imports and heavy modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_dir", "lazy_getattr", "lazy_index"]


def lazy_getattr(package: str, namespace: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` importing ``exports[name]`` (a relative module) on first use."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # later lookups skip this function
        return value

    return __getattr__


def lazy_dir(namespace: Mapping[str, Any], exports: Iterable[str]) -> Callable[[], list[str]]:
    """A module-level ``__dir__``: the public exports (loaded or not, so tab completion finds a class before its
    first use) and the module's dunder attributes, without the helpers the module itself imports."""
    public = frozenset(exports)

    def __dir__() -> list[str]:
        return sorted(public | {name for name in namespace if name.startswith("__") and name.endswith("__")})

    return __dir__


def lazy_index(exports: Mapping[str, str], groups: Iterable[str], *, other: str = "shared") -> str:
    """A docstring section naming every lazy export, one line per group (a provider), from the export table.

    An export belongs to a group when the module it lives in is named after it (``.chat_models.cerebras`` is
    ``cerebras``); the rest go under ``other``. Built from the same table ``__getattr__`` uses, so the package's
    ``help()`` cannot name a class that does not exist or leave one out.
    """
    names = list(groups)
    grouped: dict[str, list[str]] = {name: [] for name in [*names, other]}
    for export, module in exports.items():
        leaf = module.rpartition(".")[2]
        grouped[leaf if leaf in names else other].append(export)
    width = max(len(name) for name in grouped)
    lines = [f"    {name:<{width}}  {', '.join(sorted(found))}" for name, found in grouped.items() if found]
    return "\n\nClasses and functions (each imported on first use):\n\n" + "\n".join(lines) + "\n"
