"""Criterion: exploration maturity — the stage reached (G1 best … G4), scored by the rules'
``stage_scores``, with whether it meets the intended licence's minimum in the measure."""
from __future__ import annotations

import numpy as np

from assessment.criteria import Context, CriterionResult
from assessment.rules import STAGES


def evaluate(ctx: Context, licence: np.ndarray) -> CriterionResult:
    scores = ctx.rules.stage_scores
    score = np.array([scores.get(stage, np.nan) if stage in STAGES else np.nan for stage in ctx.stage], dtype=float)
    measure = []
    for stage, origin, wanted in zip(ctx.stage, ctx.stage_origin, licence):
        if stage not in STAGES:
            measure.append("unknown (no stage for the block or its deposits)")
            continue
        rule = ctx.rules.stage_rule(wanted, ctx.as_of) if wanted in ("ML", "CL", "EL") else None
        against = ""
        if rule is not None and rule.min_stage:
            verdict = "meets" if STAGES.index(stage) <= STAGES.index(rule.min_stage) else "is short of"
            against = f", which {verdict} the {wanted} minimum {rule.min_stage}"
        measure.append(f"stage {stage} (from {origin}){against}")
    value = np.array([stage if stage in STAGES else None for stage in ctx.stage], dtype=object)
    return CriterionResult("exploration", "Exploration maturity", score, measure, value=value, unit="stage (G1–G4)")
