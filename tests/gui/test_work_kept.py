"""Work is never lost silently: Quit asks when there are unsaved changes; scores and converted
columns are saved beside the project and come back; Ctrl+Z / Ctrl+Shift+Z undo and redo layer
operations, style, role and scoring set-up changes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from layers.style import SingleStyle

from gui.main_window import MainWindow


@pytest.fixture
def window(atlas_window):
    return atlas_window


def answer_next_box(button: QMessageBox.StandardButton, seen: list) -> None:
    """Click ``button`` on the message box the window is about to show (as the user would)."""
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()
    QTimer.singleShot(20, click)


def test_quit_asks_when_there_are_unsaved_changes(qtbot, window):
    assert not window.unsaved and window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.layer_list[0].visible = False
    assert window.unsaved and window.windowTitle().split(" — ")[1].endswith("*")
    seen: list = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    assert window.quit() is False
    assert window.isVisible() and seen and "unsaved changes" in seen[0]
    answer_next_box(QMessageBox.StandardButton.Discard, seen)
    assert window.quit() is True
    assert not window.isVisible()


def test_quit_without_changes_does_not_ask(qtbot, window):
    assert window.quit() is True and not window.isVisible()


def test_scores_and_converted_columns_come_back_with_the_project(qtbot, window, tmp_path, settings_dir):
    deposits = window.layer_list.find("Deposits (illustrative)")
    window.layer_tree.set_current_layer(deposits)
    converter = window.open_converter()
    page = converter.column
    page.layer.setCurrentIndex(page.layer.findData(deposits))
    page.column.setCurrentIndex(page.column.findText("unfc"))
    with qtbot.waitSignal(page.columnsAdded):
        page.run.click()
    converted = deposits.data["unfc_to"].tolist()
    panel = window.readiness
    with qtbot.waitSignal(panel.scored, timeout=120000):
        panel.run()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    project = tmp_path / "work.khanij"
    assert window.write_project(project)
    assert (tmp_path / "work.data.gpkg").exists() and not window.unsaved

    again = MainWindow()
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.loadFinished, timeout=60000):
        again.open_paths([str(project)])
    reopened = again.layer_list.find("Deposits (illustrative)")
    assert reopened.data["unfc_to"].tolist() == converted
    scores = again.readiness.scores_layer
    assert scores is not None and again.readiness.model.rowCount() == panel.model.rowCount()
    assert scores.data["score"].tolist() == panel.scores_layer.data["score"].tolist()
    assert not again.readiness.out_of_date and not again.unsaved


def test_undo_and_redo_a_removal_a_style_a_role_and_a_setup_change(qtbot, window):
    layers = window.layer_list
    names = [layer.name for layer in layers]
    forest = layers.find("Forest (illustrative)")
    focus = window.canvas
    layers.remove(forest)
    assert forest not in list(layers)
    QTest.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [layer.name for layer in layers] == names
    QTest.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert forest not in list(layers)
    window.undo_action.trigger()
    assert [layer.name for layer in layers] == names

    before = forest.style.to_dict()
    forest.style = SingleStyle(colour="#ff0000")
    forest.role = "boundaries"
    assert [window.undo_stack.text(i) for i in range(window.undo_stack.count())] == [
        "Style of Forest (illustrative)", "Role of Forest (illustrative)"]
    window.undo_action.trigger()
    assert forest.role == "forest"
    window.undo_action.trigger()
    assert forest.style.to_dict() == before
    window.redo_action.trigger()
    assert forest.style.colour == "#ff0000"

    panel = window.readiness
    panel.choose_layer("forest", None)
    assert panel.chosen_layer("forest") is None
    window.undo_action.trigger()
    assert panel.chosen_layer("forest") is forest
    assert "Scoring set-up" in window.redo_action.text() or "forest" in window.redo_action.text()


def test_the_scores_layer_is_not_an_undo_step(qtbot, window):
    panel = window.readiness
    count = window.undo_stack.count()
    with qtbot.waitSignal(panel.scored, timeout=120000):
        panel.run()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    assert window.undo_stack.count() == count


def test_undoing_the_removal_of_the_scores_layer_relinks_it_as_the_results(qtbot, window):
    panel = window.readiness
    with qtbot.waitSignal(panel.scored, timeout=120000):
        panel.run()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    scores, key, blocks, message = panel.scores_layer, panel.scored_key, panel.scored_blocks, panel.message.text()
    panel.table.sortByColumn(panel.model.column_index("block_name"), Qt.SortOrder.AscendingOrder)
    first_row = [panel.model.value(0, column) for column in range(panel.model.columnCount())]
    menu = window.layer_tree.layer_menu(scores)
    next(action for action in menu.actions() if action.text() == "Remove layer").trigger()
    assert panel.scores_layer is None and panel.model.rowCount() == 0 and "was removed" in panel.message.text()

    window.undo_action.trigger()
    assert any(layer is scores for layer in window.layer_list)
    assert (panel.scores_layer, panel.scored_key, panel.scored_blocks) == (scores, key, blocks)
    assert panel.model.rowCount() == len(scores.data) and panel.message.text() == message
    assert [panel.model.value(0, column) for column in range(panel.model.columnCount())] == first_row
    assert not panel.out_of_date and not panel.out_of_date_label.isVisible()
    panel.select_position(3)
    assert list(window.canvas.selection(scores)) == [3]

    window.redo_action.trigger()
    assert panel.scores_layer is None and panel.model.rowCount() == 0 and "was removed" in panel.message.text()
    window.undo_action.trigger()
    assert panel.scores_layer is scores and panel.scored_key == key
    window.open_table(scores)
    assert not window.table.note.isVisible()
    panel.as_of_edit.setDate(panel.as_of_edit.date().addYears(-3))
    assert panel.out_of_date and window.table.note.isVisible()   # the relinked results follow the set-up
