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

import os
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


def score(blocks: gpd.GeoDataFrame, deposits: Optional[gpd.GeoDataFrame], forest=None, protected=None,
          infrastructure: Iterable = (), rasters: Iterable = (), rules: Rules | os.PathLike | str | None = None,
          feedback: Optional[Feedback] = None, *, boundaries: Optional[gpd.GeoDataFrame] = None) -> gpd.GeoDataFrame:
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
    Cancelled
        The feedback was cancelled.
    """
    feedback = ensure_feedback(feedback)
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    feedback.progress(0.0, "preparing the layers")
    rasters = list(rasters)
    worker = BackgroundWorker(warm_up="geo.zonal") if evidence_criterion.worth_a_worker(len(blocks), rasters) else None
    try:
        ctx, notes = prepare(blocks, deposits, forest, protected, infrastructure, rasters, rules, boundaries)
        return _score(ctx, notes, blocks, evidence_criterion.submit(ctx, worker), feedback)
    finally:
        if worker is not None:
            worker.close()


def _score(ctx: Context, notes, blocks, background, feedback) -> gpd.GeoDataFrame:
    """The gates and criteria in order; large rasters' zonal statistics run in ``background``."""
    feedback.progress(0.05, "stage gate")
    ctx.stage, ctx.stage_origin = stage_criteria.block_stages(ctx)
    ctx.minerals = stage_criteria.block_minerals(ctx)
    stage_gate, licence, licence_now, missing = stage_criteria.evaluate(ctx)
    feedback.progress(0.10, "protected areas")
    protected_gate, protected_score = protected_criteria.evaluate(ctx)
    feedback.progress(0.20, "state boundaries")
    state_gate = state_criterion.evaluate(ctx)
    feedback.progress(0.25, "forest overlap")
    forest_score = forest_criterion.evaluate(ctx)
    feedback.progress(0.40, "deposits and resources")
    resources_score = resources_criterion.evaluate(ctx)
    infra_score = infrastructure_criterion.evaluate(ctx, feedback.sub(0.45, 0.55))
    evidence_score = evidence_criterion.evaluate(ctx, feedback.sub(0.55, 0.90), background)
    feedback.progress(0.90, "totals and explanations")
    for spatial in (forest_score, protected_score, infra_score, evidence_score):
        spatial.set_unknown(~ctx.placed, NO_GEOMETRY)
    criteria = {c.name: c for c in (exploration_criterion.evaluate(ctx, licence), resources_score, forest_score,
                                    protected_score, infra_score, evidence_score,
                                    completeness_criterion.evaluate(ctx, ctx.minerals))}
    gates = (stage_gate, protected_gate, state_gate)
    licence_now = np.where(protected_gate.status == FAIL, "none", licence_now)
    table = _assemble(ctx, blocks, gates, criteria, licence, licence_now, missing, notes)
    feedback.progress(1.0, "scored")
    return table


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


def prepare(blocks, deposits, forest_layer, protected_layer, infrastructure_layers, raster_paths, rules: Rules,
            boundaries) -> tuple[Context, list[str]]:
    """The :class:`Context` of one run and the notes (CRS, repairs, missing layers) it produced."""
    if not isinstance(blocks, gpd.GeoDataFrame) or blocks.crs is None:
        raise CrsError("the blocks layer has no CRS (or is not a vector layer); assign one before scoring")
    if not len(blocks):
        raise GeometryError("the blocks layer has no features to score")
    crs = working_crs(blocks)
    notes = [f"The analysis ran in {crs_label(crs)}; areas and distances are geodesic on WGS 84."]
    work_blocks = _prepared(blocks, crs, "blocks", notes, polygons=True)
    deposit_frame = (_prepared(deposits, crs, "deposits", notes) if deposits is not None and len(deposits)
                     else gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs)))
    deposit_fields = guess_fields(list(deposit_frame.columns), "deposits")
    if deposits is None or not len(deposits):
        notes.append("No deposits were given.")
    elif not ({"stage", "unfc"} & set(deposit_fields)):
        notes.append("The deposits have no stage or UNFC column, so their stage is unknown.")
    deposit_block = (points_in_polygons(deposit_frame.geometry, work_blocks.geometry) if len(deposit_frame)
                     else np.empty(0, dtype=np.int64))
    notes.append("A deposit on the boundary shared by several blocks is counted once, in the first of them in the "
                 "blocks layer; a polygon deposit is placed by a point inside it.")
    protected_frame = _prepared(protected_layer, crs, "protected areas", notes, polygons=True) if protected_layer is not None else None
    boundary_frame = _prepared(boundaries, crs, "boundaries", notes, polygons=True) if boundaries is not None else None
    block_fields = guess_fields(list(work_blocks.columns), "blocks")
    if "licence" not in block_fields:
        notes.append("The blocks have no licence column, so each block is judged for ML, CL and EL.")
    ctx = Context(
        rules=rules, crs=crs, blocks=work_blocks, block_fields=block_fields,
        area_ha=np.nan_to_num(geodesic_areas_ha(work_blocks.geometry)),
        deposits=deposit_frame, deposit_fields=deposit_fields, deposit_block=deposit_block,
        forest=_prepared(forest_layer, crs, "forest", notes, polygons=True).geometry if forest_layer is not None else None,
        protected=protected_frame,
        protected_fields=guess_fields(list(protected_frame.columns), "protected_areas") if protected_frame is not None else {},
        boundaries=boundary_frame,
        boundary_fields=guess_fields(list(boundary_frame.columns), "boundaries") if boundary_frame is not None else {},
        infrastructure=_named_layers(infrastructure_layers, crs, notes),
        rasters=_named_rasters(raster_paths),
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
        found = ", ".join(sorted({geometry.geom_type.iloc[i] for i in np.flatnonzero(wrong)}))
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


def _named_layers(layers: Iterable, crs: CRS, notes: list[str]) -> list[tuple[str, gpd.GeoSeries]]:
    named: list[tuple[str, gpd.GeoSeries]] = []
    for position, item in enumerate(layers, start=1):
        name, layer = item if isinstance(item, tuple) else (getattr(item, "attrs", {}).get("name") or f"layer{position}", item)
        named.append((_unique(layer_slug(name), [n for n, _ in named]),
                      _prepared(layer, crs, f"infrastructure {name}", notes).geometry))
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


def _block_conditions(ctx: Context, gates: Sequence[GateResult], criteria: dict[str, CriterionResult]) -> list[list[str]]:
    """Every condition per block; with ``unknown_gate = "condition"`` an unchecked gate is one."""
    conditions = [[] for _ in range(ctx.n_blocks)]
    for source in (*gates, *criteria.values()):
        for i, items in enumerate(source.conditions or ()):
            conditions[i].extend(items)
    if ctx.rules.unknown_gate == "condition":
        for gate in gates:
            for i in np.flatnonzero(gate.status == UNKNOWN):
                conditions[i].append(f"the {gate.label.lower()} gate could not be checked and must be confirmed")
    return conditions


def _explanations(ctx: Context, gates, criteria, conditions, total, known_weight, readiness, licence, licence_now,
                  missing, notes) -> list[str]:
    rules = ctx.rules
    block_id = ctx.block_column("block_id")
    if block_id is None:
        block_id = ctx.block_column("block_name")
    closing = " ".join(notes) + f" Rules: {rules.name}, version {rules.version}, SHA-256 {rules.sha256}."
    authority = authority_criterion.sentences(ctx, licence, licence_now)
    texts = []
    for i in range(ctx.n_blocks):
        name = f"Block {block_id.iloc[i]}" if block_id is not None and not blank(block_id.iloc[i]) else f"Block {i + 1}"
        wanted = licence[i] or "not given"
        parts = [f"{name}: {fmt(ctx.area_ha[i], 2)} ha; intended licence {wanted}."]
        parts += [g.sentence[i] for g in gates]
        parts.append("Conditions: " + "; ".join(conditions[i]) + "." if conditions[i] else "No conditions apply.")
        unscored = [criteria[c].label for c in CRITERIA if np.isnan(criteria[c].score[i])]
        for name_ in CRITERIA:
            c, weight = criteria[name_], rules.weights.get(name_, 0.0)
            if np.isnan(c.score[i]):
                parts.append(f"{c.label}: {c.measure[i]} → not scored (weight {weight:g} shared among the scored criteria).")
            else:
                parts.append(f"{c.label}: {c.measure[i]} → {c.score[i]:.0f} × {weight:g} % = {c.score[i] * weight / 100:.1f}.")
        rescale = (f" (rescaled from {known_weight[i]:g} weight points scored; not scored: {', '.join(unscored)})"
                   if unscored else "")
        parts.append(f"Total {total[i]:.1f} of 100{rescale}.")
        parts.append(f"Readiness: {readiness[i]}" + _readiness_reason(gates, conditions, i) + ".")
        offer = licence_now[i]
        parts.append(f"It can be offered today under {'no licence' if offer == 'none' else offer}."
                     + (f" Missing: {missing[i]}." if missing[i] else ""))
        parts.append(authority[i])
        parts.append(closing)
        texts.append(" ".join(parts))
    return texts


def _readiness_reason(gates: Sequence[GateResult], conditions, i: int) -> str:
    failed = [g.label.lower() for g in gates if g.status[i] == FAIL]
    if failed:
        return f" because the {' and '.join(failed)} gate{'s' if len(failed) > 1 else ''} failed"
    count = len(conditions[i])
    return f" ({count} condition{'s' if count > 1 else ''} listed above)" if count else ""


def _assemble(ctx: Context, blocks: gpd.GeoDataFrame, gates, criteria, licence, licence_now, missing,
              notes) -> gpd.GeoDataFrame:
    conditions = _block_conditions(ctx, gates, criteria)
    total, known_weight = _totals(ctx, criteria)
    readiness = _readiness(gates, conditions)
    columns: dict[str, object] = {
        "area_ha": np.round(ctx.area_ha, 4),
        "stage": np.array([s if s in stage_criteria.STAGE_NAMES else None for s in ctx.stage], dtype=object),
        "licence": licence,
        **{g.column: g.status for g in gates},
        "licence_now": licence_now, "readiness": readiness, "score": total,
    }
    for source in (criteria["resources"], criteria["forest"], gates[1]):
        columns.update(source.columns)
    for source in (criteria["infrastructure"], criteria["evidence"]):
        columns.update(source.columns)
    for name in CRITERIA:
        columns[f"s_{name}"] = np.round(criteria[name].score, 1)
    columns["missing"] = missing
    columns["explanation"] = _explanations(ctx, gates, criteria, conditions, total, known_weight, readiness, licence,
                                           licence_now, missing, notes)
    columns["rules_version"] = ctx.rules.version
    columns["rules_sha256"] = ctx.rules.sha256
    results = pd.DataFrame(columns, index=blocks.index)
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
