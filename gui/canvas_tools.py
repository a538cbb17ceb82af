"""The canvas's interaction tools: pan, zoom box, identify, select, measure distance and area.

Hits come from each layer's STRtree (built once, in the display CRS), never from Qt's item
hit-testing: polygons contain the click, points and lines lie within a few pixels of it. Measures
come from :mod:`geo.measure` (geodesic on WGS 84); this module only formats them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6 import QtCore, QtGui, QtWidgets

from geo.measure import geodesic_area_ha, geodesic_length_km
from gui.geometry_paths import PartArrays, drawn_mask, paint_path

TOOLS = ("pan", "zoom_box", "identify", "select", "measure_distance", "measure_area")
#: Click tolerance for points and lines, in screen pixels.
HIT_TOLERANCE_PX = 4.0
RUBBER_BAND_COLOUR = "#d7191c"


@dataclass
class IdentifyHit:
    """One feature under an identify click: its layer, row position and attributes."""

    layer: Any
    index: int
    attributes: dict


@dataclass
class RasterHit:
    """Raster values under an identify click: one value per band (None = no data)."""

    layer: Any
    values: list


class PathItem(QtWidgets.QGraphicsPathItem):
    """A path item whose bounds are its control-point box, computed once per path, and whose
    hit-test shape is that box.

    Qt's defaults stroke the whole path (seconds for 100k vertices) for the bounds and on every
    hover test; pens here are cosmetic and hits are answered by the layer's STRtree instead.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._bounds = QtCore.QRectF()

    def setPath(self, path: QtGui.QPainterPath) -> None:
        self.prepareGeometryChange()
        self._bounds = path.controlPointRect()
        super().setPath(path)

    def boundingRect(self) -> QtCore.QRectF:
        return self._bounds

    def shape(self) -> QtGui.QPainterPath:
        path = QtGui.QPainterPath()
        path.addRect(self._bounds)
        return path

    def paint(self, painter, option, widget=None) -> None:
        paint_path(painter, self.path(), self.pen(), self.brush())


class Markers(pg.ScatterPlotItem):
    """Point markers that never swallow clicks (tools answer clicks from the layer's STRtree)."""

    def mouseClickEvent(self, ev):
        ev.ignore()


class MapViewBox(pg.ViewBox):
    """A locked-aspect, y-up view box whose clicks and select drags go to a :class:`ToolController`."""

    def __init__(self) -> None:
        super().__init__(lockAspect=True, enableMenu=False, invertY=False, defaultPadding=0.0)
        self.disableAutoRange()
        self.setMouseMode(self.PanMode)
        self.controller: Optional["ToolController"] = None

    def mouseClickEvent(self, ev):
        if self.controller is not None and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            point = self.mapSceneToView(ev.scenePos())
            if self.controller.click(point.x(), point.y(), ev.double(), ev.modifiers()):
                ev.accept()
                return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        selecting = self.controller is not None and self.controller.tool == "select"
        if not selecting or ev.button() != QtCore.Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        if not ev.isFinish():
            self.updateScaleBox(ev.buttonDownPos(), ev.pos())
            return
        self.rbScaleBox.hide()
        box = self.childGroup.mapRectFromParent(QtCore.QRectF(ev.buttonDownPos(), ev.pos())).normalized()
        self.controller.select_box(box.left(), box.top(), box.right(), box.bottom(), ev.modifiers())


class ToolController:
    """State and actions of the active tool of one :class:`gui.canvas.MapCanvas`."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.tool = "pan"
        self.selection_layer = None
        self._vertices: list[tuple[float, float]] = []
        self._finished = False
        self._band = PathItem()
        self._band.setZValue(2_000_000)
        canvas.viewbox.addItem(self._band, ignoreBounds=True)
        canvas.viewbox.controller = self

    def set_tool(self, name: str) -> None:
        if name not in TOOLS:
            raise ValueError(f"unknown map tool {name!r}; expected one of {', '.join(TOOLS)}")
        self.tool = name
        box = self.canvas.viewbox
        box.setMouseMode(box.RectMode if name == "zoom_box" else box.PanMode)
        self.clear_measure()

    # ------------------------------------------------------------ clicks

    def click(self, x: float, y: float, double: bool, modifiers) -> bool:
        """Handle a left click at display-CRS (x, y); True when the active tool used it."""
        if self.tool == "identify" and not double:
            self.canvas.identified.emit(self.identify_at(x, y))
            return True
        if self.tool == "select" and not double:
            layer = self.selection_layer
            if layer is not None:
                self._select(layer, self.features_at(layer, x, y), modifiers)
            return True
        if self.tool in ("measure_distance", "measure_area"):
            self._measure_click(x, y, double)
            return True
        return False

    def tolerance(self) -> float:
        """Click tolerance in display-CRS units."""
        return HIT_TOLERANCE_PX * self.canvas.units_per_pixel()

    def features_at(self, layer, x: float, y: float) -> np.ndarray:
        """Drawn features of a vector layer under display-CRS (x, y)."""
        geometry = self.canvas.layer_geometry(layer)
        shapes = self.canvas.drawn_shapes(layer)
        if geometry is None or shapes is None:
            return np.empty(0, dtype=np.int64)
        found = geometry.features_at(x, y, self.tolerance(), self.canvas.mark_span(layer))
        return found[drawn_mask(layer, shapes)[found]]

    def identify_at(self, x: float, y: float) -> list:
        """Every visible layer's features (and raster values) at display-CRS (x, y), top layer first."""
        hits: list = []
        for layer in self.canvas.layer_list:
            if not layer.visible:
                continue
            if layer.kind == "vector":
                for index in self.features_at(layer, x, y).tolist():
                    hits.append(IdentifyHit(layer, int(index), feature_attributes(layer.data, index)))
            elif layer.kind == "raster" and layer.data is not None and layer.crs is not None:
                values = layer.data.value_at(x, y, crs=self.canvas.display_crs)
                if values is not None:
                    hits.append(RasterHit(layer, values))
        return hits

    # ------------------------------------------------------------ selection

    def select_box(self, minx: float, miny: float, maxx: float, maxy: float, modifiers) -> None:
        layer = self.selection_layer
        if layer is None:
            return
        geometry = self.canvas.layer_geometry(layer)
        shapes = self.canvas.drawn_shapes(layer)
        if geometry is None or shapes is None:
            return
        found = geometry.features_in_box(minx, miny, maxx, maxy)
        self._select(layer, found[drawn_mask(layer, shapes)[found]], modifiers)

    def _select(self, layer, indices: np.ndarray, modifiers) -> None:
        if modifiers & QtCore.Qt.KeyboardModifier.ControlModifier:
            indices = np.union1d(self.canvas.selection(layer), indices)
        self.canvas.set_selection(layer, indices)
        self.canvas.selectionChanged.emit(layer, self.canvas.selection(layer))

    # ------------------------------------------------------------ measuring

    def clear_measure(self) -> None:
        self._vertices = []
        self._finished = False
        self._band.setPath(QtGui.QPainterPath())

    def _measure_click(self, x: float, y: float, double: bool) -> None:
        if self._finished:
            self.clear_measure()
        if not double:
            self._vertices.append((x, y))
        else:
            self._finished = True
        self._draw_band()
        text = self.measure_text()
        if text:
            self.canvas.measured.emit(text)

    def segment_lengths_km(self) -> list[float]:
        """The geodesic length of each segment measured so far (closing edge included for an area)."""
        vertices = list(self._vertices)
        if self.tool == "measure_area" and len(vertices) >= 3:
            vertices.append(vertices[0])
        crs = self.canvas.display_crs
        return [geodesic_length_km(shapely.LineString([a, b]), crs) for a, b in zip(vertices, vertices[1:])]

    def measure_text(self) -> str:
        """The current measure as text ("12.34 km", "56.7 ha (0.567 km²)"), empty when too few vertices."""
        crs = self.canvas.display_crs
        if self.tool == "measure_distance" and len(self._vertices) >= 2:
            return format_length_km(geodesic_length_km(shapely.LineString(self._vertices), crs))
        if self.tool == "measure_area" and len(self._vertices) >= 3:
            return format_area_ha(geodesic_area_ha(shapely.Polygon(self._vertices), crs))
        return ""

    def _draw_band(self) -> None:
        vertices = list(self._vertices)
        area = self.tool == "measure_area"
        if area and len(vertices) >= 3:
            vertices.append(vertices[0])
        if not vertices:
            self._band.setPath(QtGui.QPainterPath())
            return
        xy = np.asarray(vertices, dtype=float)
        part = np.zeros(len(xy), dtype=np.int64)
        path = PartArrays(xy[:, 0], xy[:, 1], part, np.zeros(1, dtype=np.int64)).to_path()
        pen = QtGui.QPen(QtGui.QColor(RUBBER_BAND_COLOUR), 2.0, QtCore.Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._band.setPen(pen)
        fill = QtGui.QColor(RUBBER_BAND_COLOUR)
        fill.setAlpha(50 if area else 0)
        self._band.setBrush(fill)
        self._band.setPath(path)


def format_length_km(length_km: float) -> str:
    """A geodesic length for the status bar: "12.34 km"."""
    return f"{length_km:,.2f} km"


def format_area_ha(area_ha: float) -> str:
    """A geodesic area for the status bar: "56.7 ha (0.567 km²)" (100 ha = 1 km²)."""
    return f"{area_ha:,.1f} ha ({area_ha / 100:,.3f} km²)"


def feature_attributes(frame, index: int) -> dict:
    """One row's attributes (geometry left out) as plain Python values; missing values → None."""
    row = frame.iloc[int(index)]
    geometry_name = getattr(frame, "_geometry_column_name", None)
    values = {}
    for column, value in row.items():
        if column == geometry_name:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        values[str(column)] = None if _is_missing(value) else value
    return values


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
