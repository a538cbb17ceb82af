"""The Review panel on a real review store: list, decide, history, a stale version, a refusal."""
from __future__ import annotations

import uuid

import geopandas as gpd
import pytest

from layers.review import open_store

from gui.review_panel import PostgresDialog, ReviewPanel
from gui.workers import TaskRunner


@pytest.fixture(scope="module")
def scores(scores_path):
    return gpd.read_file(scores_path)


@pytest.fixture
def panel(qtbot):
    runner = TaskRunner()
    widget = ReviewPanel(runner)
    qtbot.addWidget(widget)
    widget.resize(620, 820)
    widget.show()
    yield widget
    runner.wait(20000)
    widget.close_store()


def open_in(qtbot, panel, target) -> None:
    with qtbot.waitSignal(panel.storeChanged, timeout=20000):
        panel.open(str(target))


def cell(table, row: int, heading: str) -> str:
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return table.item(row, headings.index(heading)).text()


def row_of(panel, block_id: str) -> int:
    return next(r for r in range(panel.blocks_table.rowCount()) if cell(panel.blocks_table, r, "Block") == block_id)


def test_lists_blocks_records_a_decision_and_shows_history(qtbot, panel, tmp_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ana", create=True) as owner:
        owner.publish(scores, "JH-2026")
    open_in(qtbot, panel, path)
    assert panel.tranche_box.currentData() == "JH-2026"
    assert panel.blocks_table.rowCount() == len(scores)
    best = scores.loc[scores["score"].idxmax()]
    assert cell(panel.blocks_table, 0, "Block") == best["block_id"]
    assert cell(panel.blocks_table, 0, "Decision") == "—"
    panel.select_block("JH-CL-01")
    panel.decision_box.setCurrentText("needs information")
    panel.comment_edit.setPlainText("Where are the 2019 drilling logs?")
    panel.decide_button.click()
    row = row_of(panel, "JH-CL-01")
    assert (cell(panel.blocks_table, row, "Decision"), cell(panel.blocks_table, row, "Version")) == ("needs information", "1")
    assert panel.history_table.rowCount() == 1
    assert panel.history_table.item(0, 4).text() == "Where are the 2019 drilling logs?"
    assert panel.message.text().startswith("Recorded: JH-CL-01 needs information by")
    assert panel.comment_edit.toPlainText() == ""


def test_a_stale_decision_is_refused_shown_and_can_be_made_again(qtbot, panel, tmp_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ana", create=True) as owner:
        owner.publish(scores, "T")
    open_in(qtbot, panel, path)
    panel.select_block("JH-CL-01")
    with open_store(path, user="sita") as other:
        other.decide("T", "JH-CL-01", "rejected", "outside the state", based_on=0)
    panel.decision_box.setCurrentText("approved")
    panel.comment_edit.setPlainText("looks fine")
    panel.decide_button.click()
    message = panel.message.text()
    assert message.startswith("Not recorded: block JH-CL-01 was changed after you read it: rejected by sita")
    assert panel.comment_edit.toPlainText() == "looks fine"
    row = row_of(panel, "JH-CL-01")
    assert (cell(panel.blocks_table, row, "Decision"), cell(panel.blocks_table, row, "Reviewer")) == ("rejected", "sita")
    assert panel.history_table.item(0, 4).text() == "outside the state"
    panel.decide_button.click()
    assert cell(panel.blocks_table, row_of(panel, "JH-CL-01"), "Version") == "2"
    panel.grab().save(str(tmp_path / "review_panel.png"))
    assert (tmp_path / "review_panel.png").stat().st_size > 10_000


@pytest.mark.postgres
def test_a_read_only_user_sees_the_refusal_in_words(qtbot, panel, review_db, scores):
    tranche = f"gui-{uuid.uuid4().hex[:8]}"
    with open_store(review_db.conninfo("ana")) as owner:
        owner.publish(scores, tranche)
    open_in(qtbot, panel, review_db.conninfo("meena"))
    assert "you are <b>meena</b>" in panel.store_label.text()
    panel.refresh(tranche)
    panel.select_block("JH-CL-01")
    panel.decide_button.click()
    assert panel.message.text().startswith("Not recorded: ")
    assert "refused to let meena decide" in panel.message.text() and "khanij_reviewer" in panel.message.text()
    assert cell(panel.blocks_table, row_of(panel, "JH-CL-01"), "Version") == "0"


def test_a_store_that_cannot_be_opened_is_explained(qtbot, panel, tmp_path):
    with qtbot.waitSignal(panel.runner.taskFinished, timeout=20000):
        panel.open(str(tmp_path / "missing.gpkg"))
    assert "no review store there yet" in panel.message.text()
    assert not panel.publish_button.isEnabled()


def test_connection_dialog_keeps_no_password(qtbot):
    dialog = PostgresDialog(last="host=db.example port=5433 dbname=review user=ravi")
    qtbot.addWidget(dialog)
    assert dialog.fields["host"].text() == "db.example" and dialog.fields["user"].text() == "ravi"
    dialog.password.setText("s3cret")
    assert "password=s3cret" in dialog.conninfo()
    assert "s3cret" not in dialog.conninfo(with_password=False)
