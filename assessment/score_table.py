"""The score output as a table for people (CSV, XLSX): ranked, units in the headers, numbers
rounded to the precision of their measure, and (XLSX) a metadata sheet.

The GeoPackage keeps the column names of docs/score-columns.md unchanged (tools read it back);
the CSV/XLSX tables are for reading in a spreadsheet, where a header such as ``score (of 100)``
or ``w_forest (%)`` says what the number is, and the most ready block comes first.
"""
from __future__ import annotations

import datetime
import re
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from assessment.report import ranking_order
from assessment.rules import CRITERIA

#: Decimals kept per kind of measure (a hectare to 0.01 ha, a distance to 10 m, a share to 0.1 %).
DECIMALS_BY_SUFFIX = (("_ha", 2), ("_km", 2), ("_pct", 1), ("_mt", 3))
#: Decimals of a criterion's measure by the first word of its unit (``% of the block`` → 1).
DECIMALS_BY_UNIT = {"ha": 2, "km": 2, "%": 1, "Mt": 3}
SCORE_DECIMALS, PART_DECIMALS, EVIDENCE_DECIMALS = 1, 2, 4
HEADER_UNITS = {"score": "of 100"}
UNIT_IN_NAME = "Columns ending _ha are hectares, _km geodesic kilometres, _pct per cent, _mt million tonnes"
_CRITERION_PART = re.compile(rf"^(?P<kind>[swc])_(?P<criterion>{'|'.join(CRITERIA)})$")
_MEASURE = re.compile(rf"^m_(?P<criterion>{'|'.join(CRITERIA)})$")


def _decimals(column: str, units: dict[str, str]) -> Optional[int]:
    """How many decimals a numeric column keeps (None: leave as it is)."""
    if column == "score":
        return SCORE_DECIMALS
    part = _CRITERION_PART.match(column)
    if part:
        return SCORE_DECIMALS if part["kind"] == "s" else PART_DECIMALS
    if _MEASURE.match(column):
        unit = units.get(column, "").split(" ")[0]
        return EVIDENCE_DECIMALS if column == "m_evidence" else DECIMALS_BY_UNIT.get(unit, PART_DECIMALS)
    if column.startswith("evidence_"):
        return EVIDENCE_DECIMALS
    return next((digits for suffix, digits in DECIMALS_BY_SUFFIX if column.endswith(suffix)), None)


def _measure_units(scores: pd.DataFrame) -> dict[str, str]:
    """``m_<criterion>`` → its unit, where every block gives the same one."""
    units = {}
    for criterion in CRITERIA:
        column = f"m_{criterion}_unit"
        if column in scores.columns:
            found = {str(u) for u in scores[column].dropna() if str(u).strip()}
            if len(found) == 1:
                units[f"m_{criterion}"] = found.pop()
    return units


def header_with_unit(column: str, units: dict[str, str]) -> str:
    """``column`` with its unit in brackets when its name does not already end in one."""
    part = _CRITERION_PART.match(column)
    unit = HEADER_UNITS.get(column) or (units[column].split(" (")[0] if column in units else None)
    if part:
        unit = {"s": "0–100", "w": "%", "c": "points"}[part["kind"]]
    return f"{column} ({unit})" if unit else column


def _rounded(values: pd.Series, digits: int) -> pd.Series:
    if pd.api.types.is_float_dtype(values.dtype):
        return values.round(digits)
    if values.dtype == object:
        return values.map(lambda v: round(v, digits) if isinstance(v, (float, np.floating)) and np.isfinite(v) else v)
    return values


def score_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The score output ranked (readiness class, then score), rounded, with units in the headers
    and without geometry."""
    geometry = getattr(scores, "_geometry_column_name", None)
    table = pd.DataFrame(scores.drop(columns=[geometry] if geometry in scores.columns else []))
    table = table.iloc[ranking_order(table)].reset_index(drop=True)
    units = _measure_units(table)
    for column in table.columns:
        digits = _decimals(str(column), units)
        if digits is not None:
            table[column] = _rounded(table[column], digits)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.rename(columns={c: header_with_unit(str(c), units) for c in table.columns})


def _first(scores: pd.DataFrame, column: str) -> str:
    values = [str(v) for v in scores[column].dropna().unique()] if column in scores.columns else []
    return "; ".join(values) or "not recorded"


def metadata_table(scores: pd.DataFrame, sources: Sequence[str] = (),
                   written: Optional[datetime.date] = None) -> pd.DataFrame:
    """The metadata sheet: rules version and hash, as-of date, sources, the illustrative flag."""
    from assessment.report import ILLUSTRATIVE_NOTE

    illustrative = any("illustrative" in str(c).lower() and scores[c].astype(str).str.contains("illustrative", case=False).any()
                       for c in scores.columns)
    rows = [
        ("Table", f"Auction-readiness scores of {len(scores)} block(s), one row per block"),
        ("Ranked by", "readiness (Ready, Ready with conditions, Not ready), then score, highest first"),
        ("Rules version", _first(scores, "rules_version")),
        ("Rules SHA-256", _first(scores, "rules_sha256")),
        ("Rules applied as of", _first(scores, "as_of")),
        ("Sources", "; ".join(sources) or "not recorded"),
        ("Illustrative", f"yes: {ILLUSTRATIVE_NOTE}" if illustrative else "no"),
        ("Units", f"In brackets in the headers. {UNIT_IN_NAME}. Numbers are rounded to the precision of their measure."),
        ("Written", (written or datetime.date.today()).isoformat()),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def is_score_output(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is a score output (it has the readiness verdict and the rules' hash)."""
    return {"readiness", "score", "rules_sha256"} <= {str(c) for c in frame.columns}


def write_scores(scores: pd.DataFrame, path, feedback=None, sources: Sequence[str] = ()):
    """Write a score output: a GeoPackage as it is (its columns are the contract other tools read),
    a CSV or XLSX as :func:`score_table` (an XLSX with the :func:`metadata_table` sheet too).

    Returns the path written (see :func:`geo.tables.write_table`).
    """
    from pathlib import Path

    from geo.tables import write_table

    if Path(path).suffix.lower() == ".gpkg":
        return write_table(scores, path, feedback)
    return write_table(score_table(scores), path, feedback, sheet_name="scores",
                       extra_sheets={"metadata": metadata_table(scores, sources)})
