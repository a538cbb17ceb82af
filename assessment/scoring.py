"""Auction readiness: score candidate blocks against the rules (DESIGN.md §5).

:func:`score` brings every layer to one projected working CRS, repairs invalid geometries in
memory (and says so), counts each deposit in one block, then runs the gates and criteria of
:mod:`assessment.criteria` and assembles one row per block with the columns of DESIGN.md §5.4
and a plain-language ``explanation``.

Examples
--------
>>> from assessment import score                                          # doctest: +SKIP
>>> result = score(blocks, deposits, forest=forest, protected=parks,     # doctest: +SKIP
...                infrastructure=[("rail", stations)], rasters=["magnetic.tif"])
>>> result[["block_id", "readiness", "score", "missing"]]                 # doctest: +SKIP
"""
from __future__ import annotations

import datetime
import json
import os
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from assessment.criteria import FAIL, NO_GEOMETRY, UNKNOWN, Context, CriterionResult, GateResult, blank, fmt, layer_slug
from assessment.criteria import authority as authority_criterion
from assessment.criteria import completeness as completeness_criterion
from assessment.criteria import evidence as evidence_criterion
from assessment.criteria import exploration as exploration_criterion
from assessment.criteria import forest as forest_criterion
from assessment.criteria import infrastructure as infrastructure_criterion
from assessment.criteria import protected as protected_criteria
from assessment.criteria import resources as resources_criterion
from assessment.criteria import stage as stage_criteria
from assessment.criteria import state as state_criterion
from assessment.criteria.infrastructure import InfrastructureLayer
from assessment.fields import guess_fields
from assessment.rules import CRITERIA, Rules, load_rules
from geo.background import BackgroundWorker
from geo.crs import crs_label, to_crs
from geo.errors import CrsError, GeometryError
from geo.feedback import Feedback, ensure_feedback
from geo.measure import geodesic_areas_ha
from geo.overlay import points_in_polygons

READY, CONDITIONAL, NOT_READY = "Ready", "Ready with conditions", "Not ready"
INDIA_LCC = "EPSG:7755"
# Longitude/latitude box inside which the India-wide LCC is the working CRS for geographic input.
_INDIA_BOX = (60.0, 0.0, 100.0, 40.0)
_POLYGONAL_TYPES = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
VECTOR_THREADS = 2
#: Fewer blocks than this are scored on the calling thread alone: starting the vector criteria's
#: threads costs more than it saves for a block being edited (``assessment.live``).
THREADED_MIN_BLOCKS = 50


def score(blocks: gpd.GeoDataFrame, deposits: Optional[gpd.GeoDataFrame], forest=None, protected=None,
          infrastructure: Iterable = (), rasters: Iterable = (), rules: Rules | os.PathLike | str | None = None,
          feedback: Optional[Feedback] = None, *, boundaries: Optional[gpd.GeoDataFrame] = None,
          as_of: datetime.date | str | None = None) -> gpd.GeoDataFrame:
    """Score each block for auction readiness.

    Parameters
    ----------
    blocks : GeoDataFrame
        Candidate blocks (polygons, with a CRS). Fields are found by name (DESIGN.md §3.2):
        ``block_id``, ``state``, ``commodity``, ``licence`` (ML/CL/EL), ``stage`` or ``unfc``,
        ``potentiality``.
    deposits : GeoDataFrame or None
        Deposits (points or polygons) with ``stage``/``unfc``, ``tonnage_mt``, ``commodity``.
    forest, protected : GeoDataFrame or GeoSeries, optional
        Forest polygons; protected areas (``pa_type``, ``esz``, ``interstate`` read if present).
    infrastructure : sequence
        ``(name, GeoDataFrame)`` pairs, or GeoDataFrames (named by ``attrs["name"]``).
    rasters : sequence
        Raster paths, or ``(name, path)`` pairs.
    rules : Rules, path or None
        A loaded rules object, a rules file, or None for the shipped rules.
    feedback : Feedback, optional
        Progress and cancellation.
    boundaries : GeoDataFrame, optional
        State boundaries for the state gate (``unknown`` without them).
    as_of : date or ISO date text, optional
        The date whose rules are applied (each rule row in force on it); default: the rules
        file's ``readiness.as_of`` ("today" in the shipped file). Written to the ``as_of`` column.

    Returns
    -------
    GeoDataFrame
        The blocks' own columns (a name clashing with a result column gets the prefix
        ``input_``), then the columns of DESIGN.md §5.4, in the blocks' own CRS.

    Raises
    ------
    CrsError
        A layer has no CRS.
    RulesError
        The rules file is invalid.
    ValueError
        ``as_of`` is not a date.
    Cancelled
        The feedback was cancelled.
    """
    feedback = ensure_feedback(feedback)
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    as_of = parse_as_of(as_of) if as_of is not None else rules.as_of
    feedback.progress(0.0, "preparing the layers")
    rasters = list(rasters)
    worker = BackgroundWorker(warm_up="geo.zonal") if evidence_criterion.worth_a_worker(len(blocks), rasters) else None
    try:
        ctx, notes = prepare(blocks, deposits, forest, protected, infrastructure, rasters, rules, boundaries, as_of)
        return _score(ctx, notes, blocks, evidence_criterion.submit(ctx, worker), feedback)
    finally:
        if worker is not None:
            worker.close()


def parse_as_of(value: datetime.date | str) -> datetime.date:
    """An as-of date from a date or ISO text (``"2024-06-01"``).

    Raises
    ------
    ValueError
        Naming the value and the form expected.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"the as-of date must be a day written YYYY-MM-DD (e.g. 2024-06-01), not {value!r}") from None


def score_prepared(ctx: Context, notes: Sequence[str], blocks: gpd.GeoDataFrame,
                   feedback: Optional[Feedback] = None) -> gpd.GeoDataFrame:
    """Score prepared blocks: the step of :func:`score` after :func:`prepare`, for callers that
    prepare once and score in parts (:mod:`assessment.distributed` runs it per partition).

    ``blocks`` are the user's rows of ``ctx.blocks`` (same order), ``notes`` the run's notes.
    """
    return _score(ctx, notes, blocks, {}, ensure_feedback(feedback))


def _score(ctx: Context, notes, blocks, background, feedback) -> gpd.GeoDataFrame:
    """The gates and criteria in order; large rasters' zonal statistics run in ``background``."""
    feedback.progress(0.05, "stage gate")
    ctx.stage, ctx.stage_origin = stage_criteria.block_stages(ctx)
    ctx.minerals, ctx.mineral_origins = stage_criteria.block_minerals(ctx)
    stage_gate, licence, licence_now = stage_criteria.evaluate(ctx)
    feedback.progress(0.10, "protected areas, state boundaries, forest, deposits, infrastructure")
    # The vector criteria only read the context, and shapely/GEOS and PROJ release the GIL: they
    # run on a second core beside the raster evidence (or beside each other without rasters).
    pool = ThreadPoolExecutor(max_workers=VECTOR_THREADS) if ctx.n_blocks >= THREADED_MIN_BLOCKS else _InlineExecutor()
    try:
        vector = [pool.submit(protected_criteria.evaluate, ctx), pool.submit(state_criterion.evaluate, ctx),
                  pool.submit(forest_criterion.evaluate, ctx), pool.submit(resources_criterion.evaluate, ctx),
                  pool.submit(infrastructure_criterion.evaluate, ctx, feedback.sub(0.45, 0.55))]
        evidence_score = evidence_criterion.evaluate(ctx, feedback.sub(0.55, 0.90), background)
        (protected_gate, protected_score), state_gate, forest_score, resources_score, infra_score = (
            step.result() for step in vector)
    finally:
        pool.shutdown(cancel_futures=True)
    feedback.progress(0.90, "totals and explanations")
    for spatial in (forest_score, protected_score, infra_score, evidence_score):
        spatial.set_unknown(~ctx.placed, NO_GEOMETRY)
    criteria = {c.name: c for c in (exploration_criterion.evaluate(ctx, licence), resources_score, forest_score,
                                    protected_score, infra_score, evidence_score,
                                    completeness_criterion.evaluate(ctx, ctx.minerals))}
    gates = (stage_gate, protected_gate, state_gate)
    licence_now = np.where(protected_gate.status == FAIL, "none", licence_now)
    table = _assemble(ctx, blocks, gates, criteria, licence, licence_now, notes)
    feedback.progress(1.0, "scored")
    return table


class _InlineExecutor(Executor):
    """Runs each submitted call at once on the calling thread (the same results as the pool)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller by result(), as the pool does
            future.set_exception(exc)
        return future


# ----- preparing the inputs --------------------------------------------------------------------

def working_crs(blocks: gpd.GeoDataFrame) -> CRS:
    """The projected CRS the analysis runs in: the blocks' own when projected; for geographic
    blocks the India-wide LCC (EPSG:7755) inside India's box, else the UTM zone of their centre."""
    from geo.coords import utm_epsg

    crs = CRS(blocks.crs)
    if crs.is_projected:
        return crs
    lon_min, lat_min, lon_max, lat_max = blocks.to_crs(4326).total_bounds
    lon, lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    west, south, east, north = _INDIA_BOX
    if west <= lon_min and lon_max <= east and south <= lat_min and lat_max <= north:
        return CRS(INDIA_LCC)
    return CRS(utm_epsg(lon, lat))


@dataclass
class PreparedLayers:
    """Everything of a run that does not depend on the blocks: the layers in the working ``crs``
    (repaired in memory, fields found), the notes that preparing them produced, and
    ``layer_cache`` for what the criteria derive from the layers alone (states dissolved, raster
    samples). Made once by :func:`prepare_layers`; a live session (:mod:`assessment.live`)
    rescores edited blocks against the same object."""

    crs: CRS
    deposits: gpd.GeoDataFrame
    deposit_fields: dict[str, str]
    forest: Optional[gpd.GeoSeries]
    protected: Optional[gpd.GeoDataFrame]
    protected_fields: dict[str, str]
    boundaries: Optional[gpd.GeoDataFrame]
    boundary_fields: dict[str, str]
    infrastructure: list[InfrastructureLayer]
    rasters: list[tuple[str, str]]
    notes: list[str]
    layer_cache: dict = field(default_factory=dict)


def prepare(blocks, deposits, forest_layer, protected_layer, infrastructure_layers, raster_paths, rules: Rules,
            boundaries, as_of: Optional[datetime.date] = None) -> tuple[Context, list[str]]:
    """The :class:`Context` of one run and the notes (CRS, repairs, missing layers) it produced."""
    check_blocks(blocks)
    layers = prepare_layers(working_crs(blocks), deposits, forest_layer, protected_layer, infrastructure_layers,
                            raster_paths, boundaries)
    return prepare_blocks(blocks, layers, rules, as_of)


def check_blocks(blocks) -> None:
    """Refuse blocks that cannot be scored: not a GeoDataFrame with a CRS, or empty."""
    if not isinstance(blocks, gpd.GeoDataFrame) or blocks.crs is None:
        raise CrsError("the blocks layer has no CRS (or is not a vector layer); assign one before scoring")
    if not len(blocks):
        raise GeometryError("the blocks layer has no features to score")


def prepare_layers(crs: CRS, deposits, forest_layer, protected_layer, infrastructure_layers, raster_paths,
                   boundaries) -> PreparedLayers:
    """The block-independent part of :func:`prepare`: every layer but the blocks in ``crs``."""
    notes: list[str] = []
    deposit_frame = (_prepared(deposits, crs, "deposits", notes) if deposits is not None and len(deposits)
                     else gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs)))
    deposit_fields = guess_fields(list(deposit_frame.columns), "deposits")
    if deposits is None or not len(deposits):
        notes.append("No deposits were given.")
    elif not ({"stage", "unfc"} & set(deposit_fields)):
        notes.append("The deposits have no stage or UNFC column, so their stage is unknown.")
    notes.append("A deposit on the boundary shared by several blocks is counted once, in the first of them in the "
                 "blocks layer; a polygon deposit is placed by a point inside it.")
    protected_frame = _prepared(protected_layer, crs, "protected areas", notes, polygons=True) if protected_layer is not None else None
    boundary_frame = _prepared(boundaries, crs, "boundaries", notes, polygons=True) if boundaries is not None else None
    return PreparedLayers(
        crs=crs, deposits=deposit_frame, deposit_fields=deposit_fields,
        forest=_prepared(forest_layer, crs, "forest", notes, polygons=True).geometry if forest_layer is not None else None,
        protected=protected_frame,
        protected_fields=guess_fields(list(protected_frame.columns), "protected_areas") if protected_frame is not None else {},
        boundaries=boundary_frame,
        boundary_fields=guess_fields(list(boundary_frame.columns), "boundaries") if boundary_frame is not None else {},
        infrastructure=_named_layers(infrastructure_layers, crs, notes),
        rasters=_named_rasters(raster_paths), notes=notes)


def prepare_blocks(blocks, layers: PreparedLayers, rules: Rules,
                   as_of: Optional[datetime.date] = None) -> tuple[Context, list[str]]:
    """The per-block part of :func:`prepare`: the blocks in the layers' CRS, deposits assigned
    to them, and the run's notes (the CRS, the blocks' repairs, the layers' notes)."""
    crs = layers.crs
    notes = [f"The analysis ran in {crs_label(crs)}; areas and distances are geodesic on WGS 84."]
    work_blocks = _prepared(blocks, crs, "blocks", notes, polygons=True)
    deposit_block = (points_in_polygons(layers.deposits.geometry, work_blocks.geometry) if len(layers.deposits)
                     else np.empty(0, dtype=np.int64))
    notes.extend(layers.notes)
    columns = tuple(str(column) for column in work_blocks.columns)
    block_fields = layers.layer_cache.get(("block_fields", columns))
    if block_fields is None:  # the same columns edit after edit: guessed once per session
        block_fields = layers.layer_cache[("block_fields", columns)] = guess_fields(list(columns), "blocks")
    if "licence" not in block_fields:
        notes.append("The blocks have no licence column, so each block is judged for ML, CL and EL.")
    ctx = Context(
        rules=rules, as_of=as_of or rules.as_of, crs=crs, blocks=work_blocks, block_fields=block_fields,
        area_ha=np.nan_to_num(geodesic_areas_ha(work_blocks.geometry)),
        deposits=layers.deposits, deposit_fields=layers.deposit_fields, deposit_block=deposit_block,
        forest=layers.forest, protected=layers.protected, protected_fields=layers.protected_fields,
        boundaries=layers.boundaries, boundary_fields=layers.boundary_fields,
        infrastructure=layers.infrastructure, rasters=layers.rasters, layer_cache=layers.layer_cache,
    )
    return ctx, notes


def require_polygons(layer, what: str) -> None:
    """Refuse a layer that must be areal (blocks, forest, protected areas, boundaries) but holds
    points or lines; null and empty geometries pass (they are reported, not refused).

    Raises
    ------
    GeometryError
        Naming ``what`` (e.g. "the forest layer"), the geometry types found and the first row.
    """
    geometry = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else gpd.GeoSeries(layer)
    values = np.asarray(geometry.values)
    kinds = shapely.get_type_id(values)
    wrong = ~np.isin(kinds, _POLYGONAL_TYPES) & ~shapely.is_missing(values) & ~shapely.is_empty(values)
    if wrong.any():
        found = ", ".join(sorted(set(geometry.geom_type.to_numpy()[wrong].tolist())))
        raise GeometryError(f"{what} must hold polygons, but it holds {found} geometries ({int(wrong.sum())} of "
                            f"{len(values)} features; the first is row {int(np.flatnonzero(wrong)[0]) + 1})")


def _prepared(layer, crs: CRS, role: str, notes: list[str], polygons: bool = False) -> gpd.GeoDataFrame:
    """``layer`` as a GeoDataFrame in ``crs`` with invalid geometries repaired in memory
    (``polygons``: refuse a layer that is not areal)."""
    from geo.geometry import repaired

    frame = layer if isinstance(layer, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=gpd.GeoSeries(layer))
    if polygons:
        require_polygons(frame, f"the {role} layer")
    moved = to_crs(frame, crs, layer=f"the {role} layer")
    if moved is frame:
        moved = frame.copy()
    fixed, report = repaired(moved.geometry)
    moved = moved.set_geometry(fixed.values, crs=crs)
    if not report.ok:
        repair = "; invalid ones were repaired in memory (the file is unchanged)" if report.invalid else ""
        notes.append(f"The {role} layer has {report.summary()}{repair}.")
    return moved.reset_index(drop=True)


def _named_layers(layers: Iterable, crs: CRS, notes: list[str]) -> list[InfrastructureLayer]:
    named: list[InfrastructureLayer] = []
    for position, item in enumerate(layers, start=1):
        name, layer = item if isinstance(item, tuple) else (getattr(item, "attrs", {}).get("name") or f"layer{position}", item)
        frame = _prepared(layer, crs, f"infrastructure {name}", notes)
        name_column = guess_fields(list(frame.columns), "infrastructure").get("name")
        values = frame[name_column] if name_column is not None else [None] * len(frame)
        labels = [str(v).strip() if not blank(v) else f"feature {i + 1}" for i, v in enumerate(values)]
        named.append(InfrastructureLayer(_unique(layer_slug(name), [layer.name for layer in named]), frame.geometry,
                                         labels))
    return named


def _named_rasters(paths: Iterable) -> list[tuple[str, str]]:
    named: list[tuple[str, str]] = []
    for item in paths:
        name, path = item if isinstance(item, tuple) else (Path(item).stem, item)
        named.append((_unique(layer_slug(name), [n for n, _ in named]), os.fspath(path)))
    return named


def _unique(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … whichever is not in ``taken`` (ignoring case, as
    GeoPackage column names do)."""
    folded = {t.casefold() for t in taken}
    candidate, number = name, 2
    while candidate.casefold() in folded:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


# ----- totals, readiness and the explanation ------------------------------------------------------

def _totals(ctx: Context, criteria: dict[str, CriterionResult]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted total 0–100 over the criteria with a score (unknown ones share out their weight)."""
    weights = np.array([ctx.rules.weights.get(name, 0.0) for name in CRITERIA])
    scores = np.vstack([criteria[name].score for name in CRITERIA])
    known = ~np.isnan(scores)
    known_weight = (weights[:, None] * known).sum(axis=0)
    raw = np.nansum(scores * weights[:, None], axis=0) / 100.0
    total = np.divide(raw * 100.0, known_weight, out=np.zeros(ctx.n_blocks), where=known_weight > 0)
    return np.round(total, 1), known_weight


def _readiness(gates: Sequence[GateResult], conditions: list[list[str]]) -> np.ndarray:
    """Not ready if any gate fails; Ready with conditions if any condition; else Ready."""
    failed = np.any([g.status == FAIL for g in gates], axis=0)
    conditional = np.array([bool(c) for c in conditions])
    return np.where(failed, NOT_READY, np.where(conditional, CONDITIONAL, READY)).astype(object)


def _block_conditions(ctx: Context, gates: Sequence[GateResult], criteria: dict[str, CriterionResult]) -> list[list[dict]]:
    """Every condition per block (text, rule ids, citation); with ``unknown_gate = "condition"``
    an unchecked gate is one."""
    conditions = [[] for _ in range(ctx.n_blocks)]
    for source in (*gates, *criteria.values()):
        for i, items in enumerate(source.conditions or ()):
            conditions[i].extend(items)
    if ctx.rules.unknown_gate == "condition":
        for gate in gates:
            for i in np.flatnonzero(gate.status == UNKNOWN):
                conditions[i].append({"text": f"the {gate.label.lower()} gate could not be checked and must be confirmed",
                                      "rule": gate.rule[i], "source": gate.source[i]})
    return conditions


def _missing(gates: Sequence[GateResult], n: int) -> list[list[str]]:
    """Per block, what is missing: the stage gate's need (failed or unknown) and every other
    failed gate's."""
    missing = [[] for _ in range(n)]
    for gate in gates:
        for i in range(n):
            if gate.missing[i] and (gate.status[i] == FAIL or gate.name == "stage"):
                missing[i].append(gate.missing[i])
    return missing


def _with_law(text: str, source: str) -> str:
    """``text`` (one or more sentences) followed by the law it rests on, as the readiness panel
    prints it: a finding of several sentences is not read as citing the law for its last one."""
    body = text.rstrip().rstrip(".")
    return f"{body}. Law: {source}." if source else f"{body}."


def _with_source(text: str, source: str) -> str:
    """``text`` (one sentence, a condition) with its citation in brackets."""
    return f"{text.rstrip().rstrip('.')} ({source})" if source else text.rstrip().rstrip(".")


def explanation(row, gates: Sequence[tuple[str, str]], criteria: Sequence[tuple[str, str]],
                notes: Sequence[str]) -> str:
    """The whole reasoning of one scored block in plain sentences, built from its columns.

    Parameters
    ----------
    row : mapping
        One row of the score output (the findings columns of DESIGN.md §5.4).
    gates, criteria : sequence of (name, label)
        The gates and criteria in the order to tell them.
    notes : sequence of str
        Sentences about the run (working CRS, repairs, missing layers).
    """
    name = row["_label"]
    parts = [f"{name}: {fmt(row['area_ha'], 2)} ha; intended licence {row['licence'] or 'not given'}; "
             f"rules applied as of {row['as_of']}."]
    for gate, label in gates:
        parts.append(f"{label} gate: {row[f'gate_{gate}']} — "
                     + _with_law(row[f"gate_{gate}_finding"], row[f"gate_{gate}_source"]))
    conditions = json.loads(row["conditions"])
    parts.append("Conditions: " + "; ".join(_with_source(c["text"], c["source"]) for c in conditions) + "."
                 if conditions else "No conditions apply.")
    unscored = [label for criterion, label in criteria if pd.isna(row[f"s_{criterion}"])]
    for criterion, label in criteria:
        text, weight = row[f"m_{criterion}_text"], row[f"w_{criterion}"]
        if pd.isna(row[f"s_{criterion}"]):
            parts.append(f"{label}: {text} → not scored (weight {weight:g} shared among the scored criteria).")
        else:
            share = f"{weight:g} %" if row["_known_weight"] == 100 else f"{weight:g}/{row['_known_weight']:g}"
            parts.append(f"{label}: {text} → {row[f's_{criterion}']:.0f} × {share} = {row[f'c_{criterion}']:.1f}.")
    rescale = (f" (rescaled to the {row['_known_weight']:g} weight points scored; not scored: {', '.join(unscored)})"
               if unscored else "")
    parts.append(f"Total {row['score']:.1f} of 100{rescale}.")
    failed = [label.lower() for gate, label in gates if row[f"gate_{gate}"] == FAIL]
    reason = (f" because the {' and '.join(failed)} gate{'s' if len(failed) > 1 else ''} failed" if failed
              else f" ({len(conditions)} condition{'s' if len(conditions) > 1 else ''} listed above)" if conditions else "")
    parts.append(f"Readiness: {row['readiness']}{reason}.")
    offer = row["licence_now"]
    parts.append(f"On {row['as_of']} it can be offered under {'no licence' if offer == 'none' else offer}."
                 + (f" Missing: {row['missing']}." if row["missing"] else ""))
    parts.append("Auctioning authority: " + _with_law(row["authority_finding"], row["authority_source"]))
    parts.extend(notes)
    parts.append(f"Rules: {row['_rules_name']}, version {row['rules_version']}, SHA-256 {row['rules_sha256']}.")
    return " ".join(parts)


def _assemble(ctx: Context, blocks: gpd.GeoDataFrame, gates, criteria, licence, licence_now,
              notes) -> gpd.GeoDataFrame:
    conditions = _block_conditions(ctx, gates, criteria)
    missing = _missing(gates, ctx.n_blocks)
    total, known_weight = _totals(ctx, criteria)
    readiness = _readiness(gates, conditions)
    authority = authority_criterion.evaluate(ctx, licence)
    columns: dict[str, object] = {
        "area_ha": np.round(ctx.area_ha, 4),
        "stage": np.array([s if s in stage_criteria.STAGE_NAMES else None for s in ctx.stage], dtype=object),
        "licence": licence,
        **{g.column: g.status for g in gates},
        "licence_now": licence_now, "readiness": readiness, "score": total,
        "as_of": ctx.as_of.isoformat(),
    }
    for source in (criteria["resources"], criteria["forest"], *gates, criteria["infrastructure"], criteria["evidence"]):
        columns.update(source.columns)
    for gate in gates:
        columns[f"{gate.column}_finding"] = gate.finding
        columns[f"{gate.column}_rule"] = gate.rule
        columns[f"{gate.column}_source"] = gate.source
    per_weight_point = np.divide(1.0, known_weight, out=np.zeros(ctx.n_blocks), where=known_weight > 0)
    for name in CRITERIA:
        c, weight = criteria[name], ctx.rules.weights.get(name, 0.0)
        columns[f"m_{name}"] = c.value
        columns[f"m_{name}_unit"] = c.unit
        columns[f"m_{name}_text"] = c.measure
        columns[f"s_{name}"] = np.round(c.score, 1)
        columns[f"w_{name}"] = weight
        columns[f"c_{name}"] = np.round(np.where(np.isnan(c.score), np.nan, c.score * weight * per_weight_point), 2)
    columns["conditions"] = [json.dumps(items, ensure_ascii=False) for items in conditions]
    columns["missing"] = ["; ".join(items) for items in missing]
    columns["missing_items"] = [json.dumps(items, ensure_ascii=False) for items in missing]
    columns["authority"] = authority.who
    columns["authority_finding"] = authority.finding
    columns["authority_source"] = authority.source
    columns["rules_version"] = ctx.rules.version
    columns["rules_sha256"] = ctx.rules.sha256
    gate_labels = [(g.name, g.label) for g in gates]
    criterion_labels = [(name, criteria[name].label) for name in CRITERIA]
    explanations = [explanation(row, gate_labels, criterion_labels, notes)
                    for row in _rows(columns, _EXPLAINED, ctx.n_blocks, _label=_labels(ctx),
                                     _known_weight=known_weight, _rules_name=[ctx.rules.name] * ctx.n_blocks)]
    names = list(columns)
    at = names.index("authority_source") + 1
    results = pd.DataFrame({**{name: columns[name] for name in names[:at]}, "explanation": explanations,
                            **{name: columns[name] for name in names[at:]}}, index=blocks.index)
    own = blocks.drop(columns=[blocks.geometry.name])
    taken = {str(c).casefold() for c in results.columns}
    names = [str(c) for c in own.columns]
    renamed = {}
    for column in own.columns:
        if str(column).casefold() in taken:
            renamed[column] = _unique(f"input_{column}", names + list(renamed.values()))
    own = own.rename(columns=renamed)
    output = pd.concat([own, results], axis=1)
    return gpd.GeoDataFrame(output, geometry=blocks.geometry.values, crs=blocks.crs)


def _labels(ctx: Context) -> list[str]:
    """"Block <id>" per block (its id, else its name, else its 1-based position in the user's layer)."""
    block_id = ctx.block_column("block_id")
    if block_id is None:
        block_id = ctx.block_column("block_name")
    values = block_id.tolist() if block_id is not None else [None] * ctx.n_blocks
    numbers = ctx.block_numbers if ctx.block_numbers is not None else range(1, ctx.n_blocks + 1)
    return [f"Block {value}" if not blank(value) else f"Block {number}" for value, number in zip(values, numbers)]


#: The result columns the explanation reads (besides the per-gate and per-criterion ones).
_EXPLAINED = ("area_ha", "licence", "as_of", "conditions", "score", "readiness", "licence_now", "missing",
              "authority_finding", "authority_source", "rules_version", "rules_sha256")


def _rows(columns: dict, wanted: Sequence[str], n: int, **extra) -> list[dict]:
    """The ``n`` rows of the result ``columns`` (name → one value per row, or one value for all)
    as dicts holding only ``wanted``, the gate and criterion columns and ``extra``.

    Read from the values before they become a DataFrame: pandas turns each text column into Arrow
    strings, and reading them back would copy every text once more."""
    chosen = [c for c in columns if c in wanted or c.startswith(("gate_", "s_", "m_", "w_", "c_"))]
    values = {name: _per_row(columns[name], n) for name in chosen} | {name: list(v) for name, v in extra.items()}
    names = list(values)
    return [dict(zip(names, row)) for row in zip(*values.values())]


def _per_row(value, n: int) -> list:
    """A column value as a list of ``n`` Python values, as ``Series.tolist()`` gives them."""
    if isinstance(value, (np.ndarray, pd.Series, pd.api.extensions.ExtensionArray)):
        return value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value] * n
