"""The auction-readiness panel on the sample atlas: roles pre-filled, Run off the GUI thread,
one row per block, sorting, table ↔ map, explanation, the scores layer, Cancel, errors."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from PySide6.QtCore import QSettings, Qt

from assessment.rules import load_rules
from assessment.scoring import score
from layers.atlas import load_sample_atlas
from layers.layer import Layer
from layers.scoring_setup import ScoringSetup
from layers.style import READINESS_COLOURS, readiness_style

from assessment.report import findings_text
from gui.readiness_panel import SCORES_LAYER_NAME, ReadinessPanel, explanation_lines, text_colour_on
from gui.workers import TaskRunner
from tests.gui.canvas_helpers import make_canvas

ROLES = ("blocks", "deposits", "forest", "protected_areas", "boundaries")


@pytest.fixture
def atlas():
    return load_sample_atlas()


@pytest.fixture
def panel(qtbot, atlas):
    canvas = make_canvas(qtbot, atlas, size=(700, 500))
    runner = TaskRunner()
    widget = ReadinessPanel(atlas, canvas, runner, ScoringSetup.from_roles(atlas))
    qtbot.addWidget(widget)
    widget.resize(480, 900)
    widget.show()
    yield widget
    runner.cancel_all()
    runner.wait(20000)


def run_to_end(qtbot, panel):
    with qtbot.waitSignal(panel.scored, timeout=60000) as blocker:
        task = panel.run()
        assert task is not None
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    return blocker.args[0]


def column_texts(panel, key: str) -> list[str]:
    model, column = panel.model, panel.model.column_index(key)
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def headless_scores(atlas):
    """The same run without the GUI (what every number in the panel must equal)."""
    first = {role: atlas.by_role(role)[0].data for role in ROLES}
    return score(first["blocks"], first["deposits"], forest=first["forest"], protected=first["protected_areas"],
                 boundaries=first["boundaries"],
                 infrastructure=[(layer.name, layer.data) for layer in atlas.by_role("infrastructure")],
                 rasters=[(layer.name, str(layer.data.path)) for layer in atlas.by_role("evidence")])


def test_roles_rules_and_lists_are_prefilled(panel, atlas):
    for role in ROLES:
        assert panel.chosen_layer(role) is atlas.by_role(role)[0]
    assert panel.checked_layers("infrastructure") == atlas.by_role("infrastructure")
    assert panel.checked_layers("rasters") == atlas.by_role("evidence")
    shipped = load_rules()
    assert f"version {shipped.version}" in panel.rules_label.text()
    assert "shipped" in panel.rules_label.text()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_layer_opened_later_is_prefilled_but_a_hand_choice_is_kept(panel, atlas):
    forest = atlas.by_role("forest")[0]
    panel.choose_layer("forest", None)
    atlas.remove(forest)
    atlas.append(forest)
    assert panel.chosen_layer("forest") is None
    protected = atlas.by_role("protected_areas")[0]
    atlas.remove(protected)
    assert panel.chosen_layer("protected_areas") is None
    atlas.append(protected)
    assert panel.chosen_layer("protected_areas") is protected


def test_run_gives_one_row_per_block_with_the_engine_values(qtbot, panel, atlas):
    blocks = atlas.by_role("blocks")[0]
    run_to_end(qtbot, panel)
    assert panel.model.rowCount() == blocks.feature_count
    expected = headless_scores(atlas)
    frame = panel.model.frame
    assert list(frame["block_id"]) == list(expected["block_id"])
    np.testing.assert_array_equal(frame["score"].to_numpy(), expected["score"].to_numpy())
    assert list(frame["readiness"]) == list(expected["readiness"])
    shown = {(row_id, text) for row_id, text in zip(column_texts(panel, "block_id"), column_texts(panel, "score"))}
    assert shown == {(i, f"{s:.1f}") for i, s in zip(expected["block_id"], expected["score"])}
    assert set(column_texts(panel, "licence_now")) <= {"ML", "CL", "EL", "none"}
    assert "Scored" in panel.message.text() and blocks.name in panel.message.text()


def test_readiness_cells_use_the_readiness_colours(qtbot, panel):
    run_to_end(qtbot, panel)
    model, column = panel.model, panel.model.column_index("readiness")
    seen = set()
    for row in range(model.rowCount()):
        index = model.index(row, column)
        readiness = model.data(index)
        assert model.data(index, Qt.ItemDataRole.BackgroundRole).name() == READINESS_COLOURS[readiness]
        seen.add(readiness)
    assert seen == set(READINESS_COLOURS)


def test_scores_layer_is_added_above_the_blocks_with_the_readiness_style(qtbot, panel, atlas):
    blocks = atlas.by_role("blocks")[0]
    visible_before = {layer.id: layer.visible for layer in atlas}
    layer = run_to_end(qtbot, panel)
    assert layer is panel.scores_layer is atlas.find(SCORES_LAYER_NAME)
    assert layer.role == "blocks" and layer.kind == "vector"
    assert layer.style.to_dict() == readiness_style().to_dict()
    assert atlas.index(layer) == atlas.index(blocks) - 1
    assert layer.feature_count == blocks.feature_count and layer.illustrative
    assert {other.id: other.visible for other in atlas if other is not layer} == visible_before
    assert layer.visible
    assert panel.chosen_layer("blocks") is blocks  # the results are not offered as blocks to score


def test_a_second_run_updates_the_same_layer(qtbot, panel, atlas):
    first = run_to_end(qtbot, panel)
    assert first.data["s_forest"].notna().all()
    count = len(atlas)
    panel.choose_layer("forest", None)
    second = run_to_end(qtbot, panel)
    assert second is first and len(atlas) == count
    assert second.data["s_forest"].isna().all()
    assert panel.model.frame["s_forest"].isna().all()


def test_sorting_by_score_and_by_block_id(qtbot, panel):
    run_to_end(qtbot, panel)
    column = panel.model.column_index("score")
    panel.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    ascending = [float(text) for text in column_texts(panel, "score")]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    assert [float(text) for text in column_texts(panel, "score")] == sorted(ascending, reverse=True)
    panel.table.sortByColumn(panel.model.column_index("block_id"), Qt.SortOrder.AscendingOrder)
    ids = column_texts(panel, "block_id")
    assert ids == sorted(ids, key=str.casefold)


def test_the_selection_follows_the_row_through_a_sort(qtbot, panel):
    run_to_end(qtbot, panel)
    panel.table.selectRow(4)
    position = panel.selected_position()
    panel.table.sortByColumn(panel.model.column_index("block_name"), Qt.SortOrder.AscendingOrder)
    assert panel.selected_position() == position


def _display_bounds(canvas, layer, position):
    to_display = Transformer.from_crs(layer.crs, canvas.display_crs, always_xy=True)
    return to_display.transform_bounds(*layer.data.geometry.iloc[position].bounds)


def test_selecting_a_row_selects_and_zooms_the_block_and_shows_its_explanation(qtbot, panel):
    layer = run_to_end(qtbot, panel)
    canvas = panel.canvas
    full = canvas.extent()
    panel.table.selectRow(2)
    position = panel.selected_position()
    assert list(canvas.selection(layer)) == [position]
    minx, miny, maxx, maxy = canvas.extent()
    bminx, bminy, bmaxx, bmaxy = _display_bounds(canvas, layer, position)
    assert minx <= bminx and miny <= bminy and bmaxx <= maxx and bmaxy <= maxy
    assert (maxx - minx) < (full[2] - full[0]) / 20
    text = panel.explanation.toPlainText()
    row = layer.data.iloc[position]
    assert text == findings_text(row)
    assert text.startswith(f"{row['readiness']} · score {row['score']:.1f} of 100 · law as of {row['as_of']}")
    for gate in ("stage", "protected", "state"):
        assert row[f"gate_{gate}_finding"] in text and row[f"gate_{gate}_source"] in text
    assert row["m_exploration_text"] in text and row["authority_finding"] in text
    assert panel.explanation.isReadOnly()


def test_the_verdict_pane_reads_the_columns_not_the_prose(qtbot, panel):
    run_to_end(qtbot, panel)
    panel.table.selectRow(0)
    position = panel.selected_position()
    before = panel.explanation.toPlainText()
    frame = panel.model.frame
    frame.loc[frame.index[position], "explanation"] = "Reworded by someone else entirely."
    panel.table.clearSelection()
    panel.table.selectRow(0)
    assert panel.explanation.toPlainText() == before


def test_clicking_a_block_on_the_map_selects_its_row(qtbot, panel):
    layer = run_to_end(qtbot, panel)
    canvas = panel.canvas
    target = 7
    canvas.zoom_to_features(layer, [target])
    canvas.grab_map_image()
    extent = canvas.extent()
    point = shapely.get_coordinates(layer.data.geometry.iloc[target].representative_point())[0]
    x, y = Transformer.from_crs(layer.crs, canvas.display_crs, always_xy=True).transform(*point)
    canvas.set_tool("select")
    canvas.set_selection_layer(layer)
    with qtbot.waitSignal(canvas.selectionChanged):
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.pixel_of(x, y))
    assert panel.selected_position() == target
    assert panel.explanation.toPlainText() == findings_text(layer.data.iloc[target])
    assert canvas.extent() == pytest.approx(extent)


def test_cancel_during_a_run_stops_it_and_the_panel_runs_again(qtbot, panel, atlas):
    reached, resume = threading.Event(), threading.Event()

    def hold_at_first_progress(_fraction, _text):
        if not reached.is_set():
            reached.set()
            resume.wait(20)

    count = len(atlas)
    task = panel.run()
    task.progressed.connect(hold_at_first_progress, Qt.ConnectionType.DirectConnection)
    outcome = []
    task.succeeded.connect(lambda _frame: outcome.append("succeeded"))
    task.cancelled.connect(lambda: outcome.append("cancelled"))
    assert panel.running and not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(reached.is_set, timeout=20000)
    with qtbot.waitSignal(task.finished, timeout=20000):
        panel.cancel_button.click()
        resume.set()
    assert outcome == ["cancelled"]
    assert len(atlas) == count and atlas.find(SCORES_LAYER_NAME) is None
    assert "cancelled" in panel.message.text().lower()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    layer = run_to_end(qtbot, panel)
    assert layer.feature_count == atlas.by_role("blocks")[0].feature_count


def test_a_failed_run_is_reported_in_the_panel(qtbot, panel, atlas):
    blocks = atlas.by_role("blocks")[0]
    no_crs = Layer("blocks without a CRS", blocks.data.set_crs(None, allow_override=True), role="blocks")
    atlas.append(no_crs)
    panel.choose_layer("blocks", no_crs)
    assert panel.run() is not None
    qtbot.waitUntil(lambda: not panel.running, timeout=20000)
    assert "no CRS" in panel.message.text()
    assert atlas.find(SCORES_LAYER_NAME) is None and panel.run_button.isEnabled()


def test_an_invalid_rules_file_is_refused_with_its_name(panel, tmp_path):
    shipped = load_rules()
    bad = tmp_path / "my_rules.toml"
    bad.write_text((shipped.path).read_text(encoding="utf-8").replace("exploration = 25", "exploration = 30", 1),
                   encoding="utf-8")
    assert not panel.set_rules_path(bad)
    assert "my_rules.toml" in panel.message.text() and "105" in panel.message.text()
    assert panel.rules is not None and panel.rules.sha256 == shipped.sha256


def test_an_own_rules_file_is_used_and_shown(qtbot, panel, tmp_path):
    shipped = load_rules()
    own = tmp_path / "tranche_rules.toml"
    own.write_text(shipped.path.read_text(encoding="utf-8").replace(f'version = "{shipped.version}"',
                                                                    'version = "tranche-7"', 1), encoding="utf-8")
    assert panel.set_rules_path(own)
    assert "tranche_rules.toml" in panel.rules_label.text() and "tranche-7" in panel.rules_label.text()
    assert panel.shipped_rules_button.isEnabled()
    layer = run_to_end(qtbot, panel)
    assert set(layer.data["rules_version"]) == {"tranche-7"}
    panel.shipped_rules_button.click()
    assert panel.rules.sha256 == shipped.sha256 and not panel.shipped_rules_button.isEnabled()


def test_removing_the_scores_layer_clears_the_results(qtbot, panel, atlas):
    layer = run_to_end(qtbot, panel)
    panel.table.selectRow(0)
    atlas.remove(layer)
    assert panel.scores_layer is None and panel.model.rowCount() == 0
    assert panel.explanation.toPlainText() == ""


def test_the_main_window_docks_the_panel_on_the_right_and_shows_progress(qtbot, tmp_path):
    from gui.app import create_window

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    window = create_window([])
    qtbot.addWidget(window)
    window.resize(1400, 900)                  # a wide window (a narrow one tabs the panel on the left)
    window.show()
    assert window.dockWidgetArea(window.readiness_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    window.readiness_dock.hide()
    view_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&View")
    assert window.readiness_dock.toggleViewAction() in view_menu.actions()
    window.readiness_action.trigger()
    assert window.readiness_dock.isVisible()
    panel = window.readiness
    assert panel.chosen_layer("blocks") is window.layer_list.by_role("blocks")[0]
    followed = []
    window.runner.taskStarted.connect(lambda task: followed.append(window.status.progress.task is task))
    layer = run_to_end(qtbot, panel)
    assert followed == [True]
    assert SCORES_LAYER_NAME in [item.text(0) for item in window.layer_tree.layer_items()]
    assert layer in window.layer_list


def test_explanation_lines_keep_every_word_and_cited_sources_whole():
    text = ("Block A: 10.00 ha. Stage gate: pass (Rules 2021 (June 2021). Derived). Access: 0.48 km, "
            "e.g. Rail → 100 × 15 % = 15.0. Total 85.6 of 100.")
    lines = explanation_lines(text).split("\n")
    assert lines == ["Block A: 10.00 ha.", "Stage gate: pass (Rules 2021 (June 2021). Derived).",
                     "Access: 0.48 km, e.g. Rail → 100 × 15 % = 15.0.", "Total 85.6 of 100."]


def test_readiness_text_contrasts_with_each_colour():
    assert text_colour_on("#a50026") == "#ffffff"
    assert text_colour_on("#009e73") == "#000000"
    assert text_colour_on("#ffffff") == "#000000"
