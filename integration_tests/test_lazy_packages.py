"""The framework packages load each class on first use; ``dir()`` (tab completion) and ``help()`` still name
every class, from the same table the lazy loader uses, before any is imported."""

from __future__ import annotations

import importlib
import json
import pydoc
import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["neocloud.langchain", "neocloud.llamaindex"])
def test_framework_package_dir_and_help_name_every_class_without_importing_one(package: str) -> None:
    # A fresh interpreter: the point is what a user sees before anything is loaded.
    script = f"""
import json, pydoc, sys
import {package} as p
listing = dir(p)
loaded = sorted(m for m in sys.modules if m.startswith(("neocloud.cerebras", "{package}.chat_models", "{package}.llms")))
print(json.dumps({{"dir": listing, "doc": p.__doc__, "loaded": loaded}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(done.stdout)
    module = importlib.import_module(package)
    lazy: dict[str, str] = module._LAZY
    assert set(lazy) <= set(seen["dir"]) and set(module.__all__) <= set(seen["dir"])
    assert not {"TYPE_CHECKING", "annotations", "lazy_getattr", "Any"} & set(seen["dir"])
    assert seen["loaded"] == []  # neither dir() nor the docstring imported a class
    # Every provider of the registry has its line, naming exactly its classes (the registry's own among them).
    for name, entry in module.PROVIDERS.items():
        [line] = [row for row in seen["doc"].splitlines() if row.split()[:1] == [name]]
        listed = set(line.split(None, 1)[1].split(", "))
        assert listed == {e for e, where in lazy.items() if where.rpartition(".")[2] == name}
        classes = {v for k, v in vars(entry).items() if k.endswith("_class") and v}
        assert classes and classes <= listed
    assert all(export in seen["doc"] for export in lazy)
    assert pydoc.getdoc(module) == seen["doc"].strip()  # what help() shows under DESCRIPTION
