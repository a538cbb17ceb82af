"""Gate: the exploration stage meets the minimum for the intended licence (DOMAIN.md A4, B §4.2).

The block's stage is its own ``stage``/``unfc`` value, or else the most advanced stage among the
deposits counted in it. Per licence (the rule in force on the rules' ``as_of`` date):

- ML: stage G2 or better AND, where the data report resource classes, a resource of geological
  level G2 or better (Indicated, 332, or better — read by its G digit, so 211, 221 and 222
  count) among the deposits inside (no resource column: passes on stage, with a note);
- CL (from June 2021): G4 or better, OR the block's "potentiality identified" flag;
- EL: a mineral of the block (or of its deposits) in the Seventh Schedule; no stage minimum.

A block without an intended licence is judged for all three: ``gate_stage`` reports the best.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from assessment.criteria import FAIL, PASS, UNKNOWN, Context, GateResult, blank, commodity_names, truthy
from assessment.rules import LICENCES, RESOURCE_LEVELS, STAGES, StageRule

STAGE_NAMES = {"G1": "Detailed Exploration", "G2": "General Exploration",
               "G3": "Preliminary Exploration", "G4": "Reconnaissance Survey"}
LICENCE_NAMES = {"ML": "a mining lease", "CL": "a composite licence", "EL": "an exploration licence"}
RESOURCE_CODES = {"Proved": "111", "Probable": "121/122", "Measured": "331", "Indicated": "332", "Inferred": "333"}

_LICENCE_ALIASES = {
    "ML": ("ml", "mining lease", "mining licence", "mining license", "lease"),
    "CL": ("cl", "composite licence", "composite license", "pl ml", "pl cum ml", "prospecting licence cum mining lease"),
    "EL": ("el", "exploration licence", "exploration license"),
}


def parse_licences(values: Optional[pd.Series], size: int) -> np.ndarray:
    """Intended licences as codes ML/CL/EL; "" where none is given; "?<text>" where unreadable."""
    if values is None:
        return np.full(size, "", dtype=object)
    lookup = {alias: code for code, aliases in _LICENCE_ALIASES.items() for alias in aliases}
    result = []
    for value in values:
        if blank(value):
            result.append("")
            continue
        key = re.sub(r"[^a-z]+", " ", str(value).lower()).strip()
        result.append(lookup.get(key, f"?{str(value).strip()}"))
    return np.asarray(result, dtype=object)


def stage_rank(stage: object) -> float:
    """1 for G1 … 4 for G4; NaN for unknown."""
    return float(STAGES.index(stage) + 1) if stage in STAGES else np.nan


def block_stages(ctx: Context) -> tuple[pd.Series, pd.Series]:
    """Per block, the stage used (G1–G4 or None) and where it came from, in words."""
    from assessment import stages_of

    own = pd.Series([None] * ctx.n_blocks, index=ctx.blocks.index, dtype=object)
    own_column = None
    for canonical in ("stage", "unfc"):
        column = ctx.block_column(canonical)
        if column is not None:
            found = pd.Series(stages_of(column), index=ctx.blocks.index, dtype=object)
            fill = own.isna() & found.notna()
            own[fill] = found[fill]
            own_column = own_column or ctx.block_fields[canonical]
    best_deposit = _best_deposit_stage(ctx)
    stage = own.where(own.notna(), best_deposit)
    origin = np.where(own.notna(), f"the block's {own_column} field",
                      np.where(best_deposit.notna(), "the most advanced deposit inside the block", ""))
    return stage, pd.Series(origin, index=ctx.blocks.index, dtype=object)


def _best_deposit_stage(ctx: Context) -> pd.Series:
    from assessment import stages_of

    ranks = np.full(ctx.n_blocks, np.inf)
    for canonical in ("stage", "unfc"):
        column = ctx.deposit_column(canonical)
        if column is None:
            continue
        deposit_rank = ctx.from_layer(("deposit_stage_rank", canonical), ctx.deposits, lambda: np.array(
            [stage_rank(s) for s in stages_of(column)], dtype=float))
        inside = (ctx.deposit_block >= 0) & ~np.isnan(deposit_rank)
        np.minimum.at(ranks, ctx.deposit_block[inside], deposit_rank[inside])
    return pd.Series([STAGES[int(r) - 1] if np.isfinite(r) else None for r in ranks],
                     index=ctx.blocks.index, dtype=object)


#: The geological (G) level of each JORC-equivalent category a rule may require.
_RESOURCE_G = {"Proved": 1, "Measured": 1, "Probable": 2, "Indicated": 2, "Inferred": 3}
_RESOURCE_NOTATIONS = ("india", "unfc", "jorc")
_NO_RESOURCE = 5


@dataclass
class ReportedResources:
    """Per block, the most confident geological level (1 = G1 … 4 = G4; 5 = none) among the
    resource classes reported for it, and the class as written that gave it."""

    level: np.ndarray
    written: list[str]


def reported_resources(ctx: Context) -> Optional[ReportedResources]:
    """The resource classes reported by the block's own ``unfc`` and its deposits', read by their
    **G digit** (DOMAIN.md A4): India's 211/221 count as G1 and 222 as G2 although they have no
    JORC equivalent; so do "STD332" and MEMC names where the notation reads them. Bare stages
    ("G2") are not resource classes. None when no layer has a resource-class column."""
    columns = [(ctx.block_column("unfc"), np.arange(ctx.n_blocks)),
               (ctx.deposit_column("unfc"), ctx.deposit_block)]
    if all(values is None for values, _ in columns):
        return None
    level = np.full(ctx.n_blocks, _NO_RESOURCE, dtype=np.int64)
    written = [""] * ctx.n_blocks
    for values, owner in columns:
        if values is None:
            continue
        levels = resource_levels(values)
        for row in np.flatnonzero((owner >= 0) & (levels < _NO_RESOURCE)):
            block = owner[row]
            if levels[row] < level[block]:
                level[block], written[block] = levels[row], str(values.iloc[row]).strip()
    return ReportedResources(level, written)


def resource_levels(values: pd.Series) -> np.ndarray:
    """Per value, the G level (1–4) of a resource or reserve class in any notation, or 5 when
    the value is not a resource class (blank, invalid, or a bare stage)."""
    from assessment import parse, stage_of
    from assessment.conversion import distinct_values

    row_keys, distinct = distinct_values(values)
    per_value = []
    for value in distinct:
        stage = stage_of(value) if value is not None else None
        per_value.append(int(stage[1]) if stage and parse(value).notation in _RESOURCE_NOTATIONS else _NO_RESOURCE)
    return np.asarray(per_value, dtype=np.int64)[row_keys]


def jorc_levels(values: pd.Series) -> np.ndarray:
    """Index into :data:`RESOURCE_LEVELS` of each code's JORC-equivalent class (len = none)."""
    from assessment import convert

    text = values.astype("string")
    level_of = {}
    for code in text.dropna().unique():
        result = convert(str(code), to="jorc").result or ""
        level_of[code] = next((i for i, level in enumerate(RESOURCE_LEVELS) if level.lower() in result.lower()),
                              len(RESOURCE_LEVELS))
    return np.array([level_of.get(code, len(RESOURCE_LEVELS)) if not pd.isna(code) else len(RESOURCE_LEVELS)
                     for code in text], dtype=np.int64)


def block_minerals(ctx: Context) -> tuple[list[set[str]], list[dict[str, list[str]]]]:
    """Per block, its canonical mineral names from its own commodity field **and** the deposits
    inside it, and where each came from (``{"Lithium": ["block commodity", "deposits inside"]}``)."""
    origins: list[dict[str, list[str]]] = [{} for _ in range(ctx.n_blocks)]
    own = ctx.block_column("commodity")
    if own is not None:
        for position, names in enumerate(commodity_names(own, ctx.rules)):
            for name in names:
                origins[position].setdefault(name, []).append(BLOCK_COMMODITY)
    deposits = ctx.deposit_column("commodity")
    if deposits is not None:
        for owner, names in zip(ctx.deposit_block, commodity_names(deposits, ctx.rules)):
            for name in names if owner >= 0 else ():
                sources = origins[owner].setdefault(name, [])
                if DEPOSITS_INSIDE not in sources:
                    sources.append(DEPOSITS_INSIDE)
    return [set(found) for found in origins], [dict(sorted(found.items())) for found in origins]


BLOCK_COMMODITY, DEPOSITS_INSIDE = "block commodity", "deposits inside"


@dataclass
class _Verdict:
    status: str
    reason: str       # the finding, without the citation
    missing: str      # what is missing to pass, in words ("" when it passes)
    rule: tuple[str, ...] = ()


def evaluate(ctx: Context) -> tuple[GateResult, np.ndarray, np.ndarray]:
    """The stage gate for each block, applying the rule of each licence in force on ``ctx.as_of``.

    Returns
    -------
    gate : GateResult
        ``missing`` holds what is missing to reach the intended licence (or, with no licence
        given, the next licence above ``licence_now``), in words.
    licence : ndarray of str
        The intended licence per block (ML/CL/EL, "" when none given, or the text as given when
        it is not a licence Khanij knows).
    licence_now : ndarray of str
        The most advanced licence whose stage gate passes (ML > CL > EL), "none" otherwise.
    """
    intended = parse_licences(ctx.block_column("licence"), ctx.n_blocks)
    resources = reported_resources(ctx)
    potential = truthy(ctx.block_column("potentiality")) if ctx.block_column("potentiality") is not None else None
    seventh = set(ctx.rules.mineral_list("seventh_schedule"))
    stages = ctx.stage.tolist()
    in_force_rules = {licence: ctx.rules.stage_rule(licence, ctx.as_of) for licence in LICENCES}  # one date for all
    verdicts = {
        licence: [_judge(in_force_rules[licence], licence, stages[i],
                         None if resources is None else (int(resources.level[i]), resources.written[i]),
                         None if potential is None else bool(potential[i]), ctx.minerals[i], seventh, ctx.as_of)
                  for i in range(ctx.n_blocks)]
        for licence in LICENCES
    }
    status, finding, rule, licence_now, missing, shown = [], [], [], [], [], []
    for i in range(ctx.n_blocks):
        passing = [licence for licence in LICENCES if verdicts[licence][i].status == PASS]
        best = passing[0] if passing else "none"
        licence_now.append(best)
        wanted = intended[i]
        if wanted in LICENCES:
            verdict = verdicts[wanted][i]
            status.append(verdict.status)
            finding.append(_sentence(f"For {LICENCE_NAMES[wanted]}, {verdict.reason}"))
            rule.append(verdict.rule)
            missing.append(verdict.missing)
            shown.append(wanted)
            continue
        status.append(PASS if passing else _best_status([verdicts[lic][i] for lic in LICENCES]))
        shown.append(wanted[1:] if wanted.startswith("?") else "")
        heading = (f"The licence {wanted[1:]!r} is not ML, CL or EL, so the block was judged for all three"
                   if wanted else "No intended licence is given, so the block was judged for all three licences")
        details = " ".join(f"{lic}: {verdicts[lic][i].status} — {verdicts[lic][i].reason}." for lic in LICENCES)
        finding.append(f"{heading}. {details}")
        rule.append(tuple(dict.fromkeys(r for lic in LICENCES for r in verdicts[lic][i].rule)))
        upgrade = next((verdicts[lic][i].missing for lic in LICENCES if verdicts[lic][i].status != PASS
                        and (best == "none" or LICENCES.index(lic) < LICENCES.index(best))), "")
        missing.append(upgrade)
    gate = GateResult("stage", "Exploration stage", np.asarray(status, dtype=object), finding,
                      ["; ".join(r) for r in rule], [ctx.rules.source(r) for r in rule],
                      [[] for _ in range(ctx.n_blocks)], missing)
    return gate, np.asarray(shown, dtype=object), np.asarray(licence_now, dtype=object)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _best_status(verdicts: list[_Verdict]) -> str:
    return UNKNOWN if any(v.status == UNKNOWN for v in verdicts) else FAIL


def _judge(rule: Optional[StageRule], licence: str, stage: Optional[str], resource: Optional[tuple[int, str]],
           potential: Optional[bool], minerals: set[str], seventh: set[str], as_of) -> _Verdict:
    name = LICENCE_NAMES[licence]
    if rule is None:
        return _Verdict(FAIL, f"no rule for {name} was in force on {as_of.isoformat()}",
                        f"{name} cannot be granted under the rules in force on {as_of.isoformat()}")
    verdict = (_judge_schedule(name, minerals, seventh) if rule.seventh_schedule
               else _judge_stage(rule, name, stage, resource, potential))
    verdict.rule = rule.rule
    return verdict


def _judge_schedule(name: str, minerals: set[str], seventh: set[str]) -> _Verdict:
    if not minerals:
        return _Verdict(UNKNOWN, f"the block's mineral is not known, and {name} needs a Seventh Schedule mineral",
                        f"the block's mineral must be recorded ({name} needs a Seventh Schedule mineral)")
    listed = sorted(minerals & seventh)
    if listed:
        return _Verdict(PASS, f"{', '.join(listed)} {'is' if len(listed) == 1 else 'are'} in the Seventh Schedule", "")
    return _Verdict(FAIL, f"{', '.join(sorted(minerals))} is not in the Seventh Schedule",
                    f"{name} needs a Seventh Schedule mineral; the block has {', '.join(sorted(minerals))}")


def _judge_stage(rule: StageRule, name: str, stage: Optional[str], resource: Optional[tuple[int, str]],
                 potential: Optional[bool]) -> _Verdict:
    need = f"{STAGE_NAMES[rule.min_stage]} ({rule.min_stage})"
    meets_stage = stage in STAGES and stage_rank(stage) <= stage_rank(rule.min_stage)
    if rule.or_potentiality and potential:
        return _Verdict(PASS, "mineral potentiality is identified", "")
    if stage not in STAGES:
        extra = " or identified mineral potentiality" if rule.or_potentiality else ""
        return _Verdict(UNKNOWN, f"the exploration stage is not known; {name} needs {need} or better{extra}",
                        f"the exploration stage must be established: {name} needs {need} or better{extra}")
    if not meets_stage:
        return _Verdict(FAIL, f"the block is at {stage}; {name} needs {need} or better",
                        f"{need} is needed for {name}; the block is at {stage}")
    if rule.min_resource is None:
        return _Verdict(PASS, f"the block is at {stage}; {name} needs {need} or better", "")
    wanted = f"{rule.min_resource} ({RESOURCE_CODES[rule.min_resource]}) or better resource"
    if resource is None:
        return _Verdict(PASS, f"the block is at {stage}; no resource classes are reported, so the "
                              f"{wanted} {name} needs could not be checked", "")
    level, written = resource
    if level <= _RESOURCE_G[rule.min_resource]:
        return _Verdict(PASS, f"the block is at {stage} with a resource of geological level G{level} reported "
                              f"({written}), meeting the {wanted} {name} needs", "")
    return _Verdict(FAIL, f"the block is at {stage} but no {wanted} (geological level "
                          f"G{_RESOURCE_G[rule.min_resource]} or better) is reported inside it",
                    f"{_article(wanted)} must be established for {name}; none is reported inside the block")


def _article(phrase: str) -> str:
    """``phrase`` with "a" or "an" before it ("an Indicated", "a Measured")."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
