"""How much of one input Khanij reads: every bound a reader enforces, with the reason for it.

Issue 16's bound is 30 s and 2 GB for any single input on the benchmark machine (2 cores). The
readers that hold a whole document in memory (GDAL's GeoJSON and KML drivers, pandas, openpyxl)
need several times the file's size, and some formats let a small file declare an enormous size (a
zip member that inflates a thousandfold, a spreadsheet whose "used range" is a million rows by
sixteen thousand columns). Each limit below is checked before the expensive work starts, and
:func:`refusal` words the message: the file, what it holds, the limit and why.

The values are generous for real survey data: the largest files of the shared test data are a
tenth of these.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One bound: its value, the unit it counts, and why it is where it is."""

    value: int
    unit: str
    reason: str


MIB = 1024 * 1024

DOCUMENT_BYTES = Limit(
    512 * MIB, "bytes",
    "GDAL parses a GeoJSON, TopoJSON or KML document whole; it needs about 3–4 times the text's size "
    "in memory, so 512 MB of text stays inside the 2 GB a command may use")
"""GeoJSON / TopoJSON / KML text (for a KMZ: the KML inside it, as its zip entry declares)."""

ZIP_RATIO = Limit(
    200, "times",
    "a KMZ or XLSX member that inflates more than 200-fold is a zip bomb; real KML and sheet XML "
    "compress 5–30-fold")
"""Uncompressed size over compressed size of one member of a KMZ or XLSX."""

PLACEMARKS = Limit(
    100_000, "placemarks",
    "GDAL's KML drivers build every placemark of a document before the first is read, about 4 KB "
    "each (120,000 point placemarks took 450 MB and failed under a 2 GB address-space limit); "
    "100,000 stay well inside the 2 GB bound")
"""Placemarks in one KML document (counted in the text before GDAL parses it)."""

LAYERS_READ_AT_ONCE = Limit(
    50, "layers",
    "GDAL opens the whole file again for each layer, re-parsing a KML or re-listing a GeoPackage's "
    "tables, so reading every layer costs layers × layers; 50 layers take about 10 s")
"""Layers that reading (or describing) *every* layer of one file reads; the rest are named."""

CSV_LINE_BYTES = Limit(
    256 * 1024, "bytes",
    "a row of point data holds a few dozen fields, and even a WKT polygon column rarely passes "
    "100 KB; a longer line is not a table row, and pandas' parser grows its buffers to fit it")
"""One line of a CSV (checked while the file is scanned for its encoding and separator)."""

SHEET_CELLS = Limit(
    5_000_000, "cells",
    "openpyxl keeps about 1 KB per cell it reads; five million cells are read in about 60 s and "
    "stay under the 2 GB bound. Only cells present in the sheet count, never its declared range")
"""Cells present in one XLSX sheet (rows × columns actually written)."""

SHEET_ROWS = Limit(
    1_000_000, "rows",
    "pandas builds the frame from every row openpyxl yields, empty or not; a million rows is "
    "Excel's own maximum (1,048,576) less the header, and more than any block or deposit list")
"""Rows present in one XLSX sheet."""

RASTER_SCAN_PIXELS = Limit(
    100_000_000, "pixels at once without overviews",
    "deciding that a raster holds only nodata, sampling it for percentiles or drawing it whole reads "
    "every pixel when it has no overviews, and a GeoTIFF of a few hundred bytes can declare "
    "100,000 × 100,000 sparse pixels (over two minutes and 1.4 GB); past a 10,000 × 10,000 scene a "
    "spread of blocks is sampled instead, and the raster is drawn only zoomed in")
"""Pixels of one band that opening a raster without overviews may read in full."""

GDAL_CACHE_MB = Limit(
    256, "MB",
    "GDAL caches raster blocks in up to 5% of the machine's memory by default (1.4 GB seen while "
    "opening one sparse GeoTIFF); 256 MB is plenty for the windows Khanij reads")
"""GDAL's raster block cache (``GDAL_CACHEMAX``), for each of the process's two GDAL libraries."""

TEXT_FILE_BYTES = Limit(
    16 * MIB, "bytes",
    "a project or rules file is a few kilobytes of JSON or TOML written by Khanij or a person; "
    "16 MB is a thousand times that and parses in well under a second")
"""A project (``.khanij``) or rules (``.toml``) file."""

NESTING_DEPTH = Limit(
    64, "levels",
    "a project or rules file nests tables or lists a handful of levels deep; deeper nesting is "
    "not one of ours, and Python's parsers give up at about 1,000 levels with a RecursionError")
"""Depth of nested tables and lists in a project or rules file."""


def refusal(name: str, found: str, limit: Limit, advice: str = "") -> str:
    """The message for an input over ``limit``: the file, what it holds, the bound and its reason.

    Examples
    --------
    >>> refusal("x.csv", "line 2 is 1,000,015 bytes long", CSV_LINE_BYTES)[:76]
    'x.csv: line 2 is 1,000,015 bytes long; Khanij reads at most 262,144 bytes (a'
    """
    text = f"{name}: {found}; Khanij reads at most {limit.value:,} {limit.unit} ({limit.reason})"
    return f"{text}; {advice}" if advice else text


def too_deep(value, limit: Limit = NESTING_DEPTH) -> str | None:
    """The key path (``a.b[3].c``) of a dict or list nested ``limit`` levels below the top, or None; walked without recursion, so any depth is safe to look at.

    Examples
    --------
    >>> too_deep({"a": [[1]]}, Limit(2, "levels", "")), too_deep({"a": [1]}, Limit(2, "levels", ""))
    ('a[0]', None)
    """
    stack = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth >= limit.value:
            return where or "(top level)"
        if isinstance(item, dict):
            stack.extend((child, f"{where}.{key}" if where else str(key), depth + 1) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]", depth + 1) for index, child in enumerate(item))
    return None
