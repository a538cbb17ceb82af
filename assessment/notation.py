"""Reading a classification value in any notation a user's file may hold.

Four notations are recognised, in any case and spacing (DESIGN.md §4; DOMAIN.md A1 "Names as
written in Indian reports"):

- ``india``: UNFC-1997 three-digit codes as used in India (``331``, ``331.0`` from a spreadsheet,
  ``(3,3,1)``, ``3 3 1``, ``STD111``, ``STD 332``, ``UNFC 331``, ``332 (Indicated)``) and the MEMC
  names that are India's alone (``Feasibility Mineral Resource`` → 211, ``Reconnaissance Mineral
  Resource`` → 334, ``Proved Mineral Reserve`` → 111; ``Pre-Feasibility Mineral Resource`` and
  ``Probable Mineral Reserve`` name two codes each, see :attr:`Parsed.alternatives`); only the ten
  codes of MEMC Rules 2015 r.3(g) are valid;
- ``unfc``: UNFC-2009 / UNFC 2019 lettered codes (``E1F1G1``, ``E1 F1 G1``, ``E1.F1.G1``,
  ``E1;F1;G1``, with sub-classes such as ``E1.1 F2.2 G1``) and the class names that fix E and F
  (``Viable projects G1`` → E1F1G1, ``Prospective projects`` → E3F3G4);
- ``stage``: a bare geological stage (``G3``, ``G-3``, ``Stage G3``, ``G3 stage``, ``Preliminary
  Exploration``);
- ``jorc``: CRIRSCO / JORC names with the usual variants (``Measured``, ``measured resource``,
  ``Proven Reserve``, ``Exploration Target``), alone or tagged with the family member that
  reported them (``Inferred (JORC 2012)``, ``Indicated (NI 43-101)``, ``Probable (PERC)``).

A stage written next to a name settles its G level (``Pre-Feasibility Mineral Resource (G1)`` →
221); a label that contradicts its code (``332 (Measured)``) is refused. Anything else is
``invalid`` and carries the reason, which for a name that really is ambiguous (``Mineral
Resource``, ``Ore Reserve``, ``M&I``) says what is missing.

Examples
--------
>>> parse("(3, 3, 1)")
Parsed(notation='india', code='331', axes=(3, 3, 1), reason='', g=1, alternatives=())
>>> parse("e1.1 f2.2 g1").code
'E1.1F2.2G1'
>>> parse("Proven Reserve").code
'Proved Ore Reserve'
>>> parse("Pre-Feasibility Mineral Resource").alternatives, parse("Prefeasibility Mineral Resource G1").code
(('221',), '221')
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
_STAGE = re.compile(r"^G[-_.:]?(\d)(?:\.(\d))?$")
_STAGE_LIKE = re.compile(r"^G[-_.:]?\d+$")
_BRACKETS = re.compile(r"^[(\[{](.*)[)\]}]$")
_LABELLED = (
    re.compile(r"^(?P<main>.*?\S)\s*[(\[](?P<label>[^()\[\]]*\S[^()\[\]]*)[)\]]$"),  # 332 (Indicated)
    re.compile(r"^(?P<main>(?:(?:STD|UNFC|MEMC)\W*)?(?:\d{3}|[(\[]\d(?:[\s,;.\-/]*\d){2}[)\]]))\W+(?P<label>[^\d\W].*)$",
               re.IGNORECASE),  # 332 Indicated, (2,2,2) Pre-feasibility
    re.compile(r"^(?P<main>.*?\S)\s+[-–—/|:]\s+(?P<label>\S.*)$"),  # Indicated - 332
)
_WORDS = re.compile(r"[^a-z0-9]+")
_LEVEL_WORD = re.compile(r"(?:^| )g ?([0-9])(?= |$)")
_PLURALS = {"resources": "resource", "reserves": "reserve", "targets": "target", "results": "result",
            "projects": "project", "surveys": "survey"}


@dataclass(frozen=True)
class Parsed:
    """One value read: its notation, its canonical code, its axes and, if invalid, why.

    ``code`` is ``"331"``, ``"E1.1F2.2G1"``, ``"G3"`` or the JORC name (``""`` when invalid);
    ``axes`` holds the main E, F, G classes where the notation has them (a stage: ``(None, None, g)``);
    ``g`` is the geological level 1–4 the value asserts for sure (a JORC Probable Reserve: 2).
    ``alternatives`` are the other codes of the same notation a written name may stand for (the
    MEMC name "Pre-Feasibility Mineral Resource" is 222 or 221): ``code`` is then the one of lower
    geological confidence, so that reading a name never claims more than it says.
    """

    notation: str
    code: str
    axes: Optional[tuple] = None
    reason: str = ""
    g: Optional[int] = None
    alternatives: tuple = ()

    @property
    def valid(self) -> bool:
        return self.notation != "invalid"

    @property
    def candidates(self) -> tuple:
        """The code and its alternatives."""
        return (self.code, *self.alternatives)


@lru_cache(maxsize=1)
def classification_data() -> dict:
    """The classification table (``assessment/data/classification.toml``), parsed once."""
    return tomllib.loads(CLASSIFICATION_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _india_codes() -> tuple[str, ...]:
    return tuple(c["code"] for c in classification_data()["category"] if c["scheme"] == "india")


@dataclass(frozen=True)
class _Name:
    """What a written name stands for: codes of one scheme (lowest confidence first), or the E and
    F classes of a UNFC class name (with ``g`` when the class fixes it, as Prospective projects do)."""

    scheme: str = ""
    codes: tuple = ()
    ef: Optional[tuple] = None
    g: Optional[int] = None


@dataclass(frozen=True)
class _NameTables:
    india: dict
    crirsco: dict
    stage: dict
    unfc: dict
    refused: dict
    family: re.Pattern
    ignore: frozenset


@lru_cache(maxsize=1)
def _names() -> _NameTables:
    """Every written name in the data, keyed by its normalised words (see :func:`_name_key`)."""
    data = classification_data()
    by_scheme: dict[str, dict[str, list]] = {"india": {}, "jorc": {}, "stage": {}}
    for category in data["category"]:
        names = by_scheme[category["scheme"]]
        written = [category["name"]] * (category["scheme"] != "india") + category.get("aliases", [])
        for alias in written:
            names.setdefault(_words(alias), []).append((category["g"], category["code"]))
    india, crirsco, stage = ({key: tuple(code for _, code in sorted(found, reverse=True)) for key, found in names.items()}
                             for names in by_scheme.values())
    unfc = {_words(name): row for row in data["unfc_class"] for name in row["names"]}
    refused = {_words(name): row for row in data["refused_name"] for name in row["names"]}
    tags = "|".join(re.escape(_words(tag)) for tag in data["parsing"]["crirsco_family"])
    family = re.compile(rf"(?:^| )(?:{tags})(?: (?:code|edition|standards?|definitions?|(?:19|20)\d\d))*(?= |$)")
    return _NameTables(india, crirsco, stage, unfc, refused, family, frozenset(data["parsing"]["name_ignore"]))


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
    plain = _parse_text(text)
    if plain.valid:
        return plain
    labelled = _parse_labelled(text)
    return labelled if labelled is not None else plain


def _parse_text(text: str) -> Parsed:
    compact = _ascii_digits(re.sub(r"\s+", "", text).upper())
    bracketed = _BRACKETS.match(compact)
    if bracketed:
        compact = bracketed.group(1)
    compact = _code_prefix().sub("", compact)
    if _DIGITS.match(compact):
        return _parse_india(text, compact)
    if compact.startswith("E") and "F" in compact and any(ch.isdigit() for ch in compact[:3]):
        return _parse_unfc(text, compact)
    stage = _stage_words().sub("", compact)
    if _STAGE.match(stage) or _STAGE_LIKE.match(stage):
        return _parse_stage(text, stage)
    return _parse_name(text)


@lru_cache(maxsize=1)
def _code_prefix() -> re.Pattern:
    """``STD``, ``UNFC-2009``, ``MEMC`` … before a code (compacted: no spaces, upper case)."""
    prefixes = sorted(classification_data()["parsing"]["code_prefixes"], key=len, reverse=True)
    spelled = "|".join("[-:_.]?".join(map(re.escape, p.upper().split())) for p in prefixes)
    return re.compile(rf"^(?:{spelled})[-:_.]?(?=.)")


@lru_cache(maxsize=1)
def _stage_words() -> re.Pattern:
    """"STAGE" or "LEVEL" before or after a compacted stage ("STAGEG3", "G3STAGE", "G4LEVEL")."""
    words = sorted((w.replace(" ", "").upper() for w in classification_data()["parsing"]["stage_words"]),
                   key=len, reverse=True)
    alternatives = "|".join(map(re.escape, words))
    return re.compile(rf"^(?:{alternatives})[-:_]?(?=G)|(?<=\d)[-:_]?(?:{alternatives})$")


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
    return _india(code)


def _india(code: str, alternatives: tuple = ()) -> Parsed:
    return Parsed("india", code, tuple(int(d) for d in code), g=int(code[2]), alternatives=alternatives)


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
    return _stage(part)


def _stage(code: str) -> Parsed:
    return Parsed("stage", code, (None, None, int(code[1])), g=int(code[1]))


# ----- names ----------------------------------------------------------------------------------

def _words(text: str) -> str:
    """Lower-case words separated by single spaces, plurals made singular, "pre feasibility" as one word."""
    words = [_PLURALS.get(word, word) for word in _WORDS.split(text.lower()) if word]
    return " ".join(words).replace("pre feasibility", "prefeasibility")


def _name_key(text: str) -> tuple[str, bool, Optional[int]]:
    """A name's lookup key, whether it was tagged with a CRIRSCO family member, and a G level written with it."""
    tables = _names()
    key, tags = tables.family.subn("", _words(text))
    levels = [int(level) for level in _LEVEL_WORD.findall(key)]
    key = _LEVEL_WORD.sub(" ", key)
    words = [word for word in key.split() if word not in tables.ignore]
    return " ".join(words), tags > 0, (levels[0] if len(set(levels)) == 1 else None)


def _lookup(key: str, tagged: bool) -> Optional[_Name]:
    """The name's meaning: a CRIRSCO name when tagged with a family member, else India's MEMC
    names first (they are India's own), then CRIRSCO names, stage names and UNFC class names."""
    tables = _names()
    if tagged:
        return _Name("jorc", tables.crirsco[key]) if key in tables.crirsco else None
    for scheme, names in (("india", tables.india), ("jorc", tables.crirsco), ("stage", tables.stage)):
        if key in names:
            return _Name(scheme, names[key])
    row = tables.unfc.get(key)
    if row is not None:
        return _Name("unfc", ef=(row["e"], row["f"]), g=row.get("g"))
    return None


def _parse_name(text: str) -> Parsed:
    key, tagged, level = _name_key(text)
    refused = _names().refused.get(key)
    if refused is not None:
        return _invalid(f"'{text}' is ambiguous: {refused['missing']}")
    name = _lookup(key, tagged)
    if name is None:
        if tagged:
            return _invalid(f"'{text}' names a CRIRSCO family member but no category of it (Measured, Indicated, "
                            "Inferred, Proved, Probable, Exploration Target or Exploration Results)")
        return _invalid(
            f"'{text}' is not a recognised classification: expected an India code (331) or MEMC name, a UNFC "
            "code (E1F1G1), a stage (G3) or a JORC category (Measured, Probable Ore Reserve, Exploration Target)"
        )
    if name.ef is not None:
        return _unfc_class(text, name, level)
    return _at_level(text, _named(name), level)


def _named(name: _Name) -> Parsed:
    code, *others = name.codes
    if name.scheme == "india":
        return _india(code, tuple(others))
    if name.scheme == "stage":
        return _stage(code)
    return Parsed("jorc", code, g=_category("jorc", code)["g"])


def _unfc_class(text: str, name: _Name, level: Optional[int]) -> Parsed:
    e, f = name.ef
    if level is None and name.g is None:
        return _invalid(f"'{text}' names the UNFC classes E{e} F{f} but not the geological level: "
                        f"add the G axis (e.g. E{e}F{f}G2, or '{text} G2')")
    if name.g is not None and level not in (None, name.g):
        return _invalid(f"'{text}' is a contradiction: the class is at G{name.g} by definition, not G{level}")
    g = name.g if level is None else level
    return Parsed("unfc", f"E{e}F{f}G{g}", (e, f, g), g=g)


@lru_cache(maxsize=None)
def _category(scheme: str, code: str) -> dict:
    return next(c for c in classification_data()["category"] if (c["scheme"], c["code"]) == (scheme, code))


def possible_levels(parsed: Parsed) -> frozenset:
    """Every G level a valid value may stand for: its own, its alternatives', and a JORC
    Probable Reserve's G1 (it may rest on a Measured resource)."""
    if parsed.notation in ("india", "stage", "unfc"):
        return frozenset({parsed.g} | {int(code[2]) for code in parsed.alternatives if parsed.notation == "india"})
    return frozenset({parsed.g, _category("jorc", parsed.code).get("permits", {}).get("g", parsed.g)})


def _at_level(text: str, parsed: Parsed, levels: Optional[int | frozenset]) -> Parsed:
    """``parsed`` narrowed to the G level(s) written beside it, or refused when they contradict it."""
    if levels is None or not parsed.valid:
        return parsed
    levels = {levels} if isinstance(levels, int) else set(levels)
    if parsed.notation == "india":
        matching = [code for code in parsed.candidates if int(code[2]) in levels]
        if matching:
            return _india(matching[0], tuple(matching[1:]))
    elif possible_levels(parsed) & levels:
        return parsed
    written = " or ".join(f"G{level}" for level in sorted(levels))
    meant = " or ".join(f"G{level}" for level in sorted(possible_levels(parsed)))
    return _invalid(f"'{text}' contradicts itself: {parsed.code} is at {meant}, but {written} is written with it")


def _parse_labelled(text: str) -> Optional[Parsed]:
    """A code with a label (``332 (Indicated)``, ``STD 332 - Indicated``, ``Indicated (332)``).

    The code is read and the label must agree with its G level (a label naming a stage settles an
    ambiguous name: ``Pre-Feasibility Mineral Resource (G1)`` → 221); a label that is no
    classification is ignored. None when the text has no label."""
    match = next((m for m in (pattern.match(text) for pattern in _LABELLED) if m), None)
    if match is None:
        return None
    first, second = _parse_text(match["main"]), _parse_text(match["label"])
    parts = sorted((p for p in (first, second) if p.valid), key=lambda p: p.notation not in ("india", "unfc"))
    if not parts:
        return None
    primary, *others = parts
    return _at_level(text, primary, possible_levels(others[0]) if others else None)


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
