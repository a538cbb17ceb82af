"""Editing a blocks layer (Qt-free): the edit commands, their undo stack, saving.

An :class:`EditSession` holds a copy of a blocks layer's features. Every change is a command
(:class:`AddBlock`, :class:`DeleteBlock`, :class:`MoveBlock`, :class:`MoveVertex`,
:class:`AddVertex`, :class:`DeleteVertex`, :class:`SetAttribute`, :class:`ReplaceGeometry`)
pushed on the session's :class:`UndoStack`, so every edit can be undone and redone; the GUI wraps
these same commands in a ``QUndoStack``. The source file is never written while editing. On
:meth:`EditSession.save` the layer is written atomically: back into its GeoPackage (the file's
other layers kept), or — for a shapefile or any other source — to a GeoPackage beside it
(``blocks.shp`` → ``blocks.gpkg``) unless the caller names another target.

Features are addressed by a stable feature id (``fid``) that survives deletes and undo.
Vertices are addressed by (part, index) on the outer ring of a polygon's part (0 for a polygon);
the closing vertex is implied.

Examples
--------
>>> session = new_blocks_session("EPSG:4326")
>>> fid = session.push(AddBlock(shapely.box(85.0, 23.0, 85.1, 23.1), {"block_id": "N-1"}))
>>> session.push(SetAttribute(fid, "licence", "ML")); session.frame.loc[fid, "licence"]
'ML'
>>> session.undo.undo(); session.frame.loc[fid, "licence"] is None
True
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from geo.atomic import atomic_path
from geo.errors import DataReadError, DataWriteError, GeometryError, describe_path

#: The block fields of DESIGN.md §3.2, the columns of a new blocks layer (all text).
BLOCK_FIELDS = ("block_id", "block_name", "state", "district", "commodity", "licence", "unfc", "stage")
#: The fields the attribute form offers.
FORM_FIELDS = ("block_id", "block_name", "state", "licence", "stage", "commodity")
GPKG_LAYER = "blocks"


class EditCommand:
    """One undoable change of an :class:`EditSession`; ``text`` names it in the Edit menu."""

    text = "edit"

    def apply(self, session: "EditSession") -> Any:
        raise NotImplementedError

    def revert(self, session: "EditSession") -> None:
        raise NotImplementedError


@dataclass
class AddBlock(EditCommand):
    geometry: shapely.Geometry
    attributes: dict = field(default_factory=dict)
    fid: Optional[int] = None
    text = "add block"

    def apply(self, session):
        if self.fid is None:
            self.fid = session.next_fid()
        session.insert_row(self.fid, self.geometry, self.attributes)
        return self.fid

    def revert(self, session):
        session.remove_row(self.fid)


@dataclass
class DeleteBlock(EditCommand):
    fid: int
    text = "delete block"
    _row: Optional[pd.Series] = None
    _position: int = 0

    def apply(self, session):
        self._position = session.frame.index.get_loc(self.fid)
        self._row = session.frame.loc[self.fid].copy()
        session.remove_row(self.fid)

    def revert(self, session):
        geometry = self._row[session.frame.geometry.name]
        attributes = self._row.drop(labels=[session.frame.geometry.name]).to_dict()
        session.insert_row(self.fid, geometry, attributes, self._position)


@dataclass
class ReplaceGeometry(EditCommand):
    """Set a block's geometry (the base of every geometry edit)."""

    fid: int
    geometry: shapely.Geometry
    text = "edit geometry"
    _before: Optional[shapely.Geometry] = None

    def apply(self, session):
        self._before = session.geometry(self.fid)
        session.set_geometry(self.fid, self.geometry)

    def revert(self, session):
        session.set_geometry(self.fid, self._before)


class _GeometryEdit(ReplaceGeometry):
    """A geometry edit computed from the block's current geometry when first applied."""

    def apply(self, session):
        if self.geometry is None:
            self.geometry = self.edited(session.geometry(self.fid))
        super().apply(session)

    def edited(self, geometry):
        raise NotImplementedError


class MoveBlock(_GeometryEdit):
    text = "move block"

    def __init__(self, fid: int, dx: float, dy: float):
        super().__init__(fid, None)
        self.dx, self.dy = dx, dy

    def edited(self, geometry):
        return affinity.translate(geometry, self.dx, self.dy)


class MoveVertex(_GeometryEdit):
    text = "move vertex"

    def __init__(self, fid: int, index: int, xy: tuple[float, float], part: int = 0):
        super().__init__(fid, None)
        self.index, self.xy, self.part = index, xy, part

    def edited(self, geometry):
        ring = outer_ring(geometry, self.part)
        ring[self._checked(ring, self.index)] = self.xy
        return with_ring(geometry, self.part, ring)

    @staticmethod
    def _checked(ring, index: int) -> int:
        if not 0 <= index < len(ring):
            raise GeometryError(f"the block has no vertex {index + 1} (it has {len(ring)})")
        return index


class AddVertex(_GeometryEdit):
    """Insert a vertex before position ``index`` (``index == len``: after the last)."""

    text = "add vertex"

    def __init__(self, fid: int, index: int, xy: tuple[float, float], part: int = 0):
        super().__init__(fid, None)
        self.index, self.xy, self.part = index, xy, part

    def edited(self, geometry):
        ring = outer_ring(geometry, self.part)
        ring.insert(self.index, self.xy)
        return with_ring(geometry, self.part, ring)


class DeleteVertex(_GeometryEdit):
    text = "delete vertex"

    def __init__(self, fid: int, index: int, part: int = 0):
        super().__init__(fid, None)
        self.index, self.part = index, part

    def edited(self, geometry):
        ring = outer_ring(geometry, self.part)
        if len(ring) <= 3:
            raise GeometryError("a block needs at least three vertices; delete the block instead")
        del ring[MoveVertex._checked(ring, self.index)]
        return with_ring(geometry, self.part, ring)


@dataclass
class SetAttribute(EditCommand):
    fid: int
    column: str
    value: Any
    text = "edit attribute"
    _before: Any = None

    def apply(self, session):
        self._before = session.frame.at[self.fid, self.column] if self.column in session.frame.columns else None
        session.set_value(self.fid, self.column, self.value)

    def revert(self, session):
        session.set_value(self.fid, self.column, self._before)


def outer_ring(geometry, part: int = 0) -> list[tuple[float, float]]:
    """The outer ring of a polygon (or of part ``part`` of a multipolygon), without the closing vertex."""
    polygon = _part(geometry, part)
    return [tuple(xy) for xy in np.asarray(polygon.exterior.coords)[:-1, :2]]


def with_ring(geometry, part: int, ring: list[tuple[float, float]]):
    """``geometry`` with the outer ring of part ``part`` replaced (holes and other parts kept)."""
    polygon = _part(geometry, part)
    rebuilt = shapely.Polygon(ring, [interior.coords for interior in polygon.interiors])
    if isinstance(geometry, shapely.MultiPolygon):
        parts = list(geometry.geoms)
        parts[part] = rebuilt
        return shapely.MultiPolygon(parts)
    return rebuilt


def _part(geometry, part: int) -> shapely.Polygon:
    if geometry is None or shapely.is_empty(geometry):
        raise GeometryError("the block has no geometry")
    parts = list(geometry.geoms) if isinstance(geometry, shapely.MultiPolygon) else [geometry]
    if not isinstance(parts[0], shapely.Polygon) or not 0 <= part < len(parts):
        raise GeometryError(f"the block has no polygon part {part + 1}")
    return parts[part]


class UndoStack:
    """Commands done and undone, with a clean mark (the state last saved).

    ``changed`` callbacks run after every push, undo and redo.
    """

    def __init__(self, session: "EditSession"):
        self._session = session
        self._done: list[EditCommand] = []
        self._undone: list[EditCommand] = []
        self._clean = 0
        self.changed: list[Callable[[], None]] = []

    def push(self, command: EditCommand) -> Any:
        result = command.apply(self._session)
        self._done.append(command)
        self._undone.clear()
        if self._clean > len(self._done) - 1:
            self._clean = -1  # the saved state was undone and is now unreachable
        self._notify()
        return result

    def undo(self) -> None:
        if self._done:
            command = self._done.pop()
            command.revert(self._session)
            self._undone.append(command)
            self._notify()

    def redo(self) -> None:
        if self._undone:
            command = self._undone.pop()
            command.apply(self._session)
            self._done.append(command)
            self._notify()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    @property
    def is_clean(self) -> bool:
        return self._clean == len(self._done)

    def set_clean(self) -> None:
        self._clean = len(self._done)
        self._notify()

    def _notify(self) -> None:
        for callback in list(self.changed):
            callback()


class EditSession:
    """The features of a blocks layer being edited, an undo stack, and where they are saved.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer's features (copied; the caller's frame is not changed).
    source : path, optional
        The file the features came from (never written until :meth:`save`).
    layer : str, optional
        The source's layer name (GeoPackage table).
    """

    def __init__(self, frame: gpd.GeoDataFrame, source: Optional[os.PathLike | str] = None,
                 layer: Optional[str] = None):
        if frame.crs is None:
            raise DataReadError("the blocks layer has no CRS; assign one before editing")
        self.frame = frame.copy().reset_index(drop=True)
        self.source = Path(source) if source is not None else None
        self.layer = layer
        self.undo = UndoStack(self)
        self.changed: list[Callable[[Optional[int]], None]] = []  # called with the fid edited (None: several)

    @classmethod
    def open(cls, path: os.PathLike | str, layer: Optional[str] = None) -> "EditSession":
        """Start editing the blocks layer ``layer`` of ``path``."""
        from geo.reading import read

        result = read(path, layer)
        if result.kind != "vector":
            raise DataReadError(f"{describe_path(path)}: only a vector layer of polygons can be edited as blocks")
        return cls(result.data, path, result.layer)

    # ----- the commands' primitives -----
    def push(self, command: EditCommand) -> Any:
        """Apply ``command`` and put it on the undo stack; returns what it returns (a new fid)."""
        return self.undo.push(command)

    def next_fid(self) -> int:
        return int(self.frame.index.max()) + 1 if len(self.frame) else 0

    def geometry(self, fid: int):
        return self.frame.geometry.loc[fid]

    def insert_row(self, fid: int, geometry, attributes: dict, position: Optional[int] = None) -> None:
        unknown = set(attributes) - set(self.frame.columns)
        for column in sorted(unknown):
            self.frame[column] = pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)
        row = {column: attributes.get(column) for column in self.frame.columns if column != self.frame.geometry.name}
        added = gpd.GeoDataFrame([row], index=[fid], geometry=gpd.GeoSeries([geometry], index=[fid], crs=self.frame.crs),
                                 columns=list(self.frame.columns))
        for column in row:
            try:
                added[column] = added[column].astype(self.frame[column].dtype)
            except (TypeError, ValueError):  # e.g. an empty value in an integer column
                self.frame[column] = self.frame[column].astype(object)
        position = len(self.frame) if position is None else position
        parts = [self.frame.iloc[:position], added, self.frame.iloc[position:]]
        self.frame = gpd.GeoDataFrame(pd.concat([p for p in parts if len(p)] or [added]),
                                      geometry=self.frame.geometry.name, crs=self.frame.crs)
        self._emit(fid)

    def remove_row(self, fid: int) -> None:
        self.frame = self.frame.drop(index=fid)
        self._emit(None)

    def set_geometry(self, fid: int, geometry) -> None:
        geometries = self.frame.geometry.copy()
        geometries.loc[fid] = geometry
        self.frame = self.frame.set_geometry(geometries)
        self._emit(fid)

    def set_value(self, fid: int, column: str, value: Any) -> None:
        if column == self.frame.geometry.name:
            raise GeometryError("the geometry is changed by geometry edits, not as an attribute")
        if column not in self.frame.columns:
            self.frame[column] = pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)
        try:
            self.frame.at[fid, column] = value
        except (TypeError, ValueError):  # text typed into a number column: the column keeps both
            self.frame[column] = self.frame[column].astype(object)
            self.frame.at[fid, column] = value
        self._emit(fid)

    def _emit(self, fid: Optional[int]) -> None:
        for callback in list(self.changed):
            callback(fid)

    # ----- saving -----
    @property
    def modified(self) -> bool:
        return not self.undo.is_clean

    @property
    def shipped(self) -> bool:
        """True when the source is a file of the embedded sample atlas (saved elsewhere only)."""
        from layers.atlas import ATLAS_DIR

        return self.source is not None and ATLAS_DIR.resolve() in self.source.resolve().parents

    def save_target(self) -> Path:
        """Where :meth:`save` writes by default: the source GeoPackage itself, else a new
        GeoPackage beside the source with its name (``blocks.shp`` → ``blocks.gpkg``; when that
        file exists already, ``blocks_edited.gpkg``, ``blocks_edited_2.gpkg`` …: a file Khanij did
        not make is never written into)."""
        if self.source is None:
            raise DataWriteError("this blocks layer has no file yet; choose where to save it")
        if self.shipped:
            raise DataWriteError(f"{describe_path(self.source)} belongs to the embedded sample atlas, which is never "
                                 "written; save the edits to a GeoPackage of your own")
        if self.source.suffix.lower() == ".gpkg":
            return self.source
        candidates = [self.source.with_suffix(".gpkg"), self.source.with_name(f"{self.source.stem}_edited.gpkg")]
        number = 2
        while candidates[-1].exists():
            candidates.append(self.source.with_name(f"{self.source.stem}_edited_{number}.gpkg"))
            number += 1
        return next(path for path in candidates if not path.exists())

    def save(self, target: Optional[os.PathLike | str] = None) -> Path:
        """Write the layer atomically to ``target`` (default :meth:`save_target`) as a GeoPackage
        layer; another layer of the same GeoPackage is kept. Marks the undo stack clean and
        makes the written file the source of later saves.

        Raises
        ------
        DataWriteError
            The target is not a .gpkg or cannot be written (the message names it).
        """
        import pyogrio

        path = Path(target) if target is not None else self.save_target()
        if path.suffix.lower() != ".gpkg":
            raise DataWriteError(f"{describe_path(path)}: blocks are saved as a GeoPackage (.gpkg)")
        layer = self.layer or GPKG_LAYER
        with atomic_path(path) as tmp:
            if path.exists():
                shutil.copyfile(path, tmp)
            try:
                pyogrio.write_dataframe(self.frame.reset_index(drop=True), tmp, layer=layer, driver="GPKG")
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
                raise DataWriteError(f"{describe_path(path)}: cannot write the blocks: {exc}") from exc
        self.source, self.layer = path, layer
        self.undo.set_clean()
        return path


def new_blocks_session(crs: Any = "EPSG:4326") -> EditSession:
    """An empty blocks layer with the block fields of DESIGN.md §3.2, to be saved with
    :meth:`EditSession.save`."""
    frame = gpd.GeoDataFrame({name: pd.Series([], dtype=object) for name in BLOCK_FIELDS},
                             geometry=gpd.GeoSeries([], crs=crs))
    return EditSession(frame)


def new_blocks_layer(path: os.PathLike | str, crs: Any = "EPSG:4326") -> EditSession:
    """Create an empty blocks GeoPackage at ``path`` (atomically) and return its edit session."""
    session = new_blocks_session(crs)
    session.save(path)
    return session


class Snapper:
    """Snap a point to the vertices and edges of polygons (other blocks, the state boundary).

    A vertex within the tolerance wins over an edge (as in QGIS's "vertex and segment" mode);
    everything is in the CRS of the geometries given (the canvas's display CRS).
    """

    def __init__(self, geometries):
        rings = [shapely.boundary(g) for g in geometries if g is not None and not shapely.is_empty(g)]
        self._lines = np.array(rings, dtype=object)
        self._tree = shapely.STRtree(self._lines) if len(self._lines) else None

    def snap(self, x: float, y: float, tolerance: float) -> Optional[tuple[float, float, str]]:
        """``(x, y, "vertex" | "edge")`` of the nearest vertex, else the nearest edge point,
        within ``tolerance``; None when nothing is that close."""
        if self._tree is None:
            return None
        point = shapely.Point(x, y)
        near = self._tree.query(point, predicate="dwithin", distance=tolerance)
        if not len(near):
            return None
        candidates = self._lines[near]
        vertices = shapely.get_coordinates(candidates)
        gaps = np.hypot(vertices[:, 0] - x, vertices[:, 1] - y)
        best = int(np.argmin(gaps))
        if gaps[best] <= tolerance:
            return float(vertices[best, 0]), float(vertices[best, 1]), "vertex"
        distances = shapely.distance(candidates, point)
        line = candidates[int(np.argmin(distances))]
        on_edge = shapely.line_interpolate_point(line, shapely.line_locate_point(line, point))
        return float(on_edge.x), float(on_edge.y), "edge"
