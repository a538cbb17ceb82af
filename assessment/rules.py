"""The auction-readiness rules file: load, validate, and expose it as a typed object.

The rules are data (``assessment/rules.toml``, DESIGN.md §5.2): gates keyed by licence with the
date each applies from, protected-area distances, conditions, weights, score bands and the mineral
lists, each statutory value with its ``source``. A user's own file is validated with messages that
name the key and the problem; every score records the file's version and SHA-256.

Examples
--------
>>> rules = load_rules()                      # the shipped file
>>> rules.stage_rule("CL", datetime.date(2024, 1, 1)).min_stage
'G4'
>>> rules.stage_rule("CL", datetime.date(2020, 1, 1)).min_stage
'G3'
>>> rules.stage_rule("EL", datetime.date(2023, 1, 1)) is None      # no exploration licences yet
True
"""
from __future__ import annotations

import datetime
import hashlib
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from geo import limits
from geo.errors import RulesError, describe_path
from geo.failures import problem_in_words

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.toml")

LICENCES = ("ML", "CL", "EL")
STAGES = ("G1", "G2", "G3", "G4")
CRITERIA = ("exploration", "resources", "forest", "protected", "infrastructure", "evidence", "completeness")
# JORC-equivalent categories from the most to the least confident.
RESOURCE_LEVELS = ("Proved", "Probable", "Measured", "Indicated", "Inferred")
UNKNOWN_GATE_POLICIES = ("condition", "ignore")
EVIDENCE_METHODS = ("percentile", "thresholds")

_STAGE_RULE_KEYS = {"since", "min_stage", "min_resource", "or_potentiality", "seventh_schedule", "source", "derived"}
_SOURCE_KEYS = {"source", "derived"}


@dataclass(frozen=True)
class BandTable:
    """Scores for a measure by steps: up to and including ``uppers[i]`` → ``scores[i]``."""

    uppers: tuple[float, ...]
    scores: tuple[float, ...]
    beyond: float

    def score(self, values) -> np.ndarray:
        """Score each value (NaN stays NaN)."""
        values = np.asarray(values, dtype=float)
        positions = np.searchsorted(np.asarray(self.uppers), values, side="left")
        table = np.asarray([*self.scores, self.beyond], dtype=float)
        result = table[np.minimum(positions, len(self.scores))]
        result[np.isnan(values)] = np.nan
        return result


# The colon between a citation's name of the law and the rule's own words (in lower case).
_RULE_WORDS = re.compile(r":\s+(?=[a-z])")


@dataclass(frozen=True)
class Citation:
    """What a rule id rests on: ``law`` names the law (printed in findings and dossiers);
    ``derived`` marks our reading of secondary sources."""

    rule_id: str
    law: str
    derived: bool

    @property
    def short_name(self) -> str:
        """The law's name without what it says: ``law`` up to the colon that opens the rule's
        words (which start in lower case, so "In Re: Saranda" stays in the name); the whole of
        ``law`` when it has no such colon.

        Examples
        --------
        >>> Citation("W9", "Wild Life (Protection) Act 1972, s.29 and s.35: no destruction in a sanctuary", True).short_name
        'Wild Life (Protection) Act 1972, s.29 and s.35'
        """
        found = _RULE_WORDS.search(self.law)
        return self.law[:found.start()] if found else self.law


@dataclass(frozen=True)
class Dated:
    """A rule row in force from ``since`` to ``until`` (inclusive; None: still in force), resting
    on the citations ``rule``."""

    since: datetime.date
    until: Optional[datetime.date]
    rule: tuple[str, ...]

    def in_force(self, on: datetime.date) -> bool:
        return self.since <= on and (self.until is None or on <= self.until)


@dataclass(frozen=True)
class StageRule(Dated):
    """The minimum evidence for one licence over one period (DOMAIN.md A4)."""

    licence: str = ""
    min_stage: Optional[str] = None
    min_resource: Optional[str] = None
    or_potentiality: bool = False
    seventh_schedule: bool = False


@dataclass(frozen=True)
class BufferRule(Dated):
    """The no-mining zone around an NP/WS over one period; ``exempt`` names the protected-area
    flags (``esz``, ``interstate``) that lift it, on the citations ``exemption_rule``."""

    exempt: tuple[str, ...] = ()
    exemption_rule: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthorityRule(Dated):
    """The Central Government auctions ``licences`` for Part D minerals over one period."""

    licences: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProtectedRule:
    buffer_km: float
    inside: tuple[Dated, ...]
    buffer: tuple[BufferRule, ...]
    esz: tuple[Dated, ...]


@dataclass(frozen=True)
class Condition:
    threshold: float
    text: str
    rows: tuple[Dated, ...]


@dataclass(frozen=True)
class ResourcesRule:
    tonnage: BandTable
    count: BandTable
    critical_bonus: float


@dataclass(frozen=True)
class Rules:
    """A validated rules file. ``raw`` holds the parsed TOML (mineral lists included)."""

    path: Path
    version: str
    sha256: str
    unknown_gate: str
    as_of: datetime.date
    citations: dict[str, Citation]
    stage_rules: dict[str, tuple[StageRule, ...]]
    protected: ProtectedRule
    state_min_inside_pct: float
    state_rows: tuple[Dated, ...]
    forest_condition: Condition
    nbwl_condition: Condition
    authority: tuple[AuthorityRule, ...]
    weights: dict[str, float]
    stage_scores: dict[str, float]
    resources: ResourcesRule
    forest_bands: BandTable
    protected_bands: BandTable
    infrastructure_bands: BandTable
    evidence_method: str
    evidence_thresholds: dict[str, BandTable]
    raw: dict
    #: The text of each tuple of rule ids already asked for: every block of a run shares one string.
    _sources: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.path.name

    def stage_rule(self, licence: str, on: Optional[datetime.date] = None) -> Optional[StageRule]:
        """The rule for ``licence`` in force on ``on`` (default: the rules' ``as_of``), or None."""
        return in_force(self.stage_rules.get(licence, ()), on or self.as_of)

    def citation(self, rule_id: str) -> str:
        """The law a rule id rests on, as printed in a dossier's key page ("derived" said)."""
        cited = self.citations[rule_id]
        return cited.law + (" (Khanij's derived reading of secondary sources)" if cited.derived else "")

    def source(self, rule_ids: Sequence[str]) -> str:
        """The citations of ``rule_ids`` as one text, in order."""
        key = tuple(rule_ids)
        text = self._sources.get(key)
        if text is None:
            text = self._sources[key] = "; ".join(self.citation(rule_id) for rule_id in key)
        return text

    def mineral_list(self, name: str) -> tuple[str, ...]:
        """Canonical names in ``[minerals.<name>]`` (e.g. ``seventh_schedule``)."""
        return tuple(dict.fromkeys(self.raw.get("minerals", {}).get(name, {}).get("names", ())))


def in_force(rows: Sequence[Dated], on: datetime.date):
    """The row of ``rows`` in force on ``on``, or None (rows never overlap: the loader checks)."""
    return next((row for row in rows if row.in_force(on)), None)


def rule_ids(rows) -> str:
    """Rule ids as one column value: ``"W1; W11"``."""
    return "; ".join(rows)


def load_rules(path: os.PathLike | str | None = None) -> Rules:
    """Read and validate a rules file (default: the shipped ``assessment/rules.toml``).

    Raises
    ------
    RulesError
        The file cannot be read, is not TOML, or breaks a rule; the message names the file and
        lists every problem as ``key: problem``.
    """
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    name = describe_path(path)
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{name}: cannot read the rules file: {exc.strerror or exc}") from exc
    if len(payload) > limits.TEXT_FILE_BYTES.value:
        raise RulesError(limits.refusal(name, f"the rules file is {len(payload):,} bytes", limits.TEXT_FILE_BYTES))
    try:
        raw = tomllib.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise RulesError(f"{name}: not a valid TOML rules file: {problem_in_words(exc)}") from None
    deep = limits.too_deep(raw)
    if deep is not None:
        raise RulesError(limits.refusal(name, f"{deep}: nested too deeply", limits.NESTING_DEPTH))
    checker = _Checker()
    rules = _build(raw, path, hashlib.sha256(payload).hexdigest(), checker)
    if checker.problems:
        raise RulesError(f"{name}: invalid rules file: " + "; ".join(checker.problems))
    return rules


class _Checker:
    """Collects every problem so a user sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, key: str, problem: str) -> None:
        self.problems.append(f"{key}: {problem}")

    def table(self, raw: dict, key: str, allowed: set[str] | None = None, required: bool = True) -> dict:
        value = _dig(raw, key)
        if value is None:
            if required:
                self.fail(key, "missing section")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
            return {}
        if allowed is not None:
            for unknown in sorted(set(value) - allowed):
                self.fail(f"{key}.{unknown}", "unknown key")
        return value

    def subtables(self, table: dict, key: str, allowed: set[str], what: str):
        """``(name, sub-table, its key)`` for each entry of ``table`` that is a table with only
        ``allowed`` keys; every other entry is reported (``what`` says what it must be)."""
        for name, entry in table.items():
            where = f"{key}.{name}"
            if not isinstance(entry, dict):
                self.fail(where, f"must be {what}")
                continue
            for unknown in sorted(set(entry) - allowed):
                self.fail(f"{where}.{unknown}", "unknown key")
            yield name, entry, where

    def number(self, table: dict, key: str, field: str, low: float = -math.inf, high: float = math.inf,
               what: str = "value", default: float | None = None) -> float:
        value = table.get(field, default)
        if not _is_number(value):
            self.fail(f"{key}.{field}", "missing" if value is None else f"must be a number, not {_shown(value)}")
            return 0.0
        if not low <= value <= high:
            if low == 0 and value < 0:
                self.fail(f"{key}.{field}", f"negative {what} {value}")
            else:
                self.fail(f"{key}.{field}", f"{what} {value} is outside {low:g}–{high:g}")
        return float(value)

    def text(self, table: dict, key: str, field: str, required: bool = True) -> str:
        value = table.get(field)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key}.{field}", "missing" if value is None else "must be non-empty text")
            return ""
        return value

    def flag(self, table: dict, key: str, field: str) -> bool:
        value = table.get(field, False)
        if not isinstance(value, bool):
            self.fail(f"{key}.{field}", f"must be true or false, not {value!r}")
            return False
        return value

    def bands(self, table: dict, key: str, bands_field: str, beyond_field: str, what: str,
              allow_negative: bool = False) -> BandTable:
        """A band table; ``allow_negative`` for raster thresholds (an anomaly in nT may be < 0)."""
        bands = table.get(bands_field)
        where = f"{key}.{bands_field}"
        if not isinstance(bands, list) or not bands or not all(
                isinstance(b, list) and len(b) == 2 and all(_is_number(x) for x in b) for b in bands):
            self.fail(where, "must be a list of [upper, score] pairs of finite numbers")
            return BandTable((), (), 0.0)
        uppers = tuple(float(b[0]) for b in bands)
        scores = tuple(float(b[1]) for b in bands)
        for upper in uppers:
            if upper < 0 and not allow_negative:
                self.fail(where, f"negative {what} {upper:g}")
        if any(b <= a for a, b in zip(uppers, uppers[1:])):
            self.fail(where, "upper bounds must increase")
        for score in scores:
            if not 0 <= score <= 100:
                self.fail(where, f"score {score:g} is outside 0–100")
        beyond_value = self.number(table, key, beyond_field, 0, 100, "score")
        return BandTable(uppers, scores, beyond_value)


def _is_number(value: Any) -> bool:
    """A TOML integer or float that is a usable number: not a boolean, not NaN or infinite, and
    not an integer too large to become a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _shown(value: Any) -> str:
    """A value as a message shows it: at most 40 characters (an overflowing integer has hundreds)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _dig(raw: dict, key: str) -> Any:
    value: Any = raw
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _build(raw: dict, path: Path, sha256: str, check: _Checker) -> Rules:
    known_top = {"meta", "minerals", "commodity_aliases", "commodity_words", "readiness", "citations", "gates",
                 "conditions", "authority", "weights", "criteria"}
    for unknown in sorted(set(raw) - known_top):
        check.fail(unknown, "unknown key")
    meta = check.table(raw, "meta")
    version = check.text(meta, "meta", "version") if meta else ""
    _check_minerals(raw, check)
    readiness = check.table(raw, "readiness", {"unknown_gate", "as_of"})
    unknown_gate = readiness.get("unknown_gate", "condition")
    if unknown_gate not in UNKNOWN_GATE_POLICIES:
        check.fail("readiness.unknown_gate", f"must be one of {', '.join(UNKNOWN_GATE_POLICIES)}, not {unknown_gate!r}")
    as_of = _as_of(readiness.get("as_of", "today"), check)
    citations = _citations(raw, check)
    dated = _DatedReader(check, citations)
    check.table(raw, "gates", {"stage", "protected", "state"})
    stage_rules = _stage_rules(raw, dated, check)
    protected = check.table(raw, "gates.protected", {"buffer_km", "inside", "buffer", "esz"})
    state = check.table(raw, "gates.state", {"min_inside_pct", "rows"})
    check.table(raw, "conditions", {"forest", "nbwl"})
    weights = _weights(raw, check)
    check.table(raw, "criteria", set(CRITERIA))
    check.table(raw, "criteria.exploration", {"stage_scores"})
    resources = check.table(raw, "criteria.resources", {"tonnage_bands", "tonnage_beyond", "count_bands", "count_beyond", "critical_bonus"})
    evidence = check.table(raw, "criteria.evidence", {"method", "thresholds"})
    method = evidence.get("method", "percentile")
    if method not in EVIDENCE_METHODS:
        check.fail("criteria.evidence.method", f"must be one of {', '.join(EVIDENCE_METHODS)}, not {method!r}")
    return Rules(
        path=path, version=version, sha256=sha256, unknown_gate=unknown_gate, as_of=as_of,
        citations=citations,
        stage_rules=stage_rules,
        protected=ProtectedRule(
            buffer_km=check.number(protected, "gates.protected", "buffer_km", 0, 1000, "distance"),
            inside=dated.rows(protected, "gates.protected", "inside", Dated),
            buffer=dated.rows(protected, "gates.protected", "buffer", BufferRule, _buffer_fields),
            esz=dated.rows(protected, "gates.protected", "esz", Dated),
        ),
        state_min_inside_pct=check.number(state, "gates.state", "min_inside_pct", 0, 100, "percentage"),
        state_rows=dated.rows(state, "gates.state", "rows", Dated),
        forest_condition=_condition(raw, "forest", "min_overlap_ha", "area", dated, check),
        nbwl_condition=_condition(raw, "nbwl", "within_km", "distance", dated, check),
        authority=_authority(raw, dated, check),
        weights=weights,
        stage_scores=_stage_scores(raw, check),
        resources=ResourcesRule(
            tonnage=check.bands(resources, "criteria.resources", "tonnage_bands", "tonnage_beyond", "tonnage"),
            count=check.bands(resources, "criteria.resources", "count_bands", "count_beyond", "count"),
            critical_bonus=check.number(resources, "criteria.resources", "critical_bonus", 0, 100, "score"),
        ),
        forest_bands=_band_section(raw, "forest", "percentage", check),
        protected_bands=_band_section(raw, "protected", "distance", check),
        infrastructure_bands=_band_section(raw, "infrastructure", "distance", check),
        evidence_method=method,
        evidence_thresholds=_evidence_thresholds(evidence, check),
        raw=raw,
    )


_MINERAL_LIST_KEYS = {"title", "status", "source", "count", "count_reported", "names", "wording"}


def _check_minerals(raw: dict, check: _Checker) -> None:
    """The mineral lists: each ``[minerals.<list>]`` holds ``names`` (text) and a ``source``."""
    for name, table in check.table(raw, "minerals").items():
        key = f"minerals.{name}"
        if not isinstance(table, dict):
            check.fail(key, "must be a table")
            continue
        for unknown in sorted(set(table) - _MINERAL_LIST_KEYS):
            check.fail(f"{key}.{unknown}", "unknown key")
        names = table.get("names")
        if not isinstance(names, list) or not names or not all(isinstance(m, str) and m.strip() for m in names):
            check.fail(f"{key}.names", "must be a non-empty list of mineral names")
        elif "count" in table and table["count"] != len(names):
            check.fail(f"{key}.count", f"says {table['count']!r} but names lists {len(names)}")
        check.text(table, key, "source")
    for section in ("commodity_aliases", "commodity_words"):
        if not isinstance(raw.get(section, {}), dict):
            check.fail(section, "must be a table")


def _as_of(value: Any, check: _Checker) -> datetime.date:
    if value == "today":
        return datetime.date.today()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    check.fail("readiness.as_of", f"must be \"today\" or a date such as 2024-06-30, not {value!r}")
    return datetime.date.today()


def _citations(raw: dict, check: _Checker) -> dict[str, Citation]:
    return {rule_id: Citation(rule_id, check.text(table, key, "law"), check.flag(table, key, "derived"))
            for rule_id, table, key in check.subtables(check.table(raw, "citations"), "citations", {"law", "derived"},
                                                        "a table with law (and derived)")}


class _DatedReader:
    """Reads arrays of dated rule rows: ``since`` and ``until`` dates, ``rule`` ids that must be
    cited, and rows that never overlap in time."""

    _KEYS = {"since", "until", "rule"}

    def __init__(self, check: _Checker, citations: dict[str, Citation]) -> None:
        self.check, self.citations = check, citations

    def rows(self, table: dict, key: str, field: str, kind: type, extra=None, required: bool = True) -> tuple:
        """``table[field]`` as rows of ``kind``; ``extra(entry, key, reader)`` reads the other fields
        as a dict (its keys are the row's allowed keys besides since/until/rule)."""
        where = f"{key}.{field}"
        entries = table.get(field)
        if entries is None:
            if required and table:
                self.check.fail(where, "missing: give at least one dated row")
            return ()
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            self.check.fail(where, f"must be an array of tables ([[{where}]]) with since, until and rule")
            return ()
        rows = []
        for position, entry in enumerate(entries):
            row_key = f"{where}[{position}]"
            fields = extra(entry, row_key, self) if extra is not None else {}
            for unknown in sorted(set(entry) - self._KEYS - set(fields)):
                self.check.fail(f"{row_key}.{unknown}", "unknown key")
            rows.append(kind(since=self._date(entry, row_key, "since"), until=self._date(entry, row_key, "until", False),
                             rule=self.ids(entry, row_key, "rule"), **fields))
        self._no_overlap(rows, where)
        return tuple(rows)

    def ids(self, entry: dict, key: str, field: str, required: bool = True) -> tuple[str, ...]:
        value = entry.get(field)
        if value is None and not required:
            return ()
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            self.check.fail(f"{key}.{field}", "must be a rule id or a list of rule ids, each cited in [citations]")
            return ()
        for rule_id in ids:
            if rule_id not in self.citations:
                self.check.fail(f"{key}.{field}", f"rule id {rule_id!r} is not in [citations]")
        return tuple(ids)

    def _date(self, entry: dict, key: str, field: str, required: bool = True) -> Optional[datetime.date]:
        value = entry.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.check.fail(f"{key}.{field}", "missing: every rule row needs the day it applies from" if value is None
                            else f"must be a date such as 2021-06-01, not {value!r}")
            return datetime.date.min if field == "since" else None
        return value

    def _no_overlap(self, rows: list[Dated], where: str) -> None:
        ordered = sorted(rows, key=lambda row: row.since)
        for row in ordered:
            if row.until is not None and row.until < row.since:
                self.check.fail(where, f"a row ends ({row.until}) before it starts ({row.since})")
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier.until is None or earlier.until >= later.since:
                self.check.fail(where, f"the rows from {earlier.since} and from {later.since} overlap: "
                                       f"give the earlier one an `until` before {later.since}")


def _stage_rules(raw: dict, dated: _DatedReader, check: _Checker) -> dict[str, tuple[StageRule, ...]]:
    section = check.table(raw, "gates.stage")
    rules: dict[str, tuple[StageRule, ...]] = {}
    for licence in section:
        if licence not in LICENCES:
            check.fail(f"gates.stage.{licence}", f"unknown licence type {licence!r} (use {', '.join(LICENCES)})")
            continue
        rules[licence] = dated.rows(section, "gates.stage", licence, StageRule,
                                    lambda entry, key, reader, licence=licence: _stage_fields(licence, entry, key, reader.check))
    for licence in LICENCES:
        if licence not in section:
            check.fail(f"gates.stage.{licence}", "missing: every licence needs a stage rule")
    return rules


def _stage_fields(licence: str, entry: dict, key: str, check: _Checker) -> dict:
    min_stage = entry.get("min_stage")
    if min_stage is not None and min_stage not in STAGES:
        check.fail(f"{key}.min_stage", f"must be one of {', '.join(STAGES)}, not {min_stage!r}")
    min_resource = entry.get("min_resource")
    if min_resource is not None and min_resource not in RESOURCE_LEVELS:
        check.fail(f"{key}.min_resource", f"must be one of {', '.join(RESOURCE_LEVELS)}, not {min_resource!r}")
    fields = dict(licence=licence, min_stage=min_stage, min_resource=min_resource,
                  or_potentiality=check.flag(entry, key, "or_potentiality"),
                  seventh_schedule=check.flag(entry, key, "seventh_schedule"))
    if min_stage is None and not fields["seventh_schedule"]:
        check.fail(key, "needs min_stage or seventh_schedule = true")
    return fields


_PROTECTED_FLAGS = ("esz", "interstate")


def _buffer_fields(entry: dict, key: str, reader: _DatedReader) -> dict:
    exempt = entry.get("exempt", [])
    if not isinstance(exempt, list) or any(flag not in _PROTECTED_FLAGS for flag in exempt):
        reader.check.fail(f"{key}.exempt", f"must be a list of protected-area flags ({', '.join(_PROTECTED_FLAGS)}), "
                                           f"not {exempt!r}")
        exempt = []
    exemption_rule = reader.ids(entry, key, "exemption_rule", required=bool(exempt))
    return {"exempt": tuple(exempt), "exemption_rule": exemption_rule}


def _condition(raw: dict, name: str, threshold_key: str, what: str, dated: _DatedReader, check: _Checker) -> Condition:
    key = f"conditions.{name}"
    table = check.table(raw, key, {threshold_key, "text", "rows"})
    return Condition(
        threshold=check.number(table, key, threshold_key, 0, 1000 if what == "distance" else math.inf, what),
        text=check.text(table, key, "text"), rows=dated.rows(table, key, "rows", Dated),
    )


def _authority(raw: dict, dated: _DatedReader, check: _Checker) -> tuple[AuthorityRule, ...]:
    table = check.table(raw, "authority", {"central"})

    def licences(entry: dict, key: str, reader: _DatedReader) -> dict:
        value = entry.get("licences", [])
        if not isinstance(value, list) or not value or any(licence not in LICENCES for licence in value):
            reader.check.fail(f"{key}.licences", f"must be a list of licence types ({', '.join(LICENCES)}), not {value!r}")
            value = []
        return {"licences": tuple(value)}

    return dated.rows(table, "authority", "central", AuthorityRule, licences)


def _weights(raw: dict, check: _Checker) -> dict[str, float]:
    table = check.table(raw, "weights", set(CRITERIA))
    weights = {name: check.number(table, "weights", name, 0, 100, "weight") for name in CRITERIA if name in table}
    for name in CRITERIA:
        if name not in table and table:
            check.fail(f"weights.{name}", "missing")
    total = sum(weights.values())
    if table and abs(total - 100) > 1e-9:
        check.fail("weights", f"weights sum to {total:g}, not 100")
    return weights


def _stage_scores(raw: dict, check: _Checker) -> dict[str, float]:
    key = "criteria.exploration.stage_scores"
    scores = check.table(raw, key, set(STAGES))
    return {stage: check.number(scores, key, stage, 0, 100, "score") for stage in STAGES if scores}


def _band_section(raw: dict, name: str, what: str, check: _Checker) -> BandTable:
    key = f"criteria.{name}"
    table = check.table(raw, key, {"bands", "beyond"})
    if not table:
        return BandTable((), (), 0.0)
    return check.bands(table, key, "bands", "beyond", what)


def _evidence_thresholds(evidence: dict, check: _Checker) -> dict[str, BandTable]:
    thresholds = evidence.get("thresholds", {})
    if not isinstance(thresholds, dict):
        check.fail("criteria.evidence.thresholds", "must be a table of raster names")
        return {}
    return {raster: check.bands(table, key, "bands", "beyond", "threshold", allow_negative=True)
            for raster, table, key in check.subtables(thresholds, "criteria.evidence.thresholds", {"bands", "beyond"},
                                                       "a table with bands and beyond")}
