"""Geodesic distance (km) from each of many geometries to the nearest feature of a layer.

The search runs in the inputs' projected CRS with an STRtree: the planar nearest distance ``d``
of each source bounds the answer, and every target within ``d × (1 + slack)`` is a candidate
(a projection stretches distances by slightly different factors in different directions, so the
planar nearest need not be the geodesic nearest). Only those few candidates are measured
geodesically on WGS 84.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import CrsError
from geo.overlay import same_crs

# Relative spread of a projection's scale factor over the neighbourhood of one block: generous
# for a national conic (EPSG:7755 varies by under 1 % across India) and for UTM within a zone.
CANDIDATE_SLACK = 0.02


def nearest_candidates(sources: gpd.GeoSeries, targets: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(source_pos, target_pos)`` that may hold each source's geodesic nearest target.

    Every non-empty source gets at least one pair when ``targets`` has a non-empty feature.
    """
    crs = same_crs(sources, targets)
    if not crs.is_projected:
        raise CrsError(f"nearest-feature search needs a projected CRS, not {crs.name}")
    source_geoms = np.asarray(sources.values)
    target_geoms = np.asarray(targets.values)
    present = np.flatnonzero(~(shapely.is_missing(source_geoms) | shapely.is_empty(source_geoms)))
    if not len(present) or not len(target_geoms):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    tree = shapely.STRtree(target_geoms)
    (nearest_source, _), planar_m = tree.query_nearest(source_geoms[present], return_distance=True)
    reach_m = np.zeros(len(present))
    np.maximum.at(reach_m, nearest_source, planar_m)
    reach_m = reach_m * (1.0 + CANDIDATE_SLACK) + 1e-6
    local, target_pos = tree.query(source_geoms[present], predicate="dwithin", distance=reach_m)
    return present[local], target_pos


def nearest_features(sources: gpd.GeoSeries, targets: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic km from each source to its nearest target, and that target's position.

    Parameters
    ----------
    sources, targets : GeoSeries
        In one projected CRS.

    Returns
    -------
    distance_km : ndarray of float
        One per source (0 when they touch or overlap); NaN for an empty source or when
        ``targets`` is empty.
    position : ndarray of int
        The position in ``targets`` of the nearest feature (the first of equals), -1 where
        ``distance_km`` is NaN.
    """
    from geo.measure import geodesic_distances_km

    source_pos, target_pos = nearest_candidates(sources, targets)
    distance_km = np.full(len(sources), np.nan)
    position = np.full(len(sources), -1, dtype=np.int64)
    if len(source_pos):
        pair_km = np.asarray(geodesic_distances_km(sources.values[source_pos], targets.values[target_pos], sources.crs),
                             dtype=float)
        order = np.lexsort((target_pos, pair_km, source_pos))
        first = order[np.r_[True, source_pos[order][1:] != source_pos[order][:-1]]]
        distance_km[source_pos[first]] = pair_km[first]
        position[source_pos[first]] = target_pos[first]
    return distance_km, position


def nearest_distance_km(sources: gpd.GeoSeries, targets: gpd.GeoSeries) -> np.ndarray:
    """Geodesic km from each source to its nearest target (0 when they touch or overlap); NaN
    for an empty source or when ``targets`` is empty. See :func:`nearest_features`."""
    return nearest_features(sources, targets)[0]
