"""Layer roles and field names: which columns of a user's file mean what (DESIGN.md §3.2).

The aliases and the role hints are data (``assessment/data/field_aliases.toml``). Guesses are
only suggestions shown to the user, who can change them; a field that is not found is simply
absent from the mapping (a finding such as "stage unknown" later, never a crash).

Examples
--------
>>> guess_fields(["ST_NM", "G_STAGE", "Mineral", "Tonnage"], "deposits")
{'state': 'ST_NM', 'commodity': 'Mineral', 'stage': 'G_STAGE', 'tonnage_mt': 'Tonnage'}
>>> guess_role("railway_stations", ["name", "state"], "point")
'infrastructure'
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

ROLES = ("deposits", "blocks", "forest", "protected_areas", "infrastructure", "boundaries", "evidence", "admin")
#: The administrative levels of an ``admin`` layer, largest first (the dossier's location rows).
ADMIN_LEVELS = ("state", "district", "tehsil", "village")

CANONICAL_FIELDS = (
    "name", "state", "district", "commodity", "unfc", "stage", "tonnage_mt", "grade", "grade_basis", "grade_unit",
    "agency", "year", "block_id", "block_name", "licence", "esz", "pa_type", "interstate", "potentiality",
    "forest_type", "tehsil", "village", "cutoff", "geology",
)

ALIASES_PATH = Path(__file__).with_name("data") / "field_aliases.toml"

# A dBASE field name holds at most 10 characters, so shapefiles truncate longer names.
_SHAPEFILE_NAME_LENGTH = 10
# A word in the layer name counts more than a matching column: names are chosen by people.
_NAME_WORD_WEIGHT = 2


@dataclass(frozen=True)
class RoleHints:
    """What suggests a role: name words, allowed geometry kinds, fields looked for, signature."""

    words: tuple[tuple[str, ...], ...]
    geometry: frozenset[str]
    fields: tuple[str, ...]
    signature: tuple[str, ...]


@dataclass(frozen=True)
class _AliasTable:
    fields: dict[str, tuple[str, ...]]
    roles: dict[str, RoleHints]


@lru_cache(maxsize=1)
def _table() -> _AliasTable:
    raw = tomllib.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    fields = {name: (name, *raw["fields"].get(name, ())) for name in CANONICAL_FIELDS}
    roles = {
        role: RoleHints(
            words=tuple(tuple(word.split("_")) for word in hints["words"]),
            geometry=frozenset(hints["geometry"]),
            fields=tuple(hints["fields"]),
            signature=tuple(hints["signature"]),
        )
        for role, hints in ((role, raw["roles"][role]) for role in ROLES)
    }
    return _AliasTable(fields=fields, roles=roles)


def role_hints(role: str) -> RoleHints:
    """The hints of ``role`` (one of :data:`ROLES`)."""
    return _table().roles[role]


@lru_cache(maxsize=8192)
def _compact(name: str) -> str:
    """``"G_STAGE"``, ``"g-stage"``, ``"G Stage"`` → ``"gstage"`` (cached: field guessing compacts
    the same column names and aliases many times over)."""
    return re.sub(r"[^0-9a-z]", "", name.strip().lower())


def _name_words(name: str) -> list[str]:
    """Words of a layer or file name: ``"RailwayStations-2016.json"`` → railway, stations, 2016, json."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return [word for word in re.split(r"[^0-9a-z]+", spaced.lower()) if word]


def _contains_sequence(words: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(tuple(words[i:i + size]) == tuple(phrase) for i in range(len(words) - size + 1))


def _column_matches(column: str, alias: str, loose: bool) -> bool:
    """Exact match on the compacted name, or (``loose``) a shapefile-truncated alias."""
    column_key, alias_key = _compact(column), _compact(alias)
    if column_key == alias_key:
        return True
    if not loose or len(column.strip()) != _SHAPEFILE_NAME_LENGTH:
        return False
    return alias.lower().startswith(column.strip().lower()) and len(alias) > _SHAPEFILE_NAME_LENGTH


def guess_fields(columns: Sequence[str], role: str | None = None) -> dict[str, str]:
    """Map canonical fields to the columns that hold them.

    Parameters
    ----------
    columns : sequence of str
        Column names as in the file (the geometry column is ignored).
    role : str or None
        Only the fields a layer of this role uses are looked for; ``None`` looks for all.

    Returns
    -------
    dict
        Canonical field → actual column, in canonical order. Each column is used once; an exact
        (case- and punctuation-insensitive) match anywhere wins over a truncated-name match, and
        a truncated name that could be several fields is left unmatched.
    """
    table = _table()
    wanted = table.roles[role].fields if role is not None else CANONICAL_FIELDS
    candidates = [str(column) for column in columns if str(column).lower() != "geometry"]
    found: dict[str, str] = {}
    for loose in (False, True):
        usable = candidates if not loose else [c for c in candidates if len(_fields_truncated_by(c, wanted)) == 1]
        for field in wanted:
            if field in found:
                continue
            used = set(found.values())
            for alias in table.fields[field]:
                match = next((c for c in usable if c not in used and _column_matches(c, alias, loose)), None)
                if match is not None:
                    found[field] = match
                    break
    return {field: found[field] for field in wanted if field in found}


def _fields_truncated_by(column: str, wanted: Sequence[str]) -> set[str]:
    """The fields with an alias that ``column`` truncates; more than one makes the column ambiguous
    ("EXPLORATIO" may be "exploration_stage" or "exploration_agency")."""
    aliases = _table().fields
    return {field for field in wanted if any(_column_matches(column, alias, True) for alias in aliases[field])}


def _role_score(role: str, words: Sequence[str], fields: dict[str, str]) -> int:
    hints = _table().roles[role]
    name_hits = sum(_contains_sequence(words, phrase) for phrase in hints.words)
    field_hits = sum(field in fields for field in hints.signature)
    return _NAME_WORD_WEIGHT * name_hits + field_hits


def guess_role(name: str, columns: Sequence[str], geometry_kind: str | None) -> str | None:
    """Guess the role of a layer from its name, its columns and its geometry.

    Parameters
    ----------
    name : str
        Layer or file name (``"stations.json"``, ``"Critical_Mineral_Blocks"``).
    columns : sequence of str
    geometry_kind : {"point", "line", "polygon", "mixed", "raster"} or None
        Roles that cannot have this geometry are ruled out (a point layer is never forest);
        ``None`` (a table without geometry) rules nothing out.

    Returns
    -------
    str or None
        The best-scoring role (name words weigh double, signature columns single; ties go to
        the earlier role in :data:`ROLES`); when nothing points anywhere, the only role the
        geometry allows if there is exactly one (a raster is evidence), else ``None``.
    """
    table = _table()
    possible = [role for role in ROLES
                if geometry_kind is None or geometry_kind in table.roles[role].geometry]
    words = _name_words(name)
    fields = guess_fields(columns, None)
    scored = [(_role_score(role, words, fields), -ROLES.index(role), role) for role in possible]
    best = max(scored, default=None)
    if best is not None and best[0] > 0:
        return best[2]
    return possible[0] if len(possible) == 1 else None
