"""Commodity names and India's critical-mineral lists (DOMAIN.md A6, B §5).

The lists and the alias table are data, in ``assessment/rules.toml`` (sections ``[minerals.*]``,
``[commodity_aliases]``, ``[commodity_words]``). Every function accepts an already-loaded rules
mapping (a user's rules file); a section it lacks is taken from the shipped file.

Examples
--------
>>> import pandas as pd
>>> normalise_commodities(pd.Series(["Li", "rare earths, PGE", "Pb-Zn", "Lithium ore"])).tolist()
['Lithium', 'REE;PGE', 'Lead;Zinc', 'Lithium']
>>> tag_critical(pd.Series(["Glauconite", "Gold"]))["is_critical"].tolist()
[True, False]
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

import numpy as np
import pandas as pd

from assessment.conversion import distinct_values

RULES_PATH = Path(__file__).with_name("rules.toml")
LISTS = ("critical", "part_d", "seventh_schedule")

_SPLIT = re.compile(r"\s*(?:[;,/+&|]|\band\b)\s*(?![^()]*\))", re.IGNORECASE)  # not inside brackets
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_QUALIFIER = re.compile(r"\([^()]*\)")
_SYMBOL = re.compile(r"^[A-Z][a-z]?$")


@lru_cache(maxsize=1)
def shipped_rules() -> dict:
    """The rules file shipped with Khanij (``assessment/rules.toml``)."""
    return tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))


def _section(rules: Optional[Mapping], *keys: str):
    """``rules[keys…]``, or the shipped file's when the given rules lack that section."""
    for source in (rules or {}, shipped_rules()):
        node = source
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            return node
    raise KeyError(".".join(keys))


def mineral_list(name: str, rules: Optional[Mapping] = None) -> tuple[str, ...]:
    """Canonical commodity names of one list: ``critical``, ``part_d`` or ``seventh_schedule``."""
    return tuple(dict.fromkeys(_section(rules, "minerals", name, "names")))


def _key(text: str) -> str:
    return " ".join(_NOT_WORD.split(text.lower())).strip()


def _index(rules: Optional[Mapping]) -> tuple[dict, frozenset]:
    aliases = _section(rules, "commodity_aliases")
    index = {}
    for canonical, spellings in aliases.items():
        for spelling in (canonical, *spellings):
            index[_key(spelling)] = canonical
    return index, frozenset(_section(rules, "commodity_words", "ignore"))


def _canonical_part(part: str, index: dict, ignore: frozenset) -> list[str]:
    """Canonical names for one part of a commodity text; the part itself when unknown.

    The part is tried as written, then without bracketed qualifiers (``Lithium (pegmatite)``).
    """
    for text in dict.fromkeys((part, _QUALIFIER.sub(" ", part))):
        names = _lookup(text, index, ignore)
        if names:
            return names
    return [part.strip()]


def _lookup(text: str, index: dict, ignore: frozenset) -> list[str]:
    """The alias table's names for ``text``: whole, without filler words, then word by word."""
    key = _key(text)
    kept = " ".join(word for word in key.split() if word not in ignore)
    for candidate in (key, kept):
        if candidate in index:
            return [index[candidate]]
    words = kept.split()
    if words and all(word in index for word in words) and _short_words_are_symbols(text):
        return [index[word] for word in words]
    return []


def _short_words_are_symbols(text: str) -> bool:
    """False when a free-standing one- or two-letter word is not written as a chemical symbol.

    ``Cu Au`` and ``Pb-Zn`` read as symbols; the ``in`` of ``Gold in quartz`` is a word, not Indium.
    """
    standalone = [token.strip("()[].") for token in text.split() if "-" not in token]
    return all(_SYMBOL.match(token) for token in standalone if 0 < len(token) <= 2)


def _normalise(text, index: dict, ignore: frozenset) -> Optional[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return None
    if _key(str(text)) in index:
        return index[_key(str(text))]
    names = []
    for part in _SPLIT.split(str(text)):
        if part.strip():
            names.extend(_canonical_part(part, index, ignore))
    return ";".join(dict.fromkeys(names)) or None


def normalise_commodity(text, rules: Optional[Mapping] = None) -> Optional[str]:
    """One commodity cell as canonical names joined by ``;`` (None when empty).

    The whole text is looked up first (``Beryl and other beryllium-bearing minerals``); otherwise it
    is split on ``;``, ``,``, ``/``, ``+``, ``&`` and the word ``and``; each part is
    looked up in the alias table, then without filler words ("ore", "bearing" …), then word by
    word (``Pb-Zn`` → Lead;Zinc; a lower-case ``in`` or ``be`` is a word, not a symbol), each
    also without bracketed qualifiers. A part that matches nothing is kept as written.
    """
    return _normalise(text, *_index(rules))


def normalise_commodities(series: pd.Series, rules: Optional[Mapping] = None) -> pd.Series:
    """A commodity column normalised to canonical names (``"Li, REE"`` → ``"Lithium;REE"``).

    Each distinct value is normalised once and the answers are spread back over the rows.
    """
    rows, values = distinct_values(series)
    index, ignore = _index(rules)
    answers = np.array([_normalise(value, index, ignore) for value in values], dtype=object)
    return pd.Series(answers[rows], index=series.index, name=series.name, dtype=object)


def tag_critical(series: pd.Series, rules: Optional[Mapping] = None) -> pd.DataFrame:
    """Which of each row's commodities are among the 30 critical minerals and in Part D.

    Returns
    -------
    pandas.DataFrame
        Same index; ``critical_minerals`` and ``part_d_minerals`` (canonical names joined by
        ``;``, empty when none) and ``is_critical`` (True when either list holds one of them).
    """
    rows, values = distinct_values(series)
    index, ignore = _index(rules)
    names = [(_normalise(value, index, ignore) or "").split(";") for value in values]
    columns = {}
    for column, listed in (("critical_minerals", mineral_list("critical", rules)),
                           ("part_d_minerals", mineral_list("part_d", rules))):
        members = frozenset(listed)
        columns[column] = np.array([";".join(n for n in found if n in members) for found in names], dtype=object)[rows]
    columns["is_critical"] = (columns["critical_minerals"] != "") | (columns["part_d_minerals"] != "")
    return pd.DataFrame(columns, index=series.index)
