"""Every file a user could open from ``shared/data/external`` (good and broken), dropped on a real
main window: it opens (its layers are in the tree) or fails with a message naming the file; the
read's notes (unknown CRS, rows without geometry, nodata ...) reach the user; no exception escapes
a Qt slot (pytest-qt fails the test on one); the file is not modified; and the app goes on (a
good file still opens, the map still renders).

Also: hostile attribute values and a hostile file name are shown as plain text in the tree, the
attribute table, identify results, labels and the readiness table's tooltips."""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from geo.errors import describe_path

from gui.attribute_table import MAX_FIT_COLUMN_PX
from gui.main_window import MAX_MESSAGE_LINES, MainWindow
from gui.readiness_panel import ScoreTableModel

EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
USER_FILE_SUFFIXES = (".shp", ".geojson", ".json", ".kml", ".csv", ".tif")
SIDECAR_SUFFIXES = (".dbf", ".prj", ".shx", ".cpg")
USER_FILES = sorted(path for path in EXTERNAL.rglob("*") if path.is_file() and path.suffix.lower() in USER_FILE_SUFFIXES)
# Files that must fail as a whole, and the problem their message names.
FAILS = {"rasterio-testdata/tests/data/corrupt.tif": "pixels cannot be read"}
# Files that open with a problem the user must be told about, and words of that note.
NOTES = {
    "datameet-maps/eci/AC_Data/States/S18/S18_AC.shp": "not drawn on the map",
    "datameet-maps/eci/AC_Data/States/S27/S27_AC.shp": "the CRS is unknown",
    "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp": "ISO-8859-1",
    "datameet-maps/Country/india-land-simplified.geojson": "assumed to be WGS 84",
    "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson": "17 geometrie(s) are invalid",
    "datameet-railways/stations.json": "293 feature(s) have no geometry",
    "geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv": "11 row(s) have unusable coordinates",
    "india-in-data-states-2019/shapefile/india_states.shp": "6 feature(s) have no geometry",
    "rasterio-testdata/tests/data/all-nodata.tif": "only nodata",
    "rasterio-testdata/tests/data/RGB.byte.tif": "not drawn on the map",
    "udit001-india-maps-data/topojson/india.json": "layer 'states'",
}
LOAD_TIMEOUT_MS = 120_000




@pytest.fixture
def window(qtbot, settings_dir):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.runner.cancel_all()
    win.runner.wait(20000)


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good_points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Keonjhar"}, "geometry": {"type": "Point", "coordinates": [85.6, 21.6]}},
    ]}), encoding="utf-8")
    return path


def drop(qtbot, window, *paths: Path) -> None:
    """Drop files on the window as a user would and wait until they are loaded."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(QPointF(60, 60), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.loadFinished, timeout=LOAD_TIMEOUT_MS):
        window.dropEvent(event)
    QApplication.processEvents()


def folder_digests(path: Path) -> dict[str, str]:
    """SHA-256 of the file and everything beside it (sidecars included)."""
    return {sibling.name: hashlib.sha256(sibling.read_bytes()).hexdigest()
            for sibling in path.parent.iterdir() if sibling.is_file()}


def test_the_sweep_covers_every_file_a_user_could_open():
    assert len(USER_FILES) >= 30
    names = {path.relative_to(EXTERNAL).as_posix() for path in USER_FILES}
    assert set(FAILS) <= names and set(NOTES) <= names
    for path in EXTERNAL.rglob("*"):
        if path.is_file() and path.suffix.lower() not in USER_FILE_SUFFIXES and path.name != "SOURCES.md":
            assert path.suffix.lower() in SIDECAR_SUFFIXES, path
            assert path.with_suffix(".shp").exists(), f"{path} is a sidecar of no shapefile"


@pytest.mark.parametrize("path", USER_FILES, ids=lambda path: path.relative_to(EXTERNAL).as_posix())
def test_each_external_file_opens_or_fails_clearly_and_the_app_goes_on(qtbot, capfd, window, good_file, path):
    relative = path.relative_to(EXTERNAL).as_posix()
    before = folder_digests(path)
    drop(qtbot, window, path)

    opened = list(window.layer_list)
    named = [message for message in window.messages if message.startswith(describe_path(path))]
    if relative in FAILS:
        assert opened == []
        assert any(FAILS[relative] in message for message in named), window.messages
    else:
        assert opened, window.messages
        assert all(Path(layer.source) == path for layer in opened)
        tree_names = [item.text(0) for item in window.layer_tree.layer_items()]
        assert sorted(tree_names) == sorted(layer.name for layer in opened)
    if relative in NOTES:
        assert any(NOTES[relative] in message for message in named), window.messages
    assert len(named) == len(window.messages)          # every message names the file it is about

    drop(qtbot, window, good_file)
    assert "good_points" in [layer.name for layer in window.layer_list]
    window.canvas.zoom_to_full_extent()
    image = window.canvas.grab_map_image()
    assert not image.isNull() and image.width() > 0
    assert folder_digests(path) == before
    assert "Traceback" not in capfd.readouterr().err


# ----- hostile attribute values ------------------------------------------------------------------

HOSTILE = {
    "html": "<script>alert(1)</script>",
    "quotes": "\"quotes\" and 'apostrophes' & <b>bold</b>",
    "template": "{{ 7*7 }}",
    "long": "Ж" + "x" * 19_998 + "!",
    "arabic": "منجم الحديد الخام",
    "hindi": "झारखंड लौह अयस्क खदान",
}
HOSTILE_NAME = "<i>blocks<br>\"x\" {{ 7*7 }}"            # a file name: no "/"


@pytest.fixture
def hostile_file(tmp_path):
    square = [[[85.0, 21.0], [86.0, 21.0], [86.0, 22.0], [85.0, 22.0], [85.0, 21.0]]]
    path = tmp_path / f"{HOSTILE_NAME}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {**HOSTILE, "<b>column</b>": "<img src=x onerror=alert(2)>"},
         "geometry": {"type": "Polygon", "coordinates": square}},
    ]}, ensure_ascii=False), encoding="utf-8")
    return path


def test_hostile_values_are_plain_text_in_tree_table_and_identify(qtbot, window, hostile_file):
    drop(qtbot, window, hostile_file)
    layer = window.layer_list[0]
    assert layer.name == HOSTILE_NAME

    item = window.layer_tree.layer_items()[0]
    assert item.text(0) == HOSTILE_NAME
    assert "<i>" not in item.toolTip(0) and "&lt;i&gt;blocks&lt;br&gt;" in item.toolTip(0)

    window.open_table(layer)
    model = window.table.model
    headers = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())]
    shown = {header: model.data(model.index(0, column)) for column, header in enumerate(headers)}
    for column, value in HOSTILE.items():
        assert shown[column] == value
    assert shown["<b>column</b>"] == "<img src=x onerror=alert(2)>"
    assert window.table.title.text() == HOSTILE_NAME
    widest = max(window.table.view.columnWidth(column) for column in range(model.columnCount()))
    assert widest <= MAX_FIT_COLUMN_PX                 # the 20,000-character text is elided, not 150,000 px wide

    window.canvas.zoom_to_layer(layer)
    window.set_tool("identify")
    with qtbot.waitSignal(window.canvas.identified, timeout=5000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         window.canvas.viewport().rect().center())
    rows = dict(window.identify.rows())
    assert (HOSTILE_NAME, "") in window.identify.rows()
    for column, value in HOSTILE.items():
        assert rows[column] == value

    hostile_texts = [*HOSTILE.values(), HOSTILE_NAME]
    labels = [label for label in window.findChildren(QLabel)
              if any(text in label.text() for text in hostile_texts)]
    assert window.table.title in labels
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_hostile_block_names_are_plain_text_in_the_readiness_table():
    frame = pd.DataFrame({"block_id": [HOSTILE["html"]], "block_name": [HOSTILE["quotes"]],
                          "readiness": ["Ready"], "score": [81.25]})
    model = ScoreTableModel()
    model.set_scores(frame, {"block_id": "block_id", "block_name": "block_name"})
    for key, value in (("block_id", HOSTILE["html"]), ("block_name", HOSTILE["quotes"]), ("score", "81.2")):
        index = model.index(0, model.column_index(key))
        assert model.data(index, Qt.ItemDataRole.DisplayRole) == value
        tooltip = model.data(index, Qt.ItemDataRole.ToolTipRole)
        assert tooltip == f"<p style='white-space:pre'>{html.escape(value)}</p>"
        assert QTextDocumentFragment.fromHtml(tooltip).toPlainText() == value      # what the tooltip shows


def test_many_files_dropped_at_once_open_in_one_go_with_one_readable_message(qtbot, window):
    small = [path for path in USER_FILES if path.stat().st_size < 600_000]      # the big ones cost time, not cases
    assert len(small) > 2 * MAX_MESSAGE_LINES
    drop(qtbot, window, *small)
    opened_files = {Path(layer.source) for layer in window.layer_list}
    assert opened_files == {path for path in small if path.relative_to(EXTERNAL).as_posix() not in FAILS}
    box = window._message_box
    assert box.windowTitle() == "Some files could not be opened"
    assert box.text().startswith("corrupt.tif: pixels cannot be read")
    assert box.text().count("\n\n") == MAX_MESSAGE_LINES                  # the first lines, then "… and N more"
    assert box.detailedText() == "\n\n".join(window.messages)
    assert len(window.messages) > MAX_MESSAGE_LINES
    assert not window.canvas.grab_map_image().isNull()
