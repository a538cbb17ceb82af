"""Khanij's geospatial engine (no Qt): files, CRS, coordinates, geometry checks, geodesic
measures, overlays and zonal statistics.

The public API is imported lazily so ``import geo`` stays cheap for the command line.
"""
from __future__ import annotations

import importlib

_API = {
    "read": "geo.reading",
    "read_all": "geo.reading",
    "list_layers": "geo.reading",
    "ReadResult": "geo.result",
    "RejectedRow": "geo.result",
    "parse_dms": "geo.coords",
    "format_dms": "geo.coords",
    "utm_zone": "geo.coords",
    "toposheet": "geo.soi_sheets",
    "geodesic_area_ha": "geo.measure",
    "geodesic_distance_km": "geo.measure",
    "zonal_stats": "geo.zonal",
    "Feedback": "geo.feedback",
    "KhanijError": "geo.errors",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__():
    return __all__
