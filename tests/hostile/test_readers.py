"""Each reader's answer to one hostile input of issue 16, checked in detail (the corpus test checks
exit codes across every command; these check what the user is told and what is read)."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

import geo
from assessment.rules import load_rules
from geo import limits
from geo.errors import DataReadError, RulesError
from geo.failures import reading
from layers.project import load_project

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readers")


def _digests(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir())
            if p.name.startswith(path.name)}


def test_a_ring_geos_refuses_is_left_out_and_named_by_feature(folder):
    unclosed = {"type": "Polygon", "coordinates": [[[85.0, 23.0], [85.1, 23.0], [85.1, 23.1], [85.0, 23.1]]]}
    good = {"type": "Polygon", "coordinates": make_corpus.POLYGON}
    path = make_corpus._geojson(folder / "rings.geojson", [make_corpus._feature(good), make_corpus._feature(unclosed)])
    result = geo.read(path)
    assert [r.row for r in result.rejected_rows] == [2]
    assert "closed" in result.rejected_rows[0].reason
    assert result.data.geometry.isna().tolist() == [False, True] and result.data["name"].tolist() == ["B1", "B1"]
    assert any("rings.geojson" in m and "feature 2" in m for m in result.messages)


def test_array_and_object_properties_are_read_as_their_json_text(folder):
    path = make_corpus._geojson(folder / "nested.geojson", [
        make_corpus._feature({"type": "Point", "coordinates": [85, 23]}, tags=["a", "b"], owner={"share": [1, 2]}),
        make_corpus._feature({"type": "Point", "coordinates": [85, 23]}, tags=None, owner={"share": []})])
    frame = geo.read(path).data
    assert frame["tags"].tolist()[0] == '["a", "b"]' and frame["owner"].tolist() == ['{"share": [1, 2]}', '{"share": []}']
    assert frame.groupby("owner").size().tolist() == [1, 1]  # hashable now


def test_a_geopackage_with_a_pending_wal_is_read_with_its_pending_change_and_left_as_it_was(folder):
    [case] = [c for c in make_corpus._geopackage_cases(folder) if "WAL" in c.name]
    before = _digests(case.path)
    assert {"pending_wal.gpkg-wal", "pending_wal.gpkg-shm"} <= set(before)
    result = geo.read(case.path)
    assert result.data["name"].tolist() == ["changed in the WAL"]
    assert geo.list_layers(case.path) == ["pending_wal"]
    assert _digests(case.path) == before


def test_a_kmz_over_the_placemark_limit_is_refused_before_gdal_parses_it(folder, monkeypatch):
    path = folder / "three.kml"
    path.write_text(make_corpus._kml("".join(make_corpus._placemark(i) for i in range(3))))
    assert len(geo.read(path).data) == 3
    monkeypatch.setattr(limits, "PLACEMARKS", limits.Limit(2, "placemarks", "a test's limit"))
    path.write_text(path.read_text() + " ")  # a new version of the file: the cached check is not reused
    with pytest.raises(DataReadError, match=r"three.kml: it holds more than 2 placemarks; Khanij reads at most 2"):
        geo.read(path)


def test_reading_every_layer_stops_at_the_limit_and_says_so(folder, monkeypatch):
    path = folder / "folders.kml"
    path.write_text(make_corpus._kml("", "".join(f"<Folder><name>F{i}</name>{make_corpus._placemark(i)}</Folder>"
                                                 for i in range(4))))
    monkeypatch.setattr(limits, "LAYERS_READ_AT_ONCE", limits.Limit(3, "layers", "a test's limit"))
    results = geo.read_all(path)
    assert [r.layer for r in results] == ["F0", "F1", "F2"]
    assert "it has 4 layers and only the first 3 were read" in results[0].messages[-1]


def test_an_xlsx_is_bounded_by_the_cells_it_holds_not_the_range_it_declares(folder):
    cases = {c.path.name: c for c in make_corpus._xlsx_cases(folder)}
    bomb = geo.read(cases["dimension_bomb.xlsx"].path)
    assert len(bomb.data) == 1 and list(bomb.data.columns[:3]) == ["name", "lat", "lon"]
    with pytest.raises(DataReadError, match=r"far_cell.xlsx, sheet 'S1': it has rows beyond row 1,000,000"):
        geo.read(cases["far_cell.xlsx"].path)
    with pytest.raises(DataReadError, match=r"bad_shared_strings.xlsx, sheet 'S1' is not a readable Excel"):
        geo.read(cases["bad_shared_strings.xlsx"].path)
    with pytest.raises(DataReadError, match=r"no_sheets.xlsx is an Excel workbook without any sheet"):
        geo.read(cases["no_sheets.xlsx"].path)


def test_csv_lines_are_bounded_and_utf16_is_recognised(folder):
    cases = {c.path.name: c for c in make_corpus._table_cases(folder)}
    with pytest.raises(DataReadError, match=r"one_long_line.csv: line 2 is 1,000,0\d\d\+ bytes long"):
        geo.read(cases["one_long_line.csv"].path)
    wide = geo.read(cases["utf16_tabs.csv"].path)
    assert wide.encoding == "UTF-16" and list(wide.data.columns[:3]) == ["name", "lat", "lon"]
    assert wide.data.geometry.notna().all()


def test_rasters_khanij_cannot_place_or_compare_are_refused(folder):
    cases = {c.path.name: c for c in make_corpus._raster_cases(folder)}
    with pytest.raises(DataReadError, match="rotated.tif has a rotated geotransform"):
        geo.read(cases["rotated.tif"].path)
    with pytest.raises(DataReadError, match=r"complex_pixels.tif holds complex-valued pixels \(complex64\)"):
        geo.read(cases["complex_pixels.tif"].path)


def test_a_sparse_raster_declaring_ten_billion_pixels_is_opened_without_reading_them(folder):
    cases = {c.path.name: c for c in make_corpus._raster_cases(folder)}
    result = geo.read(cases["sparse_100k.tif"].path)
    assert (result.data.width, result.data.height) == (100_000, 100_000)
    assert not any("only nodata" in message for message in result.messages)  # not read, so not claimed
    with pytest.raises(DataReadError, match=r"sparse_100k.tif: drawing these 10,000,000,000 pixels .*gdaladdo"):
        result.data.read(out_shape=(256, 256))
    assert result.data.read(bounds=(85.0, 23.0, 85.01, 23.01)).mask.all()  # a block's worth, read as asked


@pytest.mark.parametrize("stem, key", [
    ("nan_bands", "criteria.resources.tonnage_bands: must be a list of [upper, score] pairs of finite numbers"),
    ("overflow_weight", "weights.exploration: must be a number, not 99999"),
    ("inf_weight", "weights.exploration: must be a number, not inf"),
    ("wrong_type_bands", "criteria.resources.tonnage_bands: must be a list"),
    ("deep_valid", "x.x.x.x"),
    ("deep", "nested too deeply"),
])
def test_hostile_rules_are_refused_naming_the_key(folder, stem, key):
    [case] = [c for c in make_corpus.make_rules_and_projects(folder) if c.path.name == f"{stem}.toml"]
    with pytest.raises(RulesError) as error:
        load_rules(case.path)
    assert str(error.value).startswith(f"{stem}.toml: ") and key in str(error.value)


def test_hostile_projects_are_refused_naming_the_file(folder):
    for case in make_corpus.make_rules_and_projects(folder):
        if case.path.suffix == ".khanij":
            with pytest.raises(DataReadError, match=case.path.name):
                load_project(case.path)


def test_parsing_errors_become_read_errors_and_bugs_stay_bugs():
    with pytest.raises(DataReadError, match=r"^x.json cannot be read .*: Expecting value"):
        with reading("x.json"):
            json.loads("")
    with pytest.raises(DataReadError, match=r"^x.json, layer 'a' cannot be read .*: its content is nested too deeply"):
        with reading("x.json", "layer 'a'"):
            json.loads("[" * 100_000)
    with pytest.raises(KeyError):
        with reading("x.json"):
            {}["not a parsing error"]
