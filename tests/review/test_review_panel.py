"""The Review panel on a real review store: list, decide, history, a stale version, a refusal."""
from __future__ import annotations

import uuid

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt

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
    assert panel.run_label.text().startswith(f"Scores: run 1 of JH-2026: rules {scores['rules_version'].iloc[0]} ")
    panel.select_block("JH-CL-01")
    panel.decision_box.setCurrentText("needs information")
    panel.comment_edit.setPlainText("Where are the 2019 drilling logs?")
    panel.decide_button.click()
    row = row_of(panel, "JH-CL-01")
    assert (cell(panel.blocks_table, row, "Decision"), cell(panel.blocks_table, row, "Version")) == ("needs information", "1")
    assert panel.history_table.rowCount() == 1
    assert cell(panel.history_table, 0, "Comment") == "Where are the 2019 drilling logs?"
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
    assert cell(panel.history_table, 0, "Comment") == "outside the state"
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


@pytest.mark.postgres
def test_a_reviewer_publishing_is_refused_in_words(qtbot, panel, review_db, scores_path):
    open_in(qtbot, panel, review_db.conninfo("ravi"))
    task = panel.publish(str(scores_path), f"by-ravi-{uuid.uuid4().hex[:8]}")
    with qtbot.waitSignal(task.finished, timeout=60000):
        pass
    message = panel.message.text()
    assert message.startswith("Not published: ") and "refused to let ravi publish" in message
    assert "khanij_owner" in message and "Traceback" not in message
    assert panel.publish_button.isEnabled()


@pytest.mark.postgres
def test_a_project_keeps_the_connection_but_never_the_password(qtbot, review_db, tmp_path):
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    window = MainWindow()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.review.storeChanged, timeout=20000):
        window.review.open(review_db.conninfo("ravi") + " password=s3cret")
    project = tmp_path / "shared.khanij"
    assert window.write_project(project)
    saved = project.read_text(encoding="utf-8")
    assert "s3cret" not in saved and "user=ravi" in saved

    second = MainWindow()
    qtbot.addWidget(second)
    with qtbot.waitSignal(second.review.storeChanged, timeout=30000):
        second.open_project(str(project))
    assert second.review.store.user == "ravi"
    for each in (window, second):
        each.runner.wait(20000)
        each.review.close_store()


def publish_cancelled_at(qtbot, panel, scores_path, tranche: str, when: str):
    """Publish, pressing Cancel (what the status bar's button does) when the progress reads ``when``."""
    task = panel.publish(str(scores_path), tranche)
    task.progressed.connect(lambda _fraction, text: task.cancel() if text.startswith(when) else None,
                            Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(task.finished, timeout=60000):
        pass
    return task


def test_a_cancel_after_the_publish_was_stored_says_what_was_recorded(qtbot, panel, tmp_path, scores_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ana", create=True):
        pass
    open_in(qtbot, panel, path)
    publish_cancelled_at(qtbot, panel, scores_path, "JH-early", "writing")
    assert panel.message.text() == "Publishing cancelled: tranche JH-early was not changed."
    assert [t.name for t in panel.store.tranches()] == []

    publish_cancelled_at(qtbot, panel, scores_path, "JH-late", "tranche JH-late stored")
    assert panel.message.text() == (f"Published {len(scores):,} blocks of {scores_path.name} as tranche JH-late. "
                                    "The Cancel came after the tranche was stored: nothing was cancelled.")
    assert [t.name for t in panel.store.tranches()] == ["JH-late"]
    assert panel.current_tranche() == "JH-late" and panel.blocks_table.rowCount() == len(scores)
