"""Reading a classification value in any notation a user's file may hold.

Four notations are recognised, case- and space-insensitively (DESIGN.md §4), in the forms
Indian and international reports write them (DOMAIN.md A1, "Names as written"):

- ``india``: UNFC-1997 three-digit codes as used in India (``331``, ``331.0`` from a spreadsheet,
  ``(3,3,1)``, ``3 3 1``, ``STD332``, ``UNFC 331``, ``332 (Indicated)``) and the MEMC names
  (``Feasibility Mineral Resource`` → 211; ``Pre-Feasibility Mineral Resource`` → 222, or 221 at
  G1: ``choices`` holds both); only the ten codes of MEMC Rules 2015 r.3(g) are valid;
- ``unfc``: UNFC-2009 / UNFC 2019 lettered codes (``E1F1G1``, ``E1 F1 G1``, ``E1.F1.G1``,
  ``E1;F1;G1``, with sub-classes such as ``E1.1 F2.2 G1``; "Prospective projects" = E3F3G4);
- ``stage``: a bare geological stage (``G3``, ``G-3``, ``Stage G3``, ``G3 stage``,
  ``Preliminary Exploration``);
- ``jorc``: CRIRSCO / JORC names with the usual variants (``Measured``, ``measured resource``,
  ``Proven Reserve``, ``Exploration Target``), also tagged with the CRIRSCO family member
  (``Inferred (JORC 2012)``, ``Indicated (NI 43-101)``, ``SAMREC Measured``).

Anything else is ``invalid`` and carries the reason; a name too general to classify ("Mineral
Resource", "M&I") says what is missing.

Examples
--------
>>> parse("(3, 3, 1)")
Parsed(notation='india', code='331', axes=(3, 3, 1), reason='')
>>> parse("e1.1 f2.2 g1").code
'E1.1F2.2G1'
>>> parse("Proven Reserve").code
'Proved Ore Reserve'
>>> parse("112").reason
"'112' is not one of India's ten UNFC-1997 codes (111, 121, 122, 211, 221, 222, 331, 332, 333, 334)"
>>> parse("STD 332").code, parse("Stage G-3").code, parse("Inferred (JORC 2012)").code
('332', 'G3', 'Inferred Mineral Resource')
>>> parse("Pre-Feasibility Mineral Resource").choices
('222', '221')
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

CLASSIFICATION_PATH = Path(__file__).with_name("data") / "classification.toml"

NOTATIONS = ("india", "unfc", "stage", "jorc", "invalid")

_EMPTY_WORDS = frozenset({"", "na", "n/a", "<na>", "nan", "nat", "none", "null", "nil", "-", "--", "?"})
_INDIA = re.compile(r"^(\d)([,;.\-/]?)(\d)\2(\d)(?:\.0+)?$")
_DIGITS = re.compile(r"^[\d.,;\-/]+$")
_SEP = r"[.;,:_\-/]?"
_UNFC = re.compile(rf"^E(\d)(?:\.(\d))?{_SEP}F(\d)(?:\.(\d))?{_SEP}G(\d)(?:\.(\d))?$")
_STAGE = re.compile(r"^G(\d)(?:\.(\d))?$")
_BRACKETS = re.compile(r"^[(\[{](.*)[)\]}]$")
_WORDS = re.compile(r"[^a-z0-9]+")
_PLURALS = {"resources": "resource", "reserves": "reserve", "targets": "target", "results": "result"}


@dataclass(frozen=True)
class Parsed:
    """One value read: its notation, its canonical code, its axes and, if invalid, why.

    ``code`` is ``"331"``, ``"E1.1F2.2G1"``, ``"G3"`` or the JORC name (``""`` when invalid);
    ``axes`` holds the main E, F, G classes where the notation has them (a stage: ``(None, None, g)``).
    ``choices`` lists the codes a MEMC name stands for when it names two (``code`` is the first,
    the lower geological confidence), else it is empty.
    """

    notation: str
    code: str
    axes: Optional[tuple] = None
    reason: str = ""
    choices: tuple[str, ...] = ()

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
def _jorc_aliases() -> dict[str, str]:
    aliases = {}
    for category in classification_data()["category"]:
        if category["scheme"] == "jorc":
            for alias in (category["name"].lower(), *category["aliases"]):
                aliases[alias] = category["code"]
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
    tagged = _crirsco_tagged(text)
    if tagged is not None:
        return tagged
    labelled = _labelled(text)
    return labelled if labelled is not None else _parse_plain(text, text)


def _parse_plain(text: str, written: str) -> Parsed:
    """``written`` (a code, a stage or a name, without a label or a CRIRSCO tag); messages quote ``text``."""
    compact = _ascii_digits(re.sub(r"\s+", "", written).upper())
    bracketed = _BRACKETS.match(compact)
    if bracketed:
        compact = bracketed.group(1)
    compact = _code_prefix().sub("", compact)
    if _DIGITS.match(compact):
        return _parse_india(text, compact)
    if compact.startswith("E") and "F" in compact and any(ch.isdigit() for ch in compact[:3]):
        return _parse_unfc(text, compact)
    stage = _stage_words().sub("", compact)
    stage = re.sub(r"^G[-_.:]?(?=\d)", "G", stage)
    if _STAGE.match(stage) or re.match(r"^G\d+$", stage):
        return _parse_stage(text, stage)
    return _parse_name(text, written)


@lru_cache(maxsize=1)
def _code_prefix() -> re.Pattern:
    """``STD``, ``UNFC-2009`` … before a code (compacted: no spaces, upper case)."""
    prefixes = sorted(classification_data()["parsing"]["code_prefixes"], key=len, reverse=True)
    spelled = "|".join("[-:_.]?".join(map(re.escape, p.upper().split())) for p in prefixes)
    return re.compile(rf"^(?:{spelled})[-:_.]?(?=.)")


@lru_cache(maxsize=1)
def _stage_words() -> re.Pattern:
    """"STAGE" or "LEVEL" before or after a compacted stage ("STAGEG3", "G3STAGE")."""
    words = sorted((w.replace(" ", "").upper() for w in classification_data()["parsing"]["stage_words"]),
                   key=len, reverse=True)
    alternatives = "|".join(map(re.escape, words))
    return re.compile(rf"^(?:{alternatives})[-:_]?(?=G)|(?<=\d)[-:_]?(?:{alternatives})$")


@lru_cache(maxsize=1)
def _crirsco_tag() -> re.Pattern:
    """A CRIRSCO family member as a word or in brackets, with an optional year ("JORC 2012")."""
    members = sorted(classification_data()["parsing"]["crirsco_members"], key=len, reverse=True)
    member = "|".join(r"[\s\-_]*".join(map(re.escape, m.split())) for m in members)
    return re.compile(rf"[\(\[]?\b(?:{member})\b(?:[\s\-_]*(?:code|19\d\d|20\d\d))*[\)\]]?", re.IGNORECASE)


def _crirsco_tagged(text: str) -> Optional[Parsed]:
    """A CRIRSCO name tagged with its family member, read as that CRIRSCO category; None untagged."""
    tag = _crirsco_tag().search(text)
    if tag is None:
        return None
    rest = (text[:tag.start()] + " " + text[tag.end():]).strip(" -:,;")
    if not rest:
        return _invalid(f"'{text}' names a CRIRSCO code but no category (Measured, Indicated, Inferred, Proved, "
                        "Probable, Exploration Target)")
    parsed = _parse_name(text, rest, crirsco_only=True)
    if parsed.notation == "invalid" and _jorc_aliases().get(_name_key(rest)) is None:
        return _invalid(f"'{text}': {tag.group(0).strip('()[] ')} is a CRIRSCO code, but '{rest}' is not one of its "
                        "categories (Measured, Indicated, Inferred, Proved, Probable, Exploration Target)")
    return parsed


_LABEL = re.compile(r"^(?P<first>[^()\[\]]+?)\s*[(\[]\s*(?P<second>[^()\[\]]+?)\s*[)\]]$|"
                    r"^(?P<code>\S+)\s*[-–:]\s+(?P<label>[A-Za-z].*)$")


def _labelled(text: str) -> Optional[Parsed]:
    """A code with a label, either way round ("332 (Indicated)", "Indicated (332)", "332 - Indicated",
    "G3 (Preliminary Exploration)"): the code when the two agree; None when ``text`` is not two
    readable parts."""
    match = _LABEL.match(text)
    if match is None:
        return None
    first, second = (match.group("first"), match.group("second")) if match.group("first") else match.group("code", "label")
    parts = [_parse_plain(text, first), _parse_plain(text, second)]
    if not all(p.valid for p in parts):
        return None
    coded = [p for p in parts if p.notation in ("india", "unfc", "stage") and not p.choices]
    code, label = (coded[0], next(p for p in parts if p is not coded[0])) if coded else parts
    if code.code == label.code or (code.code in label.choices) or (_g_levels(code) & _g_levels(label)):
        return code
    return _invalid(f"'{text}': {code.code} is at G{min(_g_levels(code))} but '{label.code}' is a "
                    f"G{'/G'.join(map(str, sorted(_g_levels(label))))} category: the code and its label disagree")


def _g_levels(parsed: Parsed) -> set[int]:
    """The geological levels a valid value may stand for (a Probable reserve: G2 or G1)."""
    if parsed.notation in ("unfc", "stage"):
        return {parsed.axes[2]}
    rows = {f"{c['scheme']}:{c['code']}": c for c in classification_data()["category"]}
    levels = set()
    for code in parsed.choices or (parsed.code,):
        row = rows[f"{parsed.notation}:{code}"]
        levels |= {row["g"], row.get("permits", {}).get("g", row["g"])}
    return levels


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
    return Parsed("india", code, tuple(int(d) for d in code))


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
    return Parsed("unfc", "".join(parts), axes)


def _parse_stage(text: str, compact: str) -> Parsed:
    match = _STAGE.match(compact)
    limits = classification_data()["parsing"]
    if not match:
        return _invalid(f"'{text}' is not a stage (stages run G1 to G4)")
    part, reason = _class_text("G", match.group(1), match.group(2), limits)
    if reason:
        return _invalid(f"'{text}': {reason}")
    return Parsed("stage", part, (None, None, int(match.group(1))))


def _name_key(text: str) -> str:
    ignore = set(classification_data()["parsing"]["name_ignore"])
    words = [_PLURALS.get(word, word) for word in _WORDS.split(text.lower()) if word]
    return " ".join(word for word in words if word not in ignore).replace("pre feasibility", "prefeasibility")


@lru_cache(maxsize=1)
def _memc_names() -> dict[str, tuple[str, ...]]:
    """MEMC name (as a name key) → India's codes it names, the lower geological confidence first."""
    names: dict[str, list[tuple[int, str]]] = {}
    for category in classification_data()["category"]:
        if category["scheme"] == "india":
            names.setdefault(_name_key(category["name"]), []).append((-category["g"], category["code"]))
    return {key: tuple(code for _, code in sorted(codes)) for key, codes in names.items()}


@lru_cache(maxsize=1)
def _stage_names() -> dict[str, str]:
    return {_name_key(c["name"]): c["code"] for c in classification_data()["category"] if c["scheme"] == "stage"}


def _parse_name(text: str, written: Optional[str] = None, crirsco_only: bool = False) -> Parsed:
    """A written name: a CRIRSCO category, else (untagged) a MEMC name, a stage's name or a UNFC
    2019 class name; a name too general to classify says what is missing."""
    key = _name_key(written if written is not None else text)
    if crirsco_only:
        key = key.replace("mineral reserve", "ore reserve")
    code = _jorc_aliases().get(key)
    if code is not None:
        return Parsed("jorc", code)
    parsing = classification_data()["parsing"]
    if not crirsco_only:
        india = _memc_names().get(key)
        if india is not None:
            return Parsed("india", india[0], tuple(int(d) for d in india[0]), choices=india if len(india) > 1 else ())
        if key in _stage_names():
            return _parse_stage(text, _stage_names()[key])
        unfc = parsing["unfc_classes"].get(key)
        if unfc is not None:
            if "G" in unfc:
                return _parse_unfc(text, unfc.replace(" ", ""))
            return _invalid(f"'{text}' is the UNFC class {unfc} without its geological level: add G1, G2, G3 or G4 "
                            f"(e.g. {unfc.replace(' ', '')}G2)")
    general = parsing["too_general"].get(key)
    if general is not None:
        return _invalid(f"'{text}' {general}")
    return _invalid(
        f"'{text}' is not a recognised classification: expected an India code (331), a UNFC code "
        "(E1F1G1), a stage (G3) or a JORC category (Measured, Probable Ore Reserve, Exploration Target)"
    )
