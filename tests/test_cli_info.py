"""`khanij info FILE [--json]`: the JSON shape of DESIGN.md §6, text output, and exit 3 with one
line naming the file for unreadable input (never a traceback)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import main

REPO = Path(__file__).resolve().parents[1]
KHANIJ = REPO / ".venv" / "bin" / "khanij"
LAYER_KEYS = {"name", "driver", "crs", "features", "geometry_types", "fields", "encoding", "bounds", "invalid", "null"}
RASTER_KEYS = {"path", "kind", "driver", "width", "height", "bands", "dtype", "nodata", "crs", "bounds"}


def khanij(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KHANIJ), *args], capture_output=True, text=True, timeout=120)


def test_info_json_of_a_shapefile_via_the_console_script(external):
    path = external / "india-in-data-states-2019/shapefile/india_states.shp"
    done = khanij("info", str(path), "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert set(info) == {"path", "kind", "layers"} and info["kind"] == "vector"
    [layer] = info["layers"]
    assert set(layer) == LAYER_KEYS | {"messages"}
    assert (layer["name"], layer["driver"], layer["crs"], layer["features"]) == ("india_states", "ESRI Shapefile", "EPSG:4326", 271)
    assert (layer["invalid"], layer["null"], layer["encoding"]) == (2, 6, "ISO-8859-1")
    assert layer["geometry_types"] == ["MultiPolygon", "Polygon"] and layer["fields"] == ["ST_NM", "ST_ID", "ID"]
    assert layer["bounds"][0] == pytest.approx(68.1, abs=0.1)


def test_info_json_of_a_clean_multi_layer_kml_has_exactly_the_contract_keys(external, capsys):
    path = external / "datameet-municipal/Ahmedabad/AMC Facilities.kml"
    assert main.main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [layer["name"] for layer in info["layers"]][:2] == ["48_New_wards", "Ward Office"]
    assert all(set(layer) == LAYER_KEYS for layer in info["layers"])
    assert info["layers"][4]["features"] == 14 and info["layers"][4]["geometry_types"] == ["Point"]


def test_info_json_of_a_csv_lists_rejected_rows(external, capsys):
    path = external / "geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv"
    assert main.main(["info", str(path), "--json"]) == 0
    [layer] = json.loads(capsys.readouterr().out)["layers"]
    assert set(layer) == LAYER_KEYS | {"messages", "rejected_rows"}
    assert layer["driver"] == "CSV" and layer["null"] == 11 and "geometry" not in layer["fields"]
    assert layer["rejected_rows"][0] == {"row": 443, "reason": layer["rejected_rows"][0]["reason"]}
    assert len(layer["rejected_rows"]) == 11


def test_info_json_of_a_raster(external, capsys):
    path = external / "gnr605-mumbai-dem/data/dem.tif"
    assert main.main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert set(info) == RASTER_KEYS
    assert (info["kind"], info["width"], info["height"], info["bands"]) == ("raster", 108, 103, 1)
    assert (info["dtype"], info["nodata"], info["crs"]) == ("int16", -32768.0, "EPSG:4326")
    assert info["bounds"] == pytest.approx([72.8938, 19.1143, 72.9238, 19.1429], abs=1e-4)


def test_info_all_nodata_raster_says_so(external, capsys):
    assert main.main(["info", str(external / "rasterio-testdata/tests/data/all-nodata.tif"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert set(info) == RASTER_KEYS | {"messages"} and "contains only nodata" in info["messages"][0]


def test_info_text_of_a_shapefile_without_prj_with_a_user_encoding(external, capsys):
    path = external / "datameet-maps/eci/AC_Data/States/S18/S18_AC.shp"
    assert main.main(["info", str(path), "--encoding", "ISO-8859-1"]) == 0
    text = capsys.readouterr().out
    assert "layer 'S18_AC'" in text and "crs: unknown" in text and "features: 147" in text
    assert "encoding: ISO-8859-1 (chosen by the user)" in text and "assign one" in text


@pytest.mark.parametrize("relpath, encoding_line, crs_line", [
    ("india-in-data-states-2019/shapefile/india_states.shp", "ISO-8859-1 (declared by the .cpg file)", "EPSG:4326"),
    ("datameet-maps/eci/AC_Data/States/S27/S27_AC.shp", "cp1252 (declared by the DBF language driver)", "unknown"),
    ("datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp",
     "ISO-8859-1 (a guess: the file does not say)", "EPSG:4326"),
    ("datameet-railways/stations.json", "UTF-8 (fixed by the file format)",
     "EPSG:4326 (assumed: the file declares none)"),
    ("geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv", "UTF-8 (detected: the text is valid UTF-8)",
     "EPSG:4326 (assumed: the file declares none)"),
])
def test_info_text_says_where_the_encoding_and_the_crs_came_from(external, capsys, relpath, encoding_line, crs_line):
    assert main.main(["info", str(external / relpath)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"  encoding: {encoding_line}" in lines and f"  crs: {crs_line}" in lines


def test_info_text_bounds_in_metres_are_not_rounded_to_six_digits(external, capsys):
    assert main.main(["info", str(external / "rasterio-testdata/tests/data/RGB.byte.tif")]) == 0
    assert "  bounds: 101985, 2611485, 339315, 2826915" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("relpath, message", [
    ("rasterio-testdata/tests/data/corrupt.tif", "corrupt.tif: pixels cannot be read"),
    ("no-such-folder/missing.gpkg", "missing.gpkg: file not found"),
    ("datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.dbf", "open OSM_1M_Index.shp instead"),
])
def test_info_on_unreadable_input_exits_3_with_one_line(external, relpath, message):
    done = khanij("info", str(external / relpath), "--json")
    assert done.returncode == 3
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("khanij: error: ") and message in lines[0]
    assert "Traceback" not in done.stderr


def test_info_on_a_damaged_file_through_main(tmp_path, capsys):
    path = tmp_path / "half.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    assert main.main(["info", str(path)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "half.geojson cannot be read" in err and "Traceback" not in err


def test_console_script_is_the_same_entry_point():
    done = subprocess.run([sys.executable, str(REPO / "main.py"), "info", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "--json" in done.stdout and KHANIJ.exists()
