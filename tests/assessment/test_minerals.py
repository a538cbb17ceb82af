"""Commodity names normalised with the alias table, tagged against the 30 critical minerals and Part D."""
import pandas as pd
import pytest

from assessment import normalise_commodities, tag_critical
from assessment.minerals import mineral_list, normalise_commodity, shipped_rules


def test_the_lists_have_their_published_counts_and_sources():
    rules = shipped_rules()["minerals"]
    assert len(mineral_list("critical")) == 30 and rules["critical"]["count"] == 30
    assert len(mineral_list("part_d")) == 24 and len(rules["part_d"]["wording"]) == 24
    assert len(rules["seventh_schedule"]["wording"]) == 29 and rules["seventh_schedule"]["count_reported"] == [29, 27]
    assert "unverified" in rules["part_d"]["status"] and "disputed" in rules["seventh_schedule"]["status"]
    assert all(rules[name]["source"] for name in ("critical", "part_d", "seventh_schedule"))


def test_every_listed_mineral_is_a_canonical_commodity():
    canonical = set(shipped_rules()["commodity_aliases"])
    for name in ("critical", "part_d", "seventh_schedule"):
        assert set(mineral_list(name)) <= canonical


@pytest.mark.parametrize("text, canonical", [
    ("Li", "Lithium"), ("lithium", "Lithium"), ("LITHIUM ORE", "Lithium"), ("Lithium-bearing minerals", "Lithium"),
    ("REE", "REE"), ("rare earths", "REE"), ("Rare Earth Elements", "REE"), ("PGE", "PGE"), ("platinum group", "PGE"),
    ("Platinum Group of Elements", "PGE"), ("phosphorite", "Phosphorous"), ("Rock Phosphate", "Phosphorous"),
    ("Phosphate (without uranium)", "Phosphorous"), ("graphites", "Graphite"), ("Cu", "Copper"), ("W", "Tungsten"),
    ("Beryl and other beryllium-bearing minerals", "Beryllium"), ("Iron ore deposit", "Iron"), ("Zircon", "Zirconium"),
    ("Nickel;PGE", "Nickel;PGE"), ("Li, REE", "Lithium;REE"), ("Cu/Au", "Copper;Gold"), ("Pb+Zn", "Lead;Zinc"),
    ("Lead and Zinc", "Lead;Zinc"), ("Pb-Zn", "Lead;Zinc"), ("Copper & Gold & Copper", "Copper;Gold"),
    ("Unobtainium", "Unobtainium"), ("lead in soil", "lead in soil"), ("Pb-Zn ore", "Lead;Zinc"), ("Cu Au", "Copper;Gold"),
    ("Lithium (pegmatite)", "Lithium"), ("Iron ore (BIF)", "Iron"), ("REE (La, Ce)", "REE"),
    ("Titanium;Zirconium (beach sand)", "Titanium;Zirconium"), ("Gold in quartz", "Gold in quartz"),
])
def test_normalise_commodity(text, canonical):
    assert normalise_commodity(text) == canonical


def test_normalise_a_column_keeps_index_and_missing_values():
    series = pd.Series(["Li", None, "", "rare earths"], index=[10, 11, 12, 13], name="Mineral")
    out = normalise_commodities(series)
    assert out.tolist() == ["Lithium", None, None, "REE"]
    assert out.index.tolist() == [10, 11, 12, 13] and out.name == "Mineral"


def test_tag_critical_against_the_30_and_part_d():
    tags = tag_critical(pd.Series(["Li", "Glauconite", "Gold", "Germanium", "Copper;Gold", None, "Nickel + PGE"]))
    assert list(tags.columns) == ["critical_minerals", "part_d_minerals", "is_critical"]
    assert tags["critical_minerals"].tolist() == ["Lithium", "", "", "Germanium", "Copper", "", "Nickel;PGE"]
    assert tags["part_d_minerals"].tolist() == ["Lithium", "Glauconite", "", "", "", "", "Nickel;PGE"]
    assert tags["is_critical"].tolist() == [True, True, False, True, True, False, True]
    assert tags["is_critical"].dtype == bool


def test_english_words_are_not_read_as_chemical_symbols():
    tags = tag_critical(pd.Series(["Gold in quartz", "In", "Be-Li"]))
    assert tags["critical_minerals"].tolist() == ["", "Indium", "Beryllium;Lithium"]


def test_a_users_rules_mapping_overrides_and_falls_back_per_section():
    rules = {"minerals": {"critical": {"names": ["Gold"]}}, "commodity_aliases": {"Gold": ["sona", "au"]}}
    tags = tag_critical(pd.Series(["sona", "Lithium"]), rules=rules)
    assert tags["critical_minerals"].tolist() == ["Gold", ""]
    assert tags["part_d_minerals"].tolist() == ["", "Lithium"]  # Part D from the shipped file
