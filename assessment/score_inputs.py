"""The layers scoring reads from files: each checked for what scoring needs (a vector layer with a
CRS and usable geometry, polygons where the role takes areas; a readable raster), every error
naming the file. ``khanij score`` and ``khanij screen`` read their inputs through these.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from assessment.scoring import require_polygons
from geo.errors import CrsError, DataReadError, describe_path


def read_layer(path: str, role: str, polygons: bool = False) -> gpd.GeoDataFrame:
    """One vector layer for ``role``, with a CRS (and only polygons if ``polygons``); errors name the file."""
    from geo import read

    result = read(path)
    if result.kind == "raster" or not isinstance(result.data, gpd.GeoDataFrame):
        raise DataReadError(f"{describe_path(path)}: the {role} layer must be a vector layer with geometries")
    if result.data.crs is None:
        raise CrsError(f"{describe_path(path)}: the {role} layer has no CRS; assign one (e.g. add a .prj) before scoring")
    layer = result.data
    usable = ~(layer.geometry.isna() | layer.geometry.is_empty)
    if len(layer) and not usable.any():
        raise DataReadError(f"{describe_path(path)}: the {role} layer has no usable geometry (none of its "
                            f"{len(layer)} feature(s) has one{'; see khanij info' if result.rejected_rows else ''})")
    if polygons:
        require_polygons(layer, f"{describe_path(path)}: the {role} layer")
    layer.attrs["name"] = Path(path).stem
    return layer


def check_raster(path: str) -> str:
    """The path of a readable raster (errors name the file)."""
    from geo import read

    if read(path).kind != "raster":
        raise DataReadError(f"{describe_path(path)}: --raster needs a raster file (GeoTIFF or any GDAL raster)")
    return path
