"""Classification values as Indian and international reports write them (DOMAIN.md A1, "Names as
written"), and chains of conversions that never end more confident than they started."""
from __future__ import annotations

import pytest

from assessment.conversion import TARGETS, claim_of, convert, no_more_confident, stage_of
from assessment.notation import parse
from tests.assessment.test_conversion import EVERY_CATEGORY

# (as written, notation, canonical code); every case and spacing below is one a report uses.
WRITTEN = [
    # India's codes with a prefix or a label
    ("STD111", "india", "111"), ("STD 332", "india", "332"), ("std-332", "india", "332"), ("Std.333", "india", "333"),
    ("STD 211", "india", "211"), ("STD221", "india", "221"), ("STD 222", "india", "222"), ("STD334", "india", "334"),
    ("UNFC 331", "india", "331"), ("UNFC-1997 332", "india", "332"), ("unfc: 333", "india", "333"),
    ("332 (Indicated)", "india", "332"), ("331 (Measured)", "india", "331"), ("333 (Inferred)", "india", "333"),
    ("Indicated (332)", "india", "332"), ("Measured Mineral Resource (331)", "india", "331"),
    ("332 - Indicated", "india", "332"), ("333: Inferred", "india", "333"), ("121 (Probable)", "india", "121"),
    ("122 (Probable Mineral Reserve)", "india", "122"), ("211 (Feasibility Mineral Resource)", "india", "211"),
    ("Pre-Feasibility Mineral Resource (221)", "india", "221"), ("(2,2,2) Pre-feasibility", None, None),
    ("334 (Reconnaissance Mineral Resource)", "india", "334"), ("111 (Proved Mineral Reserve)", "india", "111"),
    ("STD 332 (Indicated)", "india", "332"), ("(3, 3, 2)", "india", "332"), ("3-3-3", "india", "333"),
    # MEMC names
    ("Feasibility Mineral Resource", "india", "211"), ("FEASIBILITY MINERAL RESOURCE", "india", "211"),
    ("Pre-Feasibility Mineral Resource", "india", "222"), ("Prefeasibility Mineral Resource", "india", "222"),
    ("pre feasibility mineral resources", "india", "222"), ("Reconnaissance Mineral Resource", "india", "334"),
    ("Proved Mineral Reserve", "india", "111"), ("Probable Mineral Reserve", "india", "122"),
    ("probable  mineral   reserve", "india", "122"),
    # stages
    ("G-3", "stage", "G3"), ("G 3", "stage", "G3"), ("g-2", "stage", "G2"), ("Stage G3", "stage", "G3"),
    ("stage g4", "stage", "G4"), ("G3 stage", "stage", "G3"), ("G2 Stage", "stage", "G2"), ("Stage G-1", "stage", "G1"),
    ("G4 level", "stage", "G4"), ("Preliminary Exploration", "stage", "G3"), ("General Exploration", "stage", "G2"),
    ("Detailed Exploration", "stage", "G1"), ("Reconnaissance Survey", "stage", "G4"),
    ("G3 (Preliminary Exploration)", "stage", "G3"), ("Reconnaissance Survey (G4)", "stage", "G4"), ("G.2", "stage", "G2"),
    # CRIRSCO names tagged with a family member
    ("Inferred (JORC 2012)", "jorc", "Inferred Mineral Resource"), ("Indicated (NI 43-101)", "jorc", "Indicated Mineral Resource"),
    ("Measured (SAMREC)", "jorc", "Measured Mineral Resource"), ("Probable (PERC)", "jorc", "Probable Ore Reserve"),
    ("Proven (CIM)", "jorc", "Proved Ore Reserve"), ("CIM Measured", "jorc", "Measured Mineral Resource"),
    ("JORC Inferred Resource", "jorc", "Inferred Mineral Resource"), ("JORC 2012 Indicated", "jorc", "Indicated Mineral Resource"),
    ("NI 43-101 Measured Mineral Resource", "jorc", "Measured Mineral Resource"),
    ("Probable Mineral Reserve (NI 43-101)", "jorc", "Probable Ore Reserve"),
    ("Proven Mineral Reserve (CIM)", "jorc", "Proved Ore Reserve"), ("inferred [jorc]", "jorc", "Inferred Mineral Resource"),
    ("SAMREC Code Indicated Resource", "jorc", "Indicated Mineral Resource"),
    ("Exploration Target (JORC 2012)", "jorc", "Exploration Target"), ("PERC Proved Reserve", "jorc", "Proved Ore Reserve"),
    # plain CRIRSCO names and UNFC codes
    ("Measured Mineral Resource", "jorc", "Measured Mineral Resource"), ("INDICATED", "jorc", "Indicated Mineral Resource"),
    ("Proven Reserve", "jorc", "Proved Ore Reserve"), ("E1F1G1", "unfc", "E1F1G1"), ("e2 f2 g3", "unfc", "E2F2G3"),
    ("UNFC 2009 E2F2G2", "unfc", "E2F2G2"), ("Prospective projects", "unfc", "E3F3G4"),
    # refused, saying what is missing
    ("Mineral Resource", None, "neither Measured, Indicated nor Inferred"), ("Ore Reserve", None, "neither Proved nor Probable"),
    ("Mineral Reserve", None, "neither Proved nor Probable"), ("M&I", None, "adds Measured and Indicated together"),
    ("M + I", None, "adds Measured and Indicated together"), ("Measured & Indicated", None, "adds Measured and Indicated"),
    ("Viable projects", None, "UNFC class E1 F1 without its geological level"),
    ("Potentially viable project", None, "E2 F2 without its geological level"),
    ("331 (Indicated)", None, "the code and its label disagree"), ("Inferred (JORC) Measured", None, "is not one of its categories"),
    ("JORC", None, "names a CRIRSCO code but no category"), ("Feasible (NI 43-101)", None, "is not one of its categories"),
    ("STD 999", None, "not one of India's ten UNFC-1997 codes"), ("Stage G5", None, "G5 does not exist"),
]


def test_the_table_holds_at_least_eighty_written_forms():
    assert len(WRITTEN) >= 80 and len({written for written, _, _ in WRITTEN}) == len(WRITTEN)


@pytest.mark.parametrize("written, notation, expected", WRITTEN, ids=[w for w, _, _ in WRITTEN])
def test_a_written_form_reads_as_the_category_it_names(written, notation, expected):
    parsed = parse(written)
    if notation is None:
        assert not parsed.valid, parsed
        assert expected is None or expected in parsed.reason, parsed.reason
        return
    assert (parsed.notation, parsed.code) == (notation, expected), parsed.reason


def test_a_memc_name_of_two_codes_converts_ambiguously_naming_both():
    conversion = convert("Pre-Feasibility Mineral Resource", to="india")
    assert (conversion.result, conversion.status) == ("222", "ambiguous")
    assert conversion.alternatives[0]["result"] == "221" and "G1" in conversion.alternatives[0]["condition"]
    assert "MEMC name of both 222 and 221" in conversion.note
    assert stage_of("Pre-Feasibility Mineral Resource") == "G2" and stage_of("Probable Mineral Reserve") == "G2"


def test_e1f1g1_defaults_to_probable_with_proved_only_as_the_conditional_alternative():
    conversion = convert("E1F1G1", to="jorc")
    assert conversion.result == "Probable Ore Reserve" and conversion.status == "ambiguous"
    assert [a["result"] for a in conversion.alternatives] == ["Proved Ore Reserve"]
    assert convert("121", to="unfc").result == "E1F1G1"
    assert convert(convert("121", to="unfc").result, to="jorc").result == "Probable Ore Reserve"


CHAINS = [(value, first, second) for value in EVERY_CATEGORY for first in TARGETS for second in TARGETS]


def test_every_two_step_chain_is_checked():
    assert len(CHAINS) == len(EVERY_CATEGORY) * 16 >= 1000


@pytest.mark.parametrize("value", EVERY_CATEGORY)
def test_no_chain_of_two_conversions_ends_more_confident_than_it_began(value):
    """A → B → C, taking the result given at each step (alternatives are conditional, and each
    step's are checked against what its input permits in test_conversion.py)."""
    start = claim_of(value)
    for first in TARGETS:
        middle = convert(value, to=first).result
        if middle is None:
            continue
        for second in TARGETS:
            end = convert(middle, to=second).result
            if end is not None:
                assert no_more_confident(claim_of(end), start), f"{value} → {first} {middle} → {second} {end}"


@pytest.mark.parametrize("start, chain, more_confident", [
    ("121", ("unfc", "jorc"), "Proved Ore Reserve"), ("G3", ("jorc", "india"), "332"),
    ("334", ("jorc", "india"), "333"), ("Probable Ore Reserve", ("india", "jorc"), "Proved Ore Reserve"),
])
def test_the_chain_check_catches_a_planted_rise(start, chain, more_confident):
    assert not no_more_confident(claim_of(more_confident), claim_of(start))


@pytest.mark.parametrize("to", TARGETS)
def test_conversion_notes_cite_the_sources_not_our_files(to):
    import re

    for value in (*EVERY_CATEGORY, "Pre-Feasibility Mineral Resource", "STD332", "Inferred (JORC 2012)"):
        note = convert(value, to=to).note
        assert "DOMAIN" not in note and not re.search(r"\b[AJW]\d+\b|§", note), (value, to, note)
