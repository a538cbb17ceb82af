"""National screening: a state tessellated into candidate cells, each scored like a block.

:func:`candidate_cells` lays a square grid (in the India-wide LCC, EPSG:7755) over one state of
the boundaries layer, clips it to the state and cuts out every national park and wildlife
sanctuary with the no-mining zone around it (``gates.protected.buffer_km`` of the rules, 1 km),
so no candidate can fail the protected-area gate by lying inside one. :func:`screen` scores every
cell with the same gates and criteria as a block (on this machine, or on a Dask cluster through
:mod:`assessment.distributed`) and ranks them: best score first, ties by cell id.

Examples
--------
>>> cells = screen("Odisha", 1000, boundaries, deposits, protected=parks, rasters=["dem.tif"])  # doctest: +SKIP
>>> cells[["rank", "block_id", "score", "readiness"]].head()                                     # doctest: +SKIP
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Optional

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from assessment.criteria.protected import pa_kinds
from assessment.distributed import BLOCKS_PER_LOCAL_PARTITION, score_distributed
from assessment.fields import guess_fields
from assessment.rules import Rules, load_rules
from assessment.scoring import INDIA_LCC, score
from geo.errors import DataReadError
from geo.feedback import Feedback, ensure_feedback

GRID_COLUMNS = ("row", "col")
"""The columns that place a candidate cell in the national grid (:func:`candidate_cells`)."""
_CELL_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km|m)\s*$", re.IGNORECASE)
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def parse_cell_size(text: str) -> float:
    """Metres from ``"1km"``, ``"500 m"`` or ``"2.5km"``.

    Raises
    ------
    ValueError
        Naming the text and the form expected.
    """
    match = _CELL_SIZE.match(str(text))
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"the cell size must be a positive length such as 1km or 500m, not {text!r}")
    return float(match.group(1)) * (1000.0 if match.group(2).lower() == "km" else 1.0)


def state_outline(boundaries: gpd.GeoDataFrame, state: str) -> shapely.Geometry:
    """The polygon of ``state`` (names compared ignoring case) in EPSG:7755.

    Raises
    ------
    DataReadError
        The layer has no state-name column, or no state of that name (the message lists them).
    """
    column = guess_fields(list(boundaries.columns), "boundaries").get("state")
    if column is None:
        raise DataReadError("the boundaries layer has no state-name column to find the state in")
    names = boundaries[column].astype("string").str.strip()
    chosen = names.str.casefold() == state.strip().casefold()
    if not chosen.any():
        raise DataReadError(f"the boundaries layer has no state named {state!r}; it has: "
                            f"{', '.join(sorted(names.dropna().unique()))}")
    outline = boundaries[chosen.to_numpy(dtype=bool)].to_crs(INDIA_LCC).geometry
    return shapely.union_all(shapely.make_valid(outline.values))


def no_mining_zone(protected: Optional[gpd.GeoDataFrame], buffer_km: float) -> shapely.Geometry:
    """National parks and sanctuaries (read from ``pa_type`` as the protected-area gate reads it)
    with ``buffer_km`` around them, as one geometry in EPSG:7755 (empty without a layer)."""
    if protected is None or not len(protected):
        return shapely.Polygon()
    kinds, _ = pa_kinds(SimpleNamespace(protected=protected,
                                        protected_fields=guess_fields(list(protected.columns), "protected_areas")))
    shapes = shapely.make_valid(protected[kinds == "npws"].to_crs(INDIA_LCC).geometry.values)
    return shapely.union_all(shapely.buffer(shapes, buffer_km * 1000.0))


def candidate_cells(boundaries: gpd.GeoDataFrame, state: str, cell_m: float,
                    protected: Optional[gpd.GeoDataFrame] = None, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Square cells of ``cell_m`` over ``state``, clipped to it, minus the NP/WS no-mining zone.

    Returns
    -------
    GeoDataFrame
        In EPSG:7755: ``block_id`` ("<row>-<col>" of the national grid, which starts at the
        projection's origin, so cells of neighbouring states line up), ``state``, ``row``,
        ``col`` and the cell polygon (whole squares inside, clipped ones at the edges); the
        cell is scored as a candidate block named by its ``block_id``.
    """
    rules = rules or load_rules()
    outline = state_outline(boundaries, state)
    excluded = no_mining_zone(protected, rules.protected.buffer_km)
    west, south, east, north = outline.bounds
    cols = np.arange(np.floor(west / cell_m), np.ceil(east / cell_m), dtype=np.int64)
    rows = np.arange(np.floor(south / cell_m), np.ceil(north / cell_m), dtype=np.int64)
    col, row = (grid.ravel() for grid in np.meshgrid(cols, rows))
    cells = shapely.box(col * cell_m, row * cell_m, (col + 1) * cell_m, (row + 1) * cell_m)
    shapely.prepare(outline)
    keep = shapely.intersects(outline, cells)
    cells, row, col = cells[keep], row[keep], col[keep]
    edge = ~shapely.contains_properly(outline, cells)
    cells[edge] = _polygonal(shapely.intersection(cells[edge], outline))
    if not shapely.is_empty(excluded):
        shapely.prepare(excluded)
        cut = shapely.intersects(excluded, cells)
        cells[cut] = _polygonal(shapely.difference(cells[cut], excluded))
    kept = ~shapely.is_empty(cells) & (shapely.area(cells) > 0)
    row, col = row[kept], col[kept]
    return gpd.GeoDataFrame({"block_id": [f"{r}-{c}" for r, c in zip(row, col)], "state": state.strip(),
                             "row": row, "col": col}, geometry=cells[kept], crs=CRS(INDIA_LCC))


def _polygonal(shapes: np.ndarray) -> np.ndarray:
    """Each geometry's polygonal part (an intersection may add slivers of lines or points)."""
    shapes = np.asarray(shapes, dtype=object)
    mixed = np.flatnonzero(~np.isin(shapely.get_type_id(shapes), _POLYGONAL) & ~shapely.is_empty(shapes))
    for i in mixed:
        parts = shapely.get_parts(shapes[i])
        shapes[i] = shapely.union_all(parts[np.isin(shapely.get_type_id(parts), _POLYGONAL)])
    return shapes


def screen(state: str, cell_m: float, boundaries: gpd.GeoDataFrame, deposits: Optional[gpd.GeoDataFrame],
           forest=None, protected=None, infrastructure=(), rasters=(), rules: Rules | None = None,
           feedback: Optional[Feedback] = None, as_of=None, client=None) -> gpd.GeoDataFrame:
    """Tessellate ``state`` and score every candidate cell; ranked best first.

    The arguments after ``cell_m`` are those of :func:`assessment.scoring.score`; with a Dask
    ``client`` the cells are scored in spatial partitions on its cluster, and without one, when
    there are more than :data:`~assessment.distributed.BLOCKS_PER_LOCAL_PARTITION`, in partitions
    one after another here to bound the memory (identical results either way).

    Returns
    -------
    GeoDataFrame
        The score columns of every cell, plus ``rank`` (1 = best; ties by cell id), in EPSG:7755.
    """
    feedback = ensure_feedback(feedback)
    rules = rules or load_rules()
    feedback.progress(0.0, f"tessellating {state} into {cell_m:g} m cells")
    cells = candidate_cells(boundaries, state, cell_m, protected, rules)
    feedback.progress(0.05, f"scoring {len(cells):,} cells")
    layers = dict(forest=forest, protected=protected, infrastructure=infrastructure, rasters=rasters, rules=rules,
                  feedback=feedback.sub(0.05, 0.95), boundaries=boundaries, as_of=as_of)
    if client is not None or len(cells) > BLOCKS_PER_LOCAL_PARTITION:
        scored = score_distributed(client, cells, deposits, **layers,
                                   partitions=None if client is not None else
                                   int(np.ceil(len(cells) / BLOCKS_PER_LOCAL_PARTITION)))
    else:
        scored = score(cells, deposits, **layers)
    ranked = scored.sort_values(["score", "block_id"], ascending=[False, True], kind="stable")
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    feedback.progress(1.0, f"{len(ranked):,} cells ranked")
    return ranked.reset_index(drop=True)
