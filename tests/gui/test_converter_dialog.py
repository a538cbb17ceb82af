"""The converter dialog shows what assessment.convert answers, live, and converts a column."""
from __future__ import annotations

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt

from assessment import convert
from layers.layer import Layer, LayerList

from gui.attribute_table import HIGHLIGHT
from gui.converter_dialog import ConverterDialog


@pytest.fixture
def dialog(qtbot, tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["A", "B", "C", "D"], "UNFC_CODE": ["111", "121", "222", "junk"]},
        geometry=gpd.points_from_xy([85.0, 85.5, 86.0, 86.5], [23.0, 23.1, 23.2, 23.3]), crs="EPSG:4326")
    path = tmp_path / "deposits.gpkg"
    frame.to_file(path, driver="GPKG")
    layers = LayerList([Layer.from_file(path, role="deposits")])
    widget = ConverterDialog(layers)
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("code, status, words", [
    ("331", "ambiguous", "Ambiguous"),
    ("222", "no_equivalent", "No equivalent"),
    ("121", "ambiguous", "Ambiguous"),
    ("E1F1G1", "ambiguous", "Ambiguous"),
])
def test_status_shown_live_for_each_code(dialog, code, status, words):
    page = dialog.single
    page.code.setText(code)                      # typing updates at once, no button
    expected = convert(code)
    assert expected.status == status
    assert page.status_key == status
    assert page.status.text() == words
    assert page.result.text() == (expected.result or "—")
    assert page.note.text() == expected.note
    if expected.alternatives:
        assert expected.alternatives[0]["result"] in page.alternatives.text()


def test_exact_and_invalid_and_target(dialog):
    page = dialog.single
    page.code.setText("not a code")
    assert page.status_key == "invalid"
    page.code.setText("331")
    page.target.setCurrentIndex(page.target.findData("stage"))
    assert page.result.text() == convert("331", to="stage").result


def test_column_conversion_adds_columns_and_highlights_ambiguous(dialog, qtbot):
    page = dialog.column
    layer = page.layer.currentData()
    assert page.column.currentText() == "UNFC_CODE"          # the layer's guessed unfc field
    with qtbot.waitSignal(page.columnsAdded) as added:
        page.run.click()
    names = ["UNFC_CODE_to", "UNFC_CODE_status", "UNFC_CODE_alternatives", "UNFC_CODE_note"]
    assert added.args == [layer, names]
    assert list(layer.data["UNFC_CODE_status"]) == [convert(v).status for v in ["111", "121", "222", "junk"]]
    model = page.model
    ambiguous = [row for row in range(model.rowCount())
                 if model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None]
    assert ambiguous == [i for i, v in enumerate(["111", "121", "222", "junk"]) if convert(v).status == "ambiguous"]
    assert model.data(model.index(ambiguous[0], 0), Qt.ItemDataRole.BackgroundRole).color() == HIGHLIGHT
    assert "ambiguous" in page.summary.text()
