"""Gates, conditions and scored criteria of the auction-readiness model, one analysis per module.

Every module takes the prepared :class:`Context` (all layers in one working CRS, fields found,
deposits assigned to blocks) and returns a :class:`GateResult` or a :class:`CriterionResult`:
per block, the values, the output columns and the plain sentence that explains them.
"""
from __future__ import annotations

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


@dataclass
class Context:
    """The inputs of one scoring run, prepared once and shared by every criterion.

    Geometries are repaired and in ``crs`` (projected); ``area_ha`` is geodesic;
    ``deposit_block`` holds, per deposit, the position of the block it is counted in (-1: none).
    """

    rules: Rules
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
    stage: Optional[pd.Series] = None
    stage_origin: Optional[pd.Series] = None
    minerals: Optional[list[set[str]]] = None

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

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


@dataclass
class GateResult:
    """A statutory gate: per block ``status`` (pass/fail/unknown), a ``sentence`` with the rule's
    source, and the ``conditions`` it raises (texts with their sources)."""

    column: str
    label: str
    status: np.ndarray
    sentence: list[str]
    conditions: list[list[str]]
    columns: dict[str, object] = field(default_factory=dict)


@dataclass
class CriterionResult:
    """A scored criterion: per block ``score`` 0–100 (NaN: unknown, left out of the total), the
    raw ``measure`` in words with its unit, and the output columns it fills."""

    name: str
    label: str
    score: np.ndarray
    measure: list[str]
    columns: dict[str, object] = field(default_factory=dict)
    conditions: Optional[list[list[str]]] = None

    def set_unknown(self, rows: np.ndarray, why: str) -> None:
        """Leave the blocks where ``rows`` is True unscored: score NaN, measure "unknown (why)",
        no conditions, and their (numeric) output columns empty."""
        if not rows.any():
            return
        self.score[rows] = np.nan
        for i in np.flatnonzero(rows):
            self.measure[i] = f"unknown ({why})"
            if self.conditions is not None:
                self.conditions[i] = []
        for name, values in self.columns.items():
            column = pd.array(values, dtype="Float64")
            column[rows] = pd.NA
            self.columns[name] = column


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
