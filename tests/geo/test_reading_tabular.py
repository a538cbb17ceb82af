"""geo.read on CSV/XLSX tables: coordinate columns by name or by choice, decimal and DMS values,
and every unusable row kept with a null geometry and reported by the row number a person sees."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

import geo
from geo.errors import CrsError, DataReadError

TOLLS = "geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv"

# row number in the CSV (header = 1), name, word that must appear in the reason
TOLL_REJECTS = [
    (443, "Yedeshi", "0°, 0°"),
    (444, "Tamalwadi", "0°, 0°"),
    (463, "Limdi", "outside India"),
    (468, "Zidda", "outside India"),
    (471, "Dhareri jattan", "swapped"),
    (472, "Azizpur", "swapped"),
    (486, "Pandutala", "swapped"),
    (515, "Saliwada", "swapped"),
    (531, "Harval", "swapped"),
    (553, "Kadisahena", "outside India"),
    (658, "Jakhauli(EPE)", "the same number"),
]


@pytest.fixture(scope="module")
def tolls(external):
    return geo.read(external / TOLLS)


def test_toll_csv_keeps_every_row_and_rejects_eleven(tolls):
    assert (tolls.kind, tolls.driver, tolls.encoding) == ("vector", "CSV", "UTF-8")
    assert isinstance(tolls.data, gpd.GeoDataFrame) and len(tolls.data) == 712
    assert (tolls.crs_label, tolls.crs_status) == ("EPSG:4326", "assumed")
    assert [r.row for r in tolls.rejected_rows] == [row for row, _, _ in TOLL_REJECTS]
    assert tolls.null_geometries == 11 and tolls.data.geometry.notna().sum() == 701
    assert any("701 of 712 rows" in m for m in tolls.messages)


@pytest.mark.parametrize("row, name, reason", TOLL_REJECTS, ids=[r[1] for r in TOLL_REJECTS])
def test_toll_rejected_row_by_number_name_and_reason(tolls, row, name, reason):
    rejected = {r.row: r.reason for r in tolls.rejected_rows}
    assert reason in rejected[row]
    record = tolls.data.iloc[row - 2]  # header is row 1
    assert record["name"] == name and record.geometry is None


def test_toll_swapped_reason_quotes_the_values_as_written(tolls):
    rejected = {r.row: r.reason for r in tolls.rejected_rows}
    assert rejected[486].startswith("latitude 80.808583 and longitude 22.390556 look swapped")


def test_toll_attributes_are_untouched(tolls, external):
    """Cells as typed: "NA" stays text in text columns; columns of numbers with "NA" are numbers."""
    as_typed = pd.read_csv(external / TOLLS, keep_default_na=False, na_values=[""])
    pandas_default = pd.read_csv(external / TOLLS)
    numeric = ["design_capacity", "capital_cost"]  # numbers with "NA" where unknown
    expected = as_typed.assign(**{column: pandas_default[column] for column in numeric})
    pd.testing.assert_frame_equal(pd.DataFrame(tolls.data.drop(columns="geometry")), expected)
    assert all(tolls.data[column].dtype == "float64" for column in numeric)
    assert (tolls.data["fee_rule"] == "NA").sum() == 1 and tolls.data["fee_rule"].isna().sum() == 582
    first = tolls.data.geometry.iloc[0]
    assert (first.x, first.y) == (81.122298, 21.117914)


def test_na_is_text_in_a_text_column_and_missing_in_a_column_of_numbers(tmp_path):
    path = tmp_path / "deposits.csv"
    path.write_text("name,unfc,tonnage_mt,lat,lon\nA,NA,NA,23.1,85.1\nB,G3,1.5,NA,85.2\nC,,,23.3,85.3\n",
                    encoding="utf-8")
    result = geo.read(path)
    assert result.data["unfc"].tolist()[:2] == ["NA", "G3"] and pd.isna(result.data["unfc"].iloc[2])
    assert result.data["tonnage_mt"].dtype == "float64" and result.data["tonnage_mt"].isna().tolist() == [True, False, True]
    assert [(r.row, r.reason) for r in result.rejected_rows] == [(3, "latitude is empty")]


def test_na_in_an_xlsx_sheet_is_read_like_in_a_csv(tmp_path):
    path = tmp_path / "deposits.xlsx"
    pd.DataFrame({"unfc": ["NA", "G3"], "grade": ["NA", 0.8]}).to_excel(path, index=False)
    data = geo.read(path).data
    assert data["unfc"].tolist() == ["NA", "G3"]
    assert data["grade"].dtype == "float64" and data["grade"].isna().tolist() == [True, False]


def write_dms_csv(path):
    path.write_text(
        "Site,Latitude,Longitude\n"
        'Jaduguda,"22°39\'0""N","86°21\'0""E"\n'
        "Turamdih,22 44 30 N,86 18 36 E\n"
        "Banduhurang,22-44-15.6N,86-17-24E\n"
        "Bad,twenty two,86.3\n"
        "Blank,,\n"
        "Decimal,22.65,86.35\n"
        "\n"
        "WrongAxis,22°39'0\"E,86.3\n",
        encoding="utf-8")
    return path


def test_dms_csv_is_parsed_and_bad_rows_reported(tmp_path):
    result = geo.read(write_dms_csv(tmp_path / "uranium sites.csv"))
    points = result.data.geometry
    assert (points.iloc[0].x, points.iloc[0].y) == pytest.approx((86.35, 22.65))
    assert (points.iloc[1].x, points.iloc[1].y) == pytest.approx((86.31, 22.741666667))
    assert (points.iloc[2].x, points.iloc[2].y) == pytest.approx((86.29, 22.7376667))
    assert len(result.data) == 8
    reasons = {r.row: r.reason for r in result.rejected_rows}
    assert sorted(reasons) == [5, 6, 8, 9]
    assert reasons[5].startswith("latitude 'twenty two' cannot be read as a coordinate")
    assert reasons[6] == "latitude and longitude are empty"
    assert reasons[8] == "latitude and longitude are empty"  # the blank line is row 8, kept
    assert "marks a longitude where a latitude is expected" in reasons[9]


def test_columns_can_be_chosen_when_names_are_not_recognised(tmp_path):
    path = tmp_path / "drillholes.csv"
    path.write_text("hole;N_coord;E_coord\nDH1;23.35;85.31\nDH2;23.36;85.32\n", encoding="utf-8")
    table = geo.read(path)
    assert table.kind == "table" and type(table.data) is pd.DataFrame
    assert any("no latitude/longitude columns" in m for m in table.messages)
    points = geo.read(path, lat_column="N_coord", lon_column="E_coord")
    assert points.kind == "vector" and points.feature_count == 2 and not points.rejected_rows
    with pytest.raises(DataReadError, match=r"drillholes\.csv has no column 'Northing'; its columns are: hole"):
        geo.read(path, lat_column="Northing", lon_column="E_coord")


def test_column_names_match_case_insensitively_with_aliases(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("Name,LAT_DD,Lon_DD,Y\nA,23.5,85.1,1\n", encoding="utf-8")
    result = geo.read(path)
    assert (result.data.geometry.iloc[0].x, result.data.geometry.iloc[0].y) == (85.1, 23.5)


def test_cp1252_csv_falls_back_and_user_encoding_wins(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,lat,lon\nBelgaum – Ghataprabha,16.2,74.8\n".encode("cp1252"))
    result = geo.read(path)
    assert (result.encoding, result.encoding_source) == ("cp1252", "fallback")
    assert result.data["name"].iloc[0] == "Belgaum – Ghataprabha"
    forced = geo.read(path, encoding="latin-1")
    assert (forced.encoding, forced.encoding_source) == ("latin-1", "user")
    with pytest.raises(DataReadError, match=r"legacy\.csv is not valid utf-8 text"):
        geo.read(path, encoding="utf-8")


def test_xlsx_sheets_are_layers_and_rows_are_sheet_rows(tmp_path):
    path = tmp_path / "prospects.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"Prospect": ["Kudremukh", "Null Island", "Swapped"],
                      "Latitude": ["13°13'N", 0, 75.2],
                      "Longitude": ["75°15'E", 0, 13.2]}).to_excel(writer, sheet_name="Karnataka", index=False)
        pd.DataFrame({"code": ["G1", "G2"]}).to_excel(writer, sheet_name="Codes", index=False)
    assert geo.list_layers(path) == ["Karnataka", "Codes"]
    points, codes = geo.read_all(path)
    assert (points.driver, points.layer, points.kind) == ("XLSX", "Karnataka", "vector")
    first = points.data.geometry.iloc[0]
    assert (first.x, first.y) == pytest.approx((75.25, 13.216666667))
    assert [(r.row, "0°, 0°" in r.reason or "swapped" in r.reason) for r in points.rejected_rows] == [(3, True), (4, True)]
    assert codes.kind == "table" and list(codes.data["code"]) == ["G1", "G2"]


def test_projected_crs_is_refused_for_latitude_longitude_columns(tmp_path):
    path = write_dms_csv(tmp_path / "sites.csv")
    with pytest.raises(CrsError, match=r"sites\.csv: latitude/longitude columns are in degrees"):
        geo.read(path, crs="EPSG:32645")
    assert geo.read(path, crs="EPSG:4326").crs_status == "assigned"


def test_damaged_xlsx_is_refused(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataReadError, match=r"broken\.xlsx is not a readable Excel"):
        geo.read(path)


def test_a_csv_with_only_its_header_opens_with_no_points(tmp_path):
    path = tmp_path / "new sites.csv"
    path.write_text("name,lat,lon\n", encoding="utf-8")
    result = geo.read(path)
    assert (result.kind, result.feature_count, result.rejected_rows) == ("vector", 0, [])
    assert any("0 of 0 rows have usable coordinates" in m for m in result.messages)
