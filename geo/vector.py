"""Vector files through GDAL/OGR (pyogrio): Shapefile, GeoPackage, GeoJSON, TopoJSON, KML, KMZ.

Rows come back exactly as stored: null, empty and invalid geometries are counted and reported,
never dropped or repaired. The GeoJSON/TopoJSON WGS 84 convention is applied only when the file
declares no CRS and its coordinates really are longitudes and latitudes, and the user is told.
"""
from __future__ import annotations

import atexit
import functools
import json
import queue
import re
import shutil
import struct
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, Optional

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
import shapely.errors

from geo import crs as crs_module
from geo import limits
from geo.encoding import Encoding, check_codec, shapefile_encoding, sidecar
from geo.errors import DataReadError, describe_path
from geo.failures import problem_in_words
from geo.gdal_config import thread_options
from geo.feedback import ensure_feedback
from geo.geometry import Diagnosis, GeometryReport, check_geometries, diagnose
from geo.offline import import_pyogrio
from geo.result import ReadResult, RejectedRow

pyogrio = import_pyogrio()
import pyogrio.raw  # noqa: E402
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError  # noqa: E402
from pyogrio.geopandas import _try_parse_datetime  # noqa: E402  (pyogrio's own date-time parsing, pinned)

CHEAP_OPEN_SUFFIXES = frozenset({".gpkg", ".shp", ".fgb"})
GEOMETRY_BATCH = 200_000  # features per Arrow batch of a geometry column read beside its attributes
DOCUMENT_BATCH = 64  # features per Arrow batch of a GeoJSON/KML read: small, so checks overlap the parse
SCHEMA_SAMPLE_FRACTION = 8
SCHEMA_SAMPLE_MIN_BYTES = 2 * 40_960  # two of the GeoJSON driver's read buffers: at least one is read
WKB_POINT_BYTES = 21
JSON_DRIVERS = frozenset({"GeoJSON", "TopoJSON", "GeoJSONSeq"})
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}')
_REMOTE_CRS = re.compile(rb'"link"|://|/vsi', re.IGNORECASE)
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
    """Refuse a shapefile whose parts are missing, truncated or disagree with each other.

    GDAL reads such files without a word: records past the end of a cut-off ``.shp`` become null
    geometries, a ``.dbf`` with fewer records than the ``.shp`` silently shortens the layer, a
    ``.dbf`` header that declares no fields loses every attribute, and a ``.shx`` whose offsets all
    point at one record gives every feature that record's shape. The headers are small fixed
    binary layouts, so they are compared with each other and with the files' real sizes first.
    """
    name = describe_path(shp)
    for suffix, what in ((".shx", "index"), (".dbf", "attributes")):
        if sidecar(shp, suffix) is None:
            raise DataReadError(f"{name}: its companion file {shp.stem}{suffix} ({what}) is missing; a shapefile "
                                "needs its .shp, .shx and .dbf together")
    shx = sidecar(shp, ".shx")
    for part in (shp, shx):
        header = _head(part, 100)
        if len(header) < 100 or struct.unpack(">i", header[:4])[0] != 9994:
            raise DataReadError(f"{name}: {describe_path(part)} is not a shapefile part (its header is damaged)")
        _check_size(name, part, struct.unpack(">i", header[24:28])[0] * 2)
    shapes = _check_index(name, shp, shx)
    _check_dbf(name, sidecar(shp, ".dbf"), shapes)


DBF_HEADER_BYTES = 32
DBF_FIELD_BYTES = 32


def _check_index(name: str, shp: Path, shx: Path) -> int:
    """The number of shapes the ``.shx`` indexes, after checking that its offsets walk forward
    through the ``.shp`` and stay inside it."""
    with open(shx, "rb") as handle:
        handle.seek(100)
        entries = np.frombuffer(handle.read(), dtype=">i4")
    if entries.size % 2:
        raise DataReadError(f"{name}: {describe_path(shx)} is damaged (its length is not a whole number of "
                            "index entries)")
    offsets, lengths = entries[0::2].astype(np.int64) * 2, entries[1::2].astype(np.int64) * 2
    if offsets.size == 0:
        return 0
    ends = offsets + 8 + lengths
    bad = (offsets < 100) | (lengths < 0) | (ends > shp.stat().st_size)
    bad[1:] |= offsets[1:] < ends[:-1]
    if bad.any():
        record = int(np.flatnonzero(bad)[0]) + 1
        raise DataReadError(f"{name}: {describe_path(shx)} is inconsistent with {describe_path(shp)} (index entry "
                            f"{record} points at a record that overlaps another or lies outside the file); "
                            "get a complete, matching copy of the shapefile")
    return int(offsets.size)


def _check_dbf(name: str, dbf: Path, shapes: int) -> None:
    header = _head(dbf, DBF_HEADER_BYTES)
    if len(header) < DBF_HEADER_BYTES:
        raise DataReadError(f"{name}: {describe_path(dbf)} is too short to be a DBF attribute table")
    records, header_length, record_length = struct.unpack("<IHH", header[4:12])
    if header_length < DBF_HEADER_BYTES + 1 or record_length < 1:
        raise DataReadError(f"{name}: {describe_path(dbf)} has a damaged header (header length {header_length}, "
                            f"record length {record_length}), so no attribute could be read")
    _check_size(name, dbf, header_length + records * record_length)
    if records != shapes:
        raise DataReadError(f"{name}: {describe_path(dbf)} holds {records} attribute record(s) but the shapefile "
                            f"holds {shapes} shape(s); the parts do not belong together, so the layer would be "
                            "silently cut short or misaligned")


def _head(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _check_size(name: str, part: Path, declared: int) -> None:
    actual = part.stat().st_size
    if actual < declared:
        where = name if part.suffix.lower() == ".shp" else f"{name}: {describe_path(part)}"
        raise DataReadError(f"{where} is truncated (its header promises {declared} bytes, "
                            f"the file has {actual}); get a complete copy of the shapefile")


DOCUMENT_SUFFIXES = frozenset({".geojson", ".json", ".topojson", ".kml", ".kmz"})
"""Formats GDAL parses whole into memory, whose size :func:`check_document` bounds."""
_PLACEMARK = b"<Placemark"


def check_document(path: Path) -> None:
    """Refuse a GeoJSON/TopoJSON/KML document larger than :data:`geo.limits.DOCUMENT_BYTES` (for a
    KMZ: its KML, as inflated, and a zip bomb by :data:`geo.limits.ZIP_RATIO`) and a KML or KMZ with
    more than :data:`geo.limits.PLACEMARKS` placemarks, before GDAL builds it in memory."""
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        stat = path.stat()
        _check_document(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _check_document(source: str, _mtime_ns: int, size: int) -> None:
    """:func:`check_document` once per version of a file (reading each layer of a KML checks it again)."""
    path = Path(source)
    name = describe_path(path)
    suffix = path.suffix.lower()
    if suffix == ".kmz":
        member = kmz_member(path)
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > limits.ZIP_RATIO.value * max(info.compress_size, 1) and info.file_size > 1 << 20:
                raise DataReadError(limits.refusal(name, f"its {member} inflates "
                                                   f"{info.file_size // max(info.compress_size, 1):,}-fold",
                                                   limits.ZIP_RATIO))
            with archive.open(info) as stream:
                _check_text(name, stream, info.file_size, count_placemarks=True)
    else:
        with open(path, "rb") as stream:
            _check_text(name, stream, size, count_placemarks=suffix == ".kml")


def _check_text(name: str, stream, size: int, count_placemarks: bool, chunk_bytes: int = 1 << 22) -> None:
    if size > limits.DOCUMENT_BYTES.value:
        raise DataReadError(limits.refusal(name, f"its document is {size:,} bytes", limits.DOCUMENT_BYTES))
    if not count_placemarks:
        return
    placemarks, read, tail = 0, 0, b""
    while chunk := stream.read(chunk_bytes):
        read += len(chunk)
        if read > limits.DOCUMENT_BYTES.value:  # a zip entry that inflates beyond what it declared
            raise DataReadError(limits.refusal(name, f"its document inflates beyond {read:,} bytes",
                                               limits.DOCUMENT_BYTES))
        text = tail + chunk
        placemarks += text.count(_PLACEMARK)
        tail = text[-(len(_PLACEMARK) - 1):]
        if placemarks > limits.PLACEMARKS.value:
            raise DataReadError(limits.refusal(name, f"it holds more than {limits.PLACEMARKS.value:,} placemarks",
                                               limits.PLACEMARKS, "split it, or convert it to a GeoPackage"))


SQLITE_PENDING = ("-wal", "-journal")
"""Side files of an SQLite database (a GeoPackage) holding transactions not yet in the main file."""


def gdal_source(path: Path) -> str:
    """What GDAL opens for this file: the KML inside a KMZ is read from the zip in memory, and a
    GeoPackage with pending transactions is read from a private copy (:func:`_snapshot`)."""
    if path.suffix.lower() == ".kmz":
        return f"/vsizip/{path}/{kmz_member(path)}"
    if path.suffix.lower() == ".gpkg" and any(Path(f"{path}{suffix}").exists() for suffix in SQLITE_PENDING):
        stat = path.stat()
        return str(_snapshot(str(path), stat.st_mtime_ns, stat.st_size))
    return str(path)


@functools.lru_cache(maxsize=8)
def _snapshot(source: str, _mtime_ns: int, _size: int) -> Path:
    """A private copy of a GeoPackage and its ``-wal`` or ``-journal``, removed when the process ends.

    SQLite, even for a reader, replays a write-ahead log into the database when the last connection
    closes (and rolls a hot journal back on open), rewriting the user's file and deleting its side
    files; a read-only or immutable open would not do that but would silently skip the pending
    transactions. Reading a copy gives the data as the writer left it and leaves the source alone.
    """
    folder = Path(tempfile.mkdtemp(prefix="khanij-gpkg-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    original = Path(source)
    for suffix in ("", *SQLITE_PENDING):
        part = Path(f"{original}{suffix}")
        if part.exists():
            shutil.copyfile(part, folder / f"{original.name}{suffix}")
    return folder / original.name


def vector_layers(path: Path) -> list[str]:
    """Names of every layer (GeoPackage table, KML folder, TopoJSON object) in the file."""
    check_document(path)
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
                feedback=None, layers: Optional[list[str]] = None) -> ReadResult:
    """Read one layer (the first when ``layer`` is None) of a vector file.

    Parameters
    ----------
    path : Path
    layer : str, optional
    encoding : str, optional
        The user's override of the attribute encoding.
    feedback : geo.feedback.Feedback, optional
    layers : list of str, optional
        The file's layer names when the caller has listed them already (reading every layer of a
        300-layer GeoPackage must not list them 300 times).

    Returns
    -------
    ReadResult
        kind "vector" (a GeoDataFrame) or "table" (a DataFrame, for an attribute-only table).
    """
    feedback = ensure_feedback(feedback)
    name = describe_path(path)
    if path.suffix.lower() == ".shp":
        check_shapefile(path)
    check_document(path)
    text_encoding, messages = _encoding(path, encoding)
    feedback.progress(0.05, f"Reading {name}")
    source = gdal_source(path)
    layers, chosen, info, (data, rejected, diagnosis, _) = _open_and_read(path, source, layer, text_encoding,
                                                                         layers)
    _nested_as_json(data)
    feedback.progress(0.8, f"Checking geometries of {name}")
    result = ReadResult(path=path, kind="vector" if hasattr(data, "geometry") else "table", data=data,
                        driver=info["driver"], layer=chosen, layers_available=layers,
                        encoding=text_encoding.name, encoding_source=text_encoding.source, messages=messages,
                        rejected_rows=rejected)
    if layer is None and len(layers) > 1:
        result.messages.append(f"{name} has {len(layers)} layers ({', '.join(layers)}); "
                               f"this is '{chosen}'.")
    if result.kind == "vector":
        _set_crs(result)
        _set_problems(result, diagnosis)
    feedback.progress(1.0, f"Read {name}")
    return result


class _Frame(NamedTuple):
    """A layer as read."""

    data: object
    """Its GeoDataFrame, or DataFrame for a layer without geometry."""
    rejected: list
    """The features whose geometry GEOS rejected, as :class:`RejectedRow`."""
    diagnosis: Optional[Diagnosis] = None
    """Of its geometries, when the read found it (:func:`_read_document`)."""
    sampled_schema: Optional[dict] = None
    """The schema GDAL gave the read when it inferred it from the start of the file only."""


def _open_and_read(path: Path, source: str, layer: Optional[str], text_encoding: Encoding,
                   layers: Optional[list[str]]) -> tuple[list[str], str, dict, _Frame]:
    """(every layer name, the layer read, GDAL's info on it, the layer as read).

    A single-layer file, or a named layer of a file whose layers the caller has listed, is read
    (through the Arrow path) while a second thread asks GDAL for its layer info: both parse the
    whole file (a KML document, a GeoPackage's table list), and both release the GIL, so on two
    cores a layer costs one parse instead of two. The layer checks still speak first.

    GDAL reads a GeoJSON file twice, a first pass to learn its fields and a second for the
    features, and the layer info is a first pass of its own. So the read learns its fields from
    the start of the file only (:data:`SCHEMA_SAMPLE_FRACTION`) and the layer info, which scans it
    all, checks them: where the whole file gives any other field, type, CRS or geometry type, the
    layer is read again the usual way. The result is always what a full first pass gives.
    """
    if not _single_layer(path) and (layers is None or layer is None):
        layers, chosen, info = _open_layer(path, source, layer, layers)
        return layers, chosen, info, _read_frame(path, source, chosen, text_encoding)
    with ThreadPoolExecutor(max_workers=1) as pool:
        opened = pool.submit(_open_layer, path, source, layer, layers)
        try:
            frame = _read_frame(path, source, layer, text_encoding, sample_schema=True)
        except DataReadError:
            opened.result()  # a missing layer is the clearer message
            raise
        layers, chosen, info = opened.result()
    if frame.sampled_schema is not None and not _same_schema(frame.sampled_schema, info):
        frame = _read_frame(path, source, layer, text_encoding)
    return layers, chosen, info, frame


SCHEMA_KEYS = ("crs", "fields", "dtypes", "ogr_types", "ogr_subtypes", "fid_column", "geometry_name",
               "geometry_type")
"""What GDAL's first pass over a GeoJSON file decides and its second pass reads the features by."""


ARROW_DEFAULT_FID = "OGC_FID"
"""The FID column GDAL gives an Arrow stream of a layer that names none (its ``FID`` option's default)."""


def _same_schema(sampled: dict, info: dict) -> bool:
    info = {**info, "fid_column": info["fid_column"] or ARROW_DEFAULT_FID}
    return all(np.array_equal(np.asarray(sampled[key], dtype=object), np.asarray(info[key], dtype=object))
               for key in SCHEMA_KEYS)


def _read_frame(path: Path, source: str, layer: Optional[str], text_encoding: Encoding,
                sample_schema: bool = False) -> _Frame:
    """The layer as read; a GeoJSON file's fields learnt from its start when ``sample_schema``."""
    try:
        if path.suffix.lower() in CHEAP_OPEN_SUFFIXES:
            return _read_columns_and_geometry(source, layer, text_encoding.name)
        first_pass = _schema_sample_bytes(path) if sample_schema else None
        return _read_document(source, layer, text_encoding.name, first_pass)
    except UnicodeDecodeError as exc:
        raise DataReadError(f"{describe_path(path)}: the attributes are not valid {text_encoding.name} text "
                            f"(encoding taken from the {text_encoding.source}; byte "
                            f"0x{exc.object[exc.start]:02X} cannot be decoded); "
                            "choose the file's encoding, e.g. cp1252") from None
    except _GDAL_ERRORS as exc:
        raise unreadable(path, exc) from None


def _schema_sample_bytes(path: Path) -> Optional[int]:
    """How much of a GeoJSON file GDAL's first pass reads to learn its fields; None for other files
    and for files too small for a sample to save anything."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return None
    size = path.stat().st_size
    sample = max(size // SCHEMA_SAMPLE_FRACTION, SCHEMA_SAMPLE_MIN_BYTES)
    return sample if sample < size else None


def _nested_as_json(frame) -> None:
    """Write GeoJSON property values that are arrays or objects back as their JSON text, in place.

    The Arrow path hands them over as numpy arrays and dicts, which pandas cannot hash or compare
    (a group-by, a filter or a unique list of such a column raises) and no table format can store;
    as text they stay readable and equal to what the file holds.
    """
    for column in frame.columns:
        if frame[column].dtype != object or column == getattr(frame, "_geometry_column_name", None):
            continue
        values = frame[column].to_numpy()
        nested = np.fromiter((isinstance(v, (list, dict, np.ndarray)) for v in values), dtype=bool, count=len(values))
        if nested.any():
            frame[column] = [json.dumps(v, ensure_ascii=False, default=_json_plain) if n else v
                             for v, n in zip(values, nested)]


def _json_plain(value):
    """A numpy array or scalar inside a property value as the list or number JSON writes."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


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


def _read_columns_and_geometry(source: str, layer: Optional[str], encoding: str) -> _Frame:
    """One layer read through the Arrow path with its attributes and its geometries side by side.

    pyogrio converts the attributes (dates, JSON, strings) on one thread while a second reads the
    geometry column alone in batches, and this thread builds and checks each batch's geometries
    as it arrives: GDAL reads (without the GIL) while shapely builds (with it), so on two cores a
    large layer costs little more than building its geometries. Only for formats whose open is
    cheap (two opens of a GeoJSON would parse it twice).
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        attributes = pool.submit(pyogrio.read_dataframe, source, layer=layer, encoding=encoding,
                                 read_geometry=False, use_arrow=True)
        columns: queue.Queue = queue.Queue()
        stop = threading.Event()
        reading = pool.submit(_geometry_batches, source, layer, encoding, columns, stop)
        parts = []
        try:
            while (column := columns.get()) is not None:
                parts.append(_decoded_and_diagnosed(column))
        finally:
            stop.set()
        meta, has_geometry = reading.result()
        frame = _checked_text(attributes.result())
    if not has_geometry:
        return _Frame(frame, [])
    return _with_geometries(frame, parts, meta["crs"])


def _geometry_batches(source: str, layer: Optional[str], encoding: str, columns: queue.Queue,
                      stop: threading.Event) -> tuple[dict, bool]:
    """Put the layer's geometry column into ``columns`` batch by batch, then None (also on an
    error, which the caller gets from this call's result): (GDAL's meta, whether it has geometry)."""
    try:
        with pyogrio.raw.open_arrow(source, layer=layer, encoding=encoding, columns=[], use_pyarrow=True,
                                    batch_size=GEOMETRY_BATCH) as (meta, reader):
            has_geometry = len(reader.schema.names) > 0
            for batch in reader:
                if stop.is_set():
                    break
                if has_geometry:
                    columns.put(batch.column(0))
        return meta, has_geometry
    finally:
        columns.put(None)


def _with_geometries(frame, parts: list, crs) -> _Frame:
    """The attribute ``frame`` with the geometries of its batches, ``parts`` as
    :func:`_decoded_and_diagnosed` gives them (rejected rows numbered in the whole layer)."""
    geometries = np.concatenate([part[0] for part in parts]) if parts else np.empty(0, dtype=object)
    starts = np.cumsum([0] + [len(part[0]) for part in parts[:-1]])
    rejected = [RejectedRow(int(start) + row.row, row.reason) for start, part in zip(starts, parts) for row in part[1]]
    frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, index=frame.index), crs=crs)
    return _Frame(frame, rejected, Diagnosis.joined([part[2] for part in parts]))


def _read_document(source: str, layer: Optional[str], encoding: str,
                   first_pass_bytes: Optional[int] = None) -> _Frame:
    """A layer of a document GDAL parses as text (GeoJSON, TopoJSON, KML), its geometries decoded
    and diagnosed batch by batch while GDAL parses the next.

    GDAL's parse of such a file is single-threaded and is most of the read; checking validity
    afterwards would add a fifth to it. Fed in small Arrow batches, the second core decodes the
    WKB and runs the geometry checks while the first is still parsing, so the checks come almost
    free. The frame is built as ``pyogrio.read_dataframe(use_arrow=True)`` builds it. With
    ``first_pass_bytes``, GDAL's GeoJSON driver learns the fields from that much of the file only
    (see :func:`_open_and_read`, which checks them).
    """
    sample = {"OGR_GEOJSON_MAX_BYTES_FIRST_PASS": first_pass_bytes} if first_pass_bytes else {}
    with thread_options(sample) as sampled, \
            pyogrio.raw.open_arrow(source, layer=layer, encoding=encoding, batch_size=DOCUMENT_BATCH,
                                   use_pyarrow=True, datetime_as_string=True) as (meta, reader), \
            ThreadPoolExecutor(max_workers=1) as pool:
        geometry_name = meta["geometry_name"] or "wkb_geometry"
        has_geometry = geometry_name in reader.schema.names
        batches, checked = [], []
        for batch in reader:
            batches.append(batch)
            if has_geometry:
                checked.append(pool.submit(_decoded_and_diagnosed, batch.column(geometry_name)))
        table = pa.Table.from_batches(batches, schema=reader.schema)
        parts = [future.result() for future in checked]
    sampled_schema = meta if sample and sampled else None
    if has_geometry:
        table = table.drop_columns([geometry_name])
    frame = _checked_text(table.to_pandas(self_destruct=True))
    _parse_like_pyogrio(frame, meta)
    if not has_geometry:
        return _Frame(frame, [], None, sampled_schema)
    return _with_geometries(frame, parts, meta["crs"])._replace(sampled_schema=sampled_schema)


def _decoded_and_diagnosed(column: pa.Array) -> tuple[np.ndarray, list[RejectedRow], Diagnosis]:
    """One batch's geometries, the rows among them GEOS refused (numbered within the batch) and
    their diagnosis.

    A batch of plain 2D points (:func:`_plain_xy`) is built from its coordinates and needs no GEOS
    check: none is missing or empty, and a point is valid unless a coordinate is infinite (GEOS
    still judges those few).
    """
    if isinstance(column.type, pa.BaseExtensionType):
        column = column.storage
    xy = _plain_xy(column)
    if xy is not None:
        points = shapely.points(*xy)
        odd = np.flatnonzero(~(np.isfinite(xy[0]) & np.isfinite(xy[1])))
        none = np.zeros(len(points), dtype=bool)
        return points, [], Diagnosis(none, none, odd[~shapely.is_valid(points[odd])])
    blobs = column.to_numpy(zero_copy_only=False)
    geometries = _decoded(blobs)
    rejected = _rejected_geometries(blobs, column.is_null().to_numpy(zero_copy_only=False), geometries)
    return geometries, rejected, diagnose(geometries)


def _parse_like_pyogrio(frame, meta: dict) -> None:
    """Date-times read as text parsed, and JSON fields decoded, in place, as
    ``pyogrio.read_dataframe`` does after its Arrow read (with its default options)."""
    for dtype, subtype, column in zip(meta["dtypes"], meta["ogr_subtypes"], meta["fields"]):
        if dtype is not None and dtype.startswith("datetime") and dtype != "datetime64[D]":
            frame[column] = _try_parse_datetime(frame[column], False, True)
        if subtype == "OFSTJSON" and pd.api.types.infer_dtype(frame[column]) == "string":
            try:
                frame[column] = frame[column].map(json.loads, na_action="ignore")
            except ValueError:
                pass  # not all JSON: kept as the text it is, as pyogrio keeps it


def _decoded(blobs: np.ndarray) -> np.ndarray:
    """Geometries from WKB; None for a blob GEOS refuses (see :func:`_rejected_geometries`)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return shapely.from_wkb(blobs, on_invalid="ignore")


def _rejected_geometries(blobs: np.ndarray, null: np.ndarray, geometries: np.ndarray) -> list[RejectedRow]:
    """The features (numbered from 1, as GIS tables show them) whose WKB GEOS refused, with its
    reason: those without a geometry although the file gave one (``null`` marks the rows it did not)."""
    refused = np.flatnonzero(shapely.is_missing(geometries) & ~null)
    if not refused.size:
        return []
    try:
        shapely.from_wkb(blobs[refused[0]])
        reason = "GEOS cannot build it"
    except shapely.errors.ShapelyError as exc:
        reason = problem_in_words(exc)
    return [RejectedRow(int(position) + 1, f"the geometry cannot be used and was left out ({reason})")
            for position in refused]


def _plain_xy(wkb: pa.Array) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """The coordinates (x, y) when every row is a non-empty little-endian 2D WKB point (21 bytes:
    order, type 1, x, y), the common layer of stations or wells; None otherwise. The doubles are
    the file's own bits, so points built from them equal ``from_wkb``'s."""
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
    return x, y


def _open_layer(path: Path, source: str, layer: Optional[str],
                listed: Optional[list[str]] = None) -> tuple[list[str], str, dict]:
    """(every layer name, the layer to read, GDAL's info on it), opening the file as few times as possible.

    GDAL parses a whole GeoJSON file each time it opens it, so single-layer formats are not asked
    for their layer list separately: their one layer is the one ``read_info`` reports.
    """
    name = describe_path(path)
    layers = None if _single_layer(path) else (listed if listed is not None else vector_layers(path))
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
    crs_member = _crs_member(result.path) if result.driver in JSON_DRIVERS else None
    if crs_member is not None and _REMOTE_CRS.search(crs_member):
        result.messages.append(f"{describe_path(result.path)}: its \"crs\" member points to another file or a web "
                               "address, which Khanij does not fetch; it was ignored.")
        crs_member = None
    if result.driver in JSON_DRIVERS and crs_member is None:
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


def _crs_member(path: Path) -> Optional[bytes]:
    """The text of a (Geo/Topo)JSON file's ``"crs"`` member, None without one (GDAL reports
    EPSG:4326 either way, and a link it could not fetch too)."""
    if path.suffix.lower() == ".kmz":
        return None
    match = _CRS_MEMBER.search(path.read_bytes())
    return match.group(0) if match else None


def _looks_like_lonlat(gdf) -> bool:
    """True when every coordinate lies within longitude ±180 and latitude ±90 (or there are none)."""
    bounds = gdf.total_bounds
    if np.isnan(bounds).any():
        return True
    return bounds[0] >= -180 and bounds[2] <= 180 and bounds[1] >= -90 and bounds[3] <= 90


def _set_problems(result: ReadResult, diagnosis: Optional[Diagnosis] = None) -> None:
    problems = check_geometries(result.data.geometry, diagnosis)
    result.null_geometries, result.empty_geometries = problems.null, problems.empty
    result.invalid_geometries = problems.invalid
    result.invalid_reasons = {_plain(label): str(reason) for label, reason in problems.reasons.items()}
    name = describe_path(result.path)
    label = f"{name}, layer '{result.layer}'" if len(result.layers_available) > 1 else name
    if result.rejected_rows:
        first = result.rejected_rows[0]
        result.messages.append(f"{label}: {len(result.rejected_rows)} feature(s) have a geometry GEOS cannot read, "
                               f"e.g. feature {first.row}: {first.reason}; their attributes are kept.")
    result.messages.extend(problem_messages(label, problems))


def _plain(label):
    """A numpy scalar index label as a plain Python value (JSON- and dict-friendly)."""
    return label.item() if hasattr(label, "item") else label
