"""Khanij's exceptions: one root, subclasses that also inherit the builtin a caller expects.

Every message names the file (and the layer or row where there is one) and the problem in words a
geologist reads, e.g. ``"stations.json, row 12: latitude 'abc' is not a number"``.
"""
from __future__ import annotations

import os


class KhanijError(Exception):
    """Root of every error Khanij raises on purpose."""


class DataReadError(KhanijError, OSError):
    """An input file cannot be read, or its content is not what the format promises."""


class DataWriteError(KhanijError, OSError):
    """An output file cannot be written (folder missing, read-only, disk full)."""


class CrsError(KhanijError, ValueError):
    """A coordinate reference system is missing, unknown or cannot be used for the work asked."""


class CoordinateError(KhanijError, ValueError):
    """A coordinate text cannot be read unambiguously (bad DMS, minutes >= 60, junk)."""


class ClassificationError(KhanijError, ValueError):
    """A resource classification code or request cannot be understood."""


class RulesError(KhanijError, ValueError):
    """A rules file is invalid: the message names the key and the problem."""


class GeometryError(KhanijError, ValueError):
    """A geometry cannot be used for the work asked, even after repair."""


class Cancelled(KhanijError):
    """The user cancelled a long job; no partial output was left behind."""


def describe_path(path: os.PathLike | str) -> str:
    """The file's name as shown in messages: the base name, which is what a user recognises."""
    return os.path.basename(os.fspath(path)) or os.fspath(path)
