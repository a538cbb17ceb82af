"""What a per-block dossier says, as structured data: a Mineral Block Summary per block.

:func:`build_dossier` turns a score output (the columns of docs/score-columns.md, read back from a
GeoPackage) and, optionally, the deposits, forest and administrative layers into a
:class:`Dossier`: a cover with the tranche ranking and, per block, the block summary as tender
documents and geological reports give it (Mineral (Auction) Rules 2015 r.9; the IBM mining-plan
location fields): name and id; state, district, tehsil and villages (by overlay with the
administrative layers given, else the block's own columns, else "not given"); area in hectares
and km²; Survey of India 1:50,000 toposheets with the index's attribution; the boundary pillars
BP-1 … (:func:`boundary_pillars`, numbered as the workbench's pillar tables and the map) in DMS and decimal degrees; the
land split into reserved, protected and unclassed forest and non-forest land; the nearest
protected area and infrastructure by name; the exploration stage; the resources by UNFC category
with the JORC-style category beside it; the auctioning authority; every gate with its finding and
the law; the conditions, the criteria, what is missing (every failed gate) and the provenance.
Short references (rule ids, classification sources) are explained on the dossier's key page
(:attr:`Dossier.key`). Drawing it (PDF pages, maps) is the GUI's job; every text and number
printed comes from here, so a headless test reads the same content.

Every fact comes from the score output's own columns (DESIGN.md §5.4): gate statuses with their
``gate_<name>_finding`` and ``gate_<name>_source``, each criterion's ``m_<name>_text``, score,
weight and contribution, the ``conditions`` list, ``authority_finding`` … The ``explanation``
prose is never parsed. A score file without the findings columns (made by an older Khanij or
another tool) gets its explanation printed whole, and its tables say the findings were not
recorded.
"""
from __future__ import annotations

import datetime
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from assessment.conversion import convert
from assessment.fields import ADMIN_LEVELS, guess_fields
from assessment.rules import CRITERIA
from geo.pillars import WGS84, Pillar, polygon_pillars

READINESS_ORDER = ("Ready", "Ready with conditions", "Not ready")
GATES = (("gate_stage", "Exploration stage"), ("gate_protected", "Protected areas"), ("gate_state", "Listed state"))
#: At most this many boundary pillars are listed and numbered on the map (a surveyed block has a few).
MAX_CORNERS = 40
SQ_KM_PER_HA = 0.01
TOPOSHEET_ATTRIBUTION = ("Toposheet index: Survey of India Open Series Map 1:50,000 index, via DataMeet "
                         "(github.com/datameet/maps), CC BY 4.0.")
STAGE_WORDS = {"G1": "Detailed exploration", "G2": "General exploration", "G3": "Preliminary exploration",
               "G4": "Reconnaissance survey"}
#: The forest's legal status (Indian Forest Act 1927) read from a forest layer's type field, and
#: the order the dossier lists it in.
FOREST_STATUSES = (("reserv", "Reserved forest"), ("protect", "Protected forest"), ("unclass", "Unclassed forest"))
FOREST_STATUS_NOT_GIVEN = "Forest, legal status not given"
SOURCE_KEYS_PATH = Path(__file__).with_name("data") / "source_keys.toml"
#: Short references that may appear inside printed notes (explained on the key page).
_SHORT_REFERENCE = re.compile(r"\b(A[1-9]|J[1-9]|SRK)\b")
#: Characters of the rules' SHA-256 printed in page footers (the full hash is on the cover).
SHORT_HASH = 12
ILLUSTRATIVE_NOTE = "Illustrative sample data — not official. Do not use for a decision."
#: Printed in place of a finding, condition or measure that the score file does not record.
NOT_RECORDED = "not recorded in the score file: see the scorer's reasoning below"


@dataclass
class Table:
    """A table to print: header, rows of text, relative column widths and alignment ("L"/"R")."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float]
    align: str

    def __post_init__(self):
        if not (len(self.columns) == len(self.widths) == len(self.align)):
            raise ValueError("a table needs one width and one alignment per column")


@dataclass
class Gate:
    name: str
    status: str
    finding: str
    source: str
    rule: str = ""


@dataclass
class Criterion:
    """One scored criterion of a block (``weight`` in %, None when the rules used are unknown)."""

    name: str
    label: str
    measure: str
    score: Optional[float]
    weight: Optional[float]
    contribution: Optional[float]


@dataclass
class BlockReport:
    """Everything one block's section prints, in order."""

    block_id: str
    title: str
    readiness: str
    score: Optional[float]
    facts: list[tuple[str, str]]
    corners: Table
    corner_note: str
    classification: list[tuple[str, str]]
    resources: Optional[Table]
    resources_note: str
    gates: list[Gate]
    land: Table
    land_note: str
    pillars: list[Pillar]
    nearest: list[tuple[str, str, Optional[float]]]
    geology: list[tuple[str, str]]
    missing_items: list[str]
    conditions: list[tuple[str, str]]
    conditions_note: str
    criteria: list[Criterion]
    total_note: str
    missing: str
    provenance: list[tuple[str, str]]
    geometry_wgs84: object
    explanation: str
    illustrative: bool
    # Review decisions (issue 15): filled by layers.review.decisions.attach_to_dossier when a review store is given.
    review: Optional[Table] = None

    def gates_table(self) -> Table:
        return Table(["Gate", "Result", "Finding", "Law", "Key"],
                     [[g.name, g.status, g.finding, g.source, g.rule.replace("; ", "\n") or "—"] for g in self.gates],
                     [1.45, 0.7, 3.0, 3.0, 1.3], "LLLLL")

    def printed_texts(self) -> list[str]:
        """Every text this section prints (to find the short references it uses)."""
        texts = [value for _, value in (*self.facts, *self.classification, *self.geology)]
        texts += [cell for table in (self.resources, self.land, self.corners) if table is not None
                  for row in table.rows for cell in row]
        texts += [self.resources_note, self.land_note, self.missing, self.total_note]
        texts += [text for pair in self.conditions for text in pair]
        texts += [c.measure for c in self.criteria] + [g.finding for g in self.gates] + [g.source for g in self.gates]
        return texts

    def criteria_table(self) -> Table:
        rows = [[c.label, c.measure, _number(c.score, 0), "—" if c.weight is None else f"{c.weight:g}",
                 _number(c.contribution, 1)]
                for c in self.criteria]
        rows.append(["Total", self.total_note, "", "100", _number(self.score, 1)])
        return Table(["Criterion", "Measure", "Score", "Weight %", "Points"], rows, [1.9, 4.6, 0.8, 0.9, 0.8], "LLRRR")


@dataclass
class Dossier:
    """The whole dossier: cover (title, date, ranking, rules, sources) and the blocks' sections.

    ``rules`` names the rules file with its version and full SHA-256; ``rules_short`` is the same
    with the hash cut to :data:`SHORT_HASH` characters, for page footers.
    """

    title: str
    generated: datetime.date
    illustrative: bool
    ranking: Table
    blocks: list[BlockReport]
    sources: list[str]
    rules: str
    rules_short: str = ""
    key: list[tuple[str, str]] = field(default_factory=list)
    inputs: Optional[Table] = None


# ---------------------------------------------------------------- per-block content


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not np.isfinite(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _number(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def _float(value) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def boundary_pillars(geometry_wgs84) -> tuple[list[Pillar], str]:
    """The boundary pillars BP-1, BP-2 … of a block, numbered as the workbench's pillar table
    numbers them (:func:`geo.pillars.polygon_pillars`: the outer ring from its first vertex, in
    its own order, so a block entered from a tender's pillar list keeps the tender's numbers), and
    a note where the block does not have one plain outline: a block in several parts continues
    the numbering part after part; holes have no pillars. The dossier's table and its map number
    them with this one function."""
    from shapely.geometry import Polygon

    parts = [part for part in getattr(geometry_wgs84, "geoms", [geometry_wgs84])
             if getattr(part, "exterior", None) is not None and not part.is_empty]
    pillars: list[Pillar] = []
    for part in parts:
        for pillar in polygon_pillars(Polygon(part.exterior), WGS84):
            pillars.append(Pillar(f"BP-{len(pillars) + 1}", pillar.lat, pillar.lon))
    notes = []
    if len(parts) > 1:
        notes.append(f"The block is in {len(parts)} parts; the numbering runs on from one part to the next.")
    holes = sum(len(part.interiors) for part in parts)
    if holes:
        notes.append(f"Its {holes} hole(s) are not listed.")
    return pillars, " ".join(notes)


def corner_table(geometry_wgs84) -> tuple[Table, str]:
    """The boundary pillars (DMS and decimal degrees to 6 places, WGS 84) and a note on them."""
    from geo.coords import format_dms

    pillars, shape_note = boundary_pillars(geometry_wgs84)
    rows = [[p.label, format_dms(p.lat, "lat"), format_dms(p.lon, "lon"), f"{p.lat:.6f}", f"{p.lon:.6f}"]
            for p in pillars[:MAX_CORNERS]]
    note = ("Boundary pillars in the order of the block's outline, numbered as on the map and in a pillar table "
            "exported from the app; WGS 84 (EPSG:4326), degrees-minutes-seconds and decimal degrees.")
    note += f" {shape_note}" if shape_note else ""
    if len(pillars) > MAX_CORNERS:
        note += (f" The boundary has {len(pillars)} vertices; the first {MAX_CORNERS} are listed "
                 "(full boundary in the GeoPackage).")
    table = Table(["Pillar", "Latitude (DMS)", "Longitude (DMS)", "Latitude (°)", "Longitude (°)"], rows,
                  [0.8, 1.9, 1.9, 1.5, 1.5], "LRRRR")
    return table, note


# ---------------------------------------------------------------- resources by category

#: India's UNFC codes from the most to the least confident (the resource table's order).
_CODE_ORDER = ("111", "121", "122", "211", "212", "221", "222", "331", "332", "333", "334")


def _jorc_with_ambiguity(code: str) -> tuple[str, str]:
    """(the JORC-style category with its status and alternatives, the conversion's note)."""
    if not code:
        return "—", ""
    conversion = convert(code, to="jorc")
    alternatives = [f"{a['result']} {a['condition']}" if isinstance(a, dict) and a.get("condition") else
                    str(a.get("result", a) if isinstance(a, dict) else a) for a in conversion.alternatives]
    text = conversion.result or "no JORC equivalent"
    if conversion.status != "exact":
        text += f" ({conversion.status.replace('_', ' ')}"
        text += f"; or {'; or '.join(alternatives)})" if alternatives else ")"
    return text, conversion.note or ""


_GRADE_AS = re.compile(r"\bgrade (?:as|of) ([A-Z][A-Za-z0-9₂₃₅]*)")


def _basis_in_note(note: str) -> str:
    """The grade's basis where a deposit's note states it ("grade as K2O" → "K2O")."""
    found = _GRADE_AS.search(note or "")
    return found.group(1) if found else ""


def resources_table(deposits, deposit_fields: dict[str, str]) -> tuple[Table, list[str], list[tuple[str, str]]]:
    """The resources inside a block by UNFC category: per deposit its UNFC code beside the
    JORC-style category (ambiguity stated), tonnage, grade with its basis, cut-off, exploring
    agency and year; a total row per category. Also the conversion notes and geology notes."""
    get = lambda row, key: _text(row.get(deposit_fields[key])) if key in deposit_fields else ""  # noqa: E731
    items = []
    for _, row in deposits.iterrows():
        code = get(row, "unfc") or get(row, "stage")
        tonnage = _float(row.get(deposit_fields["tonnage_mt"])) if "tonnage_mt" in deposit_fields else None
        basis = get(row, "grade_basis") or _basis_in_note(get(row, "geology"))
        grade = " ".join(x for x in (get(row, "grade"), get(row, "grade_unit"), basis) if x)
        agency = ", ".join(x for x in (get(row, "agency"), get(row, "year")) if x)
        items.append((code, get(row, "name"), get(row, "commodity"), tonnage, grade, get(row, "cutoff"), agency,
                      get(row, "geology")))
    rank = lambda code: _CODE_ORDER.index(code) if code in _CODE_ORDER else len(_CODE_ORDER)  # noqa: E731
    rows, notes, geology = [], [], []
    for code in sorted({item[0] for item in items}, key=lambda c: (rank(c), c)):
        jorc, note = _jorc_with_ambiguity(code)
        if note and note not in notes:
            notes.append(note)
        members = [item for item in items if item[0] == code]
        for _, name, commodity, tonnage, grade, cutoff, agency, geology_note in members:
            rows.append([code or "not given", jorc, name, commodity, _number(tonnage, 2), grade or "—", cutoff or "—",
                         agency or "—"])
            if geology_note:
                geology.append((name or code, geology_note))
        known = [m[3] for m in members if m[3] is not None]
        rows.append([f"Total {code or 'not given'}", "", f"{len(members)} deposit(s)", "",
                     _number(sum(known), 2) if known else "—", "", "", ""])
    table = Table(["UNFC code", "JORC-style category", "Deposit", "Commodity", "Tonnage (Mt)", "Grade (basis)",
                   "Cut-off", "Agency, year"], rows, [0.9, 1.85, 1.75, 1.4, 1.0, 1.3, 0.8, 1.1], "LLLLRLLL")
    return table, notes, geology


# ---------------------------------------------------------------- overlays: administrative areas, forest


@dataclass
class AdminLayer:
    """An administrative layer given to the report: its polygons and which column holds which
    level (``{"district": "DISTRICT", "village": "NAME"}``)."""

    frame: object
    levels: dict[str, str]
    source: str = ""


def admin_layer(frame, levels: Optional[Mapping[str, str]] = None, source: str = "") -> AdminLayer:
    """An :class:`AdminLayer`; ``levels`` (level → column) default to the guessed fields, where a
    ``name`` column names the unit one level below the finest level the layer has (a village
    layer with a sub-district column: the names are villages).

    Raises
    ------
    ValueError
        No level could be told; the message lists the columns.
    """
    if levels is None:
        guessed = guess_fields([str(c) for c in frame.columns], "admin")
        levels = {level: guessed[level] for level in ADMIN_LEVELS if level in guessed}
        finest = max((ADMIN_LEVELS.index(level) for level in levels), default=-1)
        if "name" in guessed and finest + 1 < len(ADMIN_LEVELS) and finest >= 0:
            levels[ADMIN_LEVELS[finest + 1]] = guessed["name"]
    unknown = [column for column in dict(levels).values() if column not in frame.columns]
    if not levels or unknown:
        columns = ", ".join(str(c) for c in frame.columns if str(c) != "geometry")
        raise ValueError(f"{source or 'the administrative layer'}: no column for state, district, tehsil or village "
                         f"could be told (map a level to a column); its columns are: {columns}")
    return AdminLayer(frame, dict(levels), source)


def _overlaps(blocks_display, frame, display_crs: str):
    """(block position, feature position, overlap area in display units²) of every block and
    polygon of ``frame`` that overlap."""
    import shapely

    other = frame.geometry.to_crs(display_crs)
    valid = shapely.make_valid(np.asarray(other.values, dtype=object))
    tree = shapely.STRtree(valid)
    block_pos, feature_pos = tree.query(np.asarray(blocks_display.values, dtype=object), predicate="intersects")
    if not len(block_pos):
        return block_pos, feature_pos, np.empty(0)
    pieces = shapely.intersection(np.asarray(blocks_display.values, dtype=object)[block_pos], valid[feature_pos])
    return block_pos, feature_pos, shapely.area(pieces)


def admin_places(blocks_display, admin: Sequence[AdminLayer], display_crs: str) -> list[dict[str, tuple[list[str], str]]]:
    """Per block, per level: the names of the units overlapping it (largest overlap first) and the
    file they come from."""
    places: list[dict[str, tuple[list[str], str]]] = [{} for _ in range(len(blocks_display))]
    for layer in admin:
        block_pos, feature_pos, areas = _overlaps(blocks_display, layer.frame, display_crs)
        for level, column in layer.levels.items():
            names = layer.frame[column].to_numpy()
            for block in np.unique(block_pos):
                chosen = block_pos == block
                order = np.argsort(-areas[chosen], kind="stable")
                found = list(dict.fromkeys(_text(names[f]) for f in feature_pos[chosen][order] if _text(names[f])))
                if found and level not in places[block]:
                    places[block][level] = (found, layer.source)
    return places


def forest_status_of(value) -> str:
    """The legal status class of a forest type value (``"RF"`` is not guessed: it stays as written)."""
    text = _text(value)
    for stem, label in FOREST_STATUSES:
        if stem in text.lower():
            return label
    return f"Forest: {text}" if text else FOREST_STATUS_NOT_GIVEN


def forest_by_status(blocks_display, forest, display_crs: str) -> list[dict[str, float]]:
    """Per block, the forest land inside it in hectares (geodesic) per legal status, each
    status's land counted once (a reserved forest overlapping a protected one counts as reserved),
    and ``"total"`` (the union)."""
    import shapely

    from geo.measure import geodesic_area_ha

    type_column = guess_fields([str(c) for c in forest.columns], "forest").get("forest_type")
    statuses = (forest[type_column].map(forest_status_of) if type_column else
                pd.Series(FOREST_STATUS_NOT_GIVEN, index=forest.index)).to_numpy()
    block_pos, feature_pos, _areas = _overlaps(blocks_display, forest, display_crs)
    shapes = shapely.make_valid(np.asarray(forest.geometry.to_crs(display_crs).values, dtype=object))
    order = [label for _, label in FOREST_STATUSES]
    result: list[dict[str, float]] = [{} for _ in range(len(blocks_display))]
    for block in np.unique(block_pos):
        outline = blocks_display.values[block]
        features = feature_pos[block_pos == block]
        taken = None
        for status in sorted(set(statuses[features]), key=lambda s: (order.index(s) if s in order else len(order), s)):
            land = shapely.intersection(shapely.union_all(shapes[features[statuses[features] == status]]), outline)
            if taken is not None:
                land = shapely.difference(land, taken)
            taken = land if taken is None else shapely.union(taken, land)
            hectares = geodesic_area_ha(land, display_crs)
            if hectares > 0:
                result[block][status] = hectares
        if taken is not None:
            result[block]["total"] = geodesic_area_ha(taken, display_crs)
    return result


def land_table(area_ha: Optional[float], by_status: Optional[dict[str, float]], row: pd.Series) -> tuple[Table, str]:
    """Forest land by legal status and non-forest land, in ha and % of the block."""
    def line(label: str, hectares: Optional[float]) -> list[str]:
        share = 100.0 * hectares / area_ha if hectares is not None and area_ha else None
        return [label, _number(hectares, 2), _number(share, 1)]

    if by_status is None:
        forest = _float(row.get("forest_ha"))
        rows = [line("Forest land (legal status not split)", forest)]
        note = "The forest layer was not given to the report: forest land from the score, not split by legal status."
    else:
        forest = by_status.get("total", 0.0)
        rows = [line(status, hectares) for status, hectares in by_status.items() if status != "total"]
        rows.append(line("Forest land, all", forest))
        note = ("Forest land by legal status from the forest layer's type field (reserved, protected, unclassed); "
                "land in two classes is counted once, in the first.")
    non_forest = area_ha - forest if area_ha is not None and forest is not None else None
    rows += [line("Non-forest land", non_forest), line("Block", area_ha)]
    return Table(["Land", "Area (ha)", "% of the block"], rows, [3.0, 1.2, 1.2], "LRR"), note


def _classification(row: pd.Series, fields: dict[str, str]) -> list[tuple[str, str]]:
    code = _text(row.get(fields["unfc"])) if "unfc" in fields else ""
    stage = _text(row.get("stage"))
    shown = code or stage
    if not shown:
        return [("UNFC code", "not given"), ("JORC equivalent", "—")]
    conversion = convert(shown, to="jorc")
    rows = [("UNFC code", code or "not given"), ("Stage used", stage or "unknown"),
            ("JORC equivalent", f"{conversion.result or 'no equivalent'} ({conversion.status})")]
    if conversion.note:
        rows.append(("Conversion note", conversion.note))
    return rows




def _location(row: pd.Series, fields: dict[str, str], places: dict[str, tuple[list[str], str]]) -> list[tuple[str, str]]:
    """State, district, tehsil and village(s): by overlay with the administrative layers given,
    else as the block's own columns list them, else "not given"."""
    labels = {"state": "State", "district": "District", "tehsil": "Tehsil / taluka", "village": "Village(s)"}
    rows = []
    for level in ADMIN_LEVELS:
        listed = _text(row.get(fields[level])) if level in fields else ""
        if level in places:
            names, source = places[level]
            value = ", ".join(names) + f" (by overlay with {source or 'the administrative layer'})"
            if listed and listed.casefold() not in (n.casefold() for n in names):
                value += f"; the block's table lists {listed}"
        else:
            value = listed or "not given"
        if level == "state" and _text(row.get("gate_state")) == "fail":
            value = _listed_place(row, listed, "")
        rows.append((labels[level], value))
    return rows


def _nearest(row: pd.Series) -> list[tuple[str, str, Optional[float]]]:
    """(what, name, km) of the nearest protected area and of each infrastructure layer's nearest
    feature, from the ``nearest_*`` columns (the older ``protected_km``/``infra_*_km`` when a
    score file has no names)."""
    found = []
    if "nearest_protected_name" in row.index or "protected_km" in row.index:
        km = _float(row.get("nearest_protected_km", row.get("protected_km")))
        found.append(("national park or wildlife sanctuary", _text(row.get("nearest_protected_name")), km))
    for column in row.index:
        slug = str(column)[6:-3] if str(column).startswith("infra_") and str(column).endswith("_km") else None
        if slug is None:
            continue
        km = _float(row.get(f"nearest_{slug}_km", row.get(column)))
        found.append((_singular(slug.replace("_", " ")), _text(row.get(f"nearest_{slug}_name")), km))
    return found


def _singular(words: str) -> str:
    """ "railway stations" → "railway station" (a layer's slug read as one of its features)."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
    return f"{head} {last}".strip()


def _nearest_text(name: str, km: Optional[float]) -> str:
    if km is None:
        return "not measured"
    return f"{name + ', ' if name else ''}{_number(km, 2)} km (geodesic)"


def _facts(row: pd.Series, fields: dict[str, str], area_ha: Optional[float], toposheets: Sequence[str],
           authority: str, places: dict, nearest, deposit_agencies: Sequence[str]) -> list[tuple[str, str]]:
    """The Mineral Block Summary's rows, in the order a tender document gives them."""
    def field_value(canonical: str) -> str:
        return _text(row.get(fields[canonical])) if canonical in fields else ""

    lowered = {str(c).lower(): c for c in row.index}
    history = _text(row.get(lowered["tranche"])) if "tranche" in lowered else ""
    stage = _text(row.get("stage"))
    licence_now = _text(row.get("licence_now"))
    agency = ", ".join(x for x in (field_value("agency"), field_value("year")) if x)
    area = "not measured" if area_ha is None else f"{_number(area_ha, 2)} ha ({_number(area_ha * SQ_KM_PER_HA, 2)} km²)"
    facts = [
        ("Block", " — ".join(x for x in (field_value("block_name") or field_value("name"), field_value("block_id")) if x)
         or "not given"),
        *_location(row, fields, places),
        ("Area", area),
        ("SOI toposheets (1:50,000)", (", ".join(toposheets) + f". {TOPOSHEET_ATTRIBUTION}") if toposheets
         else "outside the sheet index"),
        ("Mineral(s)", field_value("commodity") or "not given"),
        ("Critical minerals", _critical_minerals(row)),
        ("Exploration stage", f"{stage} ({STAGE_WORDS[stage]})" if stage in STAGE_WORDS else "not known"),
        ("Exploring agency", agency or ("; ".join(deposit_agencies) + " (from the deposits inside)" if deposit_agencies
                                        else "not given")),
        ("Licence intended", _text(row.get("licence")) or "not given"),
        (f"Licence possible on {_text(row.get('as_of')) or 'the as-of date'}",
         "none" if licence_now in ("", "none") else licence_now),
        ("Auctioning authority", authority or "not stated by the scorer"),
    ]
    facts += [(f"Nearest {what}", _nearest_text(name, km)) for what, name, km in nearest]
    if history:
        facts.append(("Auction history", history))
    return facts


def _critical_minerals(row: pd.Series) -> str:
    """The critical minerals and where each was found (the block's commodity, deposits inside)."""
    names = _text(row.get("critical_minerals"))
    if not names:
        return "none identified"
    try:
        origin = json.loads(_text(row.get("critical_minerals_from")) or "{}")
    except json.JSONDecodeError:
        origin = {}
    if not isinstance(origin, dict) or not origin:
        return names
    return "; ".join(f"{mineral} (from the {' and the '.join(sources)})" if sources else mineral
                     for mineral, sources in origin.items())


def _listed_place(row: pd.Series, state: str, district: str) -> str:
    """The listed state and district; where the state gate failed, the listed state is marked as
    listed and the state the block actually lies in is said."""
    listed = " / ".join(x for x in (state, district) if x) or "not given"
    found, pct = _text(row.get("state_found")), _float(row.get("state_inside_pct"))
    if _text(row.get("gate_state")) != "fail":
        return listed
    inside = f"{_number(pct, 1)} % of it lies in {state}" if pct is not None and state else ""
    where = f"the block lies in {found}" if found and found.casefold() != state.casefold() else "the block lies outside it"
    return f"listed as {listed}, but {where}" + (f" ({inside})" if inside else "")


CRITERION_LABELS = {"exploration": "Exploration maturity", "resources": "Resources inside the block",
                    "forest": "Forest overlap", "protected": "Distance to protected areas",
                    "infrastructure": "Access to infrastructure", "evidence": "Raster evidence",
                    "completeness": "Data completeness"}


def recorded_findings(row: pd.Series) -> bool:
    """True when the score row carries the findings columns (not only the explanation prose)."""
    return all(f"{column}_finding" in row.index for column, _ in GATES)


def _gates(row: pd.Series) -> list[Gate]:
    """The gates from their columns: result, finding and the law cited."""
    return [Gate(name, _text(row.get(column)) or "unknown", _text(row.get(f"{column}_finding")) or NOT_RECORDED,
                 _text(row.get(f"{column}_source")) or "—", _text(row.get(f"{column}_rule")))
            for column, name in GATES]


def _criteria(row: pd.Series) -> list[Criterion]:
    """The criteria from their columns: measure in words, score, weight and contribution."""
    return [Criterion(name, CRITERION_LABELS[name], _text(row.get(f"m_{name}_text")) or NOT_RECORDED,
                      _float(row.get(f"s_{name}")), _float(row.get(f"w_{name}")), _float(row.get(f"c_{name}")))
            for name in CRITERIA]


def _condition_items(row: pd.Series) -> list[dict]:
    try:
        items = json.loads(_text(row.get("conditions")) or "[]")
    except json.JSONDecodeError:
        return [{"text": _text(row.get("conditions"))}]
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _conditions(row: pd.Series) -> list[tuple[str, str]]:
    """(condition, law cited) pairs from the ``conditions`` column (JSON list)."""
    return [(str(item.get("text", "")), str(item.get("source", ""))) for item in _condition_items(row)]


def _missing_items(row: pd.Series) -> list[str]:
    """What is missing, one item per failed gate: ``missing_items`` (JSON), else ``missing`` split."""
    try:
        items = json.loads(_text(row.get("missing_items")) or "null")
    except json.JSONDecodeError:
        items = None
    if isinstance(items, list):
        return [str(item) for item in items if str(item).strip()]
    return [part.strip() for part in _text(row.get("missing")).split("; ") if part.strip()]


def rule_ids_of(row: pd.Series) -> list[str]:
    """Every rule id a block's findings cite (gates and conditions), in order."""
    ids = [_text(row.get(f"{column}_rule")) for column, _ in GATES]
    ids += [str(item.get("rule", "")) for item in _condition_items(row)]
    return list(dict.fromkeys(part.strip() for text in ids for part in text.split(";") if part.strip()))


def _total_note(criteria: Sequence[Criterion]) -> str:
    scored = sum(c.weight for c in criteria if c.score is not None and c.weight is not None)
    unscored = [c.label for c in criteria if c.score is None]
    if not unscored:
        return "weighted total"
    return f"rescaled to the {scored:g} weight points scored (not scored: {', '.join(unscored)})"


def criteria_lines(row: Mapping) -> list[str]:
    """The score broken down, one line per criterion from its ``m_``/``s_``/``w_``/``c_`` columns:
    the measure in words, the sub-score × the weight → the points it contributes ("not scored"
    without a sub-score). A weight is a share of the weight points scored when some criterion
    could not be scored (the total is rescaled to them).

    Examples
    --------
    >>> row = {"m_exploration_text": "G2 (general exploration)", "s_exploration": 75.0, "w_exploration": 30.0,
    ...        "c_exploration": 22.5}
    >>> criteria_lines(row)[0]
    'Exploration maturity: G2 (general exploration) — 75 × 30/30 → 22.5 points'
    """
    criteria = _criteria(row)
    scored_weight = sum(c.weight for c in criteria if c.score is not None and c.weight is not None)
    lines = []
    for criterion in criteria:
        if criterion.score is None:
            points = "not scored"
        else:
            share = ("weight not recorded" if criterion.weight is None else f"{criterion.weight:g} %"
                     if scored_weight == 100 else f"{criterion.weight:g}/{scored_weight:g}")
            points = f"{criterion.score:.0f} × {share} → {_number(criterion.contribution, 1)} points"
        lines.append(f"{criterion.label}: {criterion.measure} — {points}")
    return lines


def findings_text(row: pd.Series) -> str:
    """One block's verdict as plain lines, from its findings columns (the readiness panel's view):
    the class and score, each gate with its finding and the law cited, the conditions, each
    criterion's measure and points, what is missing, the auctioning authority and the nearest
    features by name. A row without findings columns gives its explanation, one sentence a line.
    """
    if not recorded_findings(row):
        return _text(row.get("explanation"))
    as_of = _text(row.get("as_of"))
    lines = [f"{_text(row.get('readiness'))} · score {_number(_float(row.get('score')), 1)} of 100"
             + (f" · law as of {as_of}" if as_of else ""), "", "Gates"]
    for gate in _gates(row):
        lines.append(f"  {gate.name}: {gate.status} — {gate.finding}")
        if gate.source and gate.source != "—":
            lines.append(f"      Law: {gate.source}")
    conditions = _conditions(row)
    lines += ["", "Conditions" if conditions else "No conditions apply."]
    lines += [f"  • {text}" + (f" ({source})" if source else "") for text, source in conditions]
    lines += ["", "Criteria"]
    lines += [f"  {line}" for line in criteria_lines(row)]
    missing = _text(row.get("missing"))
    lines += ["", f"Missing: {missing}" if missing else "Nothing is missing for the licence intended."]
    authority = _text(row.get("authority_finding"))
    if authority:
        lines.append(f"Auctioning authority: {authority}")
    nearest = [f"{what}: {_nearest_text(name, km)}" for what, name, km in _nearest(row) if name]
    if nearest:
        lines.append("Nearest — " + "; ".join(nearest))
    return "\n".join(lines)


@dataclass
class BlockContext:
    """What the overlays found for one block: deposits inside, administrative places, forest by
    legal status (None: no forest layer given)."""

    deposits: object = None
    places: dict = field(default_factory=dict)
    forest: Optional[dict[str, float]] = None


def block_report(row: pd.Series, geometry_wgs84, fields: dict[str, str],
                 deposits=None, deposit_fields: Optional[dict[str, str]] = None, sources: Sequence[str] = (),
                 generated: Optional[datetime.date] = None, context: Optional[BlockContext] = None) -> BlockReport:
    """The content of one block's section (``row``: one row of the score output)."""
    from geo.measure import geodesic_area_ha
    from geo.soi_sheets import toposheets_for_polygon

    context = context or BlockContext(deposits=deposits)
    deposits = context.deposits if context.deposits is not None else deposits
    explanation = _text(row.get("explanation"))
    recorded = recorded_findings(row)
    block_id = _text(row.get(fields["block_id"])) if "block_id" in fields else ""
    name = _text(row.get(fields["block_name"])) if "block_name" in fields else ""
    area_ha = _float(row.get("area_ha"))
    if area_ha is None and geometry_wgs84 is not None:
        area_ha = geodesic_area_ha(geometry_wgs84, "EPSG:4326")
    corners, corner_note = corner_table(geometry_wgs84)
    toposheets = toposheets_for_polygon(geometry_wgs84)
    deposit_fields = deposit_fields or {}
    geology: list[tuple[str, str]] = []
    agencies: list[str] = []
    if deposits is not None:
        resources, notes, geology = resources_table(deposits, deposit_fields)
        count = len(deposits)
        resources_note = ("No deposit of the deposits layer lies inside the block." if not count else
                          f"{count} deposit(s) inside the block, by UNFC category, the JORC-style category beside "
                          "each code. " + " ".join(notes))
        if "agency" in deposit_fields:
            agencies = list(dict.fromkeys(_text(v) for v in deposits[deposit_fields["agency"]] if _text(v)))
    else:
        resources = None
        resources_note = ("The deposits layer was not given to the report; from the score: "
                          f"{_number(_float(row.get('n_deposits')), 0)} deposit(s), {_number(_float(row.get('tonnage_mt')), 2)} Mt.")
    conditions = _conditions(row) if recorded else []
    conditions_note = "No conditions apply." if recorded else NOT_RECORDED
    criteria = _criteria(row)
    authority = _text(row.get("authority_finding"))
    if authority and _text(row.get("authority_source")):
        authority = f"{authority.rstrip('.')} ({_text(row.get('authority_source'))})."
    rules_hash = _text(row.get("rules_sha256"))
    provenance = [
        ("Rules", f"version {_text(row.get('rules_version')) or '?'}, applied as of {_text(row.get('as_of')) or 'not recorded'}"),
        ("Rules SHA-256", rules_hash or "not recorded"),
        ("Data sources", "; ".join(sources) or "not recorded"),
        ("Block source", _text(row.get(next((c for c in row.index if str(c).lower() == "source"), ""))) or "not given"),
        ("Report date", (generated or datetime.date.today()).isoformat()),
    ]
    title = f"{block_id} — {name}" if block_id and name else block_id or name or "Block"
    illustrative = any("illustrative" in str(c).lower() and _text(row.get(c)) for c in row.index)
    land, land_note = land_table(area_ha, context.forest if context.forest is not None else None, row)
    nearest = _nearest(row)
    return BlockReport(
        block_id=block_id or name, title=title, readiness=_text(row.get("readiness")), score=_float(row.get("score")),
        facts=_facts(row, fields, area_ha, toposheets, authority, context.places, nearest, agencies),
        corners=corners, corner_note=corner_note,
        classification=_classification(row, fields), resources=resources, resources_note=resources_note,
        gates=_gates(row), land=land, land_note=land_note, pillars=boundary_pillars(geometry_wgs84)[0][:MAX_CORNERS],
        nearest=nearest, geology=geology, missing_items=_missing_items(row),
        conditions=conditions, conditions_note=conditions_note,
        criteria=criteria, total_note=_total_note(criteria),
        missing=_text(row.get("missing")), provenance=provenance, geometry_wgs84=geometry_wgs84,
        explanation="" if recorded else explanation, illustrative=illustrative,
    )


# ---------------------------------------------------------------- the key to short references


@lru_cache(maxsize=1)
def source_keys() -> dict[str, str]:
    """Short references of the classification notes (A1, SRK …) → the source in full."""
    return dict(tomllib.loads(SOURCE_KEYS_PATH.read_text(encoding="utf-8"))["keys"])


def key_entries(rule_ids: Sequence[str], texts: Sequence[str], rules=None) -> list[tuple[str, str]]:
    """The key page: every rule id cited (with the law, from the rules' citations) and every
    short reference found in ``texts``, each once, in order of first use."""
    from assessment.rules import load_rules

    rules = rules or load_rules()
    entries = {}
    for rule_id in rule_ids:
        entries[rule_id] = (rules.citation(rule_id) if rule_id in rules.citations
                            else "not in the shipped rules file: see the rules file named on the cover")
    keys = source_keys()
    for text in texts:
        for code in _SHORT_REFERENCE.findall(text or ""):
            if code in keys:
                entries.setdefault(code, keys[code])
    return list(entries.items())


# ---------------------------------------------------------------- the dossier


def ranking_order(scores: pd.DataFrame) -> np.ndarray:
    """Row positions from the most to the least ready block: readiness class, then score (high first)."""
    rank = scores["readiness"].map({name: i for i, name in enumerate(READINESS_ORDER)}).fillna(len(READINESS_ORDER))
    score = pd.to_numeric(scores["score"], errors="coerce").fillna(-1.0)
    return np.lexsort((-score.to_numpy(), rank.to_numpy()))


def ranking_table(scores: pd.DataFrame, fields: dict[str, str]) -> Table:
    """The tranche ranking of the cover page."""
    rows = []
    for rank, position in enumerate(ranking_order(scores), start=1):
        row = scores.iloc[position]
        get = lambda key: _text(row.get(fields[key])) if key in fields else ""  # noqa: E731
        rows.append([str(rank), get("block_id"), get("block_name"), get("state"), _text(row.get("licence")),
                     _text(row.get("stage")), _text(row.get("readiness")), _number(_float(row.get("score")), 1),
                     _text(row.get("licence_now"))])
    return Table(["Rank", "Block", "Name", "State", "Licence", "Stage", "Readiness", "Score", "Possible today"], rows,
                 [0.7, 1.25, 2.45, 1.75, 0.95, 0.8, 2.5, 0.8, 1.05], "RLLLLLLRL")


def select_blocks(scores: pd.DataFrame, block_ids: Sequence[str], fields: dict[str, str]) -> pd.DataFrame:
    """The rows whose block id (or name) is one of ``block_ids`` (all rows when empty).

    Raises
    ------
    KeyError
        An id is not in the scores; the message lists the ids there are.
    """
    if not block_ids:
        return scores
    keys = [fields[k] for k in ("block_id", "block_name") if k in fields]
    if not keys:
        raise KeyError("the scores have no block id or name column to select blocks by")
    known = {_text(v) for key in keys for v in scores[key]}
    unknown = [b for b in block_ids if b not in known]
    if unknown:
        raise KeyError(f"no block {', '.join(repr(u) for u in unknown)} in the scores; blocks are: "
                       f"{', '.join(sorted(_text(v) for v in scores[keys[0]]))}")
    mask = np.zeros(len(scores), dtype=bool)
    for key in keys:
        mask |= scores[key].map(_text).isin(block_ids).to_numpy()
    return scores[mask]


DISPLAY_CRS = "EPSG:7755"


def build_dossier(scores, deposits=None, block_ids: Sequence[str] = (), sources: Sequence[str] = (),
                  title: str = "Auction-readiness dossier", generated: Optional[datetime.date] = None,
                  feedback=None, forest=None, admin: Sequence[AdminLayer] = (), rules=None,
                  inputs: Optional[pd.DataFrame] = None) -> Dossier:
    """The dossier of a score output.

    Parameters
    ----------
    scores : GeoDataFrame
        A score output (docs/score-columns.md) with its block geometries and CRS.
    deposits : GeoDataFrame, optional
        The deposits layer, to list the resources inside each block by category.
    block_ids : sequence of str
        Only these blocks (by id or name) get a section; the ranking always lists every block.
    sources : sequence of str
        The data files, named in each block's provenance.
    forest : GeoDataFrame, optional
        The forest layer, to split each block's forest land by legal status (its type field).
    admin : sequence of AdminLayer
        Administrative layers (:func:`admin_layer`) giving state, district, tehsil and villages by
        overlay.
    rules : assessment.rules.Rules, optional
        The rules whose citations explain the rule ids on the key page (default: the shipped ones).
    inputs : DataFrame, optional
        What the scores were computed from (``item``, ``name``, ``source``, ``detail``: each layer
        with its role and field mapping, the rules, the as-of date), as
        :meth:`layers.scoring_setup.ScoringSetup.inputs_table` gives it and ``khanij score
        --project`` stores it beside the scores. Without it the page says that only the rules and
        the as-of dates in the score columns are known.
    """
    from geo.feedback import ensure_feedback
    from geo.overlay import points_in_polygons

    feedback = ensure_feedback(feedback)
    fields = guess_fields([str(c) for c in scores.columns], "blocks")
    for clash in ("licence", "stage"):
        fields.pop(clash, None)
    chosen = select_blocks(scores, block_ids, fields)
    order = [p for p in ranking_order(scores) if scores.index[p] in set(chosen.index)]
    wgs84 = scores.geometry.to_crs(4326)
    deposit_fields = guess_fields([str(c) for c in deposits.columns], "deposits") if deposits is not None else {}
    owner = (points_in_polygons(deposits.geometry.to_crs(scores.crs), scores.geometry)
             if deposits is not None and len(deposits) else np.empty(0, dtype=np.int64))
    display = scores.geometry.iloc[order].to_crs(DISPLAY_CRS)
    places = admin_places(display, admin, DISPLAY_CRS) if admin else [{} for _ in order]
    forests = forest_by_status(display, forest, DISPLAY_CRS) if forest is not None and len(forest) else None
    blocks, rule_ids = [], []
    for step, position in enumerate(order):
        feedback.progress(step / max(len(order), 1), "writing the block sections")
        inside = deposits.iloc[np.flatnonzero(owner == position)] if deposits is not None else None
        context = BlockContext(inside, places[step], forests[step] if forests is not None else None)
        row = scores.iloc[position]
        blocks.append(block_report(row, wgs84.iloc[position], fields, inside, deposit_fields, sources, generated,
                                   context))
        rule_ids += [rule_id for rule_id in rule_ids_of(row) if rule_id not in rule_ids]
    rules_file, rules_hash = (f"rules {blocks[0].provenance[0][1]}", blocks[0].provenance[1][1]) if blocks else ("", "")
    rules_line = f"{rules_file}, SHA-256 {rules_hash}" if blocks else ""
    short_hash = rules_hash[:SHORT_HASH] + ("…" if len(rules_hash) > SHORT_HASH else "")
    key = key_entries(rule_ids, [text for block in blocks for text in block.printed_texts()], rules)
    feedback.progress(1.0, "dossier content ready")
    return Dossier(title=title, generated=generated or datetime.date.today(),
                   illustrative=any(b.illustrative for b in blocks), ranking=ranking_table(scores, fields),
                   blocks=blocks, sources=list(sources), rules=rules_line,
                   rules_short=f"{rules_file}, SHA-256 {short_hash}" if blocks else "", key=key,
                   inputs=inputs_table(inputs, scores, rules_line))


INPUTS_COLUMNS = ("item", "name", "source", "detail")


def inputs_table(inputs: Optional[pd.DataFrame], scores, rules_line: str) -> Table:
    """The dossier's "Scoring inputs" table: each layer, field mapping, rules file and as-of date
    the scores used, once each; from the score columns alone (rules, as-of dates) when the score
    file does not record its set-up."""
    if inputs is not None and set(INPUTS_COLUMNS) <= set(inputs.columns):
        rows = [[_text(value) for value in row] for row in inputs[list(INPUTS_COLUMNS)].itertuples(index=False)]
        rows = [row for number, row in enumerate(rows) if row not in rows[:number]]
    else:
        as_of = sorted({_text(value) for value in scores["as_of"]}) if "as_of" in scores.columns else []
        rows = [["Layers", "not recorded", "", "the score file does not record its scoring set-up "
                 "(score a project, khanij score --project, to keep it)"],
                ["Rules", rules_line or "not recorded", "", "from the score columns"],
                ["As of", ", ".join(as_of) or "not recorded", "", "the rules in force on this date were applied"]]
    return Table(["Input", "Name", "Source", "Detail"], rows, [1.4, 2.6, 3.0, 3.6], "LLLL")
