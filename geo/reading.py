"""``geo.read``: one entry point for every file the user brings (DESIGN.md §3.1).

The file's kind is decided by its extension; a file that is missing, a folder, empty, of an
unsupported type or damaged raises :class:`geo.errors.DataReadError` naming the file and the
problem (what the parsing libraries raise is translated in one place, :mod:`geo.failures`).
Source files are only ever read.

Examples
--------
>>> result = read("Facilities.shp")                      # doctest: +SKIP
>>> result.kind, result.crs_label, result.null_geometries  # doctest: +SKIP
('vector', 'EPSG:4326', 0)
>>> [r.layer for r in read_all("AMC Facilities.kml")]     # doctest: +SKIP
['48_New_wards', 'Ward Office', 'Zonal Office', 'Municipal Gym', 'Swimming Pools', 'library']
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from geo import limits
from geo.errors import CrsError, DataReadError, describe_path
from geo.failures import reading
from geo.feedback import ensure_feedback
from geo.result import ReadResult

VECTOR_SUFFIXES = frozenset({".shp", ".gpkg", ".geojson", ".json", ".topojson", ".kml", ".kmz", ".fgb", ".gml"})
TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})
RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".img", ".vrt", ".asc", ".jp2", ".nc", ".hgt", ".bil", ".dem"})
SHAPEFILE_SIDECARS = frozenset({".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".qmd"})


def read(path: os.PathLike | str, layer: Optional[str] = None, *, encoding: Optional[str] = None,
         lat_column: Optional[str] = None, lon_column: Optional[str] = None, crs=None,
         feedback=None, layers: Optional[list[str]] = None) -> ReadResult:
    """Read one layer of a vector file, one CSV/XLSX table, or open a raster.

    Parameters
    ----------
    path : path-like
    layer : str, optional
        GeoPackage table, KML folder, TopoJSON object or XLSX sheet; default the first.
    encoding : str, optional
        Attribute text encoding to use instead of the detected one (shapefiles, CSV).
    lat_column, lon_column : str, optional
        CSV/XLSX coordinate columns, when their names are not recognised.
    crs : optional
        A CRS to assign (e.g. to a shapefile without ``.prj``); the result says "assigned".
    feedback : geo.feedback.Feedback, optional
    layers : list of str, optional
        The file's layer names as :func:`list_layers` gave them, when the caller has them (so that
        reading each layer of a file does not list them all again).

    Returns
    -------
    ReadResult

    Raises
    ------
    DataReadError
        The file is missing, a folder, empty, unsupported, or cannot be decoded.
    CrsError
        ``crs`` is not a CRS, or is projected where latitude/longitude columns need degrees.
    """
    path = checked_path(path)
    kind = kind_of(path)
    feedback = ensure_feedback(feedback)
    if kind == "table":
        _check_table_crs(path, crs)
    with reading(path, f"layer '{layer}'" if layer is not None else None):
        result = _read(path, kind, layer, encoding, lat_column, lon_column, feedback, layers)
    if crs is not None:
        from geo.crs import assign

        result = assign(result, crs)
    return result


def _read(path: Path, kind: str, layer, encoding, lat_column, lon_column, feedback, layers) -> ReadResult:
    if kind == "raster":
        from geo.raster import read_raster

        return read_raster(path, feedback)
    if kind == "table":
        from geo.tabular import read_table

        return read_table(path, layer, encoding, lat_column, lon_column, feedback)
    from geo.vector import read_vector

    return read_vector(path, layer, encoding, feedback, layers)


def read_all(path: os.PathLike | str, **options) -> list[ReadResult]:
    """Every layer of a file (each GeoPackage table, KML folder, TopoJSON object, XLSX sheet).

    ``options`` are :func:`read`'s keyword options; ``feedback`` spans all the layers. A file with
    more than :data:`geo.limits.LAYERS_READ_AT_ONCE` layers gives its first ones and says so.
    """
    feedback = ensure_feedback(options.pop("feedback", None))
    names = list_layers(path)
    chosen = names[:limits.LAYERS_READ_AT_ONCE.value]
    results = []
    for index, name in enumerate(chosen):
        part = feedback.sub(index / len(chosen), (index + 1) / len(chosen))
        results.append(read(path, name, feedback=part, layers=names, **options))
    if len(chosen) < len(names):
        results[0].messages.append(limits.refusal(
            describe_path(path), f"it has {len(names):,} layers and only the first {len(chosen)} were read",
            limits.LAYERS_READ_AT_ONCE, "open any other layer by its name"))
    return results


def list_layers(path: os.PathLike | str) -> list[str]:
    """Names of the layers a file holds (a raster or CSV is one layer named after the file)."""
    path = checked_path(path)
    kind = kind_of(path)
    if kind == "raster":
        return [path.stem]
    with reading(path):
        if kind == "table":
            from geo.tabular import table_layers

            names = table_layers(path)
        else:
            from geo.vector import vector_layers

            names = vector_layers(path)
    if not names:
        raise DataReadError(f"{describe_path(path)} holds no layers, so there is nothing to read (e.g. a KML "
                            "document without placemarks or folders)")
    return names


def checked_path(path: os.PathLike | str) -> Path:
    """``path`` as a Path after checking it is an existing, non-empty file."""
    path = Path(path)
    name = describe_path(path)
    if not path.exists():
        raise DataReadError(f"{name}: file not found ({path})")
    if path.is_dir():
        raise DataReadError(f"{name} is a folder, not a file; open a file inside it")
    if path.stat().st_size == 0:
        raise DataReadError(f"{name} is empty (0 bytes)")
    return path


def kind_of(path: Path) -> str:
    """"vector", "table" or "raster" from the extension; DataReadError for anything else."""
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        return "vector"
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix in RASTER_SUFFIXES:
        return "raster"
    name = describe_path(path)
    if suffix in SHAPEFILE_SIDECARS:
        raise DataReadError(f"{name} is part of a shapefile; open {path.stem}.shp instead")
    supported = ", ".join(sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES | RASTER_SUFFIXES))
    raise DataReadError(f"{name}: files of type '{suffix or 'without extension'}' are not supported "
                        f"(Khanij reads {supported})")


def _check_table_crs(path: Path, crs) -> None:
    """Latitude/longitude columns are degrees: refuse a projected CRS for them."""
    if crs is None:
        return
    from geo.crs import crs_label, parse_crs

    target = parse_crs(crs, f"{describe_path(path)}: the CRS to assign")
    if not target.is_geographic:
        raise CrsError(f"{describe_path(path)}: latitude/longitude columns are in degrees, so they cannot be "
                       f"given the projected CRS {crs_label(target)}; choose a geographic CRS")
