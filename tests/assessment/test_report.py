"""Dossier content from a real score output of the sample atlas's files."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from assessment.report import (GATES, NOT_RECORDED, admin_layer, boundary_pillars, build_dossier, corner_table,
                               ranking_order, select_blocks)
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


def test_pillars_in_dms_and_decimal_degrees_agree_numbered_as_the_workbench_pillar_table(scores, dossier):
    from geo.pillars import pillar_table

    table, problems = pillar_table(scores)
    assert not problems
    for block in dossier.blocks:
        assert 3 <= len(block.corners.rows)
        for number, (label, lat_dms, lon_dms, lat, lon) in enumerate(block.corners.rows, start=1):
            assert label == f"BP-{number}"
            assert parse_dms(lat_dms) == pytest.approx(float(lat), abs=1e-5)
            assert parse_dms(lon_dms) == pytest.approx(float(lon), abs=1e-5)
        assert [p.label for p in block.pillars] == [row[0] for row in block.corners.rows]
        exported = table[table["block_id"] == block.block_id]
        assert [p.label for p in block.pillars] == exported["pillar"].tolist()
        assert [p.lat for p in block.pillars] == pytest.approx(exported["latitude"].tolist(), abs=1e-8)
        assert [p.lon for p in block.pillars] == pytest.approx(exported["longitude"].tolist(), abs=1e-8)


def test_pillars_follow_the_outline_from_its_first_vertex_as_a_tender_list_gives_them():
    from shapely.geometry import Polygon

    square = Polygon([(85.0, 23.0), (85.1, 23.0), (85.1, 23.1), (85.0, 23.1)])
    pillars, note = boundary_pillars(square)
    assert [(p.label, p.lon, p.lat) for p in pillars] == [
        ("BP-1", 85.0, 23.0), ("BP-2", 85.1, 23.0), ("BP-3", 85.1, 23.1), ("BP-4", 85.0, 23.1)]
    assert note == ""


def test_a_block_in_two_parts_with_a_hole_numbers_on_and_says_so():
    from shapely.geometry import MultiPolygon, Polygon

    holed = Polygon([(85.0, 23.0), (85.1, 23.0), (85.1, 23.1), (85.0, 23.1)],
                    [[(85.04, 23.04), (85.06, 23.04), (85.06, 23.06)]])
    second = Polygon([(85.2, 23.0), (85.3, 23.0), (85.3, 23.1)])
    pillars, note = boundary_pillars(MultiPolygon([holed, second]))
    assert [p.label for p in pillars] == [f"BP-{n}" for n in range(1, 8)]
    assert (pillars[4].lon, pillars[4].lat) == (85.2, 23.0)
    assert "2 parts" in note and "1 hole(s)" in note
    table, table_note = corner_table(MultiPolygon([holed, second]))
    assert len(table.rows) == 7 and note in table_note


def test_long_boundary_lists_the_first_corners_and_says_so():
    from shapely.geometry import Point

    table, note = corner_table(Point(85, 23).buffer(0.01, 64))
    assert len(table.rows) == 40 and "256 vertices" in note


def test_resources_by_category_with_jorc_beside_and_totals(scores, dossier, deposits):
    by_id = scores.set_index("block_id")
    for block in dossier.blocks:
        deposit_rows = [row for row in block.resources.rows if not row[0].startswith("Total")]
        totals = [row for row in block.resources.rows if row[0].startswith("Total")]
        assert len(deposit_rows) == by_id.loc[block.block_id, "n_deposits"]
        assert [row[0] for row in totals] == [f"Total {code}" for code in dict.fromkeys(r[0] for r in deposit_rows)]
        for total in totals:
            members = [float(r[4].replace(",", "")) for r in deposit_rows if f"Total {r[0]}" == total[0] and r[4] != "—"]
            assert total[4] == "—" if not members else float(total[4].replace(",", "")) == pytest.approx(sum(members), abs=0.011)
    potash = next(b for b in dossier.blocks if b.block_id == "JH-CL-01").resources.rows[0]
    assert potash[:3] == ["333", "Inferred Mineral Resource (ambiguous)", "Muskaniya potash"]
    assert potash[5] == "4.9 % K2O" and potash[7] == "GSI, 2021", "grade with its basis; agency and year"
    vanadium = next(b for b in dossier.blocks if b.block_id == "OD-CL-02").resources.rows[0]
    assert vanadium[1].startswith("no JORC equivalent (no equivalent; or Exploration Target")


def test_facts_carry_toposheets_area_and_classification(dossier):
    block = next(b for b in dossier.blocks if b.block_id == "JH-CL-01")
    facts = dict(block.facts)
    assert (facts["State"], facts["District"], facts["Tehsil / taluka"], facts["Village(s)"]) == (
        "Jharkhand", "Palamu", "not given", "not given")
    assert facts["Area"] == "1,400.00 ha (14.00 km²)"
    assert facts["SOI toposheets (1:50,000)"].startswith("G44X16. Toposheet index: Survey of India Open Series Map")
    assert "CC BY 4.0" in facts["SOI toposheets (1:50,000)"]
    assert facts["Exploration stage"] == "G3 (Preliminary exploration)"
    assert facts["Nearest national park or wildlife sanctuary"] == "Betla National Park, 33.55 km (geodesic)"
    assert facts["Nearest railway station"] == "TOLRA, 0.48 km (geodesic)"
    assert facts["Exploring agency"] == "GSI (from the deposits inside)"
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


def test_state_district_tehsil_and_villages_come_from_the_administrative_overlay(external):
    """Census villages of Goa (real, with their sub-district and district): a block drawn over a
    few villages lists them (largest overlap first) with the tehsil, district and state."""
    villages = gpd.read_file(external / "datameet-villages" / "ga" / "ga.geojson")
    metric = villages.to_crs(32643)
    centre = metric.geometry.iloc[100].representative_point()
    block = gpd.GeoDataFrame({"block_id": ["GA-1"], "state": ["Goa"], "licence": ["ML"], "stage": ["G2"]},
                             geometry=[centre.buffer(1500, cap_style="square")], crs=32643)
    scored = score(block, None)
    dossier = build_dossier(scored, None, admin=[admin_layer(villages, source="ga.geojson")])
    facts = dict(dossier.blocks[0].facts)
    overlapped = metric[metric.intersects(block.geometry.iloc[0])]
    row = villages.iloc[100]
    assert facts["State"] == "Goa (by overlay with ga.geojson)"
    assert facts["District"].startswith(row["DISTRICT"]) and facts["Tehsil / taluka"].startswith(row["SUB_DIST"])
    listed = facts["Village(s)"].removesuffix(" (by overlay with ga.geojson)").split(", ")
    assert row["NAME"] == listed[0], "the village holding most of the block comes first"
    assert sorted(listed) == sorted(set(overlapped["NAME"])) and len(listed) > 1


def test_without_an_administrative_layer_the_levels_say_not_given_or_come_from_the_table(dossier):
    facts = dict(next(b for b in dossier.blocks if b.block_id == "OD-ML-01").facts)
    assert facts["State"] == "Odisha" and facts["Tehsil / taluka"] == "not given" and facts["Village(s)"] == "not given"


def test_an_administrative_layer_without_levels_is_refused_naming_its_columns():
    frame = gpd.GeoDataFrame({"code": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(ValueError, match=r"areas\.gpkg: no column for state, district, tehsil or village.*columns are: code"):
        admin_layer(frame, source="areas.gpkg")


def test_forest_land_is_split_by_legal_status_counting_each_hectare_once(scores):
    """Reserved over protected over unclassed: a block half in a reserved forest, a quarter more in
    a protected one that also overlaps the reserved, has 50 % reserved, 25 % protected, 25 % other."""
    metric = scores.to_crs(7755)
    block = metric[metric["block_id"] == "JH-CL-01"]
    minx, miny, maxx, maxy = block.total_bounds
    outline = box(minx, miny, maxx, maxy)
    width = maxx - minx
    forest = gpd.GeoDataFrame({"name": ["R", "P", "U"], "forest_type": ["Reserved Forest", "protected", "unclassed"]},
                              geometry=[box(minx - 10, miny - 10, minx + width / 2, maxy + 10),
                                        box(minx + width / 4, miny - 10, minx + 3 * width / 4, maxy + 10),
                                        box(maxx + 100, miny, maxx + 200, maxy)], crs=7755)
    square = block.assign(geometry=[outline], area_ha=np.nan)  # the area of the box, not of the block
    dossier = build_dossier(square, None, forest=forest)
    land = {row[0]: row for row in dossier.blocks[0].land.rows}
    assert float(land["Reserved forest"][2]) == pytest.approx(50.0, abs=0.2)
    assert float(land["Protected forest"][2]) == pytest.approx(25.0, abs=0.2)
    assert "Unclassed forest" not in land, "a forest outside the block is not listed"
    assert float(land["Forest land, all"][2]) == pytest.approx(75.0, abs=0.2)
    assert float(land["Non-forest land"][2]) == pytest.approx(25.0, abs=0.2)


def test_sample_forest_split_matches_the_scores_forest_land(scores):
    forest = gpd.read_file(ATLAS / "forest.gpkg")
    dossier = build_dossier(scores, None, forest=forest)
    by_id = scores.set_index("block_id")
    with_forest = [b for b in dossier.blocks if by_id.loc[b.block_id, "forest_ha"] > 0]
    assert with_forest
    for block in with_forest:
        land = {row[0]: float(row[1].replace(",", "")) for row in block.land.rows}
        assert land["Forest land, all"] == pytest.approx(by_id.loc[block.block_id, "forest_ha"], rel=0.01, abs=0.02)
        statuses = [name for name in land if name.endswith("forest") and name != "Forest land, all"]
        assert statuses and sum(land[s] for s in statuses) == pytest.approx(land["Forest land, all"], abs=0.05)


def test_the_key_explains_every_short_reference_and_no_file_of_ours_is_cited(scores, dossier):
    from assessment.rules import load_rules

    rules = load_rules()
    key = dict(dossier.key)
    used = {part.strip() for column in ("gate_stage_rule", "gate_protected_rule", "gate_state_rule")
            for text in scores[column] for part in str(text).split(";") if part.strip()}
    assert used and used <= set(key)
    assert all(key[rule_id] == rules.citation(rule_id) for rule_id in used)
    printed = " ".join(text for block in dossier.blocks for text in block.printed_texts())
    for code in re.findall(r"\b(A[1-9]|J[1-9]|SRK)\b", printed):
        assert code in key, code
    assert "SRK" in key and key["SRK"].startswith("SRK Consulting, Mapping the Indian Resource Classification")
    everything = printed + " ".join(value for _, value in dossier.key)
    assert "DOMAIN" not in everything and "rules.toml" not in everything


def test_what_is_missing_lists_every_failed_gate():
    """A G4 block offered as ML inside a sanctuary fails two gates: both are missing, not only the stage."""
    from tests.assessment.scenario import blocks as scenario_blocks, layer, square as scenario_square

    sanctuary = layer([scenario_square(0, 0, 10)], name=["Test Sanctuary"], pa_type=["wildlife sanctuary"])
    candidates = scenario_blocks([dict(block_id="two-fails", licence="ML", stage="G4", state="Jharkhand",
                                       commodity="Iron", geometry=scenario_square(4, 4))])
    scored = score(candidates, None, protected=sanctuary)
    block = build_dossier(scored, None).blocks[0]
    assert [g.status for g in block.gates][:2] == ["fail", "fail"]
    assert len(block.missing_items) == 2
    assert any("Test Sanctuary" in item for item in block.missing_items)
    assert block.missing_items == json.loads(scored["missing_items"].iloc[0])
