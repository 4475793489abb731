"""A real, throwaway PostgreSQL server for the tests: ``initdb`` into a temporary directory, ``pg_ctl start``
on a free loopback port (its unix socket in the same directory), stopped at the end of the session.

The server binaries are found through ``pg_config --bindir``, ``PATH``, then ``/usr/lib/postgresql/*/bin``
(Debian's layout, newest first). ``initdb`` refuses to run as root, so under root the server runs as the
``postgres`` system user (created by Debian's package) or ``nobody``, owning its directory. No binaries: in CI
(``CI=true``) the tests fail loudly; elsewhere they are skipped with the line that installs them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "find_bindir", "postgres_server", "postgres_url"]

INSTALL = "apt-get install postgresql"
SUPERUSER = "neocloud"


def _has_server(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))


def find_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None``."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(  # noqa: S603 (the pg_config found on PATH)
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            )
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True)
    return next((c for c in candidates if _has_server(c)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """Who runs the server: ``None`` (ourselves) unless we are root, which ``initdb`` refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL")


@dataclass
class PostgresServer:
    """A running server: connect with ``url(dbname)``; ``create_database()`` makes a fresh empty one."""

    bindir: Path
    root: Path
    port: int
    user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        # The server's own binaries, with arguments this module builds.
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ, "LC_ALL": "C"}
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout}")
        return result

    @classmethod
    def start(cls, bindir: Path) -> PostgresServer:
        user = _server_user()
        # Another user must reach the directory: /tmp is world-traversable, a TMPDIR under /root may not be.
        root = Path(tempfile.mkdtemp(prefix="neocloud-pg-", dir=None if user is None else "/tmp"))  # noqa: S108
        server = cls(bindir, root, _free_port(), user)
        try:
            if server.user is not None:
                entry = pwd.getpwnam(server.user)
                os.chown(root, entry.pw_uid, entry.pw_gid)
            # No fsync: a test server never survives a power cut, and this keeps initdb and commits fast.
            server._run("initdb", "-D", str(server.data), "-U", SUPERUSER, "--auth=trust", "--no-sync",
                        "-E", "UTF8", "--no-locale")  # fmt: skip
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            server._run("pg_ctl", "-D", str(server.data), "-l", str(root / "server.log"), "-o", options, "-w",
                        "-t", "60", "start")  # fmt: skip
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")  # a generated identifier, not input
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use)."""
    bindir = find_bindir()
    if bindir is None:
        message = f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{message} (CI must run the PostgreSQL tests; .ci/run installs it)", pytrace=False)
        pytest.skip(message)
    server = PostgresServer.start(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A URL to a fresh, empty database on the session's server."""
    return postgres_server.create_database()
