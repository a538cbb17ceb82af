"""Time geo.read against geopandas.read_file (its defaults) on two real files, best of 5 each.

geo.read does more than the peer: encoding detection, CRS status, and counting null, empty and
invalid geometries with their reasons. Targets (DESIGN.md §11): the 15k-point shapefile ≤ 0.5 s,
the 543-polygon GeoJSON ≤ 1 s, both including those checks.

Run: .venv/bin/python bench/bench_read.py
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas  # noqa: E402

import geo  # noqa: E402
from geo.vector import USE_ARROW  # noqa: E402
from timing import best_of  # noqa: E402

EXTERNAL = REPO.parent / "shared" / "data" / "external"
FILES = [
    ("Facilities.shp (15,392 points)", EXTERNAL / "datameet-pmgsy-geosadak/data/Facilities/Jharkhand/Facilities.shp", 0.5),
    ("india_pc_2019_simplified.geojson (543 polygons)",
     EXTERNAL / "datameet-maps/parliamentary-constituencies/india_pc_2019_simplified.geojson", 1.0),
]
REPEATS = 5



def main() -> None:
    print(f"pyogrio arrow path: {'on' if USE_ARROW else 'off (pyarrow not installed)'}; best of {REPEATS}")
    geo.read(FILES[0][1])  # warm imports and PROJ for both sides
    geopandas.read_file(FILES[0][1])
    for label, path, target_s in FILES:
        ours = best_of(lambda: geo.read(path), REPEATS)
        peer = best_of(lambda: geopandas.read_file(path), REPEATS)
        verdict = "meets" if ours <= target_s else "MISSES"
        print(f"{label}: geo.read {ours:.3f} s, geopandas.read_file {peer:.3f} s, "
              f"ratio {ours / peer:.2f}x; target ≤ {target_s} s: {verdict}")


if __name__ == "__main__":
    main()
