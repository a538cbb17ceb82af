"""Resource statements: tonnage (and contained metal) summed by classification, grouped.

Each row's classification, in any notation, is read once per distinct value: its UNFC code
(India's code, or the UNFC-2009/2019 code as written; a JORC name gives its default India code)
and its JORC equivalent stand side by side (DESIGN.md §4 item 6). Tonnage is in million tonnes
(the ``tonnage_mt`` field of DESIGN.md §3.2); contained metal is tonnage × grade, with the grade
in per cent unless a grade-unit column says otherwise. Rows whose classification cannot be read
are kept, under ``unfc_code = "unreadable"``, so no tonnage disappears from the total.
"""
from __future__ import annotations

import os
from typing import Optional

import numpy as np
import pandas as pd

from assessment.conversion import convert, stage_of
from assessment.fields import guess_fields
from assessment.minerals import normalise_commodities
from assessment.notation import parse
from geo.errors import DataReadError, describe_path

GROUPINGS = ("state", "district", "commodity", "block")
UNREADABLE = "unreadable"
GRADE_UNIT_FACTORS = {"%": 1e-2, "pct": 1e-2, "percent": 1e-2, "per cent": 1e-2, "": 1e-2,
                      "g/t": 1e-6, "gpt": 1e-6, "ppm": 1e-6, "kg/t": 1e-3, "ppb": 1e-9, "oz/t": 31.1035e-6}
"""Grade unit → mass fraction; contained = tonnage × grade × factor (same mass unit as tonnage)."""

_BLOCK_FIELDS = ("block_id", "block_name")


def _where(source) -> str:
    return describe_path(source) if source else "the table"


def _column(frame: pd.DataFrame, given: Optional[str], guessed: Optional[str], what: str, source) -> str:
    column = given or guessed
    if column is None or column not in frame.columns:
        have = ", ".join(str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None))
        named = f"column '{given}'" if given else f"{what} column"
        raise DataReadError(f"{_where(source)} has no {named}; its columns are: {have}")
    return column


def _classification(values: pd.Series) -> pd.DataFrame:
    """UNFC code, JORC equivalent, the status of the conversion between them, and the stage of
    every row, computed once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    rows = []
    for value in [*uniques, None]:
        parsed = parse(value)
        if not parsed.valid:
            rows.append((UNREADABLE, None, "invalid", None))
            continue
        jorc = convert(value, to="jorc")
        if parsed.notation == "jorc":  # the side-by-side pair is the JORC name's India code
            india = convert(value, to="india")
            rows.append((india.result, jorc.result, india.status, stage_of(value)))
        else:
            rows.append((parsed.code, jorc.result, jorc.status, stage_of(value)))
    table = pd.DataFrame(rows, columns=["unfc_code", "jorc_equivalent", "jorc_status", "stage"])
    return table.iloc[np.where(codes < 0, len(uniques), codes)].set_index(values.index)


def _grade_factor(frame: pd.DataFrame, unit_column: Optional[str], source) -> pd.Series:
    if unit_column is None:
        return pd.Series(GRADE_UNIT_FACTORS["%"], index=frame.index)
    units = frame[unit_column].astype("string").str.strip().str.lower().fillna("")
    factors = units.map(GRADE_UNIT_FACTORS)
    unknown = sorted(set(units[factors.isna()]))
    if unknown:
        raise DataReadError(f"{_where(source)}: grade unit {', '.join(repr(u) for u in unknown)} in column "
                            f"'{unit_column}' is not one of {', '.join(u for u in GRADE_UNIT_FACTORS if u)}")
    return factors.astype(float)


def _group_columns(frame: pd.DataFrame, by: str, fields: dict, source) -> tuple[pd.DataFrame, list[str]]:
    """The grouping key columns (normalised commodity names), and their output names."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by '{by}': use one of {', '.join(GROUPINGS)}")
    wanted = [by] if by == "commodity" or "commodity" not in fields else [by, "commodity"]
    keys = {}
    for name in wanted:
        guessed = next((fields[f] for f in _BLOCK_FIELDS if f in fields), None) if name == "block" else fields.get(name)
        column = _column(frame, None, guessed, name, source)
        keys[name] = normalise_commodities(frame[column]) if name == "commodity" else frame[column]
    return pd.DataFrame(keys, index=frame.index), wanted


def resource_statement(frame: pd.DataFrame, by: str = "state", column: Optional[str] = None,
                       tonnage: Optional[str] = None, grade: Optional[str] = None,
                       grade_unit: Optional[str] = None, source: Optional[os.PathLike | str] = None) -> pd.DataFrame:
    """Tonnage (and contained metal) summed by category, grouped by state, district, commodity or block.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Deposit or resource records, one per row.
    by : {"state", "district", "commodity", "block"}
        Grouping. Unless grouping by commodity, rows are also split by commodity when a commodity
        column exists (tonnages of different commodities are never added together).
    column, tonnage, grade, grade_unit : str, optional
        The classification, tonnage (million tonnes), grade and grade-unit columns; guessed from
        the column names (``assessment.fields``) when not given. Contained metal is reported only
        when a grade column exists.
    source : path-like, optional
        The file the frame came from, named in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per group and category: the group columns, ``unfc_code``, ``jorc_equivalent``,
        ``jorc_status``, ``records``, ``tonnage_mt`` and, with a grade, ``contained_mt``; ordered
        by group, then stage (G1 first), then code.

    Raises
    ------
    DataReadError
        A needed column is missing (the message lists the columns there are) or a grade unit is
        unknown.
    """
    fields = guess_fields([str(c) for c in frame.columns], None)
    class_column = _column(frame, column, fields.get("unfc") or fields.get("stage"), "classification (UNFC code)", source)
    tonnage_column = _column(frame, tonnage, fields.get("tonnage_mt"), "tonnage", source)
    keys, group_names = _group_columns(frame, by, fields, source)
    work = pd.concat([keys, _classification(frame[class_column])], axis=1)
    work["records"] = 1
    work["tonnage_mt"] = pd.to_numeric(frame[tonnage_column], errors="coerce")
    grade_column = grade or fields.get("grade")
    if grade_column is not None:
        grade_values = pd.to_numeric(frame[_column(frame, grade, grade_column, "grade", source)], errors="coerce")
        unit_column = grade_unit or fields.get("grade_unit")
        work["contained_mt"] = work["tonnage_mt"] * grade_values * _grade_factor(frame, unit_column, source)
    keys_all = [*group_names, "unfc_code", "jorc_equivalent", "jorc_status", "stage"]
    sums = {name: "sum" for name in ("records", "tonnage_mt", "contained_mt") if name in work}
    statement = work.groupby(keys_all, dropna=False, sort=False).agg(sums).reset_index()
    statement = statement.sort_values([*group_names, "stage", "unfc_code"], na_position="last", kind="stable")
    return statement.drop(columns="stage").reset_index(drop=True)
