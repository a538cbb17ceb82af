"""Whole-column conversion: one pass per distinct value, junk row by row, any table or vector file."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from shapely.geometry import Point

import assessment.conversion as conversion_module
from assessment import convert, convert_column, stages_of
from geo.tables import read_table, write_table

DEPOSITS_CSV = """Deposit,State,District,Mineral,UNFC_Code,Tonnage_Mt,Grade_pct
Bhalukona,Chhattisgarh,Mahasamund,Nickel;PGE,331,5.2,0.42
Katghora,Chhattisgarh,Korba,REE,"(3,3,2)",1.1,0.15
Salal-Haimana,Jammu & Kashmir,Reasi,Lithium,G3,5.9,0.3
Tonagatu,Jharkhand,East Singhbhum,Graphite,,2.4,9.1
Kundarkocha,Jharkhand,East Singhbhum,Gold,NA,0.8,2.5
Ghatsila,Jharkhand,East Singhbhum,Copper,3 3 1,12.0,1.1
Sukinda,Odisha,Jajpur,Chromite,E1F1,3.0,40
Khariar,Odisha,Nuapada,Graphite,999,0.5,12
Rakha,Jharkhand,East Singhbhum,Copper,E1.1 F2.2 G1,30.0,0.9
Malanjkhand,Madhya Pradesh,Balaghat,Copper,Proven Reserve,80.0,1.2
"""


@pytest.fixture
def deposits_csv(tmp_path):
    path = tmp_path / "deposits.csv"
    path.write_text(DEPOSITS_CSV, encoding="utf-8")
    return path


def test_csv_column_with_junk_converts_row_by_row(deposits_csv):
    frame = read_table(deposits_csv, required=["UNFC_Code"])
    out = convert_column(frame["UNFC_Code"])
    assert list(out.columns) == ["UNFC_Code_to", "UNFC_Code_status", "UNFC_Code_alternatives", "UNFC_Code_note"]
    assert out.index.equals(frame.index)
    status = out["UNFC_Code_status"].astype(str).tolist()
    assert status == ["ambiguous", "ambiguous", "ambiguous", "invalid", "invalid", "ambiguous", "invalid", "invalid",
                      "ambiguous", "ambiguous"]
    to = out["UNFC_Code_to"].astype(object).where(out["UNFC_Code_to"].notna(), None).tolist()
    assert to == ["Measured Mineral Resource", "Indicated Mineral Resource", "Inferred Mineral Resource", None, None,
                  "Measured Mineral Resource", None, None, "Measured Mineral Resource", "111"]
    notes = out["UNFC_Code_note"].astype(str).tolist()
    assert notes[3] == notes[4] == "Empty value: no classification given."
    assert "lacks the G axis" in notes[6] and "'999' is not one of India's ten" in notes[7]
    assert "unverified" in notes[8]
    assert out["UNFC_Code_alternatives"].iloc[9].startswith("121 (if only a pre-feasibility study")


def test_each_row_matches_the_scalar_converter(deposits_csv):
    frame = read_table(deposits_csv)
    out = convert_column(frame["UNFC_Code"], to="jorc")
    for value, (_, row) in zip(frame["UNFC_Code"], out.iterrows()):
        expected = convert(None if pd.isna(value) else value, to="jorc")
        assert row["UNFC_Code_status"] == expected.status
        assert row["UNFC_Code_note"] == expected.note


def test_distinct_values_are_converted_once(monkeypatch):
    calls = []

    def counting_convert(value, to=None):
        calls.append(value)
        return convert(value, to)

    monkeypatch.setattr(conversion_module, "convert", counting_convert)
    values = pd.Series(["331", "332", "E1F1G1", None, np.nan, "junk", "JUNK"] * 25_000)
    out = conversion_module.convert_column(values, to="stage")
    assert len(out) == 175_000
    assert sorted(map(str, calls)) == ["331", "332", "E1F1G1", "JUNK", "None", "junk"]  # None and NaN: one call
    assert out["value_to"].iloc[:7].astype(object).tolist()[:3] == ["G1", "G2", "G1"]


def test_each_invalid_row_quotes_its_own_value():
    out = convert_column(pd.Series(["junk", "JUNK", " junk ", "e1f1", "E1F1"], name="c"))
    notes = out["c_note"].astype(str).tolist()
    assert [note.split("'")[1] for note in notes] == ["junk", "JUNK", "junk", "e1f1", "E1F1"]


def test_mixed_python_types_and_spreadsheet_floats():
    values = pd.Series([331, 331.0, "331.0", 332.5, True, "Measured"], name="code")
    out = convert_column(values, to="india")
    assert out["code_to"].astype(object).tolist()[:3] == ["331", "331", "331"]
    assert out["code_status"].astype(str).tolist()[3:] == ["invalid", "invalid", "ambiguous"]


def test_xlsx_input_with_numbers_in_cells(tmp_path):
    path = tmp_path / "inventory.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "NMI"
    sheet.append(["Block", "UNFC"])
    for row in (["A", 331], ["B", 122.0], ["C", "(3,3,4)"], ["D", None], ["E", "E1F1"], ["F", 999], ["G", "NA"]):
        sheet.append(row)
    workbook.save(path)
    frame = read_table(path, layer="NMI", required=["UNFC"])
    out = convert_column(frame["UNFC"])
    assert out["UNFC_status"].astype(str).tolist() == ["ambiguous", "exact", "no_equivalent", "invalid", "invalid",
                                                      "invalid", "invalid"]
    assert out["UNFC_to"].iloc[1] == "Probable Ore Reserve"


def test_vector_file_keeps_its_geometry(external, tmp_path):
    source = external / "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp"
    frame = read_table(source, required=["SheetNo"])
    combined = frame.copy()
    for name, column in convert_column(frame["SheetNo"]).items():
        combined[name] = column
    target = write_table(combined, tmp_path / "sheets.gpkg")
    back = gpd.read_file(target)
    assert len(back) == len(frame) == 33
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals_exact(frame.geometry, tolerance=1e-9).all()
    assert set(back["SheetNo_status"]) == {"invalid"}  # sheet numbers are not classifications


def test_points_from_a_table_keep_their_geometry(tmp_path):
    frame = gpd.GeoDataFrame({"unfc": ["333", "G4"]}, geometry=[Point(74.8, 33.1), Point(85.3, 23.3)], crs=4326)
    out = frame.join(convert_column(frame["unfc"], to="unfc"))
    back = gpd.read_file(write_table(out, tmp_path / "p.gpkg"))
    assert back["unfc_to"].tolist() == ["E2F2G3", "G4"]
    assert back.geometry.iloc[0].equals(Point(74.8, 33.1))


def test_stages_of_is_vectorised_and_categorical():
    stages = stages_of(pd.Series(["331", "Probable", "E2F2G3", "junk", None], name="unfc"))
    assert isinstance(stages.dtype, pd.CategoricalDtype)
    assert stages.astype(object).where(stages.notna(), None).tolist() == ["G1", "G2", "G3", None, None]
    assert stages.name == "unfc"
