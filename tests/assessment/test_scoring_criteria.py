"""Scored criteria, totals and the output contract (DESIGN.md §5.1–§5.4) on hand-built scenarios."""
from __future__ import annotations

import hashlib
import tomllib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from pyproj import Geod
from rasterio.transform import from_origin
from shapely.geometry import box

from assessment import score
from assessment.rules import DEFAULT_RULES_PATH, load_rules
from tests.assessment.columns import documented_columns
from tests.assessment.scenario import KM, UTM, X0, Y0, blocks, layer, point, square

GEOD = Geod(ellps="WGS84")


def one(result, block_id):
    return result.set_index("block_id").loc[block_id]


def test_forest_half_covered_by_two_overlapping_polygons_is_fifty_percent():
    # The 2 km block's left half is covered twice: by a strip over the whole half (and beyond the
    # block) and by a square over its lower-left quarter. Summed they make 75 %; unioned, 50 %.
    strip = box(X0 - 0.5 * KM, Y0 - 0.5 * KM, X0 + KM, Y0 + 2.5 * KM)
    quarter = box(X0, Y0, X0 + KM, Y0 + KM)
    row = one(score(blocks([dict(block_id="a", geometry=square(0))]), None, forest=layer([strip, quarter])), "a")
    left_half = gpd.GeoSeries([box(X0, Y0, X0 + KM, Y0 + 2 * KM)], crs=UTM).to_crs(4326).iloc[0]
    assert row["forest_ha"] == pytest.approx(abs(GEOD.geometry_area_perimeter(left_half)[0]) / 1e4, rel=1e-4)
    assert row["forest_pct"] == pytest.approx(50.0, abs=0.01)  # never 75 %
    assert row["s_forest"] == 30.0  # the rules' band "up to 50 % → 30"


def test_area_is_geodesic_hectares():
    lonlat = blocks([dict(block_id="a", geometry=square(0))], crs="EPSG:4326")
    row = one(score(lonlat, None), "a")
    expected_ha = abs(GEOD.geometry_area_perimeter(lonlat.geometry.iloc[0])[0]) / 1e4
    assert row["area_ha"] == pytest.approx(expected_ha, rel=1e-3)


def test_resources_count_tonnage_by_category_and_critical_minerals():
    deposits = layer([point(0.5, 0.5), point(1, 1), point(2, 1), point(5, 5)],
                     unfc=["332", "333", "331", "111"], tonnage_mt=[4.0, 9.0, 2.0, 50.0],
                     commodity=["Li", "Graphite; Fe", "Cu", "Li"])
    candidates = blocks([dict(block_id="a", geometry=square(0)), dict(block_id="b", geometry=square(2))])
    result = score(candidates, deposits)
    a, b = one(result, "a"), one(result, "b")
    # The point at x = 2 km lies on the shared edge: counted once, in "a" (the first block).
    assert (a["n_deposits"], b["n_deposits"]) == (3, 0)
    assert a["tonnage_mt"] == pytest.approx(15.0) and b["tonnage_mt"] == 0
    assert a["critical_minerals"] == "Copper;Graphite;Lithium"
    assert "Measured 2.00 Mt, Indicated 4.00 Mt, Inferred 9.00 Mt" in a["explanation"]
    assert a["s_resources"] == 70 + 15  # rules.toml: 15 Mt is in the band (10, 100] → 70; +15 for critical minerals
    assert b["s_resources"] == 0


def test_deposits_without_stage_make_the_stage_unknown_not_zero():
    deposits = layer([point(1, 1)], commodity=["Li"])
    row = one(score(blocks([dict(block_id="a", licence="ML", geometry=square(0))]), deposits), "a")
    assert row["gate_stage"] == "unknown" and np.isnan(row["s_exploration"])
    assert "Exploration maturity: unknown" in row["explanation"] and "not scored" in row["explanation"]
    assert "The deposits have no stage or UNFC column" in row["explanation"]


def test_infrastructure_distance_per_layer_in_geodesic_km():
    stations = layer([point(10, 1), point(30, 1)])
    roads = gpd.GeoDataFrame(geometry=[point(2, 1).buffer(10)], crs=UTM).to_crs(4326)  # touches the block edge
    result = score(blocks([dict(block_id="a", geometry=square(0))]), None,
                   infrastructure=[("Rail stations", stations), ("roads", roads)])
    a = one(result, "a")
    start, end = gpd.GeoSeries([point(2, 1), point(10, 1)], crs=UTM).to_crs(4326)
    assert a["infra_rail_stations_km"] == pytest.approx(GEOD.inv(start.x, start.y, end.x, end.y)[2] / 1000, rel=1e-4)
    assert a["infra_roads_km"] == 0
    assert a["s_infrastructure"] == (80 + 100) / 2  # rules.toml: 8 km is in the band (5, 10] → 80; 0 km → 100


@pytest.fixture
def two_value_raster(tmp_path):
    """Pixels of 1 km: column 0 holds 10, column 1 holds 40; two rows."""
    path = tmp_path / "magnetic.tif"
    with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32", crs=UTM,
                       transform=from_origin(X0, Y0 + 2 * KM, KM, KM), nodata=-9999) as dst:
        dst.write(np.array([[10, 40], [10, 40]], dtype="float32"), 1)
    return path


def test_raster_evidence_is_the_area_weighted_mean_and_off_raster_is_no_data(two_value_raster):
    candidates = blocks([
        dict(block_id="mixed", geometry=square(0.25, 0, 1)),       # 0.75 over 10, 0.25 over 40
        dict(block_id="tiny", geometry=square(1.2, 0.2, 0.05)),    # far smaller than a pixel, over 40
        dict(block_id="off", geometry=square(50)),                 # off the raster
    ])
    result = score(candidates, None, rasters=[two_value_raster])
    assert one(result, "mixed")["evidence_magnetic_mean"] == pytest.approx(17.5)
    assert one(result, "mixed")["evidence_magnetic_max"] == 40
    assert one(result, "tiny")["evidence_magnetic_mean"] == pytest.approx(40.0)
    off = one(result, "off")
    assert pd.isna(off["evidence_magnetic_mean"]) and np.isnan(off["s_evidence"])
    assert "magnetic: no data" in off["explanation"]
    assert one(result, "tiny")["s_evidence"] > one(result, "mixed")["s_evidence"]


def test_output_columns_follow_the_contract(two_value_raster):
    candidates = blocks([dict(block_id="a", stage="G2", licence="ML", area_ha=1, geometry=square(0))])
    result = score(candidates, layer([point(1, 1)], stage=["G2"]), forest=layer([square(0, 0, 1)]),
                   protected=layer([square(30, 0, 1)]), infrastructure=[("rail", layer([point(9, 9)]))],
                   rasters=[("magnetic", two_value_raster)])
    own = ["block_id", "input_stage", "input_licence", "input_area_ha"]  # the block's own columns first
    documented = documented_columns(layers={"rail"}, rasters={"magnetic"})
    assert list(result.columns) == own + documented + ["geometry"]
    row = result.iloc[0]
    assert (row["stage"], row["licence"], row["input_area_ha"]) == ("G2", "ML", 1)
    shipped = DEFAULT_RULES_PATH.read_bytes()
    assert row["rules_sha256"] == hashlib.sha256(shipped).hexdigest()
    assert row["rules_version"] == tomllib.loads(shipped.decode())["meta"]["version"]
    assert row["score"] == round(row["score"], 1) and 0 <= row["score"] <= 100
    assert result.crs == candidates.crs


def test_own_columns_clashing_with_result_columns_keep_distinct_names():
    candidates = blocks([dict(block_id="a", Stage="G2", input_stage="as surveyed", score=7, geometry=square(0))])
    result = score(candidates, None)
    assert list(result.columns[:4]) == ["block_id", "input_Stage_2", "input_stage", "input_score"]
    assert result.columns.is_unique
    assert result.iloc[0]["input_Stage_2"] == "G2" and result.iloc[0]["stage"] == "G2"


def test_total_is_the_weighted_sum_written_in_the_explanation():
    result = score(blocks([dict(block_id="a", stage="G3", licence="CL", geometry=square(0))]), None,
                   forest=layer([square(0, 0, 1)]))
    row, weights = one(result, "a"), load_rules().weights
    scored = {c: row[f"s_{c}"] for c in weights if not np.isnan(row[f"s_{c}"])}
    expected = sum(scored[c] * weights[c] for c in scored) / sum(weights[c] for c in scored)
    assert row["score"] == pytest.approx(expected, abs=0.05)
    contributions = {c: row[f"c_{c}"] for c in scored}
    assert sum(contributions.values()) == pytest.approx(row["score"], abs=0.05)
    assert row["c_exploration"] == pytest.approx(60 * 25 / sum(weights[c] for c in scored), abs=0.005)
    share = f"25/{sum(weights[c] for c in scored):g}"
    assert (f"Exploration maturity: stage G3 (from the block's stage field), which meets the CL minimum G4 → 60 × {share} "
            f"= {row['c_exploration']:.1f}.") in row["explanation"]


def test_inputs_in_different_crss_give_the_same_answers():
    def run(crs_blocks, crs_layers):
        return score(blocks([dict(block_id="a", geometry=square(0))], crs=crs_blocks),
                     layer([point(1, 1)], crs=crs_layers, stage=["G3"]),
                     forest=layer([square(0, 0, 1)], crs=crs_layers),
                     protected=layer([square(6, 0, 1)], crs=crs_layers),
                     infrastructure=[("rail", layer([point(9, 1)], crs=crs_layers))]).iloc[0]
    same, mixed = run(UTM, UTM), run("EPSG:4326", "EPSG:7755")
    for column in ("area_ha", "forest_ha", "protected_km", "infra_rail_km"):
        assert mixed[column] == pytest.approx(same[column], rel=2e-3), column
    assert mixed["n_deposits"] == 1 and mixed["stage"] == "G3"


def test_invalid_geometry_is_repaired_in_memory_and_reported():
    from shapely.geometry import Polygon
    x, y = X0, Y0
    bowtie = Polygon([(x, y), (x + 2 * KM, y + 2 * KM), (x + 2 * KM, y), (x, y + 2 * KM)])
    candidates = blocks([dict(block_id="bow", geometry=bowtie)])
    row = one(score(candidates, None), "bow")
    assert row["area_ha"] == pytest.approx(200, rel=0.01)  # two triangles of 1 km² each
    assert "1 invalid" in row["explanation"] and "repaired in memory" in row["explanation"]
    assert not candidates.geometry.iloc[0].is_valid  # the input is untouched


def test_same_inputs_give_identical_output(two_value_raster):
    def run():
        return score(blocks([dict(block_id=str(i), licence="ML", geometry=square(3 * i)) for i in range(5)]),
                     layer([point(3 * i + 1, 1) for i in range(5)], unfc=["332", "333", "111", "334", "G2"],
                           tonnage_mt=[1, 2, 3, 4, 5], commodity=["Li", "Cu", "REE", "Fe", "Sn"]),
                     forest=layer([square(1, 0, 5)]), protected=layer([square(20, 0, 3)]),
                     infrastructure=[("rail", layer([point(0, 10)]))], rasters=[two_value_raster])
    first, second = run(), run()
    pd.testing.assert_frame_equal(first, second)


def test_zonal_statistics_in_a_worker_process_give_the_same_scores(monkeypatch):
    """Large rasters are summarised in a worker beside the vector analysis; forcing that path on
    the sample atlas must change nothing in the output."""
    from assessment.criteria import evidence
    from layers.atlas import sample_role_paths
    from geo.reading import read

    paths = sample_role_paths()
    layers = {role: read(paths[role]).data for role in ("blocks", "deposits", "forest", "protected_areas")}
    inputs = dict(forest=layers["forest"], protected=layers["protected_areas"], rasters=paths["evidence"])
    here = score(layers["blocks"], layers["deposits"], **inputs)
    monkeypatch.setattr(evidence, "BACKGROUND_FROM_BLOCK_PIXELS", 0)
    assert evidence.worth_a_worker(len(layers["blocks"]), paths["evidence"])
    in_worker = score(layers["blocks"], layers["deposits"], **inputs)
    pd.testing.assert_frame_equal(here.drop(columns="geometry"), in_worker.drop(columns="geometry"))
