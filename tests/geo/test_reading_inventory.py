"""Every file in shared/data/external/SOURCES.md's inventory is read by geo.read_all (or refused
with a clear message), with the feature counts, CRS and invalid/null counts SOURCES.md lists.

The tables below are transcribed from SOURCES.md's "Per-file inventory". Where SOURCES.md says a
JSON file's CRS is EPSG:4326 or "none" without the file declaring one, Khanij assumes EPSG:4326
and says so ("assumed"); a shapefile without .prj stays unknown.
"""
from __future__ import annotations

import pytest

import geo
from geo.errors import DataReadError

# file, layer, CRS label (None = unknown), crs_status, features, invalid, null
VECTORS = [
    ("datameet-maps/Country/disputed/india-disputed-lsib.geojson", None, "EPSG:4326", "declared", 5, 0, 0),
    ("datameet-maps/Country/india-land-simplified.geojson", None, "EPSG:4326", "assumed", 1, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.shp", None, "EPSG:4326", "declared", 33, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_250K_Index.shp", None, "EPSG:4326", "declared", 393, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_50K_Index.shp", None, "EPSG:4326", "declared", 5112, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/OldSystem_Everest_Polyconic/OldSystem_1M_Index.shp", None, "EPSG:4326", "declared", 39, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/OldSystem_Everest_Polyconic/OldSystem_250K_Index.shp", None, "EPSG:4326", "declared", 394, 0, 0),
    ("datameet-maps/Survey-of-India-Index-Maps/outline-maps-of-india/IndiaOutlineVectorMap/polymap15m_area.shp", None, "LCC_WGS84", "declared", 314, 0, 0),
    ("datameet-maps/divisions/chhattisgarh.topo.json", "chhattisgarh-districts-divisions", "EPSG:4326", "declared", 5, 0, 0),
    ("datameet-maps/divisions/jharkhand.topo.json", "jharkhand-division", "EPSG:4326", "declared", 5, 0, 0),
    ("datameet-maps/divisions/karnataka.topo.json", "karnataka-divisions", "EPSG:4326", "declared", 4, 1, 0),
    ("datameet-maps/divisions/odisha.topo.json", "odisha", "EPSG:4326", "declared", 3, 0, 0),
    ("datameet-maps/eci/AC_Data/States/S18/S18_AC.shp", None, None, "unknown", 147, 0, 0),
    ("datameet-maps/eci/AC_Data/States/S27/S27_AC.shp", None, None, "unknown", 81, 0, 0),
    ("datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson", None, "EPSG:4326", "declared", 543, 17, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "48_New_wards", "EPSG:4326", "declared", 48, 0, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "Ward Office", "EPSG:4326", "declared", 47, 0, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "Zonal Office", "EPSG:4326", "declared", 6, 0, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "Municipal Gym", "EPSG:4326", "declared", 39, 0, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "Swimming Pools", "EPSG:4326", "declared", 14, 0, 0),
    ("datameet-municipal/Ahmedabad/AMC Facilities.kml", "library", "EPSG:4326", "declared", 62, 0, 0),
    ("datameet-municipal/Bhubaneswar/Wards.kml", "Wards", "EPSG:4326", "declared", 67, 0, 0),
    ("datameet-pmgsy-geosadak/data/Bound_Block/Karnataka/Bound_Block.shp", None, "EPSG:4326", "declared", 176, 0, 0),
    ("datameet-pmgsy-geosadak/data/Facilities/Jharkhand/Facilities.shp", None, "EPSG:4326", "declared", 15392, 0, 0),
    ("datameet-pmgsy-geosadak/data/Proposals/Jharkhand/Proposals.shp", None, "EPSG:4326", "declared", 159, 0, 0),
    ("datameet-railways/stations.json", "stations", "EPSG:4326", "assumed", 8990, 0, 293),
    ("datameet-villages/ga/ga.geojson", None, "EPSG:4326", "assumed", 402, 0, 0),
    ("datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson", None, "EPSG:4326", "declared", 37, 0, 0),
    ("geohacker-toll-plazas-india/data/01-03-2022/tolls-with-metadata.csv", None, "EPSG:4326", "assumed", 712, 0, 11),
    ("india-in-data-kashmir/india_districts_ladakh_ut.geojson", None, "EPSG:4326", "declared", 645, 3, 2),
    ("india-in-data-states-2019/shapefile/india_states.shp", None, "EPSG:4326", "declared", 271, 2, 6),
    ("udit001-india-maps-data/topojson/india.json", "districts", "EPSG:4326", "assumed", 723, 0, 0),
    ("udit001-india-maps-data/topojson/india.json", "states", "EPSG:4326", "assumed", 36, 0, 0),
]

# file, width, height, bands, dtype, nodata, CRS, bounds
RASTERS = [
    ("gnr605-mumbai-dem/data/dem.tif", 108, 103, 1, "int16", -32768.0, "EPSG:4326", (72.8938, 19.1143, 72.9238, 19.1429)),
    ("rasterio-testdata/tests/data/RGB.byte.tif", 791, 718, 3, "uint8", 0.0, "EPSG:32618", (101985.0, 2611485.0, 339315.0, 2826915.0)),
    ("rasterio-testdata/tests/data/all-nodata.tif", 71, 2475, 4, "uint16", 0.0, "EPSG:32628", (341970.0, 1596477.0, 342183.0, 1603902.0)),
    ("rasterio-testdata/tests/data/shade.tif", 1024, 1024, 1, "uint8", 255.0, "EPSG:3857", (-11858134.8184, 4803914.353, -11848350.8788, 4813698.2926)),
    ("rasterio-testdata/tests/data/world.byte.tif", 2880, 1200, 1, "uint8", None, "EPSG:4326", (-180.0, -75.0, 180.0, 75.0)),
]

SIDECARS = [
    "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.dbf",
    "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_1M_Index.prj",
    "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_50K_Index.shx",
    "datameet-maps/Survey-of-India-Index-Maps/outline-maps-of-india/IndiaOutlineVectorMap/polymap15m_area.cpg",
    "india-in-data-states-2019/shapefile/india_states.dbf",
]


@pytest.mark.parametrize("relpath, layer, crs, status, features, invalid, null", VECTORS,
                         ids=[f"{v[0].rsplit('/', 1)[-1]}:{v[1] or ''}" for v in VECTORS])
def test_vector_inventory(external, relpath, layer, crs, status, features, invalid, null):
    results = {r.layer: r for r in geo.read_all(external / relpath)}
    result = results[layer] if layer is not None else next(iter(results.values()))
    assert result.kind == "vector"
    assert (result.crs_label if result.crs is not None else None) == crs
    assert result.crs_status == status
    assert result.feature_count == features
    assert (result.invalid_geometries, result.null_geometries) == (invalid, null)
    assert len(result.invalid_reasons) == invalid
    assert result.empty_geometries == 0


@pytest.mark.parametrize("relpath, width, height, bands, dtype, nodata, crs, bounds", RASTERS,
                         ids=[r[0].rsplit("/", 1)[-1] for r in RASTERS])
def test_raster_inventory(external, relpath, width, height, bands, dtype, nodata, crs, bounds):
    [result] = geo.read_all(external / relpath)
    source = result.data
    assert result.kind == "raster" and result.driver == "GTiff"
    assert (source.width, source.height, source.count) == (width, height, bands)
    assert set(source.dtypes) == {dtype}
    assert source.nodata == nodata
    assert result.crs_label == crs and result.crs_status == "declared"
    assert source.bounds == pytest.approx(bounds, abs=1e-4)


def test_corrupt_raster_is_refused_naming_the_file(external):
    with pytest.raises(DataReadError, match=r"^corrupt\.tif: pixels cannot be read"):
        geo.read_all(external / "rasterio-testdata/tests/data/corrupt.tif")


@pytest.mark.parametrize("relpath", SIDECARS, ids=[s.rsplit("/", 1)[-1] for s in SIDECARS])
def test_shapefile_sidecars_are_refused_pointing_to_the_shp(external, relpath):
    stem = relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    with pytest.raises(DataReadError, match=rf"is part of a shapefile; open {stem}\.shp instead"):
        geo.read(external / relpath)
