"""Gate: the block lies inside the state it is listed for (DESIGN.md §5.1).

With a state-boundaries layer, the share of the block's geodesic area inside the boundary
features bearing its state's name must reach the rules' ``min_inside_pct`` (99 %). Names match
case-insensitively, ignoring punctuation and "&" versus "and". Without the layer, the block's
state, or a boundary of that name, the gate is "unknown".
"""
from __future__ import annotations

import re

import numpy as np
import shapely

from assessment.criteria import FAIL, NO_GEOMETRY, PASS, UNKNOWN, Context, GateResult, blank, fmt
from geo.measure import geodesic_areas_ha


def state_key(name: object) -> str:
    """``"Jammu & Kashmir"`` and ``"JAMMU AND KASHMIR"`` → ``"jammu and kashmir"``."""
    text = str(name).lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def evaluate(ctx: Context) -> GateResult:
    rules = ctx.rules
    source = rules.state_source
    listed = ctx.block_column("state")
    column = ctx.boundary_fields.get("state") or ctx.boundary_fields.get("name")
    status = np.full(ctx.n_blocks, UNKNOWN, dtype=object)
    reason = np.full(ctx.n_blocks, "", dtype=object)
    if listed is None:
        reason[:] = "the blocks have no state column"
    elif ctx.boundaries is None or column is None:
        reason[:] = ("no state-boundaries layer was given" if ctx.boundaries is None
                     else "the boundaries layer has no state-name column")
    else:
        _judge(ctx, listed, column, status, reason)
    status[~ctx.placed] = UNKNOWN
    reason[~ctx.placed] = NO_GEOMETRY
    sentence = [f"State gate: {s} — {r} ({source})." for s, r in zip(status, reason)]
    return GateResult("gate_state", "Listed state", status, sentence, [[] for _ in range(ctx.n_blocks)])


def _judge(ctx: Context, listed, column: str, status: np.ndarray, reason: np.ndarray) -> None:
    keys = np.array([state_key(v) if not blank(v) else "" for v in listed], dtype=object)
    boundary_keys = np.array([state_key(v) for v in ctx.boundaries[column]], dtype=object)
    outlines = {key: shapely.union_all(np.asarray(ctx.boundaries.geometry.values)[boundary_keys == key])
                for key in set(keys) - {""} if (boundary_keys == key).any()}
    blocks = np.asarray(ctx.blocks.geometry.values)
    minimum = ctx.rules.state_min_inside_pct
    for key in set(keys):
        rows = np.flatnonzero(keys == key)
        if key == "":
            reason[rows] = "the block's state is blank"
            continue
        if key not in outlines:
            reason[rows] = f"no feature of the boundaries layer is named {listed.iloc[rows[0]]!r}"
            continue
        outline = outlines[key]
        shapely.prepare(outline)
        covered = shapely.covers(outline, blocks[rows])
        pct = np.full(len(rows), 100.0)
        partial = rows[~covered]
        if len(partial):
            inside_ha = geodesic_areas_ha(shapely.intersection(blocks[partial], outline), ctx.crs)
            pct[~covered] = 100.0 * np.nan_to_num(inside_ha) / np.where(ctx.area_ha[partial] > 0, ctx.area_ha[partial], np.nan)
        ok = pct >= minimum
        status[rows] = np.where(ok, PASS, FAIL)
        name = ctx.boundaries[column][boundary_keys == key].iloc[0]
        reason[rows] = [f"{fmt(p)} % of the block lies in {name}" + ("" if k else f", less than the {minimum:g} % required")
                        for p, k in zip(np.nan_to_num(pct), ok)]
