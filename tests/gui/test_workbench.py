"""The block workbench on a real window with the sample atlas: drawing with the mouse and keys,
snapping, vertex editing, undo/redo, the pillar dialog and the live verdict next to a sanctuary."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from PySide6 import QtCore
from PySide6.QtWidgets import QApplication

import main
from assessment import score
from assessment.rules import CRITERIA
from gui.main_window import MainWindow
from geo.pillars import pillar_table, polygon_pillars
from gui.pillar_dialog import PillarDialog
from layers.editing import SetAttribute, outer_ring

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
    assert len(outer_ring(drawn)) == 4  # the finishing double-click adds no fifth corner
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
    # the score broken down per criterion: measure, sub-score × weight → points, adding up to the score
    lines = bench.panel.criteria.text().splitlines()
    assert len(lines) == len(CRITERIA) and bench.panel.criteria.isVisible()
    for line, name in zip(lines, CRITERIA):
        assert verdict[f"m_{name}_text"] in line
        if not np.isnan(verdict[f"s_{name}"]):
            assert f"{verdict[f's_{name}']:.0f} × {verdict[f'w_{name}']:g}" in line
            assert line.endswith(f"→ {verdict[f'c_{name}']:.1f} points")
    assert sum(np.nan_to_num(verdict[f"c_{name}"]) for name in CRITERIA) == pytest.approx(verdict["score"], abs=0.1)
    # drag the block to 0.5 km from the sanctuary: the gate fails
    bench.set_mode("move")
    viewport = window.canvas.viewport()
    centre = shapely.Polygon(corners).centroid
    start = _pixel(window, centre.x, centre.y)
    end = _pixel(window, centre.x - 2500, centre.y)
    extent = window.canvas.extent()
    qtbot.mousePress(viewport, QtCore.Qt.MouseButton.LeftButton, pos=start)
    distances = []
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * step / 5)
        QApplication.processEvents()  # the verdict follows the drag before the mouse is released
        distances.append(bench.last_verdict["nearest_protected_km"])
    assert "(moving)" in bench.panel.title.text()
    assert window.canvas.extent() == extent  # the verdict panel's longer text never narrows the map
    assert distances == sorted(distances, reverse=True) and distances[0] < verdict["nearest_protected_km"]
    assert len(bench.session.frame) == before + 1 and bench.undo_stack.count() == 1  # no edit made yet
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
    # the corners are labelled as the block's pillar table numbers them, at the corners
    table, _ = pillar_table(bench.session.frame.loc[[fid]])
    labels = bench.editor.pillar_labels
    assert [label.textItem.toPlainText() for label in labels] == list(table["pillar"])
    assert [coordinate for label in labels for coordinate in (label.pos().x(), label.pos().y())] == pytest.approx(
        [coordinate for corner in ring for coordinate in corner])
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
    # the dialog numbers the reordered ring as the block is saved (and the map labels it)
    assert [dialog.table.item(row, 0).text() for row in range(4)] == ["BP-1", "BP-2", "BP-3", "BP-4"]
    assert "numbered as the block will be saved (label before → number saved): BP-4 → BP-2, BP-2 → BP-3, BP-3 → BP-4." in dialog.findings.text()
    assert dialog.table.item(1, 0).toolTip() == "BP-4 before reordering"
    shown, _problems = dialog.pillars()
    dialog.block_id.setText("KUNDRU-E")
    before = len(bench.session.frame)
    fid = bench.add_pillar_block(dialog)
    saved = polygon_pillars(bench.session.geometry(fid), bench.session.frame.crs)
    assert [p.label for p in saved] == [p.label for p in shown]
    assert np.allclose([(p.lat, p.lon) for p in saved], [(p.lat, p.lon) for p in shown], atol=1e-6)
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


def test_ctrl_z_undoes_block_edits_while_editing_and_map_changes_after(qtbot, window):
    edit_menus = [a for a in window.menuBar().actions() if a.text() == "&Edit"]
    assert len(edit_menus) == 1 and window.workbench.save_edits_action in edit_menus[0].menu().actions()
    window.layer_list[0].visible = False  # a map change, on the window's own undo stack
    bench = _start(window, qtbot)
    fid = int(bench.session.frame.index[0])
    bench.editor.set_current(fid)
    bench.delete_block()
    count = len(bench.session.frame)
    window.canvas.view.setFocus()
    qtbot.keyClick(window.canvas.view, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert len(bench.session.frame) == count + 1 and window.layer_list[0].visible is False
    qtbot.keyClick(window.canvas.view, QtCore.Qt.Key.Key_Z,
                   QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert len(bench.session.frame) == count
    bench.stop_editing(save=False)
    qtbot.keyClick(window.canvas.view, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert window.layer_list[0].visible is True


def _same_cell(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        a, b = (float("nan") if v is None else float(v) for v in (a, b))
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return (a if a is not None else "") == (b if b is not None else "")


def test_live_verdict_follows_the_scoring_setup_and_equals_khanij_score_of_the_project(qtbot, window, tmp_path):
    """The as-of date and a field mapping of the set-up reach the live verdict at once, and the
    verdict is, column for column, what ``khanij score --project`` gives the saved block."""
    bench = _start(window, qtbot)
    park = _park(window, _nearest_open_park(window))
    minx, miny, maxx, maxy = park.bounds
    window.canvas.set_extent((minx - 3000, miny - 6000, maxx + 12000, maxy + 6000))
    QApplication.processEvents()
    _draw(qtbot, window, _square_beside(park, 500, 2000))
    fid = bench.editor.current_fid
    assert bench.last_verdict["gate_protected"] == "fail"  # 0.5 km from a sanctuary, today
    window.scoring_setup.as_of = "2021-01-01"  # before any 1 km rule
    qtbot.waitUntil(lambda: bench.last_verdict["as_of"] == "2021-01-01")
    assert bench.last_verdict["gate_protected"] == "pass"
    bench.apply_attributes(fid, {"block_id": "WB-1", "licence": "EL", "stage": "G4", "commodity": "Graphite"})
    assert bench.last_verdict["licence"] == "EL"
    bench.editor.push(SetAttribute(fid, "intended", "CL"))  # a column of the user's own, mapped to licence
    layer = _blocks_layer(window)
    layer.fields = {**layer.fields, "licence": "intended"}
    qtbot.waitUntil(lambda: bench.last_verdict["licence"] == "CL")
    verdict = dict(bench.last_verdict)
    bench.save_edits(tmp_path / "tranche.gpkg")
    assert window.write_project(tmp_path / "tranche.khanij")
    out = tmp_path / "scores.gpkg"
    assert main.main(["score", "--project", str(tmp_path / "tranche.khanij"), "-o", str(out)]) == 0
    table = next(name for name, _ in pyogrio.list_layers(out) if name != "scoring_inputs")
    scored = gpd.read_file(out, layer=table)
    row = scored[scored["block_id"] == "WB-1"].iloc[0]
    compared = [c for c in verdict if c in row.index and c != "geometry"]
    assert len(compared) > 60
    assert [c for c in compared if not _same_cell(verdict[c], row[c])] == []


def test_snapping_to_an_edge_of_the_state_boundary(qtbot, window):
    bench = _start(window, qtbot)
    states = window.layer_list.by_role("boundaries")[0].data.to_crs(window.canvas.display_crs)
    jharkhand = states.geometry[states["state"] == "Jharkhand"].iloc[0]
    ring = shapely.get_coordinates(shapely.boundary(jharkhand))
    lengths = np.hypot(*np.diff(ring, axis=0).T)
    i = int(np.argmax(lengths))  # its longest side: the middle is far from any vertex
    (ax, ay), (bx, by) = ring[i], ring[i + 1]
    middle = ((ax + bx) / 2, (ay + by) / 2)
    window.canvas.set_extent((middle[0] - 20000, middle[1] - 15000, middle[0] + 20000, middle[1] + 15000))
    QApplication.processEvents()
    step = window.canvas.units_per_pixel()
    normal = np.array([by - ay, ax - bx]) / lengths[i]
    near = (middle[0] + 3 * step * normal[0], middle[1] + 3 * step * normal[1])
    qtbot.mouseMove(window.canvas.viewport(), _pixel(window, *near))
    assert bench.editor.snap_kind == "edge" and not bench.editor._snap_mark.path().isEmpty()
    qtbot.mouseClick(window.canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=_pixel(window, *near))
    assert shapely.Point(bench.editor.vertices[0]).distance(shapely.boundary(jharkhand)) < 1e-6 * step


def test_saving_edits_of_the_sample_atlas_asks_for_a_file_and_a_cancel_keeps_editing(qtbot, window, tmp_path,
                                                                                    monkeypatch):
    import hashlib

    from layers.atlas import ATLAS_DIR
    from PySide6.QtWidgets import QFileDialog

    shipped = hashlib.sha256((ATLAS_DIR / "blocks.gpkg").read_bytes()).hexdigest()
    bench = _start(window, qtbot)
    bench.editor.set_current(int(bench.session.frame.index[0]))
    bench.delete_block()
    answers = iter([("", ""), (str(tmp_path / "mine.gpkg"), "GeoPackage (*.gpkg)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: next(answers))  # the user's answers
    assert not bench.stop_editing(save=True)  # no file chosen: nothing saved, still editing
    assert bench.editor is not None and bench.session.modified
    assert bench.stop_editing(save=True)
    assert len(gpd.read_file(tmp_path / "mine.gpkg")) == len(_blocks_layer(window).data)
    assert _blocks_layer(window).source == tmp_path / "mine.gpkg"
    assert hashlib.sha256((ATLAS_DIR / "blocks.gpkg").read_bytes()).hexdigest() == shipped
