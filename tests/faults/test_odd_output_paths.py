"""Output paths that are not plain new or regular files, and names GDAL or the terminal choke on.

Only a regular file (or nothing) is ever replaced: a FIFO, a device, a folder or a link to one is
refused with exit 4 before any work and left exactly as it was. The GeoPackage layer is not
named after the file, so any file name the file system takes works.
"""
from __future__ import annotations

import os
import shutil
import stat

import geopandas as gpd
import pyogrio
import pytest

from geo.atomic import atomic_write_bytes, writable_target
from geo.errors import DataWriteError
from tests.faults.helpers import assert_clean_error, khanij, others

TABLE = "block_id,unfc\nB1,331\nB2,E1F2G3\n"


def convert(tmp_path, output: str, cwd=None):
    source = tmp_path / "codes.csv"
    source.write_text(TABLE, encoding="utf-8")
    return khanij("convert", "--table", str(source), "--column", "unfc", "-o", output, cwd=cwd or tmp_path)


@pytest.fixture
def odd_targets(tmp_path):
    """name → (path, how to check it is untouched)."""
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.svg"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep", encoding="utf-8")
    (tmp_path / "link-to-pipe.svg").symlink_to(fifo)
    (tmp_path / "link-to-folder.svg").symlink_to(folder)
    (tmp_path / "dangling.svg").symlink_to(tmp_path / "nowhere" / "x.svg")
    (tmp_path / "link-to-null.svg").symlink_to("/dev/null")
    return tmp_path


@pytest.mark.parametrize("name, said", [
    ("pipe.svg", "it is a FIFO"),
    ("folder.svg", "it is a folder"),
    ("link-to-pipe.svg", "symbolic link to a FIFO"),
    ("link-to-folder.svg", "symbolic link to a folder"),
    ("dangling.svg", "which does not exist"),
    ("link-to-null.svg", "symbolic link to a device"),
])
def test_a_target_that_is_not_a_regular_file_is_refused_and_left_alone(odd_targets, name, said):
    before = {p.name: os.lstat(p) for p in odd_targets.iterdir()}
    run = khanij("export-map", "--svg", str(odd_targets / name), timeout=60)  # a write into the FIFO would hang
    assert_clean_error(run, 4, name)
    assert said in run.stderr
    after = {p.name: os.lstat(p) for p in odd_targets.iterdir()}
    assert {n: (s.st_mode, s.st_ino) for n, s in after.items()} == {n: (s.st_mode, s.st_ino) for n, s in before.items()}
    assert (odd_targets / "folder.svg" / "inside.txt").read_text(encoding="utf-8") == "keep"


def test_the_device_itself_is_refused():
    with pytest.raises(DataWriteError, match="null: cannot write: it is a device"):
        writable_target("/dev/null")


def test_a_fifo_that_appears_during_the_write_is_not_replaced(tmp_path):
    target = tmp_path / "out.csv"
    from geo.atomic import atomic_path

    with pytest.raises(DataWriteError, match="it is a FIFO"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"a,b\n")
            os.mkfifo(target)
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and others(tmp_path, "out.csv") == []


def test_a_link_to_a_regular_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "scores.csv"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "scores.csv"
    link.symlink_to(real)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert others(real.parent, "scores.csv") == [] and others(tmp_path, "scores.csv", "real") == []


@pytest.mark.parametrize("name", ["-x.gpkg", "%s$(id).gpkg", "a b'c\";.gpkg", "नक्शा.gpkg",
                                  "b" * 245 + ".gpkg", "c" * 250 + ".gpkg"])
def test_any_file_name_the_file_system_takes_makes_a_geopackage(tmp_path, name):
    run = convert(tmp_path, name)
    assert run.returncode == 0, run.stderr
    assert others(tmp_path, name, "codes.csv") == []
    check = shutil.copy(tmp_path / name, tmp_path / "check.gpkg")  # GDAL cannot open a path holding ';'
    assert [layer for layer, _ in pyogrio.list_layers(check)] == ["converted"]
    written = gpd.read_file(check)
    assert written["block_id"].tolist() == ["B1", "B2"] and written["unfc_status"].notna().all()


def test_a_name_with_a_byte_that_is_not_utf8_works_and_is_printed_back(tmp_path):
    name = os.fsdecode(b"blocks\xff.gpkg")
    run = convert(tmp_path, name)
    assert run.returncode == 0, run.stderr
    assert os.fsencode(name) in os.listdir(os.fsencode(tmp_path))
    assert others(tmp_path, name, "codes.csv") == []


def test_a_name_longer_than_the_file_system_takes_is_exit_4(tmp_path):
    name = "d" * 252 + ".gpkg"
    run = convert(tmp_path, name)
    assert_clean_error(run, 4, "ddd")
    assert "File name too long" in run.stderr
    assert others(tmp_path, "codes.csv") == []


def test_score_writes_a_geopackage_named_dash_x(tmp_path):
    run = khanij("score", "--sample", "-o", "-x.gpkg", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert [layer for layer, _ in pyogrio.list_layers(tmp_path / "-x.gpkg")] == ["scores"]


@pytest.mark.parametrize("action, code", [(["publish", "{scores}"], 4), (["list"], 3)])
def test_a_review_store_that_is_a_fifo_is_refused(tmp_path, scores_path, action, code):
    """SQLite would open the FIFO and wait for ever for a page to read."""
    os.mkfifo(tmp_path / "review.gpkg")
    run = khanij("review", *[a.format(scores=scores_path) for a in action], "--db", str(tmp_path / "review.gpkg"),
                 timeout=60)
    assert_clean_error(run, code, "review.gpkg")
    assert "it is a FIFO" in run.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / "review.gpkg").st_mode) and others(tmp_path, "review.gpkg") == []
