"""Atomic writes: the target is replaced only by a complete file, never left half-written."""
import pytest

from geo.atomic import atomic_path, atomic_write_text
from geo.errors import DataWriteError


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_a_complete_write_replaces_the_target(tmp_path):
    target = tmp_path / "scores.csv"
    target.write_text("old", encoding="utf-8")
    atomic_write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert leftovers(tmp_path, {"scores.csv"}) == []


def test_the_temporary_name_keeps_the_suffix_and_folder(tmp_path):
    with atomic_path(tmp_path / "blocks.gpkg") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".gpkg" and not tmp.exists()
        tmp.write_bytes(b"x")


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, interruption):
    target = tmp_path / "dossier.pdf"
    target.write_bytes(b"previous dossier")
    with pytest.raises(type(interruption)):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half a doss")
            raise interruption
    assert target.read_bytes() == b"previous dossier"
    assert leftovers(tmp_path, {"dossier.pdf"}) == []


def test_nothing_written_is_an_error_and_leaves_no_file(tmp_path):
    with pytest.raises(DataWriteError, match="out.csv: nothing was written"):
        with atomic_path(tmp_path / "out.csv"):
            pass
    assert leftovers(tmp_path, set()) == []


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(DataWriteError, match="does not exist"):
        atomic_write_text(tmp_path / "no" / "such" / "out.csv", "x")


def test_a_target_that_is_a_folder_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "report.pdf"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(DataWriteError, match="report.pdf: cannot write: it is a folder"):
        atomic_write_text(folder, "x")
    assert (folder / "inside.txt").read_text(encoding="utf-8") == "keep"
    assert leftovers(tmp_path, {"report.pdf"}) == []
