"""Save a project from the window and reopen it in a new window: layers, order, visibility,
styles, extent and the scoring setup come back."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt

from assessment.rules import DEFAULT_RULES_PATH, load_rules
from layers.style import Category

from gui.main_window import MainWindow
from gui.readiness_panel import NONE_TEXT, ROLE_CHOICES, SCORES_LAYER_NAME




def _window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    return window


def test_saved_project_reopens_the_same(qtbot, tmp_path, external, settings_dir):
    frame = gpd.GeoDataFrame({"name": ["a", "b"], "unfc": ["111", "334"]},
                             geometry=gpd.points_from_xy([85.3, 86.1], [23.3, 22.8]), crs="EPSG:4326")
    deposits = tmp_path / "deposits.gpkg"
    frame.to_file(deposits, driver="GPKG")
    states = external / "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson"

    first = _window(qtbot)
    with qtbot.waitSignal(first.loadFinished, timeout=30000):
        first.open_paths([str(deposits), str(states)])
    dep, boundaries = first.layer_list
    first.layer_tree.move_layer(boundaries, 0)
    boundaries.visible = False
    style = dep.style
    style.categories[0] = Category("G1", "#123456", "G1 blocks ready", True)
    style.categories[3].visible = False
    dep.style = style
    first.canvas.zoom_to_bounds(85.0, 22.5, 86.5, 23.6, crs="EPSG:4326")
    extent = first.canvas.extent()
    project = tmp_path / "work.khanij"
    assert first.write_project(project)
    assert project.exists()
    assert first.windowTitle().startswith("Khanij — work")
    assert str(project.resolve()) in first.recent_files()

    second = _window(qtbot)
    with qtbot.waitSignal(second.loadFinished, timeout=30000):
        second.open_paths([str(project)])
    assert [layer.name for layer in second.layer_list] == ["INDIA_STATES", "deposits"]
    assert [layer.visible for layer in second.layer_list] == [False, True]
    reopened = second.layer_list[1].style
    assert reopened.categories[0].colour == "#123456"
    assert reopened.categories[0].label == "G1 blocks ready"
    assert reopened.categories[3].visible is False
    assert second.canvas.extent() == pytest.approx(extent, rel=0.02)
    assert second.project_path == project
    assert [item.text(0) for item in second.layer_tree.layer_items()] == ["INDIA_STATES", "deposits"]


def test_corrupt_project_gives_a_message(qtbot, tmp_path, settings_dir):
    broken = tmp_path / "broken.khanij"
    broken.write_text("{ not json", encoding="utf-8")
    window = _window(qtbot)
    with qtbot.waitSignal(window.loadFinished, timeout=30000):
        window.open_paths([str(broken)])
    assert any("broken.khanij" in message for message in window.messages)
    assert len(window.layer_list) == 0


def test_window_geometry_and_layer_tree_mode_are_remembered(qtbot, settings_dir):
    window = _window(qtbot)
    window.resize(900, 430)        # the offscreen screen is 800 x 600: the height is what can differ
    assert window.height() == 430
    window.layer_panel.mode.setCurrentIndex(window.layer_panel.mode.findData("state"))
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.height() == 430
    assert again.layer_tree.mode == "state"


def test_recent_files_list_what_opened_newest_first_and_never_a_failure(qtbot, tmp_path, settings_dir):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=gpd.points_from_xy([85.3], [23.3]), crs="EPSG:4326")
    first, second = tmp_path / "first.gpkg", tmp_path / "second.gpkg"
    frame.to_file(first, driver="GPKG")
    frame.to_file(second, driver="GPKG")
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a GeoPackage" * 20)
    window = _window(qtbot)
    for paths in ([first], [broken, second]):
        with qtbot.waitSignal(window.loadFinished, timeout=30000):
            window.open_paths([str(path) for path in paths])
    assert window.recent_files() == [str(second.resolve()), str(first.resolve())]
    assert [action.text() for action in window.recent_menu.actions()] == ["second.gpkg", "first.gpkg"]
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.recent_files() == [str(second.resolve()), str(first.resolve())]


# ----- the scoring setup -------------------------------------------------------------------------

def _own_rules(folder):
    """A user's rules file: the shipped rules under another version name."""
    shipped = load_rules()
    folder.mkdir(parents=True, exist_ok=True)
    own = folder / "tranche_rules.toml"
    own.write_text(shipped.path.read_text(encoding="utf-8").replace(f'version = "{shipped.version}"',
                                                                    'version = "tranche-7"', 1), encoding="utf-8")
    return own


def _score(qtbot, panel):
    with qtbot.waitSignal(panel.scored, timeout=60000) as blocker:
        assert panel.run() is not None
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    return blocker.args[0]


def _choices(panel) -> dict:
    chosen = {role: panel.chosen_layer(role) for role, _label in ROLE_CHOICES}
    return {"roles": {role: layer.name if layer is not None else None for role, layer in chosen.items()},
            "infrastructure": [layer.name for layer in panel.checked_layers("infrastructure")],
            "rasters": [layer.name for layer in panel.checked_layers("rasters")],
            "rules": (panel.rules.path.resolve(), panel.rules.version)}


def _atlas_setup_saved(qtbot, tmp_path):
    """A window on the sample atlas with a setup of the user's own, scored and saved; returns the
    window, the project path and the rules file."""
    first = _window(qtbot)
    first.open_sample_atlas()
    panel = first.readiness
    panel.choose_layer("forest", None)
    panel.infrastructure.item(0).setCheckState(Qt.CheckState.Unchecked)
    own = _own_rules(tmp_path / "rules")
    assert panel.set_rules_path(own)
    _score(qtbot, panel)
    project = tmp_path / "projects" / "tranche.khanij"
    project.parent.mkdir()
    assert first.write_project(project)
    return first, project, own


def test_the_project_keeps_the_scoring_setup_and_the_scores_beside_it(qtbot, tmp_path, settings_dir):
    first, project, own = _atlas_setup_saved(qtbot, tmp_path)
    panel = first.readiness
    assert "tranche.data.gpkg" in first.statusBar().currentMessage()
    assert (project.parent / "tranche.data.gpkg").exists()
    saved = json.loads(project.read_text(encoding="utf-8"))
    assert SCORES_LAYER_NAME not in [entry["name"] for entry in saved["layers"]]
    assert len(saved["layers"]) == len(first.layer_list) - 1
    setup = saved["extra"]["readiness"]
    assert setup["rules"] == "../rules/tranche_rules.toml"
    assert setup["roles"]["forest"] is None
    assert setup == panel.setup(relative_to=project.parent)

    second = _window(qtbot)
    with qtbot.waitSignal(second.loadFinished, timeout=60000):
        second.open_paths([str(project)])
    again = second.readiness
    assert second.messages == []
    assert not any(layer.missing for layer in second.layer_list)
    assert [layer.name for layer in second.layer_list] == [layer.name for layer in first.layer_list]
    assert again.scores_layer is not None and not again.out_of_date
    assert again.scores_layer.data["score"].tolist() == panel.scores_layer.data["score"].tolist()
    assert again.model.rowCount() == panel.model.rowCount()
    assert _choices(again) == _choices(panel)
    assert again.rules.path.resolve() == own.resolve() and again.rules.version == "tranche-7"
    assert again.choices["forest"].currentText() == NONE_TEXT
    assert "own file" in again.rules_label.text() and again.shipped_rules_button.isEnabled()
    assert again.setup(relative_to=project.parent) == setup
    rerun = _score(qtbot, again)                         # Run reproduces the saved results
    assert rerun.data["score"].tolist() == panel.scores_layer.data["score"].tolist()


def test_a_scoring_setup_that_cannot_be_restored_says_what_and_uses_the_shipped_rules(qtbot, tmp_path,
                                                                                   settings_dir):
    _first, project, own = _atlas_setup_saved(qtbot, tmp_path)
    own.unlink()
    saved = json.loads(project.read_text(encoding="utf-8"))
    saved["extra"]["readiness"]["roles"]["deposits"] = {"id": "gone", "name": "Old deposits"}
    project.write_text(json.dumps(saved), encoding="utf-8")

    second = _window(qtbot)
    with qtbot.waitSignal(second.loadFinished, timeout=60000):
        second.open_paths([str(project)])
    again = second.readiness
    assert again.rules.path.resolve() == DEFAULT_RULES_PATH.resolve()
    assert again.choices["deposits"].currentText() == NONE_TEXT
    assert again.chosen_layer("blocks") is not None
    notes = [message for message in second.messages if message.startswith("Scoring set-up:")]
    assert any("tranche_rules.toml" in note and "shipped rules are used" in note for note in notes)
    assert any("'Old deposits'" in note for note in notes)
    assert "Old deposits" in again.message.text()


def test_a_project_whose_file_has_gone_opens_it_as_missing_and_says_so(qtbot, tmp_path, settings_dir):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=gpd.points_from_xy([85.3], [23.3]), crs="EPSG:4326")
    deposits = tmp_path / "deposits.gpkg"
    frame.to_file(deposits, driver="GPKG")
    first = _window(qtbot)
    with qtbot.waitSignal(first.loadFinished, timeout=30000):
        first.open_paths([str(deposits)])
    project = tmp_path / "work.khanij"
    assert first.write_project(project)
    deposits.unlink()

    second = _window(qtbot)
    with qtbot.waitSignal(second.loadFinished, timeout=30000):
        second.open_paths([str(project)])
    assert [layer.missing for layer in second.layer_list] == [True]
    assert any(message.startswith("deposits:") and "deposits.gpkg was not found" in message
               for message in second.messages)
    assert "work.khanij" in second._message_box.windowTitle()
