"""Criterion: access — geodesic km from the block to the nearest feature of each infrastructure
layer (rail stations, roads, towns …), each scored by the rules' distance bands; the criterion's
score is their mean."""
from __future__ import annotations

import numpy as np

from assessment.criteria import Context, CriterionResult, fmt
from geo.nearest import nearest_distance_km


def evaluate(ctx: Context, feedback=None) -> CriterionResult:
    if not ctx.infrastructure:
        return CriterionResult("infrastructure", "Access to infrastructure", np.full(ctx.n_blocks, np.nan),
                               ["unknown (no infrastructure layer)"] * ctx.n_blocks)
    bands = ctx.rules.infrastructure_bands
    columns, scores, parts = {}, [], []
    for step, (name, geometry) in enumerate(ctx.infrastructure):
        if feedback is not None:
            feedback.progress(step / len(ctx.infrastructure), f"distance to {name}")
        km = nearest_distance_km(ctx.blocks.geometry, geometry)
        columns[f"infra_{name}_km"] = np.round(km, 4)
        layer_score = bands.score(km)
        scores.append(layer_score)
        parts.append([f"{fmt(d, 2)} km to {name} (score {s:.0f})" if not np.isnan(d) else f"{name}: no features"
                      for d, s in zip(km, layer_score)])
    stacked = np.vstack(scores)
    known = ~np.isnan(stacked)
    score = np.divide(np.nansum(stacked, axis=0), known.sum(axis=0),
                      out=np.full(ctx.n_blocks, np.nan), where=known.any(axis=0))
    measure = ["; ".join(items) + (" (mean of the layers)" if len(items) > 1 else "") for items in zip(*parts)]
    return CriterionResult("infrastructure", "Access to infrastructure", score, measure, columns=columns)
