"""Benchmark: the live verdict while editing blocks of the sample atlas.

200 random edits (a vertex moved, a vertex added, or the whole block moved by up to 2 km) are
applied through the edit session to random sample blocks; after each, the edited block is
rescored by :class:`assessment.live.LiveVerdict` (layers prepared once), and its map overlays
made as the window does. The peer, measured in
the same run on the same edited blocks, is a full ``assessment.score`` of the block (every layer
prepared again), which is what rescoring cost before the live verdict.

Run: ``.venv/bin/python bench/bench_edit.py [--edits 200]`` (target: median and 95th percentile
≤ 100 ms).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment import score  # noqa: E402
from assessment.live import LiveVerdict  # noqa: E402
from layers.atlas import ATLAS_DIR  # noqa: E402
from layers.editing import AddVertex, EditSession, MoveBlock, MoveVertex, outer_ring  # noqa: E402

SEED = 20251113
DISPLAY_CRS = "EPSG:7755"  # the canvas's display CRS: the overlays are drawn in it
DEGREES_PER_KM = 1 / 111.0


def random_edit(rng, session: EditSession, fid: int):
    ring = outer_ring(session.geometry(fid))
    kind = rng.integers(3)
    dx, dy = rng.uniform(-2, 2, size=2) * DEGREES_PER_KM
    if kind == 0:
        i = int(rng.integers(len(ring)))
        return MoveVertex(fid, i, (ring[i][0] + dx / 4, ring[i][1] + dy / 4))
    if kind == 1:
        i = int(rng.integers(len(ring)))
        a, b = ring[i], ring[(i + 1) % len(ring)]
        return AddVertex(fid, i + 1, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
    return MoveBlock(fid, dx, dy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--peer-every", type=int, default=10, help="time the full score on every Nth edit")
    args = parser.parse_args()
    read = {name: gpd.read_file(ATLAS_DIR / f"{name}.gpkg")
            for name in ("blocks", "deposits", "forest", "protected_areas", "states", "railway_stations")}
    layers = dict(forest=read["forest"], protected=read["protected_areas"], boundaries=read["states"],
                  infrastructure=[("railway_stations", read["railway_stations"])],
                  rasters=[str(ATLAS_DIR / "magnetic_anomaly.tif")])
    blocks, deposits = read["blocks"], read["deposits"]
    start = time.perf_counter()
    live = LiveVerdict(deposits, **layers)
    live.warm_up(blocks)
    prepared_s = time.perf_counter() - start
    session = EditSession(blocks)
    rng = np.random.default_rng(SEED)
    live_ms, cpu_ms, window_ms, peer_ms = [], [], [], []
    for n in range(args.edits):
        fid = int(rng.choice(session.frame.index))
        session.push(random_edit(rng, session, fid))
        one = session.frame.loc[[fid]]
        start, cpu_start = time.perf_counter(), time.process_time()
        live.score(one)
        live_ms.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.process_time() - cpu_start) * 1000)
        live.overlays(one, DISPLAY_CRS)
        window_ms.append((time.perf_counter() - start) * 1000)
        if n % args.peer_every == 0:
            start = time.perf_counter()
            score(one, deposits, **layers)
            peer_ms.append((time.perf_counter() - start) * 1000)
    live_ms, cpu_ms, window_ms, peer_ms = (np.array(v) for v in (live_ms, cpu_ms, window_ms, peer_ms))
    print(f"layers prepared once: {prepared_s * 1000:.0f} ms")
    print(f"live verdict over {len(live_ms)} random edits: median {np.median(live_ms):.1f} ms, "
          f"95th percentile {np.percentile(live_ms, 95):.1f} ms, max {live_ms.max():.1f} ms")
    print(f"  its CPU time (the process's, all threads): median {np.median(cpu_ms):.1f} ms, "
          f"95th percentile {np.percentile(cpu_ms, 95):.1f} ms")
    print(f"live verdict and its map overlays (zones, forest inside; what the window does per edit): median "
          f"{np.median(window_ms):.1f} ms, 95th percentile {np.percentile(window_ms, 95):.1f} ms, "
          f"max {window_ms.max():.1f} ms")
    print(f"peer (full assessment.score of the edited block, {len(peer_ms)} edits): median {np.median(peer_ms):.1f} ms, "
          f"95th percentile {np.percentile(peer_ms, 95):.1f} ms")
    print(f"ratio (peer / live, medians): {np.median(peer_ms) / np.median(live_ms):.1f}x")
    print(f"load average during the run (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall times grow with it; the CPU time and the ratio much less)")


if __name__ == "__main__":
    main()
