"""Reading a classification value in any notation a user's file may hold.

Four notations are recognised, case- and space-insensitively (DESIGN.md §4):

- ``india``: UNFC-1997 three-digit codes as used in India (``331``, ``331.0`` from a spreadsheet,
  ``(3,3,1)``, ``3 3 1``); only the ten codes of MEMC Rules 2015 r.3(g) are valid;
- ``unfc``: UNFC-2009 / UNFC 2019 lettered codes (``E1F1G1``, ``E1 F1 G1``, ``E1.F1.G1``,
  ``E1;F1;G1``, with sub-classes such as ``E1.1 F2.2 G1``);
- ``stage``: a bare geological stage (``G3``);
- ``jorc``: CRIRSCO / JORC names with the usual variants (``Measured``, ``measured resource``,
  ``Proven Reserve``, ``Exploration Target``).

Anything else is ``invalid`` and carries the reason.

Examples
--------
>>> parse("(3, 3, 1)")
Parsed(notation='india', code='331', axes=(3, 3, 1), reason='', g=1)
>>> parse("e1.1 f2.2 g1").code
'E1.1F2.2G1'
>>> parse("Proven Reserve").code
'Proved Ore Reserve'
>>> parse("112").reason
"'112' is not one of India's ten UNFC-1997 codes (111, 121, 122, 211, 221, 222, 331, 332, 333, 334)"
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

CLASSIFICATION_PATH = Path(__file__).with_name("data") / "classification.toml"

NOTATIONS = ("india", "unfc", "stage", "jorc", "invalid")

_EMPTY_WORDS = frozenset({"", "na", "n/a", "<na>", "nan", "nat", "none", "null", "nil", "-", "--", "?"})
_INDIA = re.compile(r"^(\d)([,;.\-/]?)(\d)\2(\d)(?:\.0+)?$")
_DIGITS = re.compile(r"^[\d.,;\-/]+$")
_SEP = r"[.;,:_\-/]?"
_UNFC = re.compile(rf"^E(\d)(?:\.(\d))?{_SEP}F(\d)(?:\.(\d))?{_SEP}G(\d)(?:\.(\d))?$")
_STAGE = re.compile(r"^G(\d)(?:\.(\d))?$")
_PREFIX = re.compile(r"^UNFC(?:[-:]?(?:1997|2009|2019))?[:\-]?(?=.)")
_BRACKETS = re.compile(r"^[(\[{](.*)[)\]}]$")
_WORDS = re.compile(r"[^a-z0-9]+")
_PLURALS = {"resources": "resource", "reserves": "reserve", "targets": "target", "results": "result"}


@dataclass(frozen=True)
class Parsed:
    """One value read: its notation, its canonical code, its axes and, if invalid, why.

    ``code`` is ``"331"``, ``"E1.1F2.2G1"``, ``"G3"`` or the JORC name (``""`` when invalid);
    ``axes`` holds the main E, F, G classes where the notation has them (a stage: ``(None, None, g)``);
    ``g`` is the geological level 1–4 the value asserts for sure (a JORC Probable Reserve: 2).
    """

    notation: str
    code: str
    axes: Optional[tuple] = None
    reason: str = ""
    g: Optional[int] = None

    @property
    def valid(self) -> bool:
        return self.notation != "invalid"


@lru_cache(maxsize=1)
def classification_data() -> dict:
    """The classification table (``assessment/data/classification.toml``), parsed once."""
    return tomllib.loads(CLASSIFICATION_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _india_codes() -> tuple[str, ...]:
    return tuple(c["code"] for c in classification_data()["category"] if c["scheme"] == "india")


@lru_cache(maxsize=1)
def _jorc_aliases() -> dict[str, tuple[str, int]]:
    aliases = {}
    for category in classification_data()["category"]:
        if category["scheme"] == "jorc":
            for alias in (category["name"].lower(), *category["aliases"]):
                aliases[alias] = (category["code"], category["g"])
    return aliases


def _invalid(reason: str) -> Parsed:
    return Parsed("invalid", "", None, reason)


def _as_text(value: Any) -> Optional[str]:
    """The value as text; spreadsheet floats such as 331.0 become ``"331"``; None when empty."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return None if text.lower() in _EMPTY_WORDS else text


def parse(value: Any) -> Parsed:
    """Read one classification value in any notation; never raises for bad input.

    Parameters
    ----------
    value : str, int, float or None
        A cell of a user's file.

    Returns
    -------
    Parsed
        ``notation`` is one of ``india``, ``unfc``, ``stage``, ``jorc`` or ``invalid`` (then
        ``reason`` says why in words).
    """
    text = _as_text(value)
    if text is None:
        return _invalid("empty value: no classification given")
    compact = _ascii_digits(re.sub(r"\s+", "", text).upper())
    bracketed = _BRACKETS.match(compact)
    if bracketed:
        compact = bracketed.group(1)
    compact = _PREFIX.sub("", compact)
    if _DIGITS.match(compact):
        return _parse_india(text, compact)
    if compact.startswith("E") and "F" in compact and any(ch.isdigit() for ch in compact[:3]):
        return _parse_unfc(text, compact)
    if _STAGE.match(compact) or re.match(r"^G\d+$", compact):
        return _parse_stage(text, compact)
    return _parse_name(text)


def _ascii_digits(text: str) -> str:
    """Devanagari (३३१), full-width and other Unicode decimal digits as ASCII ``0-9``."""
    return "".join(str(int(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _parse_india(text: str, compact: str) -> Parsed:
    match = _INDIA.match(compact)
    if not match:
        return _invalid(f"'{text}' is not a three-digit UNFC code (India's codes look like 331)")
    code = match.group(1) + match.group(3) + match.group(4)
    if code not in _india_codes():
        return _invalid(f"'{code}' is not one of India's ten UNFC-1997 codes ({', '.join(_india_codes())})")
    return Parsed("india", code, tuple(int(d) for d in code), g=int(code[2]))


def _class_text(letter: str, main: str, sub: Optional[str], limits: dict) -> tuple[str, str]:
    """The canonical text of one axis class (``E1.1``) and, if it is out of range, the reason."""
    main_value = int(main)
    if not 1 <= main_value <= limits["axis_max"][letter]:
        return "", f"{letter}{main} does not exist (UNFC classes run {letter}1 to {letter}{limits['axis_max'][letter]})"
    if sub is None:
        return f"{letter}{main}", ""
    if not 1 <= int(sub) <= limits["subclass_max"]:
        return "", f"sub-class {letter}{main}.{sub} is not a UNFC sub-class"
    return f"{letter}{main}.{sub}", ""


def _parse_unfc(text: str, compact: str) -> Parsed:
    match = _UNFC.match(compact)
    if not match:
        if "G" not in compact:
            return _invalid(f"'{text}' lacks the G axis: a UNFC-2009/2019 code needs E, F and G (e.g. E1F1G1)")
        return _invalid(f"'{text}' is not a UNFC-2009/2019 code of the form E1F1G1 (sub-classes as E1.1)")
    limits = classification_data()["parsing"]
    parts = []
    for letter, (main, sub) in zip("EFG", (match.group(1, 2), match.group(3, 4), match.group(5, 6))):
        part, reason = _class_text(letter, main, sub, limits)
        if reason:
            return _invalid(f"'{text}': {reason}")
        parts.append(part)
    axes = (int(match.group(1)), int(match.group(3)), int(match.group(5)))
    return Parsed("unfc", "".join(parts), axes, g=axes[2])


def _parse_stage(text: str, compact: str) -> Parsed:
    match = _STAGE.match(compact)
    limits = classification_data()["parsing"]
    if not match:
        return _invalid(f"'{text}' is not a stage (stages run G1 to G4)")
    part, reason = _class_text("G", match.group(1), match.group(2), limits)
    if reason:
        return _invalid(f"'{text}': {reason}")
    return Parsed("stage", part, (None, None, int(match.group(1))), g=int(match.group(1)))


def _name_key(text: str) -> str:
    ignore = set(classification_data()["parsing"]["name_ignore"])
    words = [_PLURALS.get(word, word) for word in _WORDS.split(text.lower()) if word]
    return " ".join(word for word in words if word not in ignore)


def _parse_name(text: str) -> Parsed:
    found = _jorc_aliases().get(_name_key(text))
    if found is None:
        return _invalid(
            f"'{text}' is not a recognised classification: expected an India code (331), a UNFC code "
            "(E1F1G1), a stage (G3) or a JORC category (Measured, Probable Ore Reserve, Exploration Target)"
        )
    return Parsed("jorc", found[0], g=found[1])


# ----- the geological level of a whole column ---------------------------------------------------

def distinct_values(series: pd.Series) -> tuple[np.ndarray, list]:
    """Row → distinct-value index, and the distinct values (C-speed factorisation).

    Missing values (None, NaN, NA) all map to a final ``None`` entry. Each distinct value is
    then worked on once, so an invalid value's reason quotes exactly what its rows hold.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), [*uniques, None]


def geological_level(value: Any) -> Optional[str]:
    """The geological (G) level ``"G1"``…``"G4"`` a value asserts for sure, or None if unreadable.

    India codes give their G digit (211, 221 → G1; 222, 332 → G2), UNFC codes their G axis, bare
    stages themselves; JORC names the level of geology they rest on: Proved and Measured → G1,
    Indicated → G2, Inferred → G3, Exploration Target/Results → G4, and Probable → G2, because a
    Probable Reserve may rest on an Indicated resource (the lower confidence is taken).
    """
    parsed = parse(value)
    return None if parsed.g is None else f"G{parsed.g}"


def geological_levels(values: pd.Series) -> pd.Series:
    """:func:`geological_level` over a whole column, each distinct value read once.

    Returns
    -------
    pandas.Series
        Same index and name as ``values``; object dtype holding ``"G1"``…``"G4"`` or None.
    """
    row_keys, distinct = distinct_values(values)
    per_value = np.array([geological_level(value) for value in distinct], dtype=object)
    return pd.Series(per_value[row_keys], index=values.index, name=values.name, dtype=object)
