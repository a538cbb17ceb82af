"""Layers and the layer list: what the user works with (napari's layer model, Qt-free).

A :class:`Layer` holds the data of one read (vector, raster or attribute table) and how it is
shown: role, field mapping, visibility, opacity, style and a feature filter. Setting one of
those attributes emits the matching event (``layer.events.visible`` ...), which the
:class:`LayerList` re-emits as ``layer_changed`` and summarises as ``changed``.

Examples
--------
>>> layers = LayerList()
>>> log = []
>>> _ = layers.events.changed.connect(lambda event: log.append("changed"))
>>> layer = Layer("deposits", role="deposits")
>>> with layers.batch():
...     layers.append(layer)
...     layer.visible = False
...     layer.opacity = 0.5
>>> log
['changed']
"""
from __future__ import annotations

import contextlib
import functools
import os
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

import geo
from assessment.fields import ROLES, guess_fields, guess_role
from assessment.score_table import is_score_output
from geo.crs import parse_crs
from geo.errors import CrsError, DataReadError
from geo.result import ReadResult
from layers.evented import Event, EmitterGroup, EventedList
from layers.style import CategorisedStyle, Style, default_style_for

KINDS = ("vector", "raster", "table")
# Evidence grids open see-through, so the boundaries and constraints under them stay readable.
EVIDENCE_OPACITY = 0.65

LAYER_EVENTS = ("name", "visible", "opacity", "style", "role", "data", "filter", "fields", "crs")

#: shapely's geometry type ids (``shapely.get_type_id``; -1 is a missing geometry) by kind.
_GEOMETRY_KINDS = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}


def geometry_kind_of(geometries) -> str | None:
    """"point", "line" or "polygon" when every non-empty geometry is of that family, "mixed" when
    they differ (or a collection is present), ``None`` when there is no geometry at all."""
    import shapely

    types = np.unique(shapely.get_type_id(np.asarray(geometries, dtype=object)))
    kinds = {_GEOMETRY_KINDS.get(int(type_id), "mixed") for type_id in types if type_id >= 0}
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else "mixed"


def crs_text(crs: Any) -> str:
    """A CRS as text that reads back to the same CRS: "EPSG:7755" when it has an authority, else WKT."""
    crs = parse_crs(crs)
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else crs.to_wkt()


def _check_role(role: str | None) -> str | None:
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown layer role {role!r} (expected one of {', '.join(ROLES)})")
    return role


def _read_name(result: ReadResult) -> str:
    """A file with several layers names the layer; otherwise the file's stem names it."""
    if result.layer and len(result.layers_available) > 1:
        return result.layer
    return Path(result.path).stem


class Layer:
    """One layer of the map.

    Attributes
    ----------
    id : str
        Stable identifier (kept in the project file).
    name : str
    source : Path or None
        The file read; ``None`` for data made in memory.
    layer_name : str or None
        The layer inside the file (GeoPackage table, KML folder, TopoJSON object).
    kind : {"vector", "raster", "table"}
    role : str or None
        One of :data:`assessment.fields.ROLES`.
    data : GeoDataFrame, geo.raster.RasterSource, DataFrame or None
        ``None`` when the source is missing.
    read_result : ReadResult or None
        What the read reported (encoding, CRS status, problems).
    fields : dict
        Canonical field → column (see :func:`assessment.fields.guess_fields`).
    visible : bool
    opacity : float
        0 (transparent) to 1.
    style : CategorisedStyle, SingleStyle or RasterStyle
    crs : pyproj.CRS or None
        ``None`` when unknown (the read says so; analysis refuses it).
    missing : bool
        The source could not be found or read when a project was opened; ``missing_reason`` says why.
    illustrative : bool
        Illustrative data (the sample atlas), to be said wherever the layer is shown.
    read_options : dict
        The options the file was read with (``encoding``, ``lat_column``, ``lon_column``, ``crs``),
        kept so a project re-reads it the same way.
    filter_mask : numpy bool array or None
        Which features are shown (``None``: all).
    """

    def __init__(self, name: str, data: Any = None, *, kind: str = "vector",
                 source: os.PathLike | str | None = None, layer_name: str | None = None,
                 role: str | None = None, fields: dict[str, str] | None = None, style: Style | None = None,
                 visible: bool = True, opacity: float = 1.0, crs: Any = None,
                 read_result: ReadResult | None = None, missing: bool = False, missing_reason: str | None = None,
                 illustrative: bool = False, read_options: dict[str, Any] | None = None, id: str | None = None):
        if kind not in KINDS:
            raise ValueError(f"unknown layer kind {kind!r} (expected one of {', '.join(KINDS)})")
        self.events = EmitterGroup(self, LAYER_EVENTS)
        self.id = id or uuid.uuid4().hex
        self.kind = kind
        self.source = Path(source) if source is not None else None
        self.layer_name = layer_name
        self.read_result = read_result
        self._fields = dict(fields or {})
        self.missing = missing
        self.missing_reason = missing_reason
        self.illustrative = illustrative
        self.read_options = dict(read_options or {})
        self._name = name
        self._role = _check_role(role)
        self._visible = bool(visible)
        self._opacity = self._checked_opacity(opacity)
        self._data = data
        self._data_version = 0
        self.crs = crs if crs is not None else getattr(data, "crs", None)
        self._filter_mask: np.ndarray | None = None
        self._forget_derived()
        self._style = style if style is not None else default_style_for(self)

    def __repr__(self) -> str:
        state = " missing" if self.missing else ""
        return f"<Layer {self.name!r} {self.kind} role={self.role}{state}>"

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_read_result(cls, result: ReadResult, name: str | None = None, role: str | None = None,
                         **options: Any) -> "Layer":
        """A layer for one read; role and fields are guessed when not given, then the default style.

        ``options`` are further :class:`Layer` keyword arguments (``illustrative``, ``visible`` ...).
        """
        name = name or _read_name(result)
        layer = cls(name, result.data, kind=result.kind, source=result.path, layer_name=result.layer,
                    crs=result.crs, read_result=result, style=None, **options)
        columns = layer.columns
        if role is None and not (result.kind == "vector" and is_score_output(result.data)):
            # a score output (blocks or screening cells as scored) is a result, not an input of any role
            hint = f"{Path(result.path).stem} {result.layer or ''} {name}"
            role = guess_role(hint, columns, "raster" if result.kind == "raster" else layer.geometry_kind)
        layer._role = _check_role(role)
        layer.fields = guess_fields(columns, role) if columns else {}
        layer._style = default_style_for(layer)
        if role == "evidence" and "opacity" not in options:
            layer._opacity = EVIDENCE_OPACITY
        return layer

    @classmethod
    def from_file(cls, path: os.PathLike | str, layer: str | None = None, role: str | None = None,
                  encoding: str | None = None, *, lat_column: str | None = None, lon_column: str | None = None,
                  crs: Any = None, feedback: Any = None, **options: Any) -> "Layer":
        """Read ``path`` (one layer of it) with :func:`geo.read` and make a layer.

        ``encoding``, ``lat_column``, ``lon_column`` and ``crs`` go to :func:`geo.read` and are kept
        in ``read_options``; ``options`` are further :class:`Layer` keyword arguments.

        Raises
        ------
        DataReadError
            The file cannot be read; the message names it.
        CrsError
            ``crs`` is not a CRS.
        """
        read_options = {"encoding": encoding, "lat_column": lat_column, "lon_column": lon_column,
                        "crs": crs_text(crs) if crs is not None else None}
        read_options = {key: value for key, value in read_options.items() if value is not None}
        result = geo.read(path, layer=layer, feedback=feedback, **read_options)
        return cls.from_read_result(result, role=role, read_options=read_options, **options)

    @classmethod
    def missing_source(cls, name: str, path: os.PathLike | str | None, reason: str | None = None,
                       **options: Any) -> "Layer":
        """A placeholder for a layer whose source cannot be found or read (no data, ``missing`` set)."""
        return cls(name, None, source=path, missing=True, missing_reason=reason, **options)

    # -- the source: CRS, encoding, relinking ---------------------------------------------------------
    def assign_crs(self, crs: Any) -> None:
        """Say which CRS the layer's coordinates are in (a file without one, or a wrong one): the
        numbers are not transformed. Kept in ``read_options`` so a project reopens it so.

        Raises
        ------
        CrsError
            ``crs`` is not a CRS, or the layer has no geometry.
        """
        from geo.crs import assign

        if self.read_result is None:
            raise CrsError(f"{self.name}: the layer has no file read to assign a CRS to")
        result = assign(self.read_result, crs)
        self.read_options["crs"] = crs_text(result.crs)
        self.read_result = result
        self.data = result.data
        self.crs = result.crs
        self.events.crs.emit(value=result.crs)

    def reload(self, feedback: Any = None, **read_options: Any) -> None:
        """Read the source again with ``read_options`` changed (``encoding="cp1252"`` to override
        the text encoding; ``None`` as a value goes back to the automatic choice). The layer keeps
        its id, name, style and the field mapping of the columns still present.

        Raises
        ------
        DataReadError
            The file cannot be read with those options; the layer is left as it was.
        """
        options = {**self.read_options, **read_options}
        options = {key: value for key, value in options.items() if value is not None}
        self._read_from(self.source, options, feedback)

    def relink(self, path: os.PathLike | str, feedback: Any = None) -> None:
        """Point a layer (a missing one, usually) at the file's new place and read it.

        Raises
        ------
        DataReadError
            The file cannot be read; the layer is left as it was.
        """
        self._read_from(Path(path), dict(self.read_options), feedback)

    def _read_from(self, source: Path | None, options: dict[str, Any], feedback: Any) -> None:
        if source is None:
            raise DataReadError(f"{self.name}: the layer was made in Khanij and has no file to read")
        result = geo.read(source, layer=self.layer_name, feedback=feedback, **options)
        self.source = Path(source)
        self.read_options = options
        self.read_result = result
        self.kind = result.kind
        self.missing, self.missing_reason = False, None
        columns = set(self.columns_of(result.data))
        self._fields = {field: column for field, column in self._fields.items() if column in columns}
        self.crs = result.crs
        self.data = result.data
        self.events.fields.emit(value=self._fields)

    @staticmethod
    def columns_of(data: Any) -> list[str]:
        """Attribute column names of a layer's data (no geometry column)."""
        if not isinstance(data, pd.DataFrame):
            return []
        geometry = getattr(data, "_geometry_column_name", None)
        return [str(column) for column in data.columns if column != geometry]

    # -- evented attributes -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if value != self._name:
            self._name = value
            self.events.name.emit(value=value)

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        if bool(value) != self._visible:
            self._visible = bool(value)
            self.events.visible.emit(value=self._visible)

    @property
    def opacity(self) -> float:
        return self._opacity

    @opacity.setter
    def opacity(self, value: float) -> None:
        value = self._checked_opacity(value)
        if value != self._opacity:
            self._opacity = value
            self.events.opacity.emit(value=value)

    @staticmethod
    def _checked_opacity(value: float) -> float:
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"opacity {value} is outside 0..1")
        return value

    @property
    def role(self) -> str | None:
        return self._role

    @role.setter
    def role(self, value: str | None) -> None:
        if _check_role(value) != self._role:
            self._role = value
            self.events.role.emit(value=value)

    @property
    def fields(self) -> dict[str, str]:
        """The field mapping: canonical field (``licence``, ``state`` …) → the layer's column.
        Assign a new dict to change it (that emits ``fields``); do not edit it in place."""
        return self._fields

    @fields.setter
    def fields(self, value: dict[str, str]) -> None:
        value = {str(field): str(column) for field, column in dict(value or {}).items() if column}
        if value != self._fields:
            self._fields = value
            self._class_indices = None
            self.events.fields.emit(value=value)

    @property
    def style(self) -> Style:
        return self._style

    @style.setter
    def style(self, value: Style) -> None:
        """Always emits, so a style edited in place is redrawn by assigning it back."""
        self._style = value
        self._class_indices = None
        self.events.style.emit(value=value)

    @property
    def data(self) -> Any:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        """New data (e.g. a repaired copy); a filter that no longer fits is dropped."""
        self._data_version += 1
        self._put_data(value)

    @property
    def data_version(self) -> int:
        """Goes up whenever the features or their values may have changed (:attr:`data` assigned),
        not when columns are put beside them (:meth:`add_columns`): what tells a score reading
        this layer that it is out of date."""
        return self._data_version

    def add_columns(self, columns: Mapping[str, Any]) -> None:
        """Put ``columns`` (name → one value per feature) beside the layer's own, e.g. the
        converter's results, and emit ``data``.

        The features and the values already there stay as they were, so :attr:`data_version`
        stays too, unless a column of the same name already held other values.
        """
        before = self._data
        frame = before.assign(**columns)
        if any(name in before.columns and not before[name].equals(frame[name]) for name in columns):
            self._data_version += 1
        self._put_data(frame)

    def _put_data(self, value: Any) -> None:
        self._data = value
        if getattr(value, "crs", None) is not None:
            self.crs = value.crs
        self._forget_derived()
        if self._filter_mask is not None and len(self._filter_mask) != self.feature_count:
            self._filter_mask = None
            self.events.filter.emit(value=None)
        self.events.data.emit(value=value)

    @property
    def filter_mask(self) -> np.ndarray | None:
        return self._filter_mask

    @filter_mask.setter
    def filter_mask(self, value: Sequence[bool] | np.ndarray | None) -> None:
        if value is not None:
            value = np.asarray(value, dtype=bool)
            if value.shape != (self.feature_count,):
                raise ValueError(f"layer {self.name!r}: a filter of {value.size} values does not fit "
                                 f"{self.feature_count} features")
        self._filter_mask = value
        self.events.filter.emit(value=value)

    # -- derived, cached --------------------------------------------------------------------------

    def _forget_derived(self) -> None:
        self._class_indices: np.ndarray | None = None
        self._bounds: tuple[float, float, float, float] | None = None
        self._geometry_kind: str | None = None
        self._derived_known = False

    def _derive(self) -> None:
        if self._derived_known:
            return
        if self.kind == "vector" and self._data is not None and hasattr(self._data, "geometry"):
            import shapely

            geometries = np.asarray(self._data.geometry.values, dtype=object)
            self._geometry_kind = geometry_kind_of(geometries)
            bounds = shapely.bounds(geometries)                   # NaN for missing and empty geometries
            present = bounds[~np.isnan(bounds).any(axis=1)]
            self._bounds = ((float(present[:, 0].min()), float(present[:, 1].min()), float(present[:, 2].max()),
                             float(present[:, 3].max())) if len(present) else None)
        elif self.kind == "raster" and self._data is not None:
            self._bounds = tuple(float(v) for v in self._data.bounds)
        self._derived_known = True

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(minx, miny, maxx, maxy) in the layer's CRS; ``None`` without geometry."""
        self._derive()
        return self._bounds

    @property
    def geometry_kind(self) -> str | None:
        """"point", "line", "polygon", "mixed" for vectors; ``None`` for rasters, tables and empty layers."""
        self._derive()
        return self._geometry_kind

    @property
    def columns(self) -> list[str]:
        """Attribute column names (no geometry column); empty for rasters and missing layers."""
        return self.columns_of(self._data)

    @property
    def feature_count(self) -> int:
        return len(self._data) if isinstance(self._data, pd.DataFrame) else 0

    def class_indices(self) -> np.ndarray:
        """The style's class of every feature (index into the categories, ``-1`` = other); all 0
        for a single-colour style. Cached until the style or the data change."""
        if self._class_indices is None:
            if isinstance(self._style, CategorisedStyle) and isinstance(self._data, pd.DataFrame):
                self._class_indices = self._style.classify_frame(self._data)
            else:
                self._class_indices = np.zeros(self.feature_count, dtype=np.int64)
        return self._class_indices

    def shown_mask(self) -> np.ndarray:
        """Features to draw: inside the filter and in a category switched on in the legend."""
        shown = np.ones(self.feature_count, dtype=bool) if self._filter_mask is None else self._filter_mask.copy()
        if isinstance(self._style, CategorisedStyle):
            shown &= self._style.visible_mask(self.class_indices())
        return shown

    # -- filter by state --------------------------------------------------------------------------

    def _state_values(self) -> pd.Series | None:
        column = self.fields.get("state")
        if column is None or not isinstance(self._data, pd.DataFrame) or column not in self._data.columns:
            return None
        return self._data[column].astype("string").str.strip().fillna("")

    def set_filter_states(self, states: Sequence[str] | None) -> None:
        """Show only the features whose ``state`` field is one of ``states`` (``None``: all).

        Raises
        ------
        ValueError
            The layer has no ``state`` field.
        """
        if states is None:
            self.filter_mask = None
            return
        values = self._state_values()
        if values is None:
            raise ValueError(f"layer {self.name!r} has no state field to filter by")
        self.filter_mask = values.isin([str(state).strip() for state in states]).to_numpy()

    def filter_states(self) -> list[str] | None:
        """The states shown, when the filter is exactly "these states"; else ``None``."""
        values = self._state_values()
        if self._filter_mask is None or values is None:
            return None
        shown, hidden = set(values[self._filter_mask]), set(values[~self._filter_mask])
        return sorted(shown) if not shown & hidden else None


def _batched(method):
    """Run a :class:`LayerList` method inside :meth:`LayerList.batch`."""
    @functools.wraps(method)
    def run_batched(self, *args, **kwargs):
        with self.batch():
            return method(self, *args, **kwargs)
    return run_batched


class LayerList(EventedList):
    """The layers of a map; index 0 is the top of the drawing order (as in QGIS's layer tree).

    Events: ``inserted``, ``removed``, ``moved``, ``reordered`` (from :class:`EventedList`),
    ``layer_changed(layer, what)`` for any layer's attribute event (``what`` is the event name:
    "visible", "style" ...), and ``changed()``: once per change outside :meth:`batch`, once per
    outermost batch inside.
    """

    _EVENTS = EventedList._EVENTS + ("layer_changed", "changed")

    def __init__(self, data: Sequence[Layer] = ()):
        self._batch_depth = 0
        self._batch_dirty = False
        super().__init__()
        self.events.inserted.connect(self._on_inserted)
        self.events.removed.connect(self._on_removed)
        self.events.reordered.connect(self._note_change)
        self.extend(data)

    @contextlib.contextmanager
    def batch(self) -> Iterator["LayerList"]:
        """Coalesce every change inside into one ``changed`` at the end of the outermost batch."""
        self._batch_depth += 1
        try:
            yield self
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and self._batch_dirty:
                self._batch_dirty = False
                self.events.changed.emit()

    @_batched
    def insert(self, index: int, value: Layer) -> None:
        if not isinstance(value, Layer):
            raise TypeError(f"a LayerList holds Layer objects, not {type(value).__name__}")
        if any(layer is value for layer in self):
            raise ValueError(f"layer {value.name!r} is already in the list")
        super().insert(index, value)

    # Each mutation runs as a batch, so ``changed`` comes once and after the detailed events.
    __delitem__ = _batched(EventedList.__delitem__)
    __setitem__ = _batched(EventedList.__setitem__)
    move = _batched(EventedList.move)
    reverse = _batched(EventedList.reverse)
    extend = _batched(EventedList.extend)
    clear = _batched(EventedList.clear)

    def _on_inserted(self, event: Event) -> None:
        for emitter in event.value.events:
            emitter.connect(self._relay)
        self._note_change()

    def _on_removed(self, event: Event) -> None:
        for emitter in event.value.events:
            emitter.disconnect(self._relay)
        self._note_change()

    def _relay(self, event: Event) -> None:
        self.events.layer_changed.emit(layer=event.source, what=event.type)
        self._note_change()

    def _note_change(self, event: Event | None = None) -> None:
        if self._batch_depth:
            self._batch_dirty = True
        else:
            self.events.changed.emit()

    def by_role(self, role: str) -> list[Layer]:
        """The layers with this role, top first."""
        return [layer for layer in self if layer.role == role]

    def find(self, name: str) -> Layer | None:
        """The top-most layer called ``name``, or ``None``."""
        return next((layer for layer in self if layer.name == name), None)
