"""The block workbench on a real window with the sample atlas: drawing with the mouse and keys,
snapping, vertex editing, undo/redo, the pillar dialog and the live verdict next to a sanctuary."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from PySide6 import QtCore
from PySide6.QtWidgets import QApplication

from assessment import score
from gui.main_window import MainWindow
from gui.pillar_dialog import PillarDialog
from layers.editing import outer_ring

SANCTUARY_PASTE = """BP-1 23°21'15.6"N 85°18'42.1"E
BP-2 23°21'15.6"N 85°19'42.1"E
BP-3 23°22'15.6"N 85°19'42.1"E
BP-4 23°22'15.6"N 85°18'42.1"E
Area: 290 ha
"""


@pytest.fixture
def window(qtbot, settings_dir):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.open_sample_atlas()
    win.canvas.grab_map_image()
    yield win
    win.workbench.stop_editing(save=False)
    win.runner.cancel_all()
    win.runner.wait(10000)


def _blocks_layer(win):
    return win.layer_list.by_role("blocks")[0]


def _pixel(win, x, y):
    return win.canvas.pixel_of(x, y)


def _park(win, name):
    parks = win.layer_list.by_role("protected_areas")[0].data.to_crs(win.canvas.display_crs)
    return parks[parks["name"] == name].geometry.iloc[0]


def _nearest_open_park(win):
    """A national park or sanctuary with room around it to draw a block."""
    parks = win.layer_list.by_role("protected_areas")[0].data
    npws = parks[~parks["pa_type"].str.contains("eco", case=False, na=False)]
    return npws["name"].iloc[0]


def _start(win, qtbot):
    bench = win.workbench
    win.layer_tree.set_current_layer(_blocks_layer(win))
    assert bench.start_editing()
    return bench


def _draw(qtbot, win, corners, finish="double"):
    viewport = win.canvas.viewport()
    for x, y in corners:
        qtbot.mouseMove(viewport, _pixel(win, x, y))
        qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=_pixel(win, x, y))
    if finish == "double":
        qtbot.mouseDClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=_pixel(win, *corners[-1]))
    else:
        qtbot.keyClick(win.canvas.view, QtCore.Qt.Key.Key_Return)


def _square_beside(park, gap_m, side_m):
    minx, miny, maxx, maxy = park.bounds
    x0, y0 = maxx + gap_m, (miny + maxy) / 2 - side_m / 2
    return [(x0, y0), (x0 + side_m, y0), (x0 + side_m, y0 + side_m), (x0, y0 + side_m)]


def test_draw_a_block_beside_a_sanctuary_and_watch_the_gate_turn(qtbot, window):
    bench = _start(window, qtbot)
    name = _nearest_open_park(window)
    park = _park(window, name)
    minx, miny, maxx, maxy = park.bounds
    window.canvas.set_extent((minx - 3000, miny - 6000, maxx + 12000, maxy + 6000))
    QApplication.processEvents()
    corners = _square_beside(park, 3000, 2000)
    before = len(_blocks_layer(window).data)
    _draw(qtbot, window, corners)
    assert len(_blocks_layer(window).data) == before + 1
    fid = bench.editor.current_fid
    drawn = gpd.GeoSeries([bench.session.geometry(fid)], crs=4326).to_crs(window.canvas.display_crs).iloc[0]
    assert shapely.hausdorff_distance(drawn, shapely.Polygon(corners)) < 3 * window.canvas.units_per_pixel()
    verdict = bench.last_verdict
    assert verdict["gate_protected"] == "pass" and verdict["nearest_protected_name"] == name
    assert 2.5 < verdict["nearest_protected_km"] < 3.5
    assert "Protected areas: pass" in bench.panel.gate_labels["protected"].text()
    assert not bench.overlay.items["buffer_zone"].path().isEmpty()
    # the same block scored in full gives the same verdict
    full = score(bench.session.frame.loc[[fid]], **{k: v for k, v in window.readiness.score_inputs().items()
                                                   if k != "blocks"}).iloc[0]
    assert full["gate_protected"] == verdict["gate_protected"] and full["score"] == verdict["score"]
    # drag the block to 0.5 km from the sanctuary: the gate fails
    bench.set_mode("move")
    viewport = window.canvas.viewport()
    centre = shapely.Polygon(corners).centroid
    start = _pixel(window, centre.x, centre.y)
    end = _pixel(window, centre.x - 2500, centre.y)
    qtbot.mousePress(viewport, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * step / 5)
    qtbot.mouseRelease(viewport, QtCore.Qt.MouseButton.LeftButton, pos=end)
    moved = bench.last_verdict
    assert moved["gate_protected"] == "fail" and moved["nearest_protected_km"] < 1
    assert moved["readiness"] == "Not ready"
    assert "Protected areas: fail" in bench.panel.gate_labels["protected"].text()
    # Ctrl+Z brings it back, Ctrl+Shift+Z moves it again
    bench.undo_action.trigger()
    assert bench.last_verdict["gate_protected"] == "pass"
    bench.redo_action.trigger()
    assert bench.last_verdict["gate_protected"] == "fail"


def test_drawing_keys_backspace_escape_enter_and_the_readout(qtbot, window):
    bench = _start(window, qtbot)
    park = _park(window, _nearest_open_park(window))
    corners = _square_beside(park, 5000, 3000)
    xs, ys = zip(*corners)
    window.canvas.set_extent((min(xs) - 1000, min(ys) - 1000, max(xs) + 1000, max(ys) + 1000))  # a pixel ≪ 3 km
    messages = []
    bench.editor.measured.connect(messages.append)
    viewport = window.canvas.viewport()
    for x, y in corners[:3]:
        qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=_pixel(window, x, y))
    assert len(bench.editor.vertices) == 3 and messages[-1].startswith("Area ")
    qtbot.keyClick(window.canvas.view, QtCore.Qt.Key.Key_Backspace)
    assert len(bench.editor.vertices) == 2
    qtbot.keyClick(window.canvas.view, QtCore.Qt.Key.Key_Escape)
    assert bench.editor.vertices == []
    before = len(bench.session.frame)
    _draw(qtbot, window, corners, finish="enter")
    assert len(bench.session.frame) == before + 1
    area = bench.last_verdict["area_ha"]
    assert 850 < area < 950  # 3 km × 3 km in EPSG:7755 ≈ 900 ha geodesic
    assert f"{area:,.1f} ha" in messages[-1] or "ha" in messages[-1]


def test_snapping_to_a_vertex_of_another_block_is_shown_and_used(qtbot, window):
    bench = _start(window, qtbot)
    layer = _blocks_layer(window)
    target = layer.data.to_crs(window.canvas.display_crs).geometry.iloc[0]
    window.canvas.zoom_to_features(layer, [0])
    QApplication.processEvents()
    corner = shapely.get_coordinates(target.exterior)[0]
    near = (corner[0] + 3 * window.canvas.units_per_pixel(), corner[1] + 2 * window.canvas.units_per_pixel())
    qtbot.mouseMove(window.canvas.viewport(), _pixel(window, *near))
    assert bench.editor.snap_kind == "vertex"
    assert not bench.editor._snap_mark.path().isEmpty()
    qtbot.mouseClick(window.canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=_pixel(window, *near))
    assert bench.editor.vertices[0] == pytest.approx(tuple(corner), abs=1e-6)


def test_vertex_editing_and_undo_on_the_real_window(qtbot, window):
    bench = _start(window, qtbot)
    layer = _blocks_layer(window)
    fid = int(bench.session.frame.index[2])
    window.canvas.zoom_to_features(layer, [2])
    QApplication.processEvents()
    bench.set_mode("vertex")
    bench.editor.set_current(fid)
    ring = bench.editor._ring_display(fid)
    original = outer_ring(bench.session.geometry(fid))
    viewport = window.canvas.viewport()
    start = _pixel(window, *ring[0])
    end = start + QtCore.QPoint(25, 18)
    qtbot.mousePress(viewport, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 4):
        qtbot.mouseMove(viewport, start + (end - start) * step / 3)
    qtbot.mouseRelease(viewport, QtCore.Qt.MouseButton.LeftButton, pos=end)
    moved = outer_ring(bench.session.geometry(fid))
    assert moved[0] != original[0] and moved[1:] == original[1:]
    a, b = ring[1], ring[2]
    qtbot.mouseDClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=_pixel(window, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
    assert len(outer_ring(bench.session.geometry(fid))) == len(original) + 1
    qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.RightButton, pos=_pixel(window, *ring[3]))
    assert len(outer_ring(bench.session.geometry(fid))) == len(original)
    for _ in range(3):
        bench.undo_action.trigger()
    assert outer_ring(bench.session.geometry(fid)) == original
    assert not bench.session.modified
    assert bench.stop_editing()


def test_pillar_dialog_pastes_tender_text_flags_the_area_and_adds_the_block(qtbot, window):
    bench = _start(window, qtbot)
    dialog = PillarDialog(window)
    qtbot.addWidget(dialog)
    dialog.paste.setPlainText(SANCTUARY_PASTE + "BP-5 23°61'00\"N 85°18'00\"E\n")
    qtbot.mouseClick(dialog.read_button, QtCore.Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 4
    assert "Pasted line 6: latitude" in dialog.findings.text()
    assert "differs by more than 1 %" in dialog.findings.text()  # 290 ha stated, ≈ 315 ha computed
    # swap two pillars: the ring crosses, OK is refused, Reorder mends it
    first, second = (dialog.table.item(1, c).text() for c in (1, 2)), (dialog.table.item(2, c).text() for c in (1, 2))
    first, second = list(first), list(second)
    for column, text in zip((1, 2), second):
        dialog.table.item(1, column).setText(text)
    for column, text in zip((1, 2), first):
        dialog.table.item(2, column).setText(text)
    assert "crosses the side" in dialog.findings.text()
    ok = dialog.box.button(dialog.box.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.reorder_button.isEnabled()
    qtbot.mouseClick(dialog.reorder_button, QtCore.Qt.MouseButton.LeftButton)
    assert ok.isEnabled()
    dialog.block_id.setText("KUNDRU-E")
    before = len(bench.session.frame)
    fid = bench.add_pillar_block(dialog)
    assert len(bench.session.frame) == before + 1
    assert bench.session.frame.loc[fid, "block_id"] == "KUNDRU-E"
    assert bench.last_verdict["area_ha"] == pytest.approx(dialog.check.area_ha, rel=1e-6)
    bench.undo_action.trigger()
    assert len(bench.session.frame) == before


def test_new_blocks_layer_attributes_and_save(qtbot, window, tmp_path):
    bench = window.workbench
    layer = bench.new_layer(tmp_path / "tranche.gpkg")
    assert bench.layer is layer and bench.mode_actions["draw"].isChecked()
    window.canvas.zoom_to_bounds(85.2, 23.2, 85.5, 23.5, crs="EPSG:4326")
    QApplication.processEvents()
    to_display = Transformer.from_crs("EPSG:4326", window.canvas.display_crs, always_xy=True)
    corners = [to_display.transform(lon, lat) for lon, lat in ((85.30, 23.30), (85.33, 23.30), (85.33, 23.33))]
    _draw(qtbot, window, corners)
    fid = bench.editor.current_fid
    bench.apply_attributes(fid, {"block_id": "T-1", "block_name": "Test", "state": "Jharkhand", "licence": "EL",
                                 "stage": "G4", "commodity": "Graphite"})
    assert bench.last_verdict["gate_state"] == "pass"
    bench.undo_action.trigger()  # the form's edits are one undo step
    assert bench.session.frame.loc[fid, "licence"] is None or bench.session.frame.loc[fid, "licence"] != "EL"
    bench.redo_action.trigger()
    path = bench.save_edits()
    saved = gpd.read_file(path)
    assert list(saved["block_id"]) == ["T-1"] and saved.loc[0, "licence"] == "EL"


def test_export_and_import_a_pillar_table_through_the_window(qtbot, window, tmp_path):
    bench = window.workbench
    sample = _blocks_layer(window).data
    window.layer_tree.set_current_layer(_blocks_layer(window))
    table = tmp_path / "pillars.xlsx"
    assert bench.export_pillars(table) == []
    bench.new_layer(tmp_path / "imported.gpkg")
    assert bench.import_pillars(table) == []
    assert list(bench.session.frame["block_id"]) == list(sample["block_id"])
    gaps = bench.session.frame.to_crs(7755).geometry.hausdorff_distance(sample.to_crs(7755).geometry, align=False)
    assert gaps.max() < 0.01
    bench.undo_action.trigger()  # the whole import is one undo step
    assert len(bench.session.frame) == 0


def test_quitting_with_unsaved_edits_asks_first(qtbot, window):
    from PySide6.QtWidgets import QMessageBox

    bench = _start(window, qtbot)
    bench.editor.set_current(int(bench.session.frame.index[0]))
    bench.delete_block()
    asked = []

    def answer_cancel():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QtCore.QTimer.singleShot(20, answer_cancel)
            return
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    QtCore.QTimer.singleShot(200, answer_cancel)
    assert not window.quit()
    assert window.isVisible() and bench.editor is not None
    assert asked and "Save the edits of" in asked[0]
