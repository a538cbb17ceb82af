"""Geodesic areas, lengths and distances against independent pyproj/closed-form references."""
from __future__ import annotations

import doctest
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely import LineString, MultiPolygon, Point, Polygon, box
from shapely.affinity import rotate

import geo
from geo.errors import CrsError
from geo.measure import (geodesic_area_ha, geodesic_areas_ha, geodesic_distance_km,
                         geodesic_distances_km, geodesic_length_km)

GEOD = Geod(ellps="WGS84")
A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)
E = math.sqrt(F * (2 - F))


def band_area_m2(lat_south: float, lat_north: float, width_deg: float) -> float:
    """Closed-form area of a latitude band on the WGS 84 ellipsoid between two meridians."""
    def zone(phi):
        s = math.sin(math.radians(phi))
        return s / (2 * (1 - E * E * s * s)) + math.log((1 + E * s) / (1 - E * s)) / (4 * E)
    return math.radians(width_deg) * B * B * (zone(lat_north) - zone(lat_south))


def pyproj_area_ha(polygon) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(polygon))[0]) / 1e4


def brute_force_km(a, b, crs, spacing) -> float:
    """Geodesic minimum over every vertex pair after densifying both boundaries in their CRS."""
    def points(geometry):
        boundary = geometry if geometry.geom_type == "Point" else shapely.segmentize(geometry.boundary, spacing)
        xy = shapely.get_coordinates(gpd.GeoSeries([boundary], crs=crs).to_crs(4326).iloc[0])
        return xy
    pa, pb = points(a), points(b)
    lon1, lon2 = np.meshgrid(pa[:, 0], pb[:, 0])
    lat1, lat2 = np.meshgrid(pa[:, 1], pb[:, 1])
    return float(np.min(GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())[2])) / 1000


@pytest.mark.parametrize("lat", [0.0, 30.0])
def test_one_degree_cell_against_pyproj_and_the_closed_form(lat):
    cell = box(85.0, lat, 86.0, lat + 1.0)
    area = geodesic_area_ha(cell, "EPSG:4326")
    assert area == pytest.approx(pyproj_area_ha(cell), rel=1e-12)
    # Geodesic edges bow slightly off the parallels: agreement to 0.01 % ...
    assert area == pytest.approx(band_area_m2(lat, lat + 1.0, 1.0) / 1e4, rel=1e-4)
    # ... and to 1e-7 once the edges are densified along the parallels.
    dense = shapely.segmentize(cell, 0.001)
    assert geodesic_area_ha(dense, 4326) == pytest.approx(band_area_m2(lat, lat + 1.0, 1.0) / 1e4, rel=1e-7)


def test_polygon_with_a_hole_and_orientation():
    outer = [(85.0, 23.0), (85.2, 23.0), (85.2, 23.2), (85.0, 23.2)]
    hole = [(85.05, 23.05), (85.05, 23.1), (85.1, 23.1), (85.1, 23.05)]
    with_hole = Polygon(outer, [hole])
    expected = pyproj_area_ha(Polygon(outer)) - pyproj_area_ha(Polygon(hole))
    assert geodesic_area_ha(with_hole, 4326) == pytest.approx(expected, rel=1e-12)
    assert geodesic_area_ha(with_hole, 4326) == pytest.approx(pyproj_area_ha(with_hole), rel=1e-12)
    clockwise = Polygon(outer[::-1], [hole[::-1]])
    assert geodesic_area_ha(clockwise, 4326) == pytest.approx(expected, rel=1e-12)
    two = MultiPolygon([with_hole, box(86, 23, 86.1, 23.1)])
    assert geodesic_area_ha(two, 4326) == pytest.approx(expected + pyproj_area_ha(box(86, 23, 86.1, 23.1)))


def test_points_lines_and_nothing_have_no_area():
    assert geodesic_area_ha(Point(85, 23), 4326) == 0.0
    assert geodesic_area_ha(LineString([(85, 23), (86, 24), (85, 24)]), 4326) == 0.0
    assert geodesic_area_ha(Polygon(), 4326) == 0.0
    collection = shapely.GeometryCollection([box(85, 23, 85.1, 23.1), LineString([(0, 0), (1, 1)])])
    assert geodesic_area_ha(collection, 4326) == pytest.approx(pyproj_area_ha(box(85, 23, 85.1, 23.1)))
    areas = geodesic_areas_ha(gpd.GeoSeries([None, Point(1, 1), box(85, 23, 85.1, 23.1)], crs=4326))
    assert np.isnan(areas[0]) and areas[1] == 0.0 and areas[2] > 0


def test_same_polygons_in_utm_and_degrees(external):
    divisions = gpd.read_file(external / "datameet-maps/divisions/chhattisgarh.topo.json")
    in_degrees = geodesic_areas_ha(divisions.geometry)
    in_utm = geodesic_areas_ha(divisions.geometry.to_crs(32644))
    np.testing.assert_allclose(in_utm, in_degrees, rtol=1e-3)
    assert 13_500_000 < in_degrees.sum() < 13_600_000       # Chhattisgarh: about 135,190 km²


def test_a_block_drawn_in_utm_has_the_same_hectares_in_degrees():
    block = Polygon([(300000, 2500000), (307000, 2500500), (306000, 2509000), (299000, 2507000)])
    utm = gpd.GeoSeries([block], crs=32644)
    degrees = gpd.GeoSeries([shapely.segmentize(block, 100)], crs=32644).to_crs(4326)
    assert geodesic_area_ha(block, "EPSG:32644") == pytest.approx(geodesic_areas_ha(degrees)[0], rel=1e-3)
    planar_ha = block.area / 1e4
    assert geodesic_areas_ha(utm)[0] == pytest.approx(planar_ha, rel=5e-3)   # UTM scale factor ≈ 1


def test_public_names_and_crs_refusal():
    assert geo.geodesic_area_ha is geodesic_area_ha and geo.geodesic_distance_km is geodesic_distance_km
    with pytest.raises(CrsError, match="no CRS"):
        geodesic_area_ha(box(0, 0, 1, 1), None)
    with pytest.raises(CrsError):
        geodesic_area_ha(box(0, 0, 1, 1), "EPSG:nonsense")


def test_length_and_perimeter():
    line = LineString([(85.0, 23.0), (85.5, 23.4), (86.0, 23.1)])
    assert geodesic_length_km(line, 4326) == pytest.approx(GEOD.geometry_length(line) / 1000, rel=1e-12)
    cell = box(85.0, 23.0, 85.5, 23.5)
    assert geodesic_length_km(cell, 4326) == pytest.approx(GEOD.geometry_area_perimeter(cell)[1] / 1000)
    utm_line = gpd.GeoSeries([line], crs=4326).to_crs(32645).iloc[0]
    assert geodesic_length_km(utm_line, "EPSG:32645") == pytest.approx(geodesic_length_km(line, 4326), rel=1e-9)
    assert geodesic_length_km(Point(85, 23), 4326) == 0.0


def test_point_to_point_is_geod_inv():
    pairs = [((85.0, 23.0), (85.3, 23.4)), ((77.2, 28.6), (88.4, 22.6)), ((72.9, 19.1), (72.9, 19.1))]
    for (lon1, lat1), (lon2, lat2) in pairs:
        expected = GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000
        assert geodesic_distance_km(Point(lon1, lat1), Point(lon2, lat2), 4326) == pytest.approx(expected, rel=1e-9,
                                                                                                  abs=1e-9)
    a = gpd.GeoSeries([Point(85.0, 23.0)], crs=4326).to_crs(32645).iloc[0]
    b = gpd.GeoSeries([Point(85.3, 23.4)], crs=4326).to_crs(32645).iloc[0]
    assert geodesic_distance_km(a, b, 32645) == pytest.approx(GEOD.inv(85.0, 23.0, 85.3, 23.4)[2] / 1000, rel=1e-9)


def star(lon, lat, radius_deg, turn=0.0):
    angles = np.linspace(0, 2 * np.pi, 11)[:-1]
    radii = np.where(np.arange(10) % 2 == 0, radius_deg, radius_deg * 0.45)
    return rotate(Polygon(np.column_stack([lon + radii * np.cos(angles), lat + radii * np.sin(angles)])), turn,
                  origin=(lon, lat))


CASES_4326 = [
    ("point to star", Point(85.0, 23.0), star(85.25, 23.1, 0.08, 10)),
    ("star to star, Jharkhand", star(85.0, 23.0, 0.05), star(85.2, 23.25, 0.07, 20)),
    ("star to star, Ladakh (35°N)", star(77.5, 35.0, 0.05, 5), star(77.9, 35.3, 0.06, 30)),
    ("square to rotated square", box(85.0, 23.0, 85.1, 23.1), rotate(box(85.3, 23.15, 85.45, 23.3), 30)),
    ("point to long thin block", Point(80.0, 30.0), Polygon([(80.05, 29.5), (80.06, 29.5), (80.3, 30.6),
                                                             (80.29, 30.6)])),
    ("Delhi block to Kolkata block", star(77.2, 28.6, 0.1), star(88.4, 22.6, 0.1, 15)),
]


@pytest.mark.parametrize("name, a, b", CASES_4326, ids=[c[0] for c in CASES_4326])
def test_distances_in_degrees_against_a_dense_geodesic_reference(name, a, b):
    reference = brute_force_km(a, b, 4326, 0.001)
    assert geodesic_distance_km(a, b, 4326) == pytest.approx(reference, rel=5e-3)
    assert geodesic_distance_km(a, b, 4326) >= reference * (1 - 1e-6) - 1e-4   # never shorter


@pytest.mark.parametrize("crs", ["EPSG:32645", "EPSG:7755", "EPSG:3857"])
def test_distances_in_projected_crs_against_a_dense_geodesic_reference(crs):
    to = lambda geometry: gpd.GeoSeries([geometry], crs=4326).to_crs(crs).iloc[0]  # noqa: E731
    for _, a, b in CASES_4326[:4]:
        a_projected, b_projected = to(a), to(b)
        reference = brute_force_km(a_projected, b_projected, crs, 100.0)
        assert geodesic_distance_km(a_projected, b_projected, crs) == pytest.approx(reference, rel=5e-3)


def test_touching_and_overlapping_are_zero_and_missing_is_nan():
    a, touching, overlapping = box(85, 23, 85.1, 23.1), box(85.1, 23, 85.2, 23.1), box(85.05, 23.05, 85.3, 23.3)
    assert geodesic_distance_km(a, touching, 4326) == 0.0
    assert geodesic_distance_km(a, overlapping, 4326) == 0.0
    assert geodesic_distance_km(Point(85.05, 23.05), a, 4326) == 0.0
    distances = geodesic_distances_km([a, None, Polygon(), a], [touching, a, a, Point(86, 23)], 4326)
    assert distances[0] == 0.0 and np.isnan(distances[1]) and np.isnan(distances[2]) and distances[3] > 0


def test_pairwise_and_broadcast_agree_with_single_calls():
    sources = [Point(85.0, 23.0), star(85.0, 23.0, 0.05), Point(77.5, 35.0)]
    target = star(85.25, 23.1, 0.08, 10)
    together = geodesic_distances_km(gpd.GeoSeries(sources, crs=4326), target, 4326)
    one_by_one = [geodesic_distance_km(source, target, 4326) for source in sources]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)


def test_docstring_examples_run():
    import geo.measure as module

    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0
