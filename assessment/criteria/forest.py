"""Condition and criterion: forest land inside the block (DOMAIN.md A5, B §7 F1, F5).

Overlapping forest polygons are unioned per block before measuring (never double-counted); the
overlap is in geodesic hectares and as a percentage of the block's geodesic area. Any overlap
above the rules' threshold raises the condition "prior approval of the Central Government".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.criteria import Context, CriterionResult, condition, fmt
from assessment.rules import in_force
from geo.overlay import overlap_areas_ha


def evaluate(ctx: Context) -> CriterionResult:
    if ctx.forest is None:
        missing = pd.array([pd.NA] * ctx.n_blocks, dtype="Float64")
        return CriterionResult("forest", "Forest overlap", np.full(ctx.n_blocks, np.nan),
                               ["unknown (no forest layer)"] * ctx.n_blocks,
                               unit="% of the block", columns={"forest_ha": missing, "forest_pct": missing.copy()},
                               conditions=[[] for _ in range(ctx.n_blocks)])
    forest_ha = overlap_areas_ha(ctx.blocks.geometry, ctx.forest)
    forest_pct = np.divide(100.0 * forest_ha, ctx.area_ha, out=np.zeros(ctx.n_blocks), where=ctx.area_ha > 0)
    forest_pct = np.minimum(forest_pct, 100.0)
    rule = ctx.rules.forest_condition
    row = in_force(rule.rows, ctx.as_of)
    conditions = [[condition(f"{fmt(ha, 2)} ha of forest land inside: {rule.text}", row.rule, ctx.rules)]
                  if row is not None and ha > rule.threshold else [] for ha in forest_ha]
    measure = [f"{fmt(pct)} % of the block is forest ({fmt(ha, 2)} ha)" for pct, ha in zip(forest_pct, forest_ha)]
    return CriterionResult("forest", "Forest overlap", ctx.rules.forest_bands.score(forest_pct), measure,
                           value=np.round(forest_pct, 3), unit="% of the block",
                           columns={"forest_ha": np.round(forest_ha, 4), "forest_pct": np.round(forest_pct, 3)},
                           conditions=conditions)
