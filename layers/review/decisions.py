"""Each block's latest decision and its history as data, for the dossier and the XLSX (issue 15, item 5).

The dossier (:mod:`assessment.report`) and the tables (:mod:`geo.tables`) know nothing of the
store: :func:`decisions_by_block` reads the decisions once, :func:`attach_to_dossier` gives each
block section its review table, and :func:`scores_with_decisions` adds the decision columns to a
score table with the history as a sheet of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pandas as pd

from assessment.report import Dossier, Table
from layers.review.model import HISTORY_COLUMNS, Decision, ReviewStore, format_time

DECISION_COLUMNS = ("review_decision", "review_by", "review_at", "review_comment", "review_version", "review_history")


@dataclass
class BlockDecisions:
    """A block's decisions, oldest first; ``latest`` is None while nobody has decided."""

    block_id: str
    history: list[Decision] = field(default_factory=list)

    @property
    def latest(self) -> Optional[Decision]:
        return self.history[-1] if self.history else None

    def history_text(self) -> str:
        """``v1 needs information by ravi on … : "comment" | v2 approved by …`` (one cell of a table)."""
        return " | ".join(f"{d.describe()}" + (f': "{d.comment}"' if d.comment else "") for d in self.history)

    def table(self) -> Table:
        """The dossier's review table: one row per decision, oldest first."""
        rows = [[str(d.version), d.decision, d.reviewer, format_time(d.decided_at), d.comment or "—"]
                for d in self.history]
        return Table(["Version", "Decision", "Reviewer", "When", "Comment"], rows, [0.7, 1.3, 1.1, 1.7, 3.7], "RLLLL")


def decisions_by_block(store: ReviewStore, tranche: str) -> dict[str, BlockDecisions]:
    """Every block of the tranche with its decisions (blocks nobody has decided on have an empty history)."""
    decisions = {block_id: BlockDecisions(block_id) for block_id in store.blocks(tranche)["block_id"]}
    for row in store.history(tranche)[list(HISTORY_COLUMNS)].itertuples(index=False):
        decisions.setdefault(row.block_id, BlockDecisions(row.block_id)).history.append(
            Decision(row.tranche, row.block_id, int(row.version), row.decision, row.reviewer, row.comment or "",
                     row.decided_at.to_pydatetime()))
    return decisions


def attach_to_dossier(dossier: Dossier, decisions: dict[str, BlockDecisions]) -> None:
    """Give each block section of ``dossier`` its review table (blocks of another tranche get none)."""
    for block in dossier.blocks:
        found = decisions.get(block.block_id)
        if found is not None:
            block.review = found.table()


def scores_with_decisions(scores: pd.DataFrame, decisions: dict[str, BlockDecisions],
                          id_column: str = "block_id") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the score table with :data:`DECISION_COLUMNS` added, the whole history one decision a row)."""
    def latest(block_id, attribute: str):
        found = decisions.get(str(block_id))
        decision = found.latest if found else None
        return None if decision is None else getattr(decision, attribute)

    ids = scores[id_column]
    table = scores.copy()
    table["review_decision"] = ids.map(lambda b: latest(b, "decision"))
    table["review_by"] = ids.map(lambda b: latest(b, "reviewer"))
    table["review_at"] = ids.map(lambda b: format_time(latest(b, "decided_at")) or None)
    table["review_comment"] = ids.map(lambda b: latest(b, "comment"))
    table["review_version"] = ids.map(lambda b: latest(b, "version") or 0)
    table["review_history"] = ids.map(lambda b: decisions[str(b)].history_text() if str(b) in decisions else "")
    history = pd.DataFrame(
        [(d.block_id, d.version, d.decision, d.reviewer, format_time(d.decided_at), d.comment)
         for found in decisions.values() for d in found.history],
        columns=["block_id", "version", "decision", "reviewer", "decided_at", "comment"])
    return table, history
