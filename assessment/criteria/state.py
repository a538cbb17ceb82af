"""Gate: the block lies inside the state it is listed for (DESIGN.md §5.1).

With a state-boundaries layer, the share of the block's geodesic area inside the boundary
features bearing its state's name must reach the rules' ``min_inside_pct`` (99 %). Names match
case-insensitively, ignoring punctuation and "&" versus "and". Every placed block also learns the
state that holds most of it (``state_found``), so a block listed in the wrong state is told where
it actually lies. Without the layer, the block's state, or a boundary of that name, the gate is
"unknown".
"""
from __future__ import annotations

import re

import numpy as np
import shapely

from assessment.criteria import FAIL, NO_GEOMETRY_FINDING, PASS, UNKNOWN, Context, GateResult, blank, fmt
from assessment.rules import in_force
from geo.measure import geodesic_areas_ha


def state_key(name: object) -> str:
    """``"Jammu & Kashmir"`` and ``"JAMMU AND KASHMIR"`` → ``"jammu and kashmir"``."""
    text = str(name).lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


class _States:
    """The boundaries layer dissolved by state name: one outline and one display name per state."""

    def __init__(self, ctx: Context, column: str):
        keys = np.array([state_key(v) if not blank(v) else "" for v in ctx.boundaries[column]], dtype=object)
        geometries = np.asarray(ctx.boundaries.geometry.values)
        self.keys = sorted(set(keys) - {""})
        self.names = [str(ctx.boundaries[column][keys == key].iloc[0]) for key in self.keys]
        self.outlines = np.array([shapely.union_all(geometries[keys == key]) for key in self.keys], dtype=object)
        self.tree = shapely.STRtree(self.outlines)

    def shares(self, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """Per block, the position of the state holding most of it (-1: none) and, per block
        and state, the % of the block's geodesic area inside (a block × state matrix)."""
        blocks = np.asarray(ctx.blocks.geometry.values)
        pct = np.zeros((ctx.n_blocks, len(self.keys)))
        block_pos, state_pos = self.tree.query(blocks, predicate="intersects")
        if len(block_pos):
            covered = shapely.covers(self.outlines[state_pos], blocks[block_pos])
            pct[block_pos[covered], state_pos[covered]] = 100.0
            partial = ~covered
            if partial.any():
                part_ha = np.nan_to_num(geodesic_areas_ha(shapely.intersection(blocks[block_pos[partial]],
                                                                               self.outlines[state_pos[partial]]), ctx.crs))
                area = ctx.area_ha[block_pos[partial]]
                pct[block_pos[partial], state_pos[partial]] = np.minimum(
                    100.0, np.divide(100.0 * part_ha, area, out=np.zeros(len(area)), where=area > 0))
        best = np.where(pct.max(axis=1, initial=0.0) > 0, pct.argmax(axis=1) if len(self.keys) else -1, -1)
        return best, pct


def evaluate(ctx: Context) -> GateResult:
    rules = ctx.rules
    row = in_force(rules.state_rows, ctx.as_of)
    listed = ctx.block_column("state")
    column = ctx.boundary_fields.get("state") or ctx.boundary_fields.get("name")
    n = ctx.n_blocks
    status = np.full(n, UNKNOWN, dtype=object)
    finding = np.full(n, "", dtype=object)
    missing = np.full(n, "", dtype=object)
    found = np.full(n, "", dtype=object)
    inside_pct = np.full(n, np.nan)
    if ctx.boundaries is not None and column is not None:
        states = ctx.layer_cache.get(("state", column))
        if states is None:
            states = ctx.layer_cache[("state", column)] = _States(ctx, column)
        best, pct = states.shares(ctx)
        found[best >= 0] = [states.names[b] for b in best[best >= 0]]
        if listed is not None and row is not None:
            _judge(ctx, listed, states, best, pct, status, finding, missing, inside_pct)
    if listed is None:
        finding[:] = "The blocks have no state column."
    elif ctx.boundaries is None or column is None:
        finding[:] = ("No state-boundaries layer was given." if ctx.boundaries is None
                      else "The boundaries layer has no state-name column.")
    elif row is None:
        finding[:] = f"No rule on the listed state was in force on {ctx.as_of.isoformat()}."
    placed = ctx.placed
    status[~placed], finding[~placed], missing[~placed], found[~placed] = UNKNOWN, NO_GEOMETRY_FINDING, "", ""
    rule_ids = "; ".join(row.rule) if row is not None else ""
    source = rules.source(row.rule) if row is not None else ""
    return GateResult("state", "Listed state", status, list(finding), [rule_ids] * n, [source] * n,
                      [[] for _ in range(n)], list(missing),
                      columns={"state_found": found, "state_inside_pct": np.round(inside_pct, 2)})


def _judge(ctx: Context, listed, states: _States, best: np.ndarray, pct: np.ndarray, status, finding, missing,
           inside_pct) -> None:
    minimum = ctx.rules.state_min_inside_pct
    position = {key: i for i, key in enumerate(states.keys)}
    for i, value in enumerate(listed):
        if blank(value):
            finding[i] = "The block's state is blank."
            continue
        state = position.get(state_key(value))
        if state is None:
            finding[i] = f"No feature of the boundaries layer is named {str(value)!r}."
            continue
        share = pct[i, state]
        inside_pct[i] = share
        name = states.names[state]
        if share >= minimum:
            status[i], finding[i] = PASS, f"{fmt(share)} % of the block lies in {name}."
            continue
        status[i] = FAIL
        actual = (f"it lies in {states.names[best[i]]} ({fmt(pct[i, best[i]])} %)" if best[i] >= 0 and best[i] != state
                  else "the rest lies outside every state of the boundaries layer")
        finding[i] = f"Only {fmt(share)} % of the block lies in {name}, the state it is listed for; {actual}."
        missing[i] = (f"the block's state must be corrected to {states.names[best[i]]}, where it lies"
                      if best[i] >= 0 and best[i] != state and share == 0
                      else f"the block must be redrawn to lie in {name} (at least {minimum:g} % is required)")
