"""Gates and conditions of the readiness model, one hand-built scenario per rule (DOMAIN.md A4, A5)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from assessment import score
from tests.assessment.scenario import blocks, layer, point, square


def one(result, block_id):
    return result.set_index("block_id").loc[block_id]


def test_stage_gate_per_licence():
    candidates = blocks([
        dict(block_id="ml_g3", licence="ML", stage="G3", commodity="Lithium", geometry=square(0)),
        dict(block_id="cl_g4", licence="CL", stage="G4", commodity="Graphite", geometry=square(10)),
        dict(block_id="ml_g2", licence="ML", stage="G2", commodity="Copper", geometry=square(20)),
        dict(block_id="el_li", licence="EL", stage="G4", commodity="Li", geometry=square(30)),
        dict(block_id="el_fe", licence="EL", stage="G4", commodity="Iron ore", geometry=square(40)),
        dict(block_id="cl_none", licence="Composite Licence", stage=None, commodity="REE", geometry=square(50)),
    ])
    result = score(candidates, None)
    ml_g3 = one(result, "ml_g3")
    assert ml_g3["gate_stage"] == "fail" and ml_g3["readiness"] == "Not ready"
    assert ml_g3["missing"] == "General Exploration (G2) is needed for a mining lease; the block is at G3"
    assert ml_g3["licence_now"] == "CL"
    assert ml_g3["gate_stage_rule"].startswith("MEMC15-R5")
    assert "Minerals (Evidence of Mineral Contents) Rules 2015 (notified 17 Apr 2015), r.5" in ml_g3["gate_stage_source"]
    assert ml_g3["gate_stage_finding"] == ("For a mining lease, the block is at G3; a mining lease needs General "
                                           "Exploration (G2) or better.")
    cl_g4 = one(result, "cl_g4")
    assert cl_g4["gate_stage"] == "pass" and cl_g4["missing"] == "" and cl_g4["licence_now"] == "CL"
    ml_g2 = one(result, "ml_g2")  # no resource column anywhere: passes on stage, with a note
    assert ml_g2["gate_stage"] == "pass" and ml_g2["licence_now"] == "ML"
    assert "no resource classes are reported" in ml_g2["gate_stage_finding"]
    assert one(result, "el_li")["gate_stage"] == "pass"
    el_fe = one(result, "el_fe")
    assert el_fe["gate_stage"] == "fail" and "Seventh Schedule" in el_fe["missing"]
    cl_none = one(result, "cl_none")
    assert cl_none["licence"] == "CL" and cl_none["gate_stage"] == "unknown" and pd.isna(cl_none["stage"])
    assert cl_none["readiness"] == "Ready with conditions"  # an unchecked gate is a condition


def test_mining_lease_needs_an_indicated_resource_when_resources_are_reported():
    candidates = blocks([
        dict(block_id="indicated", licence="ML", stage="G2", geometry=square(0)),
        dict(block_id="inferred", licence="ML", stage="G2", geometry=square(10)),
    ])
    deposits = layer([point(1, 1), point(11, 1)], unfc=["332", "333"], tonnage_mt=[4.0, 9.0])
    result = score(candidates, deposits)
    assert one(result, "indicated")["gate_stage"] == "pass"
    assert "geological level G2 reported (332)" in one(result, "indicated")["gate_stage_finding"]
    inferred = one(result, "inferred")
    assert inferred["gate_stage"] == "fail"
    assert inferred["missing"].startswith("an Indicated (332) or better resource must be established")


def test_composite_licence_passes_on_identified_potentiality():
    candidates = blocks([dict(block_id="p", licence="CL", potentiality="yes", geometry=square(0))])
    result = score(candidates, None)
    assert one(result, "p")["gate_stage"] == "pass"
    assert "mineral potentiality is identified" in one(result, "p")["gate_stage_finding"]


def test_blocks_without_licence_are_judged_for_all_three():
    candidates = blocks([dict(block_id="a", stage="G3", commodity="Lithium", geometry=square(0))])
    row = one(score(candidates, None), "a")
    assert row["licence"] == "" and row["licence_now"] == "CL" and row["gate_stage"] == "pass"
    assert row["gate_stage_finding"].startswith("No intended licence is given, so the block was judged for all three licences")
    assert row["missing"] == "General Exploration (G2) is needed for a mining lease; the block is at G3"


def test_stage_comes_from_the_most_advanced_deposit_when_the_block_has_none():
    candidates = blocks([dict(block_id="a", licence="ML", geometry=square(0))])
    deposits = layer([point(0.5, 0.5), point(1.5, 1.5)], stage=["G3", "G2"])
    row = one(score(candidates, deposits), "a")
    assert row["stage"] == "G2" and row["gate_stage"] == "pass"
    assert "most advanced deposit inside the block" in row["explanation"]


def test_protected_area_distances_fail_or_raise_the_nbwl_condition():
    sanctuary = layer([square(100, 0, 10)], pa_type=["Wildlife Sanctuary"], name=["Dalma"])
    candidates = blocks([
        dict(block_id="inside", licence="CL", stage="G4", geometry=square(104)),        # within the sanctuary
        dict(block_id="half_km", licence="CL", stage="G4", geometry=square(97.5)),      # 0.5 km west of it
        dict(block_id="five_km", licence="CL", stage="G4", geometry=square(93)),        # 5 km west of it
        dict(block_id="far", licence="CL", stage="G4", geometry=square(80)),            # 18 km west of it
    ])
    result = score(candidates, None, protected=sanctuary)
    inside = one(result, "inside")
    assert inside["gate_protected"] == "fail" and inside["protected_inside_ha"] > 390
    assert inside["protected_km"] == 0 and inside["licence_now"] == "none"
    assert inside["gate_protected_finding"] == (f"{inside['protected_inside_ha']:,.1f} ha of the block lies inside Dalma, "
                                                "a national park or wildlife sanctuary.")
    half = one(result, "half_km")
    assert half["gate_protected"] == "fail" and half["protected_km"] == pytest.approx(0.5, rel=0.005)
    assert half["gate_protected_rule"] == "W1; W11" and "Saranda" in half["gate_protected_source"]
    assert half["nearest_protected_name"] == "Dalma"
    five = one(result, "five_km")
    assert five["gate_protected"] == "pass" and five["protected_km"] == pytest.approx(5.0, rel=0.005)
    assert five["readiness"] == "Ready with conditions"
    [condition] = [c for c in json.loads(five["conditions"]) if c["rule"] == "W6"]
    assert "Standing Committee of the National Board for Wildlife" in condition["text"] and "Dalma" in condition["text"]
    assert condition["rule"] == "W6" and "21 Jan 2002" in condition["source"]
    far = one(result, "far")
    assert far["gate_protected"] == "pass" and "National Board for Wildlife" not in far["explanation"]


def test_notified_esz_replaces_the_one_km_default_and_fails_inside():
    areas = layer([square(100, 0, 10), square(99.8, 0, 0.2)], pa_type=["National Park", "Eco-sensitive zone"],
                  esz=["yes", None])
    candidates = blocks([
        dict(block_id="near", licence="CL", stage="G4", geometry=square(97.5)),   # 0.5 km from the park, 0.3 km from the ESZ
        dict(block_id="in_esz", licence="CL", stage="G4", geometry=square(97.9)),  # overlaps the ESZ strip
    ])
    before = score(candidates, None, protected=areas, as_of="2025-06-01")
    near = one(before, "near")
    assert near["gate_protected"] == "pass" and near["gate_protected_rule"].endswith("W3")
    assert "has a notified eco-sensitive zone or lies on an inter-state border" in near["gate_protected_finding"]
    in_esz = one(before, "in_esz")
    assert in_esz["gate_protected"] == "fail" and in_esz["gate_protected_rule"] == "W4"
    assert "inside the notified eco-sensitive zone" in in_esz["gate_protected_finding"]


def test_protected_layer_without_type_column_treats_every_feature_as_np_ws():
    areas = layer([square(100, 0, 10)])
    row = one(score(blocks([dict(block_id="a", geometry=square(97.5))]), None, protected=areas), "a")
    assert row["gate_protected"] == "fail"
    assert "no type column, so every feature is treated as a national park or wildlife sanctuary" in row["gate_protected_finding"]


def test_state_gate_uses_the_boundaries_layer():
    states = layer([square(0, 0, 50), square(50, 0, 50)], st_nm=["Jharkhand", "Odisha"])
    candidates = blocks([
        dict(block_id="in", state="JHARKHAND", geometry=square(10)),
        dict(block_id="across", state="Jharkhand", geometry=square(49)),   # half in each state
        dict(block_id="unlisted", state="Goa", geometry=square(20)),
        dict(block_id="blank", state=None, geometry=square(30)),
    ])
    result = score(candidates, None, boundaries=states)
    assert one(result, "in")["gate_state"] == "pass"
    across = one(result, "across")
    assert across["gate_state"] == "fail" and "50.0 % of the block lies in Jharkhand" in across["gate_state_finding"]
    assert one(result, "unlisted")["gate_state"] == "unknown"
    assert one(result, "blank")["gate_state"] == "unknown"
    assert one(score(candidates, None), "in")["gate_state"] == "unknown"


def test_forest_condition_and_readiness_classes():
    forest = layer([square(0, 0, 1)])
    candidates = blocks([
        dict(block_id="forest", licence="CL", stage="G4", state="X", geometry=square(0)),
        dict(block_id="clear", licence="CL", stage="G4", state="X", geometry=square(10)),
    ])
    states = layer([square(-5, -5, 30)], state=["X"])
    result = score(candidates, None, forest=forest, protected=layer([square(200, 0, 1)]), boundaries=states)
    assert one(result, "forest")["readiness"] == "Ready with conditions"
    [condition] = json.loads(one(result, "forest")["conditions"])
    assert "prior approval of the Central Government" in condition["text"]
    assert condition["rule"] == "F1; F5" and "Van (Sanrakshan Evam Samvardhan) Adhiniyam" in condition["source"]
    assert one(result, "clear")["readiness"] == "Ready"


def test_a_block_without_geometry_leaves_the_spatial_gates_unknown():
    from shapely.geometry import Polygon
    candidates = blocks([dict(block_id="nowhere", licence="CL", stage="G4", state="X", geometry=Polygon()),
                         dict(block_id="placed", licence="CL", stage="G4", state="X", geometry=square(20))])
    result = score(candidates, None, forest=layer([square(0, 0, 50)]), protected=layer([square(100, 0, 5)]),
                   boundaries=layer([square(-5, -5, 60)], state=["X"]), infrastructure=[("rail", layer([point(9, 9)]))])
    nowhere = one(result, "nowhere")
    assert (nowhere["gate_stage"], nowhere["gate_protected"], nowhere["gate_state"]) == ("pass", "unknown", "unknown")
    for criterion in ("forest", "protected", "infrastructure"):
        assert np.isnan(nowhere[f"s_{criterion}"]), criterion
    assert pd.isna(nowhere["forest_ha"]) and pd.isna(nowhere["protected_km"]) and pd.isna(nowhere["infra_rail_km"])
    assert nowhere["gate_protected_finding"] == "The block has no geometry, so it cannot be placed on the map."
    assert "no national park or wildlife sanctuary" not in nowhere["explanation"]
    placed = one(result, "placed")
    assert (placed["gate_protected"], placed["gate_state"], placed["forest_pct"]) == ("pass", "pass", 100.0)


@pytest.mark.parametrize("role", ["blocks", "forest", "protected", "boundaries"])
def test_areal_layers_holding_points_are_refused(role):
    from geo.errors import GeometryError
    candidates = blocks([dict(block_id="a", geometry=square(0))])
    points = layer([point(1, 1), point(5, 5)])
    layers = dict(forest=None, protected=None, boundaries=None)
    if role == "blocks":
        candidates = points
    else:
        layers[role] = points
    with pytest.raises(GeometryError, match="must hold polygons, but it holds Point geometries"):
        score(candidates, None, **layers)


def test_auctioning_authority_is_the_centre_for_part_d_minerals_under_ml_or_cl():
    candidates = blocks([
        dict(block_id="li_cl", licence="CL", stage="G3", commodity="Lithium", geometry=square(0)),
        dict(block_id="li_el", licence="EL", stage="G4", commodity="Lithium", geometry=square(10)),
        dict(block_id="cu_ml", licence="ML", stage="G2", commodity="Copper", geometry=square(20)),
        dict(block_id="none", licence="CL", stage="G3", commodity=None, geometry=square(30)),
        dict(block_id="li_any", stage="G3", commodity="Lithium", geometry=square(40)),
    ])
    result = score(candidates, None)
    who = {block: one(result, block)["authority"] for block in ("li_cl", "li_el", "cu_ml", "none", "li_any")}
    assert who == {"li_cl": "Centre", "li_el": "State", "cu_ml": "State", "none": "",
                   "li_any": "Centre if offered as ML or CL; State if offered as EL"}
    assert "s.11D" in one(result, "li_cl")["authority_source"]
    assert one(result, "li_el")["authority_finding"].startswith("The State Government auctions the block: it is offered "
                                                                 "as an exploration licence")
    assert "cannot be determined" in one(result, "none")["authority_finding"]


def test_before_section_11d_a_state_auctions_part_d_minerals_too():
    candidates = blocks([dict(block_id="li_cl", licence="CL", stage="G3", commodity="Lithium", geometry=square(0))])
    row = one(score(candidates, None, as_of="2023-01-01"), "li_cl")
    assert row["authority"] == "State" and row["as_of"] == "2023-01-01"
    assert "on 2023-01-01 the Centre did not yet auction Part D minerals" in row["authority_finding"]


def test_the_rules_file_date_is_used_when_the_run_names_none(tmp_path):
    from assessment.rules import DEFAULT_RULES_PATH, load_rules

    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace('as_of = "today"', "as_of = 2023-01-01", 1)
    (tmp_path / "before.toml").write_text(text, encoding="utf-8")
    candidates = blocks([dict(block_id="li_cl", licence="CL", stage="G3", commodity="Lithium", geometry=square(0))])
    rules = load_rules(tmp_path / "before.toml")
    assert one(score(candidates, None, rules=rules), "li_cl")["as_of"] == "2023-01-01"
    assert one(score(candidates, None, rules=rules, as_of="2024-06-01"), "li_cl")["as_of"] == "2024-06-01"


def test_the_explanation_cites_the_law_after_each_whole_finding():
    from assessment.report import GATES
    from assessment.score_inputs import read_layer
    from layers.atlas import sample_role_paths

    roles = sample_role_paths()
    candidates = read_layer(roles["blocks"], "blocks", polygons=True).drop(columns="licence")  # judged for all three
    result = score(candidates, read_layer(roles["deposits"], "deposits"),
                   protected=read_layer(roles["protected_areas"], "protected areas", polygons=True),
                   as_of="2026-12-01")
    several = 0
    for _, row in result.iterrows():
        for column, label in GATES:
            finding = row[f"{column}_finding"].rstrip(".")
            several += finding.count(". ") > 0
            assert f"{label} gate: {row[column]} — {finding}. Law: {row[f'{column}_source']}." in row["explanation"]
    assert several  # findings of more than one sentence are among them
