"""Layer properties on real files: the reader's report, a CRS assigned by search (Kalianpur,
Everest, NSF LCC), an encoding override with reload, the field mapping with guesses marked (a
licence column named "Proposed"), relinking a moved source, and the menu entry that opens it."""
from __future__ import annotations

import shutil

import geopandas as gpd
import pytest

from layers.atlas import ATLAS_DIR
from layers.layer import Layer, LayerList
from layers.project import load_project, save_project

from gui.layer_properties import LayerPropertiesDialog, reader_report
from gui.layer_tree import LayerTree
from gui.main_window import MainWindow

NO_CRS = "datameet-maps/eci/AC_Data/States/S27/S27_AC.shp"
LATIN = "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp"
TOLLS = "geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv"


def dialog_for(qtbot, layer):
    dialog = LayerPropertiesDialog(layer)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def hits(dialog) -> list[str]:
    return [dialog.crs_hits.item(i).text() for i in range(dialog.crs_hits.count())]


def test_the_reader_report_gives_driver_encoding_geometry_counts_and_rejected_rows(qtbot, external):
    tolls = Layer.from_file(external / TOLLS)
    dialog = dialog_for(qtbot, tolls)
    text = dialog.report.toPlainText()
    assert text == reader_report(tolls)
    assert "Driver: CSV" in text and "Encoding used: UTF-8" in text
    assert "11 null, 0 empty, 0 invalid" in text and "Rejected rows: 11" in text
    assert text.count("  row ") == 11


def test_a_crs_is_found_by_code_or_name_and_assigned(qtbot, external, tmp_path):
    layer = Layer.from_file(external / NO_CRS)
    assert layer.crs is None
    dialog = dialog_for(qtbot, layer)
    assert "unknown" in dialog.crs_now.text().lower() or "none" in dialog.crs_now.text().lower()
    dialog.crs_search.setText("Everest")
    assert hits(dialog) and all("Kalianpur" in text for text in hits(dialog))
    dialog.crs_search.setText("NSF LCC")
    assert hits(dialog)[0].startswith("EPSG:7755  WGS 84 / India NSF LCC")
    dialog.crs_search.setText("kalianpur 1975 india zone IIb")
    assert hits(dialog)[0].startswith("EPSG:24380")
    events = []
    layer.events.crs.connect(events.append)
    assert dialog.assign_selected_crs()
    assert layer.crs.to_epsg() == 24380 and layer.data.crs.to_epsg() == 24380 and events
    assert "EPSG:24380" in dialog.crs_now.text() and "assigned" in dialog.report.toPlainText()
    project = tmp_path / "p.khanij"
    save_project(project, LayerList([layer]))
    assert load_project(project).layers[0].crs.to_epsg() == 24380


def test_the_encoding_is_overridden_and_the_layer_reloaded(qtbot, external):
    layer = Layer.from_file(external / LATIN)
    layer_id, style = layer.id, layer.style
    assert layer.read_result.encoding == "ISO-8859-1"
    dialog = dialog_for(qtbot, layer)
    assert "ISO-8859-1" in dialog.encoding_now.text()
    dialog.encoding.setCurrentIndex(dialog.encoding.findData("cp1252"))
    seen = []
    layer.events.data.connect(seen.append)
    assert dialog.reload_with_encoding()
    assert seen and layer.read_result.encoding.lower() in ("cp1252", "windows-1252")
    assert layer.read_options["encoding"] == "cp1252" and layer.id == layer_id and layer.style is style
    assert "cp1252" in dialog.encoding_now.text().lower() or "1252" in dialog.encoding_now.text()


def test_a_licence_column_named_proposed_is_mapped_and_guesses_are_marked(qtbot, tmp_path):
    blocks = gpd.read_file(ATLAS_DIR / "blocks.gpkg").rename(columns={"licence": "Proposed"})
    path = tmp_path / "tranche_blocks.gpkg"
    blocks.to_file(path, driver="GPKG")
    layer = Layer.from_file(path)
    assert layer.role == "blocks" and "licence" not in layer.fields
    dialog = dialog_for(qtbot, layer)
    assert {"grade", "grade_basis", "potentiality", "pa_type", "esz", "forest_type"} <= set(dialog.field_combos)
    assert dialog.field_combos["licence"].currentText() == "(none)" and not dialog.is_guess("licence")
    assert dialog.field_combos["block_id"].currentText() == "block_id" and dialog.is_guess("block_id")
    combo = dialog.field_combos["licence"]
    combo.setCurrentIndex(combo.findText("Proposed"))
    dialog.apply_fields()
    assert layer.fields["licence"] == "Proposed" and layer.fields["block_id"] == "block_id"
    assert not dialog.is_guess("block_id")


def test_a_missing_source_is_relinked(qtbot, tmp_path):
    original = tmp_path / "blocks.gpkg"
    shutil.copy(ATLAS_DIR / "blocks.gpkg", original)
    project = tmp_path / "p.khanij"
    save_project(project, LayerList([Layer.from_file(original)]))
    moved = tmp_path / "moved" / "blocks.gpkg"
    moved.parent.mkdir()
    original.rename(moved)
    layer = load_project(project).layers[0]
    assert layer.missing
    dialog = dialog_for(qtbot, layer)
    assert "Missing" in dialog.report.toPlainText()
    assert not dialog.relink(tmp_path / "nothing.gpkg") and layer.missing
    assert dialog.relink(moved)
    assert not layer.missing and layer.feature_count == len(gpd.read_file(moved))
    assert layer.source == moved and "blocks.gpkg" in dialog.report.toPlainText()


def test_properties_is_in_the_layer_menu_of_the_window(qtbot, settings_dir):
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_sample_atlas()
    layer = window.layer_list[0]
    menu = window.layer_tree.layer_menu(layer)
    action = next(action for action in menu.actions() if action.text() == "Properties…")
    with qtbot.waitSignal(window.layer_tree.showProperties):
        action.trigger()
    dialog = window.findChild(LayerPropertiesDialog)
    assert dialog is not None and dialog.layer is layer and dialog.isVisible()


def test_a_csv_row_with_an_unquoted_code_is_reported_by_number_and_the_rest_read(qtbot, tmp_path):
    path = tmp_path / "deposits.csv"
    path.write_text("name,lat,lon,unfc\nKeonjhar,21.6,85.6,331\nBarbil,22.1,85.4,(2,2,1)\n"
                    "Joda,22.0,85.4,111\nNoamundi,x,85.5,222\n", encoding="utf-8")
    layer = Layer.from_file(path)
    assert layer.data["name"].tolist() == ["Keonjhar", "Joda", "Noamundi"]
    rows = [(rejected.row, rejected.reason) for rejected in layer.read_result.rejected_rows]
    assert rows[0] == (3, "6 fields where the header has 4 (a value with an unquoted ','?)")
    assert rows[1][0] == 5 and "latitude 'x'" in rows[1][1]
    assert any("row 3" in message and "other rows were read" in message for message in layer.read_result.messages)
    text = dialog_for(qtbot, layer).report.toPlainText()
    assert "Rejected rows: 2" in text and "  row 3: 6 fields" in text and "  row 5: latitude" in text
