"""The geological (G) level of a classification value in any written form (issue 10 item 3):
what the stage gate reads, so that 211, 221 and 222 count by their G digit."""
import numpy as np
import pandas as pd
import pytest

from assessment import geological_level, geological_levels, stages_of


@pytest.mark.parametrize("value, level", [
    ("211", "G1"), ("221", "G1"), ("222", "G2"), ("332", "G2"), (332, "G2"), (332.0, "G2"), ("(2,2,2)", "G2"),
    ("334", "G4"), ("E2F2G2", "G2"), ("E1.1 F2.2 G3", "G3"), ("G3", "G3"),
    ("Measured", "G1"), ("Indicated Mineral Resource", "G2"), ("Inferred", "G3"), ("Proven Reserve", "G1"),
    ("Probable Ore Reserve", "G2"), ("Exploration Target", "G4"),
    ("STD332", "G2"), ("STD 111", "G1"), ("Feasibility Mineral Resource", "G1"), ("Measured Mineral Resource", "G1"),
    ("G-3", "G3"), ("Stage G4", "G4"), ("Inferred (JORC 2012)", "G3"), ("Viable projects G2", "G2"),
    ("junk", None), ("112", None), ("E1F1", None), ("", None), (None, None), (np.nan, None),
    ("Mineral Resource", None), ("M&I", None), ("332 (Measured)", None),
])
def test_geological_level_of_each_written_form(value, level):
    assert geological_level(value) == level


def test_geological_levels_of_a_column_keep_index_and_name():
    values = pd.Series(["222", None, "E1F1G1", "222", "gold", 331.0], index=[10, 11, 12, 13, 14, 15], name="UNFC")
    levels = geological_levels(values)
    assert levels.index.equals(values.index) and levels.name == "UNFC" and levels.dtype == object
    assert levels.tolist() == ["G2", None, "G1", "G2", None, "G1"]


def test_stages_of_is_the_same_reading_as_a_categorical():
    values = pd.Series(["221", "E3F3G4", "Probable", None])
    assert stages_of(values).astype(object).where(stages_of(values).notna(), None).tolist() == geological_levels(values).tolist()


@pytest.mark.parametrize("value, level", [
    ("Pre-Feasibility Mineral Resource", "G2"), ("Probable Mineral Reserve", "G2"),
    ("Pre-Feasibility Mineral Resource (G1)", "G1"), ("Probable Mineral Reserve G1", "G1"),
])
def test_a_name_of_two_codes_reads_as_the_level_both_reach(value, level):
    """221 is G1 and 222 G2 (121 G1, 122 G2): the name alone asserts G2 or better, which both
    meet, and a G level written with it settles which code it is."""
    assert geological_level(value) == level
