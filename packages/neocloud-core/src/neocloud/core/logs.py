"""Logging: metadata only (provider, method, path, status, request id, attempt, delay), never bodies, with
a filter that masks anything key-shaped in case a message ever carries one."""

from __future__ import annotations

import logging
import os
import re

__all__ = ["SecretRedactingFilter", "configure_from_env"]

# Bearer tokens and the providers' key prefixes (mc_, sk-, cp_, rc_live_, ik_sdk_, ik_live_, csk-).
_SECRET_RE = re.compile(
    r"(Bearer\s+)[^\s'\"]+|\b(mc_|sk-|cp_|rc_live_|ik_sdk_|ik_live_|csk-)[A-Za-z0-9_\-]{6,}", re.IGNORECASE
)


def _mask(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + "**********"
    return (match.group(2) or "") + "**********"


class SecretRedactingFilter(logging.Filter):
    """Masks bearer tokens and provider keys in log records of the ``neocloud`` loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_RE.sub(_mask, message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_configured: set[str] = set()


def _install_filter() -> None:
    logger = logging.getLogger("neocloud")
    if not any(isinstance(f, SecretRedactingFilter) for f in logger.filters):
        logger.addFilter(SecretRedactingFilter())


def configure_from_env(env_var: str) -> None:
    """Honour ``<PROVIDER>_LOG=info|debug`` (the official SDKs' switch): log neocloud to stderr at that level."""
    _install_filter()
    level_name = os.environ.get(env_var, "").strip().upper()
    if level_name not in {"INFO", "DEBUG"} or env_var in _configured:
        return
    _configured.add(env_var)
    logger = logging.getLogger("neocloud")
    logger.setLevel(level_name)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        handler.addFilter(SecretRedactingFilter())
        logger.addHandler(handler)
