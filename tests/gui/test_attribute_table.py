"""The attribute table model: lazy cells, argsort sorting, vectorised filters, plain text."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from gui.attribute_table import (
    SHOW_ALL, SHOW_ON_MAP, SHOW_SELECTED, AttributeTable, FrameModel, filter_mask, format_cell,
)
from gui.canvas import MapCanvas
from gui.state_picker import StatePicker
from layers.atlas import load_sample_atlas
from layers.layer import Layer, LayerList


def _points_frame(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    lon = rng.uniform(70, 90, n)
    lat = rng.uniform(10, 30, n)
    tonnage = rng.uniform(0, 100, n)
    tonnage[::10] = np.nan
    return gpd.GeoDataFrame(
        {"name": [f"deposit {i:06d}" for i in range(n)],
         "state": np.where(np.arange(n) % 3 == 0, "Jharkhand", "Odisha"),
         "tonnage_mt": tonnage,
         "code": (np.arange(n) % 4 + 1) * 111},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _display(model: FrameModel, row: int, column: str) -> str:
    return model.data(model.index(row, model.columns.index(column)), Qt.ItemDataRole.DisplayRole)


def test_100k_rows_build_sort_and_filter():
    frame = _points_frame(100_000)
    model = FrameModel(frame)
    assert model.rowCount() == 100_000
    assert model.columns == ["name", "state", "tonnage_mt", "code"]   # geometry is not a column

    tonnage = model.columns.index("tonnage_mt")
    model.sort(tonnage, Qt.SortOrder.AscendingOrder)
    shown = frame["tonnage_mt"].to_numpy()[model.rows]
    valid = shown[~np.isnan(shown)]
    assert np.all(np.diff(valid) >= 0)
    assert np.isnan(shown[-1])                      # missing values sort last
    assert model.rows[0] == frame["tonnage_mt"].argmin()
    assert _display(model, 0, "tonnage_mt") == f"{frame['tonnage_mt'].min():.10g}"

    model.sort(model.columns.index("name"), Qt.SortOrder.DescendingOrder)
    assert _display(model, 0, "name") == "deposit 099999"

    kept = model.set_filter("> 50", "tonnage_mt")
    assert kept == int((frame["tonnage_mt"] > 50).sum())
    assert _display(model, 0, "name") > _display(model, 1, "name")   # still sorted by name, descending
    assert model.set_filter("jharkhand", None) == 33_334
    assert model.set_filter("= 333", "code") == 25_000
    assert model.set_filter("", None) == 100_000


def test_selection_maps_between_rows_and_frame_positions(qtbot):
    frame = _points_frame(50)
    table = AttributeTable()
    qtbot.addWidget(table)
    table.set_layer(Layer("deposits", frame))
    table.model.sort(table.model.columns.index("name"), Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(table.selectionChanged) as blocker:
        table.view.selectRow(0)
    layer, positions = blocker.args
    assert list(positions) == [49]

    table.select_positions([3, 4, 5])
    assert sorted(table.selected_positions().tolist()) == [3, 4, 5]
    assert "3 selected" in table.count.text()


def test_hostile_text_is_plain():
    hostile = ["<b>bold</b><script>alert(1)</script>", "\u202eRTL override", "झारखंड", None, float("nan")]
    model = FrameModel(pd.DataFrame({"name": hostile}))
    shown = [model.data(model.index(i, 0), Qt.ItemDataRole.DisplayRole) for i in range(5)]
    assert shown == ["<b>bold</b><script>alert(1)</script>", "\u202eRTL override", "झारखंड", "", ""]
    tooltip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)   # long: shown whole, escaped
    assert "<script>" not in tooltip and "&lt;script&gt;alert(1)&lt;/script&gt;" in tooltip
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ToolTipRole) is None   # short: no tooltip
    assert filter_mask(pd.DataFrame({"name": hostile}), "<script>").tolist() == [True, False, False, False, False]


def test_cell_format():
    assert format_cell(12.5) == "12.5"
    assert format_cell(0.1 + 0.2) == "0.3"
    assert format_cell(np.int64(331)) == "331"
    assert format_cell(None) == ""


@pytest.fixture
def atlas_table(qtbot):
    """The sample atlas deposits in a table, and the state picker over the atlas."""
    atlas = load_sample_atlas()
    deposits = atlas.by_role("deposits")[0]
    table = AttributeTable()
    qtbot.addWidget(table)
    table.set_layer(deposits)
    picker = StatePicker(atlas)
    qtbot.addWidget(picker)
    return table, picker, deposits


def _listed_positions(table: AttributeTable) -> list[int]:
    return sorted(table.model.rows.tolist())


def _show(table: AttributeTable, text: str) -> None:
    table.show_features.setCurrentIndex(table.show_features.findText(text))


def test_shown_on_map_lists_the_picked_state_and_follows_the_filter(atlas_table):
    table, picker, deposits = atlas_table
    odisha = np.flatnonzero((deposits.data["state"] == "Odisha").to_numpy()).tolist()
    assert table.show_features.currentText() == SHOW_ALL          # the default, as in QGIS
    picker.choose("Odisha")
    assert table.model.rowCount() == 160                            # "All features" ignores the map
    _show(table, SHOW_ON_MAP)
    assert _listed_positions(table) == odisha and len(odisha) == 33
    assert table.count.text() == "33 of 160 shown · 0 selected"

    picker.choose("Jharkhand")                                      # the filter event updates the table
    jharkhand = np.flatnonzero((deposits.data["state"] == "Jharkhand").to_numpy()).tolist()
    assert _listed_positions(table) == jharkhand
    picker.choose("All India")
    assert table.model.rowCount() == 160
    _show(table, SHOW_ALL)
    picker.choose("Odisha")
    assert table.model.rowCount() == 160


def test_legend_class_switched_off_leaves_the_list(atlas_table):
    table, picker, deposits = atlas_table
    picker.choose("Odisha")
    _show(table, SHOW_ON_MAP)
    hidden = deposits.style.categories[0]
    classes = deposits.class_indices()
    hidden.visible = False
    deposits.style = deposits.style
    state = (deposits.data["state"] == "Odisha").to_numpy()
    expected = np.flatnonzero(state & (classes != 0)).tolist()
    assert 0 < len(expected) < int(state.sum())                     # the class has Odisha deposits
    assert _listed_positions(table) == expected
    table.filter.setText("a")                                       # the text filter applies within
    table.apply_filter()
    names = deposits.data["name"].str.casefold().str.contains("a").to_numpy()
    assert _listed_positions(table) == np.flatnonzero(state & (classes != 0) & names).tolist()
    assert table.count.text().startswith(f"{len(table.model.rows)} of 160 shown")


def test_selected_features_lists_exactly_the_selection(atlas_table, qtbot):
    table, _picker, _deposits = atlas_table
    table.model.sort(table.model.columns.index("name"), Qt.SortOrder.DescendingOrder)
    table.select_positions([40, 7, 120, 7])
    _show(table, SHOW_SELECTED)
    assert _listed_positions(table) == [7, 40, 120]
    assert sorted(table.selected_positions().tolist()) == [7, 40, 120]   # still selected after the change
    assert table.count.text() == "3 of 160 shown · 3 selected"
    table.select_positions([5])                                     # a selection from the map
    assert _listed_positions(table) == [5]
    table.select_positions([9, 11])
    with qtbot.waitSignal(table.selectionChanged) as blocker:       # a click in the table narrows it
        table.view.selectRow(0)
    assert list(blocker.args[1]) == [table.model.rows[0]]
    qtbot.waitUntil(lambda: table.model.rowCount() == 1)
    assert _listed_positions(table) == list(blocker.args[1])
    _show(table, SHOW_ALL)
    assert table.model.rowCount() == 160
    assert table.selected_positions().tolist() == list(blocker.args[1])


def test_row_of_the_filtered_table_highlights_its_feature_on_the_canvas(atlas_table, qtbot):
    table, picker, deposits = atlas_table
    canvas = MapCanvas(LayerList([deposits]))
    qtbot.addWidget(canvas)
    canvas.resize(800, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    table.selectionChanged.connect(canvas.set_selection)
    picker.choose("Odisha")
    _show(table, SHOW_ON_MAP)
    table.model.sort(table.model.columns.index("name"), Qt.SortOrder.DescendingOrder)
    frame = deposits.data
    odisha = np.flatnonzero((frame["state"] == "Odisha").to_numpy())
    expected = int(odisha[np.argmax(frame["name"].str.casefold().to_numpy()[odisha])])
    assert expected != odisha[0]                                    # the mapping is not the identity
    canvas.zoom_to_features(deposits, [expected])
    point = canvas.layer_geometry(deposits).geoms[expected]
    pixel = canvas.pixel_of(point.x, point.y)

    def ring_pixels() -> int:
        image = canvas.grab_map_image()
        return sum(image.pixelColor(pixel.x() + dx, pixel.y() + dy).name() == "#00e5ff"
                   for dx in range(-12, 13) for dy in range(-12, 13))

    assert ring_pixels() == 0
    table.view.selectRow(0)
    assert canvas.selection(deposits).tolist() == [expected]
    assert ring_pixels() > 0                                        # the highlight ring is drawn there
    assert table.count.text() == "33 of 160 shown · 1 selected"


def test_100k_rows_with_a_map_filter(qtbot):
    frame = _points_frame(100_000)
    layer = Layer("deposits", frame, role="deposits", fields={"state": "state"})
    table = AttributeTable()
    qtbot.addWidget(table)
    table.set_layer(layer)
    _show(table, SHOW_ON_MAP)
    assert table.model.rowCount() == 100_000
    layer.set_filter_states(["Jharkhand"])
    jharkhand = np.flatnonzero(np.arange(100_000) % 3 == 0)
    assert np.array_equal(np.sort(table.model.rows), jharkhand)
    table.model.sort(table.model.columns.index("tonnage_mt"), Qt.SortOrder.AscendingOrder)
    listed = frame["tonnage_mt"].to_numpy()[table.model.rows]
    assert len(listed) == 33_334 and np.all(np.diff(listed[~np.isnan(listed)]) >= 0)
    table.filter.setText("> 50")
    table.column.setCurrentText("tonnage_mt")
    table.apply_filter()
    expected = jharkhand[frame["tonnage_mt"].to_numpy()[jharkhand] > 50]
    assert np.array_equal(np.sort(table.model.rows), expected)
    table.select_positions(expected[:1000])
    assert np.array_equal(np.sort(table.selected_positions()), expected[:1000])
    assert table.count.text() == f"{len(expected):,} of 100,000 shown · 1,000 selected"
