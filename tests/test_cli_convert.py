"""`khanij convert` and `khanij resources` (DESIGN.md §6): output, JSON shape, exit codes, files."""
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

from geo.tables import neutralise_formula
from main import main

REPO = Path(__file__).resolve().parents[1]
CSV = """Deposit,ST_NM,Mineral,UNFC_Code,Tonnage,Grade
Ghatsila,Jharkhand,Copper,331,12.0,1.1
Rakha,Jharkhand,Cu,"(3,3,1)",30.0,0.9
Tonagatu,Jharkhand,Graphite,,2.4,9.1
Kundarkocha,Jharkhand,Gold,NA,0.8,2.5
Salal,Jammu & Kashmir,Lithium,3 3 1,5.9,0.3
Sukinda,Odisha,Chromite,E1F1,3.0,40
Khariar,Odisha,Graphite,999,0.5,12
Malanjkhand,Madhya Pradesh,Copper,=1+1,80.0,1.2
"""


@pytest.fixture
def deposits(tmp_path):
    path = tmp_path / "deposits.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_convert_one_code_prints_result_alternatives_and_note(capsys):
    code, out, _ = run(capsys, "convert", "121")
    assert code == 0
    assert out.splitlines()[0] == "121 (India UNFC-1997) → Probable Ore Reserve  [ambiguous]"
    assert "alternatives:" in out and "Proved Ore Reserve: if the Modifying-Factor" in out
    assert "(MEMC Rules 2015 r.3(g); JORC Code 2012)" in out


def test_convert_json_has_exactly_the_contract_shape(capsys):
    code, out, _ = run(capsys, "convert", "Measured Mineral Resource", "--json")
    payload = json.loads(out)
    assert code == 0
    assert list(payload) == ["input", "notation", "result", "status", "alternatives", "note"]
    assert payload == {
        "input": "Measured Mineral Resource", "notation": "jorc", "result": "331", "status": "ambiguous",
        "alternatives": [{"result": "211", "condition": "if a feasibility study found it uneconomic"},
                         {"result": "221", "condition": "if a pre-feasibility study found it uneconomic"}],
        "note": payload["note"],
    }
    assert payload["note"].startswith("A Measured Mineral Resource is India's 331")


@pytest.mark.parametrize("to, result", [("jorc", "Inferred Mineral Resource"), ("unfc", "E2F2G3"), ("india", "333"), ("stage", "G3")])
def test_convert_to_every_target(capsys, to, result):
    code, out, _ = run(capsys, "convert", "E2 F2 G3", "--to", to, "--json")
    assert code == 0 and json.loads(out)["result"] == result


def test_an_invalid_code_exits_3_with_the_reason(capsys):
    code, out, _ = run(capsys, "convert", "999", "--json")
    payload = json.loads(out)
    assert code == 3
    assert (payload["status"], payload["result"], payload["notation"]) == ("invalid", None, "invalid")
    assert "ten UNFC-1997 codes" in payload["note"]
    code, out, _ = run(capsys, "convert", "E1F1")
    assert code == 3
    assert out.splitlines() == ["'E1F1' → not a classification  [invalid]",
                                "'E1F1' lacks the G axis: a UNFC-2009/2019 code needs E, F and G (e.g. E1F1G1)."]


def test_convert_without_code_or_table_is_a_usage_error(capsys):
    code, _, err = run(capsys, "convert")
    assert code == 2 and "give a CODE" in err


@pytest.mark.parametrize("argv, message", [
    (["331", "-o", "x.csv"], "-o goes with --table IN"),
    (["331", "--column", "UNFC", "--layer", "NMI"], "--column, --layer go with --table IN"),
    (["--table", "d.csv", "--column", "UNFC", "-o", "x.csv", "--json"], "--json prints a single CODE's conversion"),
])
def test_options_that_do_not_go_together_are_usage_errors(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, "convert", *[str(tmp_path / a) if a.endswith(".csv") else a for a in argv])
    assert code == 2 and message in err and out == ""
    assert list(tmp_path.iterdir()) == []


def test_convert_table_csv_to_xlsx(capsys, deposits, tmp_path):
    target = tmp_path / "converted.xlsx"
    code, _, err = run(capsys, "convert", "--table", str(deposits), "--column", "UNFC_Code", "-o", str(target))
    assert code == 0 and "8 rows converted (3 ambiguous, 5 invalid)" in err
    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    assert header == ["Deposit", "ST_NM", "Mineral", "UNFC_Code", "Tonnage", "Grade", "UNFC_Code_to",
                      "UNFC_Code_status", "UNFC_Code_alternatives", "UNFC_Code_note"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [line.split(",")[0] for line in CSV.splitlines()[1:]]
    assert rows[0][6:8] == ("Measured Mineral Resource", "ambiguous")
    assert rows[4][3:8] == ("3 3 1", 5.9, 0.3, "Measured Mineral Resource", "ambiguous")
    assert rows[7][3] == "=1+1" and sheet.cell(row=9, column=4).data_type == "s"
    assert [r[7] for r in rows[2:4]] == ["invalid", "invalid"]


def test_convert_table_csv_to_csv_keeps_rows(capsys, deposits, tmp_path):
    target = tmp_path / "converted.csv"
    assert run(capsys, "convert", "--table", str(deposits), "--column", "UNFC_Code", "--to", "stage", "-o", str(target))[0] == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(target, encoding="utf-8-sig", keep_default_na=False)
    source = pd.read_csv(deposits, keep_default_na=False)
    expected = source.map(lambda value: neutralise_formula(value) if isinstance(value, str) else value)
    assert (expected != source).sum().sum() == 1 and expected.loc[7, "UNFC_Code"] == "'=1+1"  # OWASP: as text
    pd.testing.assert_frame_equal(back[source.columns], expected)  # the literal NA of Kundarkocha included
    assert back.loc[3, "UNFC_Code"] == "NA" and back.loc[3, "UNFC_Code_status"] == "invalid"
    assert back["UNFC_Code_to"].tolist() == ["G1", "G1", "", "", "G1", "", "", ""]


def test_convert_vector_file_to_gpkg_keeps_geometry(capsys, external, tmp_path):
    source = external / "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp"
    target = tmp_path / "sheets.gpkg"
    assert run(capsys, "convert", "--table", str(source), "--column", "ZONE", "-o", str(target))[0] == 0
    back = gpd.read_file(target)
    assert len(back) == 33 and back.geometry.notna().all() and back.crs.to_epsg() == 4326
    assert {"ZONE_to", "ZONE_status", "ZONE_alternatives", "ZONE_note"} <= set(back.columns)
    code, _, err = run(capsys, "convert", "--table", str(source), "--column", "ZONE", "-o", str(tmp_path / "sheets.csv"))
    assert code == 0 and "the shapes of OSM_1M_Index.shp are not written to a table, use -o OUT.gpkg" in err


@pytest.mark.parametrize("argv, message", [
    (["--column", "Code"], "deposits.csv, layer 'deposits' has no column 'Code'; its columns are: Deposit, ST_NM"),
    (["--column", "UNFC_Code", "--table-missing"], "file not found"),
    (["--column", "UNFC_Code", "--table-bad-ext"], "not supported"),
])
def test_bad_input_exits_3_naming_the_file(capsys, deposits, tmp_path, argv, message):
    table = str(deposits)
    if "--table-missing" in argv:
        table, argv = str(tmp_path / "absent.csv"), argv[:2]
    if "--table-bad-ext" in argv:
        table, argv = str(tmp_path / "deposits.docx"), argv[:2]
        Path(table).write_text("x")
    code, _, err = run(capsys, "convert", "--table", table, *argv, "-o", str(tmp_path / "o.csv"))
    assert code == 3
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_unsupported_output_extension_is_a_usage_error_before_any_work(capsys, deposits, tmp_path):
    code, _, err = run(capsys, "convert", "--table", str(deposits), "--column", "UNFC_Code", "-o", str(tmp_path / "o.shp"))
    assert code == 2 and "o.shp: cannot write files of type '.shp'" in err


@pytest.mark.parametrize("command", ["convert", "resources"])
def test_output_over_the_input_is_refused_and_the_input_untouched(capsys, deposits, command):
    before = deposits.read_bytes()
    argv = ["--table", str(deposits), "--column", "UNFC_Code"] if command == "convert" else [str(deposits)]
    code, _, err = run(capsys, command, *argv, "-o", str(deposits.parent / "." / deposits.name))
    assert code == 2 and "deposits.csv is the input file deposits.csv" in err
    assert deposits.read_bytes() == before


def test_unwritable_output_exits_4(capsys, deposits, tmp_path):
    code, _, err = run(capsys, "convert", "--table", str(deposits), "--column", "UNFC_Code", "-o",
                       str(tmp_path / "missing-folder" / "o.csv"))
    assert code == 4 and "does not exist" in err


def test_resources_to_csv_and_stdout(capsys, deposits, tmp_path):
    target = tmp_path / "statement.csv"
    code, _, _ = run(capsys, "resources", str(deposits), "--by", "state", "-o", str(target))
    assert code == 0
    statement = pd.read_csv(target, encoding="utf-8-sig", dtype={"unfc_code": str})
    jharkhand = statement[statement.state == "Jharkhand"].set_index(["commodity", "unfc_code"])
    assert jharkhand.loc[("Copper", "331"), "tonnage_mt"] == 42.0
    assert statement.tonnage_mt.sum() == pytest.approx(134.6)
    code, out, _ = run(capsys, "resources", str(deposits), "--by", "commodity")
    assert code == 0 and "Measured Mineral Resource" in out.splitlines()[1] + out
    gold = next(line for line in out.splitlines() if line.split()[0] == "Gold")
    assert gold.split()[1:] == ["unreadable", "—", "invalid", "1", "0.800", "0.0200"]  # NA: kept, not dropped


def test_resources_on_the_terminal_shows_small_contained_metal_and_missing_tonnage(capsys, tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text("State,Mineral,UNFC,Tonnage,Grade,Grade_unit\nKarnataka,Gold,111,8.732,5.04,g/t\n"
                    "Karnataka,Gold,G4,,1.9,g/t\n", encoding="utf-8")
    code, out, _ = run(capsys, "resources", str(path))
    rows = {line.split()[2]: line.split() for line in out.splitlines()[1:]}
    assert code == 0
    assert rows["111"][-2:] == ["8.732", "0.0000440"]  # 44 t of gold, not 0.000
    assert rows["G4"][-2:] == ["—", "—"]  # a prospect without tonnage is not 0 Mt


def test_resources_missing_column_exits_3(capsys, deposits):
    code, _, err = run(capsys, "resources", str(deposits), "--column", "Class")
    assert code == 3 and "no column 'Class'" in err


def test_console_entry_prints_json_without_a_display():
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "convert", "E1;F1;G2", "--json"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["result"] == "Probable Ore Reserve"


def test_resources_refuses_impossible_values_naming_every_row(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Deposit,State,Mineral,UNFC,Tonnage,Grade\nA,Goa,Iron ore,331,5,140\nB,Goa,Iron ore,332,-2,60\n"
                    "C,Goa,Iron ore,333,4,61\n", encoding="utf-8")
    code, out, err = run(capsys, "resources", str(path), "-o", str(tmp_path / "s.csv"))
    assert code == 3 and out == "" and "Traceback" not in err
    assert "bad.csv: negative tonnage in column 'Tonnage': row 3 (-2)" in err
    assert "grade above 100 % of the ore's mass in column 'Grade'" in err and "row 2 (140)" in err
    assert not (tmp_path / "s.csv").exists()
