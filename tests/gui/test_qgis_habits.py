"""QGIS habits on a real window and real files: Esc cancels a measurement and a selection, the
measure panel lists segments and the total with units, identify highlights the feature and names
it by its name field, arrow keys pan and +/-/PageUp/PageDown zoom, and the attribute table
filters as you type, sorts empty values last both ways, keeps its filter and lists rows without
geometry."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from pyproj import Transformer

from layers.layer import Layer


STATIONS = "datameet-railways/stations.json"
STATES = "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson"


@pytest.fixture
def window(atlas_window):
    return atlas_window


def view_point(window, lon, lat):
    canvas = window.canvas
    x, y = Transformer.from_crs("EPSG:4326", canvas.display_crs, always_xy=True).transform(lon, lat)
    return canvas.view.mapFromScene(canvas.viewbox.mapViewToScene(QPointF(x, y)))


def click(window, lon, lat, double=False):
    viewport = window.canvas.view.viewport()
    point = view_point(window, lon, lat)
    if double:
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    else:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_the_measure_panel_lists_segments_and_total_and_esc_cancels(qtbot, window):
    window.set_tool("measure_distance")
    for lon, lat in ((85.0, 23.0), (86.0, 23.0), (86.0, 22.0)):
        click(window, lon, lat)
    panel = window.measure_panel
    rows = [panel.segments.item(i).text() for i in range(panel.segments.count())]
    assert len(rows) == 2 and all(row.startswith(f"Segment {n}: ") and row.endswith(" km")
                                  for n, row in enumerate(rows, start=1))
    first_km = float(rows[0].split(": ")[1].split()[0])
    assert 95 < first_km < 110                      # one degree of longitude at 23° N ≈ 102 km
    assert panel.total.text().startswith("Total: ") and panel.total.text().endswith(" km")
    assert window.measure_dock.isVisible()
    QTest.keyClick(window.canvas.view, Qt.Key.Key_Escape)
    assert panel.segments.count() == 0 and window.canvas.tools.measure_text() == ""
    assert window.status.measure.text() == ""


def test_esc_clears_the_selection(qtbot, window):
    blocks = window.layer_list.find("Candidate blocks (illustrative)")
    window.canvas.set_selection(blocks, [0, 1])
    with qtbot.waitSignal(window.canvas.selectionChanged) as signal:
        QTest.keyClick(window.canvas.view, Qt.Key.Key_Escape)
    assert signal.args[0] is blocks and len(window.canvas.selection(blocks)) == 0


def test_identify_highlights_the_feature_and_names_it_by_its_name_field(qtbot, window, external):
    with qtbot.waitSignal(window.loadFinished, timeout=60000):
        window.open_paths([str(external / STATES)])
    states = window.layer_list.find("INDIA_STATES")
    for layer in window.layer_list:
        layer.visible = layer is states
    window.canvas.zoom_to_bounds(84, 22, 87, 25, crs="EPSG:4326")
    window.set_tool("identify")
    with qtbot.waitSignal(window.canvas.identified):
        click(window, 85.3, 23.4)                  # Ranchi, Jharkhand
    top = window.identify.tree.topLevelItem(0)
    assert top.text(0) == "INDIA_STATES" and top.child(0).text(0).startswith("JHARKHAND (feature ")
    layer_id, index = window.canvas.identified_feature()
    assert layer_id == states.id and states.data.iloc[index]["STNAME"] == "JHARKHAND"
    assert window.canvas._highlights


def test_arrow_keys_pan_and_plus_minus_page_keys_zoom(qtbot, window):
    canvas = window.canvas
    view = canvas.view
    before = canvas.extent()
    QTest.keyClick(view, Qt.Key.Key_Right)
    after = canvas.extent()
    assert after[0] > before[0] and after[2] - after[0] == pytest.approx(before[2] - before[0], rel=1e-6)
    width = after[2] - after[0]
    QTest.keyClick(view, Qt.Key.Key_Plus)
    assert canvas.extent()[2] - canvas.extent()[0] == pytest.approx(width / 2, rel=0.02)
    QTest.keyClick(view, Qt.Key.Key_PageDown)
    assert canvas.extent()[2] - canvas.extent()[0] == pytest.approx(width, rel=0.02)
    QTest.keyClick(view, Qt.Key.Key_PageUp)
    QTest.keyClick(view, Qt.Key.Key_Minus)
    assert canvas.extent()[2] - canvas.extent()[0] == pytest.approx(width, rel=0.02)
    top = canvas.extent()[3]
    QTest.keyClick(view, Qt.Key.Key_Up)
    assert canvas.extent()[3] > top


def test_the_attribute_table_filters_as_you_type_and_keeps_its_filter(qtbot, window):
    deposits = window.layer_list.find("Deposits (illustrative)")
    blocks = window.layer_list.find("Candidate blocks (illustrative)")
    window.open_table(deposits)
    table = window.table
    QTest.keyClicks(table.filter, "Odisha")
    expected = int((deposits.data["state"] == "Odisha").sum())
    qtbot.waitUntil(lambda: table.model.rowCount() == expected, timeout=3000)
    window.open_table(blocks)
    assert table.filter.text() == "" and table.model.rowCount() == blocks.feature_count
    window.open_table(deposits)
    assert table.filter.text() == "Odisha" and table.model.rowCount() == expected


def test_empty_values_sort_last_in_both_directions(qtbot, window):
    blocks = window.layer_list.find("Candidate blocks (illustrative)")
    window.open_table(blocks)
    table = window.table
    column = table.model.columns.index("potentiality")
    values = blocks.data["potentiality"].astype("string").fillna("").str.strip()
    empty = int((values == "").sum())
    assert 0 < empty < len(values)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        table.view.sortByColumn(column, order)
        shown = [table.model.data(table.model.index(row, column)) or "" for row in range(table.model.rowCount())]
        assert all(text.strip() == "" for text in shown[-empty:]) and all(text.strip() for text in shown[:-empty])
        listed = [text for text in shown[:-empty]]
        assert listed == sorted(listed, key=str.casefold, reverse=order == Qt.SortOrder.DescendingOrder)


def test_rows_without_geometry_are_listed_on_their_own(qtbot, window, external):
    with qtbot.waitSignal(window.loadFinished, timeout=60000):
        window.open_paths([str(external / STATIONS)])
    stations = window.layer_list.find("stations")
    window.open_table(stations)
    table = window.table
    table.show_features.setCurrentIndex(table.show_features.findData("no_geometry"))
    assert table.model.rowCount() == 293
    positions = table.model.positions_of_rows(np.arange(table.model.rowCount()))
    assert stations.data.geometry.iloc[positions].isna().all()
