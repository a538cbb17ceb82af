"""Criterion: resources inside the block — deposits counted (each once, see :mod:`geo.overlay`),
their total tonnage and its split by JORC-equivalent category, and the critical minerals present
(the Ministry of Mines list of 30, 2023) named by the block's own commodity or by the deposits
inside it, with where each came from.

Score: the tonnage band (or, when the deposits report no tonnage, the count band), plus a bonus
when a critical mineral is present, capped at 100.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from assessment.criteria import Context, CriterionResult, fmt
from assessment.criteria.stage import jorc_levels
from assessment.rules import RESOURCE_LEVELS

UNCLASSIFIED = "unclassified"


def evaluate(ctx: Context) -> CriterionResult:
    rule = ctx.rules.resources
    inside = ctx.deposit_block >= 0
    owners = ctx.deposit_block[inside]
    count = np.bincount(owners, minlength=ctx.n_blocks)
    tonnage_values = _tonnage(ctx)
    critical = _critical_minerals(ctx)
    if tonnage_values is None:
        tonnage = pd.array([pd.NA] * ctx.n_blocks, dtype="Float64")
        base = rule.count.score(count)
    else:
        per_deposit = np.nan_to_num(tonnage_values[inside])
        total = np.bincount(owners, weights=per_deposit, minlength=ctx.n_blocks)
        tonnage = np.round(total, 6)
        base = rule.tonnage.score(total)
    has_critical = np.array([bool(c) for c in critical])
    score = np.minimum(base + np.where(has_critical, rule.critical_bonus, 0.0), 100.0)
    by_category = _by_category(ctx, inside, tonnage_values)
    measure = []
    for i in range(ctx.n_blocks):
        words = f"{count[i]} deposit{'s' if count[i] != 1 else ''}"
        if tonnage_values is not None:
            words += f", {fmt(float(tonnage[i]), 2)} Mt"
            if by_category[i]:
                words += " (" + ", ".join(f"{name} {fmt(mt, 2)} Mt" for name, mt in by_category[i]) + ")"
        else:
            words += ", tonnage not reported"
        if critical[i]:
            words += f"; critical minerals: {', '.join(critical[i])} (+{rule.critical_bonus:g})"
        measure.append(words)
    origins = [json.dumps({name: ctx.mineral_origins[i][name] for name in critical[i]}, ensure_ascii=False)
               for i in range(ctx.n_blocks)]
    value, unit = (count.astype(float), "deposits") if tonnage_values is None else (np.asarray(tonnage, dtype=float), "Mt")
    return CriterionResult("resources", "Resources inside the block", score, measure, value=value, unit=unit,
                           columns={"n_deposits": count.astype(np.int64), "tonnage_mt": tonnage,
                                    "critical_minerals": np.array([";".join(c) for c in critical], dtype=object),
                                    "critical_minerals_from": np.array(origins, dtype=object)})


def _tonnage(ctx: Context):
    column = ctx.deposit_column("tonnage_mt")
    if column is None:
        return None
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _critical_minerals(ctx: Context) -> list[list[str]]:
    """Per block, the critical minerals among its own and its deposits' minerals."""
    critical = set(ctx.rules.mineral_list("critical"))
    return [sorted(names & critical) for names in ctx.minerals]


def _by_category(ctx: Context, inside: np.ndarray, tonnage) -> list[list[tuple[str, float]]]:
    """Per block, (JORC-equivalent category, Mt) pairs in confidence order; [] without classes."""
    column = ctx.deposit_column("unfc")
    if column is None or tonnage is None:
        return [[] for _ in range(ctx.n_blocks)]
    names = [*RESOURCE_LEVELS, UNCLASSIFIED]
    levels = jorc_levels(column)
    table = np.zeros((ctx.n_blocks, len(names)))
    np.add.at(table, (ctx.deposit_block[inside], levels[inside]), np.nan_to_num(tonnage[inside]))
    return [[(names[j], table[i, j]) for j in range(len(names)) if table[i, j] > 0] for i in range(ctx.n_blocks)]
