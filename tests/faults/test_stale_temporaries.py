"""A write killed with SIGKILL cannot remove its temporary file: the next write to the same target
removes exactly those of ours — our naming, older than the run, of a process that is gone."""
from __future__ import annotations

import os
import subprocess
import sys
import signal
import time

import pytest

from geo.atomic import RUN_STARTED, atomic_write_bytes
from tests.faults.helpers import REPO


KILLED_WRITE = """
import sys, time
from geo.atomic import atomic_path

with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"half a file")
    tmp.with_name(tmp.name + "-journal").write_bytes(b"what SQLite keeps beside it")
    print(tmp.name, flush=True)
    time.sleep(120)
"""


def killed_write(target) -> tuple[str, int]:
    """Start a write to ``target`` in a child and SIGKILL it mid-write: its temporary name and pid."""
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITE, str(target)], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    try:
        name = child.stdout.readline().strip()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert name, "the child wrote nothing"
    return name, child.pid


def make(folder, name: str, mtime: float, directory: bool = False) -> str:
    path = folder / name
    if not path.exists():
        path.mkdir() if directory else path.write_bytes(b"half a file")
    os.utime(path, (mtime, mtime))
    return name


@pytest.mark.parametrize("stem", ["scores", "-x %s$(id) a'b", "b" * 245])
def test_stale_temporaries_of_this_target_are_removed_and_nothing_else(tmp_path, stem):
    target = tmp_path / f"{stem}.gpkg"
    leftover, dead = killed_write(target)
    old, new = RUN_STARTED - 3600, time.time() + 3600  # a killed earlier run; a write still going on
    ours = f".{dead}."

    def like(old_part: str, new_part: str) -> str:
        return leftover.replace(old_part, new_part, 1)

    stale = {make(tmp_path, leftover, old), make(tmp_path, leftover + "-journal", old),
             make(tmp_path, leftover + "-wal", old)}
    kept = {make(tmp_path, like(ours, ".1."), old),  # pid 1 is alive
            make(tmp_path, like(".part", "x.part"), new),  # newer than this run
            make(tmp_path, ".other" + leftover[leftover.index(ours):], old),  # another target
            make(tmp_path, like(".part.gpkg", ".part.csv"), old),  # another suffix
            make(tmp_path, leftover + ".bak", old),  # not our name
            make(tmp_path, leftover[1:], old),  # not hidden
            make(tmp_path, like(".part", "9.part"), old),  # nine random characters: not mkstemp's
            make(tmp_path, like(ours, f".{dead}0."), old, directory=True)}  # a folder (of another pid)
    assert len(kept) == 8
    atomic_write_bytes(target, b"complete")
    assert target.read_bytes() == b"complete"
    assert {p.name for p in tmp_path.iterdir()} == kept | {target.name}
