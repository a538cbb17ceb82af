"""The readiness panel as a view of the scoring set-up on a real window: opening files proposes
roles and changes nothing, proposals are accepted or dismissed, results go out of date when an
input changes, the as-of date reaches the score, and the GUI's Run equals ``khanij score --project``."""
from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from pandas.testing import assert_frame_equal
from PySide6.QtCore import QDate, Qt

from geo.tables import write_table
from layers.atlas import ATLAS_DIR

from tests.gui.test_open_every_external_file import FAILS, USER_FILES, EXTERNAL

REPO = ATLAS_DIR.parents[1]
LOAD_TIMEOUT_MS = 240_000


@pytest.fixture
def window(atlas_window):
    return atlas_window


def run_scores(qtbot, window):
    panel = window.readiness
    with qtbot.waitSignal(panel.scored, timeout=120000) as blocker:
        assert panel.run() is not None
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    return blocker.args[0].data


def open_files(qtbot, window, paths):
    with qtbot.waitSignal(window.loadFinished, timeout=LOAD_TIMEOUT_MS):
        window.open_paths([str(path) for path in paths])


def test_opening_every_external_file_changes_neither_the_setup_nor_the_scores(qtbot, window):
    panel = window.readiness
    before = run_scores(qtbot, window)
    saved = panel.setup()
    opened = [path for path in USER_FILES if path.relative_to(EXTERNAL).as_posix() not in FAILS]
    open_files(qtbot, window, opened)
    assert len(window.layer_list) > 40
    assert panel.setup() == saved
    assert not panel.out_of_date and not panel.out_of_date_label.isVisible()
    proposed = [panel.proposals_list.item(i).text() for i in range(panel.proposals_list.count())]
    assert any("AMC Facilities" not in text and "(proposed)" in text for text in proposed)
    assert panel.proposals_box.isVisible()
    assert_frame_equal(run_scores(qtbot, window), before)


def test_a_proposal_is_accepted_or_dismissed_by_the_user(qtbot, window, external):
    panel = window.readiness
    run_scores(qtbot, window)
    open_files(qtbot, window, [external / "datameet-municipal/Ahmedabad/AMC Facilities.kml"])
    count = panel.proposals_list.count()
    assert count >= 2 and all("→ Infrastructure (proposed)" in panel.proposals_list.item(i).text()
                              for i in range(count))
    ticked = [layer.name for layer in panel.checked_layers("infrastructure")]
    panel.proposals_list.item(0).setSelected(True)
    name = panel.proposals_list.item(0).text().split(" → ")[0]
    panel.accept_button.click()
    assert [layer.name for layer in panel.checked_layers("infrastructure")] == ticked + [name] or \
        name in [layer.name for layer in panel.checked_layers("infrastructure")]
    assert panel.proposals_list.count() == count - 1
    assert panel.out_of_date and panel.out_of_date_label.isVisible()
    panel.dismiss_button.click()                       # nothing selected: dismisses the rest
    assert panel.proposals_list.count() == 0 and not panel.proposals_box.isVisible()
    run_scores(qtbot, window)
    assert not panel.out_of_date_label.isVisible()


def test_results_go_out_of_date_when_a_field_is_remapped_or_the_blocks_filtered(qtbot, window):
    panel = window.readiness
    run_scores(qtbot, window)
    assert not panel.out_of_date_label.isVisible()
    blocks = panel.chosen_layer("blocks")
    blocks.set_filter_states(["Odisha"])
    assert panel.out_of_date_label.isVisible()
    frame = run_scores(qtbot, window)
    assert set(frame["state"]) == {"Odisha"} and not panel.out_of_date_label.isVisible()
    blocks.fields = {**blocks.fields, "commodity": "block_name"}
    assert panel.out_of_date_label.isVisible()


def test_the_as_of_date_defaults_to_today_and_reaches_the_score(qtbot, window):
    panel = window.readiness
    assert panel.as_of_edit.date() == QDate.currentDate()
    assert set(run_scores(qtbot, window)["as_of"]) == {datetime.date.today().isoformat()}
    panel.as_of_edit.setDate(QDate(2025, 11, 12))
    assert window.scoring_setup.as_of == datetime.date(2025, 11, 12)
    assert panel.out_of_date_label.isVisible()
    assert set(run_scores(qtbot, window)["as_of"]) == {"2025-11-12"}


def test_the_cli_scores_exactly_what_the_gui_scores_for_a_project(qtbot, window, tmp_path):
    panel = window.readiness
    panel.choose_layer("forest", None)
    panel.as_of_edit.setDate(QDate(2024, 6, 1))
    window.layer_list.find("Candidate blocks (illustrative)").set_filter_states(["Jharkhand", "Odisha"])
    project = tmp_path / "tranche.khanij"
    assert window.write_project(project)
    gui_frame = run_scores(qtbot, window)
    gui_file = tmp_path / "gui.gpkg"
    write_table(gui_frame, gui_file)
    cli_file = tmp_path / "cli.gpkg"
    run = subprocess.run([sys.executable, "-m", "main", "score", "--project", str(project), "-o", str(cli_file)],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert_frame_equal(gpd.read_file(cli_file, layer="scores"), gpd.read_file(gui_file))
    assert set(gui_frame["state"]) == {"Jharkhand", "Odisha"} and set(gui_frame["as_of"]) == {"2024-06-01"}


def test_the_scores_table_is_marked_out_of_date_too(qtbot, window):
    panel = window.readiness
    run_scores(qtbot, window)
    window.open_table(panel.scores_layer)
    assert not window.table.note.isVisible()
    window.scoring_setup.as_of = "2021-06-01"
    assert window.table.note.isVisible() and "Out of date" in window.table.note.text()
    run_scores(qtbot, window)
    assert not window.table.note.isVisible()


def test_converted_columns_leave_the_scores_current_and_a_remapped_field_does_not(qtbot, window):
    panel = window.readiness
    run_scores(qtbot, window)
    page = window.open_converter().column
    for role in ("deposits", "blocks"):
        layer = panel.chosen_layer(role)
        page.refresh_layers(layer)
        page.column.setCurrentText(layer.fields["unfc"])
        with qtbot.waitSignal(page.columnsAdded) as added:
            qtbot.mouseClick(page.run, Qt.MouseButton.LeftButton)
        assert added.args[0] is layer and set(added.args[1]) <= set(layer.columns)
        assert not panel.out_of_date and not panel.out_of_date_label.isVisible()
    window.open_table(panel.scores_layer)
    assert not window.table.note.isVisible()
    deposits = panel.chosen_layer("deposits")
    deposits.fields = {**deposits.fields, "unfc": f"{deposits.fields['unfc']}_to"}
    assert panel.out_of_date and panel.out_of_date_label.isVisible() and window.table.note.isVisible()
