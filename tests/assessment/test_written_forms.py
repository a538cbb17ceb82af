"""What Indian and international reports actually write (DOMAIN.md A1 "Names as written in
Indian reports (2026-12)"), each read as the category it names, or refused saying what is missing.

One row per written form: the notation and canonical code it is read as, the alternative codes a
name leaves open, and the geological level the stage gate reads from it. For a refused form the
"code" column holds words the reason must contain."""
import re

import pandas as pd
import pytest

from assessment import convert, convert_column, geological_level, geological_levels, parse

INVALID = "invalid"

WRITTEN_FORMS = [
    # MEMC r.3(g) names India alone uses
    ("Feasibility Mineral Resource", "india", "211", (), "G1"),
    ("feasibility mineral resources", "india", "211", (), "G1"),
    ("FEASIBILITY  MINERAL  RESOURCE", "india", "211", (), "G1"),
    ("Feasibility Resource", "india", "211", (), "G1"),
    ("Pre-Feasibility Mineral Resource", "india", "222", ("221",), "G2"),
    ("Prefeasibility Mineral Resource", "india", "222", ("221",), "G2"),
    ("Pre Feasibility Mineral Resources", "india", "222", ("221",), "G2"),
    ("pre-feasibility resource", "india", "222", ("221",), "G2"),
    ("Pre-Feasibility Mineral Resource (G1)", "india", "221", (), "G1"),
    ("Prefeasibility Mineral Resource G2", "india", "222", (), "G2"),
    ("Pre-Feasibility Mineral Resource, G-1", "india", "221", (), "G1"),
    ("Pre-Feasibility Mineral Resource (222)", "india", "222", (), "G2"),
    ("Reconnaissance Mineral Resource", "india", "334", (), "G4"),
    ("reconnaissance resources", "india", "334", (), "G4"),
    ("Proved Mineral Reserve", "india", "111", (), "G1"),
    ("PROVED MINERAL RESERVES", "india", "111", (), "G1"),
    ("Probable Mineral Reserve", "india", "122", ("121",), "G2"),
    ("Probable Mineral Reserve (G1)", "india", "121", (), "G1"),
    ("Probable Mineral Reserve - 122", "india", "122", (), "G2"),
    ("FEASIBILITY MINERAL RESOURCE", "india", "211", (), "G1"),
    ("pre feasibility mineral resources", "india", "222", ("221",), "G2"),
    ("probable  mineral   reserve", "india", "122", ("121",), "G2"),
    # codes with a prefix or a label
    ("STD111", "india", "111", (), "G1"),
    ("STD 332", "india", "332", (), "G2"),
    ("std-221", "india", "221", (), "G1"),
    ("STD 2 2 2", "india", "222", (), "G2"),
    ("UNFC 331", "india", "331", (), "G1"),
    ("UNFC-1997 333", "india", "333", (), "G3"),
    ("UNFC:334", "india", "334", (), "G4"),
    ("MEMC 121", "india", "121", (), "G1"),
    ("332 (Indicated)", "india", "332", (), "G2"),
    ("331 (Measured Mineral Resource)", "india", "331", (), "G1"),
    ("222 (Pre-Feasibility Mineral Resource)", "india", "222", (), "G2"),
    ("121 (Probable Mineral Reserve)", "india", "121", (), "G1"),
    ("STD 332 - Indicated", "india", "332", (), "G2"),
    ("332 Indicated", "india", "332", (), "G2"),
    ("STD332: Indicated Mineral Resource", "india", "332", (), "G2"),
    ("Indicated (332)", "india", "332", (), "G2"),
    ("Mineral Resource (333)", "india", "333", (), "G3"),
    ("(2,2,2)", "india", "222", (), "G2"),
    ("[2, 1, 1]", "india", "211", (), "G1"),
    ("332 (revised 2024)", "india", "332", (), "G2"),
    ("E2F2G2 (UNFC-2009)", "unfc", "E2F2G2", (), "G2"),
    ("std-332", "india", "332", (), "G2"),
    ("Std.333", "india", "333", (), "G3"),
    ("STD 211", "india", "211", (), "G1"),
    ("STD221", "india", "221", (), "G1"),
    ("STD 222", "india", "222", (), "G2"),
    ("STD334", "india", "334", (), "G4"),
    ("UNFC-1997 332", "india", "332", (), "G2"),
    ("unfc: 333", "india", "333", (), "G3"),
    ("331 (Measured)", "india", "331", (), "G1"),
    ("333 (Inferred)", "india", "333", (), "G3"),
    ("Measured Mineral Resource (331)", "india", "331", (), "G1"),
    ("332 - Indicated", "india", "332", (), "G2"),
    ("333: Inferred", "india", "333", (), "G3"),
    ("121 (Probable)", "india", "121", (), "G1"),
    ("122 (Probable Mineral Reserve)", "india", "122", (), "G2"),
    ("211 (Feasibility Mineral Resource)", "india", "211", (), "G1"),
    ("Pre-Feasibility Mineral Resource (221)", "india", "221", (), "G1"),
    ("(2,2,2) Pre-feasibility", "india", "222", (), "G2"),
    ("334 (Reconnaissance Mineral Resource)", "india", "334", (), "G4"),
    ("111 (Proved Mineral Reserve)", "india", "111", (), "G1"),
    ("STD 332 (Indicated)", "india", "332", (), "G2"),
    ("(3, 3, 2)", "india", "332", (), "G2"),
    ("3-3-3", "india", "333", (), "G3"),
    ("E1F1G1", "unfc", "E1F1G1", (), "G1"),
    ("e2 f2 g3", "unfc", "E2F2G3", (), "G3"),
    ("UNFC 2009 E2F2G2", "unfc", "E2F2G2", (), "G2"),
    ("UNFC 2019 E1 F1 G2", "unfc", "E1F1G2", (), "G2"),
    # stages
    ("G-3", "stage", "G3", (), "G3"),
    ("G 3", "stage", "G3", (), "G3"),
    ("g - 2", "stage", "G2", (), "G2"),
    ("Stage G3", "stage", "G3", (), "G3"),
    ("stage g-4", "stage", "G4", (), "G4"),
    ("G3 stage", "stage", "G3", (), "G3"),
    ("G1 Stage", "stage", "G1", (), "G1"),
    ("Stage: G2", "stage", "G2", (), "G2"),
    ("G2 (General Exploration)", "stage", "G2", (), "G2"),
    ("Preliminary Exploration", "stage", "G3", (), "G3"),
    ("Reconnaissance Survey", "stage", "G4", (), "G4"),
    ("detailed exploration", "stage", "G1", (), "G1"),
    ("g-2", "stage", "G2", (), "G2"),
    ("stage g4", "stage", "G4", (), "G4"),
    ("G2 Stage", "stage", "G2", (), "G2"),
    ("Stage G-1", "stage", "G1", (), "G1"),
    ("G4 level", "stage", "G4", (), "G4"),
    ("G.2", "stage", "G2", (), "G2"),
    ("General Exploration", "stage", "G2", (), "G2"),
    ("G3 (Preliminary Exploration)", "stage", "G3", (), "G3"),
    ("Reconnaissance Survey (G4)", "stage", "G4", (), "G4"),
    # CRIRSCO names tagged with the family member that reported them
    ("Inferred (JORC 2012)", "jorc", "Inferred Mineral Resource", (), "G3"),
    ("Inferred Mineral Resource (JORC Code, 2012)", "jorc", "Inferred Mineral Resource", (), "G3"),
    ("Indicated (NI 43-101)", "jorc", "Indicated Mineral Resource", (), "G2"),
    ("NI43-101 Indicated Resources", "jorc", "Indicated Mineral Resource", (), "G2"),
    ("Measured (SAMREC)", "jorc", "Measured Mineral Resource", (), "G1"),
    ("SAMREC 2016 Measured Mineral Resource", "jorc", "Measured Mineral Resource", (), "G1"),
    ("Probable (PERC)", "jorc", "Probable Ore Reserve", (), "G2"),
    ("Proven Mineral Reserve (CIM)", "jorc", "Proved Ore Reserve", (), "G1"),
    ("Probable Mineral Reserve (CIM Definition Standards)", "jorc", "Probable Ore Reserve", (), "G2"),
    ("Probable Mineral Reserve [NI 43-101]", "jorc", "Probable Ore Reserve", (), "G2"),
    ("Measured Mineral Resource (CIM, 2014 edition)", "jorc", "Measured Mineral Resource", (), "G1"),
    ("Measured (IMIC)", "jorc", "Measured Mineral Resource", (), "G1"),
    ("JORC Exploration Target", "jorc", "Exploration Target", (), "G4"),
    ("Exploration Results (JORC 2012)", "jorc", "Exploration Results", (), "G4"),
    ("inferred  (jorc)", "jorc", "Inferred Mineral Resource", (), "G3"),
    ("PROVED ORE RESERVE (JORC 2012)", "jorc", "Proved Ore Reserve", (), "G1"),
    ("Probable (G1)", "jorc", "Probable Ore Reserve", (), "G2"),
    ("Proven (CIM)", "jorc", "Proved Ore Reserve", (), "G1"),
    ("CIM Measured", "jorc", "Measured Mineral Resource", (), "G1"),
    ("JORC Inferred Resource", "jorc", "Inferred Mineral Resource", (), "G3"),
    ("JORC 2012 Indicated", "jorc", "Indicated Mineral Resource", (), "G2"),
    ("NI 43-101 Measured Mineral Resource", "jorc", "Measured Mineral Resource", (), "G1"),
    ("Probable Mineral Reserve (NI 43-101)", "jorc", "Probable Ore Reserve", (), "G2"),
    ("inferred [jorc]", "jorc", "Inferred Mineral Resource", (), "G3"),
    ("SAMREC Code Indicated Resource", "jorc", "Indicated Mineral Resource", (), "G2"),
    ("Exploration Target (JORC 2012)", "jorc", "Exploration Target", (), "G4"),
    ("PERC Proved Reserve", "jorc", "Proved Ore Reserve", (), "G1"),
    # untagged CRIRSCO names (331–333 share them with India and are read as CRIRSCO categories)
    ("Measured Mineral Resource", "jorc", "Measured Mineral Resource", (), "G1"),
    ("Indicated", "jorc", "Indicated Mineral Resource", (), "G2"),
    ("Proven Reserve", "jorc", "Proved Ore Reserve", (), "G1"),
    ("INDICATED", "jorc", "Indicated Mineral Resource", (), "G2"),
    # UNFC class names that fix E and F, with the G level
    ("Viable projects G1", "unfc", "E1F1G1", (), "G1"),
    ("Viable Project (G2)", "unfc", "E1F1G2", (), "G2"),
    ("Potentially viable projects, G2", "unfc", "E2F2G2", (), "G2"),
    ("Non-viable project G3", "unfc", "E3F2G3", (), "G3"),
    ("Prospective projects", "unfc", "E3F3G4", (), "G4"),
    ("Commercial projects G1", "unfc", "E1F1G1", (), "G1"),
    ("Potentially Commercial Project G3", "unfc", "E2F2G3", (), "G3"),
    ("UNFC Non-commercial projects G2", "unfc", "E3F2G2", (), "G2"),
    # genuinely ambiguous: refused, saying what is missing
    ("Mineral Resource", INVALID, "names no confidence category", (), None),
    ("Mineral Resources", INVALID, "names no confidence category", (), None),
    ("Resource", INVALID, "names no confidence category", (), None),
    ("Ore Reserve", INVALID, "whether the reserve is Proved or Probable", (), None),
    ("Mineral Reserve", INVALID, "whether the reserve is Proved or Probable", (), None),
    ("Ore Reserve (JORC)", INVALID, "whether the reserve is Proved or Probable", (), None),
    ("M&I", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("M & I", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("Measured + Indicated", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("Measured and Indicated Resources", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("Proved and Probable", INVALID, "Proved and Probable reserves are reported together", (), None),
    ("2P", INVALID, "Proved and Probable reserves are reported together", (), None),
    ("Viable projects", INVALID, "names the UNFC classes E1 F1 but not the geological level", (), None),
    ("Non-viable projects", INVALID, "E3 F2 but not the geological level", (), None),
    ("Prospective projects G2", INVALID, "at G4 by definition", (), None),
    ("Remaining products not developed", INVALID, "does not fix the E and F classes", (), None),
    ("Produced quantities", INVALID, "not a class of an in-situ resource", (), None),
    ("332 (Measured)", INVALID, "332 is at G2, but G1 is written with it", (), None),
    ("Inferred (G1)", INVALID, "Inferred Mineral Resource is at G3, but G1 is written with it", (), None),
    ("Reconnaissance Mineral Resource G2", INVALID, "334 is at G4, but G2 is written with it", (), None),
    ("Stage G5", INVALID, "G5 does not exist", (), None),
    ("STD 112", INVALID, "'112' is not one of India's ten", (), None),
    ("Reserve (JORC)", INVALID, "whether the reserve is Proved or Probable", (), None),
    ("Grade (JORC 2012)", INVALID, "names a CRIRSCO family member but no category", (), None),
    ("M + I", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("Measured & Indicated", INVALID, "Measured (G1) and Indicated (G2) are reported together", (), None),
    ("Potentially viable project", INVALID, "E2 F2 but not the geological level", (), None),
    ("331 (Indicated)", INVALID, "331 is at G1, but G2 is written with it", (), None),
    ("Inferred (JORC) Measured", INVALID, "names a CRIRSCO family member but no category", (), None),
    ("JORC", INVALID, "names a CRIRSCO family member but no category", (), None),
    ("Feasible (NI 43-101)", INVALID, "names a CRIRSCO family member but no category", (), None),
    ("STD 999", INVALID, "'999' is not one of India's ten", (), None),
]


def test_the_table_covers_at_least_80_written_forms():
    values = [row[0] for row in WRITTEN_FORMS]
    assert len(set(values)) == len(values) >= 80


@pytest.mark.parametrize("value, notation, code, alternatives, level", WRITTEN_FORMS)
def test_each_written_form_is_read_as_what_it_names(value, notation, code, alternatives, level):
    parsed = parse(value)
    assert parsed.notation == notation, parsed.reason
    if notation == INVALID:
        assert code in parsed.reason
    else:
        assert (parsed.code, parsed.alternatives) == (code, alternatives)
    assert geological_level(value) == level


def test_a_column_of_written_forms_reads_as_each_value_does():
    values = pd.Series([row[0] for row in WRITTEN_FORMS] * 3, name="Category")
    assert geological_levels(values).tolist() == [row[4] for row in WRITTEN_FORMS] * 3
    out = convert_column(values, to="india")
    assert out["Category_status"].astype(str).tolist() == [convert(v, to="india").status for v in values]


@pytest.mark.parametrize("value", ["Mineral Resource", "Ore Reserve", "M&I"])
def test_an_ambiguous_name_converts_to_invalid_saying_what_is_missing(value):
    conversion = convert(value)
    assert (conversion.status, conversion.result) == ("invalid", None)
    assert "ambiguous" in conversion.note and "give" in conversion.note


def test_a_name_of_two_codes_converts_to_the_lower_with_the_other_conditional():
    conversion = convert("Pre-Feasibility Mineral Resource", to="india")
    assert (conversion.result, conversion.status) == ("222", "ambiguous")
    assert conversion.alternatives == [{"result": "221", "condition": "if the geology is at G1 (Detailed Exploration), making it 221"}]
    assert "the MEMC name of both 221 and 222" in conversion.note
    assert convert("Pre-Feasibility Mineral Resource", to="jorc").status == "no_equivalent"
    stage = convert("Pre-Feasibility Mineral Resource", to="stage")
    assert (stage.result, stage.status, stage.alternatives[0]["result"]) == ("G2", "ambiguous", "G1")


def test_probable_mineral_reserve_is_probable_and_proved_only_on_two_conditions():
    conversion = convert("Probable Mineral Reserve", to="jorc")
    assert (conversion.result, conversion.status) == ("Probable Ore Reserve", "ambiguous")
    [proved] = conversion.alternatives
    assert proved["result"] == "Proved Ore Reserve"
    assert "G1" in proved["condition"] and "Modifying-Factor" in proved["condition"]


def test_a_tagged_name_is_a_crirsco_category_and_converts_like_one():
    assert convert("Indicated (NI 43-101)", to="india").to_dict()["result"] == "332"
    assert convert("Probable Mineral Reserve (CIM)").result == convert("Probable Ore Reserve").result == "122"


def memc_rule_3g_expressions(domain_text: str) -> list[tuple[str, list[str]]]:
    """The expressions of MEMC Rules 2015 r.3(g) with the codes the rule gives each, read from the
    quote in DOMAIN.md B §1.1 ("Reconnaissance Survey (G4), …, Probable Mineral Reserve (121 and 122), …")."""
    start = domain_text.index('"(g)the expressions')
    quote = " ".join(line.lstrip("> ").strip() for line in domain_text[start:].split('"', 2)[1].splitlines())
    return [(name.strip(), re.findall(r"\d{3}|G\d", codes))
            for name, codes in re.findall(r"([A-Z][A-Za-z\- ]+?) \(([^)]*)\)", quote)
            if re.fullmatch(r"(?:\d{3}|G\d)(?: and \d{3})?", codes)]


def test_every_code_expression_of_memc_rule_3g_is_read_as_the_codes_it_names(shared):
    expressions = memc_rule_3g_expressions((shared / "DOMAIN.md").read_text(encoding="utf-8"))
    assert len(expressions) == 12  # four stages and the eight names of the ten codes
    for name, codes in expressions:
        as_written = parse(f"{name} ({' and '.join(codes)})")
        alone = convert(name, to="stage" if codes[0].startswith("G") else "india")
        assert as_written.valid and alone.status != "invalid", name
        offered = {alone.result, *(a["result"] for a in alone.alternatives)}
        assert set(codes) <= offered, f"{name}: the rule names {codes}, Khanij offers {offered}"
        lowest = max(codes, key=lambda code: code[-1])  # the code of lower geological confidence
        assert alone.result == lowest and geological_level(name) == f"G{lowest[-1]}", name
