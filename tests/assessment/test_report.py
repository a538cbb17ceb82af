"""Dossier content from a real score output of the sample atlas's files."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from assessment.report import GATES, NOT_RECORDED, build_dossier, corner_table, ranking_order, select_blocks
from assessment.rules import CRITERIA
from assessment.scoring import score
from geo.coords import parse_dms

ATLAS = Path(__file__).resolve().parents[2] / "layers" / "sample_atlas"


@pytest.fixture(scope="module")
def deposits() -> gpd.GeoDataFrame:
    return gpd.read_file(ATLAS / "deposits.gpkg")


@pytest.fixture(scope="module")
def scores(deposits, tmp_path_factory) -> gpd.GeoDataFrame:
    """The sample atlas scored, written to a GeoPackage and read back (as ``khanij report`` reads it)."""
    read = lambda name: gpd.read_file(ATLAS / f"{name}.gpkg")  # noqa: E731
    table = score(read("blocks"), deposits, forest=read("forest"), protected=read("protected_areas"),
                  infrastructure=[("railway_stations", read("railway_stations"))],
                  rasters=[("magnetic_anomaly", str(ATLAS / "magnetic_anomaly.tif"))])
    path = tmp_path_factory.mktemp("scores") / "scores.gpkg"
    table.to_file(path)
    return gpd.read_file(path)


@pytest.fixture(scope="module")
def dossier(scores, deposits):
    return build_dossier(scores, deposits, sources=["scores.gpkg", "deposits.gpkg"], generated=datetime.date(2025, 1, 31))


def _facts_of(block):
    """Everything a block section states, as comparable data."""
    return (block.facts, [(g.name, g.status, g.finding, g.source) for g in block.gates], block.conditions,
            block.conditions_note, [(c.label, c.measure, c.score, c.weight, c.contribution) for c in block.criteria],
            block.total_note, block.missing, block.readiness, block.score)


@pytest.mark.parametrize("reword", [
    lambda text: "Written by another tool in other words.",
    lambda text: text.replace("gate: ", "check → ").replace("Conditions: ", "Caveats: "),
    lambda text: re.sub(r"→ (\d+) × ", lambda m: f"gives {int(m.group(1)) // 2} of ", text),
    lambda text: "",
], ids=["other words", "other templates", "other numbers in the prose", "no prose"])
def test_rewording_the_explanation_leaves_every_fact_of_the_dossier_unchanged(scores, reword):
    edited = scores.copy()
    edited["explanation"] = [reword(text) for text in scores["explanation"]]
    before = build_dossier(scores, None).blocks
    after = build_dossier(edited, None).blocks
    assert [_facts_of(b) for b in after] == [_facts_of(b) for b in before]
    assert all(block.explanation == "" for block in after)


def test_gate_findings_and_citations_come_from_their_columns(scores, dossier):
    by_id = scores.set_index("block_id")
    for block in dossier.blocks:
        row = by_id.loc[block.block_id]
        for gate, (column, _) in zip(block.gates, GATES):
            assert (gate.finding, gate.source) == (row[f"{column}_finding"], row[f"{column}_source"])
        assert [text for text, _ in block.conditions] == [c["text"] for c in json.loads(row["conditions"])]


def test_a_score_file_without_findings_columns_prints_its_explanation_whole(scores):
    old = scores.drop(columns=[c for c in scores.columns if c.endswith(("_finding", "_source", "_rule"))])
    position = int(np.flatnonzero(old["block_id"] == "JH-CL-01")[0])
    block = build_dossier(old, None, block_ids=["JH-CL-01"]).blocks[0]
    assert block.explanation == old["explanation"].iloc[position]
    assert all(g.finding == NOT_RECORDED for g in block.gates)
    assert [g.status for g in block.gates] == [old[c].iloc[position] for c, _ in GATES]
    assert block.conditions == [] and block.conditions_note == NOT_RECORDED


def test_ranking_puts_ready_classes_first_then_score(scores, dossier):
    order = ranking_order(scores)
    classes = scores["readiness"].to_numpy()[order]
    rank = {"Ready": 0, "Ready with conditions": 1, "Not ready": 2}
    assert [rank[c] for c in classes] == sorted(rank[c] for c in classes)
    assert len(dossier.ranking.rows) == len(scores)
    assert [row[0] for row in dossier.ranking.rows] == [str(i) for i in range(1, len(scores) + 1)]


def test_each_block_section_matches_its_score_row(scores, dossier):
    by_id = scores.set_index("block_id")
    assert len(dossier.blocks) == len(scores)
    for block in dossier.blocks:
        row = by_id.loc[block.block_id]
        assert [g.status for g in block.gates] == [row[c] for c, _ in GATES]
        assert all(g.finding and g.source for g in block.gates), block.gates
        assert block.explanation == "", "every sample explanation is itemised"
        assert [c.name for c in block.criteria] == list(CRITERIA)
        for criterion in block.criteria:
            expected = row[f"s_{criterion.name}"]
            assert (criterion.score is None) == bool(np.isnan(expected))
            if criterion.score is not None:
                assert criterion.score == pytest.approx(expected)
        scored = [c for c in block.criteria if c.score is not None]
        assert sum(c.contribution for c in scored) == pytest.approx(row["score"], abs=0.06)
        assert block.missing == (row["missing"] or "")
        assert block.readiness == row["readiness"]
        assert dict(block.provenance)["Rules SHA-256"] == row["rules_sha256"]
        assert dict(block.provenance)["Report date"] == "2025-01-31"
        assert block.illustrative


def test_corners_in_decimal_degrees_and_dms_agree(dossier):
    for block in dossier.blocks:
        assert 3 <= len(block.corners.rows)
        for _, lat, lon, lat_dms, lon_dms in block.corners.rows:
            assert parse_dms(lat_dms) == pytest.approx(float(lat), abs=1e-5)
            assert parse_dms(lon_dms) == pytest.approx(float(lon), abs=1e-5)


def test_long_boundary_lists_the_first_corners_and_says_so():
    from shapely.geometry import Point

    table, note = corner_table(Point(85, 23).buffer(0.01, 64))
    assert len(table.rows) == 40 and "256 vertices" in note


def test_resources_inside_match_the_deposit_count(scores, dossier):
    by_id = scores.set_index("block_id")
    for block in dossier.blocks:
        assert len(block.resources.rows) == by_id.loc[block.block_id, "n_deposits"]
    with_deposits = [b for b in dossier.blocks if b.resources.rows]
    assert with_deposits and all(row[3] for b in with_deposits for row in b.resources.rows)


def test_facts_carry_toposheets_area_and_classification(dossier):
    block = next(b for b in dossier.blocks if b.block_id == "JH-CL-01")
    facts = dict(block.facts)
    assert facts["State / district"] == "Jharkhand / Palamu"
    assert facts["Area"].startswith("1,400.00 ha")
    assert facts["SOI toposheets (1:50,000)"] and facts["SOI toposheets (1:50,000)"] != "outside the sheet index"
    assert facts["Auctioning authority"].startswith("The Central Government auctions the block: it holds the Part D mineral(s) Potash")
    copper = dict(next(b for b in dossier.blocks if b.block_id == "JH-ML-01").facts)
    assert copper["Auctioning authority"].startswith("The State Government auctions the block: it holds no Part D mineral (")
    classification = dict(block.classification)
    assert classification["UNFC code"] == "333" and classification["JORC equivalent"].startswith("Inferred")


def test_without_deposits_the_counts_come_from_the_score(scores):
    dossier = build_dossier(scores, None, block_ids=["JH-CL-01"])
    assert [b.block_id for b in dossier.blocks] == ["JH-CL-01"]
    assert dossier.blocks[0].resources is None
    assert "1 deposit(s), 48.00 Mt" in dossier.blocks[0].resources_note
    assert len(dossier.ranking.rows) == len(scores)


def test_unknown_block_is_named(scores):
    with pytest.raises(KeyError, match="NOPE"):
        select_blocks(scores, ["NOPE"], {"block_id": "block_id"})
