"""Packing code for a job upload (pure): bytes as given, a ``.tar.gz`` file as is, or a directory packed here."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

from .exceptions import RuncrateValidationError

__all__ = ["code_archive"]

SKIPPED_DIRS = frozenset({".git", "__pycache__", "node_modules"})


def code_archive(source: str | os.PathLike[str] | bytes) -> bytes:
    """The tar.gz to upload. A directory is packed with names, modes and contents only (no owners, times or
    gzip file name), so the same files always make the same bytes and the same sha256, which uploads dedupe on.
    """
    if isinstance(source, bytes):
        return source
    path = Path(source)
    if path.is_file():
        return path.read_bytes()
    if not path.is_dir():
        raise RuncrateValidationError(f"{str(path)!r} is neither a directory nor a .tar.gz file", param="source")
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", fileobj=buffer, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                full = Path(root) / name
                if full.is_symlink() or not full.is_file():
                    continue
                info = tarfile.TarInfo(full.relative_to(path).as_posix())
                info.size, info.mode, info.mtime = full.stat().st_size, full.stat().st_mode & 0o777, 0
                with full.open("rb") as file:
                    archive.addfile(info, file)
    return buffer.getvalue()
