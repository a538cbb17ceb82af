"""A newcomer's first minutes: no display gives one line and exit 2; an unknown subcommand names
the known ones; the README says how to get the code, the shared folder and the display."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def khanij(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "main", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=120)


def test_without_a_display_the_app_says_so_in_one_line_and_exits_2():
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = khanij(env=env)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs a display" in lines[0] and "xcb" not in run.stderr


def test_an_unknown_subcommand_is_an_error_naming_the_known_ones(tmp_path):
    run = khanij("reveiw")
    assert run.returncode == 2
    assert "unknown subcommand 'reveiw'" in run.stderr
    for name in ("gui", "info", "score", "report", "export-map", "review", "blocks", "screen"):
        assert name in run.stderr


def test_the_readme_tells_a_newcomer_how_to_start():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "git clone" in readme and "apt-get install git" in readme
    assert "`shared`" in readme and "../shared/data/external" in readme
    assert "needs a display" in readme and "xvfb-run" in readme


def test_setup_reports_progress_while_pip_builds_the_environment():
    setup = (REPO / ".ci" / "setup").read_text(encoding="utf-8")
    pip_lines = [line for line in setup.splitlines() if "pip install" in line and "requirements.lock" in line]
    assert pip_lines and all(" -q " not in line for line in pip_lines)
    assert "Collecting*)" in setup and "[$n/$packages]" in setup
