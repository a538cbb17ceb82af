"""What ``khanij info FILE`` prints: a description of every layer of a file, as data and as text.

The dictionary's shape is the command-line contract (DESIGN.md §6)::

    {"path", "kind": "vector" | "table" | "raster",
     "layers": [{"name", "driver", "crs", "features", "geometry_types", "fields", "encoding",
                 "bounds", "invalid", "null", ["messages"], ["rejected_rows"]}]}

and for a raster ``{"path", "kind": "raster", "driver", "width", "height", "bands", "dtype",
"nodata", "crs", "bounds", ["messages"]}``. ``messages`` and ``rejected_rows`` appear only when
there is something to say. The text form also says where each layer's encoding came from and
whether its CRS was declared by the file or assumed (the JSON keys stay those of the contract).
"""
from __future__ import annotations

import math
import os
from typing import Optional

import numpy as np

from geo.crs import crs_label
from geo.reading import read_all
from geo.result import ReadResult


# ReadResult.encoding_source and .crs_status in words, for the text form.
ENCODING_SOURCES = {
    "cpg": "declared by the .cpg file",
    "dbf language driver": "declared by the DBF language driver",
    "fallback": "a guess: the file does not say",
    "user": "chosen by the user",
    "format": "fixed by the file format",
    "detected": "detected: the text is valid UTF-8",
}
CRS_STATUSES = {
    "declared": "",
    "assumed": " (assumed: the file declares none)",
    "assigned": " (assigned by the user)",
    "unknown": "",
}


def describe(path: os.PathLike | str, encoding: Optional[str] = None) -> dict:
    """Describe a file (every layer) as plain JSON-ready data; DataReadError if it cannot be read.

    Examples
    --------
    >>> describe("Facilities.shp")["layers"][0]["features"]       # doctest: +SKIP
    15392
    """
    return _description(os.fspath(path), read_all(path, encoding=encoding))


def describe_text(path: os.PathLike | str, encoding: Optional[str] = None) -> str:
    """:func:`describe` as text for a terminal, with where each encoding and CRS came from."""
    results = read_all(path, encoding=encoding)
    return format_description(_description(os.fspath(path), results), results)


def _description(path: str, results: list[ReadResult]) -> dict:
    if results[0].kind == "raster":
        return _raster(path, results[0])
    kind = "vector" if any(r.kind == "vector" for r in results) else "table"
    return {"path": path, "kind": kind, "layers": [_layer(r) for r in results]}


def _layer(result: ReadResult) -> dict:
    data = result.data
    spatial = result.kind == "vector"
    entry = {
        "name": result.layer,
        "driver": result.driver,
        "crs": crs_label(result.crs) if result.crs is not None else None,
        "features": len(data),
        "geometry_types": sorted(data.geom_type.dropna().unique().tolist()) if spatial else [],
        "fields": [str(c) for c in data.columns if not spatial or c != data.geometry.name],
        "encoding": result.encoding,
        "bounds": _bounds(data.total_bounds) if spatial else None,
        "invalid": result.invalid_geometries,
        "null": result.null_geometries,
    }
    _add_notes(entry, result)
    return entry


def _raster(path: str, result: ReadResult) -> dict:
    source = result.data
    dtypes = sorted(set(source.dtypes))
    entry = {
        "path": path,
        "kind": "raster",
        "driver": result.driver,
        "width": source.width,
        "height": source.height,
        "bands": source.count,
        "dtype": dtypes[0] if len(dtypes) == 1 else dtypes,
        "nodata": _number(source.nodata),
        "crs": crs_label(result.crs) if result.crs is not None else None,
        "bounds": _bounds(source.bounds),
    }
    _add_notes(entry, result)
    return entry


def _add_notes(entry: dict, result: ReadResult) -> None:
    if result.messages:
        entry["messages"] = list(result.messages)
    if result.rejected_rows:
        entry["rejected_rows"] = [{"row": r.row, "reason": r.reason} for r in result.rejected_rows]


def _bounds(bounds) -> Optional[list[float]]:
    """[minx, miny, maxx, maxy] as floats, None when there is no geometry at all."""
    values = [float(v) for v in bounds]
    return None if any(math.isnan(v) for v in values) else values


def _number(value):
    """A nodata value JSON can hold: NaN becomes the string "nan"."""
    if value is None:
        return None
    return "nan" if np.isnan(value) else value


def format_description(description: dict, results: list[ReadResult]) -> str:
    """The description of the file ``results`` were read from, as text, one fact per line."""
    lines = [f"{description['path']} ({description['kind']})"]
    if description["kind"] == "raster":
        d = description
        lines += [f"  driver: {d['driver']}", f"  size: {d['width']} x {d['height']} pixels, {d['bands']} band(s)",
                  f"  dtype: {d['dtype']}", f"  nodata: {d['nodata']}", f"  crs: {_crs_text(d, results[0])}",
                  f"  bounds: {_format_bounds(d['bounds'])}"]
        lines += [f"  ! {m}" for m in d.get("messages", [])]
        return "\n".join(lines)
    for layer, result in zip(description["layers"], results):
        lines += [f"layer '{layer['name']}'",
                  f"  driver: {layer['driver']}",
                  f"  crs: {_crs_text(layer, result)}",
                  f"  features: {layer['features']}",
                  f"  geometry types: {', '.join(layer['geometry_types']) or 'none'}",
                  f"  fields: {', '.join(layer['fields'])}",
                  f"  encoding: {layer['encoding']} ({ENCODING_SOURCES[result.encoding_source]})",
                  f"  bounds: {_format_bounds(layer['bounds'])}",
                  f"  invalid geometries: {layer['invalid']}, null geometries: {layer['null']}"]
        lines += [f"  ! {m}" for m in layer.get("messages", [])]
        lines += [f"  row {r['row']}: {r['reason']}" for r in layer.get("rejected_rows", [])]
    return "\n".join(lines)


def _crs_text(entry: dict, result: ReadResult) -> str:
    if entry["crs"] is None:
        return "unknown" if result.kind != "table" else "none (no geometry)"
    return entry["crs"] + CRS_STATUSES[result.crs_status]


def _format_bounds(bounds) -> str:
    """Up to 6 decimals (0.1 m in degrees, a micrometre in metres), no trailing zeros, no exponent."""
    if bounds is None:
        return "none"
    return ", ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in bounds)
