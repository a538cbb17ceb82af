"""Coordinate reference systems: what a file declares, what the user assigns, and safe transforms.

Analysis never mixes CRSs silently: a layer whose CRS is unknown is refused by :func:`to_crs`
until the user assigns one with :func:`assign`. Custom (non-EPSG) CRSs such as the Survey of
India's ``LCC_WGS84`` outline work like any other: pyproj reads them from the file's WKT.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Optional

from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from geo.errors import CrsError, DataReadError, describe_path

WGS84 = "EPSG:4326"


def parse_crs(value: Any, what: str = "the CRS") -> CRS:
    """A :class:`pyproj.CRS` from anything pyproj understands ("EPSG:32645", 4326, WKT, a CRS).

    Raises
    ------
    CrsError
        When the value is not a CRS pyproj can read; ``what`` names it in the message.
    """
    if isinstance(value, CRS):
        return value
    try:
        return CRS.from_user_input(value)
    except (ProjCRSError, TypeError, ValueError) as exc:
        raise CrsError(f"{what} {value!r} is not a coordinate reference system Khanij knows: {exc}") from None


def crs_label(crs: Optional[Any]) -> str:
    """A CRS as a person reads it: "EPSG:4326", a custom CRS's name (``LCC_WGS84``), or "unknown"."""
    if crs is None:
        return "unknown"
    crs = parse_crs(crs)
    authority = crs.to_authority()
    if authority:
        return f"{authority[0]}:{authority[1]}"
    return crs.name or "custom"


def detect(path: os.PathLike | str, layer: Optional[str] = None) -> Optional[CRS]:
    """The CRS of a file's layer as :func:`geo.read` sees it (declared or assumed), or None.

    This reads the layer, so the answer includes the GeoJSON/TopoJSON WGS 84 convention.
    """
    from geo.reading import read

    return read(path, layer).crs


def assign(result, crs: Any):
    """A copy of a :class:`~geo.result.ReadResult` with the user's CRS set (status "assigned").

    Coordinates are not transformed: this says what the numbers already are, e.g. a shapefile
    that lost its ``.prj``. The original result is left unchanged.
    """
    target = parse_crs(crs, f"{describe_path(result.path)}: the CRS to assign")
    name = _layer_name(result)
    if result.kind == "raster":
        data = result.data.with_crs(target)
    elif result.kind == "vector":
        data = result.data.set_crs(target, allow_override=True)
    else:
        raise CrsError(f"{name} has no geometry, so it cannot be given a CRS")
    before = f" (the file said {crs_label(result.crs)})" if result.crs is not None else ""
    note = f"{name}: CRS set to {crs_label(target)} by the user{before}."
    superseded = {unknown_crs_message(result), assumed_crs_message(result)}
    kept = [m for m in result.messages if m not in superseded]
    return dataclasses.replace(result, data=data, crs=target, crs_status="assigned", messages=kept + [note])


def to_crs(gdf, crs: Any, layer: Optional[str] = None):
    """``gdf`` transformed to ``crs``; refuses a layer whose CRS is unknown.

    Parameters
    ----------
    gdf : GeoDataFrame
    crs : anything :func:`parse_crs` reads
    layer : str, optional
        The layer's name for messages (the file name, or "file: layer").

    Raises
    ------
    CrsError
        The layer has no CRS (the user must assign one first), or the transform fails.
    """
    name = layer or "this layer"
    if gdf.crs is None:
        raise CrsError(f"{name} has no CRS (the file does not say where its coordinates are); "
                       "assign one before using it in an analysis")
    target = parse_crs(crs)
    if CRS(gdf.crs) == target:
        return gdf
    try:
        return gdf.to_crs(target)
    except (ProjCRSError, ValueError) as exc:
        raise CrsError(f"{name}: cannot transform from {crs_label(gdf.crs)} to {crs_label(target)}: {exc}") from None


def from_wkt_or_none(text: Optional[str], path: os.PathLike | str) -> Optional[CRS]:
    """The CRS a driver reported (WKT or "EPSG:n"), None when empty; unreadable → DataReadError."""
    if not text:
        return None
    try:
        return CRS.from_user_input(text)
    except ProjCRSError as exc:
        raise DataReadError(f"{describe_path(path)}: the file's CRS cannot be understood: {exc}") from None


def unknown_crs_message(result) -> str:
    """What the user is told about a layer whose file declares no CRS."""
    return (f"{_layer_name(result)}: the CRS is unknown (the file does not say where its coordinates are, "
            "e.g. a shapefile without .prj); assign one before using it in an analysis.")


def assumed_crs_message(result) -> str:
    """What the user is told when WGS 84 longitude/latitude is assumed (GeoJSON/TopoJSON, CSV)."""
    return (f"{_layer_name(result)}: the file declares no CRS; its coordinates are assumed to be WGS 84 "
            "longitude/latitude (EPSG:4326). Assign another CRS if that is wrong.")


def _layer_name(result) -> str:
    name = describe_path(result.path)
    return f"{name}, layer '{result.layer}'" if result.layer and result.layer != os.path.splitext(name)[0] else name
