"""Criterion: raster evidence — coverage-weighted zonal mean and max of each raster over the
block (exactextract, one pass per raster for all blocks).

Each raster's mean is scored either by its percentile among the raster's valid pixels (higher
is better; the distribution is read from a decimated copy of at most ~1 M pixels) or, when the
rules give ``[criteria.evidence.thresholds.<raster>]``, by those bands. A block off the raster
(or over nodata only) gets "no data" for it; the criterion is the mean over the rasters with data.
"""
from __future__ import annotations

import functools
import os

import numpy as np
import rasterio
from rasterio.enums import Resampling

from assessment.criteria import Context, CriterionResult, fmt
from geo.background import BackgroundWorker, Pending
from geo.errors import DataReadError, describe_path
from geo.feedback import ensure_feedback
from geo.zonal import zonal_stats

_SAMPLE_SIDE = 1024
STATS = ("mean", "max")
#: Blocks × raster pixels from which zonal statistics run in a second process beside the vector
#: analysis (below it, starting the process costs more than it saves).
BACKGROUND_FROM_BLOCK_PIXELS = 1e10


def worth_a_worker(n_blocks: int, raster_paths) -> bool:
    """Whether the rasters are big enough (blocks × pixels) to summarise in a worker process."""
    pixels = 0
    for item in raster_paths:
        path = item[1] if isinstance(item, tuple) else item
        try:
            with rasterio.open(path) as raster:
                pixels += raster.width * raster.height
        except rasterio.errors.RasterioError:
            continue  # the foreground call reports the problem with the file named
    return n_blocks * pixels >= BACKGROUND_FROM_BLOCK_PIXELS


#: The measure of the criterion: with one raster its zonal mean; with several, each raster's own
#: columns hold them (``evidence_<raster>_mean``).
SINGLE_RASTER_UNIT = "raster value (coverage-weighted mean over the block)"
SEVERAL_RASTERS_UNIT = "several rasters: see each evidence_<raster>_mean"


def submit(ctx: Context, worker: BackgroundWorker | None) -> dict[str, Pending]:
    """Queue the zonal statistics of every raster in ``worker`` (none without one), keyed by name."""
    if worker is None:
        return {}
    return {name: worker.submit(zonal_stats, ctx.blocks.geometry, str(path), STATS) for name, path in ctx.rasters}


def evaluate(ctx: Context, feedback=None, background: dict[str, Pending] | None = None) -> CriterionResult:
    if not ctx.rasters:
        return CriterionResult("evidence", "Raster evidence", np.full(ctx.n_blocks, np.nan),
                               ["unknown (no evidence raster)"] * ctx.n_blocks, unit=SINGLE_RASTER_UNIT)
    columns, scores, parts = {}, [], []
    for step, (name, path) in enumerate(ctx.rasters):
        sub = feedback.sub(step / len(ctx.rasters), (step + 1) / len(ctx.rasters)) if feedback is not None else None
        if background and name in background:
            table = background[name].result(ensure_feedback(sub))
        else:
            table = zonal_stats(ctx.blocks.geometry, path, stats=STATS, feedback=sub)
        columns[f"evidence_{name}_mean"] = table["mean"].to_numpy()
        columns[f"evidence_{name}_max"] = table["max"].to_numpy()
        mean = table["mean"].to_numpy(dtype=float, na_value=np.nan)
        thresholds = ctx.rules.evidence_thresholds.get(name)
        if thresholds is not None:
            raster_score, how = thresholds.score(mean), "by the rules' thresholds"
        else:
            pixels = ctx.layer_cache.get(("evidence", path))
            if pixels is None:
                pixels = ctx.layer_cache[("evidence", path)] = _valid_sample(path)
            raster_score, how = percentile_scores(pixels, mean), "percentile within the raster"
        scores.append(raster_score)
        parts.append([f"{name}: no data (the block is off the raster or over nodata only)" if np.isnan(m)
                      else f"{name} mean {fmt(m, 3)}, max {fmt(float(x), 3)} → {s:.0f} ({how})"
                      for m, x, s in zip(mean, table["max"].to_numpy(dtype=float, na_value=np.nan), raster_score)])
    stacked = np.vstack(scores)
    known = ~np.isnan(stacked)
    score = np.divide(np.nansum(stacked, axis=0), known.sum(axis=0),
                      out=np.full(ctx.n_blocks, np.nan), where=known.any(axis=0))
    single = len(ctx.rasters) == 1
    value = np.asarray(columns[f"evidence_{ctx.rasters[0][0]}_mean"], dtype=float) if single else None
    return CriterionResult("evidence", "Raster evidence", score, ["; ".join(p) for p in zip(*parts)], value=value,
                           unit=SINGLE_RASTER_UNIT if single else SEVERAL_RASTERS_UNIT, columns=columns)


def percentile_scores(pixels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Percentile (0–100) of each value among ``pixels`` (sorted valid pixel values); NaN stays NaN."""
    scores = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    if len(pixels) and known.any():
        below = np.searchsorted(pixels, values[known], side="left")
        through = np.searchsorted(pixels, values[known], side="right")
        scores[known] = 100.0 * (below + through) / (2.0 * len(pixels))
    return scores


def _valid_sample(path) -> np.ndarray:
    """Sorted valid pixel values of band 1, read decimated to at most _SAMPLE_SIDE² pixels.

    Kept per file version (path, size, modification time): a distributed run scores many
    partitions against the same raster on each worker, and all need the same global percentiles.
    """
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise DataReadError(f"{describe_path(path)}: cannot read the raster's pixels: {exc.strerror or exc}") from exc
    return _sample_of_version(os.fspath(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _sample_of_version(path: str, _size: int, _mtime_ns: int) -> np.ndarray:
    try:
        with rasterio.open(path) as raster:
            factor = max(1, int(np.ceil(max(raster.width, raster.height) / _SAMPLE_SIDE)))
            shape = (max(1, raster.height // factor), max(1, raster.width // factor))
            data = raster.read(1, out_shape=shape, masked=True, resampling=Resampling.nearest)
    except rasterio.errors.RasterioError as exc:
        raise DataReadError(f"{describe_path(path)}: cannot read the raster's pixels: {exc}") from exc
    values = np.asarray(data.compressed(), dtype=float)
    sample = np.sort(values[np.isfinite(values)])
    sample.flags.writeable = False  # shared by every caller of the cache
    return sample
