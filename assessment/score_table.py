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
SCORES_SHEET = "scores"  # the XLSX sheet / GeoPackage layer of the scored blocks (never the file name)
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
    """The metadata sheet: rules version and hash, as-of date, sources, the illustrative flag, and
    the key to the rule ids of the ``gate_*_rule`` and ``conditions`` columns (each with the law
    it stands for, as the dossier's key page gives it)."""
    from assessment.report import ILLUSTRATIVE_NOTE, key_entries, rule_ids_of

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
    rule_ids = dict.fromkeys(rule_id for _, row in scores.iterrows() for rule_id in rule_ids_of(row))
    rows += [(f"Rule {rule_id}", citation) for rule_id, citation in key_entries(list(rule_ids), ())]
    return pd.DataFrame(rows, columns=["item", "value"])


def is_score_output(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is a score output (it has the readiness verdict and the rules' hash)."""
    return {"readiness", "score", "rules_sha256"} <= {str(c) for c in frame.columns}


def write_scores(scores: pd.DataFrame, path, feedback=None, sources: Sequence[str] = (),
                 extra_sheets: Optional[dict[str, pd.DataFrame]] = None):
    """Write a score output: a GeoPackage as it is (its columns are the contract other tools read),
    a CSV or XLSX as :func:`score_table` (an XLSX with the :func:`metadata_table` sheet too).
    ``extra_sheets`` (e.g. what the scores were computed from) follow as further sheets or layers.

    Returns the path written (see :func:`geo.tables.write_table`).
    """
    from pathlib import Path

    from geo.tables import write_table

    if Path(path).suffix.lower() == ".gpkg":
        return write_table(scores, path, feedback, sheet_name=SCORES_SHEET, extra_sheets=extra_sheets)
    return write_table(score_table(scores), path, feedback, sheet_name=SCORES_SHEET,
                       extra_sheets={"metadata": metadata_table(scores, sources), **dict(extra_sheets or {})})


REQUIRED_SCORE_COLUMNS = ("readiness", "score", "explanation")


def read_scores(path):
    """A score output with its block geometries (a GeoPackage or any vector file ``khanij score`` wrote).

    Raises
    ------
    DataReadError
        Unreadable, without geometries, or not a score output (the message names the file).
    """
    import geopandas as gpd

    from geo import read
    from geo.errors import DataReadError, describe_path
    from geo.tables import require_columns

    result = read(path)
    if result.kind == "raster" or not isinstance(result.data, gpd.GeoDataFrame) or result.data.crs is None:
        raise DataReadError(f"{describe_path(path)}: the dossier needs the blocks' shapes; give the GeoPackage "
                            "written by 'khanij score -o OUT.gpkg' (CSV/XLSX score tables have no geometry)")
    require_columns(result.data, REQUIRED_SCORE_COLUMNS, path, result.layer)
    return result.data


# ---------------------------------------------------------------- labels for people (map popups)

GATE_LABELS = {"stage": "Exploration stage", "protected": "Protected areas", "state": "Listed state"}
_LABELS = {
    "block_id": "Block id", "block_name": "Block name", "name": "Name", "readiness": "Readiness",
    "score": "Score (of 100)", "state": "State (listed)", "district": "District", "commodity": "Mineral(s)",
    "licence": "Licence intended", "licence_now": "Licence possible on the as-of date", "stage": "Exploration stage",
    "as_of": "Rules applied as of", "area_ha": "Area (ha)", "n_deposits": "Deposits inside",
    "tonnage_mt": "Tonnage inside (Mt)", "critical_minerals": "Critical minerals", "forest_ha": "Forest land (ha)",
    "forest_pct": "Forest land (% of the block)", "protected_inside_ha": "National park / sanctuary inside (ha)",
    "nearest_protected_name": "Nearest national park / sanctuary", "nearest_protected_km": "Distance to it (km)",
    "state_found": "State holding most of the block", "state_inside_pct": "Inside the listed state (%)",
    "missing": "What is missing", "authority": "Auctioning authority", "authority_finding": "Why this authority",
    "authority_source": "Law (authority)", "conditions": "Conditions", "explanation": "Explanation",
    "rules_version": "Rules version", "input_licence": "Licence (as given)", "input_stage": "Stage (as given)",
    "unfc": "UNFC code",
}
#: The popup leads with these (when present), then the rest in the table's order.
LEADING = ("block_id", "block_name", "name", "readiness", "score", "missing", "licence", "stage", "licence_now")
#: Columns of the score output a map popup leaves out: machine copies of what another column
#: says in words (rule ids, JSON lists, raw measures and their units, the rules' hash).
HIDDEN_PATTERNS = re.compile(r"^(gate_\w+_rule|m_\w+|w_\w+|c_\w+|missing_items|critical_minerals_from|rules_sha256|"
                             r"protected_km|infra_\w+_km)$")
_MEASURE_TEXT = re.compile(rf"^m_(?P<criterion>{'|'.join(CRITERIA)})_text$")
_GATE_COLUMN = re.compile(r"^gate_(?P<gate>stage|protected|state)(?P<part>|_finding|_source)$")
_NEAREST = re.compile(r"^nearest_(?P<layer>\w+?)_(?P<part>name|km)$")
_EVIDENCE = re.compile(r"^evidence_(?P<raster>\w+)_(?P<stat>mean|max)$")


def popup_fields(columns: Sequence[str]) -> list[tuple[str, str]]:
    """(column, label) of the score-output columns a map popup shows, in order; an
    ``infra_<layer>_km`` is left out only where ``nearest_<layer>_km`` says the same."""
    present = set(columns)
    shown = []
    for column in [c for c in LEADING if c in present] + [c for c in columns if c not in LEADING]:
        label = score_column_label(column)
        if label is None and column.startswith("infra_") and f"nearest_{column[6:]}" not in present:
            label = f"Distance to the nearest feature of {column[6:-3].replace('_', ' ')} (km)"
        if label is not None:
            shown.append((column, label))
    return shown


def score_column_label(column: str) -> Optional[str]:
    """The words a person reads for a score-output column (units in brackets), or None for a
    column a popup leaves out (see :data:`HIDDEN_PATTERNS`). Other columns keep their name."""
    from assessment.report import CRITERION_LABELS

    if column in _LABELS:
        return _LABELS[column]
    if _MEASURE_TEXT.match(column):
        return CRITERION_LABELS[_MEASURE_TEXT.match(column)["criterion"]]
    if HIDDEN_PATTERNS.match(column):
        return None
    part = _CRITERION_PART.match(column)
    if part and part["kind"] == "s":
        return f"{CRITERION_LABELS[part['criterion']]}: score (0–100)"
    gate = _GATE_COLUMN.match(column)
    if gate:
        return f"Gate: {GATE_LABELS[gate['gate']]}" + {"": "", "_finding": " (finding)", "_source": " (law)"}[gate["part"]]
    nearest = _NEAREST.match(column)
    if nearest:
        what = nearest["layer"].replace("_", " ")
        return f"Nearest feature of {what}" if nearest["part"] == "name" else "Distance to it (km)"
    evidence = _EVIDENCE.match(column)
    if evidence:
        return f"{evidence['raster'].replace('_', ' ')}: {evidence['stat']} over the block"
    return column.replace("_", " ").capitalize()


def conditions_text(value) -> str:
    """The ``conditions`` column (JSON list) as words, one condition per line."""
    import json

    try:
        items = json.loads(value) if isinstance(value, str) and value.strip() else []
    except json.JSONDecodeError:
        return str(value)
    return "\n".join(f"{item.get('text', '')} ({item.get('source', '')})" if item.get("source") else str(item.get("text", ""))
                     for item in items if isinstance(item, dict))
