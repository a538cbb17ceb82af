"""The law as it stands, and as it stood: gates applied "as of" a date, on hand-built cases and on
the real critical-mineral tranche blocks of DOMAIN.md §6.2."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from assessment import score
from tests.assessment.scenario import blocks, layer, point, square

TODAY = "2026-12-03"


def one(result, block_id):
    return result.set_index("block_id").loc[block_id]


@pytest.fixture(scope="module")
def sanctuary_with_esz():
    return layer([square(100, 0, 10)], pa_type=["Wildlife Sanctuary"], name=["Saranda"], esz=["yes"])


def test_a_block_half_a_km_from_a_sanctuary_with_a_notified_esz_fails_under_the_saranda_order(sanctuary_with_esz):
    candidate = blocks([dict(block_id="near", licence="CL", stage="G4", geometry=square(97.48))])
    today = one(score(candidate, None, protected=sanctuary_with_esz, as_of=TODAY), "near")
    assert today["protected_km"] == pytest.approx(0.52, abs=0.01)
    assert today["gate_protected"] == "fail" and today["readiness"] == "Not ready"
    assert today["gate_protected_rule"] == "W1; W11"
    assert "In Re: Saranda Wildlife Sanctuary (2025 INSC 1311)" in today["gate_protected_source"]
    assert "no exception for a notified eco-sensitive zone or an inter-state border" in today["gate_protected_source"]
    assert "within the 1 km no-mining zone" in today["gate_protected_finding"]
    assert "Saranda" in today["missing"]
    before = one(score(candidate, None, protected=sanctuary_with_esz, as_of="2025-11-12"), "near")
    assert before["gate_protected"] == "pass" and before["gate_protected_rule"].endswith("W3")


@pytest.mark.parametrize("flag", ["esz", "interstate"])
def test_from_13_november_2025_no_carve_out_spares_a_block(flag):
    park = layer([square(100, 0, 10)], pa_type=["National Park"], name=["Park"], **{flag: ["yes"]})
    candidate = blocks([dict(block_id="b", licence="CL", stage="G4", geometry=square(97.5))])
    on = lambda day: one(score(candidate, None, protected=park, as_of=day), "b")["gate_protected"]  # noqa: E731
    assert [on("2023-04-25"), on("2023-04-26"), on("2025-11-12"), on("2025-11-13")] == ["fail", "pass", "pass", "fail"]


def test_inside_a_notified_esz_fails_wherever_it_is_from_28_april_2023():
    zone = layer([square(50, 0, 20)], pa_type=["Eco-sensitive zone"], name=["Dalma ESZ"])
    candidate = blocks([dict(block_id="b", licence="CL", stage="G4", geometry=square(55))])
    on = lambda day: one(score(candidate, None, protected=zone, as_of=day), "b")  # noqa: E731
    assert on("2023-04-27")["gate_protected"] == "pass"
    inside = on("2023-04-28")
    assert inside["gate_protected"] == "fail" and inside["gate_protected_rule"] == "W4"
    assert "inside the notified eco-sensitive zone Dalma ESZ" in inside["gate_protected_finding"]


@pytest.mark.parametrize("licence, stage, day, expected, rule", [
    ("CL", "G3", "2021-05-31", "pass", "MEMC15-R7"),
    ("CL", "G4", "2021-05-31", "fail", "MEMC15-R7"),
    ("CL", "G4", "2021-06-01", "pass", "MEMC21"),
    ("ML", "G2", "2015-04-16", "fail", ""),
    ("ML", "G2", "2015-04-17", "pass", "MEMC15-R5; AR15-R5"),
    ("ML", "G2", "2024-06-01", "pass", "MEMC15-R5; AR15-R5; MEMC24"),
    ("ML", "G2", TODAY, "pass", "MEMC15-R5; AR15-R5; MEMC24; MMDR25"),
    ("EL", "G4", "2023-08-16", "fail", ""),
    ("EL", "G4", "2023-08-17", "pass", "MMDR23-EL"),
])
def test_the_stage_gate_applies_the_rule_in_force_on_the_date(licence, stage, day, expected, rule):
    candidate = blocks([dict(block_id="b", licence=licence, stage=stage, commodity="Lithium", geometry=square(0))])
    row = one(score(candidate, None, as_of=day), "b")
    assert (row["gate_stage"], row["gate_stage_rule"], row["as_of"]) == (expected, rule, day)
    if not rule:
        assert f"was in force on {day}" in row["gate_stage_finding"]
    assert f"rules applied as of {day}" in row["explanation"]


@pytest.mark.parametrize("code", ["211", "221", "222", "(2,2,2)", "E2F2G2", "332", "331"])
def test_a_mining_lease_block_at_g2_meets_the_evidence_requirement_by_the_g_digit(code):
    candidate = blocks([dict(block_id="b", licence="ML", stage="G2", geometry=square(0))])
    deposits = layer([point(1, 1)], unfc=[code], tonnage_mt=[3.0])
    row = one(score(candidate, deposits), "b")
    assert row["gate_stage"] == "pass", row["gate_stage_finding"]
    assert f"({code})" in row["gate_stage_finding"]


@pytest.mark.parametrize("code", ["333", "334", "G2", "E3F3G4"])
def test_a_mining_lease_block_without_a_g2_resource_class_fails(code):
    candidate = blocks([dict(block_id="b", licence="ML", stage="G2", geometry=square(0))])
    row = one(score(candidate, layer([point(1, 1)], unfc=[code], tonnage_mt=[3.0])), "b")
    assert row["gate_stage"] == "fail"
    assert "Indicated (332) or better resource" in row["missing"]


def test_critical_minerals_come_from_the_block_commodity_without_any_deposits():
    candidate = blocks([dict(block_id="li", licence="CL", stage="G4", commodity="Lithium; Tantalum", geometry=square(0))])
    row = one(score(candidate, None), "li")
    assert row["critical_minerals"] == "Lithium;Tantalum"
    assert json.loads(row["critical_minerals_from"]) == {"Lithium": ["block commodity"], "Tantalum": ["block commodity"]}
    assert row["authority"] == "Centre"


def test_critical_minerals_say_where_each_came_from():
    candidate = blocks([dict(block_id="b", commodity="Lithium", geometry=square(0))])
    deposits = layer([point(1, 1), point(1.5, 1.5)], commodity=["Li", "REE"])
    origins = json.loads(one(score(candidate, deposits), "b")["critical_minerals_from"])
    assert origins == {"Lithium": ["block commodity", "deposits inside"], "REE": ["deposits inside"]}


def test_a_block_listed_in_the_wrong_state_is_told_where_it_lies():
    states = layer([square(0, 0, 50), square(50, 0, 50)], st_nm=["Jharkhand", "Odisha"])
    candidate = blocks([dict(block_id="b", licence="CL", stage="G4", state="Odisha", geometry=square(10))])
    row = one(score(candidate, None, boundaries=states), "b")
    assert row["gate_state"] == "fail" and row["state_found"] == "Jharkhand" and row["state_inside_pct"] == 0
    assert row["gate_state_finding"] == ("Only 0.0 % of the block lies in Odisha, the state it is listed for; it lies in "
                                         "Jharkhand (100.0 %).")
    assert row["missing"] == "the block's state must be corrected to Jharkhand, where it lies"


def test_missing_lists_every_failed_gate(sanctuary_with_esz):
    states = layer([square(0, 0, 200), square(300, 0, 50)], st_nm=["Jharkhand", "Odisha"])
    candidate = blocks([dict(block_id="b", licence="ML", stage="G3", state="Odisha", geometry=square(97.5))])
    row = one(score(candidate, None, protected=sanctuary_with_esz, boundaries=states), "b")
    assert (row["gate_stage"], row["gate_protected"], row["gate_state"]) == ("fail", "fail", "fail")
    items = json.loads(row["missing_items"])
    assert len(items) == 3 and row["missing"] == "; ".join(items)
    assert "General Exploration (G2)" in items[0] and "Saranda" in items[1] and "Jharkhand" in items[2]


# ----- the real tranche blocks (DOMAIN.md §6.2), as small squares in their districts or states -----

#: (block, state, district or "", minerals, licence offered or "", stage reported or "", tranche launch date)
TRANCHE_BLOCKS = [
    ("Salal-Haimana", "Jammu & Kashmir", "Reasi", "Lithium; Titanium; Bauxite", "CL", "G3", "2023-11-29"),
    ("Katghora", "Chhattisgarh", "Korba", "Lithium; REE", "CL", "G4", "2023-11-29"),
    ("Babja", "Odisha", "", "Graphite; Manganese", "ML", "", "2023-11-29"),
    ("Biarpalli", "Odisha", "", "Graphite; Manganese", "ML", "", "2023-11-29"),
    ("Dudhiasol East", "Odisha", "", "Nickel; Copper", "ML", "", "2023-11-29"),
    ("Marudipatti (Central)", "Tamil Nadu", "", "Molybdenum", "ML", "", "2023-11-29"),
    ("Kundol", "Gujarat", "", "Nickel; Chromium", "", "", "2023-11-29"),
    ("Muskaniya-Gareriatola-Barwari", "Jharkhand", "", "Potash", "CL", "", "2024-03-14"),
    ("Kurunjakulam", "Tamil Nadu", "", "Graphite", "CL", "", "2024-03-14"),
    ("Katesar-Guneri", "Gujarat", "", "Glauconite", "", "", "2025-01-28"),
    ("Kelenda", "Chhattisgarh", "", "Glauconite", "", "", "2025-01-28"),
    ("Holalkere-Doddaghatta", "Karnataka", "", "Nickel; PGE", "", "", "2025-01-28"),
    ("Khobna & Agargaon cluster", "Maharashtra", "", "Tungsten", "", "", "2025-01-28"),
    ("Mincheri", "Karnataka", "", "REE", "", "", "2025-01-28"),
]


@pytest.fixture(scope="module")
def states(external):
    return gpd.read_file(external / "datta07-indian-shapefiles" / "INDIA" / "INDIA_STATES.geojson")


@pytest.fixture(scope="module")
def tranche(external, states):
    """A 1 km square per block at a point inside its district (where the sources name one) or
    its state, blocks of one state a few km apart."""
    districts = gpd.read_file(external / "india-in-data-kashmir" / "india_districts_ladakh_ut.geojson")
    districts = districts[districts.geometry.notna()]
    placed = {}
    rows = []
    for name, state, district, minerals, licence, stage, launched in TRANCHE_BLOCKS:
        if district:
            area = districts[districts["district"] == district].geometry
        else:
            area = states[states["STNAME"] == state.upper()].geometry
        anchor = shapely.make_valid(area.union_all()).representative_point()
        offset = 0.03 * placed.setdefault(state, 0)
        placed[state] += 1
        x, y = anchor.x + offset, anchor.y
        rows.append(dict(block_id=name, state=state, district=district, commodity=minerals, licence=licence,
                         stage=stage, launched=launched,
                         geometry=shapely.box(x - 0.0045, y - 0.0045, x + 0.0045, y + 0.0045)))
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_every_offered_tranche_block_passes_the_stage_gate_of_its_licence_on_its_tranche_date(tranche, states):
    for launched, offered in tranche.groupby("launched"):
        result = score(offered, None, boundaries=states, as_of=launched).set_index("block_id")
        for name, row in result.iterrows():
            assert row["gate_state"] == "pass", (name, row["gate_state_finding"])
            assert row["gate_stage"] != "fail", (name, row["gate_stage_finding"])
            if row["input_stage"] and row["input_licence"]:
                assert row["gate_stage"] == "pass", (name, row["gate_stage_finding"])
    salal = score(tranche[tranche.block_id == "Salal-Haimana"], None, as_of="2023-11-29").iloc[0]
    assert salal["gate_stage"] == "pass" and salal["gate_stage_rule"] == "MEMC21"


def test_the_centre_auctions_every_part_d_tranche_block_offered_as_ml_or_cl(tranche, states):
    result = score(tranche, None, boundaries=states, as_of=TODAY).set_index("block_id")
    expected = {name: ("Centre" if licence in ("ML", "CL") else "Centre if offered as ML or CL; State if offered as EL")
                for name, _, _, _, licence, _, _ in TRANCHE_BLOCKS}
    assert result["authority"].to_dict() == expected
    assert result["authority_source"].str.contains("s.11D").all()


def test_the_dossier_of_a_block_in_the_wrong_state_does_not_print_the_listed_state_as_right():
    from assessment.report import build_dossier

    states = layer([square(0, 0, 50), square(50, 0, 50)], st_nm=["Jharkhand", "Odisha"])
    candidates = blocks([dict(block_id="wrong", licence="CL", stage="G4", state="Odisha", geometry=square(10)),
                         dict(block_id="right", licence="CL", stage="G4", state="Jharkhand", geometry=square(20))])
    dossier = build_dossier(score(candidates, None, boundaries=states), None)
    place = {block.block_id: dict(block.facts)["State"] for block in dossier.blocks}
    assert place == {"wrong": "listed as Odisha, but the block lies in Jharkhand (0.0 % of it lies in Odisha)",
                     "right": "Jharkhand"}
