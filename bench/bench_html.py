"""Offline HTML map of 10k block polygons: size, build time and load time in headless Chromium.

Targets (DESIGN.md §11): ≤ 5 MB and ≤ 2 s to load. Peer, same process, same data: folium's
default output (``folium.GeoJson`` with a popup and tooltip of the same fields, CDN links, no
simplification or rounding). The peer cannot draw offline (its Leaflet comes from a CDN), so its
load time is measured with the network closed too and only says how long Chromium takes to give up.

Run: ``.venv/bin/python bench/bench_html.py [N]``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Polygon

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers.html_map import write_html_map  # noqa: E402
from layers.layer import Layer, LayerList  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PROBE = ('<script>window.addEventListener("load",function(){var p=document.createElement("pre");p.id="kj-t";'
         'p.textContent=JSON.stringify({ms:performance.now(),paths:document.querySelectorAll("path").length,'
         'canvas:document.querySelectorAll("canvas").length});document.body.appendChild(p);});</script>')


def star_blocks(count: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``count`` star-shaped blocks 1–10 km across, scattered over central India (EPSG:7755)."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(3.6e6, 5.2e6, count), rng.uniform(1.3e6, 2.6e6, count)])
    radii = rng.uniform(500, 5000, count)
    angles = np.linspace(0, 2 * np.pi, 21)[:-1]
    scale = np.where(np.arange(20) % 2 == 0, 1.0, 0.55)
    shapes = [Polygon(np.column_stack([cx + r * scale * np.cos(angles), cy + r * scale * np.sin(angles)]))
              for (cx, cy), r in zip(centres, radii)]
    stages = rng.choice(["G1", "G2", "G3", "G4"], count)
    return gpd.GeoDataFrame({
        "block_id": [f"B-{i:05d}" for i in range(count)],
        "block_name": [f"Block {i} <{'x' * (i % 7)}>" for i in range(count)],
        "stage": stages, "licence": rng.choice(["ML", "CL", "EL"], count),
        "score": np.round(rng.uniform(0, 100, count), 1),
    }, geometry=shapes, crs="EPSG:7755")


def folium_default(frame: gpd.GeoDataFrame, path: Path) -> None:
    import folium

    fields = [c for c in frame.columns if c != "geometry"]
    page = folium.Map(location=[22, 80], zoom_start=5)
    folium.GeoJson(frame.to_crs(4326), popup=folium.GeoJsonPopup(fields), tooltip=folium.GeoJsonTooltip(["block_id"]),
                   style_function=lambda feature: {"fillColor": "#d55e00", "color": "#333333"}).add_to(page)
    page.save(str(path))


def chromium_load(page: Path, workdir: Path) -> tuple[float, dict]:
    """(wall seconds of the whole headless run, the page's own load figures)."""
    probe = workdir / f"probe-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</html>", PROBE + "</html>"), encoding="utf-8")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={workdir / 'profile'}", "--proxy-server=127.0.0.1:9", "--window-size=1400,900",
               "--dump-dom", probe.as_uri()]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - start
    found = re.search(r'<pre id="kj-t">(.*?)</pre>', done.stdout, re.S)
    return wall, json.loads(found.group(1).replace("&quot;", '"')) if found else {}


def main(count: int = 10_000) -> None:
    frame = star_blocks(count)
    layer = Layer("Blocks", frame, role="blocks", fields={"block_id": "block_id", "stage": "stage"})
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        ours, peer, blank = workdir / "ours.html", workdir / "folium.html", workdir / "blank.html"
        blank.write_text("<html><body></body></html>")
        start = time.perf_counter()
        write_html_map(LayerList([layer]), ours, title=f"{count} blocks")
        ours_build = time.perf_counter() - start
        start = time.perf_counter()
        folium_default(frame, peer)
        peer_build = time.perf_counter() - start
        base_wall, _ = chromium_load(blank, workdir)
        ours_wall, ours_page = chromium_load(ours, workdir)
        peer_wall, peer_page = chromium_load(peer, workdir)
        size_ours, size_peer = ours.stat().st_size / 1e6, peer.stat().st_size / 1e6
    print(f"{count} star blocks (20 vertices each) + the sample atlas's state boundaries as the base layer")
    print(f"size:  Khanij {size_ours:.2f} MB   folium default {size_peer:.2f} MB   ratio {size_peer / size_ours:.1f}x "
          f"(target ≤ 5 MB)")
    print(f"build: Khanij {ours_build:.2f} s   folium default {peer_build:.2f} s   ratio {peer_build / ours_build:.1f}x")
    print(f"load in headless Chromium, network closed (page's own clock at the load event): "
          f"Khanij {ours_page.get('ms', float('nan')) / 1000:.2f} s (target ≤ 2 s), {ours_page}")
    print(f"  folium default {peer_page.get('ms', float('nan')) / 1000:.2f} s {peer_page} — draws nothing offline "
          "(Leaflet from a CDN)")
    print(f"  whole headless runs (start, load, dump, exit): blank page {base_wall:.2f} s, Khanij {ours_wall:.2f} s, "
          f"folium default {peer_wall:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
