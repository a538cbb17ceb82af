"""Save a project from the window and reopen it in a new window: layers, order, visibility,
styles and extent come back."""
from __future__ import annotations

import geopandas as gpd
import pytest
from PySide6.QtCore import QSettings

from layers.style import Category

from gui.main_window import MainWindow


@pytest.fixture
def settings_dir(tmp_path):
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    return folder


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


def test_window_geometry_is_remembered(qtbot, settings_dir):
    window = _window(qtbot)
    window.resize(900, 430)        # the offscreen screen is 800 x 600: the height is what can differ
    assert window.height() == 430
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.height() == 430
