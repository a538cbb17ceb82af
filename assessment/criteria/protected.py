"""Gate, condition and criterion: national parks, wildlife sanctuaries and eco-sensitive zones
(DOMAIN.md A5, B §7).

Protected-area features are typed by the layer's ``pa_type`` column: eco-sensitive zone (ESZ),
or national park / wildlife sanctuary (NP/WS — any other type is read as one and said so). With
no type column every feature is an NP/WS. The gate applies the rule rows in force on the run's
``as_of`` date (``[gates.protected]`` in the rules), per block:

- overlaps an NP/WS → fail (``inside`` rows: the Wild Life (Protection) Act, then the Supreme
  Court's orders of 3 Jun 2022, 26 Apr 2023 and, pan-India, 13 Nov 2025);
- within ``buffer_km`` (1 km) of an NP/WS → fail (``buffer`` rows); only the row of 26 Apr 2023 –
  12 Nov 2025 spares a protected area flagged with a notified ESZ or on an inter-state border,
  and none does from 13 Nov 2025 (In Re: Saranda Wildlife Sanctuary);
- overlaps a notified ESZ polygon → fail (``esz`` rows, from 28 Apr 2023);
- within the NBWL distance (10 km) of an NP/WS → condition: NBWL Standing Committee.

The criterion scores the geodesic km to the nearest NP/WS by the rules' bands. The nearest
NP/WS is named (the layer's name field) in the findings and in ``nearest_protected_name``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.criteria import (FAIL, NO_GEOMETRY_FINDING, PASS, UNKNOWN, Context, CriterionResult, GateResult, blank,
                                 condition, fmt, truthy)
from assessment.rules import in_force
from geo.nearest import nearest_features
from geo.overlay import overlap_areas_ha

_ESZ_PATTERN = r"eco.?sensitive|\besz\b"
_NPWS_PATTERN = r"national park|sanctuary|wildlife|\b(?:np|ws|wls)\b"
NPWS = "national park or wildlife sanctuary"


def is_eco_sensitive(types) -> np.ndarray:
    """Per protected-area type value (the ``pa_type`` column), whether it is an eco-sensitive zone."""
    return pd.Series(types).astype("string").str.lower().fillna("").str.contains(_ESZ_PATTERN, regex=True).to_numpy(dtype=bool)


def pa_kinds(ctx: Context) -> tuple[np.ndarray, list[str]]:
    """Per protected feature "esz" or "npws", and notes on how the types were read."""
    column = ctx.protected_fields.get("pa_type")
    if column is None:
        return (np.full(len(ctx.protected), "npws", dtype=object),
                ["The protected-area layer has no type column, so every feature is treated as a national park or wildlife sanctuary."])
    text = ctx.protected[column].astype("string").str.lower().fillna("")
    is_esz = is_eco_sensitive(ctx.protected[column])
    is_npws = text.str.contains(_NPWS_PATTERN, regex=True).to_numpy(dtype=bool)
    other = sorted(set(ctx.protected[column].astype("string").fillna("(blank)")[~is_esz & ~is_npws]))
    notes = [f"Protected areas of type {', '.join(repr(o) for o in other)} are treated as national parks or wildlife sanctuaries."] if other else []
    return np.where(is_esz, "esz", "npws").astype(object), notes


class _Nearest:
    """Geodesic km from every block to the nearest feature of a subset of the protected areas,
    and that feature's name."""

    def __init__(self, ctx: Context, subset: np.ndarray):
        self.km = np.full(ctx.n_blocks, np.nan)
        self.name = np.full(ctx.n_blocks, "", dtype=object)
        if not subset.any():
            return
        positions = np.flatnonzero(subset)
        self.km, local = nearest_features(ctx.blocks.geometry, ctx.protected.geometry.iloc[positions])
        names = _names(ctx)
        self.name = np.array([names[positions[j]] if j >= 0 else "" for j in local], dtype=object)


def _names(ctx: Context) -> list[str]:
    """A label per protected feature: its name, or "feature N" where the layer has none."""
    column = ctx.protected_fields.get("name")
    values = ctx.protected[column] if column is not None else [None] * len(ctx.protected)
    return [str(v).strip() if not blank(v) else f"protected area {i + 1}" for i, v in enumerate(values)]


def evaluate(ctx: Context) -> tuple[GateResult, CriterionResult]:
    if ctx.protected is None:
        return _no_layer(ctx)
    rules, p = ctx.rules, ctx.rules.protected
    inside_rule, buffer_rule, esz_rule = (in_force(rows, ctx.as_of) for rows in (p.inside, p.buffer, p.esz))
    kinds, notes = ctx.from_layer("pa_kinds", ctx.protected, lambda: pa_kinds(ctx))
    geometry = ctx.protected.geometry
    npws, esz = kinds == "npws", kinds == "esz"
    exempt = np.zeros(len(kinds), dtype=bool)
    for flag in (buffer_rule.exempt if buffer_rule is not None else ()):
        exempt |= npws & _flag(ctx, flag)
    inside_ha = overlap_areas_ha(ctx.blocks.geometry, geometry[npws]) if npws.any() else np.zeros(ctx.n_blocks)
    esz_ha = overlap_areas_ha(ctx.blocks.geometry, geometry[esz]) if esz.any() else np.zeros(ctx.n_blocks)
    nearest = _Nearest(ctx, npws)
    zoned = nearest if not exempt.any() else _Nearest(ctx, npws & ~exempt)
    spared, nearest_esz = _Nearest(ctx, exempt), _Nearest(ctx, esz)
    status, finding, rule, missing, conditions = [], [], [], [], []
    placed = ctx.placed
    applied = [r for r in (inside_rule, buffer_rule, esz_rule) if r is not None]
    checked = tuple(dict.fromkeys(i for r in applied for i in r.rule))
    nbwl = in_force(rules.nbwl_condition.rows, ctx.as_of)
    for i in range(ctx.n_blocks):
        verdict = _judge(i, placed[i], inside_ha, esz_ha, nearest, zoned, nearest_esz, inside_rule, buffer_rule,
                         esz_rule, p.buffer_km, checked)
        note = _exemption(spared, i, buffer_rule, p.buffer_km) if verdict[0] == PASS else ("", ())
        status.append(verdict[0])
        finding.append(" ".join(part for part in (*(notes if placed[i] else ()), verdict[1], note[0]) if part))
        rule.append(tuple(dict.fromkeys((*verdict[2], *note[1]))))
        missing.append(verdict[3])
        near = nbwl is not None and placed[i] and not np.isnan(nearest.km[i]) and nearest.km[i] <= rules.nbwl_condition.threshold
        conditions.append([condition(f"within {rules.nbwl_condition.threshold:g} km of a {NPWS} "
                                     f"({nearest.name[i]}, {fmt(nearest.km[i], 2)} km): {rules.nbwl_condition.text}",
                                     nbwl.rule, rules)] if near else [])
    nearest_km = np.where(placed, np.round(nearest.km, 4), np.nan)
    gate = GateResult("protected", "Protected areas", np.asarray(status, dtype=object), finding,
                      ["; ".join(r) for r in rule], [rules.source(r) for r in rule], conditions, missing,
                      columns={"protected_inside_ha": np.where(placed, np.round(inside_ha, 4), np.nan),
                               "protected_km": nearest_km,
                               "nearest_protected_name": np.where(placed, nearest.name, ""),
                               "nearest_protected_km": nearest_km})
    score = rules.protected_bands.score(nearest.km)
    measure = [f"{fmt(km, 2)} km to the nearest {NPWS} ({name})" if not np.isnan(km)
               else f"no {NPWS} in the layer" for km, name in zip(nearest.km, nearest.name)]
    score[np.isnan(nearest.km)] = rules.protected_bands.beyond
    return gate, CriterionResult("protected", "Distance to protected areas", score, measure,
                                 value=np.round(nearest.km, 4), unit="km")


def _judge(i, placed, inside_ha, esz_ha, nearest, zoned, nearest_esz, inside_rule, buffer_rule, esz_rule,
           buffer_km, checked) -> tuple[str, str, tuple, str]:
    """(status, finding, rule ids, what is missing) of block ``i``."""
    if not placed:
        return UNKNOWN, NO_GEOMETRY_FINDING, (), ""
    if inside_ha[i] > 0 and inside_rule is not None:
        return (FAIL, f"{fmt(inside_ha[i])} ha of the block lies inside {nearest.name[i]}, a {NPWS}.", inside_rule.rule,
                f"the block must be redrawn outside {nearest.name[i]} and its {buffer_km:g} km zone")
    if buffer_rule is not None and zoned.km[i] <= buffer_km:
        return (FAIL, f"The block is {fmt(zoned.km[i], 2)} km from {zoned.name[i]}, a {NPWS}, within the "
                      f"{buffer_km:g} km no-mining zone.", buffer_rule.rule,
                f"the block must be redrawn at least {buffer_km:g} km from {zoned.name[i]}")
    if esz_ha[i] > 0 and esz_rule is not None:
        return (FAIL, f"{fmt(esz_ha[i])} ha of the block lies inside the notified eco-sensitive zone "
                      f"{nearest_esz.name[i]}.", esz_rule.rule,
                f"the block must be redrawn outside the eco-sensitive zone {nearest_esz.name[i]}")
    if not checked:
        return PASS, "No protected-area rule was in force on the date applied.", (), ""
    where = (f"No {NPWS} is in the layer" if np.isnan(nearest.km[i])
             else f"The nearest {NPWS}, {nearest.name[i]}, is {fmt(nearest.km[i], 2)} km away")
    zone = f", its {buffer_km:g} km zone" if buffer_rule is not None else ""
    esz = " and any notified eco-sensitive zone" if esz_rule is not None else ""
    return PASS, f"{where}; the block is outside every {NPWS}{zone}{esz}.", checked, ""


def _exemption(spared: _Nearest, i: int, buffer_rule, buffer_km: float) -> tuple[str, tuple]:
    """The carve-out, said only for a block that it actually spares (within the default zone)."""
    if buffer_rule is None or np.isnan(spared.km[i]) or spared.km[i] > buffer_km:
        return "", ()
    return (f"The {buffer_km:g} km zone is not applied to {spared.name[i]} ({fmt(spared.km[i], 2)} km away), which has "
            f"a notified eco-sensitive zone or lies on an inter-state border.", buffer_rule.exemption_rule)


def _no_layer(ctx: Context) -> tuple[GateResult, CriterionResult]:
    n = ctx.n_blocks
    empty = pd.array([pd.NA] * n, dtype="Float64")
    gate = GateResult("protected", "Protected areas", np.full(n, UNKNOWN, dtype=object),
                      ["No protected-area layer was given."] * n, [""] * n, [""] * n, [[] for _ in range(n)],
                      [""] * n,
                      columns={"protected_inside_ha": empty, "protected_km": empty.copy(),
                               "nearest_protected_name": np.full(n, "", dtype=object), "nearest_protected_km": empty.copy()})
    return gate, CriterionResult("protected", "Distance to protected areas", np.full(n, np.nan),
                                 ["unknown (no protected-area layer)"] * n, unit="km")


def _flag(ctx: Context, canonical: str) -> np.ndarray:
    column = ctx.protected_fields.get(canonical)
    return truthy(ctx.protected[column]) if column is not None else np.zeros(len(ctx.protected), dtype=bool)
