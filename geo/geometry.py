"""Geometry checks (null, empty, invalid with GEOS's reason) and in-memory repair.

A repair never touches the source: :func:`repaired` works on a copy and the caller decides what to
do with it (Khanij measures the repaired copy and reports what it repaired; nothing is written
back to the user's file).

Repair uses GEOS's ``make_valid`` with the **structure** method (GEOS ≥ 3.10): a polygon's
area is its shells minus its holes and overlapping shells of a multipolygon are unioned, which
is what the person who drew them meant, where the older "linework" method turns a shell inside a
shell into a hole and fails outright on rings with NaN coordinates. For polygon and multipolygon
input collapsed parts are dropped, so the result is always polygonal; a polygon that had no area
at all (a zero-area sliver) becomes an empty polygon and is reported as *collapsed*.
"""
from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Hashable, Mapping, Optional

import geopandas as gpd
import numpy as np
import shapely

CHECK_THREADS = 2
PARALLEL_CHECK_MIN = 256  # below this a thread costs more than the check

@dataclasses.dataclass(frozen=True)
class GeometryReport:
    """What is wrong with a column of geometries, keyed by the column's index labels.

    Attributes
    ----------
    total : int
        Number of rows checked.
    null_index, empty_index : tuple
        Labels of rows without a geometry, and of rows with an empty one.
    reasons : Mapping
        Label → GEOS's reason (``shapely.is_valid_reason``, e.g. ``"Self-intersection[80.17
        26.34]"``) for every non-empty geometry that is not valid.
    collapsed_index : tuple
        Only after :func:`repaired`: labels of polygons that had no area left once repaired.
    """

    total: int
    null_index: tuple = ()
    empty_index: tuple = ()
    reasons: Mapping[Hashable, str] = dataclasses.field(default_factory=dict)
    collapsed_index: tuple = ()

    @property
    def null(self) -> int:
        """Number of rows without a geometry."""
        return len(self.null_index)

    @property
    def empty(self) -> int:
        """Number of rows with an empty geometry."""
        return len(self.empty_index)

    @property
    def invalid(self) -> int:
        """Number of non-empty geometries that are not valid."""
        return len(self.reasons)

    @property
    def ok(self) -> bool:
        """True when every row has a valid, non-empty geometry."""
        return not (self.null or self.empty or self.invalid)

    def summary(self) -> str:
        """One line for a person, e.g. ``"543 geometries: 17 invalid, 0 null, 0 empty"``."""
        text = f"{self.total} geometries: {self.invalid} invalid, {self.null} null, {self.empty} empty"
        if self.collapsed_index:
            text += f", {len(self.collapsed_index)} with no area left after repair"
        return text


def _as_series(geoseries) -> gpd.GeoSeries:
    return geoseries if isinstance(geoseries, gpd.GeoSeries) else gpd.GeoSeries(list(geoseries))


def check_geometries(geoseries, diagnosis: Optional["Diagnosis"] = None) -> GeometryReport:
    """Count null, empty and invalid geometries, with GEOS's reason for each invalid one.

    Parameters
    ----------
    geoseries : GeoSeries or sequence of shapely geometries
        Labels in the report are the series' index (positions for a plain sequence).
    diagnosis : Diagnosis, optional
        Found already for these geometries (by :func:`diagnose`, e.g. batch by batch while
        reading); then only the labels and GEOS's reasons are added.

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> report = check_geometries(gpd.GeoSeries([box(0, 0, 1, 1), None,
    ...                                         Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])]))
    >>> report.summary(), report.reasons
    ('3 geometries: 1 invalid, 1 null, 0 empty', {2: 'Self-intersection[0.5 0.5]'})
    """
    series = _as_series(geoseries)
    found = diagnosis if diagnosis is not None else diagnose(np.asarray(series.values, dtype=object))
    return _report(series, found.missing, found.empty, found.invalid)


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    """Where an array of geometries is missing, empty or invalid, by position (no labels, no reasons).

    The costly part of :func:`check_geometries`, split off so that a reader can diagnose each batch
    of features as it arrives and join the parts (:meth:`joined`) once the last batch is in.
    """

    missing: np.ndarray
    empty: np.ndarray
    invalid: np.ndarray

    @classmethod
    def joined(cls, parts: list["Diagnosis"]) -> "Diagnosis":
        """The diagnosis of the concatenated arrays, parts in order."""
        if not parts:
            return diagnose(np.empty(0, dtype=object))
        starts = np.cumsum([0] + [len(part.missing) for part in parts[:-1]])
        return cls(np.concatenate([part.missing for part in parts]),
                   np.concatenate([part.empty for part in parts]),
                   np.concatenate([part.invalid + start for part, start in zip(parts, starts)]))


def diagnose(values: np.ndarray) -> Diagnosis:
    """Masks of missing and empty geometries, and positions of invalid ones."""
    missing = shapely.is_missing(values)
    empty = ~missing & shapely.is_empty(values)
    checked = np.flatnonzero(~missing & ~empty)
    return Diagnosis(missing, empty, checked[~_is_valid(values[checked])])


def _is_valid(values: np.ndarray) -> np.ndarray:
    """``shapely.is_valid`` on two cores: GEOS releases the GIL, so two halves check side by side."""
    if len(values) < PARALLEL_CHECK_MIN:
        return shapely.is_valid(values)
    with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
        return np.concatenate(list(pool.map(shapely.is_valid, np.array_split(values, CHECK_THREADS))))


def _report(series: gpd.GeoSeries, missing, empty, invalid, collapsed=()) -> GeometryReport:
    labels = series.index
    reasons = np.asarray(shapely.is_valid_reason(series.values[invalid]), dtype=object).tolist()
    return GeometryReport(
        total=len(series),
        null_index=tuple(labels[missing]),
        empty_index=tuple(labels[empty]),
        reasons=dict(zip(labels[invalid], reasons)),
        collapsed_index=tuple(labels[np.asarray(collapsed, dtype=int)]),
    )


def repaired(geoseries) -> tuple[gpd.GeoSeries, GeometryReport]:
    """A repaired copy of the geometries and the report of what was wrong with the input.

    Only invalid geometries are replaced; null and empty ones stay as they are; the input series
    is not modified. Polygon and multipolygon input stays polygonal (see the module docstring).

    Returns
    -------
    GeoSeries
        Same index, name and CRS as the input; every non-null geometry is valid.
    GeometryReport
        The input's report, plus ``collapsed_index`` for polygons with no area left.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed, report = repaired(gpd.GeoSeries([bowtie]))
    >>> fixed[0].geom_type, fixed[0].area, report.invalid
    ('MultiPolygon', 2.0, 1)
    """
    series = _as_series(geoseries)
    found = diagnose(np.asarray(series.values, dtype=object))
    invalid = found.invalid
    values = np.array(series.values, dtype=object)
    polygonal = np.isin(shapely.get_type_id(values[invalid]), (3, 6))
    for keep_collapsed, chosen in ((False, polygonal), (True, ~polygonal)):
        if chosen.any():
            values[invalid[chosen]] = shapely.make_valid(values[invalid[chosen]], method="structure",
                                                         keep_collapsed=keep_collapsed)
    collapsed = invalid[polygonal][shapely.is_empty(values[invalid[polygonal]])]
    result = gpd.GeoSeries(values, index=series.index, crs=series.crs, name=series.name)
    return result, _report(series, found.missing, found.empty, invalid, collapsed)
