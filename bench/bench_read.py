"""Time geo.read against geopandas.read_file (its defaults) on two real files, best of 5 each, and
on a 1,000,000-point GeoPackage made here (best of 3; geo.read's target there is 2x the peer).

geo.read does more than the peer: encoding detection, CRS status, and counting null, empty and
invalid geometries with their reasons; it must still be at least as fast (issue 14). Targets (DESIGN.md §11): the 15k-point shapefile ≤ 0.5 s,
the 543-polygon GeoJSON ≤ 1 s, both including those checks.

Run: .venv/bin/python bench/bench_read.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402

import geo  # noqa: E402
from timing import best_of  # noqa: E402

EXTERNAL = REPO.parent / "shared" / "data" / "external"
FILES = [
    ("Facilities.shp (15,392 points)", EXTERNAL / "datameet-pmgsy-geosadak/data/Facilities/Jharkhand/Facilities.shp", 0.5),
    ("india_pc_2019_simplified.geojson (543 polygons)",
     EXTERNAL / "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson", 1.0),
]
REPEATS = 5
MILLION = 1_000_000
MILLION_REPEATS = 3
MILLION_TARGET_SPEEDUP = 2.0


def million_points(folder: Path) -> Path:
    """A GeoPackage of 1,000,000 points over India with a text, an integer and a real column."""
    rng = np.random.default_rng(14)
    points = geopandas.GeoDataFrame(
        {"name": [f"station {i}" for i in range(MILLION)],
         "code": rng.integers(0, 10_000, MILLION),
         "value": rng.random(MILLION)},
        geometry=geopandas.points_from_xy(rng.uniform(68, 97, MILLION), rng.uniform(8, 37, MILLION)),
        crs="EPSG:4326")
    path = folder / "million_points.gpkg"
    pyogrio.write_dataframe(points, path, layer="points", use_arrow=True)
    return path



def main() -> None:
    print(f"geo.read (pyogrio's Arrow path) against geopandas.read_file (defaults); best of {REPEATS}")
    geo.read(FILES[0][1])  # warm imports and PROJ for both sides
    geopandas.read_file(FILES[0][1])
    for label, path, target_s in FILES:
        ours = best_of(lambda: geo.read(path), REPEATS)
        peer = best_of(lambda: geopandas.read_file(path), REPEATS)
        verdict = "meets" if ours <= target_s else "MISSES"
        keeps_up = "yes" if ours <= peer else "NO"
        print(f"{label}: geo.read {ours:.3f} s, geopandas.read_file {peer:.3f} s, "
              f"ratio {ours / peer:.2f}x (at least as fast: {keeps_up}); target ≤ {target_s} s: {verdict}")
    with tempfile.TemporaryDirectory() as folder:
        path = million_points(Path(folder))
        ours = best_of(lambda: geo.read(path), MILLION_REPEATS)
        peer = best_of(lambda: geopandas.read_file(path), MILLION_REPEATS)
    verdict = "meets" if peer / ours >= MILLION_TARGET_SPEEDUP else "MISSES"
    print(f"GeoPackage of {MILLION:,} points: geo.read {ours:.3f} s, geopandas.read_file {peer:.3f} s, "
          f"geo.read {peer / ours:.2f}x faster; target ≥ {MILLION_TARGET_SPEEDUP:.0f}x: {verdict}")


if __name__ == "__main__":
    main()
