"""Geometry checks and in-memory repair: GEOS's own validity cases and a real invalid layer."""
from __future__ import annotations

import doctest
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from geo.geometry import GeometryReport, check_geometries, repaired
from geo.measure import geodesic_areas_ha

PC_2019 = "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson"
REASON = "geos_reason_shapely_2.2.0_geos_3.14.1"


@pytest.fixture(scope="module")
def geos_cases(reference):
    table = pd.read_csv(reference / "geos-validity" / "validity_cases.csv")
    with np.errstate(invalid="ignore"):           # cases 37-40 and 44, 49 hold NaN ordinates
        geometries = shapely.from_wkt(table.wkt.to_numpy())
    return table, gpd.GeoSeries(geometries, index=table.n)


def test_geos_cases_are_judged_as_geos_judges_them(geos_cases):
    table, series = geos_cases
    report = check_geometries(series)
    empty = shapely.is_empty(series.values)
    # GEOS calls an empty geometry valid; Khanij reports it as empty instead (cases 2, 5, 16).
    assert report.empty_index == tuple(table.n[empty]) == (2, 5, 16)
    assert table.expected_is_valid[empty].all()
    expected_invalid = table[~table.expected_is_valid]
    assert report.invalid == len(expected_invalid) == 51
    assert report.reasons == dict(zip(expected_invalid.n, expected_invalid[REASON]))
    assert report.null == 0 and report.total == 87 and not report.ok


def test_geos_cases_are_all_valid_after_repair_and_polygons_stay_polygons(geos_cases):
    table, series = geos_cases
    before = shapely.to_wkb(series.values)
    fixed, report = repaired(series)
    assert shapely.to_wkb(series.values).tolist() == before.tolist()        # input untouched
    assert shapely.is_valid(fixed.values).all()
    assert check_geometries(fixed).invalid == 0
    polygonal_input = series.geom_type.isin(["Polygon", "MultiPolygon"])
    assert fixed[polygonal_input].geom_type.isin(["Polygon", "MultiPolygon"]).all()
    # Zero-area polygons and a hole identical to its shell have no area left.
    assert report.collapsed_index == (46, 47, 48, 68)
    assert fixed[list(report.collapsed_index)].is_empty.all()
    valid = table.n[table.expected_is_valid].tolist()
    assert all(fixed[n] is series[n] for n in valid)                        # valid rows kept as they are


def test_repair_keeps_the_area_people_meant(geos_cases):
    _, series = geos_cases
    fixed, _ = repaired(series)
    shells = series[83].geoms                                               # duplicate shells: union
    assert fixed[83].area == pytest.approx(shells[0].area)
    assert fixed[84].area == pytest.approx(shapely.union_all(list(series[84].geoms)).area)   # shell in shell
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    assert repaired(gpd.GeoSeries([bowtie]))[0][0].area == pytest.approx(2.0)


def test_india_constituencies_17_invalid_to_0_with_areas_kept(external):
    constituencies = gpd.read_file(external / PC_2019)
    original = constituencies.copy()
    report = check_geometries(constituencies.geometry)
    assert report.invalid == 17 and report.null == 0 and report.empty == 0
    assert all(reason.startswith(("Self-intersection", "Too few points")) for reason in report.reasons.values())
    fixed, repair_report = repaired(constituencies.geometry)
    assert check_geometries(fixed).invalid == 0 and repair_report.collapsed_index == ()
    assert repair_report.reasons == report.reasons
    changed = list(report.reasons)
    np.testing.assert_allclose(geodesic_areas_ha(fixed[changed]), geodesic_areas_ha(original.geometry[changed]),
                               rtol=0.01)
    assert fixed.crs == constituencies.crs and fixed.index.equals(constituencies.index)
    assert constituencies.geometry.geom_equals_exact(original.geometry, 0).all()  # never written back
    assert (~constituencies.is_valid).sum() == 17


def test_nulls_empties_labels_and_duplicate_labels():
    series = gpd.GeoSeries([box(0, 0, 1, 1), None, Polygon(), Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])],
                           index=["a", "b", "b", "d"], crs=4326, name="shape")
    report = check_geometries(series)
    assert (report.null_index, report.empty_index, report.reasons) == (("b",), ("b",),
                                                                       {"d": "Self-intersection[0.5 0.5]"})
    assert report.summary() == "4 geometries: 1 invalid, 1 null, 1 empty"
    fixed, repair_report = repaired(series)
    assert fixed.name == "shape" and list(fixed.index) == ["a", "b", "b", "d"] and fixed.crs == series.crs
    assert fixed.iloc[1] is None and fixed.iloc[2].is_empty and fixed.iloc[3].is_valid
    assert not series.iloc[3].is_valid                                      # the input is left as it was
    assert repair_report.summary() == report.summary()


def test_a_plain_list_and_a_clean_column():
    report = check_geometries([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert report == GeometryReport(total=2) and report.ok
    assert report.summary() == "2 geometries: 0 invalid, 0 null, 0 empty"
    zero_area = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    fixed, repair_report = repaired([zero_area])
    assert fixed[0].is_empty and repair_report.collapsed_index == (0,)
    assert repair_report.summary().endswith("1 with no area left after repair")


def test_docstring_examples_run():
    import geo.geometry as module

    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0
