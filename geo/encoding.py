"""Which text encoding a file's attributes are in, and where that answer came from.

A shapefile says its encoding in one of two places: a ``.cpg`` sidecar (``UTF-8``, ``1252``,
``ISO-8859-1`` ...) or the DBF header's *language driver* byte (LDID, byte 29). When neither
says anything, GDAL falls back to ISO-8859-1 and so do we: every byte decodes, nothing is lost,
and the user can override it. CSV files carry no declaration at all; they are read as UTF-8 when
they decode as UTF-8, else as Windows-1252 (what Excel on an Indian-locale Windows writes).
"""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import NamedTuple, Optional

from geo.errors import DataReadError, describe_path

FALLBACK_DBF_ENCODING = "ISO-8859-1"

# DBF language-driver IDs (byte 29) -> Python codec, after the ESRI/dBase table GDAL uses.
LDID_CODECS = {
    0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x04: "mac_roman",
    0x08: "cp865", 0x09: "cp437", 0x0A: "cp850", 0x0B: "cp437", 0x0D: "cp437", 0x0E: "cp850",
    0x0F: "cp437", 0x10: "cp850", 0x11: "cp437", 0x12: "cp850", 0x13: "cp932", 0x14: "cp850",
    0x15: "cp437", 0x16: "cp850", 0x17: "cp865", 0x18: "cp437", 0x19: "cp437", 0x1A: "cp850",
    0x1B: "cp437", 0x1C: "cp863", 0x1D: "cp850", 0x1F: "cp852", 0x22: "cp852", 0x23: "cp852",
    0x24: "cp860", 0x25: "cp850", 0x26: "cp866", 0x37: "cp850", 0x40: "cp852", 0x4D: "cp936",
    0x4E: "cp949", 0x4F: "cp950", 0x50: "cp874", 0x57: "cp1252", 0x58: "cp1252", 0x59: "cp1252",
    0x64: "cp852", 0x65: "cp866", 0x66: "cp865", 0x67: "cp861", 0x6A: "cp737", 0x6B: "cp857",
    0x6C: "cp863", 0x78: "cp950", 0x79: "cp949", 0x7A: "cp936", 0x7B: "cp932", 0x7C: "cp874",
    0x86: "cp737", 0x87: "cp852", 0x88: "cp857", 0x96: "mac_cyrillic", 0x97: "mac_latin2",
    0x98: "mac_greek", 0xC8: "cp1250", 0xC9: "cp1251", 0xCA: "cp1254", 0xCB: "cp1253",
    0xCC: "cp1257",
}
_LDID_OFFSET = 29


class Encoding(NamedTuple):
    """An encoding name as reported to the user, and where it came from (see ReadResult)."""

    name: str
    source: str


def check_codec(name: str, path: os.PathLike | str) -> str:
    """``name`` if Python knows that codec, else a :class:`DataReadError` naming the file."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise DataReadError(f"{describe_path(path)}: the text encoding '{name}' is not known "
                            "(try UTF-8, cp1252 or ISO-8859-1)") from None
    return name


def codec_from_cpg(text: str) -> Optional[str]:
    """The codec a ``.cpg`` declares (``UTF-8``, ``1252``, ``ANSI 1252``, ``88591``, ``65001``), or None.

    >>> codec_from_cpg("ANSI 1252"), codec_from_cpg("88591"), codec_from_cpg("UTF-8")
    ('cp1252', 'ISO-8859-1', 'UTF-8')
    """
    value = text.strip().strip("\x00").strip()
    if not value or not value.isascii() or not value.isprintable():
        return None
    digits = re.sub(r"^(ANSI|CP|WINDOWS-?)\s*", "", value, flags=re.IGNORECASE)
    if digits == "65001":
        return "UTF-8"
    if re.fullmatch(r"8859\d{1,2}", digits):
        return f"ISO-8859-{digits[4:]}"
    if digits.isdigit():
        value = f"cp{digits}"
    try:
        codecs.lookup(value)
    except LookupError:
        return None
    return value if _byte_oriented(value) else None


def _byte_oriented(codec: str) -> bool:
    """Whether ``codec`` writes ASCII as ASCII (DBF field names and padding are single bytes, so
    UTF-16 or UTF-32 cannot be a DBF's encoding)."""
    try:
        return "Az_09 ".encode(codec) == b"Az_09 "
    except (UnicodeError, LookupError):
        return False


def cpg_text(cpg: Path) -> str:
    """The text of a ``.cpg`` file: ASCII, or UTF-16 when it starts with a byte-order mark (a
    ``.cpg`` saved by Notepad as "Unicode")."""
    raw = cpg.read_bytes()[:256]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("ascii", errors="replace")


def dbf_language_driver(dbf: Path) -> int:
    """The DBF header's language-driver byte (0 when absent or the file is too short)."""
    with open(dbf, "rb") as handle:
        header = handle.read(_LDID_OFFSET + 1)
    return header[_LDID_OFFSET] if len(header) > _LDID_OFFSET else 0


def sidecar(shp: Path, suffix: str) -> Optional[Path]:
    """The shapefile part with this suffix (``.cpg``, ``.dbf`` ...) in lower or upper case, if it exists."""
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def shapefile_encoding(shp: os.PathLike | str, override: Optional[str] = None) -> tuple[Encoding, list[str]]:
    """The encoding of a shapefile's attributes: user override, ``.cpg``, DBF LDID, then fallback.

    Returns
    -------
    encoding : Encoding
    messages : list of str
        Sentences for the user, e.g. when a ``.cpg`` names an unknown encoding.
    """
    shp = Path(shp)
    name = describe_path(shp)
    if override:
        return Encoding(check_codec(override, shp), "user"), []
    messages = []
    cpg = sidecar(shp, ".cpg")
    if cpg is not None:
        declared = cpg_text(cpg)
        codec = codec_from_cpg(declared)
        if codec is not None:
            return Encoding(codec, "cpg"), []
        messages.append(f"{name}: {describe_path(cpg)} does not name an encoding a DBF can be in "
                        f"({declared.strip()[:40]!r}); it was ignored.")
    dbf = sidecar(shp, ".dbf")
    ldid = dbf_language_driver(dbf) if dbf is not None else 0
    if ldid in LDID_CODECS:
        return Encoding(LDID_CODECS[ldid], "dbf language driver"), messages
    messages.append(f"{name}: the file does not say its text encoding (no .cpg, no DBF language driver); "
                    f"attributes were read as {FALLBACK_DBF_ENCODING}. If names look wrong, choose the "
                    "encoding yourself.")
    return Encoding(FALLBACK_DBF_ENCODING, "fallback"), messages


TEXT_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
             (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
"""Byte-order marks of the wide Unicode encodings (Excel's "Unicode text" export is UTF-16 with
tabs); UTF-32's are tested first because its little-endian mark begins with UTF-16's."""


def text_file_encoding(path: os.PathLike | str, override: Optional[str] = None) -> Encoding:
    """The encoding of a text file (CSV): user override, UTF-16/32 by their byte-order mark, UTF-8
    (a BOM is allowed), else cp1252."""
    if override:
        return Encoding(check_codec(override, path), "user")
    with open(path, "rb") as handle:
        raw = handle.read()
    for bom, codec in TEXT_BOMS:
        if raw.startswith(bom):
            return Encoding(codec, "detected")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return Encoding("cp1252", "fallback")
    return Encoding("UTF-8", "detected")
