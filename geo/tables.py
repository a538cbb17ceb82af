"""Tables in and out: read any table or vector file as a frame, write CSV, XLSX or GeoPackage.

Every write goes through :func:`geo.atomic.atomic_path`, so a failed or cancelled write leaves
the previous file intact and no partial file behind.

- ``.csv``: UTF-8 with a byte-order mark (Excel then reads Devanagari and ° correctly); geometry
  is not written (a table has no shapes; coordinate columns, if any, are ordinary columns).
- ``.xlsx``: one sheet per table, a bold filled header, the first row frozen, columns sized to
  their content (capped), and no formula injection: text starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is stored as text with Excel's quote prefix, never as a formula.
- ``.gpkg``: the GeoDataFrame with its geometry and CRS (a plain DataFrame becomes an
  attribute-only table).
"""
from __future__ import annotations

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
                _attributes(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
            elif suffix == ".xlsx":
                _write_xlsx(sheets, tmp, feedback)
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
        table = _attributes(frame)
        sheet = workbook.create_sheet(_sheet_title(name, taken))
        for col, header in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=str(header))
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


def _write_cell(sheet, row: int, col: int, value) -> None:
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=col)
        cell.value = value
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    if value is not None and not isinstance(value, (int, float, bool)) and not hasattr(value, "isoformat"):
        value = str(value)
    sheet.cell(row=row, column=col, value=value)


def _write_gpkg(sheets: Mapping[str, pd.DataFrame], tmp: Path, feedback) -> None:
    import pyogrio

    for index, (name, frame) in enumerate(sheets.items()):
        plain = frame.copy()
        for column in plain.columns:
            if isinstance(plain[column].dtype, pd.CategoricalDtype):
                plain[column] = plain[column].astype(object).where(plain[column].notna(), None)
        pyogrio.write_dataframe(plain, tmp, layer=str(name), driver="GPKG", append=index > 0)
        feedback.progress(0.95 * (index + 1) / len(sheets), f"wrote layer {name}")
