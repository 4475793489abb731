"""``open_ledger``: the ledger a process should use, from an explicit URL, ``NEOCLOUD_LEDGER``, or the default
SQLite file in the user's data directory (so every process of the user shares one ledger and one budget)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import ConfigurationError
from ._base import BaseLedger, Clock
from ._postgres import mask_url

__all__ = ["ENV_VAR", "LedgerLocation", "default_path", "open_ledger", "parse_ledger_url"]

ENV_VAR = "NEOCLOUD_LEDGER"
_FORMS = "sqlite:///relative/path, sqlite:////absolute/path, sqlite:///:memory:, postgresql://..., or memory://"


@dataclass(frozen=True)
class LedgerLocation:
    """Where a ledger lives: ``kind`` and its ``target`` (a file path, a PostgreSQL URL, or nothing)."""

    kind: Literal["sqlite", "postgres", "memory"]
    target: str


def default_path() -> Path:
    """The default ledger file: ``ledger.sqlite3`` in ``platformdirs.user_data_path("neocloud")``
    (``~/.local/share/neocloud`` on Linux, ``~/Library/Application Support/neocloud`` on macOS)."""
    import platformdirs

    return platformdirs.user_data_path("neocloud") / "ledger.sqlite3"


def parse_ledger_url(url: str, *, source: str = "url") -> LedgerLocation:
    """Where ``url`` points (pure). ``sqlite:///`` is followed by the path as SQLAlchemy spells it: a third
    slash makes it absolute. ``source`` names where the URL came from, for the error."""
    text = url.strip()
    if text.startswith("sqlite:///"):
        path = text[len("sqlite:///") :]
        if path:
            return LedgerLocation("sqlite", path)
    elif text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return LedgerLocation("postgres", text.replace("postgresql+psycopg://", "postgresql://", 1))
    elif text in ("memory://", "memory:"):
        return LedgerLocation("memory", "")
    raise ConfigurationError(f"{source} {mask_url(text)!r} is not a ledger URL; use one of: {_FORMS}")


def open_ledger(url: str | None = None, *, setup: bool = True, clock: Clock | None = None) -> BaseLedger:
    """Open the ledger at ``url``, else ``$NEOCLOUD_LEDGER``, else the default SQLite file (its directory is
    created). The ledger owns its connection: close it (``with open_ledger() as ledger: ...``). ``setup``
    applies the schema now rather than on first use."""
    source = "url"
    if url is None:
        url, source = os.environ.get(ENV_VAR) or None, ENV_VAR
    if url is None:
        path = default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        location = LedgerLocation("sqlite", str(path))
    else:
        location = parse_ledger_url(url, source=source)
    ledger: BaseLedger
    if location.kind == "memory":
        from ._memory import InMemoryLedger

        ledger = InMemoryLedger(clock=clock)
    elif location.kind == "postgres":
        from ._postgres import PostgresLedger

        ledger = PostgresLedger.connect(location.target, clock=clock)
    else:
        from ._sqlite import SQLiteLedger

        ledger = SQLiteLedger.connect(location.target, clock=clock)
    if setup:
        try:
            ledger.setup()
        except BaseException:
            ledger.close()
            raise
    return ledger
