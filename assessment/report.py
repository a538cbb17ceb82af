"""What a per-block dossier says (DOMAIN.md A7, DESIGN.md §8), as structured data.

:func:`build_dossier` turns a score output (the columns of DESIGN.md §5.4, read back from a
GeoPackage, CSV or XLSX) and, optionally, the deposits layer into a :class:`Dossier`: a cover with
the tranche ranking and, per block, its facts, boundary corners (decimal degrees and DMS), area,
toposheets, classification with the JORC equivalent, the resources inside, every gate with its
result and source, the conditions, the criteria table, what is missing and the provenance (rules
version and hash, data sources, date). Drawing it (PDF pages, maps) is the GUI's job; every text
and number printed comes from here, so a headless test reads the same content.

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
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from assessment.conversion import convert
from assessment.fields import guess_fields
from assessment.rules import CRITERIA

READINESS_ORDER = ("Ready", "Ready with conditions", "Not ready")
GATES = (("gate_stage", "Exploration stage"), ("gate_protected", "Protected areas"), ("gate_state", "Listed state"))
#: At most this many boundary vertices are listed (a surveyed block has a few corners).
MAX_CORNERS = 40
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
        ("State / district", _listed_place(row, field_value("state"), field_value("district"))),
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


def _distance(value) -> str:
    number = _float(value)
    return "not measured" if number is None else f"{number:,.2f} km (geodesic)"


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
                 _text(row.get(f"{column}_source")) or "—")
            for column, name in GATES]


def _criteria(row: pd.Series) -> list[Criterion]:
    """The criteria from their columns: measure in words, score, weight and contribution."""
    return [Criterion(name, CRITERION_LABELS[name], _text(row.get(f"m_{name}_text")) or NOT_RECORDED,
                      _float(row.get(f"s_{name}")), _float(row.get(f"w_{name}")), _float(row.get(f"c_{name}")))
            for name in CRITERIA]


def _conditions(row: pd.Series) -> list[tuple[str, str]]:
    """(condition, law cited) pairs from the ``conditions`` column (JSON list)."""
    try:
        items = json.loads(_text(row.get("conditions")) or "[]")
    except json.JSONDecodeError:
        return [(_text(row.get("conditions")), "")]
    return [(str(item.get("text", "")), str(item.get("source", ""))) for item in items if isinstance(item, dict)]


def _total_note(criteria: Sequence[Criterion]) -> str:
    scored = sum(c.weight for c in criteria if c.score is not None and c.weight is not None)
    unscored = [c.label for c in criteria if c.score is None]
    if not unscored:
        return "weighted total"
    return f"rescaled to the {scored:g} weight points scored (not scored: {', '.join(unscored)})"


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
    criteria = _criteria(row)
    scored_weight = sum(c.weight for c in criteria if c.score is not None and c.weight is not None)
    for criterion in criteria:
        share = (f"{criterion.weight:g} %" if scored_weight == 100 or criterion.weight is None
                 else f"{criterion.weight:g}/{scored_weight:g}")
        points = ("not scored" if criterion.score is None else
                  f"{criterion.score:.0f} × {share} → {_number(criterion.contribution, 1)} points")
        lines.append(f"  {criterion.label}: {criterion.measure} — {points}")
    missing = _text(row.get("missing"))
    lines += ["", f"Missing: {missing}" if missing else "Nothing is missing for the licence intended."]
    authority = _text(row.get("authority_finding"))
    if authority:
        lines.append(f"Auctioning authority: {authority}")
    nearest = [f"{str(column)[8:-5].replace('_', ' ')}: {_text(row.get(column))} ({_distance(row.get(column[:-5] + '_km'))})"
               for column in row.index if str(column).startswith("nearest_") and str(column).endswith("_name")
               and _text(row.get(column))]
    if nearest:
        lines.append("Nearest — " + "; ".join(nearest))
    return "\n".join(lines)


def block_report(row: pd.Series, geometry_wgs84, fields: dict[str, str],
                 deposits=None, deposit_fields: Optional[dict[str, str]] = None, sources: Sequence[str] = (),
                 generated: Optional[datetime.date] = None) -> BlockReport:
    """The content of one block's section (``row``: one row of the score output)."""
    from geo.measure import geodesic_area_ha
    from geo.soi_sheets import toposheets_for_polygon

    explanation = _text(row.get("explanation"))
    recorded = recorded_findings(row)
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
                          f"{len(resources.rows)} deposit(s) inside the block; JORC equivalents from the UNFC code.")
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
    return BlockReport(
        block_id=block_id or name, title=title, readiness=_text(row.get("readiness")), score=_float(row.get("score")),
        facts=_facts(row, fields, area_ha, toposheets, authority), corners=corners, corner_note=corner_note,
        classification=_classification(row, fields), resources=resources, resources_note=resources_note,
        gates=_gates(row), conditions=conditions, conditions_note=conditions_note,
        criteria=criteria, total_note=_total_note(criteria),
        missing=_text(row.get("missing")), provenance=provenance, geometry_wgs84=geometry_wgs84,
        explanation="" if recorded else explanation, illustrative=illustrative,
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
    deposit_fields = guess_fields([str(c) for c in deposits.columns], "deposits") if deposits is not None else {}
    owner = (points_in_polygons(deposits.geometry.to_crs(scores.crs), scores.geometry)
             if deposits is not None and len(deposits) else np.empty(0, dtype=np.int64))
    blocks = []
    for step, position in enumerate(order):
        feedback.progress(step / max(len(order), 1), "writing the block sections")
        inside = deposits.iloc[np.flatnonzero(owner == position)] if deposits is not None else None
        blocks.append(block_report(scores.iloc[position], wgs84.iloc[position], fields, inside, deposit_fields,
                                   sources, generated))
    rules_file, rules_hash = (f"rules {blocks[0].provenance[0][1]}", blocks[0].provenance[1][1]) if blocks else ("", "")
    rules_line = f"{rules_file}, SHA-256 {rules_hash}" if blocks else ""
    short_hash = rules_hash[:SHORT_HASH] + ("…" if len(rules_hash) > SHORT_HASH else "")
    feedback.progress(1.0, "dossier content ready")
    return Dossier(title=title, generated=generated or datetime.date.today(),
                   illustrative=any(b.illustrative for b in blocks), ranking=ranking_table(scores, fields),
                   blocks=blocks, sources=list(sources), rules=rules_line,
                   rules_short=f"{rules_file}, SHA-256 {short_hash}" if blocks else "")
