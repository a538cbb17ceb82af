"""Vector files through GDAL/OGR (pyogrio): Shapefile, GeoPackage, GeoJSON, TopoJSON, KML, KMZ.

Rows come back exactly as stored: null, empty and invalid geometries are counted and reported,
never dropped or repaired. The GeoJSON/TopoJSON WGS 84 convention is applied only when the file
declares no CRS and its coordinates really are longitudes and latitudes, and the user is told.
"""
from __future__ import annotations

import re
import struct
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from geo import crs as crs_module
from geo.encoding import Encoding, check_codec, shapefile_encoding, sidecar
from geo.errors import DataReadError, describe_path
from geo.feedback import ensure_feedback
from geo.geometry import GeometryReport, check_geometries
from geo.result import ReadResult

CHEAP_OPEN_SUFFIXES = frozenset({".gpkg", ".shp", ".fgb"})
DECODE_THREADS = 2
WKB_POINT_BYTES = 21
JSON_DRIVERS = frozenset({"GeoJSON", "TopoJSON", "GeoJSONSeq"})
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{')
_GDAL_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError, RuntimeError, UnicodeDecodeError)


def problem_messages(name: str, problems: GeometryReport) -> list[str]:
    """Sentences for the user about null, empty and invalid geometries (none when all is well)."""
    messages = []
    if problems.null:
        messages.append(f"{name}: {problems.null} feature(s) have no geometry (null); they are kept "
                        "but cannot be drawn or measured.")
    if problems.empty:
        messages.append(f"{name}: {problems.empty} feature(s) have an empty geometry.")
    if problems.invalid:
        first = next(iter(problems.reasons.items()))
        messages.append(f"{name}: {problems.invalid} geometrie(s) are invalid, e.g. row {first[0]}: "
                        f"{first[1]}. They are kept as read; analysis repairs a copy.")
    return messages


def kmz_member(path: Path) -> str:
    """The KML document inside a KMZ (``doc.kml`` if present, else the first ``.kml``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataReadError(f"{describe_path(path)} is not a readable KMZ (zip) file: {exc}") from None
    if not names:
        raise DataReadError(f"{describe_path(path)} is a zip file with no .kml document inside")
    return "doc.kml" if "doc.kml" in names else names[0]


def check_shapefile(shp: Path) -> None:
    """Refuse a shapefile with missing or truncated parts.

    GDAL reads the records past the end of a cut-off ``.shp`` as null geometries without a word,
    so the sizes the headers declare are compared with the files' real sizes first.
    """
    name = describe_path(shp)
    for suffix, what in ((".shx", "index"), (".dbf", "attributes")):
        if sidecar(shp, suffix) is None:
            raise DataReadError(f"{name}: its companion file {shp.stem}{suffix} ({what}) is missing; a shapefile "
                                "needs its .shp, .shx and .dbf together")
    for part in (shp, sidecar(shp, ".shx")):
        header = _head(part, 100)
        if len(header) < 100 or struct.unpack(">i", header[:4])[0] != 9994:
            raise DataReadError(f"{name}: {describe_path(part)} is not a shapefile part (its header is damaged)")
        _check_size(name, part, struct.unpack(">i", header[24:28])[0] * 2)
    dbf = sidecar(shp, ".dbf")
    header = _head(dbf, 12)
    if len(header) < 12:
        raise DataReadError(f"{name}: {describe_path(dbf)} is too short to be a DBF attribute table")
    records, header_length, record_length = struct.unpack("<IHH", header[4:12])
    _check_size(name, dbf, header_length + records * record_length)


def _head(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _check_size(name: str, part: Path, declared: int) -> None:
    actual = part.stat().st_size
    if actual < declared:
        where = name if part.suffix.lower() == ".shp" else f"{name}: {describe_path(part)}"
        raise DataReadError(f"{where} is truncated (its header promises {declared} bytes, "
                            f"the file has {actual}); get a complete copy of the shapefile")


def gdal_source(path: Path) -> str:
    """What GDAL opens for this file: the KML inside a KMZ is read from the zip in memory."""
    if path.suffix.lower() == ".kmz":
        return f"/vsizip/{path}/{kmz_member(path)}"
    return str(path)


def vector_layers(path: Path) -> list[str]:
    """Names of every layer (GeoPackage table, KML folder, TopoJSON object) in the file."""
    try:
        return [str(name) for name in pyogrio.list_layers(gdal_source(path))[:, 0]]
    except _GDAL_ERRORS as exc:
        raise unreadable(path, exc) from None


_GDAL_DRIVER_HINT = re.compile(r"[.;\s]*It might help to specify the correct driver.*$", re.DOTALL)


def unreadable(path: Path, exc: BaseException) -> DataReadError:
    """A DataReadError naming the file, with GDAL's reason minus its repetition of the path and its
    advice to programmers (prefixing the path with a driver name)."""
    reason = _GDAL_DRIVER_HINT.sub("", str(exc).replace(str(path), "")).strip(" :'\".;") or type(exc).__name__
    return DataReadError(f"{describe_path(path)} cannot be read as a vector file (it may be truncated or "
                         f"corrupt): {reason}")


def read_vector(path: Path, layer: Optional[str] = None, encoding: Optional[str] = None,
                feedback=None) -> ReadResult:
    """Read one layer (the first when ``layer`` is None) of a vector file.

    Parameters
    ----------
    path : Path
    layer : str, optional
    encoding : str, optional
        The user's override of the attribute encoding.
    feedback : geo.feedback.Feedback, optional

    Returns
    -------
    ReadResult
        kind "vector" (a GeoDataFrame) or "table" (a DataFrame, for an attribute-only table).
    """
    feedback = ensure_feedback(feedback)
    name = describe_path(path)
    if path.suffix.lower() == ".shp":
        check_shapefile(path)
    text_encoding, messages = _encoding(path, encoding)
    feedback.progress(0.05, f"Reading {name}")
    source = gdal_source(path)
    layers, chosen, info, data = _open_and_read(path, source, layer, text_encoding)
    feedback.progress(0.8, f"Checking geometries of {name}")
    result = ReadResult(path=path, kind="vector" if hasattr(data, "geometry") else "table", data=data,
                        driver=info["driver"], layer=chosen, layers_available=layers,
                        encoding=text_encoding.name, encoding_source=text_encoding.source, messages=messages)
    if layer is None and len(layers) > 1:
        result.messages.append(f"{name} has {len(layers)} layers ({', '.join(layers)}); "
                               f"this is '{chosen}'.")
    if result.kind == "vector":
        _set_crs(result)
        _set_problems(result)
    feedback.progress(1.0, f"Read {name}")
    return result


def _open_and_read(path: Path, source: str, layer: Optional[str], text_encoding: Encoding):
    """(every layer name, the layer read, GDAL's info on it, its data frame).

    A single-layer file is read (through the Arrow path when pyarrow is there) while a second
    thread asks GDAL for its layer info: both parse the whole file, and both release the GIL, so
    on two cores a GeoJSON costs one parse instead of two. The layer checks still speak first.
    """
    if not _single_layer(path):
        layers, chosen, info = _open_layer(path, source, layer)
        return layers, chosen, info, _read_frame(path, source, chosen, text_encoding)
    with ThreadPoolExecutor(max_workers=1) as pool:
        opened = pool.submit(_open_layer, path, source, layer)
        try:
            data = _read_frame(path, source, layer, text_encoding)
        except DataReadError:
            opened.result()  # a missing layer is the clearer message
            raise
        return (*opened.result(), data)


def _read_frame(path: Path, source: str, layer: Optional[str], text_encoding: Encoding):
    try:
        if path.suffix.lower() in CHEAP_OPEN_SUFFIXES:
            return _checked_text(_read_columns_and_geometry(source, layer, text_encoding.name))
        return _checked_text(pyogrio.read_dataframe(source, layer=layer, encoding=text_encoding.name,
                                                    use_arrow=True))
    except UnicodeDecodeError as exc:
        raise DataReadError(f"{describe_path(path)}: the attributes are not valid {text_encoding.name} text "
                            f"(encoding taken from the {text_encoding.source}; byte "
                            f"0x{exc.object[exc.start]:02X} cannot be decoded); "
                            "choose the file's encoding, e.g. cp1252") from None
    except _GDAL_ERRORS as exc:
        raise unreadable(path, exc) from None


def _checked_text(frame):
    """The frame, once every Arrow text column is known to be valid UTF-8.

    GDAL recodes attributes to UTF-8 from the encoding it was given; when that encoding is wrong
    (a ``.cpg`` that says UTF-8 over cp1252 bytes) the classic path fails to decode, but the
    Arrow path hands the raw bytes through. The first undecodable value raises the same
    UnicodeDecodeError the classic path would, so the user gets the same message.
    """
    for column in frame.columns:
        if getattr(frame[column].dtype, "storage", None) != "pyarrow":
            continue
        text = pa.array(frame[column].array)
        try:
            text.validate(full=True)
        except pa.ArrowInvalid:
            for value in text.cast(pa.large_binary()).to_pylist():
                if value is not None:
                    value.decode("utf-8")  # raises at the first bad byte
    return frame


def _read_columns_and_geometry(source: str, layer: Optional[str], encoding: str):
    """One layer read through the Arrow path with its attributes and its geometries side by side.

    pyogrio converts the attributes (dates, JSON, strings) while a second read of the geometry
    column alone decodes its WKB in two halves; shapely and GDAL release the GIL, so on two cores
    a large layer costs about half of one pass. Only for formats whose open is cheap (two opens of
    a GeoJSON would parse it twice).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        attributes = pool.submit(pyogrio.read_dataframe, source, layer=layer, encoding=encoding,
                                 read_geometry=False, use_arrow=True)
        meta, table = pyogrio.raw.read_arrow(source, layer=layer, encoding=encoding, columns=[])
        frame = attributes.result()
    if table.num_columns == 0:
        return frame
    wkb = table.column(0).combine_chunks()
    geometries = _plain_points(wkb)
    if geometries is None:
        with ThreadPoolExecutor(max_workers=DECODE_THREADS) as pool:
            halves = pool.map(shapely.from_wkb, np.array_split(wkb.to_numpy(zero_copy_only=False), DECODE_THREADS))
            geometries = np.concatenate(list(halves))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, index=frame.index), crs=meta["crs"])


def _plain_points(wkb: pa.Array) -> Optional[np.ndarray]:
    """Points built straight from their coordinates when every row is a non-empty little-endian
    2D WKB point (21 bytes: order, type 1, x, y), the common layer of stations or wells; None
    otherwise. The doubles are the file's own bits, so the points equal ``from_wkb``'s."""
    if wkb.null_count or not len(wkb):
        return None
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int32 if wkb.type == pa.binary() else np.int64)
    offsets = offsets[wkb.offset:wkb.offset + len(wkb) + 1]
    if not (np.diff(offsets) == WKB_POINT_BYTES).all():
        return None
    records = np.frombuffer(wkb.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].reshape(-1, WKB_POINT_BYTES)
    if not ((records[:, 0] == 1).all() and (records[:, 1:5].view("<u4").ravel() == 1).all()):
        return None
    x, y = (np.ascontiguousarray(records[:, start:start + 8]).view("<f8").ravel() for start in (5, 13))
    if np.isnan(x).any() or np.isnan(y).any():
        return None  # an empty point is written as NaN coordinates
    return shapely.points(x, y)


def _open_layer(path: Path, source: str, layer: Optional[str]) -> tuple[list[str], str, dict]:
    """(every layer name, the layer to read, GDAL's info on it), opening the file as few times as possible.

    GDAL parses a whole GeoJSON file each time it opens it, so single-layer formats are not asked
    for their layer list separately: their one layer is the one ``read_info`` reports.
    """
    name = describe_path(path)
    layers = None if _single_layer(path) else vector_layers(path)
    if layers is not None and not layers:
        raise DataReadError(f"{name} holds no layers")
    if layers is not None and layer is not None and layer not in layers:
        raise DataReadError(f"{name} has no layer '{layer}'; its layers are: {', '.join(layers)}")
    try:
        info = pyogrio.read_info(source, layer=(layer or layers[0]) if layers is not None else None)
    except _GDAL_ERRORS as exc:
        raise unreadable(path, exc) from None
    layers = layers or [str(info["layer_name"])]
    if layer is not None and layer not in layers:
        raise DataReadError(f"{name} has no layer '{layer}'; its only layer is '{layers[0]}'")
    return layers, layer if layer is not None else layers[0], info


def _single_layer(path: Path) -> bool:
    """Formats that hold exactly one layer: Shapefile, FlatGeobuf, GeoJSON (a .json that is not TopoJSON)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        with open(path, "rb") as handle:
            return b'"Topology"' not in handle.read(4096)
    return suffix in (".shp", ".geojson", ".fgb")


def _encoding(path: Path, override: Optional[str]) -> tuple[Encoding, list[str]]:
    if path.suffix.lower() == ".shp":
        return shapefile_encoding(path, override)
    if override:
        return Encoding(check_codec(override, path), "user"), []
    return Encoding("UTF-8", "format"), []


def _set_crs(result: ReadResult) -> None:
    """Set ``crs``/``crs_status`` honestly, applying the GeoJSON WGS 84 convention where it fits."""
    gdf = result.data
    if result.driver in JSON_DRIVERS and not _declares_crs(result.path):
        if _looks_like_lonlat(gdf):
            result.data = gdf.set_crs(crs_module.WGS84, allow_override=True)
            result.crs, result.crs_status = result.data.crs, "assumed"
            result.messages.append(crs_module.assumed_crs_message(result))
            return
        result.data = gdf.set_crs(None, allow_override=True)
    if result.data.crs is None:
        result.crs, result.crs_status = None, "unknown"
        result.messages.append(crs_module.unknown_crs_message(result))
    else:
        result.crs, result.crs_status = result.data.crs, "declared"


def _declares_crs(path: Path) -> bool:
    """Whether a (Geo/Topo)JSON file has a ``"crs"`` member (GDAL reports EPSG:4326 either way)."""
    if path.suffix.lower() == ".kmz":
        return False
    return _CRS_MEMBER.search(path.read_bytes()) is not None


def _looks_like_lonlat(gdf) -> bool:
    """True when every coordinate lies within longitude ±180 and latitude ±90 (or there are none)."""
    bounds = gdf.total_bounds
    if np.isnan(bounds).any():
        return True
    return bounds[0] >= -180 and bounds[2] <= 180 and bounds[1] >= -90 and bounds[3] <= 90


def _set_problems(result: ReadResult) -> None:
    problems = check_geometries(result.data.geometry)
    result.null_geometries, result.empty_geometries = problems.null, problems.empty
    result.invalid_geometries = problems.invalid
    result.invalid_reasons = {_plain(label): str(reason) for label, reason in problems.reasons.items()}
    name = describe_path(result.path)
    label = f"{name}, layer '{result.layer}'" if len(result.layers_available) > 1 else name
    result.messages.extend(problem_messages(label, problems))


def _plain(label):
    """A numpy scalar index label as a plain Python value (JSON- and dict-friendly)."""
    return label.item() if hasattr(label, "item") else label
