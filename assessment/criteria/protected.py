"""Gate, condition and criterion: national parks, wildlife sanctuaries and eco-sensitive zones
(DOMAIN.md A5, B §7).

Protected-area features are typed by the layer's ``pa_type`` column: eco-sensitive zone (ESZ),
or national park / wildlife sanctuary (NP/WS — any other type is read as one and said so). With
no type column every feature is an NP/WS. The gate, per block:

- overlaps an NP/WS → fail (W1);
- within ``buffer_km`` (1 km) of an NP/WS → fail (W1, W2), except for an NP/WS with a notified
  ESZ (its ``esz`` flag) or on an inter-state border (``interstate`` flag), where the ESZ
  polygon rules instead (W3);
- overlaps a notified ESZ polygon → fail (W4);
- within the NBWL distance (10 km) of an NP/WS → condition: NBWL Standing Committee (W6, W8).

The criterion scores the geodesic km to the nearest NP/WS by the rules' bands.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.criteria import FAIL, NO_GEOMETRY, PASS, UNKNOWN, Context, CriterionResult, GateResult, fmt, truthy
from geo.nearest import nearest_distance_km
from geo.overlay import overlap_areas_ha

_ESZ_PATTERN = r"eco.?sensitive|\besz\b"
_NPWS_PATTERN = r"national park|sanctuary|wildlife|\b(?:np|ws|wls)\b"


def pa_kinds(ctx: Context) -> tuple[np.ndarray, list[str]]:
    """Per protected feature "esz" or "npws", and notes on how the types were read."""
    column = ctx.protected_fields.get("pa_type")
    if column is None:
        return (np.full(len(ctx.protected), "npws", dtype=object),
                ["The protected-area layer has no type column, so every feature is treated as a national park or wildlife sanctuary."])
    text = ctx.protected[column].astype("string").str.lower().fillna("")
    is_esz = text.str.contains(_ESZ_PATTERN, regex=True).to_numpy(dtype=bool)
    is_npws = text.str.contains(_NPWS_PATTERN, regex=True).to_numpy(dtype=bool)
    other = sorted(set(ctx.protected[column].astype("string").fillna("(blank)")[~is_esz & ~is_npws]))
    notes = [f"Protected areas of type {', '.join(repr(o) for o in other)} are treated as national parks or wildlife sanctuaries."] if other else []
    return np.where(is_esz, "esz", "npws").astype(object), notes


def evaluate(ctx: Context) -> tuple[GateResult, CriterionResult]:
    rules = ctx.rules
    if ctx.protected is None:
        nothing = ["no protected-area layer was given"] * ctx.n_blocks
        gate = GateResult("gate_protected", "Protected areas", np.full(ctx.n_blocks, UNKNOWN, dtype=object),
                          [f"Protected-area gate: unknown — {n}." for n in nothing], [[] for _ in range(ctx.n_blocks)],
                          columns={"protected_inside_ha": _empty(ctx), "protected_km": _empty(ctx)})
        return gate, CriterionResult("protected", "Distance to protected areas", np.full(ctx.n_blocks, np.nan),
                                     ["unknown (no protected-area layer)"] * ctx.n_blocks)
    kinds, notes = pa_kinds(ctx)
    geometry = ctx.protected.geometry
    npws = kinds == "npws"
    exempt = npws & _flag(ctx, "esz") | npws & _flag(ctx, "interstate")
    inside_ha = overlap_areas_ha(ctx.blocks.geometry, geometry[npws]) if npws.any() else np.zeros(ctx.n_blocks)
    esz_ha = overlap_areas_ha(ctx.blocks.geometry, geometry[kinds == "esz"]) if (~npws).any() else np.zeros(ctx.n_blocks)
    km_any = nearest_distance_km(ctx.blocks.geometry, geometry[npws]) if npws.any() else np.full(ctx.n_blocks, np.nan)
    km_buffered = (km_any if not exempt.any() else
                   nearest_distance_km(ctx.blocks.geometry, geometry[npws & ~exempt]) if (npws & ~exempt).any()
                   else np.full(ctx.n_blocks, np.nan))
    km_exempt = (nearest_distance_km(ctx.blocks.geometry, geometry[exempt]) if exempt.any()
                 else np.full(ctx.n_blocks, np.nan))
    p = rules.protected
    nbwl = rules.nbwl_condition
    status, sentence, conditions = [], [], []
    placed = ctx.placed
    for i in range(ctx.n_blocks):
        if not placed[i]:
            status.append(UNKNOWN)
            sentence.append(NO_GEOMETRY)
        elif inside_ha[i] > 0:
            status.append(FAIL)
            sentence.append(f"{fmt(inside_ha[i])} ha of the block lies inside a national park or wildlife sanctuary ({p.inside_source})")
        elif km_buffered[i] <= p.buffer_km:
            status.append(FAIL)
            sentence.append(f"the block is {fmt(km_buffered[i], 2)} km from a national park or wildlife sanctuary, "
                            f"within the {p.buffer_km:g} km no-mining zone ({p.buffer_source})")
        elif esz_ha[i] > 0:
            status.append(FAIL)
            sentence.append(f"{fmt(esz_ha[i])} ha of the block lies inside a notified eco-sensitive zone ({p.esz_source})")
        else:
            status.append(PASS)
            where = ("no national park or wildlife sanctuary is in the layer" if np.isnan(km_any[i])
                     else f"the nearest national park or wildlife sanctuary is {fmt(km_any[i], 2)} km away")
            sentence.append(f"{where}; the block is outside every NP/WS, its {p.buffer_km:g} km zone and any notified ESZ "
                            f"({p.inside_source}; {p.esz_source})")
        near = not np.isnan(km_any[i]) and km_any[i] <= nbwl.threshold
        conditions.append([f"within {nbwl.threshold:g} km of a national park or wildlife sanctuary "
                           f"({fmt(km_any[i], 2)} km): {nbwl.text} ({nbwl.source})"] if near else [])
    leads = [" ".join(notes + _exemption(km_exempt[i], p)) for i in range(ctx.n_blocks)]
    gate = GateResult("gate_protected", "Protected areas", np.asarray(status, dtype=object),
                      [f"{lead + ' ' if lead else ''}Protected-area gate: {s} — {t}."
                       for lead, s, t in zip(leads, status, sentence)],
                      conditions, columns={"protected_inside_ha": np.where(placed, np.round(inside_ha, 4), np.nan),
                                           "protected_km": np.round(km_any, 4)})
    score = rules.protected_bands.score(km_any)
    measure = [f"{fmt(km, 2)} km to the nearest national park or wildlife sanctuary" if not np.isnan(km)
               else "no national park or wildlife sanctuary in the layer" for km in km_any]
    score[np.isnan(km_any)] = rules.protected_bands.beyond
    return gate, CriterionResult("protected", "Distance to protected areas", score, measure)


def _exemption(km_to_exempt: float, p) -> list[str]:
    """The W3 carve-out, said only for a block that it actually spares (within the default zone)."""
    if np.isnan(km_to_exempt) or km_to_exempt > p.buffer_km:
        return []
    return [f"The {p.buffer_km:g} km default is not applied to the protected area {fmt(km_to_exempt, 2)} km away, "
            f"which has a notified ESZ or lies on an inter-state border ({p.buffer_exemption_source})."]


def _flag(ctx: Context, canonical: str) -> np.ndarray:
    column = ctx.protected_fields.get(canonical)
    return truthy(ctx.protected[column]) if column is not None else np.zeros(len(ctx.protected), dtype=bool)


def _empty(ctx: Context) -> pd.array:
    return pd.array([pd.NA] * ctx.n_blocks, dtype="Float64")
