"""GDAL configured so that opening a file never touches the network or runs another program.

GDAL fetches what a file points at: a GeoJSON ``"crs"`` member that is a link, a VRT source on
``/vsicurl/``, a GML schema on a web server. Khanij works offline and opens untrusted files, so
before GDAL registers its drivers (at ``import geo``) the process is configured:

- every HTTP request GDAL makes goes to a proxy on a loopback port nobody listens on, fails at
  once and is not retried (GDAL has no single "no network" switch; the proxy is the one setting
  that covers both its HTTP client and ``/vsicurl/``);
- ``/vsicurl/`` accepts no file name at all (:data:`NO_REMOTE_EXTENSION`);
- GML schemas and xlinks are not downloaded, PROJ does not fetch grids;
- vector drivers whose whole purpose is a web service, another program or a file that names
  other files (:data:`SKIPPED_VECTOR_DRIVERS`) are not registered: a ``.geojson`` that is really
  an OGR VRT or a GDALG pipeline is then refused instead of followed (:func:`import_pyogrio`).

Raster VRTs stay readable; :func:`geo.raster.check_vrt_sources` refuses those that leave their
folder.
"""
from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

from geo import limits

DEAD_PROXY = "127.0.0.1:9"
"""Loopback "discard" port: closed on a desktop, so a request through it is refused immediately."""
NO_REMOTE_EXTENSION = ".khanij-never-fetch-remote-files"
SKIPPED_VECTOR_DRIVERS = (
    "OGR_VRT", "GDALG", "GPSBabel", "HTTP", "WFS", "OAPIF", "OGCAPI", "CSW", "Carto", "AmigoCloud",
    "Elasticsearch", "EEDA", "NGW", "PLSCENES", "ADBC",
)
"""Not registered in pyogrio's GDAL (rasterio's has no vector drivers; its rasters are opened with
the drivers their extension names, see :func:`geo.raster.drivers_for`)."""

OFFLINE_CONFIG = {
    "GDAL_HTTP_PROXY": DEAD_PROXY,
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": NO_REMOTE_EXTENSION,
    "GML_DOWNLOAD_SCHEMA": "NO",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "PROJ_NETWORK": "OFF",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "GDAL_CACHEMAX": str(limits.GDAL_CACHE_MB.value),
}
"""GDAL (and PROJ) configuration options, set as environment variables so that both GDAL
libraries in the process (pyogrio's and rasterio's wheels each bundle one) read them. The block
cache is bounded here too (:data:`geo.limits.GDAL_CACHE_MB`), as it must be set the same way."""


def apply() -> None:
    """Set :data:`OFFLINE_CONFIG` for this process and the programs it starts (idempotent)."""
    os.environ.update(OFFLINE_CONFIG)


def import_pyogrio() -> ModuleType:
    """``pyogrio``, imported with :data:`SKIPPED_VECTOR_DRIVERS` left unregistered.

    pyogrio registers GDAL's drivers when it is imported, reading ``GDAL_SKIP`` then; the variable
    is set only for that moment because rasterio's GDAL, which registers later and has no vector
    drivers, would warn about every name it does not know.
    """
    if "pyogrio" in sys.modules:
        return sys.modules["pyogrio"]
    previous = os.environ.get("GDAL_SKIP")
    os.environ["GDAL_SKIP"] = " ".join(SKIPPED_VECTOR_DRIVERS)
    try:
        return importlib.import_module("pyogrio")
    finally:
        if previous is None:
            del os.environ["GDAL_SKIP"]
        else:
            os.environ["GDAL_SKIP"] = previous
