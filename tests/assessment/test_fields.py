"""Role and field guessing on the columns of real files (DESIGN.md §3.2)."""
from __future__ import annotations

import json

import pyogrio
import pytest

from assessment.fields import CANONICAL_FIELDS, ROLES, guess_fields, guess_role, role_hints


def columns_of(path, layer=None) -> list[str]:
    return list(pyogrio.read_info(path, layer=layer)["fields"])


def test_india_states_st_nm_is_the_state(external):
    columns = columns_of(external / "india-in-data-states-2019/shapefile/india_states.shp")
    assert columns == ["ST_NM", "ST_ID", "ID"]
    assert guess_fields(columns, "boundaries") == {"state": "ST_NM"}
    assert guess_role("india_states", columns, "polygon") == "boundaries"


def test_stations_json_is_infrastructure_with_name_and_state(external):
    path = external / "datameet-railways/stations.json"
    columns = list(json.loads(path.read_text(encoding="utf-8"))["features"][0]["properties"])
    assert set(columns) == {"state", "code", "name", "zone", "address"}
    assert guess_role(path.stem, columns, "point") == "infrastructure"
    assert guess_fields(columns, "infrastructure") == {"name": "name", "state": "state"}


@pytest.mark.parametrize("relative, layer, expected", [
    ("datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson", None, {"state": "STNAME"}),
    ("india-in-data-kashmir/india_districts_ladakh_ut.geojson", None, {"state": "st_nm", "district": "district"}),
    ("udit001-india-maps-data/topojson/india.json", "districts", {"state": "st_nm", "district": "district"}),
    ("datameet-villages/ga/ga.geojson", None, {"name": "NAME", "state": "STATE", "district": "DISTRICT"}),
])
def test_boundary_layers_find_state_and_district(external, relative, layer, expected):
    assert guess_fields(columns_of(external / relative, layer), "boundaries") == expected


def test_boundary_file_names_are_boundaries(external):
    assert guess_role("INDIA_STATES", columns_of(external / "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson"),
                      "polygon") == "boundaries"
    assert guess_role("india_districts_ladakh_ut", ["district", "st_nm"], "polygon") == "boundaries"


def test_toll_plazas_csv_is_infrastructure(external):
    header = (external / "geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv").read_text(
        encoding="utf-8").splitlines()[0].split(",")
    assert guess_role("tolls-with-metadata", header, "point") == "infrastructure"


def test_a_village_layer_is_an_administrative_layer(external):
    """Census villages of Goa: its sub-district column makes it an admin layer (the dossier's
    state, district, tehsil and village by overlay), whatever its file is called."""
    columns = columns_of(external / "datameet-villages/ga/ga.geojson")
    assert guess_role("ga", columns, "polygon") == "admin"
    assert guess_fields(columns, "admin") == {"state": "STATE", "district": "DISTRICT", "tehsil": "SUB_DIST",
                                              "name": "NAME"}


def test_deposit_aliases_case_and_punctuation_insensitive():
    columns = ["Deposit Name", "ST_NM", "Dist_Name", "Mineral", "UNFC_CODE", "G_STAGE", "Tonnage", "Grade",
               "Unit", "Explored_By", "Year", "geometry"]
    assert guess_fields(columns, "deposits") == {
        "name": "Deposit Name", "state": "ST_NM", "district": "Dist_Name", "commodity": "Mineral",
        "unfc": "UNFC_CODE", "stage": "G_STAGE", "tonnage_mt": "Tonnage", "grade": "Grade",
        "grade_unit": "Unit", "agency": "Explored_By", "year": "Year"}


def test_truncated_shapefile_names_match_when_unambiguous():
    # "RESOURCE_C" is "resource_class" or "resource_category" cut to 10 characters: both mean unfc.
    assert guess_fields(["RESOURCE_C"], "deposits") == {"unfc": "RESOURCE_C"}
    # "EXPLORATIO" may be "exploration_stage" or "exploration_agency": no guess.
    assert guess_fields(["EXPLORATIO"], "deposits") == {}
    # An exact alias elsewhere wins over a truncated one.
    assert guess_fields(["RESOURCE_C", "UNFC_Code"], "deposits") == {"unfc": "UNFC_Code"}


def test_each_column_is_used_once_and_canonical_names_win():
    assert guess_fields(["block", "block_name"], "blocks") == {"block_name": "block_name"}
    assert guess_fields(["commodity", "mineral"], "deposits") == {"commodity": "commodity"}


def test_role_restricts_the_fields_looked_for():
    columns = ["BLOCK_ID", "Licence", "ST_NM", "DESIG", "ESZ"]
    assert guess_fields(columns, "blocks") == {"block_id": "BLOCK_ID", "state": "ST_NM", "licence": "Licence"}
    assert guess_fields(columns, "protected_areas") == {"state": "ST_NM", "pa_type": "DESIG", "esz": "ESZ"}
    assert set(guess_fields(columns, None)) == {"block_id", "licence", "state", "pa_type", "esz"}


def test_a_missing_field_is_absent_not_an_error():
    assert guess_fields(["foo", "bar"], "deposits") == {}
    assert guess_fields([], None) == {}


@pytest.mark.parametrize("name, columns, kind, expected", [
    ("Critical_Mineral_Blocks", ["Block_Name", "Licence"], "polygon", "blocks"),
    ("deposits", [], "point", "deposits"),
    ("RailwayStations", [], "point", "infrastructure"),
    ("wildlife_sanctuaries", [], "polygon", "protected_areas"),
    ("forest cover 2021", [], "polygon", "forest"),
    ("magnetic_anomaly.tif", [], "raster", "evidence"),
    ("world.byte.tif", [], "raster", "evidence"),  # a raster can only be evidence
    ("my_points", ["Mineral", "UNFC", "Tonnage"], "point", "deposits"),  # columns decide
    ("my_polygons", ["Block_ID", "Licence", "Mineral"], "polygon", "blocks"),
    ("untitled", ["PA_TYPE", "ESZ"], "polygon", "protected_areas"),
])
def test_guess_role(name, columns, kind, expected):
    assert guess_role(name, columns, kind) == expected


def test_geometry_rules_out_impossible_roles():
    assert guess_role("forest", [], "point") is None  # a point layer is never forest
    assert guess_role("deposits", [], "line") is None
    assert guess_role("deposits", ["unfc"], None) == "deposits"  # a table can be anything


def test_alias_table_covers_every_role_and_field():
    for role in ROLES:
        hints = role_hints(role)
        assert set(hints.fields) <= set(CANONICAL_FIELDS)
        assert set(hints.signature) <= set(hints.fields) | set(CANONICAL_FIELDS)
        assert hints.geometry
