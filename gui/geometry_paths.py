"""Layers as Qt drawing primitives, built once and shared by the canvas and the renderer.

A layer's features are transformed to the display CRS once (:class:`GeometryStore`), exploded
into flat numpy arrays of vertices (:class:`LayerGeometry`) and then, per style class, turned into
ONE ``QPainterPath`` for all its polygons or lines and one coordinate array for its points
(:class:`ClassShapes`). Nothing loops over features in Python: the paths come from
``shapely.get_coordinates`` / ``get_parts`` / ``get_rings`` with their index arrays and
``pyqtgraph.arrayToQPath`` with a connect array.

Levels of detail: a path at tolerance ``t`` keeps one vertex per ``t``-sized grid cell along each
ring or line (consecutive vertices in the same cell collapse to the first), always keeping each
part's first and last vertex so rings stay closed. :func:`detail_levels` gives the tolerances of a
layer (about one screen pixel at its full extent, eight times finer, and full detail), and
:func:`level_for` picks the coarsest level whose tolerance is within 1.5 pixels of the view.

Rasters: :class:`RasterImageCache` reads the part of a raster in view, decimated to the screen
size (GDAL serves overviews), warps it into the display CRS grid and colours it (nodata
transparent).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
import shapely
from pyproj import CRS
from PySide6 import QtCore, QtGui
from rasterio.transform import from_bounds as affine_from_bounds
from rasterio.warp import Resampling, reproject, transform_bounds
from rasterio.windows import bounds as window_bounds
from rasterio.windows import from_bounds

from layers.style import drawn_classes

#: Tolerance of the coarsest level: the layer's full extent spread over this many pixels.
FULL_EXTENT_PIXELS = 1000.0
#: Each finer simplified level divides the tolerance by this factor.
LEVEL_STEP = 8.0

POLYGON, LINE, POINT = "polygon", "line", "point"


@dataclass
class PartArrays:
    """Vertices of many parts (rings or lines) in one flat array.

    Attributes
    ----------
    x, y : ndarray of float64
        Vertex coordinates in the display CRS.
    part : ndarray of int64
        Part id of each vertex; the vertices of one part are contiguous.
    part_feature : ndarray of int64
        Feature (row position in the layer) of each part id.
    """

    x: np.ndarray
    y: np.ndarray
    part: np.ndarray
    part_feature: np.ndarray

    @classmethod
    def empty(cls) -> "PartArrays":
        none = np.empty(0, dtype=np.int64)
        return cls(np.empty(0), np.empty(0), none, none)

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, keep_feature: np.ndarray) -> "PartArrays":
        """The vertices of the features where ``keep_feature`` (bool, one per feature) is True."""
        if len(self.x) == 0:
            return self
        keep_vertex = keep_feature[self.part_feature][self.part]
        return PartArrays(self.x[keep_vertex], self.y[keep_vertex], self.part[keep_vertex], self.part_feature)

    def decimated(self, tolerance: float) -> "PartArrays":
        """Drop vertices that fall in the same ``tolerance`` grid cell as the previous vertex.

        Each part keeps its first and last vertex, so rings stay closed and no part vanishes.
        """
        n = len(self.x)
        if tolerance <= 0 or n < 3:
            return self
        cx = np.floor(self.x / tolerance)
        cy = np.floor(self.y / tolerance)
        keep = np.ones(n, dtype=bool)
        same_cell = (cx[1:] == cx[:-1]) & (cy[1:] == cy[:-1]) & (self.part[1:] == self.part[:-1])
        keep[1:] = ~same_cell
        last_of_part = np.ones(n, dtype=bool)
        last_of_part[:-1] = self.part[1:] != self.part[:-1]
        keep |= last_of_part
        return PartArrays(self.x[keep], self.y[keep], self.part[keep], self.part_feature)

    def to_path(self, fill_rule=QtCore.Qt.FillRule.WindingFill) -> QtGui.QPainterPath:
        """One ``QPainterPath`` with a sub-path per part (a move-to at each part's first vertex)."""
        if len(self.x) == 0:
            return QtGui.QPainterPath()
        connect = np.zeros(len(self.x), dtype=np.int32)
        connect[:-1] = self.part[1:] == self.part[:-1]
        path = pg.arrayToQPath(self.x, self.y, connect=connect, finiteCheck=False)
        path.setFillRule(fill_rule)
        return path


def paint_path(painter: QtGui.QPainter, path: QtGui.QPainterPath, pen: QtGui.QPen, brush: QtGui.QBrush) -> None:
    """Fill without antialiasing, then stroke with it.

    Qt's antialiased fill of a path with thousands of sub-paths costs seconds; an aliased fill
    costs milliseconds, and the antialiased outline drawn over it hides the stair-steps.
    """
    hints = painter.renderHints()
    if brush.style() != QtCore.Qt.BrushStyle.NoBrush:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        painter.fillPath(path, brush)
    if pen.style() != QtCore.Qt.PenStyle.NoPen:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.strokePath(path, pen)
    painter.setRenderHints(hints)


def explode_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries and the feature position each came from (collections flattened)."""
    parts = geoms
    feature = np.arange(len(geoms), dtype=np.int64)
    while True:
        types = shapely.get_type_id(parts)
        if not (types >= 4).any():
            break
        parts, index = shapely.get_parts(parts, return_index=True)
        feature = feature[index]
    present = ~(shapely.is_missing(parts) | shapely.is_empty(parts))
    return parts[present], feature[present]


def polygon_parts(polys: np.ndarray, feature: np.ndarray) -> PartArrays:
    """Rings of single polygons, exteriors counter-clockwise and holes clockwise (winding fill)."""
    if len(polys) == 0:
        return PartArrays.empty()
    oriented = shapely.orient_polygons(polys, exterior_cw=False)
    rings, ring_poly = shapely.get_rings(oriented, return_index=True)
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    return PartArrays(coords[:, 0].copy(), coords[:, 1].copy(), vertex_ring.astype(np.int64), feature[ring_poly])


def line_parts(lines: np.ndarray, feature: np.ndarray) -> PartArrays:
    """Vertices of single lines (and linear rings)."""
    if len(lines) == 0:
        return PartArrays.empty()
    coords, vertex_line = shapely.get_coordinates(lines, return_index=True)
    return PartArrays(coords[:, 0].copy(), coords[:, 1].copy(), vertex_line.astype(np.int64), feature.copy())


def detail_levels(bounds: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Simplification tolerances (display CRS units) of a layer: coarse, medium and full detail."""
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    if not np.isfinite(span) or span <= 0:
        return (0.0,)
    coarse = span / FULL_EXTENT_PIXELS
    return (coarse, coarse / LEVEL_STEP, 0.0)


def level_for(levels: tuple[float, ...], units_per_pixel: float) -> int:
    """Index of the coarsest level whose tolerance is at most 1.5 pixels (last level = full detail)."""
    for index, tolerance in enumerate(levels):
        if tolerance <= 1.5 * units_per_pixel:
            return index
    return len(levels) - 1


@dataclass
class ClassShapes:
    """The geometry of one style class of one layer: one path for polygons, one for lines, points.

    Paths are built per level of detail on first use and kept.
    """

    polygons: PartArrays
    lines: PartArrays
    point_x: np.ndarray
    point_y: np.ndarray
    point_feature: np.ndarray
    levels: tuple[float, ...]
    _paths: dict = field(default_factory=dict, repr=False)

    def polygon_path(self, level: int) -> QtGui.QPainterPath:
        return self._path(POLYGON, self.polygons, level)

    def line_path(self, level: int) -> QtGui.QPainterPath:
        return self._path(LINE, self.lines, level)

    def _path(self, kind: str, parts: PartArrays, level: int) -> QtGui.QPainterPath:
        key = (kind, level)
        if key not in self._paths:
            self._paths[key] = parts.decimated(self.levels[level]).to_path()
        return self._paths[key]


@dataclass
class PolygonMarks:
    """The polygon features of one style class as anchor points, smallest first.

    A polygon narrower on screen than a few pixels is invisible (a 2 km block on a state map);
    the canvas also draws a square mark at the anchors of those, so the first
    :meth:`count_below` entries are the ones to mark at a zoom.

    Attributes
    ----------
    x, y : ndarray of float64
        A point on each polygon's surface (display CRS).
    span : ndarray of float64
        The larger side of each polygon's bounding box (display-CRS units), ascending.
    feature : ndarray of int64
        Row position of each polygon in the layer.
    """

    x: np.ndarray
    y: np.ndarray
    span: np.ndarray
    feature: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def count_below(self, span_limit: float) -> int:
        """How many polygons (the first ones) are narrower than ``span_limit`` display units."""
        return int(np.searchsorted(self.span, span_limit, side="left"))


class LayerGeometry:
    """A vector layer's features in the display CRS, exploded once into flat vertex arrays.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        One per feature, in the display CRS (None where missing or not transformable).
    """

    def __init__(self, geoms: np.ndarray) -> None:
        self.geoms = geoms
        parts, feature = explode_parts(geoms)
        types = shapely.get_type_id(parts)
        is_poly = types == 3
        is_line = (types == 1) | (types == 2)
        is_point = types == 0
        self.polygons = polygon_parts(parts[is_poly], feature[is_poly])
        self.lines = line_parts(parts[is_line], feature[is_line])
        point_xy = shapely.get_coordinates(parts[is_point])
        self.point_x = point_xy[:, 0].copy()
        self.point_y = point_xy[:, 1].copy()
        self.point_feature = feature[is_point]
        self.bounds = _total_bounds(geoms)
        self.levels = detail_levels(self.bounds)
        self._tree: Optional[shapely.STRtree] = None
        self._label_xy: Optional[np.ndarray] = None
        self._spans: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.geoms)

    def shapes(self, keep_feature: np.ndarray) -> ClassShapes:
        """The geometry of the features where ``keep_feature`` is True."""
        keep_point = keep_feature[self.point_feature] if len(self.point_feature) else np.zeros(0, dtype=bool)
        return ClassShapes(
            polygons=self.polygons.subset(keep_feature),
            lines=self.lines.subset(keep_feature),
            point_x=self.point_x[keep_point],
            point_y=self.point_y[keep_point],
            point_feature=self.point_feature[keep_point],
            levels=self.levels,
        )

    @property
    def tree(self) -> shapely.STRtree:
        """Spatial index of the features (built on first use)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree

    def label_points(self) -> np.ndarray:
        """(n, 2) anchor of each feature's label: a point on its surface (NaN where missing)."""
        if self._label_xy is None:
            anchors = shapely.point_on_surface(self.geoms)
            xy = np.full((len(self.geoms), 2), np.nan)
            present = ~shapely.is_missing(anchors) & ~shapely.is_empty(anchors)
            xy[present] = shapely.get_coordinates(anchors[present])
            self._label_xy = xy
        return self._label_xy

    def spans(self) -> np.ndarray:
        """The larger side of each feature's bounding box (display-CRS units; NaN where missing)."""
        if self._spans is None:
            bounds = shapely.bounds(self.geoms)
            self._spans = np.fmax(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        return self._spans

    def polygon_marks(self, keep_feature: np.ndarray) -> PolygonMarks:
        """The polygon features where ``keep_feature`` is True, as :class:`PolygonMarks`."""
        polygonal = np.zeros(len(self.geoms), dtype=bool)
        polygonal[self.polygons.part_feature] = True
        anchors = self.label_points()
        wanted = np.flatnonzero(keep_feature & polygonal & np.isfinite(self.spans()) & np.isfinite(anchors[:, 0]))
        wanted = wanted[np.argsort(self.spans()[wanted], kind="stable")]
        return PolygonMarks(anchors[wanted, 0].copy(), anchors[wanted, 1].copy(), self.spans()[wanted], wanted)

    def features_at(self, x: float, y: float, tolerance: float, mark_span: float = 0.0) -> np.ndarray:
        """Positions of the features under a point: polygons containing it, points and lines
        within ``tolerance`` (display CRS units). Sorted, unique.

        Polygons narrower than ``mark_span`` (drawn with a mark because they are too small to
        see) count when within ``tolerance`` too, as points do.
        """
        probe = shapely.Point(x, y)
        near = self.tree.query(probe, predicate="dwithin", distance=tolerance)
        if len(near) == 0:
            return near
        polygonal = np.isin(shapely.get_type_id(self.geoms[near]), (3, 6))
        inside = shapely.intersects(self.geoms[near], probe)
        marked = self.spans()[near] < mark_span
        return np.unique(near[~polygonal | inside | marked])

    def features_in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Positions of the features that intersect a box (display CRS). Sorted, unique."""
        return np.unique(self.tree.query(shapely.box(minx, miny, maxx, maxy), predicate="intersects"))


def _total_bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    bounds = shapely.bounds(geoms)
    if len(bounds) == 0 or np.isnan(bounds).all():
        return (np.nan, np.nan, np.nan, np.nan)
    return (
        float(np.nanmin(bounds[:, 0])),
        float(np.nanmin(bounds[:, 1])),
        float(np.nanmax(bounds[:, 2])),
        float(np.nanmax(bounds[:, 3])),
    )


def to_display_geoms(gdf, layer_crs: CRS, display_crs: CRS) -> np.ndarray:
    """The geometry column of ``gdf`` as a shapely array in ``display_crs``.

    Features whose coordinates cannot be transformed (outside the projection's domain, infinite)
    become None so they are neither drawn nor identified.
    """
    series = gdf.geometry
    if series.crs is None or not CRS.from_user_input(series.crs).equals(layer_crs):
        series = series.set_crs(layer_crs, allow_override=True)
    if not layer_crs.equals(display_crs):
        series = series.to_crs(display_crs)
    geoms = np.asarray(series.values, dtype=object)
    bounds = shapely.bounds(geoms)
    bad = ~np.isfinite(bounds).all(axis=1) & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = None
    return geoms


@dataclass
class _StoreEntry:
    data: Any
    crs: CRS
    geometry: LayerGeometry


class GeometryStore:
    """Layers transformed to one display CRS and exploded, once per (layer id, data, CRS).

    ``skipped`` maps a layer id to the reason it is not drawn (unknown CRS, no data).
    """

    def __init__(self) -> None:
        self._entries: dict[str, _StoreEntry] = {}
        self.skipped: dict[str, str] = {}

    def geometry(self, layer, display_crs: CRS) -> Optional[LayerGeometry]:
        """The layer's :class:`LayerGeometry` in ``display_crs``, or None when it cannot be drawn."""
        reason = self._unusable_reason(layer)
        if reason:
            self.skipped[layer.id] = reason
            self._entries.pop(layer.id, None)
            return None
        self.skipped.pop(layer.id, None)
        entry = self._entries.get(layer.id)
        if entry is None or entry.data is not layer.data or not (entry.crs is display_crs or entry.crs.equals(display_crs)):
            geoms = to_display_geoms(layer.data, CRS.from_user_input(layer.crs), display_crs)
            entry = _StoreEntry(layer.data, display_crs, LayerGeometry(geoms))
            self._entries[layer.id] = entry
        return entry.geometry

    def forget_except(self, layer_ids: set[str]) -> None:
        """Drop the cached geometry of layers no longer in the list."""
        for layer_id in list(self._entries):
            if layer_id not in layer_ids:
                del self._entries[layer_id]
        for layer_id in list(self.skipped):
            if layer_id not in layer_ids:
                del self.skipped[layer_id]

    @staticmethod
    def _unusable_reason(layer) -> str:
        if layer.missing or layer.data is None:
            return f"{layer.name}: the source file is missing"
        if layer.crs is None:
            return f"{layer.name}: the coordinate reference system is unknown, so it cannot be placed on the map"
        return ""


def feature_classes(layer) -> np.ndarray:
    """Class index of every feature (-1 = other; all 0 for a single-colour style)."""
    return np.asarray(layer.class_indices(), dtype=np.int64)


def shown_mask(layer) -> np.ndarray:
    """Which features the layer's filter lets through (all when there is no filter)."""
    count = len(layer.data)
    if layer.filter_mask is None:
        return np.ones(count, dtype=bool)
    return np.asarray(layer.filter_mask, dtype=bool)


class LayerShapes:
    """Per-class :class:`ClassShapes` of a layer, for one class assignment and one filter."""

    def __init__(self, geometry: LayerGeometry, classes: np.ndarray, shown: np.ndarray) -> None:
        self.geometry = geometry
        self.classes = classes.copy()
        self.shown = shown.copy()
        self.by_class: dict[int, ClassShapes] = {}
        for index in np.unique(classes[shown]).tolist():
            self.by_class[int(index)] = geometry.shapes((classes == index) & shown)

    def polygon_marks(self, class_index: int) -> PolygonMarks:
        """The shown polygons of one class as :class:`PolygonMarks`."""
        return self.geometry.polygon_marks((self.classes == class_index) & self.shown)

    def matches(self, geometry: LayerGeometry, classes: np.ndarray, shown: np.ndarray) -> bool:
        return (
            geometry is self.geometry
            and np.array_equal(classes, self.classes)
            and np.array_equal(shown, self.shown)
        )


def layer_shapes(layer, geometry: LayerGeometry, previous: Optional[LayerShapes]) -> LayerShapes:
    """``previous`` when still valid for the layer's classes and filter, else a fresh build."""
    classes = feature_classes(layer)
    shown = shown_mask(layer)
    if previous is not None and previous.matches(geometry, classes, shown):
        return previous
    return LayerShapes(geometry, classes, shown)


def drawn_mask(layer, shapes: LayerShapes) -> np.ndarray:
    """Features actually drawn: passing the filter and in a visible class."""
    visible_classes = [drawn.index for drawn in drawn_classes(layer) if drawn.visible]
    return shapes.shown & np.isin(shapes.classes, visible_classes)


# ---------------------------------------------------------------- rasters as images


@dataclass
class RasterImage:
    """A raster resampled to a display-CRS grid: RGBA pixels (row 0 = north) and their bounds."""

    rgba: np.ndarray
    bounds: tuple[float, float, float, float]

    @property
    def qimage(self) -> QtGui.QImage:
        height, width = self.rgba.shape[:2]
        image = QtGui.QImage(self.rgba.data, width, height, 4 * width, QtGui.QImage.Format.Format_RGBA8888)
        return image.copy()


def colormap_for(name: str) -> pg.ColorMap:
    """A pyqtgraph colour map by name ("viridis", "magma", "cividis", "turbo", "gray" ...)."""
    if name.lower() in ("gray", "grey", "greys"):
        return pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
    try:
        return pg.colormap.get(name)
    except (FileNotFoundError, KeyError, ValueError):
        return pg.colormap.get("viridis")


class RasterImageCache:
    """Per raster layer: its display-CRS bounds and value range, computed once per (data, CRS)."""

    def __init__(self) -> None:
        self._bounds: dict[tuple, tuple[float, float, float, float]] = {}
        self._ranges: dict[int, tuple[float, float]] = {}

    def display_bounds(self, layer, display_crs: CRS) -> Optional[tuple[float, float, float, float]]:
        """The raster's extent in ``display_crs`` (None when its CRS is unknown or it cannot be read)."""
        source = layer.data
        if layer.missing or source is None or layer.crs is None:
            return None
        key = (id(source), display_crs.to_wkt())
        if key not in self._bounds:
            usable = usable_source_bounds(source.bounds, CRS.from_user_input(layer.crs), display_crs)
            bounds = None
            if usable is not None:
                bounds = tuple(transform_bounds(CRS.from_user_input(layer.crs), display_crs, *usable, densify_pts=21))
                bounds = bounds if np.isfinite(bounds).all() else None
            self._bounds[key] = bounds
        return self._bounds[key]

    def value_range(self, layer) -> tuple[float, float]:
        """The colour stretch: the style's vmin/vmax, else the band's range on a decimated read."""
        style, source = layer.style, layer.data
        if style.vmin is not None and style.vmax is not None:
            return float(style.vmin), float(style.vmax)
        key = id(source) * 100 + int(style.band)
        if key not in self._ranges:
            self._ranges[key] = _band_range(source, int(style.band))
        low, high = self._ranges[key]
        return (float(style.vmin) if style.vmin is not None else low, float(style.vmax) if style.vmax is not None else high)

    def image_for_view(self, layer, display_crs: CRS, view, width_px: int, height_px: int) -> Optional[RasterImage]:
        """The part of the raster inside ``view`` (display CRS) at about one pixel per screen pixel.

        The read is decimated to the screen size (GDAL serves overviews) and warped into the
        display CRS grid with nearest-neighbour resampling; nodata becomes transparent.
        """
        bounds = self.display_bounds(layer, display_crs)
        if bounds is None or getattr(layer.data, "all_nodata", False):
            return None
        left, bottom = max(view[0], bounds[0]), max(view[1], bounds[1])
        right, top = min(view[2], bounds[2]), min(view[3], bounds[3])
        if right <= left or top <= bottom:
            return None
        units_per_pixel = max((view[2] - view[0]) / max(width_px, 1), (view[3] - view[1]) / max(height_px, 1))
        cols = max(1, min(int(np.ceil((right - left) / units_per_pixel)), 4096))
        rows = max(1, min(int(np.ceil((top - bottom) / units_per_pixel)), 4096))
        values = _warped_band(layer, display_crs, (left, bottom, right, top), rows, cols)
        low, high = self.value_range(layer)
        return RasterImage(_colourise(values, layer.style.colormap, low, high), (left, bottom, right, top))


def _band_range(source, band: int) -> tuple[float, float]:
    """QGIS's default stretch: the 2nd to 98th percentile of the valid pixels (a decimated read),
    so a few extreme anomalies do not wash the rest of the grid into one colour."""
    data = source.read(band=band, out_shape=(256, 256))
    if data.count() == 0:
        return (0.0, 1.0)
    low, high = np.percentile(data.compressed(), [2.0, 98.0])
    if high <= low:
        return float(data.min()), float(data.max())
    return float(low), float(high)


def usable_source_bounds(bounds, source_crs: CRS, display_crs: CRS) -> Optional[tuple[float, float, float, float]]:
    """The part of a raster's bounds (in its CRS) inside the display CRS's area of use.

    A world grid shown in a national projection (EPSG:7755 is defined for India) is cut to the
    area the projection is meant for, so its corners never go to infinity. None when nothing is
    left.
    """
    area = display_crs.area_of_use
    if area is None:
        return tuple(bounds)
    limits = transform_bounds("EPSG:4326", source_crs, area.west, area.south, area.east, area.north,
                              densify_pts=21)
    left, bottom = max(bounds[0], limits[0]), max(bounds[1], limits[1])
    right, top = min(bounds[2], limits[2]), min(bounds[3], limits[3])
    if not np.isfinite([left, bottom, right, top]).all() or right <= left or top <= bottom:
        return None
    return (left, bottom, right, top)


def _warped_band(layer, display_crs: CRS, bounds, rows: int, cols: int) -> np.ndarray:
    """Float values (NaN = no data) of the layer's band on a rows × cols grid over ``bounds``."""
    source, band = layer.data, int(layer.style.band)
    source_crs = CRS.from_user_input(layer.crs)
    out = np.full((rows, cols), np.nan)
    usable = usable_source_bounds(source.bounds, source_crs, display_crs)
    wanted = transform_bounds(display_crs, source_crs, *bounds, densify_pts=21)
    if usable is None or not np.isfinite(wanted).all():
        return out
    src_left, src_bottom = max(wanted[0], usable[0]), max(wanted[1], usable[1])
    src_right, src_top = min(wanted[2], usable[2]), min(wanted[3], usable[3])
    pixel_w, pixel_h = abs(source.transform.a), abs(source.transform.e)
    if src_right - src_left < pixel_w or src_top - src_bottom < pixel_h:
        return out
    src_cols = max(1, min(int(round((src_right - src_left) / pixel_w)), 2 * cols))
    src_rows = max(1, min(int(round((src_top - src_bottom) / pixel_h)), 2 * rows))
    window = from_bounds(src_left, src_bottom, src_right, src_top, transform=source.transform)
    window = window.round_offsets().round_lengths()
    read_bounds = window_bounds(window, source.transform)
    data = source.read(band=band, bounds=read_bounds, out_shape=(src_rows, src_cols))
    src = np.ma.filled(data.astype("float64"), np.nan)
    if src.size == 0:
        return out
    reproject(
        src, out,
        src_transform=affine_from_bounds(*read_bounds, src.shape[1], src.shape[0]), src_crs=source_crs.to_wkt(),
        dst_transform=affine_from_bounds(*bounds, cols, rows), dst_crs=display_crs.to_wkt(),
        src_nodata=np.nan, dst_nodata=np.nan, resampling=Resampling.nearest,
    )
    return out


def _colourise(values: np.ndarray, colormap: str, low: float, high: float) -> np.ndarray:
    """RGBA uint8 through a 256-entry lookup table; NaN pixels fully transparent."""
    table = colormap_for(colormap).getLookupTable(nPts=256, alpha=True).astype(np.uint8)
    span = high - low if high > low else 1.0
    finite = np.isfinite(values)
    index = np.zeros(values.shape, dtype=np.int64)
    index[finite] = np.clip(((values[finite] - low) / span * 255).round(), 0, 255).astype(np.int64)
    rgba = table[index]
    rgba[~finite] = 0
    return np.ascontiguousarray(rgba)
