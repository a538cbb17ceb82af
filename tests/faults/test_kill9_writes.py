"""At least 50 random ``kill -9``s during writes — score tables (GeoPackage, XLSX), the SVG map,
the PDF dossier, a project save and a review publish — each leaving the output as it was or
complete, never partial, with left-over files only of our temporary naming, removed by the next
complete write. The campaign runs in :mod:`tests.faults.kill9_writer` (forked writers, so a kill
costs a fraction of a second); ``KHANIJ_KILL_SEED`` replays a run, the seed is printed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.faults.helpers import REPO, child_env

KILLS = 60


def test_sixty_random_kills_during_writes_never_leave_a_partial_output(tmp_path, scores_path, capsys):
    seed = int(os.environ.get("KHANIJ_KILL_SEED", time.time_ns() % 100_000))
    run = subprocess.run([sys.executable, "-m", "tests.faults.kill9_writer", str(tmp_path / "work"), str(scores_path),
                          str(KILLS), str(seed)], capture_output=True, text=True, cwd=REPO, env=child_env(),
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    problems = [line for line in lines if line.get("problem") or "after" in line]
    summary = lines[-1]["summary"]
    with capsys.disabled():
        print(f"\nkill -9 seed {seed}: {summary}")
    assert problems == [], problems
    assert summary["kills"] == KILLS and summary["problems"] == 0
    assert min(summary["by_output"].values()) >= KILLS // 6
    # Most of a write is building the content in memory; about one kill in five finds the temporary
    # file (or SQLite's journal) on disk, i.e. strikes the file I/O itself. Four is far below that.
    assert summary["during_write"] >= 4, "too few kills struck the file being written to prove anything"
