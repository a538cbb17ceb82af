"""Atomic writes: a temporary file in the target folder, renamed into place only when complete.

Killing the process mid-write leaves the previous file intact and no partial file under the
target name; a failed or cancelled write removes its temporary file.

- Only a regular file (or nothing) is ever replaced: a target that is a folder, a FIFO, a device
  node or a socket is refused, a symbolic link to a regular file is written through (the link
  stays a link), a link to anything else or to nothing is refused.
- The temporary file is named ``.<stem>.<pid>.<random>.part<suffix>`` (the stem shortened so the
  name fits the file system). A process killed with SIGKILL cannot remove its temporary file;
  the next write to the same target removes those that match this pattern exactly, are older
  than the running process and belong to no living process.
- :func:`remove_partial_outputs` deletes the temporary files of the writes in progress, for a
  signal handler that ends the process at once (the app's; the command line's second signal).
- On Windows stale files are left alone (whether their process lives cannot be asked safely).
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

try:
    import resource
except ImportError:  # Windows: no file-size limits to explain
    resource = None

from geo.errors import DataWriteError, KhanijError, describe_path
from geo.feedback import check_stop

NAME_MAX_BYTES = 255
# The bytes a temporary name adds to the stem: two dots, the pid, mkstemp's 8 random characters,
# ".part", the suffix and SQLite's longest side-file ending (pid_max is at most 2**22).
_TEMP_OVERHEAD = len(".") + len(".4194304.") + 8 + len(".part") + len("-journal")
# Files SQLite (GeoPackage writes) keeps beside a database while it is open.
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
# The reasons a write fails that the system's own words say badly.
WRITE_ERRNOS = {errno.ENOSPC: "the disk is full",
                errno.EFBIG: "the file would exceed the file-size limit of this disk or user",
                errno.EDQUOT: "the disk quota is exhausted",
                errno.EROFS: "the file system is read-only",
                errno.EIO: "the disk reported an input/output error"}

_UNSAFE_IN_TEMPORARY = re.compile(r"[^\w.-]|[\udc80-\udcff]")

RUN_STARTED = time.time()


def _a_new_run() -> None:
    """A forked child is a run of its own: its parent's killed writes are older than it."""
    global RUN_STARTED
    RUN_STARTED = time.time()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_a_new_run)

_in_flight: set[Path] = set()
_in_flight_lock = threading.Lock()
_put_in_place: list[Path] = []


def outputs_put_in_place() -> list[Path]:
    """Every file an atomic write put in place since :func:`forget_outputs_put_in_place`, in order
    (what a command that is stopped half-way has nevertheless written in full)."""
    with _in_flight_lock:
        return list(_put_in_place)


def forget_outputs_put_in_place() -> None:
    """Start a new list for :func:`outputs_put_in_place` (a new command starts)."""
    with _in_flight_lock:
        _put_in_place.clear()


def write_error(target: os.PathLike | str, exc: OSError) -> DataWriteError:
    """A :class:`DataWriteError` naming ``target`` and saying in words why ``exc`` stopped the write."""
    reason = WRITE_ERRNOS.get(exc.errno) or exc.strerror or str(exc)
    return DataWriteError(f"{describe_path(target)}: cannot write: {reason}; no file was changed")


def disk_full_hint(path: os.PathLike | str) -> str:
    """`` (the disk is full)`` or `` (the file reached the file-size limit)`` when that is why a
    write to ``path`` (a temporary file) stopped, else ``""``: for libraries such as GDAL whose
    message after a failed write names some later symptom."""
    path = Path(path)
    with contextlib.suppress(OSError):
        if shutil.disk_usage(path.parent).free < 1024 * 1024:
            return " (the disk is full)"
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0] if resource else -1
    if limit >= 0:
        sizes = [os.stat(name).st_size for name in _with_side_files(path) if os.path.exists(name)]
        if sizes and max(sizes) + 64 * 1024 >= limit:
            return " (the file reached the file-size limit)"
    return ""


def not_a_regular_file(path: os.PathLike | str) -> Optional[str]:
    """What ``path`` is when it exists and is not a regular file (nor a link to one), in words
    (``"a FIFO (named pipe)"``, ``"a symbolic link to a folder (/x)"``); None otherwise."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        real = os.path.realpath(path)
        try:
            real_mode = os.stat(real).st_mode
        except OSError:
            return f"a symbolic link to {real}, which does not exist"
        return None if stat.S_ISREG(real_mode) else f"a symbolic link to {_kind(real_mode)} ({real})"
    return None if stat.S_ISREG(mode) else _kind(mode)


def writable_target(target: os.PathLike | str) -> Path:
    """The file a write to ``target`` replaces: ``target`` itself, or the regular file a symbolic link names.

    Raises
    ------
    DataWriteError
        ``target`` exists and is not a regular file (folder, FIFO, device, socket), or is a
        symbolic link to one or to nothing; or its folder does not exist.
    """
    target = Path(target)
    name = describe_path(target)
    try:
        problem = not_a_regular_file(target)
    except OSError as exc:
        raise DataWriteError(f"{name}: cannot write: {exc.strerror or exc}") from exc
    if problem is not None:
        raise DataWriteError(f"{name}: cannot write: it is {problem}; only a regular file is replaced")
    if target.is_symlink():
        return Path(os.path.realpath(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DataWriteError(f"{name}: cannot write, the folder {folder} does not exist")
    return target


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _temporary_stem(target: Path) -> str:
    """The target's stem as a temporary name holds it: only letters, digits, ``.``, ``-`` and ``_``
    (GDAL misreads quotes and semicolons in a path, and cannot take bytes that are not UTF-8), cut
    so the name, with SQLite's ``-journal``, fits NAME_MAX."""
    stem = _UNSAFE_IN_TEMPORARY.sub("_", target.stem)
    budget = NAME_MAX_BYTES - _TEMP_OVERHEAD - len(os.fsencode(target.suffix))
    return stem.encode("utf-8")[:max(budget, 1)].decode("utf-8", errors="ignore")


def _stale_pattern(target: Path) -> re.Pattern:
    """Our exact temporary names for ``target`` (any pid), with SQLite's side files."""
    side = "|".join(re.escape(s) for s in SQLITE_SIDE_FILES)
    return re.compile(rf"\.{re.escape(_temporary_stem(target))}\.(\d+)\.[a-z0-9_]{{8}}"
                      rf"\.part{re.escape(target.suffix)}(?:{side})?")


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill would end the process there: leave the files
    if pid == os.getpid():
        return False  # a file of an earlier process that had our pid: this run's files are newer
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(target: os.PathLike | str) -> list[str]:
    """Delete the temporary files that killed writes to ``target`` left; returns their names.

    A file is removed only when its name is exactly one of ours for this target, it is older than
    the running process, and the process that made it is gone.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    pattern = _stale_pattern(target)
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match is None or _process_alive(int(match.group(1))):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < RUN_STARTED:
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _with_side_files(path: Path) -> tuple[Path, ...]:
    return (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES))


def _unlink(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def remove_partial_outputs() -> None:
    """Delete the temporary files of every write in progress (for a signal handler about to exit)."""
    with _in_flight_lock:
        paths = list(_in_flight)
    for path in paths:
        _unlink(*_with_side_files(path))


@contextlib.contextmanager
def atomic_path(target: os.PathLike | str, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically.

    The temporary name keeps the target's suffix, so format drivers that look at the extension
    (GPKG, XLSX) behave as for the real name.

    Parameters
    ----------
    target : path-like
        Absent, a regular file, or a symbolic link to a regular file (then that file is replaced).
    exclusive : bool
        Only create: when ``target`` appeared while writing, it is kept and the new file dropped.

    Raises
    ------
    DataWriteError
        The target is not a regular file, its folder does not exist or cannot be written, or the
        disk is full (then the previous file is unchanged and no temporary file is left).
    """
    requested = Path(target)
    target = writable_target(requested)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{_temporary_stem(target)}.{os.getpid()}.",
                                        suffix=f".part{target.suffix}", dir=folder)
    except OSError as exc:
        raise DataWriteError(f"{describe_path(requested)}: cannot write to {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    with _in_flight_lock:
        _in_flight.add(tmp)
    tmp.unlink()  # drivers such as GPKG refuse to open an existing empty file; we only reserve the name
    try:
        try:
            yield tmp
        except OSError as exc:
            if isinstance(exc, KhanijError):
                raise
            raise write_error(requested, exc) from exc
        except UnicodeEncodeError as exc:  # a folder name in another encoding, passed to GDAL or Qt
            raise DataWriteError(f"{describe_path(requested)}: cannot write: the folder's name is not UTF-8 "
                                 f"text, which the file-format library needs; choose another folder") from exc
        if not tmp.exists():
            raise DataWriteError(f"{describe_path(requested)}: nothing was written")
        check_stop()  # an interrupt that some library swallowed still keeps the file out of place
        _move_into_place(tmp, target, requested, exclusive)
        with _in_flight_lock:
            _put_in_place.append(requested)
    finally:
        with _in_flight_lock:
            _in_flight.discard(tmp)
        _unlink(*_with_side_files(tmp))


def _move_into_place(tmp: Path, target: Path, requested: Path, exclusive: bool) -> None:
    try:
        if exclusive:
            try:
                os.link(tmp, target)  # fails if the target exists: never replaces another's new file
            except FileExistsError:
                pass
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
                    raise
                if not target.exists():  # a file system without hard links
                    os.replace(tmp, target)
        else:
            writable_target(requested)  # what appeared there while writing (a FIFO, a folder) stays
            os.replace(tmp, target)
    except DataWriteError:
        raise
    except OSError as exc:
        reason = "it is a folder" if target.is_dir() else (exc.strerror or str(exc))
        raise DataWriteError(f"{describe_path(requested)}: cannot write: {reason}") from exc


def atomic_write_bytes(target: os.PathLike | str, payload: bytes) -> None:
    """Write ``payload`` to ``target`` atomically (fsync before the rename)."""
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write_text(target: os.PathLike | str, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    atomic_write_bytes(target, text.encode(encoding))
