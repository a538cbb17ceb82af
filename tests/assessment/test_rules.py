"""The rules file: the shipped one loads; a user's broken one fails naming the key and the problem."""
from __future__ import annotations

import datetime
import hashlib
import re

import numpy as np
import pytest

from assessment.rules import DEFAULT_RULES_PATH, in_force, load_rules
from geo.errors import RulesError


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def write_variant(tmp_path, text: str, old: str, new: str):
    assert old in text, f"test set-up: {old!r} not in the shipped rules"
    path = tmp_path / "my_rules.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_rules_load_with_version_hash_and_sources():
    rules = load_rules()
    assert rules.version
    assert rules.sha256 == hashlib.sha256(DEFAULT_RULES_PATH.read_bytes()).hexdigest()
    assert sum(rules.weights.values()) == 100
    assert rules.protected.buffer_km == 1.0 and rules.nbwl_condition.threshold == 10.0
    assert "Lithium" in rules.mineral_list("seventh_schedule")
    assert len(rules.mineral_list("critical")) == 30
    assert rules.authority[0].licences == ("ML", "CL") and "s.11D" in rules.source(rules.authority[0].rule)


def _every_dated_row(rules):
    yield from (row for rows in rules.stage_rules.values() for row in rows)
    yield from (*rules.protected.inside, *rules.protected.buffer, *rules.protected.esz, *rules.state_rows)
    yield from (*rules.forest_condition.rows, *rules.nbwl_condition.rows, *rules.authority)


def test_every_rule_row_has_a_real_day_and_cites_the_law_not_our_files():
    rules = load_rules()
    rows = list(_every_dated_row(rules))
    assert len(rows) >= 20
    for row in rows:
        assert isinstance(row.since, datetime.date) and row.since > datetime.date(1950, 1, 1), row
        assert row.until is None or row.until >= row.since, row
        assert row.rule and all(rules.citation(i) for i in row.rule), row
    for citation in rules.citations.values():
        assert "DOMAIN" not in citation.law and not re.search(r"\b[WFA]\d+\b", citation.law), citation


@pytest.mark.parametrize("day, licence_rule", [
    (datetime.date(2015, 4, 16), None),
    (datetime.date(2015, 4, 17), ("MEMC15-R5", "AR15-R5")),
    (datetime.date(2024, 6, 1), ("MEMC15-R5", "AR15-R5", "MEMC24")),
    (datetime.date(2026, 12, 3), ("MEMC15-R5", "AR15-R5", "MEMC24", "MMDR25")),
])
def test_the_mining_lease_rule_starts_when_memc_was_notified_and_gains_later_sources(day, licence_rule):
    rule = load_rules().stage_rule("ML", day)
    assert (rule.rule if rule else None) == licence_rule


def test_protected_area_rows_follow_the_orders_of_the_supreme_court():
    rules = load_rules()
    on = lambda rows, day: in_force(rows, datetime.date.fromisoformat(day))  # noqa: E731
    assert on(rules.protected.buffer, "2022-06-02") is None
    assert on(rules.protected.buffer, "2024-06-01").exempt == ("esz", "interstate")
    assert on(rules.protected.buffer, "2025-11-12").exempt == ("esz", "interstate")
    today = on(rules.protected.buffer, "2025-11-13")
    assert today.exempt == () and "W11" in today.rule and "Saranda" in rules.source(today.rule)
    assert on(rules.protected.esz, "2023-04-27") is None and on(rules.protected.esz, "2023-04-28").rule == ("W4",)


def test_stage_rule_follows_the_date_it_applies_from():
    rules = load_rules()
    before = rules.stage_rule("CL", datetime.date(2020, 1, 1))
    after = rules.stage_rule("CL", datetime.date(2021, 7, 1))
    assert (before.min_stage, before.or_potentiality) == ("G3", False)
    assert (after.min_stage, after.or_potentiality) == ("G4", True)
    assert rules.stage_rule("EL", datetime.date(2020, 1, 1)) is None  # no EL before the 2023 Act
    assert rules.stage_rule("ML", datetime.date(2024, 1, 1)).min_resource == "Indicated"


def test_band_table_scores_by_steps():
    bands = load_rules().infrastructure_bands
    scores = bands.score([0.0, 5.0, 5.01, 99.0, 500.0, np.nan])
    assert scores[:5].tolist() == [100, 100, 80, 20, 0] and np.isnan(scores[5])


@pytest.mark.parametrize("old, new, message", [
    ("exploration = 25", "exploration = 30", "weights: weights sum to 105, not 100"),
    ("[weights]\n", "[weights]\nluck = 0\n", "weights.luck: unknown key"),
    ("buffer_km = 1.0", "buffer_km = -1.0", "gates.protected.buffer_km: negative distance -1"),
    ("bands = [[5.0, 100]", "bands = [[-5.0, 100]", "criteria.infrastructure.bands: negative distance -5"),
    ("[[gates.stage.EL]]", "[[gates.stage.PL]]", "gates.stage.PL: unknown licence type 'PL'"),
    ('min_stage = "G2"', 'min_stage = "G5"', "gates.stage.ML[0].min_stage: must be one of G1, G2, G3, G4, not 'G5'"),
    ("within_km = 10.0", 'within_km = "ten"', "conditions.nbwl.within_km: must be a number, not 'ten'"),
    ("stage_scores = { G1 = 100", "stage_scores = { G1 = 140", "criteria.exploration.stage_scores.G1: score 140"),
    ('method = "percentile"', 'method = "vibes"', "criteria.evidence.method: must be one of percentile, thresholds"),
    ("since = 2021-06-01", 'since = "June 2021"', "gates.stage.CL[1].since: must be a date"),
    ("within_km = 10.0", "within_km = -10.0", "conditions.nbwl.within_km: negative distance -10"),
    ("[criteria.forest]\n", "[criteria.forest]\nslope = 1\n", "criteria.forest.slope: unknown key"),
    ("stage_scores = { G1 = 100", "stage_scores = { G0 = 100, G1 = 100",
     "criteria.exploration.stage_scores.G0: unknown key"),
    ("[criteria.exploration]\nstage_scores", "[criteria.exploration]\nstage_score",
     "criteria.exploration.stage_scores: missing section"),
    ("[criteria.protected]\nbands", "[criteria.protected_areas]\nbands", "criteria.protected: missing section"),
    ('licences = ["ML", "CL"]', 'licences = ["ML", "PL"]', "authority.central[0].licences: must be a list"),
    ("since = 2023-08-17\nuntil = 2024-01-20\nlicences", 'since = "Aug 2023"\nuntil = 2024-01-20\nlicences',
     "authority.central[0].since: must be a date"),
    ('rule = ["W4"]', 'rule = ["W44"]', "gates.protected.esz[0].rule: rule id 'W44' is not in [citations]"),
    ("until = 2023-04-25\nrule = [\"W2\"]\n\n[[gates.protected.buffer]]\nsince = 2023-04-26",
     "rule = [\"W2\"]\n\n[[gates.protected.buffer]]\nsince = 2023-04-26",
     "gates.protected.buffer: the rows from 2022-06-03 and from 2023-04-26 overlap"),
    ("[[gates.stage.EL]]\nsince = 2023-08-17\n", "[[gates.stage.EL]]\n",
     "gates.stage.EL[0].since: missing: every rule row needs the day it applies from"),
    ('law = "Supreme Court of India, order of 13 Nov 2025', 'lawyer = "Supreme Court of India, order of 13 Nov 2025',
     "citations.W11.lawyer: unknown key"),
])
def test_invalid_rules_name_the_key_and_the_problem(tmp_path, shipped_text, old, new, message):
    path = write_variant(tmp_path, shipped_text, old, new)
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert "my_rules.toml" in str(error.value)
    assert message in str(error.value)


def test_every_problem_is_reported_at_once(tmp_path, shipped_text):
    text = shipped_text.replace("exploration = 25", "exploration = 26").replace("buffer_km = 1.0", "buffer_km = -2")
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert "sum to 101" in str(error.value) and "negative distance -2" in str(error.value)


def test_user_thresholds_for_a_raster_may_be_negative(tmp_path, shipped_text):
    extra = "\n[criteria.evidence.thresholds.magnetic_anomaly]\nbands = [[-50.0, 10], [0.0, 40], [100.0, 80]]\nbeyond = 100\n"
    path = tmp_path / "thresholds.toml"
    path.write_text(shipped_text + extra, encoding="utf-8")
    rules = load_rules(path)
    assert rules.evidence_thresholds["magnetic_anomaly"].score([-60, 50, 500]).tolist() == [10, 80, 100]


def test_unreadable_and_non_toml_files(tmp_path):
    with pytest.raises(RulesError, match="missing.toml: cannot read"):
        load_rules(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[weights\nexploration = ", encoding="utf-8")
    with pytest.raises(RulesError, match="broken.toml: not a valid TOML"):
        load_rules(broken)
