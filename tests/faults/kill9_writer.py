"""The kill -9 campaign's worker (run by ``test_kill9_writes.py`` as a script, not collected).

It loads the inputs once, then for each kill forks a child that writes one output over and over
with the function the command uses (``khanij score``'s table writer, ``export-map``'s SVG,
``report``'s PDF, the project save, ``review publish``), and SIGKILLs it at a random moment once
it is writing. After each kill it checks the output: the previous bytes, or a complete file (the
kill came after a rename), never a partial one; left-over files only of our temporary naming.
Forking from one loaded process makes a kill cost a fraction of a second instead of a start-up,
so 50 fit in CI's minute. One JSON line per kill on stdout, then a summary line.

Usage: ``python -m tests.faults.kill9_writer WORKDIR SCORES.gpkg KILLS SEED``
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pandas as pd

from assessment.report import build_dossier
from layers.atlas import load_sample_atlas
from layers.project import FORMAT, companion_path, save_project
from tests.faults.helpers import TEMPORARY

LONGEST_KILL_DELAY_S = 0.5


def writers(scores: gpd.GeoDataFrame, atlas) -> dict:
    """Output name → function writing it (given the path and the write's number)."""
    from geo.tables import write_table
    from gui.render import render_map
    from gui.report_pdf import write_dossier_pdf
    from layers.review.gpkg_store import GeoPackageStore

    dossier = build_dossier(scores, block_ids=list(scores["block_id"].astype(str)[:3]), sources=["scores.gpkg"])
    many = pd.concat([scores] * 20, ignore_index=True)  # a longer write, so more kills strike the file itself

    def publish(path: Path, n: int) -> None:
        store = GeoPackageStore(path, create=True)
        try:
            store.publish(scores, f"t{n:05d}")
        finally:
            store.close()

    return {
        "scores.gpkg": lambda path, n: write_table(many, path, sheet_name="scores"),
        "scores.xlsx": lambda path, n: write_table(scores, path, sheet_name="scores"),
        "map.svg": lambda path, n: render_map(atlas, path, width=900, height=600),
        "dossier.pdf": lambda path, n: write_dossier_pdf(dossier, path),
        "tranche.khanij": lambda path, n: save_project(path, atlas, extra={"write": n}, scores=many),
        "review.gpkg": publish,
    }


def complete(path: Path) -> bool:
    """Whether ``path`` is a whole output of its kind (what a finished write leaves)."""
    data = path.read_bytes()
    if path.suffix == ".svg":
        return data.rstrip().endswith(b"</svg>")
    if path.suffix == ".pdf":
        return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None and "xl/worksheets/sheet1.xml" in archive.namelist()
    if path.suffix == ".khanij":
        return json.loads(data).get("format") == FORMAT and complete(companion_path(path))
    import pyogrio

    first_layer = pyogrio.list_layers(path)[0][0]
    return pyogrio.read_info(path, layer=first_layer)["features"] > 0


def review_state(path: Path) -> list:
    """The tranches of a review store, after checking every published run is whole (SQLite rolls
    an interrupted transaction back as it opens the file)."""
    with closing(sqlite3.connect(path)) as db:
        if db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise AssertionError("review store damaged")
        for run_id, n_blocks, count in db.execute(
                "SELECT r.run_id, r.n_blocks, count(s.block_id) FROM review_runs r "
                "LEFT JOIN review_scores s USING (run_id) GROUP BY r.run_id"):
            if n_blocks != count:
                raise AssertionError(f"run {run_id} has {count} of its {n_blocks} scores")
        return [row[0] for row in db.execute("SELECT tranche FROM review_tranches ORDER BY tranche")]


def snapshot(path: Path):
    return review_state(path) if path.name == "review.gpkg" else path.read_bytes()


def intact_or_complete(path: Path, before) -> str:
    """``""`` when the output is the previous one or a complete new one, else what is wrong."""
    if path.name == "review.gpkg":
        after = review_state(path)
        return "" if set(before) <= set(after) else f"tranches lost: {sorted(set(before) - set(after))}"
    if path.read_bytes() == before or complete(path):
        return ""
    return f"{path.name}: a partial file under the real name ({path.stat().st_size} bytes)"


def strangers(folder: Path, name: str) -> list[str]:
    """Files in ``folder`` that are neither the output (with its companion, SQLite's journal) nor ours."""
    expected = {name, companion_path(folder / name).name, f"{name}-journal"}
    return sorted(p.name for p in folder.iterdir() if p.name not in expected and not TEMPORARY.fullmatch(p.name))


def write_forever(write, path: Path, ready_fd: int) -> None:
    """The child: write again and again; tell the parent (one byte) once the first write began."""
    n = 1
    os.write(ready_fd, b"w")
    while True:
        write(path, os.getpid() * 1000 + n)
        n += 1


def fork_writer(write, path: Path, forever: bool) -> int:
    """Fork a child writing ``path`` (once, or until killed); returns its pid once it is writing."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(ready_read)
            if path.suffix in (".svg", ".pdf"):
                from gui.render import ensure_gui_application

                ensure_gui_application()
            if forever:
                write_forever(write, path, ready_write)
            write(path, 0)
        except BaseException as exc:  # noqa: BLE001 - the child reports and ends, never returns to the parent's code
            print(f"writer failed: {exc!r}", file=sys.stderr)
            code = 1
        os._exit(code)
    os.close(ready_write)
    if forever:
        os.read(ready_read, 1)
    os.close(ready_read)
    return pid


def main(workdir: str, scores_path: str, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    scores = gpd.read_file(scores_path)
    atlas = load_sample_atlas()
    table = writers(scores, atlas)
    outputs = {}
    for name in table:  # the previous output each kill must leave intact
        folder = Path(workdir) / name.replace(".", "_")
        folder.mkdir(parents=True)
        outputs[name] = folder / name
        _, status = os.waitpid(fork_writer(table[name], outputs[name], forever=False), 0)
        if status != 0:
            raise SystemExit(f"the first write of {name} failed")
    names = list(table)
    summary = {"kills": 0, "during_write": 0, "problems": 0, "by_output": {n: 0 for n in names}}
    for index in range(kills):
        name = names[index % len(names)]
        path = outputs[name]
        before = snapshot(path)
        pid = fork_writer(table[name], path, forever=True)
        time.sleep(rng.uniform(0.0, LONGEST_KILL_DELAY_S))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        during_write = any(TEMPORARY.fullmatch(p.name) or p.name.endswith("-journal") for p in path.parent.iterdir())
        problem = intact_or_complete(path, before) or ", ".join(strangers(path.parent, name))
        summary["kills"] += 1
        summary["during_write"] += during_write
        summary["problems"] += bool(problem)
        summary["by_output"][name] += 1
        print(json.dumps({"kill": index, "output": name, "during_write": during_write, "problem": problem}), flush=True)
    for name, path in outputs.items():  # a complete write after the kills removes their temporary files
        _, status = os.waitpid(fork_writer(table[name], path, forever=False), 0)
        left = [p.name for p in path.parent.iterdir() if TEMPORARY.fullmatch(p.name)]
        if status != 0 or left or not complete(path) and name != "review.gpkg":
            summary["problems"] += 1
            print(json.dumps({"output": name, "after": "complete write", "status": status, "left": left}), flush=True)
    print(json.dumps({"summary": summary}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
