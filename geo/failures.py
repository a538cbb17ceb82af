"""How a reader fails: the one place that turns a parsing library's exception into a Khanij error.

GDAL (through pyogrio and rasterio), GEOS (shapely), PROJ, openpyxl, zipfile, the XML parsers,
pandas, json and tomllib each raise their own exceptions when a file is damaged or hostile. A
reader wraps its work in :func:`reading`; what those libraries raise leaves it as a
:class:`geo.errors.DataReadError` naming the file (and the layer or row when known) and the
problem in words, so every command maps it to exit 3 and the app shows it in its message bar.
Anything else (a bug of ours: ``KeyError``, ``AttributeError``…) passes through unchanged and is
reported as an internal error (exit 1), as it should be.

Only modules already imported are consulted, so wrapping a CSV read does not import GDAL.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator, Optional

from geo.errors import DataReadError, KhanijError, describe_path

PARSER_ERRORS = (
    ("zipfile", "BadZipFile"), ("zipfile", "LargeZipFile"),
    ("xml.etree.ElementTree", "ParseError"), ("xml.parsers.expat", "ExpatError"),
    ("defusedxml", "DefusedXmlException"), ("lxml.etree", "Error"),
    ("json", "JSONDecodeError"), ("tomllib", "TOMLDecodeError"), ("csv", "Error"),
    ("pandas.errors", "ParserError"), ("pandas.errors", "EmptyDataError"),
    ("openpyxl.utils.exceptions", "InvalidFileException"),
    ("openpyxl.utils.exceptions", "CellCoordinatesException"),
    ("shapely.errors", "ShapelyError"),
    ("pyogrio.errors", "DataSourceError"), ("pyogrio.errors", "DataLayerError"),
    ("rasterio.errors", "RasterioError"), ("rasterio.errors", "CRSError"), ("rasterio._err", "CPLE_BaseError"),
    ("pyproj.exceptions", "ProjError"),
)
"""(module, class) of every exception a parsing library raises for a damaged or hostile file."""

CONTENT_ERRORS = (UnicodeError, RecursionError, OverflowError, EOFError, MemoryError)
"""Builtin exceptions that, raised while a file's content is parsed, come from that content:
bytes that are not text, nesting too deep for the parser, numbers too large, a stream cut short,
an allocation the content asked for."""


def parser_errors() -> tuple[type[BaseException], ...]:
    """The classes of :data:`PARSER_ERRORS` whose module is loaded, plus :data:`CONTENT_ERRORS`."""
    classes = []
    for module, name in PARSER_ERRORS:
        loaded = sys.modules.get(module)
        found = getattr(loaded, name, None) if loaded is not None else None
        if isinstance(found, type):
            classes.append(found)
    return (*classes, *CONTENT_ERRORS)


def problem_in_words(exc: BaseException, path: Optional[os.PathLike | str] = None) -> str:
    """The library's reason without the path it repeats, or what the exception means for the file."""
    if isinstance(exc, RecursionError):
        return "its content is nested too deeply to be read"
    if isinstance(exc, MemoryError):
        return "reading it needs more memory than is available (the file is too large or declares a huge size)"
    if isinstance(exc, OverflowError):
        return "it holds a number too large to use"
    if isinstance(exc, (IndexError, KeyError)):
        return f"it refers to a part or an entry it does not contain ({exc})"
    text = str(exc)
    if path is not None:
        text = text.replace(os.fspath(path), "")
    text = " ".join(text.split()).strip(" :'\".;")
    return text or type(exc).__name__


def as_read_error(exc: BaseException, path: os.PathLike | str, where: Optional[str] = None) -> Optional[DataReadError]:
    """``exc`` as a DataReadError naming ``path`` (and ``where``: a layer, sheet or row), or None
    when it is not a parsing library's error (a bug, to be reported as one)."""
    if isinstance(exc, KhanijError) or not isinstance(exc, parser_errors()):
        return None
    name = describe_path(path)
    label = f"{name}, {where}" if where else name
    return DataReadError(f"{label} cannot be read (damaged or not what its extension says): "
                         f"{problem_in_words(exc, path)}")


@contextlib.contextmanager
def reading(path: os.PathLike | str, where: Optional[str] = None) -> Iterator[None]:
    """Run a read of ``path``; a parsing library's error leaves as :func:`as_read_error`'s DataReadError.

    Examples
    --------
    >>> import json
    >>> with reading("blocks.geojson"):
    ...     json.loads("{")
    Traceback (most recent call last):
    geo.errors.DataReadError: blocks.geojson cannot be read (damaged or not what its extension says): Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
    """
    try:
        yield
    except BaseException as exc:
        error = as_read_error(exc, path, where)
        if error is None:
            raise
        raise error from exc
