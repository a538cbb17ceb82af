"""``khanij gui --screenshot`` renders the main window offscreen on the sample atlas and exits 0."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

REPO = Path(__file__).resolve().parents[1]


def test_screenshot_of_the_sample_atlas(tmp_path):
    out = tmp_path / "window.png"
    env = dict(os.environ, KHANIJ_SETTINGS_ORG="khanij-tests-cli", XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("DISPLAY", None)
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "gui", "--screenshot", str(out)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".png"] == ["window.png"]   # no temp files left
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    pixels = np.frombuffer(image.convertToFormat(QImage.Format.Format_RGB32).constBits(), dtype=np.uint32)
    assert len(np.unique(pixels)) > 50                     # a drawn map, not a blank window
    assert "Traceback" not in result.stderr


def test_screenshot_to_an_unwritable_place_fails_cleanly(tmp_path):
    out = tmp_path / "missing-folder" / "window.png"
    env = dict(os.environ, KHANIJ_SETTINGS_ORG="khanij-tests-cli", XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "gui", "--screenshot", str(out)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 4
    assert "window.png" in result.stderr and "Traceback" not in result.stderr
