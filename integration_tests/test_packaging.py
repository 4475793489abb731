"""The distributions as users get them: every package builds (sdist + wheel) with its metadata, and
``neocloud-langchain[cerebras]`` installed from those wheels into a fresh virtual environment works against the
sandbox and brings no other provider with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest

from .distributions import built_dist, uv

pytestmark = pytest.mark.once  # builds every distribution: the interpreter does not change it

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
EXCLUDE_NEWER = "2026-11-21T00:00:00Z"  # as [tool.uv] exclude-newer: the same resolution as the workspace


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_dist(tmp_path_factory)  # one build per session, shared with test_install_docs


def metadata(wheel: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(z.read(name).decode())
    return {key: message.get_all(key) or [] for key in set(message.keys())}


@pytest.mark.parametrize("package", PACKAGES)
def test_each_distribution_builds_with_its_metadata(dist: Path, package: str) -> None:
    stem = package.replace("-", "_")
    [wheel] = dist.glob(f"{stem}-0.1.0-py3-none-any.whl")
    [sdist] = dist.glob(f"{stem}-0.1.0.tar.gz")
    meta = metadata(wheel)
    assert meta["Name"] == [package] and meta["License-Expression"] == ["Apache-2.0"]
    assert meta["Requires-Python"] == [">=3.10"] and meta["Summary"][0]
    assert "Typing :: Typed" in meta["Classifier"] and "Programming Language :: Python :: 3.12" in meta["Classifier"]
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    assert any(n.endswith("dist-info/licenses/LICENSE") for n in names)
    assert any(n.startswith("neocloud/") and n.endswith("/py.typed") for n in names)
    assert "neocloud/__init__.py" not in names  # one namespace shared by every distribution
    with tarfile.open(sdist) as t:
        members = t.getnames()
    assert any(m.endswith("/LICENSE") for m in members) and any(m.endswith("/pyproject.toml") for m in members)


def test_extras_per_provider_and_framework(dist: Path) -> None:
    providers = {"cerebras", "clusterprotocol", "metalcloud", "runcrate", "inferencekey"}
    meta = metadata(next(dist.glob("neocloud-0.1.0-*.whl")))
    assert set(meta["Provides-Extra"]) == providers | {"langchain", "llamaindex", "all"}
    assert "neocloud" in meta["Name"] and any("neocloud-langchain==0.1.0" in r for r in meta["Requires-Dist"])
    for framework in ("neocloud_langchain", "neocloud_llamaindex"):
        extras = set(metadata(next(dist.glob(f"{framework}-0.1.0-*.whl")))["Provides-Extra"])
        assert extras == providers | {"all"}


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = tmp_path_factory.mktemp("venv") / "env"
    run(uv(), "venv", "--quiet", "--python", sys.executable, str(where))
    python = where / "bin" / "python"
    requirement = f"{next(dist.glob('neocloud_langchain-0.1.0-*.whl'))}[cerebras]"
    # Our packages can only come from the wheels just built (--find-links, and offline: nothing is fetched);
    # the third-party ones come from the cache `make sync` filled. If that cache is cold, the registry is used
    # for them, and the check below still proves where ours came from.
    base = [uv(), "pip", "install", "--quiet", "--python", str(python), "--find-links", str(dist),
            "--exclude-newer", EXCLUDE_NEWER, requirement]  # fmt: skip
    offline = subprocess.run([*base, "--offline"], capture_output=True, text=True, timeout=600, check=False)
    if offline.returncode != 0:
        run(*base)
    yield python


def test_langchain_cerebras_from_wheels_works_and_installs_no_other_provider(venv: Path) -> None:
    from neocloud.sandbox import Sandbox

    listed = run(uv(), "pip", "list", "--python", str(venv), "--format", "json")
    installed = {p["name"]: p["version"] for p in json.loads(listed.stdout)}
    ours = {name for name in installed if name.startswith("neocloud")}
    assert ours == {"neocloud-core", "neocloud-cerebras", "neocloud-langchain"}
    assert all(installed[name] == "0.1.0" for name in ours)
    assert "langchain-core" in installed and "llama-index-core" not in installed
    script = """
import json, sys
from neocloud.langchain import ChatCerebras
model = ChatCerebras(model="llama3.1-8b", api_key=sys.argv[1], base_url=sys.argv[2], max_tokens=12)
reply = model.invoke("Why is fast inference important?")
chunks = [c.content for c in model.stream("Count to three.")]
try:
    from neocloud.langchain import ChatRuncrate
    ChatRuncrate()
    missing = None
except ImportError as exc:
    missing = str(exc)
import neocloud.langchain.chat_models.base as base
print(json.dumps({"content": reply.content, "tokens": reply.usage_metadata["total_tokens"],
                  "chunks": len(chunks), "streamed": "".join(chunks), "missing": missing, "file": base.__file__}))
"""
    with Sandbox() as sandbox:
        env = sandbox.env()
        done = run(str(venv), "-c", script, env["CEREBRAS_API_KEY"], env["CEREBRAS_BASE_URL"],
                   env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")})  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["content"] and 0 < len(result["content"].split()) <= 12 and result["tokens"] > 0
    assert result["chunks"] >= 2 and result["streamed"].strip()
    assert result["missing"] and 'pip install "neocloud-langchain[runcrate]"' in result["missing"]
    # The code that ran is the wheel's copy in the fresh environment, identical to this checkout's source.
    installed_file = Path(result["file"])
    assert str(installed_file).startswith(str(venv.parent.parent))
    source = ROOT / "packages/neocloud-langchain/src/neocloud/langchain/chat_models/base.py"
    assert installed_file.read_bytes() == source.read_bytes()
