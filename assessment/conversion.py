"""Conversion between India's UNFC-1997 codes, UNFC-2009/2019, CRIRSCO/JORC and stages G1–G4.

Every rule is a row of ``assessment/data/classification.toml`` (DOMAIN.md A1–A3, each row with
its source); this module only looks rows up and words the answer. A conversion returns the result,
a status (``exact``, ``ambiguous``, ``no_equivalent``, ``invalid``), the alternatives each with its
condition, and one sentence that cites the rule. No result or alternative claims more confidence
than its input permits (see :func:`within` and the ``[confidence]`` section of the data).

Examples
--------
>>> convert("121").to_dict()["alternatives"]
[{'result': 'Proved Ore Reserve', 'condition': 'if the Modifying-Factor uncertainties are removed (a Probable Reserve from a Measured resource may become Proved)'}]
>>> convert("Indicated Mineral Resource").result
'332'
>>> stage_of("E2F2G3"), stage_of("Probable"), stage_of("junk")
('G3', 'G2', None)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Optional

import numpy as np
import pandas as pd

from assessment.notation import Parsed, classification_data, distinct_values, geological_level, geological_levels, parse
from geo.errors import ClassificationError

TARGETS = ("jorc", "unfc", "india", "stage")
STATUSES = ("exact", "ambiguous", "no_equivalent", "invalid")
OUTPUT_SUFFIXES = ("_to", "_status", "_alternatives", "_note")

_SCHEME_WORDS = {
    "india": "an India UNFC-1997 code",
    "unfc": "UNFC-2009/2019 notation",
    "stage": "a UNFC stage (the G axis alone)",
    "jorc": "a JORC/CRIRSCO category",
}


@dataclass
class Conversion:
    """One converted value: the same fields as ``khanij convert --json``.

    Attributes
    ----------
    input : str
        The value as given.
    notation : {"india", "unfc", "stage", "jorc", "invalid"}
    result : str or None
        The converted category, or None when there is no equivalent or the input is invalid.
    status : {"exact", "ambiguous", "no_equivalent", "invalid"}
    alternatives : list of dict
        ``{"result", "condition"}``: other categories the input may convert to, and when.
    note : str
        One sentence that explains the answer and cites its rule (or why the input is invalid).
    """

    input: str
    notation: str
    result: Optional[str]
    status: str
    alternatives: list = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict:
        """The CLI's JSON object: ``{"input", "notation", "result", "status", "alternatives", "note"}``."""
        return {
            "input": self.input,
            "notation": self.notation,
            "result": self.result,
            "status": self.status,
            "alternatives": [dict(alternative) for alternative in self.alternatives],
            "note": self.note,
        }


@dataclass(frozen=True)
class Confidence:
    """A category's confidence: kind rank (none < target < resource < reserve), reserve grade
    rank (none < probable < proved) and geological level ``g`` (1 is the highest confidence)."""

    kind: int
    grade: int
    g: int


# ----- the data, indexed once --------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    categories: dict
    conversions: dict
    unfc_rows: tuple
    kinds: dict
    grades: dict
    meta: dict


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = classification_data()
    categories = {f"{c['scheme']}:{c['code']}": c for c in data["category"]}
    conversions = {(row["from"], row["to"]): row for row in data["conversion"]}
    kinds = {name: rank for rank, name in enumerate(data["confidence"]["kind"])}
    grades = {name: rank for rank, name in enumerate(data["confidence"]["grade"])}
    return _Tables(categories, conversions, tuple(data["unfc"]), kinds, grades, data["meta"])


def _matches(pattern: str, value: int) -> bool:
    return pattern == "*" or str(value) in pattern.split("|")


def _unfc_row(axes: tuple) -> dict:
    """The first UNFC pattern row matching the code's main E, F, G classes."""
    e, f, g = axes
    for row in _tables().unfc_rows:
        match = row["match"]
        if _matches(match["e"], e) and _matches(match["f"], f) and _matches(match["g"], g):
            return row
    raise ClassificationError(f"classification.toml has no UNFC rule for E{e} F{f} G{g}")


def _rule_of(parsed: Parsed) -> dict:
    """The category row (India code, JORC name, stage) or UNFC pattern row of a valid value."""
    if parsed.notation == "unfc":
        return _unfc_row(parsed.axes)
    key = f"stage:G{parsed.axes[2]}" if parsed.notation == "stage" else f"{parsed.notation}:{parsed.code}"
    return _tables().categories[key]


# ----- confidence ----------------------------------------------------------------------------


def claim_of(value: Any) -> Optional[Confidence]:
    """What a category asserts for sure (None for an invalid value)."""
    parsed = value if isinstance(value, Parsed) else parse(value)
    if not parsed.valid:
        return None
    rule, tables = _rule_of(parsed), _tables()
    return Confidence(tables.kinds[rule["kind"]], tables.grades[rule.get("grade", "none")], parsed.g)


def permit_of(value: Any) -> Optional[Confidence]:
    """The most confidence a category can stand for (e.g. 121 may be Proved, Probable may rest on
    G1; a name standing for two codes, the most either of them may)."""
    parsed = value if isinstance(value, Parsed) else parse(value)
    if parsed.alternatives:
        permits = [permit_of(parse(code)) for code in parsed.candidates]
        return Confidence(max(p.kind for p in permits), max(p.grade for p in permits), min(p.g for p in permits))
    claim = claim_of(parsed)
    if claim is None:
        return None
    permits, tables = _rule_of(parsed).get("permits", {}), _tables()
    return Confidence(
        tables.kinds[permits["kind"]] if "kind" in permits else claim.kind,
        tables.grades[permits["grade"]] if "grade" in permits else claim.grade,
        permits.get("g", claim.g),
    )


def within(claim: Confidence, permit: Confidence) -> bool:
    """True when ``claim`` asserts no more confidence than ``permit`` allows (DOMAIN.md A2)."""
    reserve = _tables().kinds["reserve"]
    if claim.kind > permit.kind or claim.g < permit.g:
        return False
    return not (claim.kind == reserve == permit.kind and claim.grade > permit.grade)


def no_more_confident(end: Confidence, start: Confidence) -> bool:
    """True when a category claiming ``end`` is no more confident than one claiming ``start``
    (DOMAIN.md A1, "Chains never raise confidence"): no higher geological level, no reserve from
    a non-reserve, no Proved from a Probable, no resource from an exploration target. Naming a
    geological level a resource (G2 → Indicated, India's E3 F3 digits → 331) is not a rise."""
    kinds = _tables().kinds
    if end.g < start.g:
        return False
    if end.kind == kinds["reserve"] and (start.kind != kinds["reserve"] or end.grade > start.grade):
        return False
    return not (start.kind == kinds["target"] and end.kind > kinds["target"])


# ----- conversion ----------------------------------------------------------------------------


def default_target(notation: str) -> str:
    """JORC names convert to India codes by default; everything else to JORC."""
    return "india" if notation == "jorc" else "jorc"


def _sentence(text: str, row: dict, prefix: str = "") -> str:
    meta = _tables().meta
    tags = [meta["derived_note"]] * bool(row.get("derived")) + [meta["unverified_note"]] * bool(row.get("unverified"))
    body = f"{prefix}{text}" + "".join(f"; {tag}" for tag in tags)
    return body[0].upper() + body[1:] + "."


def _from_row(text: str, parsed: Parsed, row: dict, note: str) -> Conversion:
    alternatives = [{"result": a["result"], "condition": a["condition"]} for a in row["alternatives"]]
    return Conversion(text, parsed.notation, row["result"] or None, row["status"], alternatives, note)


def _identity(text: str, parsed: Parsed) -> Conversion:
    note = f"{parsed.code} is already {_SCHEME_WORDS[parsed.notation]}, written here in canonical form."
    return Conversion(text, parsed.notation, parsed.code, "exact", [], note)


def _stage_name(g: int) -> str:
    return _tables().categories[f"stage:G{g}"]["name"]


def _to_stage(text: str, parsed: Parsed) -> Conversion:
    rule = _rule_of(parsed)
    g = parsed.g
    result = f"G{g}"
    if parsed.notation in ("india", "unfc", "stage"):
        axis = "G digit" if parsed.notation == "india" else "G axis"
        note = f"{parsed.code} is at stage {result} ({_stage_name(g)}), its {axis} (MEMC Rules 2015 r.3(g); UNECE–CRIRSCO Bridging Document)."
        return Conversion(text, parsed.notation, result, "exact", [], note)
    best = rule.get("permits", {}).get("g", g)
    if best == g:
        note = f"{parsed.code} rests on stage {result} ({_stage_name(g)}) geology (UNECE–CRIRSCO Bridging Document: G1 ≈ Measured, G2 ≈ Indicated, G3 ≈ Inferred, G4 exploration)."
        return Conversion(text, parsed.notation, result, "exact", [], note)
    condition = rule["permits"]["condition"]
    note = (f"{parsed.code} is read as stage {result} ({_stage_name(g)}), the lower confidence it may rest on, "
            f"or G{best} {condition} (JORC Code 2012; UNECE–CRIRSCO Bridging Document).")
    return Conversion(text, parsed.notation, result, "ambiguous", [{"result": f"G{best}", "condition": condition}], note)


def _unfc_prefix(parsed: Parsed, row: dict) -> str:
    """``"E1.1F2G1: "`` when the rule's note does not already name the code (a general row or sub-classes)."""
    specific = all(row["match"][axis].isdigit() for axis in "efg")
    plain = "E{}F{}G{}".format(*parsed.axes) == parsed.code
    return "" if specific and plain else f"{parsed.code}: "


def _convert_either(text: str, parsed: Parsed, to: str) -> Conversion:
    """A name that stands for several codes (MEMC "Pre-Feasibility Mineral Resource": 222 or 221):
    the conversion of its default code, the lower geological confidence, with the others' results
    as alternatives conditional on the G level that tells them apart (DOMAIN.md A1)."""
    default = _convert_parsed(text, replace(parsed, alternatives=()), to)
    alternatives = list(default.alternatives)
    for code in parsed.alternatives:
        other, g = _convert_parsed(text, parse(code), to), int(code[2])
        condition = f"if the geology is at G{g} ({_stage_name(g)}), making it {code}"
        offered = [{"result": other.result, "condition": condition}] * (other.result is not None)
        offered += [{"result": a["result"], "condition": f"{condition}, and {a['condition']}"} for a in other.alternatives]
        known = {default.result, *(a["result"] for a in alternatives)}
        alternatives += [a for a in offered if a["result"] not in known]
    codes = " and ".join(sorted(parsed.candidates))
    note = (f"'{text}' is the MEMC name of both {codes} (MEMC Rules 2015 r.3(g)) and is read as {parsed.code}, "
            f"the lower geological confidence, since no G level is written with it. {default.note}")
    status = "no_equivalent" if default.result is None else "ambiguous"
    return Conversion(text, parsed.notation, default.result, status, alternatives, note)


def _convert_parsed(text: str, parsed: Parsed, to: str) -> Conversion:
    if parsed.alternatives:
        return _convert_either(text, parsed, to)
    if to == "stage":
        return _to_stage(text, parsed)
    if parsed.notation == to or (parsed.notation == "stage" and to == "unfc"):
        return _identity(text, parsed)
    if parsed.notation == "unfc":
        row = _unfc_row(parsed.axes)
        return _from_row(text, parsed, row["to"][to], _sentence(row["to"][to]["note"], row["to"][to], _unfc_prefix(parsed, row)))
    key = f"stage:{parsed.code[:2]}" if parsed.notation == "stage" else f"{parsed.notation}:{parsed.code}"
    row = _tables().conversions[(key, to)]
    return _from_row(text, parsed, row, _sentence(row["note"], row))


def convert(value: Any, to: Optional[str] = None) -> Conversion:
    """Convert one classification value (any notation) to JORC, UNFC, India or a stage.

    Parameters
    ----------
    value : str, int, float or None
        ``331``, ``(3,3,1)``, ``E1.1 F2.2 G1``, ``G3``, ``Proven Reserve`` …
    to : {"jorc", "unfc", "india", "stage"}, optional
        Target scheme; by default India and UNFC codes and stages go to JORC, JORC names to India.

    Returns
    -------
    Conversion
        Never raises for a bad value: an unreadable one comes back with status ``invalid`` and
        the reason as its note.

    Raises
    ------
    ClassificationError
        ``to`` is not one of the target schemes.
    """
    if to is not None and to not in TARGETS:
        raise ClassificationError(f"cannot convert to '{to}': the targets are {', '.join(TARGETS)}")
    parsed = parse(value)
    text = "" if value is None else str(value)
    if not parsed.valid:
        return Conversion(text, "invalid", None, "invalid", [], parsed.reason[0].upper() + parsed.reason[1:] + ".")
    return _convert_parsed(text, parsed, to or default_target(parsed.notation))


#: The geological stage ``"G1"``…``"G4"`` of a value in any notation (see :func:`geological_level`).
stage_of = geological_level


# ----- whole columns -------------------------------------------------------------------------

def _categorical(values: list, row_keys: np.ndarray) -> pd.Categorical:
    """Spread one value per distinct key over the rows as a categorical (no per-row Python)."""
    codes, categories = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes[row_keys], categories=categories)


def format_alternatives(alternatives: list) -> str:
    """Alternatives as one table cell: ``"121 (if derived from a Measured resource) | …"``."""
    return " | ".join(f"{a['result']} ({a['condition']})" for a in alternatives)


def convert_column(series: pd.Series, to: Optional[str] = None, name: Optional[str] = None) -> pd.DataFrame:
    """Convert a whole column in one vectorised pass.

    Each distinct value is converted once (:func:`convert`) and the answers are mapped back to
    the rows as categoricals, so a million rows cost a factorisation, not a million calls.

    Parameters
    ----------
    series : pandas.Series
        Classification values in any mix of notations; junk and empty cells become ``invalid``.
    to : {"jorc", "unfc", "india", "stage"}, optional
        Target; by default each value goes to its own default (JORC names → India, else → JORC).
    name : str, optional
        Prefix of the output columns; defaults to the series' name (or ``"value"``).

    Returns
    -------
    pandas.DataFrame
        Same index as ``series``; columns ``NAME_to``, ``NAME_status``, ``NAME_alternatives``,
        ``NAME_note``.
    """
    prefix = name or (str(series.name) if series.name is not None else "value")
    row_keys, distinct = distinct_values(series)
    answers = [convert(value, to) for value in distinct]
    fields = (
        [a.result for a in answers],
        [a.status for a in answers],
        [format_alternatives(a.alternatives) for a in answers],
        [a.note for a in answers],
    )
    columns = {prefix + suffix: _categorical(values, row_keys) for suffix, values in zip(OUTPUT_SUFFIXES, fields)}
    return pd.DataFrame(columns, index=series.index)


def stages_of(series: pd.Series) -> pd.Series:
    """:func:`stage_of` over a whole column, vectorised (categorical ``G1``…``G4``, missing if unreadable)."""
    return geological_levels(series).astype("category")
