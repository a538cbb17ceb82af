"""Chains never raise confidence (DOMAIN.md A1, 2026-12): converting A → B → C never gives a more
confident category than A, over every category and every pair of the four targets.

What "more confident" means is the data's ``[confidence]`` order: a category CLAIMS a kind
(none < target < resource < reserve), a reserve grade (probable < proved) and a geological level
(G1 highest), and PERMITS more where a stated condition may hold (121 may become Proved; a stage
may be a resource "at most"). Along the chain of default results C is no more confident than A
(:func:`no_more_confident`: no higher geological level, no reserve from a non-reserve, no Proved
from a Probable, no resource from an exploration target); the default result of the second step,
taken from the first step's result or any of its alternatives, stays within what A permits.

An alternative of the second step is conditional on a fact about B, which may not hold for A
(122 → Probable Ore Reserve → "121 if derived from a Measured resource"): it is checked against B
by the single-step property of tests/assessment/test_conversion.py, not against A.
"""
import pytest

import re

from assessment.conversion import TARGETS, claim_of, convert, no_more_confident, permit_of, within
from assessment.notation import classification_data

NAMED = tuple(c["code"] for c in classification_data()["category"])
UNFC_MAIN = tuple(f"E{e}F{f}G{g}" for e in (1, 2, 3) for f in (1, 2, 3, 4) for g in (1, 2, 3, 4))
NAMES_OF_TWO_CODES = ("Pre-Feasibility Mineral Resource", "Probable Mineral Reserve")
CATEGORIES = NAMED + UNFC_MAIN + NAMES_OF_TWO_CODES
CHAINS = [(value, first, second) for value in CATEGORIES for first in TARGETS for second in TARGETS]


def candidates(conversion):
    return [conversion.result] * (conversion.result is not None) + [a["result"] for a in conversion.alternatives]


def test_every_category_and_both_names_of_two_codes_are_chained():
    assert len(NAMED) == 21 and len(CATEGORIES) == 71 and len(CHAINS) == 71 * 16


@pytest.mark.parametrize("value, first, second", CHAINS)
def test_no_chain_of_two_conversions_raises_confidence(value, first, second):
    step = convert(value, to=first)
    assert step.status != "invalid"
    if step.result is not None:
        end = convert(step.result, to=second).result
        if end is not None:
            assert no_more_confident(claim_of(end), claim_of(value)), f"{value} → {step.result} → {end}"
    for middle in candidates(step):
        end = convert(middle, to=second).result
        if end is not None:
            assert within(claim_of(end), permit_of(value)), f"{value} → {middle} → {end} (from an alternative)"


@pytest.mark.parametrize("value", ["121", "Probable Ore Reserve", "Probable Mineral Reserve", "E1F1G1", "E1F1G2"])
def test_a_probable_reserve_stays_probable_through_unfc_and_india(value):
    for first, second in (("unfc", "jorc"), ("india", "jorc"), ("unfc", "india")):
        end = convert(convert(value, to=first).result, to=second).result
        assert end in ("Probable Ore Reserve", "121", "122"), f"{value} → {first} → {second} gives {end}"


def test_india_121_through_unfc_is_probable_with_proved_conditional():
    through = convert(convert("121", to="unfc").result, to="jorc")
    assert (through.result, [a["result"] for a in through.alternatives]) == ("Probable Ore Reserve", ["Proved Ore Reserve"])


def test_unfc_e1f1g1_defaults_to_probable_with_proved_conditional():
    conversion = convert("E1F1G1", to="jorc")
    assert (conversion.result, conversion.status) == ("Probable Ore Reserve", "ambiguous")
    assert conversion.alternatives[0]["result"] == "Proved Ore Reserve"
    assert "Modifying-Factor" in conversion.alternatives[0]["condition"]
    india = convert("E1F1G1", to="india")
    assert (india.result, [a["result"] for a in india.alternatives]) == ("121", ["111"])


@pytest.mark.parametrize("start, more_confident", [
    ("121", "Proved Ore Reserve"), ("G3", "332"), ("334", "333"), ("Probable Ore Reserve", "Proved Ore Reserve"),
    ("E2F2G2", "E1F1G2"), ("Pre-Feasibility Mineral Resource", "221"),
])
def test_the_chain_check_catches_a_planted_rise(start, more_confident):
    assert not no_more_confident(claim_of(more_confident), claim_of(start))


@pytest.mark.parametrize("to", TARGETS)
def test_conversion_notes_cite_the_sources_not_our_files(to):
    for value in (*CATEGORIES, "STD332", "Inferred (JORC 2012)", "Viable projects G1"):
        note = convert(value, to=to).note
        assert "DOMAIN" not in note and not re.search(r"\b[AJW]\d+\b|§", note), (value, to, note)
