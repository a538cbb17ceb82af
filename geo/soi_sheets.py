"""Survey of India Open Series Map (OSM) 1:50,000 toposheet numbers.

The sheet index ships with the package (``geo/data/soi_osm_50k_index.gpkg``, from datameet/maps,
CC BY 4.0, Survey of India original author; see ``geo/data/ATTRIBUTION.md``). Every sheet is a
15′ × 15′ cell on a regular 0.25° grid, so the index is loaded once (lazily, on the first lookup)
into a 2-D array of sheet numbers and a lookup is two floors and an array read: well under a
microsecond of work per point, fast enough for a mouse-move handler.

Points on sheet edges are decided deterministically: cells are half-open, so a point on a line
shared by two sheets belongs to the sheet east (or north) of it; a point on the outer edge of the
index, where there is no sheet east (north) of it, belongs to the sheet it borders.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from geo.errors import GeometryError

INDEX_PATH = Path(__file__).with_name("data") / "soi_osm_50k_index.gpkg"
# The index's licence (CC BY 4.0) asks for this wherever sheet numbers are shown or exported.
ATTRIBUTION = ("Toposheet index: Survey of India Open Series Map 1:50,000 index, via DataMeet "
               "(github.com/datameet/maps), CC BY 4.0.")
CELLS_PER_DEGREE = 4     # 15-minute sheets


class _SheetGrid:
    """The sheet index as a grid: ``names[cell[row, col]]`` or no sheet where ``cell`` is -1."""

    def __init__(self, names: np.ndarray, bounds: np.ndarray):
        corners = bounds * CELLS_PER_DEGREE
        if not (np.array_equal(corners, np.round(corners))
                and np.all(corners[:, 2:] - corners[:, :2] == 1)):
            raise GeometryError(f"{INDEX_PATH.name}: the sheets are not 15-minute grid cells")
        columns, rows = corners[:, 0].astype(int), corners[:, 1].astype(int)
        self.column0, self.row0 = columns.min(), rows.min()
        self.cell = np.full((rows.max() - self.row0 + 1, columns.max() - self.column0 + 1), -1)
        self.cell[rows - self.row0, columns - self.column0] = np.arange(len(names))
        self.names = np.append(np.asarray(names, dtype=object), "")

    def lookup(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Position in ``names`` of each point's sheet (the last position, "", where none)."""
        x = np.asarray(lons, dtype=float) * CELLS_PER_DEGREE - self.column0
        y = np.asarray(lats, dtype=float) * CELLS_PER_DEGREE - self.row0
        column, row = np.floor(x), np.floor(y)
        on_column_line, on_row_line = column == x, row == y
        found = self._at(column, row)
        for d_column, d_row in ((1, 0), (0, 1), (1, 1)):
            edge = (found < 0) & (on_column_line | (d_column == 0)) & (on_row_line | (d_row == 0))
            found = np.where(edge, self._at(column - d_column, row - d_row), found)
        return np.where(found < 0, len(self.names) - 1, found)

    def _at(self, column: np.ndarray, row: np.ndarray) -> np.ndarray:
        rows, columns = self.cell.shape
        inside = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)  # False for NaN
        safe_row = np.where(inside, row, 0).astype(int)
        safe_column = np.where(inside, column, 0).astype(int)
        return np.where(inside, self.cell[safe_row, safe_column], -1)

    def boxes(self, lon_min: float, lat_min: float, lon_max: float, lat_max: float):
        """Sheet names and their cell boxes for every sheet whose cell meets the given bounds."""
        import shapely

        low = np.floor(np.array([lon_min, lat_min]) * CELLS_PER_DEGREE).astype(int)
        high = np.floor(np.array([lon_max, lat_max]) * CELLS_PER_DEGREE).astype(int)
        columns, rows = np.meshgrid(np.arange(low[0], high[0] + 1), np.arange(low[1], high[1] + 1))
        columns, rows = columns.ravel(), rows.ravel()
        found = self._at(columns - self.column0, rows - self.row0)
        keep = found >= 0
        columns, rows = columns[keep], rows[keep]
        cells = shapely.box(columns / CELLS_PER_DEGREE, rows / CELLS_PER_DEGREE,
                            (columns + 1) / CELLS_PER_DEGREE, (rows + 1) / CELLS_PER_DEGREE)
        return self.names[found[keep]], cells


@lru_cache(maxsize=1)
def _grid() -> _SheetGrid:
    import pyogrio
    import shapely

    _, _, geometry, fields = pyogrio.raw.read(INDEX_PATH, columns=["SheetNo"])
    polygons = shapely.from_wkb(geometry)
    return _SheetGrid(fields[0], shapely.bounds(polygons))


def toposheet(lon: float, lat: float) -> str:
    """The SOI Open Series 1:50,000 sheet number at a WGS 84 point, or ``""`` outside the index.

    Parameters
    ----------
    lon, lat : float
        Decimal degrees on WGS 84.

    Returns
    -------
    str
        The index's ``SheetNo``, e.g. ``"F45B07"``; empty outside India (outside the index).

    Examples
    --------
    >>> toposheet(85.31, 23.31)
    'F45B07'
    >>> toposheet(0.0, 51.5)
    ''
    """
    grid = _grid()
    return grid.names[int(grid.lookup(np.array([lon]), np.array([lat]))[0])]


def toposheets(lons, lats) -> list[str]:
    """Sheet numbers of many WGS 84 points at once (``""`` outside the index or for NaN).

    Examples
    --------
    >>> toposheets([85.31, 77.21, 0.0], [23.31, 28.61, 0.0])
    ['F45B07', 'H43X02', '']
    """
    grid = _grid()
    return grid.names[grid.lookup(np.ravel(lons), np.ravel(lats))].tolist()


def toposheets_for_polygon(geometry_wgs84) -> list[str]:
    """Every sheet a geometry (in WGS 84 degrees) lies on, sorted.

    A polygon counts for a sheet when their interiors overlap, so a block that only runs along a
    sheet line does not pick up the neighbouring sheet; points and lines count where they touch.

    Examples
    --------
    >>> from shapely import box
    >>> toposheets_for_polygon(box(85.2, 23.3, 85.3, 23.4))
    ['F45B03', 'F45B07']
    """
    import shapely

    if geometry_wgs84 is None or shapely.is_empty(geometry_wgs84):
        return []
    names, cells = _grid().boxes(*shapely.bounds(geometry_wgs84))
    meets = shapely.intersects(cells, geometry_wgs84)
    if shapely.get_dimensions(geometry_wgs84) == 2:
        meets &= ~shapely.touches(cells, geometry_wgs84)
    return sorted(names[meets].tolist())
