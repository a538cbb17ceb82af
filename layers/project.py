"""The project file (``.khanij``, JSON): which files are open and how they are shown.

A project stores, per layer and in drawing order (top first): the source path relative to the
project file's folder, the layer inside the file, how it was read (encoding, coordinate columns,
an assigned CRS), role, field mapping, style, visibility, opacity and a filter by state; plus the
map extent, the display CRS and ``extra`` (the scoring setup). Data are never copied into it.

Work that has no source file is kept in a GeoPackage beside the project (``P.data.gpkg`` for
``P.khanij``): the readiness scores and the columns added to a layer (converted UNFC codes), one
table each, restored on opening. Both files are written atomically (a temporary file renamed into
place): an interrupted save leaves the previous project intact. Opening a project whose source file has gone opens that layer as *missing*
rather than failing; a project file that cannot be understood raises :class:`DataReadError`.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from geo import limits
from geo.atomic import atomic_path, write_error
from geo.errors import CrsError, DataReadError, DataWriteError, describe_path
from geo.feedback import ensure_feedback
from geo.tables import write_table
from layers.layer import KINDS, Layer, LayerList, crs_text
from layers.style import style_from_dict

FORMAT = "khanij-project"
VERSION = 1
SUFFIX = ".khanij"
DEFAULT_DISPLAY_CRS = "EPSG:7755"


@dataclass
class Project:
    """An opened project: the layers (top first), the extent and CRS of the map, the scoring setup,
    and ``messages`` for the user (layers opened as missing, filters that no longer apply)."""

    layers: LayerList
    extent: tuple[float, float, float, float] | None = None
    display_crs: str = DEFAULT_DISPLAY_CRS
    extra: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    scores: Any = None


COMPANION_SUFFIX = ".data.gpkg"
SCORES_TABLE = "readiness_scores"


def companion_path(path: os.PathLike | str) -> Path:
    """The GeoPackage beside a project holding its scores and added columns (``P.data.gpkg``)."""
    path = Path(path)
    return path.with_name(path.stem + COMPANION_SUFFIX)


def added_columns(layer: Layer) -> list[str]:
    """Columns of ``layer`` that its file does not have (added in Khanij, e.g. converted codes)."""
    result = layer.read_result
    if result is None or not isinstance(result.data, pd.DataFrame) or layer.missing:
        return []
    original = set(Layer.columns_of(result.data))
    return [column for column in layer.columns if column not in original]


def _columns_table(layer: Layer) -> str:
    return f"columns_{layer.id}"


# -- paths -----------------------------------------------------------------------------------------


def stored_path(source: os.PathLike | str, folder: Optional[os.PathLike | str]) -> str:
    """``source`` as a project stores it: relative to the project's ``folder`` with "/" separators;
    absolute without a folder or when no relative path exists (another drive on Windows)."""
    absolute = os.path.abspath(source)
    if folder is None:
        return Path(absolute).as_posix()
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(folder))).as_posix()
    except ValueError:
        return Path(absolute).as_posix()


def source_path(stored: str, folder: Optional[os.PathLike | str]) -> Path:
    """A stored path made absolute against the project's ``folder`` (absolute paths stay as they are)."""
    return Path(os.path.normpath(os.path.join(os.path.abspath(folder or os.curdir), stored)))


def _folder_of(path: os.PathLike | str) -> str:
    return os.path.dirname(os.path.abspath(path))


# -- saving ----------------------------------------------------------------------------------------


def _filter_entry(layer: Layer) -> dict[str, Any] | None:
    """A filter by state as the state names; any other filter as the hidden row numbers."""
    if layer.filter_mask is None:
        return None
    states = layer.filter_states()
    if states is not None:
        return {"states": states}
    hidden = np.flatnonzero(~layer.filter_mask)
    return {"hidden_rows": hidden.tolist(), "feature_count": layer.feature_count}


def _read_options(layer: Layer) -> dict[str, Any]:
    options = dict(layer.read_options)
    result = layer.read_result
    if result is not None and result.crs_status == "assigned" and layer.crs is not None:
        options["crs"] = crs_text(layer.crs)
    return options


def _layer_entry(layer: Layer, folder: str) -> dict[str, Any]:
    return {
        "id": layer.id,
        "name": layer.name,
        "source": stored_path(layer.source, folder) if layer.source is not None else None,
        "layer": layer.layer_name,
        "kind": layer.kind,
        "read_options": _read_options(layer),
        "role": layer.role,
        "fields": dict(layer.fields),
        "visible": layer.visible,
        "opacity": layer.opacity,
        "illustrative": layer.illustrative,
        "style": layer.style.to_dict(),
        "filter": _filter_entry(layer),
        "added_columns": added_columns(layer),
    }


def _checked_extent(extent, where: str) -> list[float] | None:
    if extent is None:
        return None
    try:
        values = [float(value) for value in extent]
    except (TypeError, ValueError):
        values = []
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        raise ValueError(f"{where}: the extent {extent!r} is not four finite numbers")
    return values


def project_payload(path: os.PathLike | str, layer_list: LayerList, extent=None,
                    display_crs: str = DEFAULT_DISPLAY_CRS, extra: dict | None = None,
                    companion: bool = False) -> dict[str, Any]:
    """The JSON-ready content of a project file saved at ``path`` (paths relative to its folder)."""
    folder = _folder_of(path)
    return {
        "companion": companion_path(path).name if companion else None,
        "format": FORMAT,
        "version": VERSION,
        "display_crs": display_crs,
        "extent": _checked_extent(extent, describe_path(path)),
        "layers": [_layer_entry(layer, folder) for layer in layer_list],
        "extra": dict(extra or {}),
    }


def save_project(path: os.PathLike | str, layer_list: LayerList, extent=None,
                 display_crs: str = DEFAULT_DISPLAY_CRS, extra: dict | None = None, scores=None) -> Path:
    """Save the project to ``path`` atomically; returns the path written.

    ``scores`` (a score table) and every layer's added columns go to the companion GeoPackage
    (:func:`companion_path`), written first, also atomically.

    Raises
    ------
    DataWriteError
        The folder is missing or read-only, the disk is full, or ``extra`` holds something that is
        not JSON data; the previous file at ``path`` is then left as it was.
    """
    path = Path(path)
    tables = {_columns_table(layer): pd.DataFrame(layer.data[columns]).reset_index(drop=True)
              for layer in layer_list if (columns := added_columns(layer))}
    if scores is not None:
        tables = {SCORES_TABLE: scores, **tables}
    if tables:
        (first, frame), *rest = tables.items()
        write_table(frame, companion_path(path), sheet_name=first, extra_sheets=dict(rest))
    try:
        payload = project_payload(path, layer_list, extent, display_crs, extra, companion=bool(tables))
    except ValueError as exc:
        raise DataWriteError(f"cannot save the project: {exc}") from exc
    with atomic_path(path) as tmp:
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                json.dump(payload, handle, ensure_ascii=False, indent=1, allow_nan=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
        except (TypeError, ValueError) as exc:
            raise DataWriteError(f"{describe_path(path)}: cannot save the project: {exc}") from exc
        except OSError as exc:
            raise write_error(path, exc) from exc
    return path


# -- loading ---------------------------------------------------------------------------------------


def _read_payload(path: Path) -> dict[str, Any]:
    name = describe_path(path)
    try:
        size = path.stat().st_size
        if size > limits.TEXT_FILE_BYTES.value:
            raise DataReadError(limits.refusal(name, f"the project file is {size:,} bytes", limits.TEXT_FILE_BYTES))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataReadError(f"{name}: the project file does not exist") from None
    except IsADirectoryError:
        raise DataReadError(f"{name}: is a folder, not a project file") from None
    except UnicodeDecodeError:
        raise DataReadError(f"{name}: is not a Khanij project file (not UTF-8 text)") from None
    except OSError as exc:
        raise DataReadError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataReadError(f"{name}: the project file is damaged (invalid JSON at line {exc.lineno}, "
                            f"column {exc.colno})") from None
    except RecursionError:
        raise DataReadError(limits.refusal(name, "the project file is nested too deeply to be read",
                                           limits.NESTING_DEPTH)) from None
    deep = limits.too_deep(payload)
    if deep is not None:
        raise DataReadError(limits.refusal(name, f"{deep}: nested too deeply", limits.NESTING_DEPTH))
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DataReadError(f"{name}: is not a Khanij project file")
    version = payload.get("version")
    if version != VERSION:
        if isinstance(version, int) and version > VERSION:
            raise DataReadError(f"{name}: was saved by a newer Khanij (project version {version}); "
                                f"this version opens version {VERSION}")
        raise DataReadError(f"{name}: unknown project version {version!r}")
    return payload


def _apply_filter(layer: Layer, entry: dict[str, Any] | None, messages: list[str]) -> None:
    if not entry or layer.missing:
        return
    if "states" in entry:
        try:
            layer.set_filter_states(entry["states"])
        except ValueError:
            messages.append(f"{layer.name}: the filter by state was dropped: the layer has no state field now")
    elif entry.get("feature_count") == layer.feature_count:
        mask = np.ones(layer.feature_count, dtype=bool)
        mask[np.asarray(entry["hidden_rows"], dtype=np.int64)] = False
        layer.filter_mask = mask
    else:
        messages.append(f"{layer.name}: the feature filter was dropped: the file has changed since it was saved")


def _open_layer(entry: dict[str, Any], folder: str, feedback, messages: list[str]) -> Layer:
    """The layer an entry describes, read from its source, or a missing layer saying why."""
    common = {"id": entry["id"], "kind": entry["kind"], "layer_name": entry.get("layer"),
              "role": entry.get("role"), "read_options": entry.get("read_options") or {},
              "illustrative": bool(entry.get("illustrative", False))}
    if entry["kind"] not in KINDS:
        raise ValueError(f"unknown layer kind {entry['kind']!r}")
    stored = entry.get("source")
    if stored is None:
        reason = "made in Khanij and never saved to a file"
        messages.append(f"{entry['name']}: {reason}; opened as a missing layer.")
        return Layer.missing_source(entry["name"], None, reason=reason, **common)
    source = source_path(stored, folder)
    if not source.exists():
        reason = f"the file {source} was not found"
        messages.append(f"{entry['name']}: {reason}; opened as a missing layer.")
        return Layer.missing_source(entry["name"], source, reason=reason, **common)
    try:
        layer = Layer.from_file(source, layer=common["layer_name"], role=common["role"], feedback=feedback,
                                id=common["id"], illustrative=common["illustrative"], **common["read_options"])
    except (DataReadError, CrsError) as exc:
        messages.append(f"{entry['name']}: {exc}; opened as a missing layer.")
        return Layer.missing_source(entry["name"], source, reason=str(exc), **common)
    layer.name = entry["name"]
    return layer


def _restore_layer(entry: dict[str, Any], folder: str, feedback, messages: list[str]) -> Layer:
    layer = _open_layer(entry, folder, feedback, messages)
    layer.fields = dict(entry.get("fields") or {})
    layer.style = style_from_dict(entry["style"])
    layer.visible = bool(entry.get("visible", True))
    layer.opacity = float(entry.get("opacity", 1.0))
    _apply_filter(layer, entry.get("filter"), messages)
    return layer


def load_project(path: os.PathLike | str, feedback=None) -> Project:
    """Open a project file; each layer's source is read again from its (relative) path.

    Parameters
    ----------
    path : path-like
    feedback : geo.feedback.Feedback, optional
        Progress per layer; cancelling raises :class:`geo.errors.Cancelled`.

    Raises
    ------
    DataReadError
        The file is not a Khanij project, is damaged, or was saved by a newer version; the
        message names it. A layer whose source is missing or unreadable does not raise: it opens
        as a missing layer and ``Project.messages`` says so.
    """
    path = Path(path)
    payload = _read_payload(path)
    folder = _folder_of(path)
    feedback = ensure_feedback(feedback)
    messages: list[str] = []
    entries = payload.get("layers") or []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise DataReadError(f"{describe_path(path)}: the project's list of layers is damaged")
    layers = []
    for number, entry in enumerate(entries):
        step = feedback.sub(number / len(entries), (number + 1) / len(entries))
        step.progress(0.0, f"Opening {entry.get('name', 'layer')}")
        try:
            layers.append(_restore_layer(entry, folder, step, messages))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            detail = f"{exc.args[0]!r} is missing" if isinstance(exc, KeyError) else str(exc)
            raise DataReadError(f"{describe_path(path)}: layer {number + 1} of the project is damaged: "
                                f"{detail}") from None
    try:
        extent = _checked_extent(payload.get("extent"), describe_path(path))
    except ValueError as exc:
        raise DataReadError(str(exc)) from None
    extra = payload.get("extra") or {}
    if not isinstance(extra, dict):
        raise DataReadError(f"{describe_path(path)}: the scoring setup ('extra') is damaged")
    scores = _restore_companion(path, payload, entries, layers, messages)
    feedback.progress(1.0, "Project opened")
    return Project(LayerList(layers), tuple(extent) if extent else None,
                   str(payload.get("display_crs") or DEFAULT_DISPLAY_CRS), extra, messages, scores)


def _restore_companion(path: Path, payload: dict, entries: list, layers: list[Layer], messages: list[str]):
    """Put the added columns back on their layers; return the saved scores (None without)."""
    import pyogrio

    name = payload.get("companion")
    if not name:
        return None
    companion = Path(_folder_of(path)) / str(name)
    if not companion.exists():
        messages.append(f"{describe_path(companion)} was not found: the saved scores and added columns are not restored.")
        return None
    try:
        tables = {str(row[0]) for row in pyogrio.list_layers(companion)}
        for entry, layer in zip(entries, layers):
            columns = entry.get("added_columns") or []
            table = _columns_table(layer)
            if not columns or table not in tables or layer.missing:
                continue
            added = pyogrio.read_dataframe(companion, layer=table, read_geometry=False)
            if len(added) != layer.feature_count:
                messages.append(f"{layer.name}: the added columns {', '.join(columns)} were not restored: "
                                "the file has changed since the project was saved")
                continue
            layer.add_columns({column: added[column].to_numpy() for column in columns})
        return pyogrio.read_dataframe(companion, layer=SCORES_TABLE) if SCORES_TABLE in tables else None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, KeyError) as exc:
        messages.append(f"{describe_path(companion)} cannot be read ({exc}): the saved scores and added "
                        "columns are not restored.")
        return None
