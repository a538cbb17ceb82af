"""Who auctions the block (DOMAIN.md A4): the Central Government for the Part D critical and
strategic minerals under a mining lease or composite licence since s.11D came into force, the State
Government otherwise. Not a gate: the explanation and the dossier say it."""
from __future__ import annotations

import numpy as np

from assessment.criteria import Context


def sentences(ctx: Context, licence: np.ndarray, licence_now: np.ndarray) -> list[str]:
    """One "Auctioning authority: …" sentence per block, citing the rule.

    The licence judged is the intended one, or the one the block qualifies for today when no
    licence is given.
    """
    rule = ctx.rules.authority
    part_d = set(ctx.rules.mineral_list("part_d"))
    in_force = ctx.rules.as_of >= rule.since
    texts = []
    for i in range(ctx.n_blocks):
        offered = licence[i] or licence_now[i]
        minerals = ctx.minerals[i]
        held = sorted(minerals & part_d)
        if not minerals:
            who = "not determined, as the block's minerals are not known"
        elif held and offered in rule.licences:
            who = (f"the Central Government, as the block holds the Part D mineral(s) {', '.join(held)}" if in_force
                   else "the State Government (the rules' date is before s.11D came into force)")
        elif held:
            who = f"the State Government, as s.11D reserves only {' and '.join(rule.licences)} auctions to the Centre"
        else:
            who = "the State Government (no Part D mineral)"
        texts.append(f"Auctioning authority: {who} ({rule.source}).")
    return texts
