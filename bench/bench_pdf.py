"""PDF dossier of 200 blocks from the command line and from the app: time and peak memory
(targets: CLI ≤ 20 s and ≤ 1 GB; the app within 1.2x of the CLI; issue 12).

Data: the sample atlas scored by ``khanij score --sample``, its 35 blocks repeated under new ids
to make 200 block sections, each with its block map drawn by the app's renderer over the atlas.
Each path runs in a fresh process of its own, so its peak resident memory is its own:

- CLI: ``khanij report SCORES -o OUT.pdf`` (the sample atlas as context, as for sample scores),
  timed from the command's start (reading the scores and the layers included);
- app: the main window with the sample atlas open, its readiness scores replaced by the same
  200 blocks, File → Export → Dossier (PDF) run on the worker thread, timed from the click to
  the task's end (the window's own start-up is not counted).

A third run in the CLI's process is the peer of the drawing step: HarfBuzz shaping switched on for
every text (the simple way to get Devanagari and Arabic right) instead of only where needed.

Run: ``.venv/bin/python bench/bench_pdf.py [N]``.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLI_SECONDS, PEAK_MB, APP_RATIO = 20.0, 1024.0, 1.2


def many_blocks(scores, count: int):
    """``scores`` repeated under new block ids (``JH-CL-01-1`` …) to ``count`` rows."""
    import pandas as pd

    copies = []
    for copy in range(-(-count // len(scores))):
        frame = scores.copy()
        frame["block_id"] = frame["block_id"] + (f"-{copy}" if copy else "")
        copies.append(frame)
    return pd.concat(copies, ignore_index=True).iloc[:count].pipe(lambda f: f.set_crs(scores.crs, allow_override=True))


def peak_mb() -> float:
    """This process's peak resident memory, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time of this process so far (user and system, every thread): on a machine shared with
    other work the wall-clock time grows with the load, this does not."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_cli(scores: Path, out: Path) -> dict:
    import main

    start, cpu = time.perf_counter(), cpu_seconds()
    assert main.main(["report", str(scores), "-o", str(out)]) == 0
    return {"seconds": time.perf_counter() - start, "cpu": cpu_seconds() - cpu, "peak_mb": peak_mb()}


def run_cli_shaping_everything(scores: Path, out: Path) -> dict:
    from gui import report_pdf

    report_pdf.needs_shaping = lambda text: True
    return run_cli(scores, out)


def run_app(scores: Path, out: Path) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from assessment.score_table import read_scores
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1200, 800)
    window.show()
    window.open_sample_atlas()
    loop = QEventLoop()
    window.readiness.scored.connect(loop.quit)
    window.readiness.run()
    loop.exec()
    while window.readiness.running:
        app.processEvents()
    window.readiness.scores_layer.data = read_scores(scores)
    results: list = []
    start, cpu = time.perf_counter(), cpu_seconds()
    task = window.exports.export_report(str(out), [])
    task.succeeded.connect(results.append)
    task.failed.connect(results.append)
    task.finished.connect(loop.quit)
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if not results or not isinstance(results[0], Path):
        raise SystemExit(f"the app's export did not finish: {results}")
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}


RUNS = {"cli": run_cli, "cli-shaping": run_cli_shaping_everything, "app": run_app}


def in_fresh_process(kind: str, scores: Path, out: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run([sys.executable, __file__, "--run", kind, str(scores), str(out)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main_bench(count: int) -> None:
    import main
    from assessment.score_table import read_scores

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        sample = folder / "sample.gpkg"
        main.main(["score", "--sample", "-o", str(sample)])
        scores = folder / f"scores_{count}.gpkg"
        many_blocks(read_scores(sample), count).to_file(scores, driver="GPKG")
        cli = in_fresh_process("cli", scores, folder / "cli.pdf")
        app = in_fresh_process("app", scores, folder / "app.pdf")
        peer = in_fresh_process("cli-shaping", scores, folder / "peer.pdf")
        sizes = {name: (folder / f"{name}.pdf").stat().st_size / 1e6 for name in ("cli", "app", "peer")}
        page_counts = {name: pages(folder / f"{name}.pdf") for name in ("cli", "app")}
    print(f"dossier of {count} blocks (+ cover and key), block maps drawn by the app's renderer; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"CLI  (khanij report):           {cli['seconds']:6.2f} s wall, {cli['cpu']:6.2f} s CPU, peak "
          f"{cli['peak_mb']:5.0f} MB, {page_counts['cli']} pages, {sizes['cli']:.1f} MB   "
          f"targets ≤ {CLI_SECONDS:g} s, ≤ {PEAK_MB:g} MB")
    print(f"app  (File → Export → Dossier): {app['seconds']:6.2f} s wall, {app['cpu']:6.2f} s CPU, peak "
          f"{app['peak_mb']:5.0f} MB, {page_counts['app']} pages, {sizes['app']:.1f} MB   ratio app/CLI "
          f"{app['seconds'] / cli['seconds']:.2f}x wall, {app['cpu'] / cli['cpu']:.2f}x CPU (target ≤ {APP_RATIO:g}x)")
    print(f"peer (CLI, shaping every text): {peer['seconds']:6.2f} s wall, {peer['cpu']:6.2f} s CPU, peak "
          f"{peer['peak_mb']:5.0f} MB; ratio peer/CLI {peer['cpu'] / cli['cpu']:.2f}x CPU")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        print(json.dumps(RUNS[sys.argv[2]](Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
