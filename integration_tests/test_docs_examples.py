"""Every code block in the docs (and the README) runs against the sandbox.

Python blocks of a page run in order in one namespace, with a fresh sandbox's environment (so ``Cerebras()`` etc.
reach it). Shell blocks are checked line by line: ``neocloud ...`` runs the CLI; ``make T`` must be a Makefile
target; ``pip install "dist[extras]"`` must name one of our distributions and its extras; ``export NAME=...`` must
be a variable a client reads. Any other shell line fails the test, so nothing in the docs goes unchecked.

Where an example needs a particular model answer (an agent's tool call), the page says so in an HTML comment the
reader sees in the source, ``<!-- docs-test: script cerebras [...] -->``, and the answer is scripted in the sandbox
before the block runs; ``<!-- docs-test: input yes -->`` answers ``input()``.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .distributions import parse_requirement, split_pip

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*(ROOT / "docs").rglob("*.md"), ROOT / "README.md"])
FENCE = re.compile(r"(?P<directives>(?:<!-- docs-test: [^\n]*-->\n)*)```(?P<lang>[a-z]*)\n(?P<code>.*?)```", re.S)
DIRECTIVE = re.compile(r"<!-- docs-test: (\w+) (.*?) -->")


@dataclass
class Block:
    """One fenced block and the test directives written just above it."""

    lang: str
    code: str
    line: int
    directives: list[tuple[str, str]] = field(default_factory=list)


def blocks(page: Path) -> list[Block]:
    text = page.read_text()
    return [Block(m["lang"], m["code"], text[: m.start("lang")].count("\n") + 1, DIRECTIVE.findall(m["directives"]))
            for m in FENCE.finditer(text)]  # fmt: skip


def _distributions() -> dict[str, set[str]]:
    """Our distributions (installed from the workspace) and their extras, from their metadata."""
    from importlib.metadata import distributions

    return {d.metadata["Name"]: set(d.metadata.get_all("Provides-Extra") or []) for d in distributions()
            if d.metadata["Name"].startswith("neocloud") and d.metadata["Name"] != "neocloud-workspace"}  # fmt: skip


def _known_env() -> set[str]:
    import importlib

    names = {"INFERENCEKEY_SDK_TOKEN", "INFERENCEKEY_API_KEY", "INFERENCEKEY_PROJECT", "RUNCRATE_INFERENCE_URL",
             "NEOCLOUD_DEMO_MODEL", "NEOCLOUD_LOG"}  # fmt: skip
    for provider in ("cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"):
        spec = importlib.import_module(f"neocloud.{provider}").PROVIDER_SPEC
        names |= {n for n in (spec.api_key_env, spec.base_url_env) if n}
    return names


def check_shell(code: str, env: dict[str, str]) -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*)\s*:", (ROOT / "Makefile").read_text(), re.M))
    dists = _distributions()
    for raw in code.splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        if words[0] == "make":
            assert set(words[1:]) <= targets, f"not a Makefile target: {line}"
        elif words[:2] == ["pip", "install"]:  # test_install_docs installs each line; here, the names
            for requirement in split_pip(line)[1]:
                name, extras = parse_requirement(requirement)
                assert name in dists, f"not one of our distributions: {name}"
                assert extras <= dists[name], f"unknown extra: {line}"
        elif words[0] == "export":
            name = words[1].split("=")[0]
            assert name in _known_env(), f"no client reads {name}"
        elif line == 'eval "$(neocloud sandbox env)"':
            continue  # (the sandbox's own tests cover env; the environment here already points at one)
        elif words[0] == "neocloud":
            run_cli(words[1:], env)
        elif words[0] == "echo" and "|" in words and words[words.index("|") + 1] == "neocloud":
            bar = words.index("|")  # `echo TEXT | neocloud ...`: the CLI with TEXT on stdin
            run_cli(words[bar + 2 :], env, stdin=" ".join(words[1:bar]) + "\n")
        else:
            pytest.fail(f"the docs test cannot check this shell line: {line}")


def run_cli(args: list[str], env: dict[str, str], stdin: str = "") -> None:
    command = [sys.executable, "-m", "neocloud.cli", *args]
    if args[:1] == ["sandbox"]:
        action = next((a for a in args[1:] if not a.startswith("-")), "run")
        if action in ("run", "start") or "--print-env" in args:
            # Never the default port (something else may hold it): any free one; env carries a private state file.
            command += [] if "--port" in args else ["--port", "0"]
        if action == "run" and "--print-env" not in args:  # a server in the foreground: read what it prints, stop it
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **env})
            try:
                assert proc.stdout is not None
                assert proc.stdout.readline().startswith("# listening on http://")
                assert proc.stdout.readline().startswith("export ")
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            return
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, input=stdin,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, f"neocloud {' '.join(args)} failed: {done.stderr}"


@contextlib.contextmanager
def _stopped_after(env: dict[str, str]) -> Any:
    """Stop a sandbox the page's commands started in the background."""
    try:
        yield
    finally:
        if Path(env["NEOCLOUD_SANDBOX_STATE"]).exists():
            subprocess.run([sys.executable, "-m", "neocloud.cli", "sandbox", "stop"], env={**os.environ, **env},
                           capture_output=True, timeout=60)  # fmt: skip


@pytest.mark.once_oldest  # a subprocess per shell block; the library paths the pages use are tested on every Python
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_code_block_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from neocloud.sandbox import Sandbox

    found = blocks(page)
    if not found:
        pytest.skip("no code blocks on this page")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    # The ledger (Python blocks and commands share it) and the CLI's sandbox record, private to the page.
    private = {"NEOCLOUD_LEDGER": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
               "NEOCLOUD_SANDBOX_STATE": str(tmp_path / "sandbox-state" / "sandbox.json")}  # fmt: skip
    for name, value in private.items():
        monkeypatch.setenv(name, value)
    with Sandbox() as sandbox, sandbox.environment(), _stopped_after(private):
        shell_env = {**sandbox.env(), **private}
        for block in found:
            where = f"{page.relative_to(ROOT)}:{block.line}"
            for kind, argument in block.directives:
                if kind == "script":
                    provider, turns = argument.split(" ", 1)
                    sandbox.script(provider, json.loads(turns))
                elif kind == "input":
                    monkeypatch.setattr(builtins, "input", lambda prompt="", answer=argument: answer)
                else:
                    pytest.fail(f"{where}: unknown docs-test directive {kind!r}")
            if block.lang == "python":
                with contextlib.redirect_stdout(io.StringIO()):
                    try:
                        exec(compile(block.code, where, "exec"), namespace)  # (running the docs is the test)
                    except Exception as exc:
                        raise AssertionError(f"{where}: the example failed: {exc!r}") from exc
            elif block.lang in {"bash", "sh", "console"}:
                check_shell(block.code, shell_env)
            elif block.lang not in {"text", "yaml", "toml", "json"}:
                pytest.fail(f"{where}: a code block in {block.lang or 'no language'} cannot be checked")
