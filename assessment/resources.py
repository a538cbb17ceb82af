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
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from assessment.conversion import convert, distinct_values, stage_of
from assessment.fields import guess_fields
from assessment.minerals import normalise_commodities
from assessment.notation import parse
from geo.errors import DataReadError, describe_path
from geo.reading import TABLE_SUFFIXES
from geo.tabular import HEADER_ROW

GROUPINGS = ("state", "district", "commodity", "block")
UNREADABLE = "unreadable"
GRADE_UNIT_FACTORS = {"%": 1e-2, "pct": 1e-2, "percent": 1e-2, "per cent": 1e-2, "": 1e-2,
                      "g/t": 1e-6, "gpt": 1e-6, "ppm": 1e-6, "kg/t": 1e-3, "ppb": 1e-9, "oz/t": 31.1035e-6}
"""Grade unit → mass fraction; contained = tonnage × grade × factor (same mass unit as tonnage)."""

_BLOCK_FIELDS = ("block_id", "block_name")
_ROWS_LISTED = 10


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
    row_keys, distinct = distinct_values(values)
    rows = []
    for value in distinct:
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
    return table.iloc[row_keys].set_index(values.index)


def _row_numbers(flags: pd.Series, values: pd.Series, source) -> str:
    """``rows 4 (-2.5), 9 ('12 Mt')``: the flagged rows as a person counts them in the file
    (in a CSV or XLSX the header is row 1; in a vector file features count from 1)."""
    positions = np.flatnonzero(flags.to_numpy(dtype=bool))
    if source is None:
        word, numbers = "row", [str(label) for label in values.index[positions]]
    elif Path(source).suffix.lower() in TABLE_SUFFIXES:
        word, numbers = "row", [str(position + HEADER_ROW + 1) for position in positions]
    else:
        word, numbers = "feature", [str(position + 1) for position in positions]
    cells = [values.iloc[position] for position in positions[:_ROWS_LISTED]]
    shown = [f"{number} ({cell!r})" if isinstance(cell, str) else f"{number} ({cell})" for number, cell in zip(numbers, cells)]
    more = f" and {len(positions) - _ROWS_LISTED} more" if len(positions) > _ROWS_LISTED else ""
    return f"{word}{'s' * (len(positions) > 1)} {', '.join(shown)}{more}"


def _flag(problems: list, flags: pd.Series, values: pd.Series, problem: str, source) -> None:
    """Add ``problem`` with the rows where ``flags`` is True to ``problems``."""
    if flags.any():
        problems.append(f"{problem}: {_row_numbers(flags, values, source)}")


def _numbers(raw: pd.Series, problems: list, source) -> pd.Series:
    """The column as numbers (empty cells missing); text that is no number is added to ``problems``."""
    numbers = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    _flag(problems, numbers.isna() & raw.notna() & text.ne("").fillna(False), raw,
          f"column '{raw.name}' holds text that is not a number", source)
    return numbers.astype(float)


def _measures(frame: pd.DataFrame, tonnage_column: str, grade_column: Optional[str], unit_column: Optional[str],
              source) -> tuple[pd.Series, Optional[pd.Series]]:
    """Tonnage (Mt) and grade as a mass fraction (None without a grade column), checked row by row.

    Raises
    ------
    DataReadError
        Listing, by row, every tonnage or grade that is text, negative, or a grade above 100 %:
        such a value is never summed silently.
    """
    problems: list[str] = []
    tonnage = _numbers(frame[tonnage_column], problems, source)
    _flag(problems, tonnage < 0, frame[tonnage_column], f"negative tonnage in column '{tonnage_column}'", source)
    fraction = None
    if grade_column is not None:
        grade = _numbers(frame[grade_column], problems, source)
        fraction = grade * _grade_factor(frame, unit_column, source)
        _flag(problems, grade < 0, frame[grade_column], f"negative grade in column '{grade_column}'", source)
        _flag(problems, fraction > 1, frame[grade_column], f"grade above 100 % of the ore's mass in column "
              f"'{grade_column}' (more than 100 %, 1,000 kg/t or 1,000,000 g/t)", source)
    if problems:
        raise DataReadError(f"{_where(source)}: {'; '.join(problems)}. Correct or remove these rows: "
                            "no statement is made from them")
    return tonnage, fraction


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
        by group, then stage (G1 first), then code. A group whose rows give no tonnage (a G4
        prospect) has a missing ``tonnage_mt``, not 0.

    Raises
    ------
    DataReadError
        A needed column is missing (the message lists the columns there are), a grade unit is
        unknown, or a tonnage or grade is not a number, negative, or a grade above 100 % (the
        message lists the rows); nothing is summed from a file with such rows.
    """
    fields = guess_fields([str(c) for c in frame.columns], None)
    class_column = _column(frame, column, fields.get("unfc") or fields.get("stage"), "classification (UNFC code)", source)
    tonnage_column = _column(frame, tonnage, fields.get("tonnage_mt"), "tonnage", source)
    keys, group_names = _group_columns(frame, by, fields, source)
    work = pd.concat([keys, _classification(frame[class_column])], axis=1)
    work["records"] = 1
    grade_column = _column(frame, grade, fields.get("grade"), "grade", source) if grade or "grade" in fields else None
    work["tonnage_mt"], fraction = _measures(frame, tonnage_column, grade_column, grade_unit or fields.get("grade_unit"), source)
    if fraction is not None:
        work["contained_mt"] = work["tonnage_mt"] * fraction
    keys_all = [*group_names, "unfc_code", "jorc_equivalent", "jorc_status", "stage"]
    sums = [name for name in ("records", "tonnage_mt", "contained_mt") if name in work]
    statement = work.groupby(keys_all, dropna=False, sort=False)[sums].sum(min_count=1).reset_index()
    statement = statement.sort_values([*group_names, "stage", "unfc_code"], na_position="last", kind="stable")
    return statement.drop(columns="stage").reset_index(drop=True)
