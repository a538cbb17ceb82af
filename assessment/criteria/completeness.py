"""Criterion: data completeness — the share of the fields and layers the model uses that are
present for the block (a missing field is a finding, not a crash)."""
from __future__ import annotations

import numpy as np

from assessment.criteria import Context, CriterionResult, blank


def evaluate(ctx: Context, minerals: list[set[str]]) -> CriterionResult:
    checks: list[tuple[str, np.ndarray]] = [
        ("exploration stage", np.array([s is not None for s in ctx.stage], dtype=bool)),
        ("intended licence", _block_field(ctx, "licence")),
        ("listed state", _block_field(ctx, "state")),
        ("mineral", np.array([bool(m) for m in minerals], dtype=bool)),
        ("deposit tonnage", np.full(ctx.n_blocks, "tonnage_mt" in ctx.deposit_fields)),
        ("deposit resource classes", np.full(ctx.n_blocks, "unfc" in ctx.deposit_fields)),
        ("forest layer", np.full(ctx.n_blocks, ctx.forest is not None)),
        ("protected-area layer", np.full(ctx.n_blocks, ctx.protected is not None)),
        ("state boundaries", np.full(ctx.n_blocks, ctx.boundaries is not None)),
        ("infrastructure layer", np.full(ctx.n_blocks, bool(ctx.infrastructure))),
        ("evidence raster", np.full(ctx.n_blocks, bool(ctx.rasters))),
    ]
    present = np.vstack([flags for _, flags in checks])
    score = 100.0 * present.sum(axis=0) / len(checks)
    measure = []
    for i in range(ctx.n_blocks):
        absent = [name for (name, flags) in checks if not flags[i]]
        count = f"{len(checks) - len(absent)} of {len(checks)} items present"
        measure.append(f"{count}; missing: {', '.join(absent)}" if absent else count)
    return CriterionResult("completeness", "Data completeness", score, measure, value=np.round(score, 1),
                           unit="% of the items present")


def _block_field(ctx: Context, canonical: str) -> np.ndarray:
    column = ctx.block_column(canonical)
    if column is None:
        return np.zeros(ctx.n_blocks, dtype=bool)
    return np.array([not blank(v) for v in column], dtype=bool)
