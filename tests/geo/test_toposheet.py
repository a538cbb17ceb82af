"""SOI 1:50,000 toposheet lookup, checked against the original datameet index on shared/."""
from __future__ import annotations

import doctest
import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, box

import geo
from geo.soi_sheets import INDEX_PATH, toposheet, toposheets, toposheets_for_polygon

ORIGINAL = "datameet-maps/Survey-of-India-Index-Maps/OSM_UTM_WGS84/OSM_50K_Index.shp"

KNOWN = [
    ("Ranchi (DESIGN.md)", 85.31, 23.31, "F45B07"),
    ("Delhi", 77.21, 28.61, "H43X02"),
    ("Mumbai", 72.88, 19.08, "E43A16"),
    ("Chennai", 80.27, 13.08, "D44O08"),
    ("Kolkata", 88.36, 22.57, "F45K06"),
    ("Jaipur", 75.79, 26.91, "G43J13"),
    ("Bhubaneswar", 85.82, 20.30, "F45T15"),
    ("Port Blair", 92.73, 11.62, "C46C10"),
    ("Kavaratti", 72.64, 10.57, "C43G10"),
    ("Leh", 77.58, 34.16, "I43L12"),
    ("Itanagar", 93.62, 27.08, "G46D12"),
    ("Kanyakumari", 77.54, 8.08, "C43X12"),
    ("Aksai Chin", 79.30, 35.20, "I44B08"),
]

OUTSIDE = [("London", -0.13, 51.51), ("Null Island", 0.0, 0.0), ("Kathmandu", 85.32, 27.70),
           ("Colombo", 79.86, 6.93), ("Karachi", 67.0, 24.86), ("Dhaka", 90.41, 23.81)]


@pytest.fixture(scope="module")
def original(external):
    return gpd.read_file(external / ORIGINAL)


def sheets_containing(original, lon, lat):
    """Plain geopandas point-in-polygon on the original index (boundary included)."""
    return sorted(original.loc[original.intersects(Point(lon, lat)), "SheetNo"])


@pytest.mark.parametrize("place, lon, lat, sheet", KNOWN)
def test_known_places(original, place, lon, lat, sheet):
    assert sheets_containing(original, lon, lat) == [sheet]
    assert toposheet(lon, lat) == sheet


@pytest.mark.parametrize("place, lon, lat", OUTSIDE)
def test_outside_the_index_is_empty(original, place, lon, lat):
    assert sheets_containing(original, lon, lat) == []
    assert toposheet(lon, lat) == ""


def test_public_name_works_after_the_module_was_imported():
    import geo.soi_sheets  # noqa: F401  (binds the module on the package, as any import does)

    assert geo.toposheet(85.31, 23.31) == "F45B07"


def test_shipped_index_is_the_original_with_sheet_numbers_only(original):
    shipped = gpd.read_file(INDEX_PATH)
    assert list(shipped.columns) == ["SheetNo", "geometry"]
    assert shipped.crs.to_epsg() == 4326
    merged = original.merge(shipped, on="SheetNo", suffixes=("_original", "_shipped"))
    assert len(shipped) == len(original) == len(merged) == 5112
    assert shapely.equals_exact(merged.geometry_original.values, merged.geometry_shipped.values, 0).all()


def test_every_sheet_is_found_at_its_centre_and_near_its_corners(original):
    centres = shapely.centroid(original.geometry.values)
    lons, lats = shapely.get_x(centres), shapely.get_y(centres)
    assert toposheets(lons, lats) == original.SheetNo.tolist()
    for d_lon, d_lat in ((-0.124, -0.124), (0.124, 0.124), (-0.124, 0.124), (0.124, -0.124)):
        assert toposheets(lons + d_lon, lats + d_lat) == original.SheetNo.tolist()


def test_random_points_agree_with_point_in_polygon_on_the_original(original):
    generator = np.random.default_rng(7)
    lons, lats = generator.uniform(66, 99, 3000), generator.uniform(5, 39, 3000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs=4326)
    joined = gpd.sjoin(points, original[["SheetNo", "geometry"]], how="left", predicate="within")
    expected = joined.SheetNo.fillna("").tolist()
    assert len(joined) == 3000
    assert toposheets(lons, lats) == expected
    assert [toposheet(x, y) for x, y in zip(lons[:200], lats[:200])] == expected[:200]
    assert 0 < expected.count("") < 3000


def test_points_on_sheet_edges_are_deterministic(original):
    # Panaji's latitude lies exactly on a sheet line: the northern sheet wins.
    assert sheets_containing(original, 73.83, 15.5) == ["D43B14", "D43B15"]
    assert toposheet(73.83, 15.5) == toposheet(73.83, 15.5 + 1e-9) == "D43B14"
    # A meridian shared by two sheets: the eastern one wins.
    assert sheets_containing(original, 85.25, 23.31) == ["F45B03", "F45B07"]
    assert toposheet(85.25, 23.31) == toposheet(85.25 + 1e-9, 23.31) == "F45B07"
    # A corner shared by four sheets: the north-eastern one.
    assert len(sheets_containing(original, 85.25, 23.5)) == 4
    assert toposheet(85.25, 23.5) == toposheet(85.25 + 1e-9, 23.5 + 1e-9)
    assert [toposheet(85.25, 23.5) for _ in range(3)] == [toposheet(85.25, 23.5)] * 3


def test_points_on_the_outer_edge_of_the_index_get_the_sheet_they_border(original):
    east = original.total_bounds[2]
    lat = 28.0 + 0.1
    (bordering,) = sheets_containing(original, east - 1e-9, lat)
    assert sheets_containing(original, east, lat) == [bordering]
    assert toposheet(east, lat) == bordering
    assert toposheet(east + 1e-9, lat) == ""


def test_vectorised_lookup_handles_nan_and_shapes():
    assert toposheets([85.31, np.nan, 0.0], [23.31, 23.31, 0.0]) == ["F45B07", "", ""]
    assert toposheets(np.array([[85.31]]), np.array([[23.31]])) == ["F45B07"]
    assert toposheets([], []) == []


def test_sheets_for_a_polygon_match_the_original(original):
    block = shapely.Polygon([(85.2, 23.2), (85.6, 23.3), (85.45, 23.6), (85.22, 23.45)])
    overlaps = original.intersects(block) & ~original.touches(block)
    expected = sorted(original.loc[overlaps, "SheetNo"])
    assert len(expected) >= 4
    assert toposheets_for_polygon(block) == expected


def test_a_block_along_a_sheet_line_does_not_pick_up_the_neighbour():
    assert toposheets_for_polygon(box(85.25, 23.25, 85.5, 23.5)) == ["F45B07"]
    assert toposheets_for_polygon(box(85.2, 23.3, 85.3, 23.4)) == ["F45B03", "F45B07"]


def test_sheets_for_lines_points_and_nothing():
    line = LineString([(85.3, 23.3), (85.3, 23.6)])
    assert toposheets_for_polygon(line) == sorted([toposheet(85.3, 23.3), toposheet(85.3, 23.6)])
    assert toposheets_for_polygon(Point(85.31, 23.31)) == ["F45B07"]
    assert toposheets_for_polygon(box(0, 0, 1, 1)) == []
    assert toposheets_for_polygon(shapely.Polygon()) == []
    assert toposheets_for_polygon(None) == []


def test_docstring_examples_run():
    import geo.soi_sheets as module

    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0
