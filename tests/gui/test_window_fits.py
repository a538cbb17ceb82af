"""The window fits the screen: usable at 1024×700 (the readiness panel tabs with the layers),
no growth after scoring or a long progress text, and the map repaints on the same event as a
wheel zoom, a drag pan or a layer removal (no mouse move needed)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.main_window import COMPACT_WIDTH_PX
from gui.workers import Task


@pytest.fixture
def small_window(qtbot, atlas_window):
    atlas_window.resize(1024, 700)
    qtbot.waitUntil(lambda: atlas_window.width() == 1024)
    return atlas_window


def test_at_1024_by_700_the_panels_tab_and_the_map_keeps_half_the_width(qtbot, small_window):
    win = small_window
    assert win.width() == 1024 and win.height() == 700 < COMPACT_WIDTH_PX
    assert win.readiness_dock in win.tabifiedDockWidgets(win.layers_dock)
    assert win.canvas.width() >= 480
    assert win.toolBarBreak(win.states_toolbar) and win.state_picker.isVisible()
    assert win.minimumSizeHint().width() <= 1024 and win.minimumSizeHint().height() <= 700


def test_scoring_and_a_long_progress_text_do_not_grow_the_window(qtbot, small_window):
    win = small_window
    panel = win.readiness
    with qtbot.waitSignal(panel.scored, timeout=120000):
        panel.run()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    QApplication.processEvents()
    assert (win.width(), win.height()) == (1024, 700)
    title = "Reading " + "a very long file name " * 30
    task = Task(title, lambda feedback: feedback.progress(0.5, title * 2))
    with qtbot.waitSignal(task.finished, timeout=10000):
        win.runner.start(task)
    QApplication.processEvents()
    assert (win.width(), win.height()) == (1024, 700)
    assert win.minimumSizeHint().width() <= 1024


def _repaints(qtbot, canvas, action) -> None:
    """``action`` leads to a finished paint without any further input."""
    with qtbot.waitSignal(canvas.rendered, timeout=5000):
        action()


def test_the_map_repaints_on_the_same_event_as_a_wheel_zoom_a_pan_and_a_removal(qtbot, small_window):
    canvas = small_window.canvas
    qtbot.waitUntil(lambda: canvas.redraw_count > 0, timeout=5000)
    viewport = canvas.view.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    before = canvas.extent()

    def wheel():
        event = QWheelEvent(centre, viewport.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(viewport, event)
    _repaints(qtbot, canvas, wheel)
    zoomed = canvas.extent()
    assert zoomed[2] - zoomed[0] < before[2] - before[0]

    def drag():
        start = centre.toPoint()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for step in range(1, 6):
            QTest.mouseMove(viewport, start + QPoint(20 * step, 0))
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(100, 0))
    _repaints(qtbot, canvas, drag)
    assert canvas.extent()[0] < zoomed[0]

    forest = small_window.layer_list.find("Forest (illustrative)")
    _repaints(qtbot, canvas, lambda: small_window.layer_list.remove(forest))
    assert forest.id not in canvas._items
