"""``khanij review …`` on a GeoPackage and on PostgreSQL; the dossier and XLSX carry the decisions."""
from __future__ import annotations

import subprocess
import uuid

import openpyxl
import pytest

import main


def khanij(*args: str) -> int:
    return main.main(list(args))


def test_publish_list_decide_history_on_a_geopackage(tmp_path, scores_path, capsys, monkeypatch):
    monkeypatch.delenv("KHANIJ_REVIEW_DB", raising=False)
    db = str(tmp_path / "review.gpkg")
    assert khanij("review", "publish", str(scores_path), "--db", db, "--tranche", "JH-2026") == 0
    assert "35 blocks of scores.gpkg published as tranche 'JH-2026'" in capsys.readouterr().out
    assert khanij("review", "list", "--db", db) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("tranche JH-2026: 35 blocks") and "JH-CL-01" in listing
    assert khanij("review", "decide", "JH-CL-01", "needs information", "--based-on", "0", "--comment",
                  "2019 drilling logs?", "--db", db, "--reviewer", "ravi") == 0
    assert "needs information by ravi" in capsys.readouterr().out
    assert khanij("review", "decide", "JH-CL-01", "approved", "--based-on", "0", "--db", db, "--reviewer", "sita") == 3
    refused = capsys.readouterr().err
    assert refused.startswith("khanij: error: block JH-CL-01 was changed after you read it: needs information by ravi")
    assert "Traceback" not in refused
    assert khanij("review", "history", "JH-CL-01", "--db", db) == 0
    assert "JH-CL-01\tv1\tneeds information\travi" in capsys.readouterr().out


def test_list_without_a_store_says_how_to_make_one(tmp_path, capsys):
    assert khanij("review", "list", "--db", str(tmp_path / "none.gpkg")) == 3
    assert "no review store there yet; publish a scored tranche" in capsys.readouterr().err
    assert not (tmp_path / "none.gpkg").exists()


def test_decision_word_is_checked_by_the_command_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as usage:
        khanij("review", "decide", "B1", "maybe", "--based-on", "0", "--db", str(tmp_path / "r.gpkg"))
    assert usage.value.code == 2


@pytest.mark.postgres
def test_postgres_roles_through_the_command_line(review_db, scores_path, capsys):
    tranche = f"cli-{uuid.uuid4().hex[:8]}"
    owner, reviewer, viewer = (review_db.conninfo(u) for u in ("ana", "ravi", "meena"))
    assert khanij("review", "publish", str(scores_path), "--db", owner, "--tranche", tranche) == 0
    capsys.readouterr()
    assert khanij("review", "decide", "JH-CL-01", "approved", "--based-on", "0", "--db", viewer, "--tranche", tranche) == 3
    err = capsys.readouterr().err
    assert "refused to let meena decide" in err and "khanij_reviewer" in err and "Traceback" not in err
    assert khanij("review", "publish", str(scores_path), "--db", reviewer, "--tranche", tranche) == 3
    assert "khanij_owner" in capsys.readouterr().err
    assert khanij("review", "decide", "JH-CL-01", "approved", "--based-on", "0", "--db", reviewer, "--tranche", tranche) == 0
    assert "approved by ravi" in capsys.readouterr().out
    assert khanij("review", "list", "--db", viewer, "--tranche", tranche) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("JH-CL-01"))
    assert "approved" in row and "ravi" in row


def test_export_xlsx_carries_latest_decision_and_history(tmp_path, scores_path, capsys):
    db = str(tmp_path / "review.gpkg")
    out = tmp_path / "tranche.xlsx"
    khanij("review", "publish", str(scores_path), "--db", db, "--tranche", "T")
    khanij("review", "decide", "JH-CL-01", "needs information", "--based-on", "0", "--comment", "logs?", "--db", db,
           "--reviewer", "ravi")
    khanij("review", "decide", "JH-CL-01", "approved", "--based-on", "1", "--comment", "logs seen", "--db", db,
           "--reviewer", "sita")
    assert khanij("review", "export", "--db", db, "-o", str(out)) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["T", "Review history"]
    rows = list(book["T"].values)
    header = list(rows[0])
    for column in ("block_id", "readiness", "score", "gate_stage", "rules_sha256", "explanation", "review_decision",
                   "review_by", "review_history"):
        assert column in header
    block = next(r for r in rows[1:] if r[header.index("block_id")] == "JH-CL-01")
    assert (block[header.index("review_decision")], block[header.index("review_by")]) == ("approved", "sita")
    assert block[header.index("review_history")].startswith('needs information by ravi on ')
    other = next(r for r in rows[1:] if r[header.index("block_id")] != "JH-CL-01")
    assert other[header.index("review_decision")] is None
    history = list(book["Review history"].values)
    assert [r[2] for r in history[1:]] == ["needs information", "approved"]
    assert len(rows) == 36


def test_dossier_shows_the_review_decisions(tmp_path, scores_path, capsys):
    db = str(tmp_path / "review.gpkg")
    khanij("review", "publish", str(scores_path), "--db", db, "--tranche", "T")
    khanij("review", "decide", "JH-CL-01", "rejected", "--based-on", "0", "--comment", "state gate doubtful", "--db", db,
           "--reviewer", "ravi")
    pdf = tmp_path / "dossier.pdf"
    assert khanij("report", str(scores_path), "--block", "JH-CL-01", "--review-db", db, "-o", str(pdf)) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    section = text[text.index("Review decisions"):]
    assert "rejected" in section and "ravi" in section and "state gate doubtful" in section
