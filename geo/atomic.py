"""Atomic writes: a temporary file in the target folder, renamed into place only when complete.

Killing the process mid-write leaves the previous file intact and no partial file under the
target name; a failed or cancelled write removes its temporary file.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from geo.errors import DataWriteError, describe_path


@contextlib.contextmanager
def atomic_path(target: os.PathLike | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically.

    The temporary name keeps the target's suffix, so format drivers that look at the extension
    (GPKG, XLSX) behave as for the real name.

    Raises
    ------
    DataWriteError
        The target folder does not exist or cannot be written.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DataWriteError(f"{describe_path(target)}: cannot write, the folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=folder)
    except OSError as exc:
        raise DataWriteError(f"{describe_path(target)}: cannot write to {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # drivers such as GPKG refuse to open an existing empty file; we only reserve the name
    try:
        yield tmp
        if not tmp.exists():
            raise DataWriteError(f"{describe_path(target)}: nothing was written")
        try:
            os.replace(tmp, target)
        except OSError as exc:
            reason = "it is a folder" if target.is_dir() else (exc.strerror or str(exc))
            raise DataWriteError(f"{describe_path(target)}: cannot write: {reason}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(target: os.PathLike | str, payload: bytes) -> None:
    """Write ``payload`` to ``target`` atomically (fsync before the rename)."""
    with atomic_path(target) as tmp:
        try:
            with open(tmp, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise DataWriteError(f"{describe_path(target)}: cannot write: {exc.strerror or exc}") from exc


def atomic_write_text(target: os.PathLike | str, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    atomic_write_bytes(target, text.encode(encoding))
