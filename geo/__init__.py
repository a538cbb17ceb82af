"""Khanij's geospatial engine (no Qt): files, CRS, coordinates, geometry checks, geodesic
measures, overlays and zonal statistics.

The public API is imported lazily so ``import geo`` stays cheap for the command line.
"""
from __future__ import annotations

from geo import offline
from geo.lazy_api import lazy_api

offline.apply()

_API = {
    "read": "geo.reading",
    "read_all": "geo.reading",
    "list_layers": "geo.reading",
    "ReadResult": "geo.result",
    "RejectedRow": "geo.result",
    "parse_dms": "geo.coords",
    "format_dms": "geo.coords",
    "utm_zone": "geo.coords",
    "format_decimal": "geo.coords",
    "to_utm": "geo.coords",
    "toposheet": "geo.soi_sheets",
    "toposheets": "geo.soi_sheets",
    "toposheets_for_polygon": "geo.soi_sheets",
    "geodesic_areas_ha": "geo.measure",
    "geodesic_length_km": "geo.measure",
    "check_geometries": "geo.geometry",
    "repaired": "geo.geometry",
    "geodesic_area_ha": "geo.measure",
    "geodesic_distance_km": "geo.measure",
    "zonal_stats": "geo.zonal",
    "Feedback": "geo.feedback",
    "KhanijError": "geo.errors",
}

__all__, __getattr__, __dir__ = lazy_api("geo", _API)
