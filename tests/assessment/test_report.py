"""Dossier content from a real score output of the sample atlas's files."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from assessment.report import (GATES, UNREAD_EXPLANATION, ExplanationParts, build_dossier, corner_table,
                               parse_explanation, ranking_order, select_blocks, sentences, split_source)
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


def test_sentences_and_sources_respect_parentheses():
    assert sentences("A (r. 5. B). C.") == ["A (r. 5. B).", "C."]
    assert split_source("the block is at G3 (MEMC Rules 2015 r.5(1); derived).") == ("the block is at G3",
                                                                                   "MEMC Rules 2015 r.5(1); derived")
    assert split_source("no source here.") == ("no source here", "")


def test_explanation_of_every_block_splits_into_gates_conditions_and_criteria(scores):
    for _, row in scores.iterrows():
        parts = parse_explanation(row["explanation"])
        assert parts.complete and parts.agrees_with(row), row["explanation"]
        assert set(parts.gates) == {column for column, _ in GATES}
        assert parts.gates["gate_state"].startswith("State gate:")
        assert "Protected-area gate:" in parts.gates["gate_protected"]
        assert parts.gate_status == {"gate_protected": row["gate_protected"], "gate_state": row["gate_state"]}
        assert parts.measures[0].label == "Exploration maturity"
        assert sum(measure.weight for measure in parts.measures) == pytest.approx(100)
        assert parts.rules_name == "rules.toml"
        assert parts.total.startswith("Total ")
        assert parts.conditions_stated
        assert (row["readiness"] == "Ready with conditions") <= bool(parts.conditions)


def test_unreadable_explanation_is_incomplete_not_an_error():
    parts = parse_explanation("free text")
    assert not parts.complete and parts.gates == {} and parts.measures == []
    assert parse_explanation(None) == ExplanationParts()


def _not_itemised(block, row):
    """The section of a block whose explanation is not itemised: columns' results, the raw text."""
    assert block.explanation == row["explanation"]
    assert [g.status for g in block.gates] == [row[c] for c, _ in GATES]
    assert all(g.finding == UNREAD_EXPLANATION for g in block.gates)
    assert block.conditions == [] and block.conditions_note == UNREAD_EXPLANATION
    assert [c.measure for c in block.criteria] == [UNREAD_EXPLANATION] * len(CRITERIA)
    assert [c.score for c in block.criteria][0] == pytest.approx(row["s_exploration"])


@pytest.mark.parametrize("edit", [
    lambda text: "Written by another tool. It has no gate sentences.",
    lambda text: text.replace("Conditions: ", "Caveats: ").replace("No conditions apply.", "Nothing else."),
    lambda text: re.sub(r"→ (\d+) × 10 %", lambda m: f"→ {int(m.group(1)) // 2} × 10 %", text, count=1),
    lambda text: re.sub(r"State gate: \w+", "State gate: fail", text),
], ids=["free text", "no conditions sentence", "scores differ from columns", "gate result differs"])
def test_explanation_that_does_not_itemise_is_printed_whole(scores, edit):
    edited = scores.copy()
    position = int(np.flatnonzero(edited["block_id"] == "JH-CL-01")[0])
    edited.loc[edited.index[position], "explanation"] = edit(scores["explanation"].iloc[position])
    assert edited["explanation"].iloc[position] != scores["explanation"].iloc[position]
    block = build_dossier(edited, None, block_ids=["JH-CL-01"]).blocks[0]
    _not_itemised(block, edited.iloc[position])
    assert dict(block.provenance)["Rules SHA-256"] == edited["rules_sha256"].iloc[position]


def test_empty_explanation_says_there_is_none(scores):
    edited = scores.copy()
    edited["explanation"] = ""
    block = build_dossier(edited, None, block_ids=["JH-CL-01"]).blocks[0]
    assert block.explanation == "" and block.gates[0].finding.startswith("not stated")
    assert [c.weight for c in block.criteria] == [c.weight for c in build_dossier(scores, None, block_ids=["JH-CL-01"]).blocks[0].criteria]


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
        points = sum(c.contribution for c in scored)
        known = sum(c.weight for c in scored)
        assert points * 100 / known == pytest.approx(row["score"], abs=0.06)
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
    assert facts["Auctioning authority"].startswith("the Central Government, as the block holds the Part D mineral(s) Potash")
    copper = dict(next(b for b in dossier.blocks if b.block_id == "JH-ML-01").facts)
    assert copper["Auctioning authority"].startswith("the State Government (no Part D mineral)")
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
