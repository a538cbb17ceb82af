"""National screening (issue 14): candidate cells of a state, scored and ranked like blocks."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from distributed import Client

from assessment.distributed import local_cluster
from assessment.rules import load_rules
from assessment.screening import candidate_cells, no_mining_zone, parse_cell_size, screen, state_outline
from geo.errors import DataReadError
from layers.atlas import sample_role_paths
from layers.layer import Layer
from main import main

AS_OF = "2025-06-01"


@pytest.fixture(scope="module")
def atlas():
    roles = sample_role_paths()
    return {role: gpd.read_file(roles[role]) for role in ("boundaries", "protected_areas", "deposits", "forest")} | {
        "stations": gpd.read_file(roles["infrastructure"][0]), "raster": roles["evidence"][0]}


@pytest.fixture(scope="module")
def odisha_10km(atlas):
    return candidate_cells(atlas["boundaries"], "odisha", 10_000, atlas["protected_areas"])


def test_cell_sizes_are_read_in_km_or_m():
    assert (parse_cell_size("1km"), parse_cell_size("500 m"), parse_cell_size("2.5KM")) == (1000, 500, 2500)
    with pytest.raises(ValueError, match="such as 1km"):
        parse_cell_size("1 mile")


def test_cells_cover_the_state_minus_the_parks_and_their_1km_zone(atlas, odisha_10km):
    outline = state_outline(atlas["boundaries"], "Odisha")
    zone = no_mining_zone(atlas["protected_areas"], load_rules().protected.buffer_km)
    assert not shapely.is_empty(zone.intersection(outline))  # Similipal and others lie in Odisha
    expected = outline.difference(zone).area
    cells = odisha_10km.geometry.values
    assert abs(shapely.area(cells).sum() - expected) / expected < 1e-6
    assert shapely.union_all(cells).difference(outline).area < 1.0
    assert shapely.area(shapely.intersection(cells, zone)).max() < 1.0
    assert odisha_10km["block_id"].is_unique and (odisha_10km["state"] == "odisha").all()
    assert shapely.area(cells).max() == pytest.approx(1e8)


def test_an_unknown_state_is_refused_naming_the_states(atlas):
    with pytest.raises(DataReadError, match="no state named 'Atlantis'.*Odisha"):
        candidate_cells(atlas["boundaries"], "Atlantis", 10_000)


def test_screen_scores_and_ranks_every_block_identically_on_a_cluster(atlas):
    layers = dict(forest=atlas["forest"], protected=atlas["protected_areas"],
                  infrastructure=[("stations", atlas["stations"])], rasters=[("magnetic", atlas["raster"])],
                  as_of=AS_OF)
    ranked = screen("Odisha", 20_000, atlas["boundaries"], atlas["deposits"], **layers)
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing
    assert (ranked["protected_km"] >= 1.0).all() and (ranked["gate_state"] == "pass").all()
    failed = ranked.loc[ranked["gate_protected"] == "fail", "gate_protected_finding"]
    assert failed.str.contains("inside the notified eco-sensitive zone").all()  # an ESZ is kept, and fails
    assert ranked["explanation"].iloc[0].startswith(f"Block {ranked['block_id'].iloc[0]}:")
    with local_cluster(2, processes=False) as cluster, Client(cluster) as client:
        clustered = screen("Odisha", 20_000, atlas["boundaries"], atlas["deposits"], client=client, **layers)
    pd.testing.assert_frame_equal(pd.DataFrame(clustered), pd.DataFrame(ranked), check_exact=True)


def test_a_large_screen_is_scored_in_partitions_here_with_the_same_result(atlas, monkeypatch):
    from assessment import distributed, screening
    layers = dict(forest=atlas["forest"], protected=atlas["protected_areas"],
                  infrastructure=[("stations", atlas["stations"])], rasters=[("magnetic", atlas["raster"])],
                  as_of=AS_OF)
    whole = screen("Odisha", 20_000, atlas["boundaries"], atlas["deposits"], **layers)
    scored_parts = []
    partition = distributed._score_partition
    monkeypatch.setattr(distributed, "_score_partition",
                        lambda part, *rest: scored_parts.append(len(part.numbers)) or partition(part, *rest))
    monkeypatch.setattr(screening, "BLOCKS_PER_LOCAL_PARTITION", 100)
    parted = screen("Odisha", 20_000, atlas["boundaries"], atlas["deposits"], **layers)
    assert len(scored_parts) == int(np.ceil(len(whole) / 100)) > 2 and sum(scored_parts) == len(whole)
    pd.testing.assert_frame_equal(pd.DataFrame(parted), pd.DataFrame(whole), check_exact=True)


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet"])
def test_cli_writes_ranked_cells(tmp_path, suffix):
    out = tmp_path / f"cells{suffix}"
    assert main(["screen", "--state", "Odisha", "--cell", "25km", "--as-of", AS_OF, "-o", str(out)]) == 0
    cells = gpd.read_parquet(out) if suffix == ".parquet" else gpd.read_file(out)
    assert len(cells) > 200 and cells["rank"].iloc[0] == 1 and cells.crs.to_epsg() == 7755
    assert np.all(np.diff(cells["score"].to_numpy()) <= 0)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_screening_output_opens_as_a_layer_coloured_by_readiness(tmp_path):
    out = tmp_path / "cells.gpkg"
    assert main(["screen", "--state", "Odisha", "--cell", "25km", "-o", str(out)]) == 0
    layer = Layer.from_file(out)
    assert layer.style.field == "readiness" and len(layer.data) > 200


def test_cli_refuses_a_bad_cell_size(tmp_path):
    assert main(["screen", "--state", "Odisha", "--cell", "big", "-o", str(tmp_path / "x.gpkg")]) == 2
