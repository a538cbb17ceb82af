"""Boundary pillars: blocks as tender documents and DGM letters give them, and back.

A block is published as a numbered list of boundary pillars (BP-1, BP-2 …) with latitude and
longitude in degrees, minutes and seconds or decimal degrees on WGS 84. This module reads such
lists as people paste them (:func:`parse_pillar_text`), or as CSV/XLSX tables with one row per
pillar (:func:`read_pillar_table`), turns them into polygons (:func:`pillars_to_polygon`) with the
checks an official needs — a self-intersecting ring (pillars out of order) is reported with the
crossing sides, an area stated in the source is compared with the computed geodesic one — and
writes a block's pillar table (:func:`polygon_pillars`) in the numbering shown on the map.

Nothing is guessed: a line or row that cannot be read is reported by its number with the reason
and left out; it is never "fixed". Accepted line forms (one pillar a line)::

    BP-1 23°21'15.6"N 85°18'42.1"E        label, latitude, longitude (any form geo.parse_dms reads)
    B.P. 2, 23 21 18.2 N, 85 18 49.0 E     separated by commas, semicolons, tabs, | or 2+ spaces
    3   23.355611   85.313667             decimal degrees (latitude first, as tender tables write)
    23°21'15.6"N    85°18'42.1"E           no label: numbered in order
    N 23° 21.26'  E 85° 18.70'             hemisphere letter first

and a copy from a two-column PDF table that puts every cell on its own line (label, latitude,
longitude, …) or each column after the other (all latitudes, then all longitudes, which needs
the hemisphere letters to tell them apart). A line such as ``Area: 512.36 ha`` (or ``5.12 sq km``)
gives the stated area; headings are skipped: lines without a digit, and lines of words with
fewer than two numbers (``Annexure-I: boundary pillars (WGS 84)``).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo.coords import format_decimal, format_dms, parse_dms
from geo.errors import CoordinateError, DataReadError, GeometryError, describe_path
from geo.measure import geodesic_area_ha, geodesic_length_km
from geo.soi_sheets import toposheets_for_polygon

WGS84 = "EPSG:4326"
#: A stated area differing from the computed one by more than this (% of the computed) is flagged.
AREA_TOLERANCE_PCT = 1.0
#: Decimals written in pillar tables: 8 decimal degrees (~1 mm) and 4 decimals of arc-seconds
#: (~3 mm), so a table read back gives the same polygon to well under 1 cm.
DECIMALS = 8
SECONDS_DECIMALS = 4

_LABEL = re.compile(r"""^\s*(?P<label>
        (?:B\.?\s*P\.?|P|Pillar|Point|Corner|Station|Stn\.?)\s*(?:No\.?\s*)?[-.:#]?\s*\d+[A-Za-z]?
      | \d+\s*[.)]
    )(?![\d°'"])\s*[,;:|\t-]?\s*""", re.VERBOSE | re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*(?P<label>\d+)\s*[,;|\t]?\s+")
_CELLS = re.compile(r"\s*(?:[,;|\t]|\s{2,})\s*")
_LAT_LETTER = re.compile(r"(?<![A-Za-z])[NS](?![A-Za-z])")
_LON_LETTER = re.compile(r"(?<![A-Za-z])[EW](?![A-Za-z])")
_AREA = re.compile(r"\barea\b[^0-9]*(?P<value>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>ha|hectares?|sq\.?\s*km|km2|km²|"
                   r"square\s+kilomet(?:er|re)s?|acres?)?", re.IGNORECASE)
_HA_PER_UNIT = {"ha": 1.0, "hectare": 1.0, "hectares": 1.0, "km": 100.0, "acre": 0.40468564224}


@dataclass
class Pillar:
    """One boundary pillar: its label as written (``"BP-1"``) and WGS 84 decimal degrees."""

    label: str
    lat: float
    lon: float
    row: int = 0  # the line or sheet row it came from (0: made by the program)


@dataclass
class PillarProblem:
    """A line or row that could not be used: its number (1-based, as an editor or spreadsheet
    shows it), its text and the reason."""

    row: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}" + (f" ({self.text.strip()!r})" if self.text.strip() else "")


@dataclass
class PillarList:
    """Pillars read from one text or one block of a table, the stated area if any, and the
    lines or rows that could not be read."""

    pillars: list[Pillar]
    problems: list[PillarProblem] = field(default_factory=list)
    stated_area_ha: Optional[float] = None
    block_id: str = ""
    attributes: dict = field(default_factory=dict)


@dataclass
class RingCheck:
    """The checks of a pillar ring: the polygon (WGS 84) when one can be made, what is wrong
    with it (sentences naming pillars), and the area comparison."""

    polygon: Optional[shapely.Polygon]
    errors: list[str]
    area_ha: float = math.nan
    perimeter_km: float = math.nan
    stated_area_ha: Optional[float] = None
    area_difference_pct: float = math.nan
    crossings: list[tuple[int, int]] = field(default_factory=list)

    @property
    def area_flagged(self) -> bool:
        """True when the stated area differs from the computed one by more than 1 %."""
        return not math.isnan(self.area_difference_pct) and abs(self.area_difference_pct) > AREA_TOLERANCE_PCT

    @property
    def ok(self) -> bool:
        return self.polygon is not None and not self.errors

    def findings(self) -> list[str]:
        """Every error, and the area comparison when a stated area was given."""
        found = list(self.errors)
        if self.stated_area_ha is not None and not math.isnan(self.area_difference_pct):
            verdict = "differs by more than 1 % — check the pillars" if self.area_flagged else "agrees within 1 %"
            found.append(f"The stated area {self.stated_area_ha:,.2f} ha and the computed geodesic area "
                         f"{self.area_ha:,.2f} ha differ by {self.area_difference_pct:+.2f} %: {verdict}.")
        return found


# ----- reading pasted text ----------------------------------------------------------------------

def parse_pillar_text(text: str) -> PillarList:
    """Read the pillars of one block from pasted text (see the module docstring for the forms).

    Returns
    -------
    PillarList
        Pillars in the order written (unlabelled ones numbered ``BP-n`` by position), the stated
        area if a line gives one, and every line that held digits but could not be read.

    Examples
    --------
    >>> found = parse_pillar_text('BP-1 23°21\\'15.6"N 85°18\\'42.1"E\\nBP-2 23.36 85.32')
    >>> [(p.label, round(p.lat, 5), round(p.lon, 5)) for p in found.pillars]
    [('BP-1', 23.35433, 85.31169), ('BP-2', 23.36, 85.32)]
    """
    pillars: list[Pillar] = []
    problems: list[PillarProblem] = []
    singles: list[tuple[int, str, Optional[str]]] = []  # a lone coordinate per line: (row, text, label)
    stated: Optional[float] = None
    pending_label: Optional[str] = None
    for row, line in enumerate(str(text).splitlines(), start=1):
        area = _AREA.search(line)
        if area:
            stated = _area_ha(area)
            continue
        if _is_heading(line):
            continue
        label, rest = _split_label(line)
        if label is not None and not re.search(r"\d", rest):
            if rest.strip():
                problems.append(PillarProblem(row, line, "no latitude and longitude follow the pillar label"))
            else:
                pending_label = label
            continue
        try:
            pair = _coordinate_pair(rest) if label is not None else _unlabelled_pair(line)
        except _LoneCoordinate:
            singles.append((row, rest if label is not None else line, label or pending_label))
            pending_label = None
            continue
        except CoordinateError as problem:
            problems.append(PillarProblem(row, line, str(problem)))
            continue
        if pair[2] is not None:
            label = pair[2]
        lat, lon = pair[0], pair[1]
        pillars.append(Pillar(_label(label or pending_label, len(pillars) + 1), lat, lon, row))
        pending_label = None
    if pending_label is not None and not singles:
        problems.append(PillarProblem(len(str(text).splitlines()), pending_label,
                                      "the last pillar label has no latitude and longitude"))
    if singles:
        if pillars:
            problems.extend(PillarProblem(row, text, "a single coordinate on a line among whole pillar lines")
                            for row, text, _ in singles)
        else:
            pillars, lone_problems = _pair_singles(singles)
            problems.extend(lone_problems)
    return PillarList(pillars, problems, stated)


_COORDINATE_WORDS = {"deg", "degs", "degree", "degrees", "min", "mins", "minute", "minutes", "sec", "secs", "second",
                     "seconds", "north", "south", "east", "west"}


def _is_heading(line: str) -> bool:
    """A line that is no pillar: no digit at all, or words (other than units and hemispheres)
    with fewer than two numbers, such as ``Annexure-I: boundary pillars (WGS 84)``. A line
    with two numbers or more is read, and reported if it cannot be."""
    if not re.search(r"\d", line):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", line)} - _COORDINATE_WORDS
    return bool(words) and len(re.findall(r"\d+(?:\.\d+)?", line)) < 2 and _LABEL.match(line) is None


class _LoneCoordinate(Exception):
    """The line holds one coordinate only (a cell of a PDF table copied cell by cell)."""


def _label(label: Optional[str], position: int) -> str:
    """A pillar label as written, tidied (``"bp 3"`` → ``"BP-3"``, ``"3."`` → ``"BP-3"``), or BP-n."""
    if label is None:
        return f"BP-{position}"
    text = label.strip().rstrip(".):").strip()
    number = re.fullmatch(r"(?:B\.?\s*P\.?|P|Pillar|Point|Corner|Station|Stn\.?)?\s*(?:No\.?\s*)?[-.:#]?\s*"
                          r"(\d+[A-Za-z]?)", text, re.IGNORECASE)
    return f"BP-{number.group(1).upper()}" if number else text


def _split_label(line: str) -> tuple[Optional[str], str]:
    match = _LABEL.match(line)
    if match:
        return match.group("label"), line[match.end():]
    return None, line


def _unlabelled_pair(line: str) -> tuple[float, float, Optional[str]]:
    """A line without a written label: two coordinates, or a bare pillar number and two."""
    try:
        return _coordinate_pair(line)
    except (CoordinateError, _LoneCoordinate) as first:
        bare = _BARE_NUMBER.match(line)
        if bare is None:
            raise first
        try:
            return _coordinate_pair(line[bare.end():])[:2] + (bare.group("label"),)
        except (CoordinateError, _LoneCoordinate):
            raise first from None


def _coordinate_pair(text: str) -> tuple[float, float, None]:
    """(lat, lon, None) from the text after the label; :class:`CoordinateError` with the reason."""
    text = text.strip().strip(",;|").strip()
    cells = [c for c in _CELLS.split(text) if c]
    if len(cells) == 2:
        return _ordered(cells[0], cells[1])
    lat_letters, lon_letters = list(_LAT_LETTER.finditer(text)), list(_LON_LETTER.finditer(text))
    letters = sorted(lat_letters + lon_letters, key=lambda m: m.start())
    if letters and len(lat_letters) <= 1 and len(lon_letters) <= 1:
        split = None
        if re.search(r"\d", text[:letters[0].start()]):  # letters follow their numbers: 23 21 15 N 85 18 42 E
            split = letters[0].end()
        elif len(letters) == 2:  # letters lead: N 23 21 E 85 18
            split = letters[1].start()
        if split is not None and re.search(r"\d", text[split:]):
            return _ordered(text[:split], text[split:])
        if len(letters) == 1 and len(cells) == 1:
            raise _LoneCoordinate
    for found, axis in ((lat_letters, "latitude"), (lon_letters, "longitude")):
        if len(found) > 1:
            raise CoordinateError(f"{len(found)} {axis} hemisphere letters ({', '.join(m.group() for m in found)}): "
                                  "one latitude (N/S) and one longitude (E/W) are needed")
    numbers = text.split()
    if all(re.fullmatch(r"[+-]?\d+(?:\.\d+)?", n) for n in numbers):
        if len(numbers) == 2:
            return _ordered(numbers[0], numbers[1])
        if len(numbers) == 6:
            return _ordered(" ".join(numbers[:3]), " ".join(numbers[3:]))
        if len(numbers) == 1:
            raise _LoneCoordinate
        raise CoordinateError(f"{len(numbers)} numbers without degree marks or hemisphere letters cannot be split "
                              "into a latitude and a longitude")
    if len(cells) == 1 and _reads_as_coordinate(text):
        raise _LoneCoordinate
    raise CoordinateError("a latitude and a longitude could not be told apart (separate them by a comma, a tab, "
                          "two spaces or hemisphere letters)")


def _reads_as_coordinate(text: str) -> bool:
    try:
        parse_dms(text)
    except CoordinateError:
        return False
    return True


def _axis_of(text: str) -> Optional[str]:
    """"lat" or "lon" when a hemisphere letter says so, else None."""
    if _LAT_LETTER.search(text):
        return "lat"
    if _LON_LETTER.search(text):
        return "lon"
    return None


def _ordered(first: str, second: str) -> tuple[float, float, None]:
    """Latitude and longitude from two cells: ordered by their hemisphere letters when they
    have them (E first and N second is read as written), else latitude first."""
    axes = (_axis_of(first), _axis_of(second))
    lat_text, lon_text = (second, first) if axes in (("lon", "lat"), ("lon", None), (None, "lat")) else (first, second)
    lat = _parse_axis(lat_text, "lat")
    lon = _parse_axis(lon_text, "lon")
    return lat, lon, None


def _parse_axis(text: str, axis: str) -> float:
    try:
        return parse_dms(text.strip(), axis=axis)
    except CoordinateError as problem:
        raise CoordinateError(f"{'latitude' if axis == 'lat' else 'longitude'} {problem}") from None


def _pair_singles(singles: list[tuple[int, str, Optional[str]]]) -> tuple[list[Pillar], list[PillarProblem]]:
    """Pillars from lines holding one coordinate each: alternating latitude, longitude (a PDF
    table copied cell by cell), or all latitudes then all longitudes (column by column), told
    apart by the hemisphere letters."""
    axes = [_axis_of(text) for _, text, _ in singles]
    half = len(singles) // 2
    if (len(singles) % 2 == 0 and half and all(a == "lat" for a in axes[:half])
            and all(a == "lon" for a in axes[half:])):
        pairs = list(zip(singles[:half], singles[half:]))
    elif len(singles) % 2 == 0:
        pairs = list(zip(singles[0::2], singles[1::2]))
    else:
        row, text, _ = singles[-1]
        count = "a single coordinate" if len(singles) == 1 else f"{len(singles)} single coordinates"
        return [], [PillarProblem(row, text, f"{count} cannot be paired into latitudes and longitudes "
                                             "(one is left over)")]
    pillars, problems = [], []
    for (lat_row, lat_text, label), (lon_row, lon_text, _) in pairs:
        try:
            lat, lon, _ = _ordered(lat_text, lon_text)
        except CoordinateError as problem:
            problems.append(PillarProblem(lat_row, f"{lat_text} / {lon_text}", f"{problem} (rows {lat_row} and {lon_row})"))
            continue
        pillars.append(Pillar(_label(label, len(pillars) + 1), lat, lon, lat_row))
    return pillars, problems


def _area_ha(match: re.Match) -> float:
    value = float(match.group("value").replace(",", ""))
    unit = (match.group("unit") or "ha").lower()
    key = "km" if ("km" in unit or "kilomet" in unit) else "acre" if unit.startswith("acre") else "ha"
    return value * _HA_PER_UNIT[key]


# ----- reading a CSV/XLSX pillar table -----------------------------------------------------------

_BLOCK_COLUMNS = ("block_id", "block", "block_no", "block_name", "blockid", "block_code")
_ORDER_COLUMNS = ("order", "seq", "sequence", "sl_no", "s_no", "sr_no", "serial", "pillar_order", "vertex", "pillar",
                  "pillar_no", "bp", "bp_no", "point", "point_no")
_LABEL_COLUMNS = ("pillar", "pillar_no", "pillar_id", "bp", "bp_no", "label", "point", "point_no")
_AREA_COLUMNS = ("area_ha", "stated_area_ha", "area", "area_hectare", "area_hectares")
#: Block fields carried from the pillar rows to the block (DESIGN.md §3.2).
BLOCK_FIELDS = ("block_id", "block_name", "state", "district", "commodity", "licence", "stage")


def read_pillar_table(path: os.PathLike | str, layer: Optional[str] = None, block_column: Optional[str] = None,
                      order_column: Optional[str] = None) -> tuple[list[PillarList], list[PillarProblem]]:
    """Blocks' pillar lists from a CSV or XLSX with one row per pillar.

    Columns are found by name: latitude/longitude (decimal or DMS text), the block id
    (``block_id``, ``block`` …; without it the whole table is one block), the order (``order``,
    ``seq``, ``sl_no``, ``pillar`` with values such as ``BP-3`` …; without it the row order), and
    optionally ``area_ha`` (the stated area) and the block fields of DESIGN.md §3.2.

    Returns
    -------
    blocks : list of PillarList
        One per block id, in the order first met, pillars sorted by the order column.
    problems : list of PillarProblem
        Rows left out (sheet row numbers, the header being row 1) with the reason.

    Raises
    ------
    DataReadError
        The file cannot be read or has no latitude/longitude columns.
    """
    from geo.tabular import HEADER_ROW, read_table

    result = read_table(Path(path), layer)
    name = describe_path(path)
    if result.kind != "vector":
        raise DataReadError(f"{name}: no latitude/longitude columns found (looked for lat, latitude, lon, longitude "
                            f"…); its columns are: {', '.join(map(str, result.data.columns))}")
    frame = result.data
    columns = {re.sub(r"[^0-9a-z]+", "_", str(c).strip().lower()).strip("_"): c for c in frame.columns}
    block_col = block_column or next((columns[c] for c in _BLOCK_COLUMNS if c in columns), None)
    order_col = order_column or next((columns[c] for c in _ORDER_COLUMNS if c in columns), None)
    for given in (block_column, order_column):
        if given is not None and given not in frame.columns:
            raise DataReadError(f"{name} has no column {given!r}; its columns are: {', '.join(map(str, frame.columns))}")
    label_col = next((columns[c] for c in _LABEL_COLUMNS if c in columns), None)
    area_col = next((columns[c] for c in _AREA_COLUMNS if c in columns), None)
    field_cols = {f: columns[f] for f in BLOCK_FIELDS if f in columns and columns[f] != block_col}
    rejected = {r.row: r.reason for r in result.rejected_rows}
    problems: list[PillarProblem] = []
    grouped: dict[str, list[tuple[float, Pillar, pd.Series]]] = {}
    for position, (_, record) in enumerate(frame.iterrows()):
        row = position + HEADER_ROW + 1
        text = ", ".join(str(v) for k, v in record.items() if k != frame.geometry.name and not _blank(v))
        if row in rejected:
            problems.append(PillarProblem(row, text, rejected[row]))
            continue
        block_id = "" if block_col is None else ("" if _blank(record[block_col]) else _text(record[block_col]))
        if block_col is not None and not block_id:
            problems.append(PillarProblem(row, text, f"the block id ({block_col}) is empty"))
            continue
        if order_col is not None:
            order = _order_number(record[order_col])
            if order is None:
                problems.append(PillarProblem(row, text, f"the order ({order_col}) {record[order_col]!r} is not a number"))
                continue
        else:
            order = float(position)
        label = _label(_text(record[label_col]), 0) if label_col is not None and not _blank(record[label_col]) else ""
        point = record[frame.geometry.name]
        grouped.setdefault(block_id, []).append((order, Pillar(label, point.y, point.x, row), record))
    blocks = []
    for block_id, items in grouped.items():
        orders = [o for o, _, _ in items]
        repeated = sorted({o for o in orders if orders.count(o) > 1})
        if repeated:
            for order, pillar, _ in items:
                if order in repeated:
                    problems.append(PillarProblem(pillar.row, "", f"block {block_id or '(the table)'}: the order "
                                                                  f"{order:g} is given to more than one pillar"))
            continue
        items.sort(key=lambda item: item[0])
        pillars = [Pillar(p.label or f"BP-{i}", p.lat, p.lon, p.row) for i, (_, p, _) in enumerate(items, start=1)]
        records = [record for _, _, record in items]
        attributes, conflicts = _block_attributes(records, field_cols, block_id)
        problems.extend(PillarProblem(pillars[0].row, "", c) for c in conflicts)
        stated = _stated_area(records, area_col)
        blocks.append(PillarList(pillars, [], stated, block_id, attributes))
    problems.sort(key=lambda p: p.row)
    return blocks, problems


TEXT_SUFFIXES = (".txt", ".text")


def read_pillar_source(path: Path) -> tuple[list[PillarList], list[str]]:
    """Pillar lists and problem lines (``"FILE, row N: reason"``) from a table
    (:func:`read_pillar_table`) or a text file pasted from a tender document (one block, named
    after the file; :func:`parse_pillar_text`)."""
    name = describe_path(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataReadError(f"{name}: cannot read the text: {exc}") from None
        found = parse_pillar_text(text)
        found.block_id = path.stem
        return [found], [f"{name}, {problem}" for problem in found.problems]
    lists, problems = read_pillar_table(path)
    return lists, [f"{name}, {problem}" for problem in problems]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    """A cell as text; whole numbers without ``.0`` (an id typed as 7 is read as 7.0 by pandas)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _order_number(value) -> Optional[float]:
    """The order from ``3``, ``3.0``, ``"BP-3"`` or ``"P 3"``; None when there is no number."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not _blank(value):
        return float(value)
    match = re.fullmatch(r"\s*(?:[A-Za-z.]*\s*[-.:#]?\s*)?(\d+(?:\.\d+)?)\s*", str(value))
    return float(match.group(1)) if match else None


def _block_attributes(records: Sequence[pd.Series], columns: dict[str, str], block_id: str) -> tuple[dict, list[str]]:
    """The block fields, given on any of the block's rows; two different values are reported."""
    attributes, conflicts = {"block_id": block_id} if block_id else {}, []
    for name, column in columns.items():
        values = list(dict.fromkeys(_text(r[column]) for r in records if not _blank(r[column])))
        if len(values) > 1:
            conflicts.append(f"block {block_id}: the rows give different {column} values ({', '.join(values)})")
        elif values:
            attributes[name] = values[0]
    return attributes, conflicts


def _stated_area(records: Sequence[pd.Series], column: Optional[str]) -> Optional[float]:
    if column is None:
        return None
    values = [float(r[column]) for r in records if not _blank(r[column]) and _order_number(r[column]) is not None]
    return values[0] if values else None


# ----- pillars → polygon, with the checks --------------------------------------------------------

def check_ring(pillars: Sequence[Pillar], stated_area_ha: Optional[float] = None) -> RingCheck:
    """Make the block polygon (WGS 84) of ``pillars`` in their order and check it.

    A last pillar repeating the first (a closed list) is dropped. Reported: fewer than three
    distinct pillars, a pillar repeating the one before, and sides that cross (pillars out of
    order; see :func:`reordered`). The stated area is compared with the computed geodesic area.
    """
    points = [(p.lon, p.lat) for p in pillars]
    labels = [p.label for p in pillars]
    if len(points) > 1 and _same_place(points[0], points[-1]):
        points, labels = points[:-1], labels[:-1]
    errors = [f"{labels[i]} repeats {labels[i - 1]} (the same place twice in a row)"
              for i in range(1, len(points)) if _same_place(points[i], points[i - 1])]
    if len({(round(x, 9), round(y, 9)) for x, y in points}) < 3:
        return RingCheck(None, errors + [f"a block needs at least three distinct pillars; {len(points)} given"],
                         stated_area_ha=stated_area_ha)
    polygon = shapely.Polygon(points)
    crossings = crossing_sides(points)
    errors += [f"the side {_side(labels, i)} crosses the side {_side(labels, j)}: the pillars are out of order"
               for i, j in crossings]
    if not crossings and not polygon.is_valid:
        errors.append(f"the ring is not a valid polygon ({shapely.is_valid_reason(polygon)})")
    area = geodesic_area_ha(polygon, WGS84)
    difference = (100.0 * (stated_area_ha - area) / area if stated_area_ha is not None and area > 0 else math.nan)
    return RingCheck(polygon, errors, area, geodesic_length_km(polygon, WGS84), stated_area_ha, difference, crossings)


def _same_place(a, b) -> bool:
    return abs(a[0] - b[0]) < 1e-9 and abs(a[1] - b[1]) < 1e-9


def _side(labels: Sequence[str], i: int) -> str:
    return f"{labels[i]}–{labels[(i + 1) % len(labels)]}"


def crossing_sides(points: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Pairs (i, j) of ring sides that cross, side i running from point i to point i+1 (closing
    back to point 0); neighbouring sides sharing their end point do not count."""
    n = len(points)
    sides = [shapely.LineString([points[i], points[(i + 1) % n]]) for i in range(n)]
    tree = shapely.STRtree(sides)
    found = []
    for i, j in zip(*tree.query(sides, predicate="intersects")):
        if i >= j or j == i + 1 or (i == 0 and j == n - 1):
            continue
        found.append((int(i), int(j)))
    return sorted(found)


def reordered(pillars: Sequence[Pillar]) -> list[Pillar]:
    """The pillars in the order of their bearing around their centre (clockwise from north, as
    boundary descriptions run), starting from the first pillar: a proposal the user may accept
    for a self-intersecting list, never applied without asking. The labels travel with the
    pillars."""
    lon0 = float(np.mean([p.lon for p in pillars]))
    lat0 = float(np.mean([p.lat for p in pillars]))
    scale = math.cos(math.radians(lat0))

    def bearing(p: Pillar) -> float:
        return math.atan2((p.lon - lon0) * scale, p.lat - lat0) % (2 * math.pi)

    ordered = sorted(pillars, key=bearing)
    start = next(i for i, p in enumerate(ordered) if p is pillars[0])
    return ordered[start:] + ordered[:start]


def pillars_to_blocks(lists: Iterable[PillarList], crs=WGS84) -> tuple["object", list[str]]:
    """A blocks GeoDataFrame (one polygon per pillar list that makes a valid ring) and the
    findings per block (errors of rejected ones, area comparisons of all).

    Returns
    -------
    blocks : GeoDataFrame
        Columns: the block fields found, ``pillars`` (count), ``area_ha`` (geodesic) and
        ``stated_area_ha``; in ``crs``.
    findings : list of str
        Sentences starting "Block <id>:": the errors of each ring and a stated area that differs
        from the computed one by more than 1 %.
    """
    import geopandas as gpd

    rows, geometries, findings = [], [], []
    for position, item in enumerate(lists, start=1):
        name = item.block_id or str(position)
        check = check_ring(item.pillars, item.stated_area_ha)
        findings.extend(f"Block {name}: {f}" for f in check.errors)
        if check.area_flagged:
            findings.append(f"Block {name}: {check.findings()[-1]}")
        if not check.ok:
            findings.append(f"Block {name} was not made (its pillars need correcting).")
            continue
        rows.append({"block_id": name, **{k: v for k, v in item.attributes.items() if k != "block_id"},
                     "pillars": len(item.pillars), "area_ha": round(check.area_ha, 4),
                     "stated_area_ha": item.stated_area_ha})
        geometries.append(check.polygon)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=list(dict.fromkeys(
        ["block_id", *[k for r in rows for k in r]]))), geometry=gpd.GeoSeries(geometries, crs=WGS84))
    return (frame.to_crs(crs) if not CRS(crs).equals(CRS(WGS84)) else frame), findings


# ----- polygon → pillar table ---------------------------------------------------------------------

def polygon_pillars(geometry, crs) -> list[Pillar]:
    """The pillars of a block polygon in ``crs``: its outer ring in WGS 84, numbered BP-1, BP-2 …
    from the ring's first vertex in its own order (the numbering the map labels show).

    Raises
    ------
    GeometryError
        The geometry is empty, not a polygon, in several parts or has holes (a pillar list
        describes one outer boundary).
    """
    polygon = _single_polygon(geometry)
    if polygon.interiors:
        raise GeometryError(f"the block has {len(polygon.interiors)} hole(s); a pillar list describes one outer "
                            "boundary only")
    coords = np.asarray(polygon.exterior.coords)[:-1]
    if not CRS(crs).equals(CRS(WGS84)):
        transformer = Transformer.from_crs(CRS(crs), CRS(WGS84), always_xy=True)
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
    else:
        lon, lat = coords[:, 0], coords[:, 1]
    return [Pillar(f"BP-{i}", float(y), float(x)) for i, (x, y) in enumerate(zip(lon, lat), start=1)]


def _single_polygon(geometry) -> shapely.Polygon:
    if geometry is None or shapely.is_empty(geometry):
        raise GeometryError("the block has no geometry")
    if isinstance(geometry, shapely.MultiPolygon):
        if len(geometry.geoms) != 1:
            raise GeometryError(f"the block is in {len(geometry.geoms)} parts; a pillar list describes one outer "
                                "boundary (split the block first)")
        geometry = geometry.geoms[0]
    if not isinstance(geometry, shapely.Polygon):
        raise GeometryError(f"the block is a {geometry.geom_type}, not a polygon")
    return geometry


@dataclass
class PillarSheet:
    """The pillar table of one block as a dossier prints it: its pillars (WGS 84, numbered as on
    the map), geodesic area (ha), perimeter (km) and the Survey of India 1:50,000 toposheets."""

    pillars: list[Pillar]
    area_ha: float
    perimeter_km: float
    toposheets: list[str]

    def rows(self) -> list[dict]:
        """One row per pillar: ``pillar``, ``latitude_dms``, ``longitude_dms`` (arc-seconds to
        4 decimals), ``latitude``, ``longitude`` (8 decimals: a table read back gives the same
        polygon to well under 1 cm)."""
        return [{"pillar": p.label, "latitude_dms": format_dms(p.lat, "lat", SECONDS_DECIMALS),
                 "longitude_dms": format_dms(p.lon, "lon", SECONDS_DECIMALS),
                 "latitude": float(format_decimal(p.lat, DECIMALS)),
                 "longitude": float(format_decimal(p.lon, DECIMALS))} for p in self.pillars]


def pillar_sheet(geometry, crs) -> PillarSheet:
    """The pillar table of one block polygon in ``crs`` (see :func:`polygon_pillars` for the
    numbering and the geometries that have none).

    Examples
    --------
    >>> sheet = pillar_sheet(shapely.box(85.30, 23.30, 85.31, 23.31), "EPSG:4326")
    >>> first = sheet.rows()[0]
    >>> print(first["pillar"], first["latitude_dms"], first["longitude_dms"], round(sheet.area_ha, 1), sheet.toposheets)
    BP-1 23°18'00.0000"N 85°18'36.0000"E 113.3 ['F45B07']
    """
    pillars = polygon_pillars(geometry, crs)
    wgs = shapely.Polygon([(p.lon, p.lat) for p in pillars])
    return PillarSheet(pillars, geodesic_area_ha(wgs, WGS84), geodesic_length_km(wgs, WGS84),
                       list(toposheets_for_polygon(wgs)))


def pillar_table(blocks, id_column: Optional[str] = None) -> tuple[pd.DataFrame, list[str]]:
    """The pillar table of every block: one row per pillar with the block id, BP number,
    latitude and longitude in DMS and decimal degrees (WGS 84), and per block its geodesic area
    (ha), perimeter (km) and the Survey of India 1:50,000 toposheets it lies on
    (:func:`pillar_sheet` of each block).

    Returns
    -------
    table : DataFrame
    problems : list of str
        Blocks that have no pillar list (empty, several parts, holes), naming them.
    """
    id_column = id_column or next((c for c in blocks.columns if str(c).lower() in ("block_id", "block", "id")), None)
    rows, problems = [], []
    for position, (geometry, block_id) in enumerate(zip(blocks.geometry, blocks[id_column] if id_column
                                                      else range(1, len(blocks) + 1)), start=1):
        name = _text(block_id) if not _blank(block_id) else str(position)
        try:
            sheet = pillar_sheet(geometry, blocks.crs)
        except GeometryError as problem:
            problems.append(f"Block {name}: {problem}")
            continue
        block = {"area_ha": round(sheet.area_ha, 4), "perimeter_km": round(sheet.perimeter_km, 4),
                 "toposheets": "; ".join(sheet.toposheets)}
        rows.extend({"block_id": name, **row, **block} for row in sheet.rows())
    columns = ["block_id", "pillar", "latitude_dms", "longitude_dms", "latitude", "longitude", "area_ha",
               "perimeter_km", "toposheets"]
    return pd.DataFrame(rows, columns=columns), problems
