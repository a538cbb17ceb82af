"""Small hand-built scoring scenarios in UTM 45N (Jharkhand), answers computed by hand."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

UTM = "EPSG:32645"
X0, Y0 = 400_000.0, 2_600_000.0
KM = 1000.0


def square(x_km: float, y_km: float = 0.0, side_km: float = 2.0):
    """A square block with its lower-left corner ``x_km``, ``y_km`` east/north of the origin."""
    x, y = X0 + x_km * KM, Y0 + y_km * KM
    return box(x, y, x + side_km * KM, y + side_km * KM)


def point(x_km: float, y_km: float = 0.0) -> Point:
    return Point(X0 + x_km * KM, Y0 + y_km * KM)


def blocks(rows: list[dict], crs: str = UTM) -> gpd.GeoDataFrame:
    """Blocks from dicts with a ``geometry`` key and any attributes."""
    geometry = [row.pop("geometry") for row in rows]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=UTM).to_crs(crs)


def layer(geometries, crs: str = UTM, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geometries), crs=UTM).to_crs(crs)
