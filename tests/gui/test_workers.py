"""Long work off the GUI thread: progress arrives as signals, Cancel really stops the work."""
from __future__ import annotations

import threading
import time

import pytest

from geo.errors import DataReadError
from gui.workers import Task, TaskProgress, TaskRunner


def _count_slowly(feedback, steps, seen):
    for step in range(steps):
        seen.append(step)
        feedback.progress((step + 1) / steps, f"step {step + 1} of {steps}")
        time.sleep(0.01)
    return len(seen)


def test_progress_and_result_arrive_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen: list[int] = []
    task = Task("Counting", _count_slowly, 5, seen)
    fractions: list[float] = []
    threads: set = set()
    task.progressed.connect(lambda fraction, _text: (fractions.append(fraction), threads.add(threading.get_ident())))
    with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
        runner.start(task)
    assert blocker.args == [5]
    qtbot.waitUntil(lambda: len(fractions) == 5)
    assert fractions[-1] == pytest.approx(1.0)
    assert threads == {threading.get_ident()}
    qtbot.waitUntil(lambda: not runner.active)


def test_cancel_from_the_status_bar_stops_the_work(qtbot):
    runner = TaskRunner()
    progress = TaskProgress()
    qtbot.addWidget(progress)
    seen: list[int] = []
    task = Task("Counting", _count_slowly, 10_000, seen)
    outcome: list[str] = []
    task.succeeded.connect(lambda _r: outcome.append("succeeded"))
    task.cancelled.connect(lambda: outcome.append("cancelled"))
    progress.follow(task)
    runner.start(task)
    assert progress.isVisibleTo(None) or not progress.isHidden()
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=5000)
    with qtbot.waitSignal(task.finished, timeout=5000):
        progress.cancel_button.click()
    assert outcome == ["cancelled"]
    stopped_at = len(seen)
    time.sleep(0.1)
    assert len(seen) == stopped_at < 10_000
    assert progress.isHidden()


def test_a_failure_is_reported_not_raised(qtbot):
    def fail(_feedback):
        raise DataReadError("broken.gpkg: not a GeoPackage")

    task = Task("Opening broken.gpkg", fail)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        TaskRunner().start(task)
    assert str(blocker.args[0]) == "broken.gpkg: not a GeoPackage"
