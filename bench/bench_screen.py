"""Benchmark: national screening (``khanij screen``) on one process and on a 2-worker LocalCluster.

A state of the sample atlas (default Odisha, ~155,000 km²) is tessellated into 1 km cells (minus
the NP/WS no-mining zone) and every cell is scored against the sample atlas's layers plus an
8000 × 8000 float32 evidence raster made here over the state's extent (about 80 m pixels for
Odisha). Both runs score the same cells; the script checks that their tables are identical.

Printed: cells per second for one process (``assessment.screening.screen``) and for a
LocalCluster of 2 worker processes on the loopback interface (the same call with ``client``),
peak memory of the one process and of each worker, and the projected time for all India
(~3.3 million 1 km cells) on N workers.

Projection assumptions: a worker screens cells at the per-worker rate measured here (the 2-worker
rate / 2: on this 2-core machine the client shares the cores, so the figure is conservative);
workers add linearly (partitions are independent; the national layers are broadcast once per
worker); cells elsewhere in India cost what Odisha's do (same raster density, similar numbers
of nearby deposits, forest and protected areas); tessellation and writing (on the client) are
not included.

Run: ``.venv/bin/python bench/bench_screen.py [--state Odisha] [--cell 1km] [--raster-side 8000]``
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_score import SEED, TreeMemory, peak_rss_mb, write_raster  # noqa: E402

ALL_INDIA_CELLS = 3_300_000
PROJECTED_WORKERS = (2, 8, 32, 128)


def sample_layers() -> dict:
    from assessment.score_inputs import read_layer
    from layers.atlas import sample_role_paths

    roles = sample_role_paths()
    return dict(
        boundaries=read_layer(roles["boundaries"], "boundaries", polygons=True),
        deposits=read_layer(roles["deposits"], "deposits"),
        forest=read_layer(roles["forest"], "forest", polygons=True),
        protected=read_layer(roles["protected_areas"], "protected areas", polygons=True),
        infrastructure=[(Path(p).stem, read_layer(p, "infrastructure")) for p in roles["infrastructure"]])


def state_raster(folder: Path, layers: dict, state: str, side: int) -> Path:
    """An evidence raster of ``side``² pixels covering the state's extent in EPSG:7755."""
    from assessment.screening import state_outline

    west, south, east, north = state_outline(layers["boundaries"], state).bounds
    pixel_m = max(east - west, north - south) / side
    path = folder / "evidence.tif"
    write_raster(path, side, np.random.default_rng(SEED), west=west, north=north, pixel_m=pixel_m)
    return path


class WorkerMemory:
    """Peak resident memory of each worker of a Dask cluster, polled every 0.5 s (MB)."""

    def __init__(self, client) -> None:
        self.client, self.peak_mb = client, {}

    def __enter__(self) -> "WorkerMemory":
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            try:
                now = self.client.run(lambda: psutil.Process().memory_info().rss / 2**20)
            except Exception:  # noqa: BLE001 - a worker restarting mid-poll: sample again next time
                continue
            for worker, mb in now.items():
                self.peak_mb[worker] = max(self.peak_mb.get(worker, 0.0), mb)

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    from distributed import Client

    from assessment.distributed import local_cluster
    from assessment.screening import parse_cell_size, screen

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", default="Odisha")
    parser.add_argument("--cell", default="1km")
    parser.add_argument("--raster-side", type=int, default=8000, help="pixels per side of the evidence raster")
    options = parser.parse_args()
    cell_m = parse_cell_size(options.cell)
    layers = sample_layers()
    with tempfile.TemporaryDirectory(prefix="khanij-screen-") as folder:
        start = time.perf_counter()
        raster = state_raster(Path(folder), layers, options.state, options.raster_side)
        print(f"{options.state}, {options.cell} cells, raster {options.raster_side}² float32 "
              f"(made in {time.perf_counter() - start:.1f} s)")
        layers["rasters"] = [("evidence", raster)]

        start = time.perf_counter()
        with TreeMemory() as memory:
            single = screen(options.state, cell_m, **layers)
        one_s = time.perf_counter() - start
        one_mb = max(peak_rss_mb(), memory.peak_mb)
        print(f"1 process: {len(single):,} cells in {one_s:.1f} s = {len(single) / one_s:,.0f} cells/s; "
              f"peak RSS {one_mb:,.0f} MB")

        with local_cluster(2) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("assessment.scoring"))  # warm the workers' imports
            start = time.perf_counter()
            with WorkerMemory(client) as workers:
                clustered = screen(options.state, cell_m, client=client, **layers)
            two_s = time.perf_counter() - start
        per_worker = ", ".join(f"{mb:,.0f}" for mb in workers.peak_mb.values())
        print(f"LocalCluster of 2 workers: {len(clustered):,} cells in {two_s:.1f} s = "
              f"{len(clustered) / two_s:,.0f} cells/s ({one_s / two_s:.2f}x the 1 process); "
              f"peak RSS per worker {per_worker} MB")
        pd.testing.assert_frame_equal(pd.DataFrame(clustered), pd.DataFrame(single), check_exact=True)
        print("the two runs' tables are identical")

    worker_rate = len(clustered) / two_s / 2
    print(f"projected all India ({ALL_INDIA_CELLS:,} cells) at {worker_rate:,.0f} cells/s per worker, "
          f"~{max(workers.peak_mb.values()):,.0f} MB per worker:")
    for n in PROJECTED_WORKERS:
        hours = ALL_INDIA_CELLS / (worker_rate * n) / 3600
        print(f"  {n:>4} workers: {hours:6.2f} h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
