"""Ctrl-C, SIGTERM and SIGHUP while a command starts or writes: it stops with 130 (Ctrl-C) or
128 + the signal, one line, no traceback, the previous output as it was and no temporary file.

Ctrl-C used to be swallowed in the first seconds of ``report`` (PySide's start-up ate the
KeyboardInterrupt, and the dossier was written with exit 0) or abort the process; the first
signal now cancels cooperatively and no write is put in place after it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.faults.helpers import REPO, child_env, others, start_khanij, temporaries, wait_until_catching

PREVIOUS = b"the previous output\n"


@pytest.fixture(scope="module")
def first_block(scores_path) -> str:
    import geopandas as gpd

    return str(gpd.read_file(scores_path)["block_id"].iloc[0])


def finish(child, timeout: float = 60) -> tuple[int, str]:
    _, err = child.communicate(timeout=timeout)
    return child.returncode, err


@pytest.mark.parametrize("delay_s", [0.0, 0.3, 0.7, 1.2, 2.0])
def test_ctrl_c_in_the_first_seconds_of_report_cancels(tmp_path, scores_path, first_block, delay_s):
    """A Ctrl-C cancels and leaves the previous file; one that comes when the dossier is already in
    place (a busy machine makes the last delays late) says it was written in full, never "cancelled"
    over a file it replaced."""
    out = tmp_path / "dossier.pdf"
    out.write_bytes(PREVIOUS)
    child = start_khanij("report", str(scores_path), "--block", first_block, "-o", str(out))
    wait_until_catching(child)
    time.sleep(delay_s)
    child.send_signal(signal.SIGINT)
    code, err = finish(child)
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and others(tmp_path, "dossier.pdf") == []
    if out.read_bytes() == PREVIOUS:
        assert code == 130 and last.startswith("khanij: cancelled") and last.endswith("no output was written"), \
            err[-2000:]
    else:
        assert delay_s > 0 and out.read_bytes().startswith(b"%PDF"), err[-2000:]
        assert last in ("khanij: cancelled: dossier.pdf had been written in full before the stop; nothing else "
                        "was written", "khanij: the stop request came after the work was done: what it wrote or "
                        "recorded is complete and stays"), err[-2000:]


def signal_at(child, marker: str, signum: int, extra_delay_s: float = 0.0) -> None:
    """Send ``signum`` once the child's progress on stderr shows ``marker`` (the write has begun)."""
    for line in child.stderr:
        if marker in line:
            break
    time.sleep(extra_delay_s)
    child.send_signal(signum)


WRITES = {
    "score gpkg": ("s.gpkg", ["score", "--sample", "-o", "{out}"], "writing s.gpkg", signal.SIGTERM),
    "score xlsx": ("s.xlsx", ["score", "--sample", "-o", "{out}"], "writing s.xlsx", signal.SIGHUP),
    "svg map": ("m.svg", ["export-map", "--svg", "{out}"], "drawing Deposits", signal.SIGTERM),
    "html map": ("m.html", ["export-map", "--html", "{out}"], "writing the page", signal.SIGHUP),
    "pdf dossier": ("r.pdf", ["report", "{scores}", "--block", "{block}", "-o", "{out}"], "writing r.pdf",
                    signal.SIGTERM),
}


@pytest.mark.parametrize("case", list(WRITES))
def test_a_signal_during_a_write_leaves_no_partial_file(tmp_path, scores_path, first_block, case):
    name, argv, marker, signum = WRITES[case]
    out = tmp_path / name
    out.write_bytes(PREVIOUS)
    child = start_khanij(*[a.format(out=out, scores=scores_path, block=first_block) for a in argv])
    signal_at(child, marker, signum)
    code, err = finish(child)
    assert "Traceback" not in err, err[-3000:]
    assert code == 128 + signum, err[-2000:]
    said = f"khanij: stopped by {signal.Signals(signum).name}: no partial output was left"
    assert err.strip().splitlines()[-1] == said
    assert out.read_bytes() == PREVIOUS
    assert temporaries(tmp_path) == [] and others(tmp_path, name) == []


def test_a_second_sigterm_unwinds_at_once_and_still_cleans(tmp_path):
    out = tmp_path / "s.gpkg"
    child = start_khanij("score", "--sample", "-o", str(out))
    signal_at(child, "writing s.gpkg", signal.SIGTERM)
    child.send_signal(signal.SIGTERM)
    code, err = finish(child)
    assert code == 128 + signal.SIGTERM, err[-2000:]
    assert "Traceback" not in err
    assert others(tmp_path) == []


APP_WRITING = """
import sys, threading, time
from gui.app import create_application, end_on_stop_signals
from geo.atomic import atomic_path

app = create_application()
timer = end_on_stop_signals(app)

def save():  # a save on a worker thread, as the app's exports run, caught mid-write
    with atomic_path(sys.argv[1]) as tmp:
        tmp.write_bytes(b"half a project")
        tmp.with_name(tmp.name + "-journal").write_bytes(b"SQLite's")
        print("writing", flush=True)
        time.sleep(60)

threading.Thread(target=save, daemon=True).start()
sys.exit(app.exec())
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"])
def test_the_app_ends_on_a_signal_leaving_no_partial_output(tmp_path, signum):
    out = tmp_path / "tranche.khanij"
    out.write_bytes(PREVIOUS)
    child = subprocess.Popen([sys.executable, "-c", APP_WRITING, str(out)], cwd=REPO, env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    assert temporaries(tmp_path)
    child.send_signal(signum)
    child.communicate(timeout=30)
    assert child.returncode == 128 + signum
    assert out.read_bytes() == PREVIOUS and others(tmp_path, "tranche.khanij") == []


OPENAT = {"x86_64": 257, "aarch64": 56}  # the system call number of openat(2)


def wait_until_blocked_opening(child, timeout: float = 60) -> None:
    """Wait until the child's main thread sits in openat(2) (a FIFO's open waits for a writer)."""
    number = OPENAT.get(os.uname().machine)
    deadline, seen = time.monotonic() + timeout, 0
    while number is not None and time.monotonic() < deadline:
        with open(f"/proc/{child.pid}/syscall", encoding="ascii") as current:
            seen = seen + 1 if current.read().split()[0] == str(number) else 0
        if seen == 5:  # still there half a second later: not a file opened in passing
            return
        time.sleep(0.1)
    time.sleep(10)  # another machine: wait long enough for any start-up


def test_a_command_stuck_in_a_library_call_still_ends_on_sigterm(tmp_path):
    """Python runs signal handlers only between steps of the main thread; one blocked in C (here
    reading a rules file that is a FIFO nobody writes to) is ended by the watchdog thread."""
    from cli.signals import STOP_GRACE_S

    fifo = tmp_path / "rules.toml"
    os.mkfifo(fifo)
    child = start_khanij("score", "--sample", "--rules", str(fifo), "-o", str(tmp_path / "s.csv"))
    wait_until_blocked_opening(child)
    started = time.monotonic()
    child.send_signal(signal.SIGTERM)
    code, err = finish(child, timeout=STOP_GRACE_S + 30)
    assert code == 128 + signal.SIGTERM, err[-2000:]
    assert time.monotonic() - started < STOP_GRACE_S + 10
    assert "a step did not answer" in err and "Traceback" not in err
    assert others(tmp_path, "rules.toml") == []
