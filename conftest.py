"""Test configuration shared by every package: recorded HTTP (pytest-recording) and sandbox targets.

``make test`` replays cassettes with ``--record-mode=none``; ``make record`` re-records them against the
in-process sandbox (or the real provider when its key is set and ``NEOCLOUD_RECORD_LIVE=1``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "testing"))

from neocloud_testing.cassettes import scrub_request, scrub_response, serializer  # noqa: E402
from neocloud_testing.targets import Target, make_target  # noqa: E402


@pytest.fixture(scope="session")
def _ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ledgers")


@pytest.fixture(autouse=True)
def _private_ledger(_ledger_dir: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test records spend in its own temporary SQLite ledger (``NEOCLOUD_LEDGER``, inherited by the processes
    it starts), never in the user's: toolkits and tool specs open ``open_ledger()`` by default. The file is only
    created if the test opens it."""
    import hashlib

    name = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    monkeypatch.setenv("NEOCLOUD_LEDGER", f"sqlite:///{_ledger_dir / name}.sqlite3")


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    # Named "yaml" so pytest-recording's rewrite mode finds (and deletes) the same <test>.yaml path we write.
    vcr.register_serializer("yaml", serializer)


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return {
        "serializer": "yaml",
        "path_transformer": lambda path: path + ".yaml",
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "match_on": ("method", "scheme", "host", "port", "path", "query", "body"),
        # Retries and polls replay in order: never serve the first answer twice.
        "allow_playback_repeats": False,
    }


@pytest.fixture
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<test file path relative to the repo, without .py>/``: one YAML file per test."""
    test_file = Path(str(request.node.fspath)).resolve()
    relative = test_file.relative_to(ROOT).with_suffix("")
    parts = [p for p in relative.parts if p not in {"packages", "tests", "src"}]
    return str(ROOT / "cassettes" / Path(*parts))


@pytest.fixture(scope="session")
def recording(request: pytest.FixtureRequest) -> bool:
    mode = request.config.getoption("--record-mode", default="none")
    return mode not in (None, "none")


@pytest.fixture(scope="session")
def sandbox_server(recording: bool) -> Iterator[Any]:
    """The in-process sandbox, started only when recording."""
    if not recording:
        yield None
        return
    from neocloud.sandbox import Sandbox, SandboxSettings

    # Short lifecycle phases keep recordings of polling tests quick.
    with Sandbox(settings=SandboxSettings(phase_s=0.1)) as sb:
        yield sb


def _target(provider: str, recording: bool, sandbox_server: Any) -> Iterator[Target]:
    target = make_target(provider, recording=recording, sandbox=sandbox_server)
    if sandbox_server is not None:
        sandbox_server.reset()
    yield target
    if sandbox_server is not None:
        sandbox_server.reset()


@pytest.fixture
def cerebras_target(recording: bool, sandbox_server: Any) -> Iterator[Target]:
    """Cerebras endpoint for a recorded test (sandbox state is reset around each recording)."""
    yield from _target("cerebras", recording, sandbox_server)


@pytest.fixture
def metalcloud_target(recording: bool, sandbox_server: Any) -> Iterator[Target]:
    """MetalCloud endpoint for a recorded test."""
    yield from _target("metalcloud", recording, sandbox_server)


@pytest.fixture
def runcrate_target(recording: bool, sandbox_server: Any) -> Iterator[Target]:
    """Runcrate endpoint (both hosts) for a recorded test."""
    yield from _target("runcrate", recording, sandbox_server)


@pytest.fixture
def cluster_target(recording: bool, sandbox_server: Any) -> Iterator[Target]:
    """Cluster Protocol endpoint for a recorded test."""
    yield from _target("clusterprotocol", recording, sandbox_server)


@pytest.fixture
def inferencekey_target(recording: bool, sandbox_server: Any) -> Iterator[Target]:
    """InferenceKey endpoint: ``api_key`` is the control token, ``extra`` holds ``data_key`` and ``project``."""
    yield from _target("inferencekey", recording, sandbox_server)


@pytest.fixture
def live_sandbox() -> Iterator[Any]:
    """A real in-process sandbox on a loopback port, for tests that exercise it directly."""
    from neocloud.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb
