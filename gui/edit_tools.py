"""The block workbench on the canvas: draw, reshape, move and delete blocks (as QGIS digitises).

:class:`BlockEditor` edits one blocks layer through its Qt-free :class:`layers.editing.EditSession`;
every edit is a model command wrapped in a :class:`ModelCommand` on a ``QUndoStack`` (Ctrl+Z,
Ctrl+Shift+Z). Modes:

- ``draw``: click vertices, double-click or Enter to finish, Backspace removes the last vertex,
  Esc cancels; the rubber band shows the geodesic area (ha) and perimeter (km) as it grows;
- ``vertex``: drag a vertex of the current block, double-click an edge to add a vertex there,
  right-click a vertex (or press Delete over it) to delete it;
- ``move``: drag a block to move it; Delete removes the current block.

In ``vertex`` and ``move`` modes the corners of the current block are labelled BP-1, BP-2 … in
the numbering of its pillar table.

Clicks and vertex drags snap to the vertices and edges of the other blocks and of the state
boundary within :data:`SNAP_PX` pixels; the snapped point is marked. Mouse and keys reach the
editor through an event filter on the canvas, so the canvas's own tools are untouched.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
import shapely
from pyproj import CRS, Transformer
from PySide6 import QtCore, QtGui, QtWidgets

from geo.errors import GeometryError
from geo.measure import geodesic_area_ha, geodesic_length_km
from geo.pillars import polygon_pillars
from gui.canvas_tools import PathItem, format_area_ha, format_length_km
from gui.geometry_paths import PartArrays, explode_parts, polygon_parts
from layers.editing import (AddBlock, AddVertex, DeleteBlock, DeleteVertex, EditCommand, EditSession, MoveBlock,
                            MoveVertex, Snapper, outer_ring)

MODES = ("idle", "draw", "vertex", "move")
#: Snapping tolerance, in screen pixels.
SNAP_PX = 8.0
#: A vertex is picked for dragging within this many pixels.
VERTEX_PICK_PX = 7.0
DRAW_COLOUR = "#7b2cbf"
SNAP_COLOUR = "#ff006e"


class ModelCommand(QtGui.QUndoCommand):
    """A ``QUndoStack`` entry around a model command of an :class:`EditSession`: the first redo
    pushes it on the session's own stack, later undo/redo step that stack."""

    def __init__(self, session: EditSession, command: EditCommand):
        super().__init__(command.text)
        self.session, self.command = session, command
        self._pushed = False
        self.result = None

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            self.result = self.session.push(self.command)
        else:
            self.session.undo.redo()

    def undo(self) -> None:
        self.session.undo.undo()


class BlockEditor(QtCore.QObject):
    """Editing of one blocks layer on a :class:`gui.canvas.MapCanvas`.

    Signals
    -------
    measured(str)
        The readout of the block being drawn or edited: geodesic area and perimeter.
    blockChanged(object)
        The feature id of the block just drawn or edited (None when a block was deleted).
    drafted(object)
        The polygon being drawn (layer CRS, ≥ 3 vertices) after each click, for the live verdict.
    dragged(object, object)
        The feature id and its polygon (layer CRS) as a vertex or block drag moves it, before the
        edit is made on release.
    """

    measured = QtCore.Signal(str)
    blockChanged = QtCore.Signal(object)
    drafted = QtCore.Signal(object)
    dragged = QtCore.Signal(object, object)
    modeChanged = QtCore.Signal(str)

    def __init__(self, canvas, layer, session: EditSession, undo_stack: Optional[QtGui.QUndoStack] = None,
                 boundaries=None, parent=None):
        super().__init__(parent or canvas)
        self.canvas, self.layer, self.session = canvas, layer, session
        self.undo_stack = undo_stack or QtGui.QUndoStack(self)
        self.mode = "idle"
        self.current_fid: Optional[int] = None
        self.vertices: list[tuple[float, float]] = []  # the block being drawn, display CRS
        self._cursor: Optional[tuple[float, float]] = None
        self._drag: Optional[dict] = None
        self._last_snap = ""
        crs = CRS(session.frame.crs)
        self._to_display = Transformer.from_crs(crs, canvas.display_crs, always_xy=True)
        self._to_layer = Transformer.from_crs(canvas.display_crs, crs, always_xy=True)
        self._boundary_snapper = Snapper(self._display_geometries(boundaries)) if boundaries is not None else None
        self._block_snapper = Snapper([])
        self._band = self._item(2_000_100, DRAW_COLOUR, 2.0, fill_alpha=40, style=QtCore.Qt.PenStyle.DashLine)
        self._handles = self._item(2_000_200, DRAW_COLOUR, 1.5, fill_alpha=255)
        self._snap_mark = self._item(2_000_300, SNAP_COLOUR, 2.0, fill_alpha=0)
        self.pillar_labels: list[pg.TextItem] = []
        session.changed.append(self._on_model_changed)
        self._on_model_changed(None)
        self._viewport, self._view = canvas.viewport(), canvas.view
        self._viewport.installEventFilter(self)
        self._view.installEventFilter(self)
        self._view.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self._view.destroyed.connect(self._on_view_destroyed)

    # ------------------------------------------------------------ set-up and teardown

    def _item(self, z: float, colour: str, width: float, fill_alpha: int,
              style=QtCore.Qt.PenStyle.SolidLine) -> PathItem:
        item = PathItem()
        item.setZValue(z)
        pen = QtGui.QPen(QtGui.QColor(colour), width, style)
        pen.setCosmetic(True)
        item.setPen(pen)
        fill = QtGui.QColor(colour)
        fill.setAlpha(fill_alpha)
        item.setBrush(fill)
        self.canvas.viewbox.addItem(item, ignoreBounds=True)
        return item

    def _on_view_destroyed(self, *_args) -> None:
        """The window is going away: hear no more events from it."""
        self.mode = "idle"
        self._viewport = self._view = None

    def close(self) -> None:
        """Stop editing: remove the editor's items and event filters (the session stays)."""
        if self._view is not None:
            self._viewport.removeEventFilter(self)
            self._view.removeEventFilter(self)
        for item in (self._band, self._handles, self._snap_mark, *self.pillar_labels):
            self.canvas.viewbox.removeItem(item)
        if self._on_model_changed in self.session.changed:
            self.session.changed.remove(self._on_model_changed)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown edit mode {mode!r}; expected one of {', '.join(MODES)}")
        self.mode = mode
        self.cancel_drawing()
        self._draw_handles()
        self.modeChanged.emit(mode)

    def push(self, command: EditCommand):
        """Do ``command`` through the undo stack; returns its result (the new fid of AddBlock)."""
        wrapped = ModelCommand(self.session, command)
        self.undo_stack.push(wrapped)
        return wrapped.result

    # ------------------------------------------------------------ coordinates

    def _display_geometries(self, frame) -> list:
        if frame is None or not len(frame):
            return []
        moved = frame.to_crs(self.canvas.display_crs) if not CRS(frame.crs).equals(self.canvas.display_crs) else frame
        return list(moved.geometry.values)

    def to_layer(self, x: float, y: float) -> tuple[float, float]:
        lx, ly = self._to_layer.transform(x, y)
        return float(lx), float(ly)

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = self._to_display.transform(x, y)
        return float(dx), float(dy)

    def _tolerance(self, pixels: float) -> float:
        return pixels * self.canvas.units_per_pixel()

    def snapped(self, x: float, y: float, exclude: Optional[int] = None) -> tuple[float, float, str]:
        """(x, y, kind) of the display point after snapping ("" when nothing was near)."""
        tolerance = self._tolerance(SNAP_PX)
        snappers = [self._block_snapper if exclude is None else self._blocks_snapper(exclude), self._boundary_snapper]
        found = [hit for s in snappers if s is not None and (hit := s.snap(x, y, tolerance)) is not None]
        vertex = [hit for hit in found if hit[2] == "vertex"]
        best = min(vertex or found, key=lambda hit: np.hypot(hit[0] - x, hit[1] - y), default=None)
        return best if best is not None else (x, y, "")

    def _blocks_snapper(self, exclude: int) -> Snapper:
        others = self.session.frame.drop(index=exclude)
        return Snapper(self._display_geometries(others))

    # ------------------------------------------------------------ model → canvas

    def _on_model_changed(self, fid) -> None:
        self.layer.data = self.session.frame.reset_index(drop=True)
        self._block_snapper = Snapper(self._display_geometries(self.session.frame))
        if self.current_fid is not None and self.current_fid not in self.session.frame.index:
            self.current_fid = None
        self._draw_handles()
        self.blockChanged.emit(fid)

    def position_of(self, fid: int) -> int:
        """The row position in the layer's data of feature ``fid``."""
        return int(self.session.frame.index.get_loc(fid))

    def fid_at(self, x: float, y: float) -> Optional[int]:
        """The block under display point (x, y), the top (last) one first."""
        point = shapely.Point(*self.to_layer(x, y))
        hits = [fid for fid, geometry in zip(self.session.frame.index, self.session.frame.geometry)
                if geometry is not None and geometry.covers(point)]
        return int(hits[-1]) if hits else None

    def set_current(self, fid: Optional[int]) -> None:
        self.current_fid = fid
        if fid is not None:
            self.canvas.set_selection(self.layer, [self.position_of(fid)])
        self._draw_handles()
        if fid is not None:
            self._emit_measure(self.session.geometry(fid), layer_crs=True)

    def _ring_display(self, fid: int) -> list[tuple[float, float]]:
        return [self.to_display(x, y) for x, y in outer_ring(self.session.geometry(fid))]

    def _draw_handles(self) -> None:
        self._draw_pillar_labels()
        if self.mode != "vertex" or self.current_fid is None:
            self._handles.setPath(QtGui.QPainterPath())
            return
        size = self._tolerance(3.5)
        path = QtGui.QPainterPath()
        for x, y in self._ring_display(self.current_fid):
            path.addRect(QtCore.QRectF(x - size, y - size, 2 * size, 2 * size))
        self._handles.setPath(path)

    def _draw_pillar_labels(self) -> None:
        """BP-1, BP-2 … beside the corners of the current block: the numbering of its pillar
        table (:func:`geo.pillars.polygon_pillars`, exported and printed in the dossier)."""
        for item in self.pillar_labels:
            self.canvas.viewbox.removeItem(item)
        self.pillar_labels = []
        if self.mode not in ("vertex", "move") or self.current_fid is None:
            return
        try:
            pillars = polygon_pillars(self.session.geometry(self.current_fid), self.session.frame.crs)
        except GeometryError:  # holes or several parts: no pillar list to number
            return
        ring = self._ring_display(self.current_fid)
        cx, cy = np.mean(ring, axis=0)
        for pillar, (x, y) in zip(pillars, ring):  # each label outside its corner, away from the centre
            label = pg.TextItem(pillar.label, color=DRAW_COLOUR, anchor=(1.05 if x < cx else -0.05, 1.0 if y > cy else 0.0))
            label.setZValue(2_000_400)
            label.setPos(x, y)
            self.canvas.viewbox.addItem(label, ignoreBounds=True)
            self.pillar_labels.append(label)

    def _draw_band(self) -> None:
        points = list(self.vertices) + ([self._cursor] if self._cursor is not None and self.mode == "draw" else [])
        if self._drag is not None and self._drag.get("preview") is not None:
            self._band.setPath(polygon_path(self._drag["preview"]))
            return
        if not points:
            self._band.setPath(QtGui.QPainterPath())
            return
        closed = points + [points[0]] if len(points) >= 3 else points
        xy = np.asarray(closed, dtype=float)
        self._band.setPath(PartArrays(xy[:, 0], xy[:, 1], np.zeros(len(xy), dtype=np.int64),
                                      np.zeros(1, dtype=np.int64)).to_path())

    def _draw_snap(self, hit: tuple[float, float, str]) -> None:
        path = QtGui.QPainterPath()
        if hit[2]:
            size = self._tolerance(6.0)
            if hit[2] == "vertex":
                path.addRect(QtCore.QRectF(hit[0] - size, hit[1] - size, 2 * size, 2 * size))
            else:
                path.addEllipse(QtCore.QPointF(hit[0], hit[1]), size, size)
        self._snap_mark.setPath(path)

    @property
    def snap_kind(self) -> str:
        """"vertex", "edge" or "" — what the last cursor position snapped to (shown by the mark)."""
        return self._last_snap

    def _emit_measure(self, geometry, layer_crs: bool = False) -> None:
        crs = self.session.frame.crs if layer_crs else self.canvas.display_crs
        if geometry is None or geometry.is_empty:
            return
        area = geodesic_area_ha(geometry, crs) if geometry.geom_type.endswith("Polygon") else 0.0
        self.measured.emit(f"Area {format_area_ha(area)} · perimeter {format_length_km(geodesic_length_km(geometry, crs))}")

    # ------------------------------------------------------------ drawing

    def add_vertex(self, x: float, y: float) -> None:
        """Add a (snapped) vertex to the block being drawn."""
        sx, sy, _ = self.snapped(x, y)
        self.vertices.append((sx, sy))
        self._draw_band()
        self._emit_draft()

    def _emit_draft(self) -> None:
        geometry = (shapely.Polygon(self.vertices) if len(self.vertices) >= 3 else
                    shapely.LineString(self.vertices) if len(self.vertices) == 2 else None)
        if geometry is not None:
            self._emit_measure(geometry)
        if len(self.vertices) >= 3:
            self.drafted.emit(shapely.Polygon([self.to_layer(x, y) for x, y in self.vertices]))

    def _distinct_vertices(self) -> list[tuple[float, float]]:
        """The drawn vertices without one repeating the one before within a pixel (the press of a
        finishing double-click lands on the last corner again), nor a last one back on the first."""
        tolerance = self._tolerance(1.0)
        kept: list[tuple[float, float]] = []
        for x, y in self.vertices:
            if not kept or np.hypot(x - kept[-1][0], y - kept[-1][1]) > tolerance:
                kept.append((x, y))
        if len(kept) > 1 and np.hypot(kept[-1][0] - kept[0][0], kept[-1][1] - kept[0][1]) <= tolerance:
            kept.pop()
        return kept

    def remove_last_vertex(self) -> None:
        if self.vertices:
            self.vertices.pop()
            self._draw_band()
            self._emit_draft()

    def cancel_drawing(self) -> None:
        self.vertices = []
        self._cursor = None
        self._drag = None
        self._draw_band()
        self._snap_mark.setPath(QtGui.QPainterPath())

    def finish_drawing(self, attributes: Optional[dict] = None) -> Optional[int]:
        """Close the ring and add the block (at least three vertices); returns its fid."""
        vertices = self._distinct_vertices()
        if len(vertices) < 3:
            return None
        polygon = shapely.Polygon([self.to_layer(x, y) for x, y in vertices])
        self.cancel_drawing()
        if not polygon.is_valid:
            self.measured.emit("The ring crosses itself; the block was not added (draw it again).")
            return None
        fid = self.push(AddBlock(polygon, dict(attributes or {})))
        self.set_current(fid)
        return fid

    # ------------------------------------------------------------ vertex and block edits

    def vertex_at(self, x: float, y: float) -> Optional[int]:
        """The index of the current block's vertex within reach of display (x, y)."""
        if self.current_fid is None:
            return None
        ring = np.asarray(self._ring_display(self.current_fid))
        gaps = np.hypot(ring[:, 0] - x, ring[:, 1] - y)
        best = int(np.argmin(gaps))
        return best if gaps[best] <= self._tolerance(VERTEX_PICK_PX) else None

    def move_vertex(self, index: int, x: float, y: float) -> None:
        sx, sy, _ = self.snapped(x, y, exclude=self.current_fid)
        self.push(MoveVertex(self.current_fid, index, self.to_layer(sx, sy)))

    def insert_vertex_on_edge(self, x: float, y: float) -> None:
        """Add a vertex to the current block on the edge nearest display (x, y)."""
        ring = self._ring_display(self.current_fid)
        point = shapely.Point(x, y)
        sides = [shapely.LineString([ring[i], ring[(i + 1) % len(ring)]]) for i in range(len(ring))]
        side = int(np.argmin([s.distance(point) for s in sides]))
        on_side = sides[side].interpolate(sides[side].project(point))
        self.push(AddVertex(self.current_fid, side + 1, self.to_layer(on_side.x, on_side.y)))

    def delete_vertex(self, index: int) -> None:
        self.push(DeleteVertex(self.current_fid, index))

    def move_block(self, fid: int, start: tuple[float, float], end: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = self.to_layer(*start), self.to_layer(*end)
        self.push(MoveBlock(fid, x1 - x0, y1 - y0))

    def delete_current(self) -> None:
        if self.current_fid is not None:
            fid = self.current_fid
            self.current_fid = None
            self.canvas.set_selection(self.layer, [])
            self.push(DeleteBlock(fid))

    # ------------------------------------------------------------ mouse and keys

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if self.mode == "idle" or watched not in (self._viewport, self._view):
            return False
        kind = event.type()
        if kind == QtCore.QEvent.Type.KeyPress:
            return self._key(event)
        if watched is not self._viewport:
            return False
        if kind in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.MouseButtonDblClick,
                    QtCore.QEvent.Type.MouseMove, QtCore.QEvent.Type.MouseButtonRelease):
            x, y = self.canvas.map_coordinate(event.position().toPoint())
            return self._mouse(kind, event, x, y)
        return False

    def _mouse(self, kind, event, x: float, y: float) -> bool:
        left = event.button() == QtCore.Qt.MouseButton.LeftButton
        if kind == QtCore.QEvent.Type.MouseMove:
            return self._moved(event, x, y)
        if self.mode == "draw":
            if kind == QtCore.QEvent.Type.MouseButtonDblClick and left:
                self.finish_drawing()
            elif kind == QtCore.QEvent.Type.MouseButtonPress and left:
                self.add_vertex(x, y)
            return left
        if kind == QtCore.QEvent.Type.MouseButtonPress:
            return self._pressed(event, x, y)
        if kind == QtCore.QEvent.Type.MouseButtonDblClick and left and self.mode == "vertex" and self.current_fid is not None:
            if self.vertex_at(x, y) is None:
                self.insert_vertex_on_edge(*self.snapped(x, y, exclude=self.current_fid)[:2])
            return True
        if kind == QtCore.QEvent.Type.MouseButtonRelease and self._drag is not None and left:
            return self._released(x, y)
        return False

    def _pressed(self, event, x: float, y: float) -> bool:
        button = event.button()
        vertex = self.vertex_at(x, y) if self.mode == "vertex" else None
        if button == QtCore.Qt.MouseButton.RightButton and vertex is not None:
            self.delete_vertex(vertex)
            return True
        if button != QtCore.Qt.MouseButton.LeftButton:
            return False
        if vertex is not None:
            self._drag = {"vertex": vertex, "start": (x, y), "preview": None}
            return True
        fid = self.fid_at(x, y)
        if fid is None:
            return False  # empty map: let the canvas pan
        self.set_current(fid)
        if self.mode == "move":
            self._drag = {"block": fid, "start": (x, y), "preview": None}
        return True

    def _moved(self, event, x: float, y: float) -> bool:
        if self.mode == "draw":
            hit = self.snapped(x, y)
            self._last_snap = hit[2]
            self._draw_snap(hit)
            self._cursor = hit[:2]
            self._draw_band()
            if self.vertices:
                ring = self.vertices + [self._cursor]
                self._emit_measure(shapely.Polygon(ring) if len(ring) >= 3 else shapely.LineString(ring))
            return False
        if self._drag is None or not event.buttons() & QtCore.Qt.MouseButton.LeftButton:
            return False  # a drag follows the mouse only while its button is held
        ring = self._ring_display(self.current_fid)
        if "vertex" in self._drag:
            hit = self.snapped(x, y, exclude=self.current_fid)
            self._last_snap = hit[2]
            self._draw_snap(hit)
            ring[self._drag["vertex"]] = hit[:2]
        else:
            dx, dy = x - self._drag["start"][0], y - self._drag["start"][1]
            ring = [(px + dx, py + dy) for px, py in ring]
        self._drag["preview"] = shapely.Polygon(ring)
        self._draw_band()
        self._emit_measure(self._drag["preview"])
        self.dragged.emit(self.current_fid, shapely.Polygon([self.to_layer(px, py) for px, py in ring]))
        return True

    def _released(self, x: float, y: float) -> bool:
        drag, self._drag = self._drag, None
        self._draw_band()
        self._snap_mark.setPath(QtGui.QPainterPath())
        if np.hypot(x - drag["start"][0], y - drag["start"][1]) < self._tolerance(1.0):
            return True  # a click, not a drag
        if "vertex" in drag:
            self.move_vertex(drag["vertex"], x, y)
        else:
            self.move_block(drag["block"], drag["start"], (x, y))
        return True

    def _key(self, event) -> bool:
        key = event.key()
        if self.mode == "draw":
            if key in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
                self.finish_drawing()
                return True
            if key == QtCore.Qt.Key.Key_Backspace:
                self.remove_last_vertex()
                return True
            if key == QtCore.Qt.Key.Key_Escape:
                self.cancel_drawing()
                return True
            return False
        if key == QtCore.Qt.Key.Key_Delete:
            cursor = self.canvas.viewport().mapFromGlobal(QtGui.QCursor.pos())
            vertex = self.vertex_at(*self.canvas.map_coordinate(cursor)) if self.mode == "vertex" else None
            if vertex is not None:
                self.delete_vertex(vertex)
            else:
                self.delete_current()
            return True
        return False


def polygon_path(geometry) -> QtGui.QPainterPath:
    """A painter path of a polygon or multipolygon (display CRS), holes kept."""
    parts, feature = explode_parts(np.array([geometry], dtype=object))
    return polygon_parts(parts, feature).to_path()
