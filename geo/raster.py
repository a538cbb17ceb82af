"""Rasters (GeoTIFF and any GDAL raster) as a handle that reads pixels on demand.

Opening checks, cheaply, what the user must know before anything is drawn: that the pixels can be
decoded at full resolution (a sample of blocks across the image, because a file may have readable
metadata and overviews but broken tiles, like rasterio's ``corrupt.tif``), and whether the raster
holds any data at all. Displays ask for a decimated ``out_shape`` so GDAL serves overviews.
"""
from __future__ import annotations

import contextlib
import copy
import math
import os
import re
import warnings
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Optional

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning, RasterioError, WindowError
from rasterio.windows import Window, from_bounds

from geo import limits
from geo.crs import crs_label, parse_crs, unknown_crs_message
from geo.errors import CrsError, DataReadError, describe_path
from geo.feedback import ensure_feedback
from geo.result import ReadResult

SAMPLE_BLOCKS_PER_AXIS = 4
"""Blocks checked per axis at open (first, last and evenly between): at most 16 block decodes."""
PREVIEW_PIXELS = 256
"""Longest side of the decimated read used to decide ``all_nodata``."""
DRIVER_BY_SUFFIX = {
    ".tif": "GTiff", ".tiff": "GTiff", ".img": "HFA", ".vrt": "VRT", ".asc": "AAIGrid",
    ".jp2": "JP2OpenJPEG", ".nc": "netCDF", ".hgt": "SRTMHGT", ".bil": "EHdr", ".dem": "USGSDEM",
}
"""The only GDAL driver a raster is opened with, by its extension: a ``.tif`` that is really a
VRT, a WMS description or any other format is refused, not followed."""
MAX_VRT_BYTES = 16 * 1024 * 1024
"""A VRT larger than this (XML describing sources) is refused unread: real ones are kilobytes."""
MAX_VRT_DEPTH = 4
"""VRTs whose sources are VRTs: how deep the sources are followed and checked."""
_VRT_FILE_TAGS = ("SourceFilename", "SourceDataset")
_CONNECTION_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_]*:")


def _check_usable(source: "RasterSource", name: str) -> None:
    """Refuse pixels Khanij cannot place or compare: a rotated or sheared geotransform (rasterio's
    windows, masks and zonal statistics assume north-up pixels), a CRS that is neither geographic
    nor projected (what GDAL makes of a GeoTIFF whose projected CRS cannot be built) and
    complex-valued bands (a threshold or a mean of complex numbers means nothing)."""
    if source.transform.b or source.transform.d:
        raise DataReadError(f"{name} has a rotated geotransform (its pixel rows are not east-west); Khanij "
                            f"reads north-up rasters only: warp it first, e.g. gdalwarp {name} north_up.tif")
    if source.crs is not None and not (source.crs.is_geographic or source.crs.is_projected):
        raise DataReadError(f"{name}: its coordinate reference system cannot be built (GDAL reads only a local "
                            f"system, '{source.crs.name}', with no place on Earth); assign the right CRS "
                            "to the file, e.g. gdal_edit -a_srs EPSG:32645")
    complex_bands = [dtype for dtype in source.dtypes if dtype.startswith("complex")]
    if complex_bands:
        raise DataReadError(f"{name} holds complex-valued pixels ({complex_bands[0]}); Khanij reads bands of "
                            "real numbers only (e.g. the amplitude of a radar image)")


class RasterSource:
    """An open-on-demand raster: metadata at hand, pixels read when asked.

    Attributes
    ----------
    path : Path
    width, height, count : int
    dtypes : tuple of str
    nodata : float or None
    crs : pyproj.CRS or None
    transform : affine.Affine
    bounds : tuple (left, bottom, right, top) in the raster's CRS
    overviews : list of int
        Decimation factors of band 1's overviews (e.g. ``[2, 4, 8]``), empty when none.
    all_nodata : bool
        True when no pixel holds data (decided on a decimated read, confirmed block by block).
    georeferenced : bool
        False when the file has no geotransform (pixel coordinates only).

    Raises
    ------
    DataReadError
        The file is not a raster GDAL can open, or its pixels cannot be decoded.
    """

    def __init__(self, path, crs=None) -> None:
        self.path = Path(path)
        try:
            with _open(self.path) as dataset:
                self._describe(dataset)
                _check_pixels(dataset, self.path)
                self.all_nodata = _all_nodata(dataset)
        except RasterioError as exc:
            raise DataReadError(f"{describe_path(self.path)} cannot be read as a raster: {exc}") from None
        if crs is not None:
            self.crs = parse_crs(crs, f"{describe_path(self.path)}: the CRS")

    def _describe(self, dataset) -> None:
        self.driver = dataset.driver
        self.width, self.height, self.count = dataset.width, dataset.height, dataset.count
        self.dtypes = tuple(dataset.dtypes)
        self.nodata = dataset.nodata
        self.crs = parse_crs(dataset.crs.to_wkt()) if dataset.crs else None
        self.transform = dataset.transform
        self.georeferenced = not (dataset.transform.is_identity and not dataset.gcps[0])
        self.bounds = tuple(dataset.bounds)
        self.overviews = list(dataset.overviews(1)) if dataset.count else []
        _check_usable(self, describe_path(self.path))

    def with_crs(self, crs) -> "RasterSource":
        """A copy whose CRS is ``crs`` (the user's assignment); pixels and transform unchanged."""
        clone = copy.copy(self)
        clone.crs = parse_crs(crs, f"{describe_path(self.path)}: the CRS")
        return clone

    def read(self, band: int = 1, bounds=None, out_shape=None) -> np.ma.MaskedArray:
        """Pixels of one band as a masked array (nodata masked).

        Parameters
        ----------
        band : int
            1-based band number.
        bounds : (left, bottom, right, top), optional
            Area to read, in the raster's CRS; clipped to the raster. Default: everything.
        out_shape : (rows, cols), optional
            Size wanted; smaller than the window decimates, and GDAL then reads the overviews.
        """
        if not 1 <= band <= self.count:
            raise DataReadError(f"{describe_path(self.path)} has {self.count} band(s); band {band} does not exist")
        try:
            with _open(self.path) as dataset:
                window = self._window(bounds)
                if window is None:
                    return np.ma.masked_all(out_shape or (0, 0), dtype=self.dtypes[band - 1])
                self._check_scan(window, out_shape)
                data = dataset.read(band, window=window, out_shape=out_shape, masked=True)
        except RasterioError as exc:
            raise DataReadError(f"{describe_path(self.path)}: pixels cannot be read: {exc}") from None
        return _mask_nan(data)

    def _check_scan(self, window: Window, out_shape) -> None:
        """Refuse to decimate more than :data:`geo.limits.RASTER_SCAN_PIXELS` pixels without overviews
        (GDAL would read every one of them to draw a thumbnail)."""
        pixels = int(window.width) * int(window.height)
        if out_shape is None or self.overviews or pixels <= limits.RASTER_SCAN_PIXELS.value:
            return
        if out_shape[0] * out_shape[1] < pixels:
            raise DataReadError(limits.refusal(
                describe_path(self.path), f"drawing these {pixels:,} pixels means reading every one (it has no "
                "overviews)", limits.RASTER_SCAN_PIXELS, f"build overviews first (gdaladdo {describe_path(self.path)}) "
                "or zoom in"))

    def _window(self, bounds) -> Optional[Window]:
        full = Window(0, 0, self.width, self.height)
        if bounds is None:
            return full
        try:
            window = from_bounds(*bounds, transform=self.transform).intersection(full)
        except WindowError:
            return None
        window = window.round_offsets().round_lengths()
        return window if window.width >= 1 and window.height >= 1 else None

    def value_at(self, x: float, y: float, crs=None) -> Optional[list]:
        """Every band's value at a point, None for a nodata band; None outside the raster.

        ``crs`` is the point's CRS when it differs from the raster's (e.g. "EPSG:4326").
        """
        if crs is not None:
            x, y = self._to_own_crs(x, y, crs)
        row, col = rasterio.transform.rowcol(self.transform, x, y)
        if not (0 <= row < self.height and 0 <= col < self.width):
            return None
        try:
            with _open(self.path) as dataset:
                pixel = _mask_nan(dataset.read(window=Window(col, row, 1, 1), masked=True))
        except RasterioError as exc:
            raise DataReadError(f"{describe_path(self.path)}: pixels cannot be read: {exc}") from None
        mask = np.ma.getmaskarray(pixel)
        return [None if mask[b, 0, 0] else pixel.data[b, 0, 0].item() for b in range(self.count)]

    def _to_own_crs(self, x: float, y: float, crs) -> tuple[float, float]:
        from pyproj import Transformer

        if self.crs is None:
            raise CrsError(f"{describe_path(self.path)} has no CRS; assign one before asking for a value "
                           f"at a point given in {crs_label(crs)}")
        transformer = Transformer.from_crs(parse_crs(crs), self.crs, always_xy=True)
        return transformer.transform(x, y)


def read_raster(path: Path, feedback=None) -> ReadResult:
    """Open a raster as a :class:`ReadResult` of kind "raster" (a :class:`RasterSource`)."""
    feedback = ensure_feedback(feedback)
    name = describe_path(path)
    feedback.progress(0.05, f"Opening {name}")
    source = RasterSource(path)
    result = ReadResult(path=path, kind="raster", data=source, driver=source.driver, layer=path.stem,
                        layers_available=[path.stem], encoding=None, crs=source.crs,
                        crs_status="declared" if source.crs is not None else "unknown")
    if not source.georeferenced:
        result.messages.append(f"{name} is not georeferenced (it has no geotransform): its pixels are not placed "
                               "anywhere on the map, so it cannot be drawn or measured with other layers.")
    if source.crs is None:
        result.messages.append(unknown_crs_message(result))
    if source.all_nodata:
        result.messages.append(f"{name} contains only nodata: every pixel is empty"
                               f"{f' (nodata = {source.nodata:g})' if source.nodata is not None else ''}.")
    feedback.progress(1.0, f"Opened {name}")
    return result


@contextlib.contextmanager
def open_raster(path: os.PathLike | str):
    """``rasterio.open`` for a user's raster: only the driver its extension names, and a VRT only
    when every file it reads lies in its own folder (:func:`check_vrt_sources`).

    Raises
    ------
    DataReadError
        The extension is not a raster's, or a VRT reaches outside its folder or to the network.
    """
    path = Path(path)
    driver = DRIVER_BY_SUFFIX.get(path.suffix.lower())
    if driver is None:
        raise DataReadError(f"{describe_path(path)}: files of type '{path.suffix}' are not opened as rasters")
    if driver == "VRT":
        check_vrt_sources(path)
    with rasterio.open(path, driver=driver) as dataset:
        yield dataset


def check_vrt_sources(vrt: Path, depth: int = 0, top: Optional[Path] = None) -> None:
    """Refuse a VRT that reads anything but files in its own folder (or below it).

    A VRT names the files it takes its pixels from; a hostile one names ``/etc/passwd`` (read as
    pixels and used as evidence), a ``/vsicurl/`` address (a network request) or a driver
    connection string. Sources that are themselves VRTs are checked the same way.

    Raises
    ------
    DataReadError
        Naming the VRT and the source that is refused.
    """
    top = top or vrt
    name = describe_path(top)
    if vrt.stat().st_size > MAX_VRT_BYTES:
        raise DataReadError(f"{name}: the VRT is larger than {MAX_VRT_BYTES // 2**20} MB; a VRT describes "
                            "other files in a few kilobytes, so this one is refused")
    if depth > MAX_VRT_DEPTH:
        raise DataReadError(f"{name}: its VRT sources nest more than {MAX_VRT_DEPTH} VRTs deep")
    try:
        root = ElementTree.fromstring(vrt.read_bytes())
    except ElementTree.ParseError as exc:
        raise DataReadError(f"{name}: the VRT is not well-formed XML ({exc})") from None
    folder = Path(os.path.realpath(top.parent))
    for element in root.iter():
        if element.tag not in _VRT_FILE_TAGS:
            continue
        text = (element.text or "").strip()
        if text.startswith("/vsi") or "://" in text or _CONNECTION_PREFIX.match(text):
            raise DataReadError(f"{name}: the VRT reads '{text}', which is not a file beside it; Khanij opens "
                                "no remote or virtual sources")
        relative = element.get("relativeToVRT", "0") == "1"
        source = Path(os.path.realpath(vrt.parent / text if relative else text))  # else GDAL uses the cwd
        if not source.is_relative_to(folder):
            raise DataReadError(f"{name}: the VRT reads '{text}', outside its own folder; a VRT may only use "
                                "files in its folder")
        if source.is_file() and _is_vrt(source):
            check_vrt_sources(source, depth + 1, top)


def _is_vrt(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"<VRTDataset" in handle.read(1024)


@contextlib.contextmanager
def _open(path: Path):
    """:func:`open_raster` without rasterio's NotGeoreferencedWarning, which :func:`read_raster`
    says in words."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with open_raster(path) as dataset:
            yield dataset


def _check_pixels(dataset, path: Path) -> None:
    """Decode one pixel of a spread of blocks at full resolution; DataReadError if any fails."""
    block_rows, block_cols = dataset.block_shapes[0] if dataset.count else (1, 1)
    for row in _spread(math.ceil(dataset.height / block_rows)):
        for col in _spread(math.ceil(dataset.width / block_cols)):
            try:
                dataset.read(window=Window(col * block_cols, row * block_rows, 1, 1))
            except RasterioError as exc:
                raise DataReadError(f"{describe_path(path)}: pixels cannot be read (the file is damaged near "
                                    f"row {row * block_rows}, column {col * block_cols})") from exc


def _spread(blocks: int) -> list[int]:
    """First, last and evenly spaced block indices, at most SAMPLE_BLOCKS_PER_AXIS of them."""
    return sorted({int(i) for i in np.linspace(0, blocks - 1, min(blocks, SAMPLE_BLOCKS_PER_AXIS)).round()})


def _all_nodata(dataset) -> bool:
    """Whether no pixel holds data: a decimated read first, then, only if that is empty, every block.

    A raster past :data:`geo.limits.RASTER_SCAN_PIXELS` without overviews is not read whole, so
    whether it holds only nodata is not known and is not said (it is treated as holding data; its
    pixels are read where a block needs them).
    """
    if dataset.count == 0:
        return True
    if dataset.width * dataset.height > limits.RASTER_SCAN_PIXELS.value and not dataset.overviews(1):
        return False
    scale = max(dataset.width, dataset.height) / PREVIEW_PIXELS
    shape = (dataset.count, max(1, round(dataset.height / max(scale, 1))), max(1, round(dataset.width / max(scale, 1))))
    if not _mask_nan(dataset.read(out_shape=shape, masked=True)).mask.all():
        return False
    for _, window in dataset.block_windows(1):
        if not _mask_nan(dataset.read(window=window, masked=True)).mask.all():
            return False
    return True


def _mask_nan(data: np.ma.MaskedArray) -> np.ma.MaskedArray:
    """Also mask NaN pixels (float rasters often use NaN without declaring a nodata value)."""
    if data.dtype.kind == "f":
        data.mask = np.ma.getmaskarray(data) | np.isnan(data.data)
    return data
