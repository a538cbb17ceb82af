"""Map canvas benchmark: start to first painted map, and repaint speed on big layers.

Run on demand: ``.venv/bin/python bench/bench_canvas.py [--quick]``. Offscreen (Qt's offscreen
platform); the machine is shared, so compare the ratios, not the absolute figures.

1. Start to first painted map: a fresh process opens the app with the sample atlas (the main
   window when it exists, else a bare canvas over the atlas) and reports when the canvas emits
   ``rendered``; the time counts from the parent launching the process. Peer: a fresh process
   that paints one empty Qt widget (the floor every Qt app pays). DESIGN.md §11: ≤ 2.5 s;
   QGIS 3.22 takes 1.75–2.08 s.
2. Repaint: 10k star-shaped block polygons (1–10 km across) and 100k deposit points in
   EPSG:7755, 1200×800 view. Khanij's canvas (one path per style class, levels of detail)
   against a naive scene with one ``QGraphicsItem`` per feature, same data, same process: build
   time (data → first painted frame) and the median ``viewport().repaint()`` after programmatic
   full-extent, pan and 10× zoom changes. Target: median repaint ≤ 50 ms. Also the PNG renderer
   at full extent (DESIGN.md §11: full-extent render ≤ 0.4 s, QGIS 0.41 s).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

VIEW_SIZE = (1200, 800)
STAGES = ("G1", "G2", "G3", "G4")

STARTUP_CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {repo!r})
    try:
        from gui.app import create_application, create_window
        app = create_application()
        window = create_window()
        window.resize(1600, 1000)
        canvas, shown = window.canvas, window
        what = "main window"
    except ImportError as exc:
        from PySide6.QtWidgets import QApplication
        from gui.canvas import MapCanvas
        from layers.atlas import load_sample_atlas
        app = QApplication([])
        canvas = MapCanvas(load_sample_atlas())
        canvas.resize(1200, 800)
        canvas.zoom_to_full_extent()
        shown = canvas
        what = f"canvas only ({{exc}})"
    def done():
        print(time.time(), len(canvas.layer_list), what, flush=True)
        app.quit()
    canvas.rendered.connect(done)
    shown.show()
    app.exec()
""")

EMPTY_CHILD = textwrap.dedent("""
    import time
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    class Painted(QWidget):
        def paintEvent(self, event):
            super().paintEvent(event)
            print(time.time(), flush=True)
            app.quit()
    widget = Painted()
    widget.resize(1200, 800)
    widget.show()
    app.exec()
""")


def time_child(code: str) -> tuple[float, str]:
    """Seconds from launching a Python process running ``code`` to the timestamp it prints."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    first, _, rest = lines[-1].partition(" ")
    return float(first) - start, rest


def bench_startup(runs: int) -> None:
    print(f"== start to first painted map (sample atlas), median of {runs} runs")
    try:
        app_runs = [time_child(STARTUP_CHILD.format(repo=str(REPO))) for _ in range(runs)]
    except RuntimeError as exc:
        print(f"   cannot start the app with the sample atlas: {exc}")
        return
    floor_runs = [time_child(EMPTY_CHILD)[0] for _ in range(runs)]
    app_s = statistics.median(seconds for seconds, _ in app_runs)
    floor_s = statistics.median(floor_runs)
    print(f"   Khanij ({app_runs[0][1]}): {app_s:.2f} s   target ≤ 2.5 s; QGIS 3.22: 1.75–2.08 s")
    print(f"   peer, one empty Qt widget painted: {floor_s:.2f} s   ratio Khanij/peer {app_s / floor_s:.1f}x")


# ------------------------------------------------------------------------------------ data


def india_box_7755() -> tuple[float, float, float, float]:
    to_lcc = Transformer.from_crs("EPSG:4326", "EPSG:7755", always_xy=True)
    return to_lcc.transform_bounds(70.0, 10.0, 92.0, 32.0)


def star_blocks(count: int, rng) -> gpd.GeoDataFrame:
    """Star-shaped blocks 1-10 km across, 10 spikes (20 vertices) each, over India in EPSG:7755."""
    minx, miny, maxx, maxy = india_box_7755()
    centres = np.column_stack([rng.uniform(minx, maxx, count), rng.uniform(miny, maxy, count)])
    radius = rng.uniform(500.0, 5000.0, count)
    angles = np.linspace(0, 2 * np.pi, 21)[:-1] + rng.uniform(0, np.pi, (count, 1))
    scale = np.where(np.arange(20) % 2 == 0, 1.0, 0.45) * radius[:, None]
    ring = np.stack([centres[:, :1] + scale * np.cos(angles), centres[:, 1:] + scale * np.sin(angles)], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return gpd.GeoDataFrame({"stage": rng.choice(STAGES, count), "block_id": np.arange(count)},
                            geometry=shapely.polygons(ring), crs="EPSG:7755")


def deposit_points(count: int, rng) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = india_box_7755()
    return gpd.GeoDataFrame({"stage": rng.choice(STAGES, count), "tonnage_mt": rng.lognormal(1, 1, count)},
                            geometry=shapely.points(rng.uniform(minx, maxx, count), rng.uniform(miny, maxy, count)),
                            crs="EPSG:7755")


# ------------------------------------------------------------------------------------ views


def view_steps(full, quick: bool):
    """(name, extent) of the views timed: full extent, pans across, and 10× zooms."""
    minx, miny, maxx, maxy = full
    width, height = maxx - minx, maxy - miny
    steps = [("full", full)] * (3 if quick else 5)
    for step in range(3 if quick else 6):
        shift = (step + 1) * 0.08 * width
        steps.append(("pan", (minx + shift, miny, maxx + shift, maxy)))
    for fx, fy in [(0.3, 0.3), (0.5, 0.5), (0.7, 0.4), (0.4, 0.7), (0.6, 0.6), (0.2, 0.5)][: 3 if quick else 6]:
        cx, cy = minx + fx * width, miny + fy * height
        steps.append(("zoom10", (cx - width / 20, cy - height / 20, cx + width / 20, cy + height / 20)))
    return steps


def timed_repaints(viewport: QtWidgets.QWidget, set_view, steps) -> dict[str, list[float]]:
    app = QtWidgets.QApplication.instance()
    times: dict[str, list[float]] = {}
    for name, extent in steps:
        set_view(extent)
        app.processEvents()
        start = time.perf_counter()
        viewport.repaint()
        times.setdefault(name, []).append(time.perf_counter() - start)
    return times


def bench_khanij_canvas(blocks, points, steps):
    from gui.canvas import MapCanvas
    from layers.layer import Layer, LayerList
    from layers.style import UNFC_STAGE_COLOURS, Category, CategorisedStyle

    def style():
        return CategorisedStyle("stage", [Category(s, UNFC_STAGE_COLOURS[s], s) for s in STAGES], point_size=5.0)

    start = time.perf_counter()
    layer_list = LayerList([Layer("deposits", points, style=style(), role="deposits"),
                            Layer("blocks", blocks, style=style(), role="blocks")])
    canvas = MapCanvas(layer_list)
    canvas.resize(*VIEW_SIZE)
    canvas.show()
    canvas.set_extent(steps[0][1])
    canvas.flush()
    canvas.viewport().repaint()
    build_s = time.perf_counter() - start
    times = timed_repaints(canvas.viewport(), canvas.set_extent, steps)
    canvas.close()
    return build_s, times, layer_list


def bench_naive_scene(blocks, points, steps):
    from layers.style import UNFC_STAGE_COLOURS

    start = time.perf_counter()
    scene = QtWidgets.QGraphicsScene()
    brushes = {s: QtGui.QBrush(QtGui.QColor(UNFC_STAGE_COLOURS[s])) for s in STAGES}
    pen = QtGui.QPen(QtGui.QColor("#333333"), 0.8)
    pen.setCosmetic(True)
    for geometry, stage in zip(blocks.geometry.values, blocks["stage"]):
        ring = shapely.get_coordinates(geometry.exterior)
        item = QtWidgets.QGraphicsPolygonItem(QtGui.QPolygonF([QtCore.QPointF(x, y) for x, y in ring]))
        item.setBrush(brushes[stage])
        item.setPen(pen)
        item.setOpacity(0.6)
        scene.addItem(item)
    xy = shapely.get_coordinates(points.geometry.values)
    for (x, y), stage in zip(xy, points["stage"]):
        item = QtWidgets.QGraphicsEllipseItem(-2.5, -2.5, 5, 5)
        item.setPos(x, y)
        item.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setBrush(brushes[stage])
        item.setPen(pen)
        scene.addItem(item)
    view = QtWidgets.QGraphicsView(scene)
    view.resize(*VIEW_SIZE)
    view.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    view.setSceneRect(QtCore.QRectF(-1e8, -1e8, 2e8, 2e8))  # pans are not clamped to the data

    def set_view(extent):
        view.resetTransform()
        view.scale(1, -1)  # y up, as on a map
        view.fitInView(QtCore.QRectF(extent[0], extent[1], extent[2] - extent[0], extent[3] - extent[1]),
                       QtCore.Qt.AspectRatioMode.KeepAspectRatio)

    view.show()
    set_view(steps[0][1])
    view.viewport().repaint()
    build_s = time.perf_counter() - start
    times = timed_repaints(view.viewport(), set_view, steps)
    view.close()
    return build_s, times


def bench_renderer(layer_list, extent, runs: int) -> float:
    from gui.render import render_map_image

    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        render_map_image(layer_list, width=VIEW_SIZE[0], height=VIEW_SIZE[1], dpi=96, extent=extent)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def bench_repaint(quick: bool) -> None:
    rng = np.random.default_rng(2024)
    blocks, points = star_blocks(10_000, rng), deposit_points(100_000, rng)
    full = india_box_7755()
    steps = view_steps(full, quick)
    print(f"== repaint, 10k star blocks + 100k points, {VIEW_SIZE[0]}x{VIEW_SIZE[1]}, EPSG:7755")
    build_k, times_k, layer_list = bench_khanij_canvas(blocks, points, steps)
    build_n, times_n = bench_naive_scene(blocks, points, steps)
    print(f"   build (data → first frame): Khanij {build_k:.2f} s, naive one-item-per-feature {build_n:.2f} s, "
          f"ratio naive/Khanij {build_n / build_k:.1f}x")
    for name in ("full", "pan", "zoom10"):
        khanij_ms = statistics.median(times_k[name]) * 1000
        naive_ms = statistics.median(times_n[name]) * 1000
        print(f"   repaint {name:7s} median: Khanij {khanij_ms:7.1f} ms, naive {naive_ms:7.1f} ms, "
              f"ratio naive/Khanij {naive_ms / khanij_ms:5.1f}x")
    every_k = statistics.median([t for values in times_k.values() for t in values]) * 1000
    every_n = statistics.median([t for values in times_n.values() for t in values]) * 1000
    print(f"   repaint all views median: Khanij {every_k:.1f} ms (target ≤ 50 ms), naive {every_n:.1f} ms, "
          f"ratio {every_n / every_k:.1f}x")
    render_s = bench_renderer(layer_list, full, 2 if quick else 3)
    print(f"   file renderer, full extent {VIEW_SIZE[0]}x{VIEW_SIZE[1]} page: {render_s:.2f} s "
          f"(target ≤ 0.4 s; QGIS 3.22: 0.41 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and views")
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    if not args.skip_startup:
        bench_startup(2 if args.quick else 3)
    bench_repaint(args.quick)
    del app


if __name__ == "__main__":
    main()
