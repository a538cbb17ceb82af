"""The Arrow read path (issue 14): the same rows, geometries and reports as GDAL's plain read."""
from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely

import geo

POINTS = [shapely.Point(78.123456789012345, 12.987654321098765), shapely.Point(1e-300, -0.0),
          shapely.Point(85.31, 23.31)]


@pytest.mark.parametrize("geometries, nulls, empties, invalid", [
    (POINTS, 0, 0, 0),
    ([POINTS[0], None, POINTS[2]], 1, 0, 0),
    ([POINTS[0], shapely.Point(), POINTS[2]], 0, 1, 0),
    ([shapely.Point(1, 2, 3), POINTS[1], POINTS[2]], 0, 0, 0),
    ([POINTS[0], shapely.box(0, 0, 1, 1), shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])], 0, 0, 1),
], ids=["points", "a null", "an empty point", "3D", "mixed with an invalid polygon"])
def test_geopackage_read_equals_the_plain_read_bit_for_bit(tmp_path, geometries, nulls, empties, invalid):
    path = tmp_path / "layer.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=geometries, crs=4326), path)
    result = geo.read(path)
    plain = pyogrio.read_dataframe(path, use_arrow=False)
    assert list(result.data["name"]) == ["a", "b", "c"] and result.data.crs == plain.crs
    ours, theirs = result.data.geometry.values, plain.geometry.values
    assert (shapely.to_wkb(ours[~ours.isna()]) == shapely.to_wkb(theirs[~theirs.isna()])).all()
    assert (result.null_geometries, result.empty_geometries, result.invalid_geometries) == (nulls, empties, invalid)
