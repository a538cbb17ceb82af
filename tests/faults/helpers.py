"""Running ``khanij`` as a user would, under the faults the tests inflict: a file-size limit that
makes every write past it fail as on a full disk, signals, an unprivileged user."""
from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534
# Our temporary names: .<stem>.<pid>.<8 random>.part<suffix>, with SQLite's side files.
TEMPORARY = re.compile(r"\..+\.\d+\.[a-z0-9_]{8}\.part\.[^.]+(-journal|-wal|-shm)?")


def file_size_limit(limit_bytes: int) -> Callable[[], None]:
    """A ``preexec_fn`` that caps the size of every file the child writes (RLIMIT_FSIZE): a write
    past it fails with EFBIG, as a write to a full disk fails with ENOSPC, without root or a small
    file system. Python ignores SIGXFSZ, so the child sees the error instead of being killed."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return apply


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def without_permission_override() -> None:
    """``preexec_fn``: folder and file modes apply to the child even when the tests run as root.

    Root ignores modes through two capabilities; they are dropped from the bounding set before
    the child's exec, so the program runs as root (its files under /root stay readable) but
    without them. Not "become nobody": nobody could not run a checkout kept under /root.
    """
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def khanij(*args: str, preexec: Optional[Callable[[], None]] = None, timeout: float = 120,
           cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``khanij ARGS`` in a child process, as the console script runs it."""
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          errors="replace", timeout=timeout, cwd=cwd, preexec_fn=preexec, env=child_env())


def start_khanij(*args: str, cwd: Path = REPO) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "main.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd, env=child_env())


def child_env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = str(REPO)
    return env


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMPORARY.fullmatch(p.name))


def others(folder: Path, *keep: str) -> list[str]:
    """Every file in ``folder`` but ``keep``."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def assert_clean_error(run: subprocess.CompletedProcess, code: int, name: str) -> None:
    """Exit ``code``, one ``khanij: error`` line naming ``name``, no traceback."""
    assert run.returncode == code, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr[-3000:]
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("khanij: error: ") and name in last, last


def wait_until_catching(child: subprocess.Popen, signum: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Wait until ``child`` has a handler for ``signum`` (Linux's /proc/PID/status SigCgt mask):
    khanij's own start, after the interpreter's, whose first tenth of a second no program controls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{child.pid}/status", encoding="ascii") as status:
            caught = next(int(line.split()[1], 16) for line in status if line.startswith("SigCgt:"))
        if caught & (1 << (signum - 1)):
            return
        time.sleep(0.005)
    raise AssertionError(f"the child never caught {signal.Signals(signum).name}")
