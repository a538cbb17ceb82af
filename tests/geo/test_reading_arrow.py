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
    report = geo.check_geometries(plain.geometry)
    assert result.invalid_reasons == {int(label): reason for label, reason in report.reasons.items()}


def test_points_are_read_in_batches_with_the_checks_geos_would_make(tmp_path, monkeypatch):
    from geo import vector
    monkeypatch.setattr(vector, "GEOMETRY_BATCH", 2)  # batches of plain points, then one with a polygon
    geometries = [*POINTS, shapely.Point(float("inf"), 1.0), shapely.Point(2.0, 3.0),
                  shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), None]
    path = tmp_path / "layer.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"n": range(len(geometries))}, geometry=geometries, crs=4326), path)
    result = geo.read(path)
    plain = pyogrio.read_dataframe(path, use_arrow=False)
    ours, theirs = result.data.geometry.values, plain.geometry.values
    assert list(result.data["n"]) == list(range(len(geometries)))
    assert (shapely.to_wkb(ours[~ours.isna()]) == shapely.to_wkb(theirs[~theirs.isna()])).all()
    report = geo.check_geometries(plain.geometry)
    assert (result.null_geometries, result.empty_geometries, result.invalid_geometries) == \
        (report.null, report.empty, report.invalid) == (1, 0, 2)
    assert result.invalid_reasons == {int(label): reason for label, reason in report.reasons.items()}


# GeoJSON, TopoJSON and KML: geometries checked batch by batch while GDAL parses, and a GeoJSON
# file's fields learnt from its start, checked against GDAL's scan of the whole file.

DOCUMENTS = ["datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson", "datameet-railways/stations.json",
             "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson",
             "datameet-maps/divisions/odisha.topo.json", "datameet-maps/Country/india-land-simplified.geojson",
             "datameet-villages/ga/ga.geojson", "india-in-data-kashmir/india_districts_ladakh_ut.geojson"]


def plain_read(path):
    """What pyogrio gives with GDAL's usual two passes, nested values as the text geo.read keeps."""
    from geo.vector import _nested_as_json
    frame = pyogrio.read_dataframe(path, use_arrow=True)
    _nested_as_json(frame)
    return frame


def assert_same_layer(result, plain):
    import pandas.testing
    pandas.testing.assert_frame_equal(result.data.drop(columns="geometry"), plain.drop(columns="geometry"))
    ours, theirs = result.data.geometry.values, plain.geometry.values
    assert (ours.isna() == theirs.isna()).all()
    assert (shapely.to_wkb(ours[~ours.isna()]) == shapely.to_wkb(theirs[~theirs.isna()])).all()
    assert result.data.crs == plain.crs
    report = geo.check_geometries(plain.geometry)
    assert (result.null_geometries, result.empty_geometries, result.invalid_geometries) == \
        (report.null, report.empty, report.invalid)
    assert result.invalid_reasons == {int(label): reason for label, reason in report.reasons.items()}


@pytest.mark.parametrize("relative", DOCUMENTS)
def test_a_real_document_reads_as_gdal_reads_it_whole(external, relative):
    path = external / relative
    assert_same_layer(geo.read(path), plain_read(path))


def test_the_fields_of_a_real_geojson_are_learnt_from_its_first_eighth(external):
    from geo import vector
    path = external / DOCUMENTS[2]
    sample = vector._schema_sample_bytes(path)
    assert sample == path.stat().st_size // 8
    frame = vector._read_document(str(path), None, "UTF-8", sample)
    assert frame.sampled_schema is not None
    assert vector._same_schema(frame.sampled_schema, pyogrio.read_info(path))


def big_collection(path, features, tail=None, members=""):
    """A FeatureCollection of ``features`` (property dicts) on small squares, then ``tail``
    features after them, large enough that its fields are learnt from a sample."""
    import json
    rows = [dict(properties) for properties in features] + list(tail or [])
    items = []
    for index, properties in enumerate(rows):
        x, y = 70 + index % 200 * 0.01, 10 + index // 200 * 0.01
        ring = [[x, y], [x + 0.005, y], [x + 0.005, y + 0.005], [x, y + 0.005], [x, y]]
        items.append({"type": "Feature", "properties": properties,
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    text = json.dumps({"type": "FeatureCollection", "features": items})
    if members:
        text = text[:-1] + ", " + members + "}"
    path.write_text(text)
    return path


PLENTY = [{"name": f"block {i}", "count": i, "note": None} for i in range(3000)]


@pytest.mark.parametrize("tail, members", [
    ([{"name": "late", "count": 1, "note": None, "extra": "only here"}], ""),
    ([{"name": "late", "count": 2.5, "note": None}], ""),
    ([{"name": "late", "count": 3, "note": 7}], ""),
    ([{"name": "late", "count": 3, "note": {"nested": [1, 2]}}], ""),
    ([{"name": 12, "count": 4, "note": None}], ""),
    ([{"name": "late", "count": 2**40, "note": None}], ""),
    ([], '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32644"}}'),
], ids=["a field only at the end", "an integer field with a real at the end", "a null field typed at the end",
        "an object at the end", "a text field with a number at the end", "a 64-bit integer at the end",
        "a crs member after the features"])
def test_a_geojson_whose_end_changes_its_fields_reads_as_gdal_reads_it_whole(tmp_path, tail, members):
    from geo import vector
    path = big_collection(tmp_path / "blocks.geojson", PLENTY, tail, members)
    sample = vector._schema_sample_bytes(path)
    assert sample is not None and sample < path.stat().st_size
    sampled = vector._read_document(str(path), None, "UTF-8", sample).sampled_schema
    assert not vector._same_schema(sampled, pyogrio.read_info(path))  # the sample alone would be wrong
    result = geo.read(path)
    assert_same_layer(result, plain_read(path))
    assert len(result.data) == len(PLENTY) + len(tail)


def test_dates_and_times_in_a_sampled_geojson_read_as_gdal_reads_them(tmp_path):
    rows = [{"day": f"2024-01-{i % 28 + 1:02d}", "at": f"2024-01-01T10:{i % 60:02d}:00+05:30"} for i in range(3000)]
    path = big_collection(tmp_path / "dated.geojson", rows)
    result = geo.read(path)
    assert_same_layer(result, plain_read(path))
    assert str(result.data["at"].dtype).startswith("datetime64")


def test_a_document_with_a_ring_geos_refuses_keeps_its_attributes_and_names_the_feature(tmp_path):
    import json
    features = [{"type": "Feature", "properties": {"name": f"f{i}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}
                for i in range(200)]
    features[150]["geometry"]["coordinates"] = [[[0, 0], [1, 0], [1, 1]]]  # too few points for a ring
    path = tmp_path / "open_ring.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = geo.read(path)
    assert len(result.data) == 200 and result.data["name"].iloc[150] == "f150"
    assert [row.row for row in result.rejected_rows] == [151]
    assert result.data.geometry.iloc[150] is None


def test_gdal_options_for_one_read_stay_in_its_thread():
    import threading
    from geo.gdal_config import _gdal, thread_options
    key = b"OGR_GEOJSON_MAX_BYTES_FIRST_PASS"
    seen = {}
    with thread_options({key.decode(): "81920"}) as applied:
        assert applied
        seen["here"] = _gdal().CPLGetThreadLocalConfigOption(key, None)
        other = threading.Thread(target=lambda: seen.update(there=_gdal().CPLGetThreadLocalConfigOption(key, None)))
        other.start()
        other.join()
    assert seen == {"here": b"81920", "there": None}
    assert _gdal().CPLGetThreadLocalConfigOption(key, None) is None
