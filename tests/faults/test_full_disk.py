"""A full disk (or a read-only folder) during every kind of write: exit 4 naming the output, one
line, no traceback, no partial file, and the previous output byte for byte as it was.

The disk fills for real: the child runs under a file-size limit (RLIMIT_FSIZE), so each write
past it fails in the kernel with EFBIG, the way a write to a full disk fails with ENOSPC, through
every layer (Qt, GDAL/SQLite, openpyxl's zip, fpdf2) — no root, no loop device, no mock.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.faults.helpers import (
    REPO, assert_clean_error, file_size_limit, khanij, others, temporaries, without_permission_override,
)

LIMIT = 16 * 1024  # every output below is larger than this
PREVIOUS = b"the previous output, which must survive\n"


@pytest.fixture(scope="module")
def first_block(scores_path) -> str:
    import geopandas as gpd

    return str(gpd.read_file(scores_path)["block_id"].iloc[0])


CASES = {
    "svg map": ("m.svg", ["export-map", "--svg", "{out}"]),
    "png map": ("m.png", ["export-map", "--png", "{out}"]),
    "html map": ("m.html", ["export-map", "--html", "{out}"]),
    "csv scores": ("s.csv", ["score", "--sample", "-o", "{out}"]),
    "xlsx scores": ("s.xlsx", ["score", "--sample", "-o", "{out}"]),
    "gpkg scores": ("s.gpkg", ["score", "--sample", "-o", "{out}"]),
    "pdf dossier": ("r.pdf", ["report", "{scores}", "--block", "{block}", "-o", "{out}"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_full_disk_keeps_the_previous_output_and_says_so(tmp_path, case, scores_path, first_block):
    name, argv = CASES[case]
    out = tmp_path / name
    out.write_bytes(PREVIOUS)
    run = khanij(*[a.format(out=out, scores=scores_path, block=first_block) for a in argv],
                 preexec=file_size_limit(LIMIT))
    assert_clean_error(run, 4, name)
    assert "cannot write" in run.stderr or "writing failed" in run.stderr
    assert out.read_bytes() == PREVIOUS
    assert others(tmp_path, name) == []


def test_a_full_disk_under_a_new_svg_leaves_no_file(tmp_path):
    """The case first reported: QSvgGenerator ignored the failed writes, the command said it
    succeeded and left a truncated SVG under the real name."""
    run = khanij("export-map", "--svg", str(tmp_path / "m.svg"), preexec=file_size_limit(LIMIT))
    assert_clean_error(run, 4, "m.svg")
    assert "file-size limit" in run.stderr
    assert others(tmp_path) == []


def review_content(path) -> tuple:
    """What a review store holds, read after SQLite has rolled back any interrupted transaction."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return (db.execute("SELECT tranche FROM review_tranches ORDER BY tranche").fetchall(),
                db.execute("SELECT count(*) FROM review_runs").fetchone(),
                db.execute("SELECT count(*), sum(score) FROM review_scores").fetchone(),
                db.execute("SELECT count(*) FROM review_audit").fetchone())


def test_a_full_disk_while_publishing_to_a_review_store_changes_nothing(tmp_path, scores_path):
    store = tmp_path / "review.gpkg"
    assert khanij("review", "publish", str(scores_path), "--db", str(store), "--tranche", "first").returncode == 0
    before = review_content(store)
    run = khanij("review", "publish", str(scores_path), "--db", str(store), "--tranche", "second",
                 preexec=file_size_limit(LIMIT))
    assert_clean_error(run, 4, "review.gpkg")
    assert "nothing was changed" in run.stderr
    assert review_content(store) == before
    assert others(tmp_path, "review.gpkg") == []


def test_a_full_disk_while_making_a_new_review_store_leaves_no_file(tmp_path, scores_path):
    run = khanij("review", "publish", str(scores_path), "--db", str(tmp_path / "review.gpkg"),
                 preexec=file_size_limit(LIMIT))
    assert_clean_error(run, 4, "review.gpkg")
    assert others(tmp_path) == []


SAVE_PROJECT = textwrap.dedent("""
    import sys
    from geo.errors import DataWriteError
    from layers.atlas import load_sample_atlas
    from layers.project import save_project
    from tests.faults.helpers import file_size_limit

    atlas = load_sample_atlas()
    file_size_limit(int(sys.argv[2]))()
    try:
        save_project(sys.argv[1], atlas, extra={"note": "x" * 100_000})
    except DataWriteError as exc:
        print(exc)
        sys.exit(4)
""")


def test_a_full_disk_while_saving_a_project_keeps_the_saved_one(tmp_path):
    project = tmp_path / "tranche.khanij"
    project.write_bytes(PREVIOUS)
    run = subprocess.run([sys.executable, "-c", SAVE_PROJECT, str(project), str(LIMIT)], capture_output=True,
                         text=True, cwd=REPO, timeout=120)
    assert run.returncode == 4, run.stderr
    assert "tranche.khanij: cannot write:" in run.stdout and "file-size limit" in run.stdout
    assert project.read_bytes() == PREVIOUS
    assert temporaries(tmp_path) == [] and others(tmp_path, "tranche.khanij") == []


@pytest.fixture
def read_only_folder():
    """A folder no one may write to, holding a previous output (the child runs without root's
    power to ignore folder modes)."""
    folder = Path(tempfile.mkdtemp(prefix="khanij-ro-"))
    (folder / "s.csv").write_bytes(PREVIOUS)
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


@pytest.mark.parametrize("argv", [["score", "--sample", "-o", "{out}/s.csv"],
                                  ["export-map", "--svg", "{out}/m.svg"]])
def test_a_read_only_folder_is_exit_4_naming_the_output(read_only_folder, argv):
    run = khanij(*[a.format(out=read_only_folder) for a in argv], preexec=without_permission_override, cwd="/")
    name = argv[-1].rsplit("/", 1)[1]
    assert_clean_error(run, 4, name)
    assert "Permission denied" in run.stderr
    assert (read_only_folder / "s.csv").read_bytes() == PREVIOUS
    assert others(read_only_folder, "s.csv") == []
