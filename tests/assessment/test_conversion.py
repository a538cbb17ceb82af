"""Conversion rules of DOMAIN.md A1–A3, the JSON shape, round trips, and the property that no
conversion ever raises confidence (DOMAIN.md A2), checked over every input."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.conversion import TARGETS, claim_of, convert, permit_of, stage_of, within
from assessment.notation import classification_data, parse
from geo.errors import ClassificationError

INDIA = ("111", "121", "122", "211", "221", "222", "331", "332", "333", "334")
JORC = ("Proved Ore Reserve", "Probable Ore Reserve", "Measured Mineral Resource", "Indicated Mineral Resource",
        "Inferred Mineral Resource", "Exploration Target", "Exploration Results")
STAGES = ("G1", "G2", "G3", "G4")
UNFC_MAIN = tuple(f"E{e}F{f}G{g}" for e in (1, 2, 3) for f in (1, 2, 3, 4) for g in (1, 2, 3, 4))
EVERY_CATEGORY = INDIA + JORC + STAGES + UNFC_MAIN


def results(conversion):
    return [conversion.result] * (conversion.result is not None) + [a["result"] for a in conversion.alternatives]


# ----- DOMAIN.md A1: India → JORC, row by row ----------------------------------------------

@pytest.mark.parametrize("code, result, status, alternatives, note_words", [
    ("111", "Proved Ore Reserve", "exact", [], "Proved"),
    ("121", "Probable Ore Reserve", "ambiguous", ["Proved Ore Reserve"], "Modifying-Factor"),
    ("122", "Probable Ore Reserve", "exact", [], "Indicated-level"),
    ("211", None, "no_equivalent", [], "Measured level (G1)"),
    ("221", None, "no_equivalent", [], "Measured level (G1)"),
    ("222", None, "no_equivalent", [], "Indicated level (G2)"),
    ("331", "Measured Mineral Resource", "ambiguous", [], "threshold-value"),
    ("332", "Indicated Mineral Resource", "ambiguous", [], "threshold-value"),
    ("333", "Inferred Mineral Resource", "ambiguous", [], "threshold-value"),
    ("334", None, "no_equivalent", ["Exploration Target", "Exploration Results"], "not a Mineral Resource"),
])
def test_domain_a1_india_to_jorc(code, result, status, alternatives, note_words):
    conversion = convert(code, to="jorc")
    assert (conversion.notation, conversion.result, conversion.status) == ("india", result, status)
    assert [a["result"] for a in conversion.alternatives] == alternatives
    assert all(a["condition"] for a in conversion.alternatives)
    assert note_words in conversion.note and "MEMC Rules 2015 r.3(g)" in conversion.note
    assert convert(code).to_dict() == conversion.to_dict()  # JORC is the default target


@pytest.mark.parametrize("code", ["112", "123", "341", "000", "999"])
def test_domain_a1_any_other_three_digit_code_is_invalid(code):
    conversion = convert(code)
    assert (conversion.notation, conversion.result, conversion.status) == ("invalid", None, "invalid")
    assert code in conversion.note and "ten" in conversion.note


# ----- DOMAIN.md A2: JORC → India ---------------------------------------------------------

@pytest.mark.parametrize("name, result, status, alternatives, note_words", [
    ("Proved Ore Reserve", "111", "ambiguous", ["121"], "feasibility study"),
    ("Probable Ore Reserve", "122", "ambiguous", ["121"], "Indicated"),
    ("Measured Mineral Resource", "331", "ambiguous", ["211", "221"], "uneconomic"),
    ("Indicated Mineral Resource", "332", "ambiguous", ["222"], "uneconomic"),
    ("Inferred Mineral Resource", "333", "exact", [], "333"),
    ("Exploration Target", "334", "ambiguous", [], "not one"),
    ("Exploration Results", "334", "ambiguous", [], "not one"),
])
def test_domain_a2_jorc_to_india(name, result, status, alternatives, note_words):
    conversion = convert(name, to="india")
    assert (conversion.notation, conversion.result, conversion.status) == ("jorc", result, status)
    assert [a["result"] for a in conversion.alternatives] == alternatives
    assert note_words in conversion.note and "JORC Code 2012" in conversion.note
    assert convert(name).result == result  # India is the default target for JORC names


def test_proved_to_india_says_when_it_is_not_expressible():
    conversion = convert("Proved Ore Reserve", to="india")
    assert "not expressible" in conversion.note and "derived" in conversion.note
    assert "pre-feasibility" in conversion.alternatives[0]["condition"]


def test_probable_alternative_names_the_geological_level():
    assert "Measured" in convert("Probable", to="india").alternatives[0]["condition"]


# ----- DOMAIN.md A3: UNFC-2009/2019 ⇄ CRIRSCO (default mapping, unverified) -------------------

@pytest.mark.parametrize("name, code, status", [
    ("Proved Ore Reserve", "E1F1G1", "exact"), ("Probable Ore Reserve", "E1F1G2", "ambiguous"),
    ("Measured Mineral Resource", "E2F2G1", "exact"), ("Indicated Mineral Resource", "E2F2G2", "exact"),
    ("Inferred Mineral Resource", "E2F2G3", "exact"), ("Exploration Results", "E3F3G4", "exact"),
])
def test_jorc_to_unfc_default_mapping_is_marked_unverified(name, code, status):
    conversion = convert(name, to="unfc")
    assert (conversion.result, conversion.status) == (code, status)
    assert "unverified" in conversion.note


def test_probable_to_unfc_offers_g1_when_from_measured():
    assert convert("Probable Ore Reserve", to="unfc").alternatives[0]["result"] == "E1F1G1"


@pytest.mark.parametrize("code, result, status", [
    ("E1F1G1", "Probable Ore Reserve", "ambiguous"), ("E1F1G2", "Probable Ore Reserve", "exact"),
    ("E2F2G1", "Measured Mineral Resource", "exact"), ("E2F2G2", "Indicated Mineral Resource", "exact"),
    ("E2F2G3", "Inferred Mineral Resource", "exact"), ("E3F3G4", "Exploration Results", "ambiguous"),
    ("E1F1G3", "Inferred Mineral Resource", "ambiguous"), ("E1F2G1", "Measured Mineral Resource", "ambiguous"),
    ("E3F3G1", None, "no_equivalent"), ("E1 F4 G2", None, "no_equivalent"),
])
def test_unfc_to_jorc(code, result, status):
    conversion = convert(code)
    assert (conversion.notation, conversion.result, conversion.status) == ("unfc", result, status)
    assert "unverified" in conversion.note


@pytest.mark.parametrize("code", UNFC_MAIN + ("E1.1F2.2G1", "E3.2F3G4.1"))
def test_every_unfc_conversion_to_jorc_or_india_says_unverified(code):
    for to in ("jorc", "india"):
        assert "unverified" in convert(code, to=to).note


def test_subclasses_do_not_change_the_mapping_and_are_named_in_the_note():
    plain, sub = convert("E1F2G1"), convert("E1.1 F2.2 G1")
    assert (plain.result, plain.status) == (sub.result, sub.status)
    assert sub.note.startswith("E1.1F2.2G1: ")


# ----- India ⇄ UNFC lettered -----------------------------------------------------------------

def test_india_121_is_not_unfc_2009_e1f2g1():
    conversion = convert("121", to="unfc")
    assert conversion.result == "E1F1G1" and conversion.status == "ambiguous"
    assert "not UNFC-2009's E1F2G1" in conversion.note and "unverified" in conversion.note
    assert convert("E1F2G1", to="india").result != "121"


@pytest.mark.parametrize("code, result, status", [
    ("111", "E1F1G1", "exact"), ("121", "E1F1G1", "ambiguous"), ("122", "E1F1G2", "ambiguous"),
    ("211", None, "no_equivalent"), ("221", None, "no_equivalent"), ("222", None, "no_equivalent"),
    ("331", "E2F2G1", "ambiguous"), ("332", "E2F2G2", "ambiguous"), ("333", "E2F2G3", "ambiguous"),
    ("334", "E3F3G4", "ambiguous"),
])
def test_india_to_unfc_goes_through_crirsco(code, result, status):
    conversion = convert(code, to="unfc")
    assert (conversion.result, conversion.status) == (result, status)


@pytest.mark.parametrize("code, result", [
    ("E1F1G1", "121"), ("E1F1G2", "122"), ("E2F2G1", "331"), ("E2F2G2", "332"), ("E2F2G3", "333"),
    ("E3F3G4", "334"), ("E3F3G2", "332"), ("E1F1G3", "333"),
])
def test_unfc_to_india(code, result):
    conversion = convert(code, to="india")
    assert conversion.result == result and conversion.status == "ambiguous"


# ----- stages --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, stage", [
    ("111", "G1"), ("121", "G1"), ("122", "G2"), ("222", "G2"), ("333", "G3"), ("334", "G4"), ("(3,3,2)", "G2"),
    ("E1F1G1", "G1"), ("E2 F2 G3", "G3"), ("E3.2F3G4.1", "G4"), ("G3", "G3"), ("g2", "G2"),
    ("Measured", "G1"), ("Indicated Mineral Resource", "G2"), ("inferred", "G3"), ("Exploration Target", "G4"),
    ("Exploration Results", "G4"), ("Proven Reserve", "G1"), ("Probable", "G2"),
    ("junk", None), ("", None), (None, None), ("999", None), ("E1F1", None),
])
def test_stage_of_every_notation(value, stage):
    assert stage_of(value) == stage
    conversion = convert(value, to="stage")
    assert conversion.result == stage


def test_probable_to_stage_is_g2_with_g1_as_the_alternative():
    conversion = convert("Probable Ore Reserve", to="stage")
    assert (conversion.result, conversion.status) == ("G2", "ambiguous")
    assert conversion.alternatives == [{"result": "G1", "condition": conversion.alternatives[0]["condition"]}]
    assert "Measured" in conversion.alternatives[0]["condition"]


@pytest.mark.parametrize("stage, jorc, india", [
    ("G1", "Measured Mineral Resource", "331"), ("G2", "Indicated Mineral Resource", "332"),
    ("G3", "Inferred Mineral Resource", "333"), ("G4", "Exploration Target", "334"),
])
def test_bare_stage_converts_at_most_to_the_resource_of_its_level(stage, jorc, india):
    assert convert(stage).result == jorc
    assert convert(stage, to="india").result == india
    assert convert(stage, to="unfc").result == stage


# ----- the no-raise-confidence property -------------------------------------------------------

def assert_never_raises_confidence(value, to):
    conversion = convert(value, to=to)
    permit = permit_of(value)
    for candidate in results(conversion):
        claim = claim_of(candidate)
        assert claim is not None, f"{value} → {to}: {candidate!r} is not itself a readable category"
        assert within(claim, permit), f"{value} → {to}: {candidate} claims {claim}, input permits {permit}"


@pytest.mark.parametrize("to", TARGETS)
@pytest.mark.parametrize("value", EVERY_CATEGORY)
def test_no_conversion_of_any_category_raises_confidence(value, to):
    assert_never_raises_confidence(value, to)


def unfc_codes():
    subclass = st.one_of(st.just(""), st.integers(1, 3).map(lambda n: f".{n}"))
    sep = st.sampled_from(["", " ", ".", ";", ", "])
    return st.builds(lambda e, es, f, fs, g, gs, s: f"E{e}{es}{s}F{f}{fs}{s}G{g}{gs}",
                     st.integers(1, 3), subclass, st.integers(1, 4), subclass, st.integers(1, 4), subclass, sep)


def spellings():
    aliases = [a for c in classification_data()["category"] for a in c.get("aliases", [])]
    return st.one_of(
        st.sampled_from(INDIA).map(lambda c: st.sampled_from([c, f"({c[0]},{c[1]},{c[2]})", f"{c}.0", " ".join(c)])).flatmap(lambda s: s),
        st.sampled_from(aliases).flatmap(lambda a: st.sampled_from([a, a.upper(), a.title(), f"  {a}  "])),
        unfc_codes(), st.sampled_from(STAGES), st.text(max_size=12),
    )


@settings(max_examples=400, deadline=None)
@given(value=spellings(), to=st.sampled_from(TARGETS))
def test_property_no_conversion_raises_confidence(value, to):
    conversion = convert(value, to=to)
    assert conversion.status in ("exact", "ambiguous", "no_equivalent", "invalid")
    assert conversion.note.endswith(".")
    if not parse(value).valid:
        assert (conversion.status, conversion.result, conversion.alternatives) == ("invalid", None, [])
        return
    assert_never_raises_confidence(value, to)


@pytest.mark.parametrize("to", TARGETS)
def test_the_jorc_constraints_by_name(to):
    reserve = ("Proved Ore Reserve", "Probable Ore Reserve", "111", "121", "122")
    for value in ("Inferred", "333", "G3", "E2F2G3", "E1F1G3"):
        assert not any(stage_of(r) in ("G1", "G2") or r in reserve for r in results(convert(value, to=to)))
    for value in ("Indicated", "332", "E2F2G2"):
        assert not any(r in ("Proved Ore Reserve", "111", "G1") for r in results(convert(value, to=to)))
    tonnage_bearing = {"Measured Mineral Resource", "Indicated Mineral Resource", "Inferred Mineral Resource", *reserve,
                       "211", "221", "222", "331", "332", "333"}
    for value in ("Exploration Target", "334", "G4", "E3F3G4"):
        found = results(convert(value, to=to))
        assert not tonnage_bearing & set(found)
        assert all(stage_of(r) == "G4" for r in found)


# ----- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("code", INDIA)
def test_round_trip_india_jorc_india(code):
    there = convert(code, to="jorc")
    if there.status == "no_equivalent" and not there.alternatives:
        assert code in ("211", "221", "222")
        assert code in sum((results(convert(name, to="india")) for name in JORC), [])
        return
    back = [results(convert(candidate, to="india")) for candidate in results(there)]
    assert any(code in candidates for candidates in back)
    if there.result:
        assert code in results(convert(there.result, to="india"))


@pytest.mark.parametrize("name", JORC)
@pytest.mark.parametrize("via", ["india", "unfc"])
def test_round_trip_jorc_there_and_back(name, via):
    there = convert(name, to=via)
    assert any(name in results(convert(candidate, to="jorc")) for candidate in results(there))


# ----- the Conversion object and its JSON -----------------------------------------------------

def test_json_shape_is_exactly_the_cli_contract():
    payload = convert("121").to_dict()
    assert list(payload) == ["input", "notation", "result", "status", "alternatives", "note"]
    assert payload["input"] == "121" and payload["notation"] == "india"
    assert all(list(a) == ["result", "condition"] for a in payload["alternatives"])
    assert json.loads(json.dumps(payload)) == payload
    invalid = convert("E1F1").to_dict()
    assert invalid["result"] is None and invalid["alternatives"] == [] and invalid["status"] == "invalid"


def test_identity_conversion_is_canonical_and_exact():
    conversion = convert("proven reserve", to="jorc")
    assert (conversion.result, conversion.status) == ("Proved Ore Reserve", "exact")
    assert convert("(3,3,1)", to="india").result == "331"
    assert convert("e1.1 f2 g1", to="unfc").result == "E1.1F2G1"


def test_unknown_target_is_a_classification_error():
    with pytest.raises(ClassificationError, match="targets are"):
        convert("331", to="nrc")


# ----- the data carries its sources -----------------------------------------------------------

def test_every_row_of_the_data_has_a_source_and_a_known_status():
    data = classification_data()
    for row in data["category"] + data["conversion"] + data["unfc"]:
        assert row["source"].strip()
    rows = data["conversion"] + [r["to"][t] for r in data["unfc"] for t in ("jorc", "india")]
    for row in rows:
        assert row["status"] in ("exact", "ambiguous", "no_equivalent")
        assert (row["result"] == "") == (row["status"] == "no_equivalent")
    for row in data["conversion"]:
        uses_default_mapping = "unfc" in (row["to"], row["from"].split(":")[0]) and row["result"]
        assert row.get("unverified", False) == bool(uses_default_mapping), row["from"]


def test_every_named_category_converts_to_every_target():
    for value in INDIA + JORC + STAGES:
        for to in TARGETS:
            assert convert(value, to=to).status != "invalid"
