"""The Review panel in the main window publishes the project's current scores (issue 15)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from gui.review_panel import NO_PROJECT_SCORES, STALE_PROJECT_SCORES


def test_the_review_panel_publishes_the_projects_current_scores_with_their_rules_and_date(qtbot, atlas_window,
                                                                                          tmp_path):
    window, review, readiness = atlas_window, atlas_window.review, atlas_window.readiness
    path = tmp_path / "review.gpkg"
    with qtbot.waitSignal(review.storeChanged, timeout=20000):
        review.open(str(path), create=True)
    assert review.publish_project_scores() is None
    assert review.message.text() == NO_PROJECT_SCORES

    readiness.scoring_setup.as_of = "2025-01-15"
    with qtbot.waitSignal(readiness.scored, timeout=60000):
        assert readiness.run() is not None
    qtbot.waitUntil(lambda: not readiness.running, timeout=5000)
    scores = readiness.scores_layer.data
    task = review.publish_project_scores("JH tranche")
    assert not review.publish_project_button.isEnabled()
    with qtbot.waitSignal(task.finished, timeout=60000):
        pass
    assert review.message.text().startswith(f"Published {len(scores):,} blocks of unsaved project: ")
    assert review.publish_project_button.isEnabled()
    assert review.current_tranche() == "JH tranche" and review.blocks_table.rowCount() == len(scores)
    with sqlite3.connect(path) as db:
        run = db.execute("SELECT source, as_of, rules_version, rules_sha256, n_blocks FROM review_runs").fetchall()
    blocks_name = readiness.scored_blocks.name
    assert run == [(f"unsaved project: {blocks_name}", "2025-01-15", readiness.rules.version, readiness.rules.sha256,
                    len(scores))]

    readiness.scoring_setup.as_of = "2025-06-01"
    assert readiness.out_of_date
    assert review.publish_project_scores() is None
    assert review.message.text() == STALE_PROJECT_SCORES
    assert window.project_scores().tranche == blocks_name


def test_the_default_review_geopackage_sits_beside_the_project(atlas_window, tmp_path):
    assert atlas_window.review.default_geopackage() == "review.gpkg"
    atlas_window.project_path = tmp_path / "jharkhand.khanij"
    assert atlas_window.review.default_geopackage() == str(tmp_path / "review.gpkg")


def test_the_project_reopens_its_review_geopackage(qtbot, atlas_window, tmp_path):
    from gui.main_window import MainWindow

    folder = tmp_path / "tranche"
    folder.mkdir()
    with qtbot.waitSignal(atlas_window.review.storeChanged, timeout=20000):
        atlas_window.review.open(str(folder / "review.gpkg"), create=True)
    project = folder / "jharkhand.khanij"
    assert atlas_window.write_project(project)
    assert json.loads(project.read_text(encoding="utf-8"))["extra"]["review"] == {"store": "review.gpkg"}

    moved = tmp_path / "moved"
    folder.rename(moved)  # a project folder copied elsewhere keeps its review store beside it
    second = MainWindow()
    qtbot.addWidget(second)
    with qtbot.waitSignal(second.review.storeChanged, timeout=30000):
        second.open_project(str(moved / "jharkhand.khanij"))
    assert Path(second.review.store.path) == moved / "review.gpkg"
    second.runner.wait(20000)
