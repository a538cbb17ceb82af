"""The live verdict: rescore one block in tens of milliseconds while its boundary is drawn.

:class:`LiveVerdict` prepares once what does not depend on the block — every layer brought to
the working CRS and repaired, fields found, the states dissolved, the raster's pixel sample in
memory, the protected areas' 1 km and 10 km zones — and then scores an edited block with the
scorer's own code (:func:`assessment.scoring.prepare_blocks` and the gates and criteria of
:mod:`assessment.criteria`), so the live verdict is the verdict ``assessment.score`` gives the
same block with the same layers: no second implementation to drift.

Examples
--------
>>> live = LiveVerdict(deposits, forest=forest, protected=parks, boundaries=states)  # doctest: +SKIP
>>> row = live.score(one_block).iloc[0]                                              # doctest: +SKIP
>>> row["gate_protected"], row["nearest_protected_name"], row["nearest_protected_km"]  # doctest: +SKIP
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Iterable, Optional

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from assessment.criteria import protected as protected_criteria
from assessment.rules import Rules, load_rules
from assessment.scoring import (PreparedLayers, _score, check_blocks, parse_as_of, prepare_blocks, prepare_layers,
                                working_crs)
from geo.feedback import Feedback, ensure_feedback
from geo.overlay import union_overlaps


@dataclass
class Overlays:
    """What the canvas draws beside a live verdict: the no-mining zone
    (``buffer_km`` around every national park or sanctuary), the NBWL zone (``nbwl_km``) and the
    forest inside the block. The zones are buffers in the working CRS (a picture; the gate
    itself measures geodesic distances)."""

    buffer_km: float
    nbwl_km: float
    buffer_zone: Optional[shapely.Geometry]
    nbwl_zone: Optional[shapely.Geometry]
    forest_inside: Optional[shapely.Geometry]


class LiveVerdict:
    """Score edited blocks against fixed layers, preparing the layers once.

    Parameters are those of :func:`assessment.score` (without the blocks).
    """

    def __init__(self, deposits: Optional[gpd.GeoDataFrame], forest=None, protected=None,
                 infrastructure: Iterable = (), rasters: Iterable = (),
                 rules: Rules | os.PathLike | str | None = None, *, boundaries: Optional[gpd.GeoDataFrame] = None,
                 as_of: datetime.date | str | None = None):
        self.rules = rules if isinstance(rules, Rules) else load_rules(rules)
        self.as_of = parse_as_of(as_of) if as_of is not None else self.rules.as_of
        self._inputs = (deposits, forest, protected, list(infrastructure), list(rasters), boundaries)
        self._layers: dict[str, PreparedLayers] = {}
        self._zones: dict[str, tuple] = {}

    def layers(self, crs) -> PreparedLayers:
        """The layers prepared in ``crs`` (made on first use, then kept)."""
        key = CRS(crs).to_wkt()
        if key not in self._layers:
            deposits, forest, protected, infrastructure, rasters, boundaries = self._inputs
            self._layers[key] = prepare_layers(CRS(crs), deposits, forest, protected, infrastructure, rasters,
                                               boundaries)
        return self._layers[key]

    def warm_up(self, blocks: gpd.GeoDataFrame) -> None:
        """Prepare everything for blocks like ``blocks`` (same CRS and region) before the first
        edit, so the first rescoring is as fast as the next ones."""
        self.score(blocks.iloc[:1])
        self.overlays(blocks.iloc[:1])

    def score(self, blocks: gpd.GeoDataFrame, feedback: Optional[Feedback] = None) -> gpd.GeoDataFrame:
        """The score table of ``blocks``, identical to ``assessment.score(blocks, …)`` with the
        layers, rules and as-of date given to the constructor."""
        check_blocks(blocks)
        ctx, notes = prepare_blocks(blocks, self.layers(working_crs(blocks)), self.rules, self.as_of)
        return _score(ctx, notes, blocks, {}, ensure_feedback(feedback))

    def overlays(self, blocks: gpd.GeoDataFrame, crs=None) -> Overlays:
        """The zones and the forest inside the first block of ``blocks``, in ``crs`` (default:
        the blocks' CRS; a map canvas asks for its display CRS)."""
        working = working_crs(blocks)
        layers = self.layers(working)
        buffer_km, nbwl_km = self.rules.protected.buffer_km, self.rules.nbwl_condition.threshold
        key = CRS(working).to_wkt()
        if key not in self._zones:
            self._zones[key] = self._protected_zones(layers, buffer_km, nbwl_km)
        buffer_zone, nbwl_zone = self._zones[key]
        forest_inside = None
        if layers.forest is not None and len(blocks):
            block = blocks.geometry.iloc[:1].to_crs(working)
            forest_inside = union_overlaps(block, layers.forest).iloc[0]
        target = crs if crs is not None else blocks.crs
        return Overlays(buffer_km, nbwl_km, *(self._moved(g, working, target) for g in
                                              (buffer_zone, nbwl_zone, forest_inside)))

    def _protected_zones(self, layers: PreparedLayers, buffer_km: float, nbwl_km: float) -> tuple:
        if layers.protected is None or not len(layers.protected):
            return None, None
        kinds, _ = protected_criteria.pa_kinds(layers)  # reads only the protected layer and its fields
        parks = shapely.union_all(np.asarray(layers.protected.geometry.values)[kinds == "npws"])
        return shapely.buffer(parks, buffer_km * 1000.0), shapely.buffer(parks, nbwl_km * 1000.0)

    @staticmethod
    def _moved(geometry, source, target):
        if geometry is None or shapely.is_empty(geometry):
            return None
        if CRS(source).equals(CRS(target)):
            return geometry
        return gpd.GeoSeries([geometry], crs=source).to_crs(target).iloc[0]
