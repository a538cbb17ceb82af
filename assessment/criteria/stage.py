"""Gate: the exploration stage meets the minimum for the intended licence (DOMAIN.md A4, B §4.2).

The block's stage is its own ``stage``/``unfc`` value, or else the most advanced stage among the
deposits counted in it. Per licence (the rule in force on the rules' ``as_of`` date):

- ML: stage G2 or better AND, where the data report resource classes, an Indicated (332) or
  better resource among the deposits inside (no resource column: passes on stage, with a note);
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
        deposit_rank = np.array([stage_rank(s) for s in stages_of(column)], dtype=float)
        inside = (ctx.deposit_block >= 0) & ~np.isnan(deposit_rank)
        np.minimum.at(ranks, ctx.deposit_block[inside], deposit_rank[inside])
    return pd.Series([STAGES[int(r) - 1] if np.isfinite(r) else None for r in ranks],
                     index=ctx.blocks.index, dtype=object)


def best_resource_level(ctx: Context) -> Optional[np.ndarray]:
    """Per block, the index in :data:`RESOURCE_LEVELS` of the most confident JORC-equivalent
    class reported (block's own ``unfc`` or its deposits'), len(RESOURCE_LEVELS) where none;
    None when no layer has a resource-class column at all."""
    columns = [(ctx.block_column("unfc"), np.arange(ctx.n_blocks)),
               (ctx.deposit_column("unfc"), ctx.deposit_block)]
    if all(values is None for values, _ in columns):
        return None
    best = np.full(ctx.n_blocks, len(RESOURCE_LEVELS), dtype=np.int64)
    for values, owner in columns:
        if values is None:
            continue
        levels = jorc_levels(values)
        inside = owner >= 0
        np.minimum.at(best, owner[inside], levels[inside])
    return best


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


def block_minerals(ctx: Context) -> list[set[str]]:
    """Per block, canonical mineral names from its own commodity field or, if blank, its deposits'."""
    minerals: list[set[str]] = [set() for _ in range(ctx.n_blocks)]
    own = ctx.block_column("commodity")
    if own is not None:
        for position, names in enumerate(commodity_names(own, ctx.rules)):
            minerals[position].update(names)
    own_blank = [not names for names in minerals]
    deposits = ctx.deposit_column("commodity")
    if deposits is not None:
        for owner, names in zip(ctx.deposit_block, commodity_names(deposits, ctx.rules)):
            if owner >= 0 and own_blank[owner]:
                minerals[owner].update(names)
    return minerals


@dataclass
class _Verdict:
    status: str
    reason: str       # why, for the explanation
    missing: str      # what is missing to pass, in words ("" when it passes)


def evaluate(ctx: Context) -> tuple[GateResult, np.ndarray, np.ndarray, np.ndarray]:
    """The stage gate for each block.

    Returns
    -------
    gate : GateResult
    licence : ndarray of str
        The intended licence per block (ML/CL/EL, "" when none given, or the text as given when
        it is not a licence Khanij knows).
    licence_now : ndarray of str
        The most advanced licence whose stage gate passes (ML > CL > EL), "none" otherwise.
    missing : ndarray of str
        What is missing to reach the intended licence (or, with no licence given, the next
        licence above ``licence_now``), in words.
    """
    intended = parse_licences(ctx.block_column("licence"), ctx.n_blocks)
    resource = best_resource_level(ctx)
    potential = truthy(ctx.block_column("potentiality")) if ctx.block_column("potentiality") is not None else None
    minerals = ctx.minerals if ctx.minerals is not None else block_minerals(ctx)
    seventh = set(ctx.rules.mineral_list("seventh_schedule"))
    verdicts = {
        licence: [_judge(ctx.rules.stage_rule(licence), licence, ctx.stage.iloc[i],
                         None if resource is None else int(resource[i]),
                         None if potential is None else bool(potential[i]), minerals[i], seventh, ctx.rules.as_of)
                  for i in range(ctx.n_blocks)]
        for licence in LICENCES
    }
    status, sentence, licence_now, missing, shown = [], [], [], [], []
    for i in range(ctx.n_blocks):
        passing = [licence for licence in LICENCES if verdicts[licence][i].status == PASS]
        best = passing[0] if passing else "none"
        licence_now.append(best)
        wanted = intended[i]
        if wanted in LICENCES:
            verdict = verdicts[wanted][i]
            status.append(verdict.status)
            sentence.append(f"Stage gate for {LICENCE_NAMES[wanted]}: {verdict.status} — {verdict.reason}.")
            missing.append(verdict.missing)
            shown.append(wanted)
            continue
        status.append(PASS if passing else _best_status([verdicts[lic][i] for lic in LICENCES]))
        shown.append(wanted[1:] if wanted.startswith("?") else "")
        heading = (f"The licence {wanted[1:]!r} is not ML, CL or EL, so the block was judged for all three"
                   if wanted else "No intended licence is given, so the block was judged for all three licences")
        details = " ".join(f"{lic}: {verdicts[lic][i].status} — {verdicts[lic][i].reason}." for lic in LICENCES)
        sentence.append(f"{heading}. {details}")
        upgrade = next((verdicts[lic][i].missing for lic in LICENCES if verdicts[lic][i].status != PASS
                        and (best == "none" or LICENCES.index(lic) < LICENCES.index(best))), "")
        missing.append(upgrade)
    gate = GateResult("gate_stage", "Exploration stage", np.asarray(status, dtype=object), sentence,
                      [[] for _ in range(ctx.n_blocks)])
    return gate, np.asarray(shown, dtype=object), np.asarray(licence_now, dtype=object), np.asarray(missing, dtype=object)


def _best_status(verdicts: list[_Verdict]) -> str:
    return UNKNOWN if any(v.status == UNKNOWN for v in verdicts) else FAIL


def _judge(rule: Optional[StageRule], licence: str, stage: Optional[str], resource: Optional[int],
           potential: Optional[bool], minerals: set[str], seventh: set[str], as_of) -> _Verdict:
    name = LICENCE_NAMES[licence]
    if rule is None:
        return _Verdict(FAIL, f"no rule for {name} is in force on {as_of.isoformat()}",
                        f"{name} cannot be granted under the rules in force on {as_of.isoformat()}")
    source = f" ({rule.source}{'; derived' if rule.derived else ''})"
    if rule.seventh_schedule:
        return _judge_schedule(name, minerals, seventh, source)
    return _judge_stage(rule, name, stage, resource, potential, source)


def _judge_schedule(name: str, minerals: set[str], seventh: set[str], source: str) -> _Verdict:
    if not minerals:
        return _Verdict(UNKNOWN, f"the block's mineral is not known, and {name} needs a Seventh Schedule mineral{source}",
                        f"the block's mineral must be recorded ({name} needs a Seventh Schedule mineral)")
    listed = sorted(minerals & seventh)
    if listed:
        return _Verdict(PASS, f"{', '.join(listed)} {'is' if len(listed) == 1 else 'are'} in the Seventh Schedule{source}", "")
    return _Verdict(FAIL, f"{', '.join(sorted(minerals))} is not in the Seventh Schedule{source}",
                    f"{name} needs a Seventh Schedule mineral; the block has {', '.join(sorted(minerals))}")


def _judge_stage(rule: StageRule, name: str, stage: Optional[str], resource: Optional[int],
                 potential: Optional[bool], source: str) -> _Verdict:
    need = f"{STAGE_NAMES[rule.min_stage]} ({rule.min_stage})"
    meets_stage = stage in STAGES and stage_rank(stage) <= stage_rank(rule.min_stage)
    if rule.or_potentiality and potential:
        return _Verdict(PASS, f"mineral potentiality is identified{source}", "")
    if stage not in STAGES:
        extra = " or identified mineral potentiality" if rule.or_potentiality else ""
        return _Verdict(UNKNOWN, f"the exploration stage is not known; {name} needs {need} or better{extra}{source}",
                        f"the exploration stage must be established: {name} needs {need} or better{extra}")
    if not meets_stage:
        return _Verdict(FAIL, f"the block is at {stage}; {name} needs {need} or better{source}",
                        f"{need} is needed for {name}; the block is at {stage}")
    if rule.min_resource is None:
        return _Verdict(PASS, f"the block is at {stage}; {name} needs {need} or better{source}", "")
    wanted = f"{rule.min_resource} ({RESOURCE_CODES[rule.min_resource]}) or better resource"
    if resource is None:
        return _Verdict(PASS, f"the block is at {stage}; no resource classes are reported, so the "
                              f"{wanted} {name} needs could not be checked{source}", "")
    if resource <= RESOURCE_LEVELS.index(rule.min_resource):
        return _Verdict(PASS, f"the block is at {stage} with {_article(RESOURCE_LEVELS[resource])} resource reported{source}", "")
    return _Verdict(FAIL, f"the block is at {stage} but no {wanted} is reported inside it{source}",
                    f"{_article(wanted)} must be established for {name}; none is reported inside the block")


def _article(phrase: str) -> str:
    """``phrase`` with "a" or "an" before it ("an Indicated", "a Measured")."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
