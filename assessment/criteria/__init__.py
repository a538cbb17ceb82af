"""Gates, conditions and scored criteria of the auction-readiness model, one analysis per module.

Every module takes the prepared :class:`Context` (all layers in one working CRS, fields found,
deposits assigned to blocks, the date whose rules apply) and returns a :class:`GateResult` or a
:class:`CriterionResult`: per block, the findings as data (status, finding, rule ids, citation;
measure, unit, score) and the output columns. The explanation sentences are built from these
by :mod:`assessment.scoring`, never the other way round.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Optional

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assessment.rules import Rules

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
NO_GEOMETRY = "the block has no geometry, so it cannot be placed on the map"
NO_GEOMETRY_FINDING = "The block has no geometry, so it cannot be placed on the map."


@dataclass
class Context:
    """The inputs of one scoring run, prepared once and shared by every criterion.

    Geometries are repaired and in ``crs`` (projected); ``area_ha`` is geodesic;
    ``deposit_block`` holds, per deposit, the position of the block it is counted in (-1: none).
    """

    rules: Rules
    as_of: datetime.date
    crs: object
    blocks: gpd.GeoDataFrame
    block_fields: dict[str, str]
    area_ha: np.ndarray
    deposits: gpd.GeoDataFrame
    deposit_fields: dict[str, str]
    deposit_block: np.ndarray
    forest: Optional[gpd.GeoSeries] = None
    protected: Optional[gpd.GeoDataFrame] = None
    protected_fields: dict[str, str] = field(default_factory=dict)
    boundaries: Optional[gpd.GeoDataFrame] = None
    boundary_fields: dict[str, str] = field(default_factory=dict)
    infrastructure: list[tuple[str, gpd.GeoSeries]] = field(default_factory=list)
    rasters: list[tuple[str, str]] = field(default_factory=list)
    #: What a criterion derives from the layers alone (not the blocks), computed once and shared
    #: by every context made from the same prepared layers (a live session rescoring one block).
    layer_cache: dict = field(default_factory=dict)
    stage: Optional[pd.Series] = None
    stage_origin: Optional[pd.Series] = None
    minerals: Optional[list[set[str]]] = None
    mineral_origins: Optional[list[dict[str, list[str]]]] = None
    #: 1-based position of each block in the user's layer when ``blocks`` is a part of it (a
    #: partition of a distributed run); None: the blocks are the whole layer, in order.
    block_numbers: Optional[np.ndarray] = None

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    def from_layer(self, key, layer, compute):
        """``compute()`` made once per ``layer`` object and kept in :attr:`layer_cache` with it;
        a context over other data (a partition's own deposits) computes its own."""
        hit = self.layer_cache.get(key)
        if hit is not None and hit[0] is layer:
            return hit[1]
        value = compute()
        self.layer_cache[key] = (layer, value)
        return value

    @property
    def placed(self) -> np.ndarray:
        """Per block, True when it has a geometry to measure (not null, not empty)."""
        values = np.asarray(self.blocks.geometry.values)
        return ~(shapely.is_missing(values) | shapely.is_empty(values))

    def block_column(self, canonical: str) -> Optional[pd.Series]:
        """The block column holding ``canonical`` (e.g. ``"licence"``), or None when absent."""
        column = self.block_fields.get(canonical)
        return self.blocks[column] if column is not None else None

    def deposit_column(self, canonical: str) -> Optional[pd.Series]:
        column = self.deposit_fields.get(canonical)
        return self.deposits[column] if column is not None else None


def condition(text: str, rule: tuple[str, ...], rules: Rules) -> dict:
    """A condition as data: its words, the rule ids and the citation of the law."""
    return {"text": text, "rule": "; ".join(rule), "source": rules.source(rule)}


@dataclass
class GateResult:
    """A statutory gate, per block: ``status`` (pass/fail/unknown), a one-sentence ``finding``
    (no citation in it), the ``rule`` ids it applied and their ``source`` (the law), what is
    ``missing`` to pass (words, "" when nothing), and the ``conditions`` it raises
    (:func:`condition` dicts)."""

    name: str
    label: str
    status: np.ndarray
    finding: list[str]
    rule: list[str]
    source: list[str]
    conditions: list[list[dict]]
    missing: Optional[list[str]] = None
    columns: dict[str, object] = field(default_factory=dict)

    def __post_init__(self):
        if self.missing is None:
            self.missing = [""] * len(self.status)

    @property
    def column(self) -> str:
        return f"gate_{self.name}"


@dataclass
class CriterionResult:
    """A scored criterion, per block: ``score`` 0–100 (NaN: unknown, left out of the total), the
    raw measure as a ``value`` (a number, or text such as a stage) with its ``unit``, the
    measure in words (``measure``), and the output columns it fills."""

    name: str
    label: str
    score: np.ndarray
    measure: list[str]
    value: object = None
    unit: str = ""
    columns: dict[str, object] = field(default_factory=dict)
    conditions: Optional[list[list[dict]]] = None

    def __post_init__(self):
        if self.value is None:
            self.value = np.full(len(self.score), np.nan)

    def set_unknown(self, rows: np.ndarray, why: str) -> None:
        """Leave the blocks where ``rows`` is True unscored: score NaN, measure "unknown (why)",
        no conditions, and their (numeric) output columns empty."""
        if not rows.any():
            return
        self.score[rows] = np.nan
        value = pd.array(self.value, dtype="Float64" if _numeric(self.value) else "object")
        value[rows] = pd.NA
        self.value = value
        for i in np.flatnonzero(rows):
            self.measure[i] = f"unknown ({why})"
            if self.conditions is not None:
                self.conditions[i] = []
        for name, values in self.columns.items():
            if _numeric(values):
                column = pd.array(values, dtype="Float64")
                column[rows] = pd.NA
            else:
                column = np.array(values, dtype=object)
                column[rows] = ""
            self.columns[name] = column


def _numeric(values) -> bool:
    return pd.api.types.is_numeric_dtype(pd.Series(values))


def commodity_names(series: pd.Series, rules: Rules) -> list[list[str]]:
    """Per row, the canonical commodity names of a commodity column (``"Li, REE"`` → Lithium, REE)."""
    from assessment.minerals import normalise_commodities

    return [text.split(";") if isinstance(text, str) and text else [] for text in normalise_commodities(series, rules.raw)]


def blank(value: object) -> bool:
    """True for None, NaN, NA and text that is empty after stripping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def truthy(series: pd.Series) -> np.ndarray:
    """Yes/no flags as people write them: 1, true, yes, y, notified, identified → True."""
    text = series.astype("string").str.strip().str.lower().fillna("")
    return text.isin(["1", "1.0", "true", "t", "yes", "y", "notified", "identified", "potential"]).to_numpy()


def layer_slug(name: str) -> str:
    """A column-safe name for a layer: ``"Railway Stations (2016)"`` → ``"railway_stations_2016"``."""
    slug = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
    return slug or "layer"


def fmt(value: float, digits: int = 1) -> str:
    """A number for a sentence: thousands separators, fixed decimals."""
    return f"{value:,.{digits}f}"
