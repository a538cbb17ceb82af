"""What a per-block dossier says (DOMAIN.md A7, DESIGN.md §8), as structured data.

:func:`build_dossier` turns a score output (the columns of DESIGN.md §5.4, read back from a
GeoPackage, CSV or XLSX) and, optionally, the deposits layer into a :class:`Dossier`: a cover with
the tranche ranking and, per block, its facts, boundary corners (decimal degrees and DMS), area,
toposheets, classification with the JORC equivalent, the resources inside, every gate with its
result and source, the conditions, the criteria table, what is missing and the provenance (rules
version and hash, data sources, date). Drawing it (PDF pages, maps) is the GUI's job; every text
and number printed comes from here, so a headless test reads the same content.

The gate findings, conditions and criterion measures are the sentences the scorer wrote into the
``explanation`` column (:func:`parse_explanation` splits them); the statuses, scores and figures
come from their own columns. An explanation that cannot be split completely, or whose gate results
and scores differ from the row's columns (written by another tool, or edited), is not itemised:
the section then prints it whole, and its tables say so in place of the findings.

Examples
--------
>>> split_source("the block is at G3 (MEMC Rules 2015 r.5(1)).")
('the block is at G3', 'MEMC Rules 2015 r.5(1)')
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Sequence

import numpy as np
import pandas as pd

from assessment.conversion import convert
from assessment.fields import guess_fields
from assessment.rules import CRITERIA, load_rules

READINESS_ORDER = ("Ready", "Ready with conditions", "Not ready")
GATES = (("gate_stage", "Exploration stage"), ("gate_protected", "Protected areas"), ("gate_state", "Listed state"))
#: At most this many boundary vertices are listed (a surveyed block has a few corners).
MAX_CORNERS = 40
#: Characters of the rules' SHA-256 printed in page footers (the full hash is on the cover).
SHORT_HASH = 12
ILLUSTRATIVE_NOTE = "Illustrative sample data — not official. Do not use for a decision."
#: Printed in place of a finding, condition or measure when the explanation could not be read.
UNREAD_EXPLANATION = "not itemised: see the scorer's reasoning below"
_LICENCE_WORDS = ("ML:", "CL:", "EL:")


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


@dataclass
class Criterion:
    """One scored criterion of a block (``weight`` in %, None when the rules used are unknown)."""

    name: str
    label: str
    measure: str
    score: Optional[float]
    weight: Optional[float]

    @property
    def contribution(self) -> Optional[float]:
        """Points this criterion adds to the weighted sum (score × weight / 100)."""
        return None if self.score is None or self.weight is None else self.score * self.weight / 100.0


class Measure(NamedTuple):
    """One "Label: measure → score × weight % = points." sentence (``score`` None: not scored)."""

    label: str
    text: str
    weight: float
    score: Optional[float]


@dataclass
class ExplanationParts:
    """The pieces of one block's ``explanation`` sentence by sentence (empty when not found)."""

    gates: dict[str, str] = field(default_factory=dict)
    gate_status: dict[str, str] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)
    conditions_stated: bool = False
    measures: list[Measure] = field(default_factory=list)
    rules_name: str = ""
    total: str = ""
    authority: str = ""

    @property
    def complete(self) -> bool:
        """Every gate, the conditions (or "No conditions apply."), every criterion and the total were found."""
        return (len(self.gates) == len(GATES) and self.conditions_stated and len(self.measures) == len(CRITERIA)
                and bool(self.total))

    def agrees_with(self, row: pd.Series) -> bool:
        """Complete, and its gate results and criterion scores are those of the score ``row`` (so
        its sentences describe this row and can be printed beside its figures)."""
        if not self.complete:
            return False
        for column, status in self.gate_status.items():
            if column in row.index and _text(row.get(column)) != status:
                return False
        for name, measure in zip(CRITERIA, self.measures):
            column = _float(row.get(f"s_{name}"))
            if (column is None) != (measure.score is None):
                return False
            if column is not None and abs(column - measure.score) > 0.5 + 1e-9:
                return False
        return True


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
    conditions: list[tuple[str, str]]
    conditions_note: str
    criteria: list[Criterion]
    total_note: str
    missing: str
    provenance: list[tuple[str, str]]
    geometry_wgs84: object
    explanation: str
    illustrative: bool

    def gates_table(self) -> Table:
        return Table(["Gate", "Result", "Finding", "Rule and source"],
                     [[g.name, g.status, g.finding, g.source] for g in self.gates], [1.3, 0.8, 3.4, 3.0], "LLLL")

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


# ---------------------------------------------------------------- parsing the explanation


def _depth0_positions(text: str, pattern: str) -> list[int]:
    """Positions where ``pattern`` starts outside parentheses."""
    depth, found = 0, []
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and text.startswith(pattern, position):
            found.append(position)
    return found


def sentences(text: str) -> list[str]:
    """``text`` split after each full stop that is outside parentheses and followed by a space."""
    cuts = [p + 1 for p in _depth0_positions(text, ". ")]
    pieces = [text[a:b].strip() for a, b in zip([0] + cuts, cuts + [len(text)])]
    return [piece for piece in pieces if piece]


def split_source(sentence: str) -> tuple[str, str]:
    """(finding, source) of a sentence ending in a parenthesised source, else (sentence, "")."""
    body = sentence.strip().rstrip(".").rstrip()
    if not body.endswith(")"):
        return body, ""
    depth = 0
    for position in range(len(body) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(body[position], 0)
        if depth == 0:
            return body[:position].rstrip(), body[position + 1:-1].strip()
    return body, ""


def _strip_prefix(sentence: str, marker: str) -> str:
    """The sentence without its "Gate name: status — " opening."""
    rest = sentence.split(marker, 1)[1] if marker in sentence else sentence
    return rest.split(" — ", 1)[1] if " — " in rest else rest.strip()


_CRITERION = re.compile(r"(?P<label>[A-Z][^:]{2,60}?): (?P<measure>.*?) → (?:not scored \(weight (?P<unscored>[\d.]+)[^)]*\)"
                        r"|(?P<score>[\d.]+) × (?P<weight>[\d.]+) % = [\d.]+)\.(?= |$)")
_GATE_STATUS = {"gate_protected": re.compile(r"^Protected-area gate: (\S+) — "), "gate_state": re.compile(r"^State gate: (\S+) — ")}


def parse_explanation(text: str) -> ExplanationParts:
    """Split a scorer's explanation into gate findings, conditions, criterion measures and totals.

    The scorer writes: the block's area and licence; the stage gate (one sentence, or one per
    licence when none was intended); notes on protected areas and the protected-area gate; the
    state gate; "Conditions: …" or "No conditions apply."; one "Label: measure → score × weight %
    = points." per criterion; "Total …"; readiness; the notes and "Rules: name, version …".
    """
    parts = ExplanationParts()
    if not isinstance(text, str) or not text:
        return parts
    conditions_at = next(iter(_depth0_positions(text, "Conditions: ") + _depth0_positions(text, "No conditions apply.")), -1)
    protected_at = text.find("Protected-area gate:")
    state_at = text.find("State gate:")
    first = sentences(text)[0] if sentences(text) else ""
    if min(conditions_at, protected_at, state_at) >= 0 and protected_at < state_at < conditions_at:
        before = sentences(text[len(first):protected_at] + "x")[:-1]
        stage = [s for i, s in enumerate(before) if i == 0 or s.startswith(_LICENCE_WORDS)]
        lead = [s for s in before if s not in stage]
        parts.gates["gate_stage"] = " ".join(stage)
        protected_sentence = text[protected_at:state_at].strip()
        parts.gates["gate_protected"] = " ".join(lead + [protected_sentence])
        parts.gates["gate_state"] = text[state_at:conditions_at].strip()
        for column, pattern in _GATE_STATUS.items():
            found = pattern.search(text[protected_at:] if column == "gate_protected" else text[state_at:])
            if found:
                parts.gate_status[column] = found.group(1)
    tail = text[conditions_at:] if conditions_at >= 0 else text
    closing = _depth0_positions(tail, ". ")
    if conditions_at >= 0 and closing:
        parts.conditions_stated = True
        if tail.startswith("Conditions: "):
            block = tail[len("Conditions: "):closing[0]]
            cuts = _depth0_positions(block, "; ")
            parts.conditions = [block[a:b].strip("; ").strip() for a, b in zip([0] + cuts, cuts + [len(block)])]
        tail = tail[closing[0] + 2:]
    total_at = tail.find("Total ")
    parts.measures = [Measure(m["label"], m["measure"], float(m["weight"] or m["unscored"]),
                              float(m["score"]) if m["score"] else None)
                      for m in _CRITERION.finditer(tail[:total_at if total_at >= 0 else None])]
    if total_at >= 0:
        parts.total = tail[total_at:].split(". ", 1)[0].rstrip(".")
    rules = re.search(r"Rules: (.+?), version ", text)
    parts.rules_name = rules.group(1) if rules else ""
    parts.authority = next((s[len(AUTHORITY_MARKER):].rstrip(".") for s in sentences(text)
                            if s.startswith(AUTHORITY_MARKER)), "")
    return parts


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


def corner_table(geometry_wgs84) -> tuple[Table, str]:
    """Boundary vertices of a block (decimal degrees to 6 places and DMS) and a note on them."""
    from geo.coords import format_dms

    polygons = list(getattr(geometry_wgs84, "geoms", [geometry_wgs84]))
    rows, total = [], 0
    for part, polygon in enumerate(polygons, start=1):
        exterior = getattr(polygon, "exterior", None)
        if exterior is None:
            continue
        coords = list(exterior.coords)[:-1]
        total += len(coords)
        for lon, lat in coords:
            if len(rows) < MAX_CORNERS:
                label = f"{len(rows) + 1}" if len(polygons) == 1 else f"{part}.{len(rows) + 1}"
                rows.append([label, f"{lat:.6f}", f"{lon:.6f}", format_dms(lat, "lat"), format_dms(lon, "lon")])
    note = "Corners in order along the boundary, WGS 84 (EPSG:4326)."
    if total > MAX_CORNERS:
        note += f" The boundary has {total} vertices; the first {MAX_CORNERS} are listed (full boundary in the GeoPackage)."
    table = Table(["No.", "Latitude (°)", "Longitude (°)", "Latitude (DMS)", "Longitude (DMS)"], rows,
                  [0.6, 1.5, 1.5, 1.9, 1.9], "RRRRR")
    return table, note


def resources_table(deposits, deposit_fields: dict[str, str]) -> Table:
    """One row per deposit inside the block: name, commodity, UNFC code, JORC equivalent, stage, tonnage, grade."""
    rows = []
    get = lambda row, key: _text(row.get(deposit_fields[key])) if key in deposit_fields else ""  # noqa: E731
    for _, row in deposits.iterrows():
        code = get(row, "unfc") or get(row, "stage")
        jorc = convert(code, to="jorc") if code else None
        grade = " ".join(x for x in (get(row, "grade"), get(row, "grade_unit")) if x)
        tonnage = _float(row.get(deposit_fields["tonnage_mt"])) if "tonnage_mt" in deposit_fields else None
        rows.append([get(row, "name"), get(row, "commodity"), code,
                     jorc.result if jorc is not None and jorc.result else "—", get(row, "stage"),
                     _number(tonnage, 2), grade])
    return Table(["Deposit", "Commodity", "UNFC code", "JORC equivalent", "Stage", "Tonnage (Mt)", "Grade"], rows,
                 [2.2, 1.4, 0.9, 2.2, 0.7, 1.1, 1.2], "LLLLLRL")


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


AUTHORITY_MARKER = "Auctioning authority: "


def _facts(row: pd.Series, fields: dict[str, str], area_ha: Optional[float], toposheets: Sequence[str],
           authority: str) -> list[tuple[str, str]]:
    def field_value(canonical: str) -> str:
        return _text(row.get(fields[canonical])) if canonical in fields else ""

    lowered = {str(c).lower(): c for c in row.index}
    optional = [(label, _text(row.get(lowered[key]))) for key, label in
                (("tehsil", "Tehsil"), ("village", "Villages"), ("villages", "Villages"), ("tranche", "Auction history"))
                if key in lowered]
    forest_ha, forest_pct = _float(row.get("forest_ha")), _float(row.get("forest_pct"))
    area = _number(area_ha, 2) + " ha"
    if forest_ha is not None and area_ha:
        area += f" (forest {_number(forest_ha, 2)} ha, {_number(forest_pct, 1)} %; other land {_number(area_ha - forest_ha, 2)} ha)"
    licence_now = _text(row.get("licence_now"))
    facts = [
        ("State / district", " / ".join(x for x in (field_value("state"), field_value("district")) if x) or "not given"),
        *[(label, value) for label, value in optional if value and label != "Auction history"],
        ("Mineral(s)", field_value("commodity") or "not given"),
        ("Critical minerals present", _text(row.get("critical_minerals")) or "none identified"),
        ("Licence intended", _text(row.get("licence")) or "not given"),
        ("Licence possible today", "none" if licence_now in ("", "none") else licence_now),
        ("Auctioning authority", authority or "not stated by the scorer"),
        ("Exploring agency", field_value("agency") or "not given"),
        ("Area", area),
        ("SOI toposheets (1:50,000)", ", ".join(toposheets) or "outside the sheet index"),
        ("Nearest protected area", _distance(row.get("protected_km"))),
    ]
    for column in row.index:
        if str(column).startswith("infra_") and str(column).endswith("_km"):
            facts.append((f"Nearest {str(column)[6:-3].replace('_', ' ')}", _distance(row.get(column))))
    facts += [(label, value) for label, value in optional if value and label == "Auction history"]
    return facts


def _distance(value) -> str:
    number = _float(value)
    return "not measured" if number is None else f"{number:,.2f} km (geodesic)"


def _gates(row: pd.Series, parts: ExplanationParts, unread: str) -> list[Gate]:
    """The gates with the result of their column and the finding and source the scorer wrote
    (``unread`` in their place when its explanation could not be read)."""
    gates = []
    for column, name in GATES:
        sentence = parts.gates.get(column, "")
        if not sentence:
            gates.append(Gate(name, _text(row.get(column)) or "unknown", unread, "—"))
            continue
        marker = {"gate_stage": "gate for ", "gate_protected": "Protected-area gate:", "gate_state": "State gate:"}[column]
        lead = [s for s in sentences(sentence) if marker not in s] if column == "gate_protected" else []
        main = sentence[len(" ".join(lead)):].strip() if lead else sentence
        finding, source = split_source(_strip_prefix(main, marker) if marker in main else main)
        notes = " ".join(lead)
        gates.append(Gate(name, _text(row.get(column)) or "unknown", f"{finding}. {notes}" if notes else finding, source))
    return gates


def _criteria(row: pd.Series, parts: ExplanationParts, weights: dict[str, float], unread: str) -> list[Criterion]:
    """The criteria with the measure and weight the scorer wrote; when its explanation could not
    be read, ``unread`` as the measure and the shipped weights if the scores were made with them."""
    measures = dict(zip(CRITERIA, parts.measures)) if len(parts.measures) == len(CRITERIA) else {}
    criteria = []
    for name in CRITERIA:
        found = measures.get(name)
        label, measure, weight = (found.label, found.text, found.weight) if found else (name.capitalize(), unread, weights.get(name))
        criteria.append(Criterion(name, label, measure, _float(row.get(f"s_{name}")), weight))
    return criteria


def block_report(row: pd.Series, geometry_wgs84, fields: dict[str, str], weights: dict[str, float],
                 deposits=None, deposit_fields: Optional[dict[str, str]] = None, sources: Sequence[str] = (),
                 generated: Optional[datetime.date] = None) -> BlockReport:
    """The content of one block's section (``row``: one row of the score output)."""
    from geo.measure import geodesic_area_ha
    from geo.soi_sheets import toposheets_for_polygon

    explanation = _text(row.get("explanation"))
    parsed = parse_explanation(explanation)
    parts = parsed if parsed.agrees_with(row) else ExplanationParts(rules_name=parsed.rules_name)
    unread = (UNREAD_EXPLANATION if explanation else "not stated: the score file has no explanation")
    block_id = _text(row.get(fields["block_id"])) if "block_id" in fields else ""
    name = _text(row.get(fields["block_name"])) if "block_name" in fields else ""
    area_ha = _float(row.get("area_ha"))
    if area_ha is None and geometry_wgs84 is not None:
        area_ha = geodesic_area_ha(geometry_wgs84, "EPSG:4326")
    corners, corner_note = corner_table(geometry_wgs84)
    toposheets = toposheets_for_polygon(geometry_wgs84)
    if deposits is not None:
        resources = resources_table(deposits, deposit_fields or {})
        resources_note = ("No deposit of the deposits layer lies inside the block." if not resources.rows else
                          f"{len(resources.rows)} deposit(s) inside the block; JORC equivalents from the UNFC code (DOMAIN.md A1–A3).")
    else:
        resources = None
        resources_note = ("The deposits layer was not given to the report; from the score: "
                          f"{_number(_float(row.get('n_deposits')), 0)} deposit(s), {_number(_float(row.get('tonnage_mt')), 2)} Mt.")
    conditions = [split_source(text) for text in parts.conditions]
    conditions_note = "No conditions apply." if parts.conditions_stated else unread
    rules_hash = _text(row.get("rules_sha256"))
    provenance = [
        ("Rules file", f"{parts.rules_name or 'rules'}, version {_text(row.get('rules_version')) or '?'}"),
        ("Rules SHA-256", rules_hash or "not recorded"),
        ("Data sources", "; ".join(sources) or "not recorded"),
        ("Block source", _text(row.get(next((c for c in row.index if str(c).lower() == "source"), ""))) or "not given"),
        ("Report date", (generated or datetime.date.today()).isoformat()),
    ]
    title = f"{block_id} — {name}" if block_id and name else block_id or name or "Block"
    illustrative = any("illustrative" in str(c).lower() and _text(row.get(c)) for c in row.index)
    return BlockReport(
        block_id=block_id or name, title=title, readiness=_text(row.get("readiness")), score=_float(row.get("score")),
        facts=_facts(row, fields, area_ha, toposheets, parts.authority), corners=corners, corner_note=corner_note,
        classification=_classification(row, fields), resources=resources, resources_note=resources_note,
        gates=_gates(row, parts, unread), conditions=conditions, conditions_note=conditions_note,
        criteria=_criteria(row, parts, weights, unread), total_note=parts.total or "weighted total",
        missing=_text(row.get("missing")), provenance=provenance, geometry_wgs84=geometry_wgs84,
        explanation="" if parts.complete else explanation, illustrative=illustrative,
    )


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


def build_dossier(scores, deposits=None, block_ids: Sequence[str] = (), sources: Sequence[str] = (),
                  title: str = "Auction-readiness dossier", generated: Optional[datetime.date] = None,
                  feedback=None) -> Dossier:
    """The dossier of a score output.

    Parameters
    ----------
    scores : GeoDataFrame
        A score output (DESIGN.md §5.4 columns) with its block geometries and CRS.
    deposits : GeoDataFrame, optional
        The deposits layer, to list the resources inside each block.
    block_ids : sequence of str
        Only these blocks (by id or name) get a section; the ranking always lists every block.
    sources : sequence of str
        The data files, named in each block's provenance.
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
    weights = _weights_of(scores)
    deposit_fields = guess_fields([str(c) for c in deposits.columns], "deposits") if deposits is not None else {}
    owner = (points_in_polygons(deposits.geometry.to_crs(scores.crs), scores.geometry)
             if deposits is not None and len(deposits) else np.empty(0, dtype=np.int64))
    blocks = []
    for step, position in enumerate(order):
        feedback.progress(step / max(len(order), 1), "writing the block sections")
        inside = deposits.iloc[np.flatnonzero(owner == position)] if deposits is not None else None
        blocks.append(block_report(scores.iloc[position], wgs84.iloc[position], fields, weights, inside, deposit_fields,
                                   sources, generated))
    rules_file, rules_hash = (blocks[0].provenance[0][1], blocks[0].provenance[1][1]) if blocks else ("", "")
    rules_line = f"{rules_file}, SHA-256 {rules_hash}" if blocks else ""
    short_hash = rules_hash[:SHORT_HASH] + ("…" if len(rules_hash) > SHORT_HASH else "")
    feedback.progress(1.0, "dossier content ready")
    return Dossier(title=title, generated=generated or datetime.date.today(),
                   illustrative=any(b.illustrative for b in blocks), ranking=ranking_table(scores, fields),
                   blocks=blocks, sources=list(sources), rules=rules_line,
                   rules_short=f"{rules_file}, SHA-256 {short_hash}" if blocks else "")


def _weights_of(scores: pd.DataFrame) -> dict[str, float]:
    """The shipped rules' weights when the scores were made with them (else none are assumed)."""
    rules = load_rules()
    recorded = {_text(v) for v in scores.get("rules_sha256", pd.Series(dtype=object))}
    if recorded <= {rules.sha256, ""}:
        return dict(rules.weights)
    return {}
