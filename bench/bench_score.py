"""Benchmark: whole auction-readiness scoring vs a plain geopandas + rasterstats pipeline.

Synthetic data as in DESIGN.md §11, generated here from a fixed seed (nothing large is
committed): 10,000 star-shaped blocks 1–10 km across, 100,000 deposit points, 5,000 constraint
polygons 5–30 km across (4,000 forest, 1,000 wildlife sanctuaries), 2,000 stations and an
8000 × 8000 float32 raster at 100 m, all in EPSG:7755.

The peer, run in the same process on the same data, does the same measurements the plain way:
``geopandas.sjoin`` for deposits in blocks, ``geopandas.overlay`` + dissolve for forest and
protected-area overlap, ``geopandas.sjoin_nearest`` for distances and ``rasterstats.zonal_stats``
for the raster. It computes no gates, scores or explanations, so the ratio is conservative.

Run: ``.venv/bin/python bench/bench_score.py [--scale 0.1] [--scaling]`` (targets: ≤ 30 s, ≤ 3 GB
peak RSS, ≥ 5x the peer; ``--scaling`` adds a table of 1k, 10k and 100k blocks against the same
other layers, whose cost per block must not grow).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CRS = "EPSG:7755"
ORIGIN_X, ORIGIN_Y = 3_600_000.0, 4_400_000.0   # top-left corner of the 800 km square
PIXEL_M = 100.0
SEED = 20240601


def star_polygons(rng, n, diameter_min_m, diameter_max_m, extent_m, spikes, inner=0.55):
    """``n`` star-shaped polygons (``spikes`` points) with random centres, sizes and rotations."""
    centres = rng.uniform(0, extent_m, size=(n, 2)) + [ORIGIN_X, ORIGIN_Y - extent_m]
    radius = rng.uniform(diameter_min_m, diameter_max_m, size=n) / 2
    angles = np.linspace(0, 2 * np.pi, 2 * spikes, endpoint=False)[None, :] + rng.uniform(0, np.pi, size=(n, 1))
    scale = np.where(np.arange(2 * spikes) % 2 == 0, 1.0, inner)[None, :] * rng.uniform(0.85, 1.0, size=(n, 2 * spikes))
    xs = centres[:, :1] + radius[:, None] * scale * np.cos(angles)
    ys = centres[:, 1:] + radius[:, None] * scale * np.sin(angles)
    ring = np.stack([xs, ys], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return shapely.polygons(ring)


def make_data(folder: Path, scale: float, n_blocks: int | None = None):
    """The benchmark's layers at ``scale`` of the full size (``n_blocks`` overrides the blocks' count)."""
    rng = np.random.default_rng(SEED)
    size = int(8000 * np.sqrt(scale)) if scale < 1 else 8000
    extent_m = size * PIXEL_M
    n_scaled, n_points, n_constraints, n_stations = (int(v * scale) for v in (10_000, 100_000, 5_000, 2_000))
    n_blocks = n_blocks or n_scaled
    blocks = gpd.GeoDataFrame({
        "block_id": [f"B{i:05d}" for i in range(n_blocks)],
        "licence": rng.choice(["ML", "CL", "EL"], n_blocks),
        "state": "Synthetic",
        "commodity": rng.choice(["Lithium", "Graphite", "Copper", "Iron ore", "REE"], n_blocks),
    }, geometry=star_polygons(rng, n_blocks, 1_000, 10_000, extent_m, 8), crs=CRS)
    xy = rng.uniform(0, extent_m, size=(n_points, 2)) + [ORIGIN_X, ORIGIN_Y - extent_m]
    deposits = gpd.GeoDataFrame({
        "name": [f"D{i}" for i in range(n_points)],
        "unfc": rng.choice(["111", "122", "331", "332", "333", "334"], n_points),
        "tonnage_mt": rng.gamma(1.5, 2.0, n_points).round(3),
        "commodity": rng.choice(["Li", "Graphite", "Cu", "Fe", "REE;Nb"], n_points),
    }, geometry=shapely.points(xy), crs=CRS)
    constraints = star_polygons(rng, n_constraints, 5_000, 30_000, extent_m, 16, inner=0.8)
    n_forest = n_constraints * 4 // 5
    forest = gpd.GeoDataFrame({"name": [f"F{i}" for i in range(n_forest)]}, geometry=constraints[:n_forest], crs=CRS)
    protected = gpd.GeoDataFrame({"name": [f"P{i}" for i in range(n_constraints - n_forest)],
                                  "pa_type": "Wildlife Sanctuary"}, geometry=constraints[n_forest:], crs=CRS)
    xy = rng.uniform(0, extent_m, size=(n_stations, 2)) + [ORIGIN_X, ORIGIN_Y - extent_m]
    stations = gpd.GeoDataFrame({"name": [f"S{i}" for i in range(n_stations)]}, geometry=shapely.points(xy), crs=CRS)
    raster = folder / "evidence.tif"
    write_raster(raster, size, rng)
    return blocks, deposits, forest, protected, stations, raster


def write_raster(path: Path, size: int, rng, west: float = ORIGIN_X, north: float = ORIGIN_Y,
                 pixel_m: float = PIXEL_M) -> None:
    """A smooth float32 field (sum of random waves) with a nodata hole, written in strips."""
    profile = dict(driver="GTiff", width=size, height=size, count=1, dtype="float32", crs=CRS, nodata=-9999.0,
                   transform=from_origin(west, north, pixel_m, pixel_m), tiled=True, blockxsize=512,
                   blockysize=512)
    waves = rng.uniform(0.002, 0.03, size=(6, 2))
    phases = rng.uniform(0, 2 * np.pi, size=6)
    columns = np.arange(size, dtype=np.float32)
    with rasterio.open(path, "w", **profile) as dst:
        for top in range(0, size, 512):
            rows = np.arange(top, min(top + 512, size), dtype=np.float32)[:, None]
            field = sum(np.sin(w[0] * columns[None, :] + w[1] * rows + p) for w, p in zip(waves, phases))
            field = (100 * field).astype("float32")
            field[:, : size // 20] = -9999.0
            dst.write(field, 1, window=rasterio.windows.Window(0, top, size, len(rows)))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants now (Linux /proc), MB."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * resource.getpagesize() / 2**20
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class TreeMemory:
    """Samples this process and its descendants (the zonal-statistics worker runs beside the
    scoring) every 50 ms; ``peak_mb`` is the largest sum seen."""

    def __enter__(self) -> "TreeMemory":
        self.peak_mb, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(os.getpid()))

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def run_khanij(blocks, deposits, forest, protected, stations, raster):
    from assessment.scoring import score

    return score(blocks, deposits, forest=forest, protected=protected, infrastructure=[("stations", stations)],
                 rasters=[("evidence", raster)])


def run_peer(blocks, deposits, forest, protected, stations, raster) -> dict[str, float]:
    """The same measurements with plain geopandas + rasterstats; returns seconds per step."""
    from rasterstats import zonal_stats

    steps = {}
    frame = blocks[["block_id", "geometry"]]
    start = time.perf_counter()
    joined = gpd.sjoin(deposits, frame, predicate="within")
    joined.groupby("block_id").agg(n=("name", "size"), tonnage=("tonnage_mt", "sum"))
    steps["points in polygons (sjoin)"] = time.perf_counter() - start
    for label, layer in (("forest", forest), ("protected", protected)):
        start = time.perf_counter()
        pieces = gpd.overlay(frame, layer[["geometry"]], how="intersection")
        pieces.dissolve(by="block_id").area
        steps[f"{label} overlap (overlay + dissolve)"] = time.perf_counter() - start
    for label, layer in (("stations", stations), ("protected", protected)):
        start = time.perf_counter()
        gpd.sjoin_nearest(frame, layer[["geometry"]], distance_col="distance_m")
        steps[f"nearest {label} (sjoin_nearest)"] = time.perf_counter() - start
    start = time.perf_counter()
    zonal_stats(frame, str(raster), stats=["mean", "max"])
    steps["zonal mean/max (rasterstats)"] = time.perf_counter() - start
    return steps


SCALING_BLOCKS = (1_000, 10_000, 100_000)


def time_blocks(n_blocks: int, scale: float) -> tuple[float, float]:
    """(seconds, peak MB of the scoring's processes) of khanij scoring ``n_blocks`` blocks against
    the other layers at ``scale``."""
    with tempfile.TemporaryDirectory(prefix="khanij-bench-") as folder:
        data = make_data(Path(folder), scale, n_blocks=n_blocks)
        start = time.perf_counter()
        with TreeMemory() as memory:
            run_khanij(*data)
        return time.perf_counter() - start, memory.peak_mb


def scaling_table(scale: float) -> None:
    """Time and peak memory for 1k, 10k and 100k blocks, each in a fresh process (so one size's
    memory does not count in the next), and the cost per block relative to the smallest."""
    print(f"scaling: blocks against the same other layers (scale {scale:g}), each size in a fresh process")
    print(f"{'blocks':>8} {'seconds':>9} {'peak MB':>9} {'ms/block':>9} {'vs 1k':>7}")
    first = None
    for n_blocks in SCALING_BLOCKS:
        done = subprocess.run([sys.executable, __file__, "--scale", str(scale), "--time-blocks", str(n_blocks)],
                              capture_output=True, text=True, check=True)
        seconds, peak_mb = (float(v) for v in done.stdout.split())
        per_block = 1000 * seconds / n_blocks
        first = first or per_block
        print(f"{n_blocks:>8,} {seconds:>9.2f} {peak_mb:>9,.0f} {per_block:>9.3f} {per_block / first:>6.2f}x")
    print("(a ms/block that does not grow with the number of blocks is linear or better)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data size (default 1)")
    parser.add_argument("--skip-peer", action="store_true", help="time Khanij only")
    parser.add_argument("--scaling", action="store_true", help="also print the 1k/10k/100k-block scaling table")
    parser.add_argument("--time-blocks", type=int, help=argparse.SUPPRESS)  # one row of the scaling table
    options = parser.parse_args()
    if options.time_blocks:
        print(*time_blocks(options.time_blocks, options.scale))
        return 0
    with tempfile.TemporaryDirectory(prefix="khanij-bench-") as folder:
        start = time.perf_counter()
        data = make_data(Path(folder), options.scale)
        blocks, deposits, forest, protected, stations, raster = data
        print(f"data: {len(blocks):,} blocks, {len(deposits):,} deposits, {len(forest):,} forest + "
              f"{len(protected):,} protected polygons, {len(stations):,} stations, raster "
              f"{rasterio.open(raster).width}² float32 — made in {time.perf_counter() - start:.1f} s")
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        with TreeMemory() as memory:
            result = run_khanij(*data)
        ours = time.perf_counter() - start
        rss_ours = max(peak_rss_mb(), memory.peak_mb)
        counts = result["readiness"].value_counts().to_dict()
        print(f"khanij score: {ours:.2f} s, peak RSS of its processes together {rss_ours:,.0f} MB "
              f"(before: {rss_before:,.0f} MB); {counts}")
        if options.skip_peer:
            return 0
        start = time.perf_counter()
        steps = run_peer(*data)
        peer = time.perf_counter() - start
        for name, seconds in steps.items():
            print(f"  peer {name}: {seconds:.2f} s")
        print(f"peer (geopandas sjoin/overlay/sjoin_nearest + rasterstats): {peer:.2f} s")
        print(f"ratio peer / khanij: {peer / ours:.1f}x (target ≥ 5x); khanij {ours:.2f} s (target ≤ 30 s); "
              f"peak RSS {rss_ours:,.0f} MB (target ≤ 3,072 MB)")
    if options.scaling:
        scaling_table(options.scale)
    return 0


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    sys.exit(main())
