"""The main window on real files: tree, canvas colours, identify, table ↔ map, drops, cancel."""
from __future__ import annotations

import shutil

import geopandas as gpd
import pytest
from pyproj import Transformer
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from layers.style import UNFC_STAGE_COLOURS

from gui.main_window import MainWindow
from gui.status_bar import cursor_text

# Deposits far apart so each one's symbol sits alone on the all-India map.
DEPOSITS = {
    "name": ["Jharia coal", "Keonjhar iron", "Bailadila iron", "Sandur manganese"],
    "state": ["Jharkhand", "Odisha", "Chhattisgarh", "Karnataka"],
    "unfc": ["111", "E2F2G2", "331", "334"],                 # G1, G2, G1, G4 by stage
    "tonnage": [12.0, 3.5, 40.0, 1.0],
}
LON = [86.40, 85.60, 81.20, 76.60]
LAT = [23.75, 21.60, 18.70, 15.10]


@pytest.fixture
def deposits_path(tmp_path):
    frame = gpd.GeoDataFrame(DEPOSITS, geometry=gpd.points_from_xy(LON, LAT), crs="EPSG:4326")
    path = tmp_path / "deposits.gpkg"
    frame.to_file(path, driver="GPKG")
    return path




@pytest.fixture
def window(qtbot, deposits_path, external, settings_dir):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    states = external / "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson"
    with qtbot.waitSignal(win.loadFinished, timeout=30000):
        win.open_paths([str(deposits_path), str(states)])
    win.canvas.zoom_to_full_extent()
    QApplication.processEvents()
    yield win
    win.runner.cancel_all()
    win.runner.wait(10000)


def _view_point(window, lon, lat) -> QPoint:
    canvas = window.canvas
    x, y = Transformer.from_crs("EPSG:4326", canvas.display_crs, always_xy=True).transform(lon, lat)
    return canvas.view.mapFromScene(canvas.viewbox.mapViewToScene(QPointF(x, y)))


def _colours_near(image, point, radius=3) -> set[str]:
    return {image.pixelColor(int(point.x()) + dx, int(point.y()) + dy).name()
            for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)}


def test_files_open_into_tree_and_canvas(window):
    names = [layer.name for layer in window.layer_list]
    assert names == ["deposits", "INDIA_STATES"]
    assert [item.text(0) for item in window.layer_tree.layer_items()] == names
    assert window.windowTitle().startswith("Khanij")
    assert window.canvas.skipped_layers() == {}


def test_canvas_shows_stage_colours_and_checkbox_hides_them(window, qtbot):
    image = window.canvas.grab_map_image()
    jharia = _view_point(window, LON[0], LAT[0])
    sandur = _view_point(window, LON[3], LAT[3])
    assert UNFC_STAGE_COLOURS["G1"] in _colours_near(image, jharia)
    assert UNFC_STAGE_COLOURS["G4"] in _colours_near(image, sandur)

    item = window.layer_tree.layer_items()[0]
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert window.layer_list[0].visible is False
    hidden = window.canvas.grab_map_image()
    assert UNFC_STAGE_COLOURS["G1"] not in _colours_near(hidden, jharia)
    assert UNFC_STAGE_COLOURS["G4"] not in _colours_near(hidden, sandur)


def test_identify_click_lists_attributes(window, qtbot):
    window.set_tool("identify")
    point = _view_point(window, LON[1], LAT[1])
    with qtbot.waitSignal(window.canvas.identified, timeout=5000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         point)
    rows = window.identify.rows()
    assert ("deposits", "") in rows
    assert ("name", "Keonjhar iron") in rows
    assert ("unfc", "E2F2G2") in rows
    assert ("state", "Odisha") in rows              # the state polygon under it is listed too
    assert window.identify_dock.isVisible()


def test_table_row_selection_highlights_feature(window, qtbot):
    deposits = window.layer_list[0]
    window.open_table(deposits)
    assert window.table_dock.isVisible()
    window.table.view.selectRow(2)
    assert window.canvas.selection(deposits).tolist() == [2]
    window.layer_tree.set_current_layer(deposits)
    window.set_tool("select")
    with qtbot.waitSignal(window.canvas.selectionChanged, timeout=5000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         _view_point(window, LON[3], LAT[3]))
    assert window.table.selected_positions().tolist() == [3]


def test_state_picker_zooms_and_filters(window, qtbot):
    picker = window.state_picker
    assert picker.findText("ODISHA") > 0
    before = window.canvas.extent()
    picker.choose("Odisha")
    deposits = window.layer_list[0]
    assert deposits.filter_mask.tolist() == [False, True, False, False]
    after = window.canvas.extent()
    assert (after[2] - after[0]) < (before[2] - before[0]) / 4
    picker.choose("All India")
    assert deposits.filter_mask is None


def test_corrupt_file_dropped_gives_message_and_app_goes_on(window, qtbot, tmp_path, deposits_path):
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"this is not a GeoPackage\x00" * 40)
    good = tmp_path / "more_deposits.gpkg"
    shutil.copy(deposits_path, good)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(broken)), QUrl.fromLocalFile(str(good))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.loadFinished, timeout=30000):
        window.dropEvent(drop)
    assert any(message.startswith("broken.gpkg") for message in window.messages)
    bar = window.message_bar
    assert bar.isVisible() and bar.label.text().startswith("Some files could not be opened: broken.gpkg")
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]   # nothing in the way
    bar.details_button.click()
    box = window._message_box
    assert box.isVisible() and not box.isModal() and "broken.gpkg" in box.text()
    assert [layer.name for layer in window.layer_list] == ["more_deposits", "deposits", "INDIA_STATES"]
    window.set_tool("pan")
    window.canvas.zoom_to_layer(window.layer_list[0])
    assert window.canvas.grab_map_image().width() > 0


def test_cancelling_a_slow_load_stops_it(window, qtbot, external):
    stations = str(external / "datameet-railways/stations.json")
    before = len(window.layer_list)
    task = window.open_paths([stations] * 12)
    outcome = []
    task.cancelled.connect(lambda: outcome.append("cancelled"))
    qtbot.waitUntil(lambda: len(window.layer_list) > before, timeout=30000)
    assert window.status.progress.isVisible()
    with qtbot.waitSignal(task.finished, timeout=30000):
        window.status.progress.cancel_button.click()
    assert outcome == ["cancelled"]
    loaded = len(window.layer_list) - before
    assert 1 <= loaded < 12
    QTest.qWait(300)
    assert len(window.layer_list) - before == loaded
    assert not window.status.progress.isVisible()


def test_find_feature_zooms_to_the_hit(window, qtbot):
    window.layer_tree.set_current_layer(window.layer_list[0])
    dialog = window.find_feature()
    dialog.text.setText("bailadila")
    assert dialog.results.count() == 1
    before = window.canvas.extent()
    QTest.keyClick(dialog.text, Qt.Key.Key_Return)
    assert window.canvas.selection(window.layer_list[0]).tolist() == [2]
    after = window.canvas.extent()
    assert (after[2] - after[0]) < (before[2] - before[0]) / 10


def test_usual_shortcuts(window):
    shortcuts = {action.text(): action.shortcut().toString() for action in window.findChildren(QAction)
                 if not action.shortcut().isEmpty()}
    assert shortcuts["&Open…"] == "Ctrl+O"
    assert shortcuts["&Save project"] == "Ctrl+S"
    assert shortcuts["Save project &as…"] == "Ctrl+Shift+S"
    assert shortcuts["&Quit"] == "Ctrl+Q"
    assert shortcuts["&Refresh map"] == "F5"
    assert shortcuts["&Find feature…"] == "Ctrl+F"


def test_status_bar_cursor_text():
    text = cursor_text(85.31, 23.31)
    assert text.startswith("lat 23.31000, lon 85.31000")
    assert "23°18'36.00\"N 85°18'36.00\"E" in text
    assert "UTM 45N" in text and text.endswith("SOI F45B07")
    assert cursor_text(200.0, 0.0) == ""


def test_opens_on_the_sample_atlas_with_every_layer(qtbot, settings_dir):
    from gui.app import create_window
    from layers.atlas import load_sample_atlas

    win = create_window([])
    qtbot.addWidget(win)
    win.show()
    expected = sorted(layer.name for layer in load_sample_atlas())
    assert sorted(layer.name for layer in win.layer_list) == expected
    assert sorted(item.text(0) for item in win.layer_tree.layer_items()) == expected
    assert "illustrative sample" in win.windowTitle()
    assert "CC BY 4.0" in win.status.coordinates.toolTip()  # the toposheet index's attribution
    assert win.sample_banner.isVisibleTo(win)
    assert [layer.role for layer in win.layer_list][0] == "deposits"      # deposits drawn on top
    assert win.state_picker.count() > 30
    assert win.canvas.skipped_layers() == {}


def test_measure_distance_shows_geodesic_km(window, qtbot):
    window.set_tool("measure_distance")
    start, end = _view_point(window, LON[0], LAT[0]), _view_point(window, LON[3], LAT[3])
    viewport = window.canvas.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.qWait(400)                        # two separate clicks, not a double-click
    with qtbot.waitSignal(window.canvas.measured, timeout=5000):
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert window.status.measure.text().startswith("Distance: ") and window.status.measure.text().endswith(" km")
