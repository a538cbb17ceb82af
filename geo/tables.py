"""Tables in and out: read any table or vector file as a frame, write CSV, XLSX or GeoPackage.

Every write goes through :func:`geo.atomic.atomic_path`, so a failed or cancelled write leaves
the previous file intact and no partial file behind.

- ``.csv``: UTF-8 with a byte-order mark (Excel then reads Devanagari and ° correctly); geometry
  is not written (a table has no shapes; coordinate columns, if any, are ordinary columns). Every
  text cell and header is quoted (so embedded CR/LF stay inside their cell) and, as OWASP advises
  against CSV injection, text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading apostrophe: a spreadsheet shows it as text and never evaluates it.
- ``.xlsx``: one sheet per table, a bold filled header, the first row frozen, columns sized to
  their content (capped), and no formula injection: such text, in cells and headers alike, is
  stored as a text cell with Excel's quote prefix, never as a formula.
- In both, control characters (which XML cannot hold and terminals act on) are replaced by
  U+FFFD and reported through ``feedback.warn`` with the sheet, column and row.
- ``.gpkg``: the GeoDataFrame with its geometry and CRS (a plain DataFrame becomes an
  attribute-only table).
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pandas as pd

import geo.vector  # noqa: F401 - imports pyogrio first, without its network and VRT drivers
from pyogrio.errors import DataLayerError, DataSourceError

from geo.atomic import atomic_path, disk_full_hint, write_error
from geo.errors import DataReadError, DataWriteError, describe_path
from geo.feedback import ensure_feedback

WRITE_SUFFIXES = (".csv", ".xlsx", ".gpkg")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_TABLE_NAME = "table"
#: Control characters other than tab, line feed and carriage return (C0, DEL and C1).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_REPLACEMENT = "\ufffd"
XLSX_MAX_WIDTH = 60
XLSX_HEADER_FILL = "D9E2F3"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_XLSX_SHEET_CHARS = 31


def read_table(path: os.PathLike | str, layer: Optional[str] = None, required: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of a CSV, an XLSX sheet or one layer of any vector file, as read by :func:`geo.read`.

    A CSV/XLSX without coordinate columns comes back as a DataFrame; with them, or from a vector
    file, as a GeoDataFrame (geometry kept).

    Parameters
    ----------
    path : path-like
    layer : str, optional
        XLSX sheet, GeoPackage table, KML folder …; default the first.
    required : sequence of str
        Columns that must exist.

    Raises
    ------
    DataReadError
        The file cannot be read, is a raster, or lacks a required column (the message lists the
        columns it has).
    """
    from geo.reading import read

    result = read(path, layer)
    if result.kind == "raster":
        raise DataReadError(f"{describe_path(path)} is a raster; a table (CSV, XLSX) or a vector file is needed")
    require_columns(result.data, required, path, result.layer)
    return result.data


def require_columns(frame: pd.DataFrame, columns: Sequence[str], path: os.PathLike | str,
                    layer: Optional[str] = None) -> None:
    """Raise :class:`DataReadError` naming the file and its columns when one of ``columns`` is missing."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        where = describe_path(path) + (f", layer '{layer}'" if layer else "")
        have = ", ".join(str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None))
        noun = "column" if len(missing) == 1 else "columns"
        raise DataReadError(f"{where} has no {noun} {', '.join(repr(m) for m in missing)}; its columns are: {have}")


def write_table(frame: pd.DataFrame, path: os.PathLike | str, feedback=None, sheet_name: Optional[str] = None,
                extra_sheets: Optional[Mapping[str, pd.DataFrame]] = None) -> Path:
    """Write ``frame`` to ``path`` atomically, the format chosen by the extension.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
    path : path-like
        ``.csv``, ``.xlsx`` or ``.gpkg``.
    feedback : geo.feedback.Feedback, optional
        Progress and cancellation (cancelling leaves no file behind).
    sheet_name : str, optional
        XLSX sheet (or GeoPackage layer) name; default ``DEFAULT_TABLE_NAME`` (never the file's
        name: ``-x.gpkg`` or a name in another encoding would make an invalid layer name).
    extra_sheets : mapping of str to DataFrame, optional
        Further tables: more sheets of an XLSX, more layers of a GeoPackage (ignored by CSV).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DataWriteError
        The extension is not supported, or the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise DataWriteError(f"{describe_path(path)}: cannot write files of type '{suffix or 'without extension'}'; "
                             f"use {', '.join(WRITE_SUFFIXES)}")
    feedback = ensure_feedback(feedback)
    sheets = {sheet_name or DEFAULT_TABLE_NAME: frame, **dict(extra_sheets or {})}
    with atomic_path(path) as tmp:
        try:
            if suffix == ".csv":
                _csv_safe(_attributes(frame), describe_path(path), feedback).to_csv(
                    tmp, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)
            elif suffix == ".xlsx":
                _write_xlsx(_clean_sheets(sheets, path, feedback), tmp, feedback)
            else:
                _write_gpkg(sheets, tmp, feedback)
        except (DataSourceError, DataLayerError) as exc:
            raise DataWriteError(f"{describe_path(path)}: GeoPackage writing failed{disk_full_hint(tmp)}: "
                                 f"{gdal_message(exc)}") from exc
        except OSError as exc:
            raise write_error(path, exc) from exc
        feedback.progress(1.0, f"wrote {describe_path(path)}")
    return path


def gdal_message(exc: Exception, limit: int = 240) -> str:
    """GDAL's message, its end only when it quotes a whole SQL script."""
    text = str(exc)
    return text if len(text) <= limit else "…" + text[-limit:]


def _attributes(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without its geometry column (a table has no shapes)."""
    geometry = getattr(frame, "_geometry_column_name", None)
    if geometry is not None and geometry in frame.columns:
        return pd.DataFrame(frame.drop(columns=geometry))
    return frame


def replace_control_characters(text: str) -> tuple[str, int]:
    """``text`` with every control character (but tab, LF and CR) replaced by U+FFFD, and how many."""
    return CONTROL_CHARACTERS.subn(CONTROL_REPLACEMENT, text)


def neutralise_formula(text: str) -> str:
    """``text`` made inert in a spreadsheet (OWASP, CSV injection): a leading apostrophe when it
    starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _clean_frame(frame: pd.DataFrame, where: str, feedback) -> pd.DataFrame:
    """``frame`` with control characters replaced in its headers and text cells; each column
    touched is reported once through ``feedback.warn`` (cells counted, the first row named)."""
    out = None
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        hits = [i for i, value in enumerate(values) if isinstance(value, str) and CONTROL_CHARACTERS.search(value)]
        if hits:
            out = frame.copy() if out is None else out
            cleaned = values.to_numpy(dtype=object, copy=True)
            for i in hits:
                cleaned[i] = replace_control_characters(cleaned[i])[0]
            out.isetitem(position, cleaned)
            name = replace_control_characters(str(column))[0]
            feedback.warn(f"{where}, column {name!r}: {len(hits)} cell(s) had control characters "
                          f"(first at row {hits[0] + 2}), written as {CONTROL_REPLACEMENT}")
    headers = [replace_control_characters(c) if isinstance(c, str) else (c, 0) for c in frame.columns]
    for clean, count in headers:
        if count:
            feedback.warn(f"{where}: the column name {clean!r} had {count} control character(s), "
                          f"written as {CONTROL_REPLACEMENT}")
    if any(count for _, count in headers):
        out = frame.copy() if out is None else out
        out.columns = [clean for clean, _ in headers]
    return frame if out is None else out


def _clean_sheets(sheets: Mapping[str, pd.DataFrame], path: Path, feedback) -> dict[str, pd.DataFrame]:
    many = len(sheets) > 1
    return {name: _clean_frame(_attributes(frame), f"{describe_path(path)}" + (f", sheet {name!r}" if many else ""),
                               feedback)
            for name, frame in sheets.items()}


def _csv_safe(frame: pd.DataFrame, where: str, feedback) -> pd.DataFrame:
    """The frame as a CSV may hold it: control characters replaced, formula-like text and
    headers neutralised (numbers stay numbers)."""
    frame = _clean_frame(frame, where, feedback)
    inert = lambda value: neutralise_formula(value) if isinstance(value, str) else value  # noqa: E731
    out = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out.isetitem(position, values.astype(object).map(inert))
    out.columns = [neutralise_formula(str(column)) for column in frame.columns]
    return out


def _sheet_title(name: str, taken: set) -> str:
    title = _SHEET_FORBIDDEN.sub("_", str(name)).strip("'")[:_XLSX_SHEET_CHARS] or "Sheet"
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:_XLSX_SHEET_CHARS - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _cell_value(value):
    """A value openpyxl can store: missing → None, numpy scalars → Python."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _column_widths(frame: pd.DataFrame) -> list[int]:
    widths = []
    for column in frame.columns:
        lengths = frame[column].astype(str).str.len()
        longest = int(lengths.max()) if lengths.notna().any() else 0  # pandas 3 keeps NA through astype(str)
        widths.append(min(max(len(str(column)), longest) + 2, XLSX_MAX_WIDTH))
    return widths


def _write_xlsx(sheets: Mapping[str, pd.DataFrame], tmp: Path, feedback) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set = set()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=XLSX_HEADER_FILL)
    total = max(sum(len(f) for f in sheets.values()), 1)
    done = 0
    for name, frame in sheets.items():
        table = frame
        sheet = workbook.create_sheet(_sheet_title(name, taken))
        for col, header in enumerate(table.columns, start=1):
            cell = _write_cell(sheet, 1, col, str(header))
            cell.font, cell.fill = bold, fill
        for row_number, row in enumerate(table.itertuples(index=False, name=None), start=2):
            for col, value in enumerate(row, start=1):
                _write_cell(sheet, row_number, col, _cell_value(value))
            if row_number % 5000 == 0:
                feedback.progress(0.95 * (done + row_number) / total, f"writing sheet {sheet.title}")
        done += len(table)
        sheet.freeze_panes = "A2"
        for col, width in enumerate(_column_widths(table), start=1):
            sheet.column_dimensions[get_column_letter(col)].width = width
    _save_workbook(workbook, tmp)


def _save_workbook(workbook, tmp: Path) -> None:
    """``workbook.save``, its write errors raised here without the traceback Python prints later.

    openpyxl streams each sheet to a temporary file through a generator; when a write fails (a
    full disk) the generator's clean-up fails again once it is garbage, and Python prints that as
    an ignored exception with a traceback. The failed save is dropped and collected here, with
    those second failures caught; the first write error is raised afresh.
    """
    import gc
    import sys

    failure: Optional[OSError] = None
    ignored: list = []
    previous, sys.unraisablehook = sys.unraisablehook, ignored.append
    try:
        try:
            workbook.save(tmp)
        except OSError as exc:
            failure = OSError(exc.errno, exc.strerror or str(exc))  # not its traceback: that keeps the generator
        gc.collect()
    finally:
        sys.unraisablehook = previous
    for item in ignored:
        if isinstance(item.exc_value, OSError):
            failure = failure or item.exc_value
        else:
            previous(item)
    if failure is not None:
        raise failure


def _write_cell(sheet, row: int, col: int, value):
    """Write one cell; text is always a text cell (never a formula), shown with Excel's quote
    prefix when it starts like a formula."""
    if value is not None and not isinstance(value, (str, int, float, bool)) and not hasattr(value, "isoformat"):
        value = replace_control_characters(str(value))[0]
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=col)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        return cell
    return sheet.cell(row=row, column=col, value=value)


def _write_gpkg(sheets: Mapping[str, pd.DataFrame], tmp: Path, feedback) -> None:
    import pyogrio

    for index, (name, frame) in enumerate(sheets.items()):
        plain = frame.copy()
        for column in plain.columns:
            if isinstance(plain[column].dtype, pd.CategoricalDtype):
                plain[column] = plain[column].astype(object).where(plain[column].notna(), None)
        pyogrio.write_dataframe(plain, tmp, layer=str(name), driver="GPKG", append=index > 0)
        feedback.progress(0.95 * (index + 1) / len(sheets), f"wrote layer {name}")
