"""geo.tables: reading any table/vector file, writing CSV (BOM), safe XLSX and GeoPackage atomically."""
import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from geo.errors import Cancelled, DataReadError, DataWriteError
from geo.feedback import Feedback
from geo.tables import XLSX_MAX_WIDTH, read_table, require_columns, write_table

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
           "<script>alert(1)</script>", "{{ 7*7 }}", "खनिज", "سلام"]


def test_csv_is_utf8_with_bom_and_keeps_text(tmp_path):
    frame = pd.DataFrame({"name": ["खनिज", "23°21'15.6\"N"], "t": [1.5, 2]})
    path = write_table(frame, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(path, encoding="utf-8-sig")["name"].tolist() == frame["name"].tolist()


def test_csv_drops_the_geometry_but_keeps_every_attribute(tmp_path):
    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(80, 20), Point(81, 21)], crs=4326)
    back = pd.read_csv(write_table(frame, tmp_path / "t.csv"), encoding="utf-8-sig")
    assert list(back.columns) == ["a"]


def test_xlsx_header_freeze_widths_and_no_formula_injection(tmp_path):
    frame = pd.DataFrame({"value": HOSTILE, "n": range(len(HOSTILE)), "long": ["x" * 500] * len(HOSTILE)})
    path = write_table(frame, tmp_path / "t.xlsx", sheet_name="scores", extra_sheets={"notes": pd.DataFrame({"k": ["v"]})})
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["scores", "notes"]
    sheet = workbook["scores"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fill_type == "solid"
    assert sheet.column_dimensions["C"].width == XLSX_MAX_WIDTH
    assert sheet.column_dimensions["B"].width < 10
    for row, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == text.replace("\r", "\n") and cell.data_type == "s"  # XML reads CR back as LF
        assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert sheet["B2"].value == 0 and sheet["B2"].data_type == "n"


def test_xlsx_leaves_missing_values_empty(tmp_path):
    frame = pd.DataFrame({"a": [1.0, None], "b": pd.Categorical(["x", None])})
    sheet = load_workbook(write_table(frame, tmp_path / "t.xlsx")).active
    assert sheet["A3"].value is None and sheet["B3"].value is None and sheet["B2"].value == "x"


def test_gpkg_keeps_geometry_crs_and_categoricals(tmp_path):
    frame = gpd.GeoDataFrame({"s": pd.Categorical(["exact", None])}, geometry=[Point(500000, 2500000)] * 2, crs=7755)
    back = gpd.read_file(write_table(frame, tmp_path / "t.gpkg", sheet_name="blocks"), layer="blocks")
    assert back.crs.to_epsg() == 7755
    assert back["s"].tolist()[0] == "exact" and back["s"].isna().tolist()[1]


def test_unsupported_extension_names_the_file_and_the_choices(tmp_path):
    with pytest.raises(DataWriteError, match=r"t\.shp: cannot write files of type '\.shp'; use \.csv, \.xlsx, \.gpkg"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.shp")


def test_missing_folder_is_a_write_error(tmp_path):
    with pytest.raises(DataWriteError, match="does not exist"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "nope" / "t.csv")


def test_cancelled_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "t.xlsx"
    write_table(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Cancelled):
        write_table(pd.DataFrame({"a": range(20_000)}), target, feedback=feedback)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_read_table_names_missing_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("State,UNFC\nOdisha,331\n", encoding="utf-8")
    assert read_table(path, required=["UNFC"])["UNFC"].tolist() == [331]
    with pytest.raises(DataReadError, match=r"d\.csv.*no column 'Code'; its columns are: State, UNFC"):
        read_table(path, required=["Code"])


def test_read_table_refuses_a_raster(external):
    raster = next((external / "rasterio-testdata").rglob("*.tif"))
    with pytest.raises(DataReadError, match="is a raster"):
        read_table(raster)


def test_missing_columns_are_named_with_the_file_and_the_columns_there_are():
    frame = pd.DataFrame({"name": ["Babja"], "unfc": ["332"]})
    require_columns(frame, ["name"], "deposits.csv")
    with pytest.raises(DataReadError, match=r"^deposits\.csv has no column 'stage'; its columns are: name, unfc$"):
        require_columns(frame, ["stage"], "deposits.csv")
    with pytest.raises(DataReadError, match=r"^scores\.gpkg, layer 's' has no columns 'score', 'readiness'; its"):
        require_columns(frame, ["score", "readiness"], "scores.gpkg", "s")


CONTROL = "bell\x07 null\x00 escape\x1b[31m"
HOSTILE_HEADERS = ["=HYPERLINK(\"http://x\",\"click\")", "+cmd|' /C calc'!A0", "name\x1b"]


def _hostile_frame() -> pd.DataFrame:
    cells = HOSTILE + ["\"quoted\" 'text'", "line one\r\nline two", "🙂 emoji", "\u202eRTL override", "x" * 5000, CONTROL]
    return pd.DataFrame({HOSTILE_HEADERS[0]: cells, HOSTILE_HEADERS[1]: range(len(cells)),
                         HOSTILE_HEADERS[2]: [-1.5] * len(cells)})


def test_csv_neutralises_every_formula_like_cell_and_header_and_quotes_line_breaks(tmp_path):
    import csv

    feedback = Feedback()
    frame = _hostile_frame()
    path = write_table(frame, tmp_path / "t.csv", feedback=feedback)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == ["'" + HOSTILE_HEADERS[0], "'" + HOSTILE_HEADERS[1], "name\ufffd"]
    assert len(body) == len(frame), "an embedded CR/LF stays inside its quoted cell"
    for written, original in zip((row[0] for row in body), frame.iloc[:, 0]):
        expected = original.replace("\x07", "\ufffd").replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
        assert written == ("'" + expected if original.startswith(("=", "+", "-", "@", "\t", "\r")) else expected)
    assert [row[2] for row in body] == ["-1.5"] * len(body), "numbers are not text: no apostrophe"
    assert any("the column name 'name\ufffd' had 1 control character" in w for w in feedback.warnings)
    assert any("1 cell(s) had control characters (first at row 17)" in w for w in feedback.warnings)


def test_xlsx_with_hostile_cells_and_headers_has_no_formula_and_reports_control_characters(tmp_path):
    feedback = Feedback()
    path = write_table(_hostile_frame(), tmp_path / "t.xlsx", feedback=feedback)
    workbook = load_workbook(path)
    sheet = workbook.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert sheet["A1"].value == HOSTILE_HEADERS[0] and sheet["A1"].quotePrefix and sheet["B1"].quotePrefix
    assert sheet["C1"].value == "name\ufffd"
    assert sheet.cell(row=17, column=1).value == CONTROL.replace("\x07", "\ufffd").replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert sheet.cell(row=16, column=1).value == "x" * 5000 and sheet["C2"].value == -1.5
    assert len(feedback.warnings) == 2 and all("t.xlsx" in w for w in feedback.warnings)
