"""The live verdict equals a full ``assessment.score`` of the same block, before and after edits."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from assessment import score
from assessment.live import LiveVerdict
from layers.atlas import ATLAS_DIR
from layers.editing import EditSession, MoveBlock, MoveVertex, outer_ring


@pytest.fixture(scope="module")
def atlas():
    read = {name: gpd.read_file(ATLAS_DIR / f"{name}.gpkg")
            for name in ("blocks", "deposits", "forest", "protected_areas", "states", "railway_stations")}
    layers = dict(forest=read["forest"], protected=read["protected_areas"], boundaries=read["states"],
                  infrastructure=[("railway_stations", read["railway_stations"])],
                  rasters=[str(ATLAS_DIR / "magnetic_anomaly.tif")])
    return read["blocks"], read["deposits"], layers


def _same(live: gpd.GeoDataFrame, full: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(live.drop(columns="geometry")), pd.DataFrame(full.drop(columns="geometry")))
    assert live.geometry.geom_equals(full.geometry).all()


def test_live_verdict_of_every_sample_block_equals_the_full_score(atlas):
    blocks, deposits, layers = atlas
    live = LiveVerdict(deposits, **layers, as_of="2025-12-01")
    for i in range(len(blocks)):
        one = blocks.iloc[[i]]
        _same(live.score(one), score(one, deposits, **layers, as_of="2025-12-01"))


def test_live_verdict_follows_an_edited_block_into_the_sanctuary_zone(atlas):
    """Drag a block towards its nearest sanctuary: the protected gate turns from pass to fail,
    the distance shrinks, and every step still equals a full score."""
    blocks, deposits, layers = atlas
    live = LiveVerdict(deposits, **layers)
    session = EditSession(blocks)
    passing = live.score(blocks)
    fid = int(passing.index[(passing["gate_protected"] == "pass") & (passing["nearest_protected_km"] < 8)][0])
    parks = layers["protected"].to_crs(7755)
    park = parks[parks["name"] == passing.loc[fid, "nearest_protected_name"]].geometry.iloc[0]
    block = gpd.GeoSeries([session.geometry(fid)], crs=blocks.crs).to_crs(7755).iloc[0]
    near_block, near_park = shapely.ops.nearest_points(block, park)
    verdicts = []
    for step in range(4):
        one = session.frame.loc[[fid]]
        verdict = live.score(one)
        _same(verdict, score(one, deposits, **layers))
        verdicts.append(verdict.iloc[0])
        target = gpd.GeoSeries([shapely.Point(near_block.x + (near_park.x - near_block.x) * 0.3 * (step + 1),
                                              near_block.y + (near_park.y - near_block.y) * 0.3 * (step + 1)),
                                near_block], crs=7755).to_crs(blocks.crs)
        session.push(MoveBlock(fid, target.iloc[0].x - target.iloc[1].x, target.iloc[0].y - target.iloc[1].y))
    kms = [v["nearest_protected_km"] for v in verdicts]
    assert kms == sorted(kms, reverse=True) and kms[0] > kms[-1]
    assert verdicts[0]["gate_protected"] == "pass" and verdicts[-1]["gate_protected"] == "fail"
    assert verdicts[-1]["readiness"] == "Not ready"


def test_vertex_edit_changes_area_and_overlays(atlas):
    blocks, deposits, layers = atlas
    live = LiveVerdict(deposits, **layers)
    session = EditSession(blocks)
    fid = int(session.frame.index[0])
    before = live.score(session.frame.loc[[fid]]).iloc[0]["area_ha"]
    ring = outer_ring(session.geometry(fid))
    cx, cy = shapely.centroid(session.geometry(fid)).coords[0]
    session.push(MoveVertex(fid, 0, (ring[0][0] + (ring[0][0] - cx), ring[0][1] + (ring[0][1] - cy))))
    after = live.score(session.frame.loc[[fid]]).iloc[0]["area_ha"]
    assert after > before
    overlays = live.overlays(session.frame.loc[[fid]])
    assert overlays.buffer_km == 1 and overlays.nbwl_km == 10
    parks = shapely.union_all(layers["protected"].geometry.values)
    assert overlays.nbwl_zone.area > overlays.buffer_zone.area > parks.area * 0.5  # degrees², all in the block CRS
