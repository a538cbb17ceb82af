"""Every notation a user's file may hold (issue 4 item 2), and the reasons for junk."""
import pytest

from assessment.notation import parse


@pytest.mark.parametrize("value, code", [
    ("331", "331"), (331, "331"), (331.0, "331"), ("331.0", "331"), ("331.00", "331"),
    ("(3,3,1)", "331"), ("(3, 3, 1)", "331"), ("3,3,1", "331"), ("3 3 1", "331"), (" 111 ", "111"),
    ("UNFC 334", "334"), ("[1,2,2]", "122"), ("३३१", "331"), ("(३, ३, २)", "332"),
])
def test_india_codes_in_every_spreadsheet_form(value, code):
    parsed = parse(value)
    assert (parsed.notation, parsed.code) == ("india", code)
    assert parsed.axes == tuple(int(d) for d in code)


@pytest.mark.parametrize("value, code, axes", [
    ("E1F1G1", "E1F1G1", (1, 1, 1)), ("E1 F1 G1", "E1F1G1", (1, 1, 1)), ("E1.F1.G1", "E1F1G1", (1, 1, 1)),
    ("E1;F1;G1", "E1F1G1", (1, 1, 1)), ("e1f1g1", "E1F1G1", (1, 1, 1)), ("  e2  f2  g3 ", "E2F2G3", (2, 2, 3)),
    ("E1.1 F2.2 G1", "E1.1F2.2G1", (1, 2, 1)), ("E1.1F2.2G1", "E1.1F2.2G1", (1, 2, 1)),
    ("(E1; F2; G3)", "E1F2G3", (1, 2, 3)), ("E3.2 F3 G4.1", "E3.2F3G4.1", (3, 3, 4)), ("E2, F4, G2", "E2F4G2", (2, 4, 2)),
    ("E１F１G１", "E1F1G1", (1, 1, 1)),
])
def test_unfc_2009_2019_lettered_codes(value, code, axes):
    parsed = parse(value)
    assert (parsed.notation, parsed.code, parsed.axes) == ("unfc", code, axes)


@pytest.mark.parametrize("value, code", [("G3", "G3"), ("g1", "G1"), (" G 4 ", "G4"), ("G4.1", "G4.1")])
def test_bare_stage(value, code):
    parsed = parse(value)
    assert (parsed.notation, parsed.code, parsed.axes[2]) == ("stage", code, int(code[1]))


@pytest.mark.parametrize("value, name", [
    ("Measured", "Measured Mineral Resource"), ("measured resource", "Measured Mineral Resource"),
    ("Measured Mineral Resource", "Measured Mineral Resource"), ("MEASURED  MINERAL RESOURCES", "Measured Mineral Resource"),
    ("Indicated", "Indicated Mineral Resource"), ("inferred resources", "Inferred Mineral Resource"),
    ("Proved Ore Reserve", "Proved Ore Reserve"), ("Proven Reserve", "Proved Ore Reserve"), ("proved", "Proved Ore Reserve"),
    ("Probable Ore Reserves", "Probable Ore Reserve"), ("probable reserve", "Probable Ore Reserve"),
    ("Exploration Target", "Exploration Target"), ("exploration targets", "Exploration Target"),
    ("Exploration Results", "Exploration Results"), ("JORC Indicated Resource", "Indicated Mineral Resource"),
    ("Measured-Mineral-Resource", "Measured Mineral Resource"),
])
def test_jorc_names_and_their_variants(value, name):
    parsed = parse(value)
    assert (parsed.notation, parsed.code) == ("jorc", name)


@pytest.mark.parametrize("value, reason", [
    (None, "empty value"), ("", "empty value"), ("NA", "empty value"), ("n/a", "empty value"), (float("nan"), "empty value"),
    ("999", "not one of India's ten"), ("112", "not one of India's ten"), ("341", "not one of India's ten"),
    ("3311", "not a three-digit"), ("33", "not a three-digit"), ("331.5", "not a three-digit"), ("33.1", "not a three-digit"),
    ("E1F1", "lacks the G axis"), ("E4F1G1", "E4 does not exist"), ("E1F5G1", "F5 does not exist"),
    ("E1F1G5", "G5 does not exist"), ("G5", "G5 does not exist"), ("G0", "G0 does not exist"), ("E1.7F1G1", "sub-class E1.7"),
    ("G1F1E1", "not a recognised classification"), ("E1FXG1", "not a UNFC-2009/2019 code"), ("Measured Reserve", "not a recognised classification"),
    ("gold", "not a recognised classification"), ("Resource", "ambiguous: it names no confidence category"),
])
def test_anything_else_is_invalid_with_the_reason(value, reason):
    parsed = parse(value)
    assert parsed.notation == "invalid" and parsed.code == ""
    assert reason in parsed.reason
