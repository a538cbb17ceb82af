"""CSV and XLSX tables, as points when they hold latitude/longitude columns.

Coordinates may be decimal degrees or DMS text (``23°21'15.6"N``), parsed by
:func:`geo.coords.parse_dms_array`. Every input row is kept, in file order: a row whose
coordinates are empty, unreadable, at 0°,0°, equal, swapped or outside India keeps its attributes,
gets a null geometry and is listed in ``rejected_rows`` with the row number a person sees and the
reason in words. Nothing is dropped and nothing is "fixed".

Cells are kept as typed: only an empty cell is missing. Words such as ``NA`` or ``null`` stay
text in a text column (``NA`` may be a code), and become missing only in a column whose other
cells are all numbers (the toll-plaza CSV writes ``NA`` for an unknown capacity), which is then
read as numbers, as pandas reads it (so a column of codes such as ``331``/``NA`` is numbers too).
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Optional

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coords import parse_dms_array
from geo.crs import WGS84, assumed_crs_message
from geo.encoding import Encoding, text_file_encoding
from geo.errors import DataReadError, describe_path
from geo.feedback import ensure_feedback
from geo.result import ReadResult, RejectedRow

INDIA_BOUNDS = (68.0, 6.0, 98.0, 38.0)
"""A generous longitude/latitude box around India (west, south, east, north, degrees).

It holds the mainland as India depicts it (Gujarat's coast at ~68.1°E, Kibithu at ~97.4°E, the
Karakoram at ~37.1°N), Lakshadweep and the Andaman & Nicobar Islands (Indira Point ~6.75°N).
Points outside it are rejected as "outside India"; inside it is a plausibility test, not a border.
"""
SWAP_MARGIN_DEG = 1.0
"""How far beyond :data:`INDIA_BOUNDS` a swapped pair may land and still be called "swapped"
(offshore points just off the Gujarat coast, e.g. a toll plaza entered as lat 67.78 / lon 18.82)."""
NEAR_ZERO_DEG = 1.0
"""Both coordinates within this many degrees of 0 read as a placeholder (0,0 or 1,1), not a place."""

LATITUDE_NAMES = ("lat", "latitude", "lat_dd", "latitude_dd", "lat_deg", "lat_dms", "latitude_dms",
                  "lat_n", "y", "y_coord", "ycoord", "point_y")
LONGITUDE_NAMES = ("lon", "long", "lng", "longitude", "lon_dd", "long_dd", "longitude_dd", "lon_deg",
                   "lon_dms", "long_dms", "longitude_dms", "lon_e", "long_e", "x", "x_coord", "xcoord",
                   "point_x")
HEADER_ROW = 1
"""The sheet/line number of the header; the first data row is ``HEADER_ROW + 1``."""
MISSING_WORDS = frozenset({"NA", "N/A", "n/a", "#N/A", "<NA>", "NULL", "null", "NaN", "nan", "None", "-"})
"""Words that mean "no value" in a column of numbers (and only there; in a text column they are text)."""


def table_layers(path: Path) -> list[str]:
    """A CSV is one layer named after the file; an XLSX has one layer per sheet."""
    if path.suffix.lower() != ".xlsx":
        return [path.stem]
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataReadError(f"{describe_path(path)} is not a readable Excel (.xlsx) workbook: {exc}") from None
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(path: Path, layer: Optional[str] = None, encoding: Optional[str] = None,
               lat_column: Optional[str] = None, lon_column: Optional[str] = None,
               feedback=None) -> ReadResult:
    """Read a CSV or one XLSX sheet; points when latitude/longitude columns are found or given.

    Returns
    -------
    ReadResult
        kind "vector" (a GeoDataFrame in EPSG:4326, one row per input row) when coordinate
        columns exist, else kind "table" (a DataFrame).
    """
    feedback = ensure_feedback(feedback)
    name = describe_path(path)
    layers = table_layers(path)
    if layer is not None and layer not in layers:
        raise DataReadError(f"{name} has no sheet '{layer}'; its sheets are: {', '.join(layers)}")
    chosen = layer if layer is not None else layers[0]
    feedback.progress(0.05, f"Reading {name}")
    unreadable: list[RejectedRow] = []
    if path.suffix.lower() == ".xlsx":
        frame, text_encoding, driver = _read_xlsx(path, chosen), Encoding("UTF-8", "format"), "XLSX"
    else:
        text_encoding = text_file_encoding(path, encoding)
        (frame, unreadable), driver = _read_csv(path, text_encoding), "CSV"
    result = ReadResult(path=path, kind="table", data=frame, driver=driver, layer=chosen,
                        layers_available=layers, encoding=text_encoding.name,
                        encoding_source=text_encoding.source)
    label = name if len(layers) == 1 else f"{name}, sheet '{chosen}'"
    columns = coordinate_columns(frame, lat_column, lon_column, label)
    if columns is None:
        result.messages.append(f"{label}: no latitude/longitude columns found (looked for names such as "
                               "lat, latitude, y, lon, long, longitude, x); read as a table without "
                               "geometry. Choose the columns to make points.")
    else:
        feedback.progress(0.6, f"Checking coordinates in {name}")
        _to_points(result, *columns, label, _row_numbers(len(frame), unreadable))
    if unreadable:
        result.rejected_rows = sorted(result.rejected_rows + unreadable, key=lambda rejected: rejected.row)
        rows = ", ".join(str(rejected.row) for rejected in unreadable[:5])
        result.messages.append(f"{label}: {len(unreadable)} row(s) could not be read and were left out "
                               f"(row {rows}{', …' if len(unreadable) > 5 else ''}): {unreadable[0].reason}; "
                               "the other rows were read.")
    feedback.progress(1.0, f"Read {name}")
    return result


def _row_numbers(count: int, unreadable: list[RejectedRow]) -> np.ndarray:
    """The file row number of each of ``count`` rows read, the unreadable rows left out."""
    skipped = {rejected.row for rejected in unreadable}
    numbers, row = [], HEADER_ROW + 1
    while len(numbers) < count:
        if row not in skipped:
            numbers.append(row)
        row += 1
    return np.asarray(numbers, dtype=np.int64)


def coordinate_columns(frame: pd.DataFrame, lat_column: Optional[str], lon_column: Optional[str],
                       label: str) -> Optional[tuple[str, str]]:
    """The (latitude, longitude) column names: the user's, else found by name; None if absent."""
    for given in (lat_column, lon_column):
        if given is not None and given not in frame.columns:
            raise DataReadError(f"{label} has no column '{given}'; its columns are: "
                                f"{', '.join(map(str, frame.columns))}")
    lat = lat_column or _find_column(frame.columns, LATITUDE_NAMES, exclude=lon_column)
    lon = lon_column or _find_column(frame.columns, LONGITUDE_NAMES, exclude=lat)
    if lat is None or lon is None:
        if lat_column or lon_column:
            raise DataReadError(f"{label}: a {'longitude' if lat else 'latitude'} column is needed too; "
                                f"its columns are: {', '.join(map(str, frame.columns))}")
        return None
    return lat, lon


def _find_column(columns, names: tuple[str, ...], exclude: Optional[str]) -> Optional[str]:
    """The first column whose normalised name is in ``names`` (in the order of ``names``)."""
    normalised = {_normalise(column): column for column in columns if column != exclude}
    return next((normalised[n] for n in names if n in normalised), None)


def _normalise(column) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(column).strip().lower()).strip("_")


def _read_csv(path: Path, text_encoding: Encoding) -> tuple[pd.DataFrame, list[RejectedRow]]:
    """The rows of a CSV, and the rows left out because they have more fields than the header
    (an unquoted comma in a value, such as ``(2,2,1)``), each with its row number and reason."""
    codec = "utf-8-sig" if text_encoding.name == "UTF-8" else text_encoding.name
    options = {"encoding": codec, "skip_blank_lines": False, "low_memory": False, "keep_default_na": False,
               "na_values": [""]}
    unreadable: list[RejectedRow] = []
    try:
        with open(path, encoding=codec, newline="") as handle:
            sample = handle.read(65536)
        separator = _delimiter(sample)
        try:
            frame = pd.read_csv(path, sep=separator, **options)
        except pd.errors.ParserError:
            unreadable = _rows_with_extra_fields(path, codec, separator)
            if not unreadable:
                raise
            frame = pd.read_csv(path, sep=separator, on_bad_lines="skip", **options)
    except UnicodeDecodeError as exc:
        raise DataReadError(f"{describe_path(path)} is not valid {text_encoding.name} text ({exc.reason} at "
                            f"byte {exc.start}); choose its encoding") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise DataReadError(f"{describe_path(path)} cannot be read as CSV: {exc}") from None
    return numbers_with_missing_words(frame), unreadable


def _rows_with_extra_fields(path: Path, codec: str, separator: str) -> list[RejectedRow]:
    """Rows with more fields than the header, by the row number a person sees (header = 1)."""
    with open(path, encoding=codec, newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        header = next(reader, [])
        rows = []
        for fields in reader:
            if len(fields) > len(header):
                rows.append(RejectedRow(reader.line_num, f"{len(fields)} fields where the header has "
                                                         f"{len(header)} (a value with an unquoted "
                                                         f"'{separator}'?)"))
        return rows


def _delimiter(sample: str) -> str:
    """The separator of the header line: the most frequent of , ; tab | (comma on a tie)."""
    header = sample.splitlines()[0] if sample else ""
    return max((",", ";", "\t", "|"), key=header.count)


def _read_xlsx(path: Path, sheet: str) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", keep_default_na=False, na_values=[""])
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataReadError(f"{describe_path(path)}, sheet '{sheet}' cannot be read: {exc}") from None
    return numbers_with_missing_words(frame)


def numbers_with_missing_words(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column of numbers and :data:`MISSING_WORDS` read as numbers (the words
    missing); a column holding any other text, or only missing words, is left as it is.

    Examples
    --------
    >>> frame = pd.DataFrame({"capacity": ["120", "NA", "80.5"], "code": ["331", "NA", "G3"]})
    >>> numbers_with_missing_words(frame).to_dict("list")
    {'capacity': [120.0, nan, 80.5], 'code': ['331', 'NA', 'G3']}
    """
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        words = values.map(lambda v: isinstance(v, str) and v.strip() in MISSING_WORDS).astype(bool)
        numbers = pd.to_numeric(values.where(~words), errors="coerce")
        present = values.notna() & ~words
        if words.any() and present.any() and numbers[present].notna().all():
            frame[column] = numbers
    return frame


def _to_points(result: ReadResult, lat_column: str, lon_column: str, label: str, row_numbers: np.ndarray) -> None:
    """Make the table a GeoDataFrame of points, rejecting (never dropping) implausible rows;
    ``row_numbers`` are the file's row numbers of the rows."""
    frame = result.data
    lat, lat_problems = _degrees(frame[lat_column], "lat")
    lon, lon_problems = _degrees(frame[lon_column], "lon")
    reasons = _reasons(frame, lat_column, lon_column, lat, lon, lat_problems, lon_problems)
    accepted = np.array([reason is None for reason in reasons], dtype=bool)
    geometry = np.full(len(frame), None, dtype=object)
    geometry[accepted] = shapely.points(lon[accepted], lat[accepted])
    result.data = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=WGS84))
    result.kind, result.crs, result.crs_status = "vector", result.data.crs, "assumed"
    result.null_geometries = int((~accepted).sum())
    result.rejected_rows = [RejectedRow(int(row_numbers[position]), reason)
                            for position, reason in enumerate(reasons) if reason is not None]
    result.messages.append(assumed_crs_message(result))
    result.messages.append(f"{label}: points from columns '{lat_column}' (latitude) and '{lon_column}' "
                           f"(longitude); {int(accepted.sum())} of {len(frame)} rows have usable coordinates.")
    if result.rejected_rows:
        first = result.rejected_rows[0]
        result.messages.append(f"{label}: {len(result.rejected_rows)} row(s) have unusable coordinates and no "
                               f"geometry (kept, not fixed), e.g. row {first.row}: {first.reason}.")


def _degrees(column: pd.Series, axis: str) -> tuple[np.ndarray, dict[int, str]]:
    """Decimal degrees (NaN where empty or unreadable) and position -> problem for unreadable text."""
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan), {}
    present = ~_empty(column)
    values = np.full(len(column), np.nan)
    parsed, problems = parse_dms_array(column[present], axis=axis)
    positions = np.flatnonzero(present)
    values[positions] = parsed
    return values, {int(positions[i]): text for i, text in problems}


def _empty(column: pd.Series) -> np.ndarray:
    return (column.isna() | column.astype(str).str.strip().eq("")).to_numpy()


def _reasons(frame, lat_column, lon_column, lat, lon, lat_problems, lon_problems) -> list[Optional[str]]:
    """Why each row's coordinates cannot be used (None when they can), first problem found."""
    lat_empty, lon_empty = _empty(frame[lat_column]), _empty(frame[lon_column])
    reasons: list[Optional[str]] = []
    for i in range(len(frame)):
        reasons.append(_row_reason(i, lat[i], lon[i], lat_empty[i], lon_empty[i], lat_problems, lon_problems))
    return reasons


def _row_reason(i, lat, lon, lat_empty, lon_empty, lat_problems, lon_problems) -> Optional[str]:
    if lat_empty or lon_empty:
        missing = " and ".join(n for n, e in (("latitude", lat_empty), ("longitude", lon_empty)) if e)
        return f"{missing} {'are' if lat_empty and lon_empty else 'is'} empty"
    if i in lat_problems or i in lon_problems:
        return "; ".join(f"{axis} {problems[i]}"
                         for axis, problems in (("latitude", lat_problems), ("longitude", lon_problems))
                         if i in problems)
    if abs(lat) > 90 or abs(lon) > 180:
        return f"latitude {_deg(lat)} / longitude {_deg(lon)} is beyond ±90° / ±180°"
    if abs(lat) <= NEAR_ZERO_DEG and abs(lon) <= NEAR_ZERO_DEG:
        return f"latitude {_deg(lat)}, longitude {_deg(lon)} is at or next to 0°, 0° (a placeholder, not a place)"
    if lat == lon:
        return f"latitude and longitude are both {_deg(lat)} (the same number entered twice)"
    if _in_india(lon, lat):
        return None
    if (lat > 40 or lon < 60) and _in_india(lat, lon, SWAP_MARGIN_DEG):
        return (f"latitude {_deg(lat)} and longitude {_deg(lon)} look swapped (swapped, the point would be in "
                "India); fix the file and read it again")
    west, south, east, north = INDIA_BOUNDS
    return (f"latitude {_deg(lat)}, longitude {_deg(lon)} is outside India "
            f"(longitude {west:g}–{east:g}°E, latitude {south:g}–{north:g}°N)")


def _deg(value: float) -> str:
    """Degrees as written in a file: up to 6 decimals (~0.1 m), no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _in_india(lon: float, lat: float, margin: float = 0.0) -> bool:
    west, south, east, north = INDIA_BOUNDS
    return west - margin <= lon <= east + margin and south - margin <= lat <= north + margin
