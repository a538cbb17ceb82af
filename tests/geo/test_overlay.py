"""geo.overlay and geo.nearest on hand-built layers whose answers are computed independently."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, box

from geo.errors import CrsError
from geo.measure import geodesic_areas_ha
from geo.nearest import nearest_distance_km
from geo.overlay import overlap_areas_ha, points_in_polygons, union_overlaps

UTM = "EPSG:32645"  # UTM 45N: Jharkhand / Odisha
X0, Y0 = 400_000.0, 2_600_000.0
GEOD = Geod(ellps="WGS84")


def series(geometries, crs=UTM):
    return gpd.GeoSeries(list(geometries), crs=crs)


def test_two_overlapping_forests_over_half_a_block_count_once():
    block = box(X0, Y0, X0 + 2000, Y0 + 2000)
    # Both forests cover exactly the left half; together they would count 75 % if summed.
    forests = [box(X0 - 500, Y0 - 500, X0 + 1000, Y0 + 2500), box(X0 - 100, Y0 + 1000, X0 + 1000, Y0 + 3000)]
    forest_ha = overlap_areas_ha(series([block]), series(forests))
    block_ha = geodesic_areas_ha(series([block]))
    assert forest_ha[0] / block_ha[0] == pytest.approx(0.5, abs=1e-4)  # not 0.75


def test_block_inside_one_constraint_and_block_touching_none():
    inside = box(X0, Y0, X0 + 100, Y0 + 100)
    outside = box(X0 + 50_000, Y0, X0 + 50_100, Y0 + 100)
    touching = box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)  # shares only an edge
    pieces = union_overlaps(series([inside, outside, touching]), series([box(X0 - 10, Y0 - 10, X0 + 1000, Y0 + 1000)]))
    assert pieces.iloc[0].equals(inside)
    assert pieces.iloc[1].is_empty and pieces.iloc[2].area == 0


def test_overlap_area_is_geodesic_hectares():
    lonlat = box(85.0, 23.0, 85.01, 23.01)
    expected_ha = abs(GEOD.geometry_area_perimeter(lonlat)[0]) / 1e4
    area = overlap_areas_ha(series([lonlat], 4326), series([box(84.0, 22.0, 86.0, 24.0)], 4326))
    assert area[0] == pytest.approx(expected_ha, rel=1e-6)


def test_point_on_a_shared_boundary_goes_to_the_lowest_position_once():
    left, right = box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 10, Y0, X0 + 20, Y0 + 10)
    points = series([Point(X0 + 10, Y0 + 5), Point(X0 + 15, Y0 + 5), Point(X0 + 99, Y0), Point(X0, Y0)])
    owner = points_in_polygons(points, series([right, left]))
    assert owner.tolist() == [0, 0, -1, 1]  # shared edge → position 0 (right), corner of left → 1


def test_polygon_deposits_are_placed_by_a_point_inside_them():
    polygon_deposit = box(X0 + 1, Y0 + 1, X0 + 3, Y0 + 3)
    owner = points_in_polygons(series([polygon_deposit]), series([box(X0, Y0, X0 + 10, Y0 + 10)]))
    assert owner.tolist() == [0]


def test_nearest_distance_is_geodesic_and_zero_when_touching():
    blocks = series([box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)])
    stations = series([Point(X0 + 3000, Y0 + 500), Point(X0 + 5500, Y0 + 500), Point(X0 + 20_000, Y0)])
    km = nearest_distance_km(blocks, stations)
    start, end = series([Point(X0 + 1000, Y0 + 500), Point(X0 + 3000, Y0 + 500)]).to_crs(4326)
    expected_km = GEOD.inv(start.x, start.y, end.x, end.y)[2] / 1000
    assert km[0] == pytest.approx(expected_km, rel=1e-6)
    assert km[1] == 0.0


def test_nearest_with_no_targets_is_nan_and_crs_must_match():
    blocks = series([box(X0, Y0, X0 + 1, Y0 + 1)])
    assert np.isnan(nearest_distance_km(blocks, series([]))).all()
    with pytest.raises(CrsError, match="different CRSs"):
        nearest_distance_km(blocks, series([Point(85, 23)], 4326))
    with pytest.raises(CrsError, match="projected"):
        nearest_distance_km(series([box(85, 23, 85.1, 23.1)], 4326), series([Point(85, 23)], 4326))


# ----- against geopandas' overlay test data (reference/geopandas-overlay; results made with QGIS) ---

def test_intersection_areas_match_the_qgis_intersections(reference):
    """Per polygon of df1, the area overlapped by df2 = the sum of QGIS's intersection pieces."""
    folder = reference / "geopandas-overlay"
    for case in ("polys/df1.geojson", "overlap/df1_overlap.geojson"):
        first = gpd.read_file(folder / case)
        second = gpd.read_file(folder / case.replace("df1", "df2"))
        expected = gpd.read_file(folder / case.replace("df1", "df1_df2").replace(".geojson", "-intersection.geojson"))
        # Planar areas of degree "squares", as in the reference (the CRS only has to match).
        overlap = union_overlaps(first.geometry, second.geometry)
        summed = expected.assign(area=expected.geometry.area).groupby("col1")["area"].sum()
        assert overlap.area.to_numpy() == pytest.approx(summed.reindex(first["col1"]).to_numpy(), rel=1e-9), case


def test_geodesic_overlap_hectares_of_new_york_boroughs_match_qgis(reference):
    folder = reference / "geopandas-overlay" / "nybb_qgis"
    boroughs = gpd.read_file(f"zip://{folder / 'nybb_16a.zip'}")
    grid = gpd.read_file(folder / "polydf2.shp")  # EPSG:2263 too, written out as WKT
    pieces = gpd.read_file(folder / "qgis-intersection.shp")
    us_foot_m = 1200 / 3937
    qgis_ha = pieces.geometry.area.groupby(pieces["BoroCode"]).sum().reindex(boroughs["BoroCode"]).to_numpy() * us_foot_m ** 2 / 1e4
    assert union_overlaps(boroughs.geometry, grid.geometry).area.to_numpy() * us_foot_m ** 2 / 1e4 == pytest.approx(qgis_ha, rel=1e-9)
    # Geodesic hectares vs the state plane's planar ones: within DESIGN.md's 0.1 %.
    assert overlap_areas_ha(boroughs.geometry, grid.geometry) == pytest.approx(qgis_ha, rel=1e-3)
