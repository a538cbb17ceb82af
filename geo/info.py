"""What ``khanij info FILE`` prints: a description of every layer of a file, as data and as text.

The dictionary's shape is the command-line contract (DESIGN.md §6)::

    {"path", "kind": "vector" | "table" | "raster",
     "layers": [{"name", "driver", "crs", "features", "geometry_types", "fields", "encoding",
                 "bounds", "invalid", "null", ["messages"], ["rejected_rows"]}]}

and for a raster ``{"path", "kind": "raster", "driver", "width", "height", "bands", "dtype",
"nodata", "crs", "bounds", ["messages"]}``. ``messages`` and ``rejected_rows`` appear only when
there is something to say.
"""
from __future__ import annotations

import math
import os
from typing import Optional

import numpy as np

from geo.crs import crs_label
from geo.reading import read_all
from geo.result import ReadResult


def describe(path: os.PathLike | str, encoding: Optional[str] = None) -> dict:
    """Describe a file (every layer) as plain JSON-ready data; DataReadError if it cannot be read."""
    results = read_all(path, encoding=encoding)
    if results[0].kind == "raster":
        return _raster(os.fspath(path), results[0])
    kind = "vector" if any(r.kind == "vector" for r in results) else "table"
    return {"path": os.fspath(path), "kind": kind, "layers": [_layer(r) for r in results]}


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


def format_description(description: dict) -> str:
    """The description as text for a terminal, one fact per line."""
    lines = [f"{description['path']} ({description['kind']})"]
    if description["kind"] == "raster":
        d = description
        lines += [f"  driver: {d['driver']}", f"  size: {d['width']} x {d['height']} pixels, {d['bands']} band(s)",
                  f"  dtype: {d['dtype']}", f"  nodata: {d['nodata']}", f"  crs: {d['crs'] or 'unknown'}",
                  f"  bounds: {_format_bounds(d['bounds'])}"]
        lines += [f"  ! {m}" for m in d.get("messages", [])]
        return "\n".join(lines)
    for layer in description["layers"]:
        lines += [f"layer '{layer['name']}'",
                  f"  driver: {layer['driver']}",
                  f"  crs: {layer['crs'] or 'unknown'}",
                  f"  features: {layer['features']}",
                  f"  geometry types: {', '.join(layer['geometry_types']) or 'none'}",
                  f"  fields: {', '.join(layer['fields'])}",
                  f"  encoding: {layer['encoding']}",
                  f"  bounds: {_format_bounds(layer['bounds'])}",
                  f"  invalid geometries: {layer['invalid']}, null geometries: {layer['null']}"]
        lines += [f"  ! {m}" for m in layer.get("messages", [])]
        lines += [f"  row {r['row']}: {r['reason']}" for r in layer.get("rejected_rows", [])]
    return "\n".join(lines)


def _format_bounds(bounds) -> str:
    return "none" if bounds is None else ", ".join(f"{v:.6g}" for v in bounds)
