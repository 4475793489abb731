"""Provider planes of the sandbox: one module each, mounted under ``/<name>`` (one line per provider)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

__all__ = ["PROVIDERS", "load"]

PROVIDERS: tuple[str, ...] = ("cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey")


def load(name: str) -> ModuleType:
    """The plane module for ``name`` (imported on demand)."""
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


EnvFn = Callable[[str], dict[str, str]]
