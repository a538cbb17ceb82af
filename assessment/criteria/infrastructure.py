"""Criterion: access — geodesic km from the block to the nearest feature of each infrastructure
layer (rail stations, roads, towns …), each scored by the rules' distance bands; the criterion's
score is their mean. The nearest feature of each layer is named (the layer's name field) in
``nearest_<layer>_name`` beside its km."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from assessment.criteria import Context, CriterionResult, fmt
from geo.nearest import nearest_features


@dataclass
class InfrastructureLayer:
    """One infrastructure layer prepared for a run: its column-safe ``name``, its geometries in
    the working CRS and a ``label`` per feature (its name, or "feature N")."""

    name: str
    geometry: gpd.GeoSeries
    labels: list[str]


def evaluate(ctx: Context, feedback=None) -> CriterionResult:
    if not ctx.infrastructure:
        return CriterionResult("infrastructure", "Access to infrastructure", np.full(ctx.n_blocks, np.nan),
                               ["unknown (no infrastructure layer)"] * ctx.n_blocks, unit="km")
    bands = ctx.rules.infrastructure_bands
    columns, scores, parts, distances = {}, [], [], []
    for step, layer in enumerate(ctx.infrastructure):
        if feedback is not None:
            feedback.progress(step / len(ctx.infrastructure), f"distance to {layer.name}")
        km, position = nearest_features(ctx.blocks.geometry, layer.geometry)
        names = np.array([layer.labels[j] if j >= 0 else "" for j in position], dtype=object)
        columns[f"infra_{layer.name}_km"] = np.round(km, 4)
        columns[f"nearest_{layer.name}_name"] = names
        columns[f"nearest_{layer.name}_km"] = np.round(km, 4)
        layer_score = bands.score(km)
        scores.append(layer_score)
        distances.append(km)
        parts.append([f"{fmt(d, 2)} km to {layer.name} ({n}; score {s:.0f})" if not np.isnan(d)
                      else f"{layer.name}: no features" for d, n, s in zip(km, names, layer_score)])
    stacked = np.vstack(scores)
    known = ~np.isnan(stacked)
    score = np.divide(np.nansum(stacked, axis=0), known.sum(axis=0),
                      out=np.full(ctx.n_blocks, np.nan), where=known.any(axis=0))
    measure = ["; ".join(items) + (" (mean of the layers)" if len(items) > 1 else "") for items in zip(*parts)]
    nearest_any = np.vstack(distances)
    value = np.where(np.isnan(nearest_any).all(axis=0), np.nan,
                     np.nanmin(np.where(np.isnan(nearest_any), np.inf, nearest_any), axis=0))
    return CriterionResult("infrastructure", "Access to infrastructure", score, measure, value=np.round(value, 4),
                           unit="km to the nearest infrastructure feature of any layer", columns=columns)
