"""The attribute table model: lazy cells, argsort sorting, vectorised filters, plain text."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from gui.attribute_table import AttributeTable, FrameModel, filter_mask, format_cell


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

    class Layer:
        name = "deposits"
        data = frame

    table.set_layer(Layer())
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
