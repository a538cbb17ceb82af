"""geo.read on vector files: encodings, missing .prj, GeoPackage layers, GeoJSON/TopoJSON CRS
conventions, KML folders and KMZ, damaged files."""
from __future__ import annotations

import shutil
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import geo
from geo import crs as geo_crs
from geo.errors import DataReadError
from geo.feedback import Feedback

ECI = "datameet-maps/eci/AC_Data/States"
OSM_1M = "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp"
STATES_2019 = "india-in-data-states-2019/shapefile/india_states.shp"
FACILITIES = "datameet-pmgsy-geosadak/data/Facilities/Jharkhand"
AMC = "datameet-municipal/Ahmedabad/AMC Facilities.kml"
WARDS = "datameet-municipal/Bhubaneswar/Wards.kml"


@pytest.mark.parametrize("state, count, first_name", [("S27", 81, "Rajmahal"), ("S18", 147, "Bahalda")])
def test_eci_dbf_without_cpg_is_read_as_cp1252_from_the_language_driver(external, state, count, first_name):
    result = geo.read(external / ECI / state / f"{state}_AC.shp")
    assert (result.encoding, result.encoding_source) == ("cp1252", "dbf language driver")
    assert result.feature_count == count
    assert result.data["AC_NAME"].iloc[0].strip() == first_name


def test_eci_odisha_legacy_font_bytes_decode_as_cp1252(external):
    result = geo.read(external / ECI / "S18/S18_AC.shp")
    # 0x9F is "Ÿ" in cp1252 but a C1 control in ISO-8859-1: the LDID decides.
    assert result.data["AC_HNAME"].iloc[1] == "ŸÖ»ÃÖ¸üÖ"
    assert set(geo.read(external / ECI / "S27/S27_AC.shp").data["AC_HNAME"].iloc[0]) == {"¿"}  # lost as 0xBF
    latin1 = geo.read(external / ECI / "S18/S18_AC.shp", encoding="ISO-8859-1")
    assert (latin1.encoding, latin1.encoding_source) == ("ISO-8859-1", "user")
    assert latin1.data["AC_HNAME"].iloc[1] == "\x9fÖ»ÃÖ¸üÖ"


def test_shapefile_without_prj_has_unknown_crs_and_asks_for_one(external):
    result = geo.read(external / ECI / "S27/S27_AC.shp")
    assert result.crs is None and result.crs_status == "unknown" and result.crs_label == "unknown"
    assert any("S27_AC.shp" in m and "assign one" in m for m in result.messages)


def test_dbf_with_language_driver_zero_and_no_cpg_falls_back_to_latin1(external):
    result = geo.read(external / OSM_1M)
    assert (result.encoding, result.encoding_source) == ("ISO-8859-1", "fallback")
    assert any("OSM_1M_Index.shp" in m and "ISO-8859-1" in m for m in result.messages)
    assert {"ROW-SOI", "SheetNo"} <= set(result.data.columns)


def test_cpg_declares_the_encoding_and_null_and_invalid_geometries_are_reported(external):
    result = geo.read(external / STATES_2019)
    assert (result.encoding, result.encoding_source) == ("ISO-8859-1", "cpg")
    assert (result.null_geometries, result.invalid_geometries) == (6, 2)
    assert set(result.data.loc[result.data.geometry.isna(), "ST_NM"]) == {"Jammu & Kashmir"}
    assert all("Self-intersection" in reason for reason in result.invalid_reasons.values())
    assert result.feature_count == 271  # nothing dropped


def test_unknown_user_encoding_is_refused_naming_the_file(external):
    with pytest.raises(DataReadError, match=r"S27_AC\.shp: the text encoding 'klingon' is not known"):
        geo.read(external / ECI / "S27/S27_AC.shp", encoding="klingon")


def test_custom_lcc_crs_transforms_to_wgs84_inside_india(external):
    result = geo.read(external / "datameet-maps/Survey-of-India-Index-Maps/outline-maps-of-india/"
                                 "IndiaOutlineVectorMap/polymap15m_area.shp")
    assert result.crs_label == "LCC_WGS84" and result.crs.to_epsg() is None
    wgs84 = geo_crs.to_crs(result.data, "EPSG:4326", layer="polymap15m_area.shp")
    west, south, east, north = wgs84.total_bounds
    assert 67.5 < west < 69 and 97 < east < 98 and 6 < south < 8 and 35 < north < 38
    delhi = shapely.Point(77.21, 28.61)
    assert wgs84.geometry.contains(delhi).any()


def test_assign_gives_a_new_result_and_to_crs_refuses_unknown(external):
    from geo.errors import CrsError

    result = geo.read(external / ECI / "S27/S27_AC.shp")
    with pytest.raises(CrsError, match="S27_AC has no CRS"):
        geo_crs.to_crs(result.data, "EPSG:4326", layer="S27_AC")
    assigned = geo_crs.assign(result, "EPSG:4326")
    assert (assigned.crs_status, assigned.crs_label) == ("assigned", "EPSG:4326")
    assert result.crs is None and result.data.crs is None  # the original is untouched
    assert not any("assign one" in m for m in assigned.messages)
    assert geo_crs.to_crs(assigned.data, "EPSG:4326") is assigned.data
    assert geo_crs.crs_label(None) == "unknown" and geo_crs.crs_label("EPSG:32645") == "EPSG:32645"
    with pytest.raises(CrsError, match="not a coordinate reference system"):
        geo_crs.parse_crs("EPSG:99999999")


def test_read_with_crs_option_assigns(external):
    result = geo.read(external / ECI / "S18/S18_AC.shp", crs=4326)
    assert result.crs_status == "assigned" and result.data.crs.to_epsg() == 4326


def test_geopackage_every_layer_including_attribute_tables(tmp_path):
    path = tmp_path / "tranche.gpkg"
    blocks = gpd.GeoDataFrame({"block_id": ["B1", "B2", "B3"]},
                              geometry=[shapely.box(85, 23, 85.1, 23.1), None,
                                        shapely.Polygon([(85, 23), (85.1, 23.1), (85.1, 23), (85, 23.1)])],
                              crs="EPSG:32645")
    pyogrio.write_dataframe(blocks, path, layer="blocks")
    pyogrio.write_dataframe(pd.DataFrame({"code": ["G1", "G2"], "stage": [1, 2]}), path, layer="stages")
    assert geo.list_layers(path) == ["blocks", "stages"]
    first, table = geo.read_all(path)
    assert (first.kind, first.driver, first.layer, first.crs_label) == ("vector", "GPKG", "blocks", "EPSG:32645")
    assert (first.null_geometries, first.invalid_geometries, first.feature_count) == (1, 1, 3)
    assert list(first.invalid_reasons) == [2] and "Self-intersection" in first.invalid_reasons[2]
    assert (table.kind, table.layer, list(table.data.columns)) == ("table", "stages", ["code", "stage"])
    assert not isinstance(table.data, gpd.GeoDataFrame)
    assert geo.read(path, "stages").kind == "table"


def test_unknown_layer_names_the_file_and_lists_the_layers(external):
    with pytest.raises(DataReadError, match=r"AMC Facilities\.kml has no layer 'wells'; its layers are: 48_New_wards"):
        geo.read(external / AMC, "wells")


def test_geojson_without_crs_member_is_assumed_wgs84_and_says_so(external):
    result = geo.read(external / "datameet-railways/stations.json")
    assert (result.driver, result.crs_label, result.crs_status) == ("GeoJSON", "EPSG:4326", "assumed")
    assert any("stations.json" in m and "assumed" in m for m in result.messages)
    assert (result.feature_count, result.null_geometries) == (8990, 293)


def test_geojson_with_crs_member_is_declared(external):
    result = geo.read(external / "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson")
    assert result.crs_status == "declared" and not any("assumed" in m for m in result.messages)
    assert result.invalid_geometries == 17
    assert "पाटलिपुत्र" in set(result.data["pc_name_hi"])


def test_country_boundary_that_is_a_linestring_reads_as_one_line(external):
    result = geo.read(external / "datameet-maps/Country/india-land-simplified.geojson")
    assert list(result.data.geom_type) == ["LineString"]


def test_projected_geojson_without_crs_is_not_assumed_wgs84(tmp_path):
    path = tmp_path / "utm.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":1},'
                    '"geometry":{"type":"Point","coordinates":[350000,2580000]}}]}')
    result = geo.read(path)
    assert result.crs is None and result.crs_status == "unknown"
    assert result.data.crs is None


def test_topojson_several_objects_are_several_layers_without_crs(external):
    path = external / "udit001-india-maps-data/topojson/india.json"
    assert geo.list_layers(path) == ["districts", "states"]
    districts, states = geo.read_all(path)
    assert (districts.driver, districts.feature_count, states.feature_count) == ("TopoJSON", 723, 36)
    assert states.crs_status == "assumed" and any("layer 'states'" in m and "assumed" in m for m in states.messages)


def test_topojson_divisions_schemas_differ(external):
    odisha = geo.read(external / "datameet-maps/divisions/odisha.topo.json")
    jharkhand = geo.read(external / "datameet-maps/divisions/jharkhand.topo.json")
    assert "Division" in odisha.data.columns and "division" in jharkhand.data.columns


def test_kml_folders_are_layers_with_spaces_in_names(external):
    results = geo.read_all(external / AMC)
    assert [(r.layer, r.feature_count) for r in results] == [
        ("48_New_wards", 48), ("Ward Office", 47), ("Zonal Office", 6), ("Municipal Gym", 39),
        ("Swimming Pools", 14), ("library", 62)]
    assert set(results[0].data.geom_type) == {"Polygon"} and set(results[1].data.geom_type) == {"Point"}
    first = geo.read(external / AMC)
    assert first.layer == "48_New_wards" and any("has 6 layers" in m for m in first.messages)


def test_kmz_is_read_from_the_zip_in_memory(external, tmp_path):
    kmz = tmp_path / "Bhubaneswar wards.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(external / WARDS, "doc.kml")
    result = geo.read(kmz)
    assert (result.layer, result.feature_count, result.crs_label) == ("Wards", 67, "EPSG:4326")
    assert result.path == kmz and sorted(p.name for p in tmp_path.iterdir()) == ["Bhubaneswar wards.kmz"]


def test_zip_without_kml_is_refused(tmp_path):
    kmz = tmp_path / "empty.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    with pytest.raises(DataReadError, match=r"empty\.kmz is a zip file with no \.kml document inside"):
        geo.read(kmz)


def copy_shapefile(source_dir, stem, target_dir):
    for part in source_dir.glob(f"{stem}.*"):
        shutil.copy(part, target_dir / part.name)
    return target_dir / f"{stem}.shp"


def test_truncated_shapefile_is_refused_not_read_as_nulls(external, tmp_path):
    shp = copy_shapefile(external / FACILITIES, "Facilities", tmp_path)
    shp.write_bytes(shp.read_bytes()[: shp.stat().st_size // 2])
    with pytest.raises(DataReadError, match=r"^Facilities\.shp is truncated \(its header promises 431076 bytes"):
        geo.read(shp)


def test_truncated_dbf_and_missing_shx_are_refused(external, tmp_path):
    shp = copy_shapefile(external / FACILITIES, "Facilities", tmp_path)
    dbf = tmp_path / "Facilities.dbf"
    dbf.write_bytes(dbf.read_bytes()[:1000])
    with pytest.raises(DataReadError, match=r"Facilities\.shp: Facilities\.dbf is truncated"):
        geo.read(shp)
    (tmp_path / "Facilities.shx").unlink()
    with pytest.raises(DataReadError, match=r"Facilities\.shx \(index\) is missing"):
        geo.read(shp)


@pytest.mark.parametrize("name, content, message", [
    ("cut.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point",',
     r"cut\.geojson cannot be read as a vector file"),
    ("garbage.gpkg", "this is not a database" * 10, r"garbage\.gpkg cannot be read as a vector file"),
    ("hello.json", "hello", r"hello\.json cannot be read as a vector file .*: not recognized as being in a supported "
                            r"file format$"),
    ("nothing.kml", "", r"nothing\.kml is empty \(0 bytes\)"),
    ("notes.docx", "abc", r"notes\.docx: files of type '\.docx' are not supported"),
])
def test_damaged_empty_or_unsupported_files_are_refused_naming_them(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataReadError, match=message) as caught:
        geo.read(path)
    assert "DRIVER" not in str(caught.value)  # GDAL's advice to programmers is left out


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(DataReadError, match=r"blocks\.shp: file not found"):
        geo.read(tmp_path / "blocks.shp")
    with pytest.raises(DataReadError, match=rf"{tmp_path.name} is a folder, not a file"):
        geo.read(tmp_path)
    with pytest.raises(OSError):  # DataReadError is an OSError for callers that expect one
        geo.read(tmp_path / "x.gpkg")


def test_feedback_reports_progress_and_cancels(external):
    seen = []
    feedback = Feedback(lambda fraction, text: seen.append((fraction, text)))
    geo.read(external / FACILITIES / "Facilities.shp", feedback=feedback)
    assert seen[0][1] == "Reading Facilities.shp" and seen[-1] == (1.0, "Read Facilities.shp")
    from geo.errors import Cancelled

    cancelled = Feedback()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        geo.read_all(external / AMC, feedback=cancelled)


def write_points_shapefile(folder, name="wells"):
    gdf = gpd.GeoDataFrame({"name": ["Bellary – Hospet", "Hutti"]}, geometry=[shapely.Point(78.27, 12.95), shapely.Point(76.65, 16.2)],
                           crs="EPSG:4326")
    path = folder / f"{name}.shp"
    pyogrio.write_dataframe(gdf, path, encoding="cp1252")
    return path


@pytest.mark.parametrize("cpg, expected", [("1252", "cp1252"), ("ANSI 1252\r\n", "cp1252"), ("88591", "ISO-8859-1")])
def test_cpg_spellings_are_understood(tmp_path, cpg, expected):
    path = write_points_shapefile(tmp_path)
    path.with_suffix(".cpg").write_text(cpg)
    result = geo.read(path)
    assert (result.encoding, result.encoding_source) == (expected, "cpg")


@pytest.mark.parametrize("cpg", ["UTF-8", "65001"])
def test_cpg_that_lies_about_utf8_gives_a_clear_message(tmp_path, cpg):
    path = write_points_shapefile(tmp_path)
    path.with_suffix(".cpg").write_text(cpg)
    with pytest.raises(DataReadError, match=r"wells\.shp: the attributes are not valid UTF-8 text \(encoding taken "
                                            r"from the cpg; byte 0x96"):
        geo.read(path)
    assert geo.read(path, encoding="cp1252").data["name"].iloc[0] == "Bellary – Hospet"


def test_language_driver_byte_is_used_when_there_is_no_cpg(tmp_path):
    path = write_points_shapefile(tmp_path)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    header = bytearray(dbf.read_bytes())
    header[29] = 0x57
    dbf.write_bytes(bytes(header))
    result = geo.read(path)
    assert (result.encoding, result.encoding_source) == ("cp1252", "dbf language driver")
    assert list(result.data["name"]) == ["Bellary – Hospet", "Hutti"]  # 0x96 is "–" only in cp1252


def test_topojson_extension_and_detect(external, tmp_path):
    path = tmp_path / "karnataka.topojson"
    path.write_bytes((external / "datameet-maps/divisions/karnataka.topo.json").read_bytes())
    result = geo.read(path)
    assert (result.driver, result.feature_count, result.invalid_geometries) == ("TopoJSON", 4, 1)
    assert geo_crs.detect(path).to_epsg() == 4326
    assert geo_crs.detect(external / ECI / "S27/S27_AC.shp") is None
