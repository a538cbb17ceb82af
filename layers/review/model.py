"""The review store's model, shared by both back-ends: decisions, errors, and the rows a publish writes.

A *tranche* is a named set of scored blocks put up for review. Each block row carries its latest
decision and a *version*, the number of decisions recorded on it. A reviewer decides on the version
they read; the store records the decision only if the block is still at that version, so two
reviewers never overwrite each other silently (:class:`StaleDecision` says who changed it and when).
Every decision is also written, by a database trigger, to an append-only audit log.
"""
from __future__ import annotations

import datetime
import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np
import pandas as pd
import shapely

from assessment.fields import guess_fields
from geo.errors import KhanijError

DECISIONS = ("proposed", "needs information", "approved", "rejected", "withdrawn")
OWNER_ONLY_DECISION = "withdrawn"
STORE_SRID = 4326
GATES = ("stage", "protected", "state")
# The columns kept as columns of the scores table (the rest of the row is kept as JSON in ``data``).
SCORE_KEY_COLUMNS = ("readiness", "score", "gates", "as_of", "rules_version", "rules_sha256")
LISTING_COLUMNS = ("block_id", "block_name", "readiness", "score", "decision", "version", "reviewer",
                   "decided_at", "comment")
HISTORY_COLUMNS = ("tranche", "block_id", "version", "decision", "reviewer", "comment", "decided_at")


class ReviewError(KhanijError):
    """The review store cannot do what was asked (the message says why)."""


class ReviewRefused(ReviewError, PermissionError):
    """The database refused the action for lack of a privilege (the message names the role needed)."""


class ReviewConnectionError(ReviewError, ConnectionError):
    """The review database cannot be reached or opened."""


@dataclass(frozen=True)
class Decision:
    """One recorded decision on a block; ``version`` is the block's version after it."""

    tranche: str
    block_id: str
    version: int
    decision: str
    reviewer: str
    comment: str
    decided_at: datetime.datetime

    def describe(self) -> str:
        """``approved by ravi on 2026-12-03 11:52 UTC (version 4)``."""
        return f"{self.decision} by {self.reviewer} on {format_time(self.decided_at)} (version {self.version})"


class StaleDecision(ReviewError):
    """A decision based on a version of the block that another reviewer has since changed."""

    def __init__(self, current: Decision, based_on: int):
        self.current = current
        self.based_on = based_on
        super().__init__(f"block {current.block_id} was changed after you read it: {current.describe()}; "
                         f"your decision was based on version {based_on} and was not recorded. "
                         "Read the change and decide again.")


@dataclass(frozen=True)
class Tranche:
    name: str
    published_by: str
    published_at: datetime.datetime
    n_blocks: int
    withdrawn_by: Optional[str] = None
    withdrawn_at: Optional[datetime.datetime] = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def format_time(moment: Optional[datetime.datetime]) -> str:
    if moment is None:
        return ""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def check_decision(decision: str) -> str:
    """The decision word, or ReviewError naming the allowed ones."""
    if decision not in DECISIONS:
        raise ReviewError(f"'{decision}' is not a decision; use one of: {', '.join(DECISIONS)}")
    return decision


# ---------------------------------------------------------------- what a publish writes


@dataclass
class PublishRows:
    """A score output made ready for the store: per block its key columns, geometry and full row."""

    tranche: str
    source: str
    as_of: Optional[str]
    rules_version: Optional[str]
    rules_sha256: Optional[str]
    blocks: pd.DataFrame          # block_id, block_name, readiness, score, wkb (MultiPolygon in EPSG:4326)
    scores: pd.DataFrame          # position (1, 2, …), block_id + SCORE_KEY_COLUMNS
    records: str                  # every column of every row: a JSON array, row ``position`` at index position - 1

    def block_rows(self) -> Iterator[tuple]:
        yield from self.blocks[["block_id", "block_name", "readiness", "score", "wkb"]].itertuples(index=False, name=None)

    def score_rows(self) -> Iterator[tuple]:
        """(position, block_id, *SCORE_KEY_COLUMNS) per row; the row's JSON is element ``position`` of ``records``."""
        yield from self.scores[["position", "block_id", *SCORE_KEY_COLUMNS]].itertuples(index=False, name=None)


def _json_value(value):
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (datetime.date, pd.Timestamp)):
        return value.isoformat()
    return value


def gates_text(frame: pd.DataFrame) -> list[str]:
    """Per row ``stage: pass; protected: fail; state: pass`` from the gate columns a score output has."""
    columns = [(gate, frame[f"gate_{gate}"].map(_json_value)) for gate in GATES if f"gate_{gate}" in frame.columns]
    return ["; ".join(f"{gate}: {value}" for (gate, _), value in zip(columns, values) if value is not None)
            for values in zip(*(series for _, series in columns))] if columns else [""] * len(frame)


def records_json(frame: pd.DataFrame) -> str:
    """The rows as one JSON array of objects, columns in order (missing values as null, dates as ISO text).

    One array, not a JSON text per row: the database splits it (``json_array_elements``,
    ``json_each``) far faster than Python encodes 10,000 rows one by one.
    """
    return frame.to_json(orient="records", date_format="iso", double_precision=15, force_ascii=False)


def publish_rows(scores, tranche: str, source: str) -> PublishRows:
    """The rows :meth:`ReviewStore.publish` writes, from a score output (GeoDataFrame with a CRS).

    Every column of the score output is kept (as JSON in ``data``), so columns the scorer adds
    later need no change of the store's schema.

    Raises
    ------
    ReviewError
        No CRS, no block id column, or a block id repeated.
    """
    if getattr(scores, "crs", None) is None:
        raise ReviewError(f"{source}: the score output has no CRS; publish the GeoPackage 'khanij score' wrote")
    for column in ("readiness", "score"):
        if column not in scores.columns:
            raise ReviewError(f"{source}: not a score output (no '{column}' column); run 'khanij score' first")
    fields = guess_fields([str(c) for c in scores.columns], "blocks")
    id_column = fields.get("block_id") or fields.get("name")
    if id_column is None:
        raise ReviewError(f"{source}: no block id column (block_id or name) to identify the blocks by")
    block_ids = scores[id_column].map(lambda v: "" if _json_value(v) is None else str(v))
    repeated = block_ids[block_ids.duplicated()].unique()
    if len(repeated) or (block_ids == "").any():
        detail = f"repeats {', '.join(repeated[:5])}" if len(repeated) else "has empty values"
        raise ReviewError(f"{source}: the block id column '{id_column}' {detail}; each block needs its own id")
    name_column = fields.get("block_name")
    geometry = shapely.force_2d(scores.geometry.to_crs(STORE_SRID).values)
    multi = [g if g is None or g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geometry]
    attributes = scores.drop(columns=scores.geometry.name)
    first = attributes.iloc[0] if len(attributes) else pd.Series(dtype=object)

    def column(name):
        return attributes[name].map(_json_value) if name in attributes.columns else pd.Series([None] * len(attributes))

    blocks = pd.DataFrame({
        "block_id": block_ids.to_numpy(),
        "block_name": column(name_column).to_numpy() if name_column else None,
        "readiness": column("readiness").to_numpy(),
        "score": pd.to_numeric(attributes["score"], errors="coerce").astype(object).where(attributes["score"].notna(), None).to_numpy(),
        "wkb": [None if g is None else shapely.to_wkb(g) for g in multi],
    })
    scores_rows = pd.DataFrame({
        "position": range(1, len(blocks) + 1),
        "block_id": blocks["block_id"],
        "readiness": blocks["readiness"],
        "score": blocks["score"],
        "gates": gates_text(attributes),
        "as_of": column("as_of").to_numpy(),
        "rules_version": column("rules_version").to_numpy(),
        "rules_sha256": column("rules_sha256").to_numpy(),
    })
    return PublishRows(tranche=tranche, source=source,
                       as_of=_json_value(first.get("as_of")), rules_version=_json_value(first.get("rules_version")),
                       rules_sha256=_json_value(first.get("rules_sha256")), blocks=blocks, scores=scores_rows,
                       records=records_json(attributes))


# ---------------------------------------------------------------- the interface


def score_frame(records) -> pd.DataFrame:
    """The score table back from the JSON rows of ``data``, columns in the scorer's order."""
    return pd.DataFrame.from_records([json.loads(r) if isinstance(r, str) else r for r in records])


class ReviewStore(ABC):
    """One review store, a GeoPackage file or a PostgreSQL/PostGIS database; the same schema in both."""

    #: Where the store is, as shown to a user (never with a password).
    location: str
    #: Who this connection records decisions as.
    user: str

    @abstractmethod
    def publish(self, scores, tranche: str, source: str = "") -> int:
        """Put a score output into the store as ``tranche`` (a new run; decisions are kept); returns the run id."""

    @abstractmethod
    def tranches(self) -> list[Tranche]:
        """Every tranche, newest first."""

    @abstractmethod
    def blocks(self, tranche: str) -> pd.DataFrame:
        """The tranche's blocks with their latest decision (:data:`LISTING_COLUMNS`), best score first."""

    @abstractmethod
    def decide(self, tranche: str, block_id: str, decision: str, comment: str, based_on: int) -> Decision:
        """Record a decision made on version ``based_on`` of the block.

        Raises
        ------
        StaleDecision
            The block is no longer at version ``based_on`` (someone else decided meanwhile).
        ReviewRefused
            The database refused: a read-only user, or ``withdrawn`` by someone not an owner.
        """

    @abstractmethod
    def history(self, tranche: str, block_id: Optional[str] = None) -> pd.DataFrame:
        """The audit log (:data:`HISTORY_COLUMNS`) of one block, or of the whole tranche, oldest first."""

    @abstractmethod
    def withdraw(self, tranche: str, comment: str) -> int:
        """Withdraw the whole tranche (owner only): every block gets a ``withdrawn`` decision; returns their number."""

    @abstractmethod
    def latest_scores(self, tranche: str) -> pd.DataFrame:
        """Every column of the tranche's latest score run, one row per block, as the scorer wrote it."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def tranche(self, name: str) -> Tranche:
        """The tranche called ``name`` or ReviewError listing the ones there are."""
        known = self.tranches()
        for tranche in known:
            if tranche.name == name:
                return tranche
        names = ", ".join(t.name for t in known) or "none yet: publish a score output first"
        raise ReviewError(f"{self.location}: no tranche '{name}' (tranches: {names})")
