"""Who auctions the block (DOMAIN.md A4): from 17 Aug 2023 (s.11D) the Central Government
auctions mining leases and composite licences for the Part D critical and strategic minerals;
exploration licences are auctioned by the State, and so is everything else. A block whose
licence is not given says both. Not a gate: the explanation and the dossier say it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessment.criteria import Context
from assessment.rules import in_force

CENTRE, STATE = "Centre", "State"
_STATE_RULE = ("MMDR15-AUCTION",)
_EL_RULE = ("MMDR23-EL",)


@dataclass
class Authority:
    """Per block: ``who`` ("Centre", "State", "" when undetermined, or both with the licence),
    a one-sentence ``finding``, the ``rule`` ids and their ``source``."""

    who: np.ndarray
    finding: list[str]
    rule: list[str]
    source: list[str]


def evaluate(ctx: Context, licence: np.ndarray) -> Authority:
    """The auctioning authority for each block's intended licence (ML/CL/EL, or "" when none)."""
    rules = ctx.rules
    row = in_force(rules.authority, ctx.as_of)
    part_d = set(rules.mineral_list("part_d"))
    central = row.licences if row is not None else ()
    names = {"ML": "a mining lease", "CL": "a composite licence", "EL": "an exploration licence"}
    either = " or ".join(central)
    who, finding, rule = [], [], []
    for i in range(ctx.n_blocks):
        minerals, wanted = ctx.minerals[i], licence[i]
        held = ", ".join(sorted(minerals & part_d))
        if not minerals:
            who.append("")
            finding.append("The auctioning authority cannot be determined, as the block's minerals are not known.")
            rule.append(())
        elif not held:
            who.append(STATE)
            finding.append("The State Government auctions the block: it holds no Part D mineral.")
            rule.append(_STATE_RULE)
        elif row is None:
            who.append(STATE)
            finding.append(f"The State Government auctions the block: on {ctx.as_of.isoformat()} the Centre did not "
                           f"yet auction Part D minerals ({held}).")
            rule.append(_STATE_RULE)
        elif wanted in central:
            who.append(CENTRE)
            finding.append(f"The Central Government auctions the block: it holds the Part D mineral(s) {held} and is "
                           f"offered as {names[wanted]}.")
            rule.append(row.rule)
        elif wanted in names:
            who.append(STATE)
            finding.append(f"The State Government auctions the block: it is offered as {names[wanted]}, which the "
                           f"Centre does not auction even for Part D minerals ({held}).")
            rule.append((*row.rule, *_EL_RULE) if wanted == "EL" else row.rule)
        else:
            who.append(f"{CENTRE} if offered as {either}; {STATE} if offered as "
                       + " or ".join(lic for lic in names if lic not in central))
            finding.append(f"The block holds the Part D mineral(s) {held} and no licence is given: the Central "
                           f"Government auctions it if it is offered as {either}, the State Government if it is "
                           f"offered as an exploration licence.")
            rule.append((*row.rule, *_EL_RULE))
    return Authority(np.asarray(who, dtype=object), finding, ["; ".join(r) for r in rule],
                     [rules.source(r) for r in rule])
