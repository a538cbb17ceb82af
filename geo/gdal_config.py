"""GDAL configuration options for the calling thread only.

pyogrio sets configuration options process-wide (``set_gdal_config_options``), so an option meant
for one read would reach every other read running at the same time (the app reads layers on
worker threads). GDAL's public C API has per-thread options (``CPLSetThreadLocalConfigOption``);
this module calls it on the GDAL library pyogrio has already loaded. Where that library cannot be
found (a platform without ``/proc/self/maps``), :func:`thread_options` says so and sets nothing, and
the caller reads without the option.
"""
from __future__ import annotations

import ctypes
import functools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from geo.offline import import_pyogrio

pyogrio = import_pyogrio()  # its GDAL must be loaded before it can be looked up


@functools.lru_cache(maxsize=1)
def _gdal() -> Optional[ctypes.CDLL]:
    """The GDAL library pyogrio has loaded into this process (never a second copy), or None."""
    path = _pyogrio_gdal_path()
    if path is None:
        return None
    try:
        library = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        library.CPLSetThreadLocalConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        library.CPLSetThreadLocalConfigOption.restype = None
        library.CPLGetThreadLocalConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        library.CPLGetThreadLocalConfigOption.restype = ctypes.c_char_p
    except (OSError, AttributeError):
        return None
    return library


def _pyogrio_gdal_path() -> Optional[str]:
    """The file of pyogrio's GDAL among those mapped: the copy its wheel carries (beside it in
    ``pyogrio.libs``), else the one GDAL not carried by another wheel (rasterio brings its own)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    mapped = {fields[5] for fields in (line.split(maxsplit=5) for line in maps.splitlines())
              if len(fields) == 6 and "/libgdal" in fields[5]}
    wheel_libs = str(Path(pyogrio.__file__).resolve().parent.parent / "pyogrio.libs") + os.sep
    own = [path for path in mapped if path.startswith(wheel_libs)]
    system = [path for path in mapped if ".libs/" not in path]
    chosen = own or system
    return chosen[0] if len(chosen) == 1 else None


@contextmanager
def thread_options(options: dict[str, str]) -> Iterator[bool]:
    """Set GDAL configuration ``options`` for the calling thread inside the block, restoring what
    the thread had before on leaving; yields False (and sets nothing) when that is not possible."""
    library = _gdal()
    if library is None:
        yield False
        return
    keys = [key.encode() for key in options]
    before = [library.CPLGetThreadLocalConfigOption(key, None) for key in keys]
    try:
        for key, value in zip(keys, options.values()):
            library.CPLSetThreadLocalConfigOption(key, str(value).encode())
        yield True
    finally:
        for key, value in zip(keys, before):
            library.CPLSetThreadLocalConfigOption(key, value)
