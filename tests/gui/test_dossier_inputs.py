"""The dossier lists exactly what its scores were computed from — the layers with the fields each
role was read from, the rules and the as-of date — once each; a score file that does not record
its set-up says so instead of guessing."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from assessment.report import inputs_table
from assessment.scoring import score
from layers.atlas import ATLAS_DIR, load_sample_atlas
from layers.project import save_project
from layers.scoring_setup import PROJECT_KEY, ScoringSetup

REPO = ATLAS_DIR.parents[1]


def khanij(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "main", *args], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr


def inputs_page(pdf) -> str:
    """The text of the Scoring inputs page, its words joined by single spaces (cells wrap)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f") if "Scoring inputs" in page and "computed from" in page]
    assert len(pages) == 1, "one Scoring inputs page"
    return pages[0]


def test_a_project_dossier_lists_each_input_once(tmp_path):
    atlas = load_sample_atlas()
    setup = ScoringSetup.from_roles(atlas)
    setup.assign("forest", None)
    setup.as_of = "2025-11-12"
    project = tmp_path / "tranche.khanij"
    save_project(project, atlas, extra={PROJECT_KEY: setup.to_dict(atlas, tmp_path)})
    scores, dossier = tmp_path / "scores.gpkg", tmp_path / "dossier.pdf"
    khanij("score", "--project", str(project), "-o", str(scores))
    khanij("report", str(scores), "--block", "OD-CL-02", "-o", str(dossier))

    page = inputs_page(dossier)
    for text in ("Candidate blocks (illustrative)", "Railway stations (illustrative)", "rules.toml version 2026.12",
                 "2025-11-12", "esz = esz_notified"):
        assert text in page, text
    assert "Forest (illustrative)" not in page                          # not used, so not listed


def test_the_inputs_table_has_each_input_once_in_the_order_recorded():
    atlas = load_sample_atlas()
    setup = ScoringSetup.from_roles(atlas)
    recorded = setup.inputs_table(atlas)
    scores = score(**setup.score_inputs(atlas))
    table = inputs_table(pd.concat([recorded, recorded.iloc[[0]]]), scores, "")   # a repeated row
    assert [row[0] for row in table.rows] == recorded["item"].tolist()
    assert [row[1] for row in table.rows] == recorded["name"].tolist()


def test_a_plain_score_file_says_its_set_up_was_not_recorded(tmp_path):
    scores, dossier = tmp_path / "scores.gpkg", tmp_path / "dossier.pdf"
    khanij("score", "--sample", "--as-of", "2024-06-01", "-o", str(scores))
    khanij("report", str(scores), "--block", "OD-CL-02", "-o", str(dossier))

    page = inputs_page(dossier)
    assert "not recorded" in page and "khanij score --project" in page
    assert "2024-06-01" in page
