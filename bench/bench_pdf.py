"""PDF dossier of 100 blocks: time and size (targets ≤ 10 s, ≤ 20 MB; DESIGN.md §11).

Data: the sample atlas scored by ``khanij score --sample``, its 35 blocks repeated under new ids to
make 100 sections, each with a location map drawn by the app's renderer over the atlas layers.
Peer, same process, same dossier: HarfBuzz shaping switched on for every text (the simple way to
get Devanagari right) instead of only for the texts that need it.

Run: ``.venv/bin/python bench/bench_pdf.py [N]``.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import main  # noqa: E402
from assessment.report import build_dossier  # noqa: E402
from gui import report_pdf  # noqa: E402
from gui.export_cli import context_layers, read_scores, scored_layer  # noqa: E402
from gui.render import ensure_gui_application  # noqa: E402
from layers.layer import LayerList  # noqa: E402


def many_blocks(scores, count: int):
    copies = []
    for copy in range(-(-count // len(scores))):
        frame = scores.copy()
        frame["block_id"] = frame["block_id"] + (f"-{copy}" if copy else "")
        copies.append(frame)
    return pd.concat(copies, ignore_index=True).iloc[:count].pipe(lambda f: f.set_crs(scores.crs, allow_override=True))


def timed_write(dossier, path: Path, map_layers, distances) -> float:
    start = time.perf_counter()
    report_pdf.write_dossier_pdf(dossier, path, map_layers, distances)
    return time.perf_counter() - start


def main_bench(count: int = 100) -> None:
    ensure_gui_application()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        scores_path = folder / "scores.gpkg"
        main.main(["score", "--sample", "-o", str(scores_path)])
        scores = many_blocks(read_scores(scores_path), count)
        context = context_layers([], True)
        deposits = next(layer.data for layer in context if layer.role == "deposits")
        map_layers = LayerList([*[l for l in context if l.role == "deposits"], scored_layer(scores, scores_path, True),
                                *[l for l in context if l.role != "deposits"]])
        distances = report_pdf.infrastructure_distances(scores)
        start = time.perf_counter()
        dossier = build_dossier(scores, deposits, sources=["scores.gpkg"])
        content = time.perf_counter() - start
        ours = timed_write(dossier, folder / "ours.pdf", map_layers, distances)
        size = (folder / "ours.pdf").stat().st_size / 1e6
        needs = report_pdf.needs_shaping
        report_pdf.needs_shaping = lambda text: True
        try:
            peer = timed_write(dossier, folder / "peer.pdf", map_layers, distances)
        finally:
            report_pdf.needs_shaping = needs
        peer_size = (folder / "peer.pdf").stat().st_size / 1e6
    print(f"{count} block sections (+ cover), location maps {report_pdf.MAP_PX[0]}×{report_pdf.MAP_PX[1]} px JPEG")
    print(f"content (assessment.report): {content:.2f} s")
    print(f"PDF: Khanij {content + ours:.2f} s total ({ours:.2f} s drawing), {size:.1f} MB   (targets ≤ 10 s, ≤ 20 MB)")
    print(f"peer, shaping every text: {content + peer:.2f} s total, {peer_size:.1f} MB; ratio {(content + peer) / (content + ours):.1f}x")


if __name__ == "__main__":
    main_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
