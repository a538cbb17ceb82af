"""Resource statements: tonnage and contained metal summed by UNFC code with its JORC equivalent."""
import pandas as pd
import pytest

from assessment import resource_statement
from geo.errors import DataReadError


@pytest.fixture
def deposits():
    return pd.DataFrame({
        "Deposit": ["Ghatsila", "Rakha", "Kendadih", "Sukinda", "Daitari", "Kaliapani", "Salal", "Salal East", "Junk"],
        "ST_NM": ["Jharkhand", "Jharkhand", "Jharkhand", "Odisha", "Odisha", "Odisha", "J&K", "J&K", "Odisha"],
        "District": ["East Singhbhum"] * 3 + ["Jajpur", "Kendujhar", "Jajpur", "Reasi", "Reasi", "Jajpur"],
        "Block": ["B1", "B1", "B2", "B3", "B4", "B3", "B5", "B5", "B3"],
        "Mineral": ["Copper", "Cu", "copper ore", "Chromite", "Iron ore", "Cr", "Lithium", "Li", "Chromite"],
        "UNFC_Code": ["331", "(3,3,1)", "Indicated", "111", "E1F1G1", "121", "333", "G3", "E1F1"],
        "Tonnage": [10, 5, 2.5, 20, 50, 4, 5.9, 1, 3],
        "Grade": [1.2, 0.8, 1.0, 40, 60, 38, 0.3, 0.2, 35],
    })


def test_statement_by_state_splits_commodities_and_sums_by_code(deposits):
    statement = resource_statement(deposits, by="state")
    assert list(statement.columns) == ["state", "commodity", "unfc_code", "jorc_equivalent", "jorc_status", "records",
                                       "tonnage_mt", "contained_mt"]
    copper = statement[(statement.state == "Jharkhand")].set_index("unfc_code")
    assert copper.loc["331", "tonnage_mt"] == 15 and copper.loc["331", "records"] == 2
    assert copper.loc["331", "jorc_equivalent"] == "Measured Mineral Resource"
    assert copper.loc["331", "contained_mt"] == pytest.approx(10 * 0.012 + 5 * 0.008)
    assert copper.loc["332", "jorc_status"] == "ambiguous"  # a JORC name's India code is a default
    assert set(statement.commodity) == {"Copper", "Chromium", "Iron", "Lithium"}


def test_statement_orders_by_stage_and_keeps_unreadable_tonnage(deposits):
    statement = resource_statement(deposits, by="state")
    odisha = statement[statement.state == "Odisha"]
    assert odisha.unfc_code.tolist() == ["111", "121", "unreadable", "E1F1G1"]
    assert statement.tonnage_mt.sum() == pytest.approx(deposits.Tonnage.sum())
    unreadable = odisha.set_index("unfc_code").loc["unreadable"]
    assert unreadable.jorc_status == "invalid" and pd.isna(unreadable.jorc_equivalent)


@pytest.mark.parametrize("by, key, count", [("district", "district", 4), ("commodity", "commodity", 4), ("block", "block", 5)])
def test_other_groupings(deposits, by, key, count):
    statement = resource_statement(deposits, by=by)
    assert statement.columns[0] == key
    assert statement[key].nunique() == count


def test_by_commodity_merges_aliases(deposits):
    statement = resource_statement(deposits, by="commodity").set_index(["commodity", "unfc_code"])
    assert statement.loc[("Lithium", "333"), "tonnage_mt"] == 5.9
    assert statement.loc[("Lithium", "G3"), "jorc_equivalent"] == "Inferred Mineral Resource"


def test_grade_units_convert_to_contained_metal():
    frame = pd.DataFrame({"state": ["Karnataka"] * 2, "unfc": ["331", "331"], "tonnage": [2.0, 1.0],
                          "grade": [5.0, 1.0], "grade_unit": ["g/t", "%"]})
    row = resource_statement(frame).iloc[0]
    assert row.contained_mt == pytest.approx(2.0 * 5e-6 + 1.0 * 0.01)


def test_no_grade_column_means_no_contained_metal():
    frame = pd.DataFrame({"state": ["Goa"], "unfc": ["332"], "tonnage": [3.0]})
    assert "contained_mt" not in resource_statement(frame).columns


def test_missing_and_unknown_columns_name_the_source():
    frame = pd.DataFrame({"state": ["Goa"], "unfc": ["332"]})
    with pytest.raises(DataReadError, match=r"deposits\.csv has no tonnage column; its columns are: state, unfc"):
        resource_statement(frame, source="/data/deposits.csv")
    with pytest.raises(DataReadError, match="no column 'Code'"):
        resource_statement(frame.assign(tonnage=1), column="Code")
    with pytest.raises(DataReadError, match="no district column"):
        resource_statement(frame.assign(tonnage=1), by="district")
    bad_unit = pd.DataFrame({"state": ["Goa"], "unfc": ["332"], "tonnage": [1], "grade": [1], "grade_unit": ["carat"]})
    with pytest.raises(DataReadError, match="grade unit 'carat'"):
        resource_statement(bad_unit)


def test_a_group_without_any_tonnage_shows_none_not_zero():
    frame = pd.DataFrame({"state": ["Odisha"] * 3, "unfc": ["G4", "331", "331"], "tonnage": [None, 2.0, None]})
    statement = resource_statement(frame).set_index("unfc_code")
    assert pd.isna(statement.loc["G4", "tonnage_mt"]) and statement.loc["G4", "records"] == 1
    assert statement.loc["331", "tonnage_mt"] == 2.0 and statement.loc["331", "records"] == 2


@pytest.mark.parametrize("column, values, message", [
    ("tonnage", [5.0, -2.5, 1.0, -1.0], r"negative tonnage in column 'tonnage': rows 3 \(-2\.5\), 5 \(-1\.0\)"),
    ("tonnage", ["5", "12 Mt", "", "3,5"], r"column 'tonnage' holds text that is not a number: rows 3 \('12 Mt'\), 5 \('3,5'\)"),
    ("grade", [1.2, 140.0, 100.0, 0.5], r"grade above 100 % of the ore's mass in column 'grade'.*: row 3 \(140\.0\)"),
    ("grade", [1.2, -0.1, 1.0, 0.5], r"negative grade in column 'grade': row 3 \(-0\.1\)"),
])
def test_impossible_tonnage_or_grade_is_refused_with_row_numbers(column, values, message):
    frame = pd.DataFrame({"state": ["Goa"] * 4, "unfc": ["331"] * 4, "tonnage": [5.0, 2.0, 1.0, 1.0],
                          "grade": [1.2, 1.0, 1.0, 0.5]})
    frame[column] = values
    with pytest.raises(DataReadError, match=rf"deposits\.csv: {message}\. Correct or remove these rows"):
        resource_statement(frame, source="/data/deposits.csv")


def test_grade_limit_follows_the_unit_and_vector_files_count_features():
    frame = pd.DataFrame({"state": ["Goa"] * 2, "unfc": ["331"] * 2, "tonnage": [1.0, 1.0],
                          "grade": [900_000.0, 2_000_000.0], "grade_unit": ["g/t", "ppm"]})
    with pytest.raises(DataReadError, match=r"deposits\.gpkg: grade above 100 %.*: feature 2 \(2000000\.0\)"):
        resource_statement(frame, source="deposits.gpkg")
    many = pd.DataFrame({"state": ["Goa"] * 14, "unfc": ["331"] * 14, "tonnage": [-1.0] * 14})
    with pytest.raises(DataReadError, match=r"rows 2 \(-1\.0\), .*, 11 \(-1\.0\) and 4 more\."):
        resource_statement(many, source="many.xlsx")
