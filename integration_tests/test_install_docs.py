"""Every ``pip install`` line the docs and the README show works as written from a clone after ``make dist``.

Each documented line runs in a fresh virtual environment (``python -m venv``) in a directory where ``dist`` is
this session's build of every distribution, so ``--find-links dist`` means what it means after ``make dist``.
pip's resolution is done by the project's uv (``uv pip install``, the same options), offline from the shared
cache and under the workspace's pins (as constraints): ours can only come from the wheels just built, the
third-party ones are the pinned versions. On a cold cache the offline attempt fails and the install is repeated
with the package registry, which costs the downloads once (about a minute); warm, the whole module takes about
half a minute. Then the environment imports what the line promises (the classes of the providers it names, from
the frameworks' registries) and lacks every provider it did not ask for.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the lowest Python the packages claim
    import tomli as tomllib

from neocloud.langchain import PROVIDERS as LANGCHAIN
from neocloud.llamaindex import PROVIDERS as LLAMAINDEX

from .distributions import ROOT, InstallLine, built_dist, install_lines, parse_requirement, split_pip, uv

pytestmark = [pytest.mark.install, pytest.mark.once]

PROVIDERS = sorted(LANGCHAIN)
LINES = install_lines()
EXCLUDE_NEWER = "2026-11-21T00:00:00Z"  # as [tool.uv] exclude-newer: the same resolution as the workspace


def promises(requirement: str) -> tuple[list[str], set[str]]:
    """The statements an environment with ``requirement`` must run, and the providers it brings."""
    name, extras = parse_requirement(requirement)
    framework_extras = set(PROVIDERS) if "all" in extras else extras & set(PROVIDERS)
    if name == "neocloud-core":
        code = ["import neocloud.core"]
        if "postgres" in extras:
            code += ["import psycopg", "from neocloud.core.ledger import PostgresLedger"]
        return code, set()
    if name.removeprefix("neocloud-") in PROVIDERS:
        provider = name.removeprefix("neocloud-")
        return [f"from neocloud.{provider} import PROVIDER_SPEC"], {provider}
    if name == "neocloud-sandbox":
        return ["from neocloud.sandbox import Sandbox"], set()
    if name == "neocloud-langchain":
        return _langchain(framework_extras), framework_extras
    if name == "neocloud-llamaindex":
        return _llamaindex(framework_extras), framework_extras
    if name == "neocloud":
        everything = "all" in extras
        providers = framework_extras
        code = ["from neocloud.cli.main import main", "from neocloud.sandbox import Sandbox"]
        code += [f"from neocloud.{p} import PROVIDER_SPEC" for p in sorted(providers)]
        if everything or "langchain" in extras:
            code += _langchain(providers)
        if everything or "llamaindex" in extras:
            code += _llamaindex(providers)
        if everything:
            code.append("from langchain.agents import create_agent")  # what `neocloud demo` needs
        return code, providers
    pytest.fail(f"the docs install {requirement}, which is not one of our distributions")


def _langchain(providers: set[str]) -> list[str]:
    code = ["from neocloud.langchain import init_chat_model"]
    for p in sorted(providers):
        names = [n for n in (LANGCHAIN[p].chat_class, LANGCHAIN[p].embeddings_class) if n]
        code += [f"from neocloud.langchain import {', '.join(names)}",
                 f"from neocloud.langchain._registry import load_spec; load_spec({p!r})"]  # fmt: skip
    return code


def _llamaindex(providers: set[str]) -> list[str]:
    code = ["import neocloud.llamaindex"]
    for p in sorted(providers):
        names = [n for n in (LLAMAINDEX[p].llm_class, LLAMAINDEX[p].embedding_class) if n]
        code += [f"from neocloud.llamaindex import {', '.join(names)}",
                 f"from neocloud.llamaindex._registry import load_spec; load_spec({p!r})"]  # fmt: skip
    return code


@dataclass
class Installed:
    """What running one documented line produced: the install's outcome, then the promised imports'."""

    install: subprocess.CompletedProcess[str]
    imports: subprocess.CompletedProcess[str] | None
    python: Path


def _install(line: InstallLine, workdir: Path, pins: Path) -> Installed:
    options, requirements = split_pip(line.command)
    env_dir = workdir / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    base = [uv(), "pip", "install", "--quiet", "--python", str(python), "--constraint", str(pins),
            "--exclude-newer", EXCLUDE_NEWER, *options, *requirements]  # fmt: skip
    done = subprocess.run([*base, "--offline"], cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 and "network was disabled" in done.stderr:  # a cold cache: fetch the third-party ones
        done = subprocess.run(base, cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        return Installed(done, None, python)
    code: list[str] = ["import importlib.util"]
    brought: set[str] = set()
    for requirement in requirements:
        statements, providers = promises(requirement)
        code += statements
        brought |= providers
    absent = sorted(set(PROVIDERS) - brought)
    code.append(f"assert [p for p in {absent!r} if importlib.util.find_spec('neocloud.' + p)] == [], 'extra provider'")
    imports = subprocess.run([str(python), "-c", "\n".join(code)], capture_output=True, text=True, timeout=300,
                             check=False, cwd=workdir, env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    return Installed(done, imports, python)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Installed]]:
    dist = built_dist(tmp_path_factory)
    pins = tmp_path_factory.mktemp("pins") / "constraints.txt"
    with (ROOT / "pyproject.toml").open("rb") as f:
        pins.write_text("\n".join(tomllib.load(f)["tool"]["uv"]["constraint-dependencies"]) + "\n")
    workdirs = []
    for _ in LINES:
        workdir = tmp_path_factory.mktemp("clone")
        (workdir / "dist").symlink_to(dist)  # the clone's dist/, as `make dist` leaves it
        workdirs.append(workdir)
    # The installs wait on the disk and the cache more than on the CPU: a few at a time.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_install, LINES, workdirs, [pins] * len(LINES)))
    yield {line.command: result for line, result in zip(LINES, results, strict=True)}


def test_the_docs_show_install_lines_for_every_framework_and_provider() -> None:
    named = {parse_requirement(r)[0] for line in LINES for r in split_pip(line.command)[1]}
    assert {"neocloud", "neocloud-langchain", "neocloud-llamaindex"} <= named
    extras = {e for line in LINES for r in split_pip(line.command)[1] for e in parse_requirement(r)[1]}
    assert set(PROVIDERS) <= extras and "all" in extras


@pytest.mark.parametrize("line", LINES, ids=[line.command for line in LINES])
def test_documented_install_line_works_as_written(line: InstallLine, installed: dict[str, Installed]) -> None:
    result = installed[line.command]
    where = f"`{line.command}` (shown in {', '.join(line.pages)})"
    assert result.install.returncode == 0, f"{where} does not install:\n{result.install.stderr}"
    assert result.imports is not None and result.imports.returncode == 0, (
        f"{where} installs, but not what it promises:\n{result.imports and result.imports.stderr}"
    )
    if any(parse_requirement(r)[0] == "neocloud" for r in split_pip(line.command)[1]):
        cli = result.python.parent / "neocloud"
        done = subprocess.run([str(cli), "--help"], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0 and "demo" in done.stdout, done.stderr
