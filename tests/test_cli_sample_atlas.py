"""`khanij sample-atlas OUTDIR`: writes every atlas file and prints each path; exit 4 when the
folder cannot be written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import main
from layers.atlas import ATLAS_DIR

ATLAS_FILES = ["deposits.gpkg", "blocks.gpkg", "railway_stations.gpkg", "protected_areas.gpkg", "forest.gpkg",
               "magnetic_anomaly.tif", "states.gpkg", "README.md"]
REPO = Path(__file__).resolve().parents[1]


def test_sample_atlas_writes_all_files_and_prints_them(tmp_path, capsys):
    out = tmp_path / "atlas"
    assert main.main(["sample-atlas", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [str(out / name) for name in ATLAS_FILES]
    for name in ATLAS_FILES:
        assert (out / name).read_bytes() == (ATLAS_DIR / name).read_bytes()


def test_sample_atlas_to_an_unwritable_folder_exits_4_without_traceback(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("a file, not a folder")
    run = subprocess.run([sys.executable, str(REPO / "main.py"), "sample-atlas", str(blocker / "atlas")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 4
    assert "Traceback" not in run.stderr
    assert str(blocker / "atlas") in run.stderr
    assert run.stdout == ""
