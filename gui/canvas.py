"""The map canvas: a thin Qt view of a :class:`layers.layer.LayerList` (QGIS's map canvas is the model).

The canvas listens to the list's events and redraws ONCE per batch of changes (a zero-timeout
single-shot timer, like QGIS's layer-tree→canvas bridge). Drawing reuses the geometry build of
:mod:`gui.geometry_paths`: each layer is transformed to the display CRS once, and each style class
becomes one path item (polygons, lines) or one scatter item (points), never one item per feature.
Zooming swaps in the level of detail that keeps about one vertex per pixel. Rasters are re-read at
screen resolution after a zoom (debounced).

Overlays (scale bar, north arrow, labels) are painted in screen coordinates in the view's
foreground, so they stay put while panning. Interaction tools live in :mod:`gui.canvas_tools`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import pyqtgraph as pg
import shapely
from pyproj import CRS, Transformer
from PySide6 import QtCore, QtGui, QtWidgets

from geo.errors import DataReadError
from gui.canvas_tools import TOOLS, IdentifyHit, MapViewBox, Markers, PathItem, RasterHit, ToolController
from gui.geometry_paths import (
    LINE,
    POINT,
    POLYGON,
    ClassShapes,
    GeometryStore,
    LayerShapes,
    PolygonMarks,
    RasterImageCache,
    layer_shapes,
    level_for,
)
from gui.model_links import listen_while_alive
from gui.render import (
    DEFAULT_DISPLAY_CRS,
    class_pens,
    draw_labels,
    draw_north_arrow,
    draw_scale_bar,
    label_positions,
    layers_extent,
    metres_per_unit,
)
from layers.style import MARK_BELOW_PX, DrawnClass, drawn_classes, marks_small_polygons, point_sizes_px

RASTER_REFRESH_MS = 150
HIGHLIGHT_Z = 1_000_000
SELECTION_COLOUR = "#00e5ff"
IDENTIFY_COLOUR = "#e31a1c"
KEY_PAN_FRACTION = 0.25   # arrow keys move the view by this share of its width or height
KEY_ZOOM_FACTOR = 2.0     # +/- and PageUp/PageDown zoom by this factor
MIN_FEATURE_SPAN_M = 5_000.0
OVERLAY_FONT_PX = 11


@dataclass
class _ClassItems:
    polygon: Optional[PathItem] = None
    line: Optional[PathItem] = None
    points: Optional[Markers] = None
    marks: Optional[Markers] = None
    polygon_marks: Optional[PolygonMarks] = None
    marked: int = -1
    shapes: Optional[ClassShapes] = None
    level: int = -1


@dataclass
class _LayerItems:
    """The scene items of one layer, grouped so z-order, visibility and opacity apply at once."""

    group: pg.ItemGroup
    shapes: Optional[LayerShapes] = None
    classes: dict[int, _ClassItems] = field(default_factory=dict)
    raster: Optional[pg.ImageItem] = None
    raster_key: Optional[tuple] = None


class _MapView(pg.GraphicsView):
    """The graphics view: paints overlays in screen coordinates and reports finished paints."""

    def __init__(self, canvas: "MapCanvas") -> None:
        super().__init__(background="w")
        self._canvas = canvas
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setViewportUpdateMode(QtWidgets.QGraphicsView.ViewportUpdateMode.FullViewportUpdate)

    def paintEvent(self, event):
        super().paintEvent(event)
        self._canvas._painted()

    def keyPressEvent(self, event):
        if not self._canvas.handle_key(event.key()):
            super().keyPressEvent(event)

    def drawForeground(self, painter, rect):
        super().drawForeground(painter, rect)
        painter.save()
        painter.resetTransform()
        self._canvas._paint_overlays(painter)
        painter.restore()


class MapCanvas(QtWidgets.QWidget):
    """The map: layers drawn in the display CRS, navigation, overlays and interaction tools.

    Parameters
    ----------
    layer_list : layers.layer.LayerList
        The model; index 0 is drawn on top.
    """

    cursorMoved = QtCore.Signal(float, float)
    extentChanged = QtCore.Signal()
    identified = QtCore.Signal(object)
    selectionChanged = QtCore.Signal(object, object)
    measured = QtCore.Signal(str)
    rendered = QtCore.Signal()

    def __init__(self, layer_list, parent=None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.display_crs = CRS.from_user_input(DEFAULT_DISPLAY_CRS)
        self.redraw_count = 0
        self._store = GeometryStore()
        self._rasters = RasterImageCache()
        self._raster_problems: dict[str, str] = {}
        self._items: dict[str, _LayerItems] = {}
        self._selection: dict[str, np.ndarray] = {}
        self._highlights: list[QtWidgets.QGraphicsItem] = []
        self._identified: Optional[tuple[str, int]] = None
        self._render_pending = False
        self._to_wgs84 = Transformer.from_crs(self.display_crs, "EPSG:4326", always_xy=True)

        self.view = _MapView(self)
        self.view.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.viewbox = MapViewBox()
        self.view.setCentralItem(self.viewbox)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.tools = ToolController(self)

        self._redraw_timer = QtCore.QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._redraw)
        self._raster_timer = QtCore.QTimer(self)
        self._raster_timer.setSingleShot(True)
        self._raster_timer.setInterval(RASTER_REFRESH_MS)
        self._raster_timer.timeout.connect(self._refresh_rasters)

        self.viewbox.sigRangeChanged.connect(self._on_range_changed)
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        for name in ("inserted", "removed", "moved", "changed", "layer_changed"):
            listen_while_alive(self, getattr(layer_list.events, name), self._schedule_redraw)
        self._schedule_redraw()

    # ------------------------------------------------------------ model → scene

    def _schedule_redraw(self, event=None) -> None:
        self._redraw_timer.start()

    def flush(self) -> None:
        """Apply pending model changes now (normally done on the next event-loop turn)."""
        if self._redraw_timer.isActive():
            self._redraw_timer.stop()
            self._redraw()

    def _redraw(self) -> None:
        self.redraw_count += 1
        present = set()
        count = len(self.layer_list)
        for position, layer in enumerate(self.layer_list):
            present.add(layer.id)
            items = self._items.get(layer.id)
            if items is None:
                items = _LayerItems(pg.ItemGroup())
                self.viewbox.addItem(items.group, ignoreBounds=True)
                self._items[layer.id] = items
            items.group.setZValue(count - position)
            items.group.setOpacity(float(layer.opacity) if layer.kind == "raster" else 1.0)
            items.group.setVisible(bool(layer.visible))
            if layer.visible:
                self._sync_layer(layer, items)
        for layer_id in [key for key in self._items if key not in present]:
            self._drop_items(layer_id)
        self._store.forget_except(present)
        self._selection = {key: value for key, value in self._selection.items() if key in present}
        self._apply_detail()
        self._draw_highlight()
        if self._rasters_needing_read():
            self._refresh_rasters()
        self._render_pending = True
        self.view.viewport().update()

    def _rasters_needing_read(self) -> bool:
        """Whether a visible raster was never read, or its data or style changed since (it is then
        read before the next paint rather than after the zoom debounce)."""
        for layer in self.layer_list:
            items = self._items.get(layer.id)
            if layer.kind == "raster" and layer.visible and items is not None and items.raster is not None:
                if items.raster_key != _raster_key(layer):
                    return True
        return False

    def _drop_items(self, layer_id: str) -> None:
        items = self._items.pop(layer_id)
        self.viewbox.removeItem(items.group)

    def _sync_layer(self, layer, items: _LayerItems) -> None:
        if layer.kind == "raster":
            self._sync_raster(layer, items)
        elif layer.kind == "vector":
            self._sync_vector(layer, items)

    def _sync_vector(self, layer, items: _LayerItems) -> None:
        geometry = self._store.geometry(layer, self.display_crs)
        if geometry is None:
            self._clear_classes(items)
            items.shapes = None
            return
        shapes = layer_shapes(layer, geometry, items.shapes)
        if shapes is not items.shapes:
            self._clear_classes(items)
            items.shapes = shapes
        for drawn in drawn_classes(layer):
            class_shapes = shapes.by_class.get(drawn.index)
            if class_shapes is None:
                continue
            class_items = items.classes.get(drawn.index)
            if class_items is None:
                class_items = self._build_class_items(layer, class_shapes, items.group)
                if drawn.mark_size_px and class_items.polygon is not None:
                    self._add_polygon_marks(class_items, shapes.polygon_marks(drawn.index), drawn.mark_size_px,
                                            items.group)
                items.classes[drawn.index] = class_items
            self._style_class_items(class_items, drawn)

    def _build_class_items(self, layer, class_shapes, group: pg.ItemGroup) -> _ClassItems:
        class_items = _ClassItems()
        if len(class_shapes.polygons):
            class_items.polygon = PathItem(group)
        if len(class_shapes.lines):
            class_items.line = PathItem(group)
        if len(class_shapes.point_x):
            sizes = point_sizes_px(layer)[class_shapes.point_feature]
            class_items.points = Markers(x=class_shapes.point_x, y=class_shapes.point_y, size=sizes, symbol="o",
                                         pxMode=True, hoverable=False)
            class_items.points.setParentItem(group)
        class_items.shapes = class_shapes
        return class_items

    @staticmethod
    def _add_polygon_marks(class_items: _ClassItems, marks: PolygonMarks, size_px: float, group: pg.ItemGroup) -> None:
        """Square marks at the class's polygons, shown for those too small to see (see _apply_detail)."""
        if not len(marks):
            return
        class_items.polygon_marks = marks
        class_items.marks = Markers(x=marks.x, y=marks.y, size=size_px, symbol="s", pxMode=True,
                                    hoverable=False)
        class_items.marks.setParentItem(group)

    @staticmethod
    def _style_class_items(class_items: _ClassItems, drawn: DrawnClass) -> None:
        for kind, item in ((POLYGON, class_items.polygon), (LINE, class_items.line)):
            if item is not None:
                pen, brush = class_pens(drawn, kind)
                item.setPen(pen)
                item.setBrush(brush)
                item.setVisible(drawn.visible)
        for markers in (class_items.points, class_items.marks):
            if markers is not None:
                pen, brush = class_pens(drawn, POINT)
                markers.setPen(pen)
                markers.setBrush(brush)
                markers.setVisible(drawn.visible)

    def _clear_classes(self, items: _LayerItems) -> None:
        scene = self.view.scene()
        for class_items in items.classes.values():
            for item in (class_items.polygon, class_items.line, class_items.points, class_items.marks):
                if item is not None:
                    scene.removeItem(item)
        items.classes.clear()

    def _apply_detail(self) -> None:
        """Give every path item the level of detail of the current zoom, and mark the polygons
        too small to see at it."""
        units_per_pixel = self.units_per_pixel()
        for items in self._items.values():
            if items.shapes is None or not items.group.isVisible():
                continue
            level = level_for(items.shapes.geometry.levels, units_per_pixel)
            for class_items in items.classes.values():
                self._mark_small_polygons(class_items, MARK_BELOW_PX * units_per_pixel)
                if class_items.level == level:
                    continue
                if class_items.polygon is not None:
                    class_items.polygon.setPath(class_items.shapes.polygon_path(level))
                if class_items.line is not None:
                    class_items.line.setPath(class_items.shapes.line_path(level))
                class_items.level = level

    @staticmethod
    def _mark_small_polygons(class_items: _ClassItems, span_limit: float) -> None:
        """Show the marks of the polygons narrower than ``span_limit`` (display units), hide the rest."""
        if class_items.marks is None:
            return
        count = class_items.polygon_marks.count_below(span_limit)
        if count != class_items.marked:
            class_items.marks.setPointsVisible(np.arange(len(class_items.polygon_marks)) < count)
            class_items.marked = count

    def mark_span(self, layer) -> float:
        """Polygons of ``layer`` narrower than this (display units) are drawn with a mark (0: none)."""
        return MARK_BELOW_PX * self.units_per_pixel() if marks_small_polygons(layer) else 0.0

    def marked_features(self, layer) -> np.ndarray:
        """Row positions of the layer's polygons shown with a mark at the current zoom."""
        self.flush()
        items = self._items.get(layer.id)
        found = [class_items.polygon_marks.feature[:class_items.marked]
                 for class_items in (items.classes.values() if items is not None else ())
                 if class_items.marks is not None and class_items.marks.isVisible()]
        return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)

    def _sync_raster(self, layer, items: _LayerItems) -> None:
        if items.raster is None:
            items.raster = pg.ImageItem(axisOrder="row-major")
            items.raster.setParentItem(items.group)
        if self._rasters.display_bounds(layer, self.display_crs) is None:
            items.raster.clear()

    def _refresh_rasters(self) -> None:
        """Re-read each visible raster for the current view at screen resolution."""
        view = self.extent()
        size = self.view.viewport().size()
        for layer in self.layer_list:
            items = self._items.get(layer.id)
            if items is None or items.raster is None or not layer.visible or layer.kind != "raster":
                continue
            items.raster_key = _raster_key(layer)
            try:
                image = self._rasters.image_for_view(layer, self.display_crs, view, size.width(), size.height())
                self._raster_problems.pop(layer.id, None)
            except DataReadError as exc:
                self._raster_problems[layer.id] = str(exc)
                image = None
            if image is None:
                items.raster.clear()
                continue
            left, bottom, right, top = image.bounds
            items.raster.setImage(image.rgba[::-1], autoLevels=False, levels=None)
            items.raster.setRect(QtCore.QRectF(left, bottom, right - left, top - bottom))
        self._render_pending = True
        self.view.viewport().update()

    # ------------------------------------------------------------ painting and signals

    def _painted(self) -> None:
        """Emit ``rendered`` after the first paint showing every pending change (rasters included)."""
        if self._render_pending:
            self._render_pending = False
            self.rendered.emit()

    def _paint_overlays(self, painter: QtGui.QPainter) -> None:
        to_pixel = self._view_to_pixel()
        if to_pixel is None:
            return
        self._paint_labels(painter, to_pixel)
        rect = QtCore.QRectF(self.view.viewport().rect())
        centre = self.viewbox.viewRect().center()
        metres_per_pixel = self.units_per_pixel() * metres_per_unit(self.display_crs, centre.x(), centre.y())
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        draw_scale_bar(painter, QtCore.QPointF(rect.left() + 12, rect.bottom() - 12), metres_per_pixel,
                       min(160.0, rect.width() / 3), OVERLAY_FONT_PX)
        draw_north_arrow(painter, QtCore.QPointF(rect.right() - 26, rect.top() + 12), 30)

    def _paint_labels(self, painter: QtGui.QPainter, to_pixel: QtGui.QTransform) -> None:
        view = self.extent()
        taken: list = []
        for layer in self.layer_list:
            items = self._items.get(layer.id)
            if not layer.visible or items is None or items.shapes is None:
                continue
            found = label_positions(layer, items.shapes, view)
            if found is not None:
                draw_labels(painter, to_pixel, found[0], found[1], OVERLAY_FONT_PX, taken)

    def _view_to_pixel(self) -> Optional[QtGui.QTransform]:
        """Display CRS → viewport pixel transform of the current view."""
        transform = self.viewbox.childGroup.sceneTransform() * self.view.viewportTransform()
        return transform if transform.m11() else None

    def pixel_of(self, x: float, y: float) -> QtCore.QPoint:
        """The viewport pixel showing display-CRS (x, y)."""
        return self._view_to_pixel().map(QtCore.QPointF(x, y)).toPoint()

    def map_coordinate(self, pixel: QtCore.QPoint) -> tuple[float, float]:
        """The display-CRS coordinate under a viewport pixel."""
        point = self.viewbox.mapSceneToView(self.view.mapToScene(pixel))
        return (float(point.x()), float(point.y()))

    def _on_range_changed(self, *args) -> None:
        self._apply_detail()
        if self._rasters_needing_read():
            self._refresh_rasters()
        elif any(layer.kind == "raster" and layer.visible for layer in self.layer_list):
            self._raster_timer.start()
        self.extentChanged.emit()

    def _on_mouse_moved(self, scene_pos) -> None:
        point = self.viewbox.mapSceneToView(scene_pos)
        lon, lat = self._to_wgs84.transform(point.x(), point.y())
        if np.isfinite(lon) and np.isfinite(lat):
            self.cursorMoved.emit(float(lon), float(lat))

    # ------------------------------------------------------------ display CRS

    def set_display_crs(self, crs) -> None:
        """Show the map in ``crs`` (anything pyproj accepts), keeping the same area in view."""
        new_crs = CRS.from_user_input(crs)
        if new_crs.equals(self.display_crs):
            return
        old_extent, old_crs = self.extent(), self.display_crs
        for layer_id in list(self._items):
            self._drop_items(layer_id)
        self.display_crs = new_crs
        self._to_wgs84 = Transformer.from_crs(new_crs, "EPSG:4326", always_xy=True)
        self._redraw()
        self.zoom_to_bounds(*old_extent, crs=old_crs)

    def skipped_reasons(self) -> dict[str, str]:
        """Layers of the list that are not drawn, by layer id, with the reason in words."""
        self.flush()
        problems = {**self._store.skipped, **self._raster_problems}
        for layer in self.layer_list:
            if layer.kind == "raster" and layer.visible and self._rasters.display_bounds(layer, self.display_crs) is None:
                problems.setdefault(layer.id, f"{layer.name}: the raster has no known CRS or lies outside the area "
                                              f"the display CRS covers")
        listed = {layer.id for layer in self.layer_list}
        return {key: reason for key, reason in problems.items() if key in listed}

    def skipped_layers(self) -> dict[str, str]:
        """Layers that are not drawn, by name, with the reason in words."""
        names = {layer.id: layer.name for layer in self.layer_list}
        return {names[key]: reason for key, reason in self.skipped_reasons().items()}

    # ------------------------------------------------------------ navigation

    def units_per_pixel(self) -> float:
        """Display-CRS units per screen pixel in the current view."""
        size = self.viewbox.viewPixelSize()
        return float(max(abs(size[0]), 1e-12))

    def extent(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the view in the display CRS."""
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        return (float(x0), float(y0), float(x1), float(y1))

    def set_extent(self, extent) -> None:
        """Show at least ``extent`` (display CRS); the aspect ratio stays locked."""
        minx, miny, maxx, maxy = (float(value) for value in extent)
        self.viewbox.setRange(xRange=(minx, maxx), yRange=(miny, maxy), padding=0)

    def zoom_to_bounds(self, minx, miny, maxx, maxy, crs=None) -> None:
        """Zoom to a box given in ``crs`` (default: the display CRS)."""
        if crs is not None and not CRS.from_user_input(crs).equals(self.display_crs):
            transformer = Transformer.from_crs(CRS.from_user_input(crs), self.display_crs, always_xy=True)
            minx, miny, maxx, maxy = transformer.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
        self.set_extent(_padded((minx, miny, maxx, maxy)))

    def zoom_to_full_extent(self) -> None:
        """Zoom to all visible layers."""
        self.flush()
        extent = layers_extent(self.layer_list, self._store, self.display_crs, self._rasters)
        if extent is not None:
            self.set_extent(extent)

    def zoom_to_layer(self, layer) -> None:
        """Zoom to one layer's extent."""
        self.flush()
        if layer.kind == "raster":
            bounds = self._rasters.display_bounds(layer, self.display_crs)
        else:
            geometry = self._store.geometry(layer, self.display_crs)
            bounds = geometry.bounds if geometry is not None else None
        if bounds is not None and np.isfinite(bounds).all():
            self.set_extent(_padded(bounds))

    def zoom_to_features(self, layer, indices) -> None:
        """Zoom to some features (row positions) of a vector layer; a point gets a 5 km box."""
        geometry = self._store.geometry(layer, self.display_crs)
        indices = np.asarray(indices, dtype=np.int64)
        if geometry is None or len(indices) == 0:
            return
        bounds = shapely.bounds(geometry.geoms[indices])
        if np.isnan(bounds).all():
            return
        box = (np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1]), np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3]))
        self.set_extent(_padded(box, minimum=MIN_FEATURE_SPAN_M / metres_per_unit(self.display_crs, box[0], box[1])))

    def scale_denominator(self) -> float:
        """The map scale 1:N at the screen's logical DPI (N = ground metres per metre of screen)."""
        centre = self.viewbox.viewRect().center()
        metres_per_pixel = self.units_per_pixel() * metres_per_unit(self.display_crs, centre.x(), centre.y())
        return float(metres_per_pixel * self.logicalDpiX() / 0.0254)

    def viewport(self) -> QtWidgets.QWidget:
        """The widget the map is painted on (for forced repaints and event simulation)."""
        return self.view.viewport()

    def grab_map_image(self) -> QtGui.QImage:
        """The map area as it is shown now (overlays included)."""
        self.flush()
        if self._raster_timer.isActive():
            self._raster_timer.stop()
            self._refresh_rasters()
        return self.view.grab().toImage()

    # ------------------------------------------------------------ tools and selection

    def set_tool(self, name: str) -> None:
        """Activate one of :data:`gui.canvas_tools.TOOLS`."""
        self.tools.set_tool(name)

    # ------------------------------------------------------------ keys (QGIS habits)

    def handle_key(self, key: int) -> bool:
        """Esc cancels the measurement, the selection and the identify highlight; the arrow keys
        pan by a quarter of the view; + / PageUp zoom in and - / PageDown zoom out (×2). Returns
        whether the key was used."""
        keys = QtCore.Qt.Key
        pans = {keys.Key_Left: (-1, 0), keys.Key_Right: (1, 0), keys.Key_Up: (0, 1), keys.Key_Down: (0, -1)}
        if key == keys.Key_Escape:
            self.cancel()
        elif key in pans:
            (left, right), (bottom, top) = self.viewbox.viewRange()
            dx, dy = pans[key]
            self.viewbox.translateBy(x=dx * (right - left) * KEY_PAN_FRACTION, y=dy * (top - bottom) * KEY_PAN_FRACTION)
        elif key in (keys.Key_Plus, keys.Key_Equal, keys.Key_PageUp):
            self.viewbox.scaleBy((1 / KEY_ZOOM_FACTOR, 1 / KEY_ZOOM_FACTOR))
        elif key in (keys.Key_Minus, keys.Key_PageDown):
            self.viewbox.scaleBy((KEY_ZOOM_FACTOR, KEY_ZOOM_FACTOR))
        else:
            return False
        return True

    def cancel(self) -> None:
        """Cancel what is under way, as Esc in QGIS: the measurement, the selection, the
        identify highlight."""
        self.tools.clear_measure()
        self.measured.emit("")
        self._identified = None
        for layer in [layer for layer in self.layer_list if layer.id in self._selection]:
            self.set_selection(layer, [])
            self.selectionChanged.emit(layer, self.selection(layer))
        self._draw_highlight()

    def show_identified(self, layer, index: Optional[int]) -> None:
        """Highlight the identified feature (red, apart from the selection); ``None`` clears it."""
        self._identified = None if index is None else (layer.id, int(index))
        self._draw_highlight()

    def identified_feature(self) -> Optional[tuple[str, int]]:
        """(layer id, row position) of the highlighted identified feature, or None."""
        return self._identified

    def set_selection_layer(self, layer) -> None:
        """The layer that the select tool selects in."""
        self.tools.selection_layer = layer

    def selection(self, layer) -> np.ndarray:
        """Row positions of the selected features of ``layer``."""
        return self._selection.get(layer.id, np.empty(0, dtype=np.int64)).copy()

    def set_selection(self, layer, indices) -> None:
        """Select (and highlight) features of a layer; an empty list clears its selection."""
        indices = np.unique(np.asarray(indices, dtype=np.int64))
        if len(indices):
            self._selection[layer.id] = indices
        else:
            self._selection.pop(layer.id, None)
        self._draw_highlight()

    def layer_geometry(self, layer):
        """The layer's :class:`gui.geometry_paths.LayerGeometry` in the display CRS (or None)."""
        self.flush()
        return self._store.geometry(layer, self.display_crs) if layer.kind == "vector" else None

    def drawn_shapes(self, layer) -> Optional[LayerShapes]:
        """The class shapes currently drawn for a visible vector layer."""
        self.flush()
        items = self._items.get(layer.id)
        return items.shapes if items is not None else None

    def _draw_highlight(self) -> None:
        scene = self.view.scene()
        for item in self._highlights:
            scene.removeItem(item)
        self._highlights = []
        by_id = {layer.id: layer for layer in self.layer_list}
        marked = [(layer_id, indices, SELECTION_COLOUR) for layer_id, indices in self._selection.items()]
        if self._identified is not None:
            marked.append((self._identified[0], np.array([self._identified[1]]), IDENTIFY_COLOUR))
        for layer_id, indices, colour in marked:
            layer = by_id.get(layer_id)
            geometry = self._store.geometry(layer, self.display_crs) if layer is not None else None
            if geometry is None:
                continue
            keep = np.zeros(len(geometry), dtype=bool)
            keep[indices[indices < len(geometry)]] = True
            self._highlights.extend(self._highlight_items(layer, geometry.shapes(keep), colour))
        self.view.viewport().update()

    def _highlight_items(self, layer, shapes, colour: str) -> list[QtWidgets.QGraphicsItem]:
        items = []
        path = QtGui.QPainterPath(shapes.polygon_path(len(shapes.levels) - 1))
        path.addPath(shapes.line_path(len(shapes.levels) - 1))
        if not path.isEmpty():
            item = PathItem()
            item.setPath(path)
            pen = QtGui.QPen(QtGui.QColor(colour), 2.5)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setBrush(QtGui.QColor(255, 255, 0, 90))
            items.append(item)
        if len(shapes.point_x):
            sizes = point_sizes_px(layer)[shapes.point_feature] + 6
            items.append(Markers(x=shapes.point_x, y=shapes.point_y, size=sizes, symbol="o", pxMode=True,
                                 pen=pg.mkPen(colour, width=2.5), brush=pg.mkBrush(255, 255, 0, 90)))
        for item in items:
            item.setZValue(HIGHLIGHT_Z)
            self.viewbox.addItem(item, ignoreBounds=True)
        return items


def _raster_key(layer) -> tuple:
    """What a raster's picture depends on besides the view: its data and its style."""
    return (id(layer.data), repr(layer.style.to_dict()))


def _padded(bounds, fraction: float = 0.05, minimum: float = 1.0) -> tuple[float, float, float, float]:
    """A box grown by ``fraction`` on each side, at least ``minimum`` units wide and high."""
    minx, miny, maxx, maxy = (float(value) for value in bounds)
    pad_x = max((maxx - minx) * fraction, (minimum - (maxx - minx)) / 2, 0.0)
    pad_y = max((maxy - miny) * fraction, (minimum - (maxy - miny)) / 2, 0.0)
    return (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)


__all__ = ["IdentifyHit", "MapCanvas", "RasterHit", "TOOLS"]
