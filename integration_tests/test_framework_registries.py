"""Both framework packages: one registry line per provider, matching the exports and the provider's declared
capabilities, and each class importing only its own provider."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PROVIDER_MODULES = {"cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"}
# (package, the entry field naming the model class, the one naming the embeddings class, the class's provider attr)
FRAMEWORKS = [("neocloud.langchain", "chat_class", "embeddings_class", "_provider"),
              ("neocloud.llamaindex", "llm_class", "embedding_class", "provider")]  # fmt: skip
CASES = [(f, name) for f in FRAMEWORKS for name in sorted(PROVIDER_MODULES)]


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=[f[0] for f in FRAMEWORKS])
def test_registry_matches_the_exports_and_the_specs(framework: tuple[str, str, str, str]) -> None:
    package, model_field, embeddings_field, provider_attr = framework
    pkg = importlib.import_module(package)
    assert set(pkg.PROVIDERS) == PROVIDER_MODULES
    for name, entry in pkg.PROVIDERS.items():
        spec = importlib.import_module(entry.module).PROVIDER_SPEC
        model_class, embeddings_class = getattr(entry, model_field), getattr(entry, embeddings_field)
        assert spec.name == name and getattr(getattr(pkg, model_class), provider_attr) == name
        assert model_class in pkg.__all__
        # an embeddings class exactly where the provider's wire API has embeddings
        assert (embeddings_class is not None) == spec.capabilities.embeddings, name
        if embeddings_class:
            assert getattr(getattr(pkg, embeddings_class), provider_attr) == name and embeddings_class in pkg.__all__


@pytest.mark.once  # a fresh interpreter per case
@pytest.mark.parametrize(("framework", "name"), CASES, ids=[f"{f[0]}-{n}" for f, n in CASES])
def test_each_class_imports_only_its_provider(framework: tuple[str, str, str, str], name: str) -> None:
    package, model_field, embeddings_field, _ = framework
    entry = importlib.import_module(package).PROVIDERS[name]
    classes = [c for c in (getattr(entry, model_field), getattr(entry, embeddings_field)) if c]
    code = (
        "import sys\n"
        f"from {package} import {', '.join(classes)}\n"
        "loaded = {m.split('.')[1] for m in sys.modules if m.startswith('neocloud.')}\n"
        f"others = (loaded & {PROVIDER_MODULES!r}) - {{{name!r}}}\n"
        "assert not others, others\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
