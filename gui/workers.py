"""Long work off the GUI thread: a task wraps a :class:`geo.feedback.Feedback` whose progress
callback emits a Qt signal, and whose Cancel really stops the work.

The work function is Qt-free and takes the feedback as its first argument; it calls
``feedback.progress(fraction, text)`` as it goes, which raises :class:`geo.errors.Cancelled` once
the user has cancelled. The task reports exactly one of ``succeeded(result)``, ``failed(exc)`` or
``cancelled()``, then ``finished()``; all are delivered on the GUI thread (queued signals).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from geo.errors import Cancelled
from geo.feedback import Feedback

WorkFunction = Callable[..., Any]


class Task(QObject):
    """One piece of long work run on the global thread pool.

    Parameters
    ----------
    title : str
        What the status bar says while it runs ("Opening deposits.gpkg").
    function : callable
        Called as ``function(feedback, *args, **kwargs)`` on a worker thread.
    produces : bool
        Also pass ``deliver=task.produce`` so the work can hand partial results to the GUI thread
        as it goes (``produced`` signal).
    """

    progressed = Signal(float, str)
    produced = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, title: str, function: WorkFunction, *args: Any, produces: bool = False, **kwargs: Any) -> None:
        super().__init__()
        self.title = title
        if produces:
            kwargs["deliver"] = self.produce
        self._call = (function, args, kwargs)
        self.feedback = Feedback(self._emit_progress)
        self.running = False

    def _emit_progress(self, fraction: float, text: str) -> None:
        self.progressed.emit(fraction, text)

    def produce(self, item: Any) -> None:
        """Hand one partial result to the GUI thread now (e.g. each file as it is loaded)."""
        self.produced.emit(item)

    def cancel(self) -> None:
        """Ask the work to stop; it stops at its next progress report or check."""
        self.feedback.cancel()

    def run_here(self) -> None:
        """Run the work in the calling thread and emit the outcome (the pool calls this)."""
        function, args, kwargs = self._call
        self.running = True
        try:
            result = function(self.feedback, *args, **kwargs)
            self.feedback.check()
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - the UI shows every failure and carries on
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.finished.emit()


def _shared_executor() -> ThreadPoolExecutor:
    """Long-lived Python worker threads shared by every runner.

    Python-made threads keep one Python thread state for their whole life. Qt's pooled threads
    get a fresh one per call, and pyproj keeps a PROJ context per Python thread state, so CRS
    objects made on a Qt pool thread crash the next read on that thread (seen with GeoPackages).
    """
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="khanij-worker")
    return _EXECUTOR


_EXECUTOR: ThreadPoolExecutor | None = None


class TaskRunner(QObject):
    """Starts tasks on worker threads and keeps them alive until they finish.

    ``active`` lists the running tasks; ``taskStarted`` / ``taskFinished`` let the status bar show
    and hide its progress bar.
    """

    taskStarted = Signal(object)
    taskFinished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active: list[Task] = []
        self._futures: list = []

    def start(self, task: Task) -> Task:
        self.active.append(task)
        task.finished.connect(lambda t=task: self._forget(t))
        self.taskStarted.emit(task)
        self._futures = [f for f in self._futures if not f.done()]
        self._futures.append(_shared_executor().submit(task.run_here))
        return task

    def _forget(self, task: Task) -> None:
        if task in self.active:
            self.active.remove(task)
        self.taskFinished.emit(task)

    def cancel_all(self) -> None:
        for task in list(self.active):
            task.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until this runner's work has stopped (used on quit, and by tests)."""
        _done, pending = wait(self._futures, timeout=None if msecs < 0 else msecs / 1000)
        return not pending


class TaskProgress(QWidget):
    """The status bar's progress bar, text and Cancel button for the current task."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setMinimumWidth(120)
        # The explicit minimum lets a long task title be cut rather than widen the window.
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(True)
        self.bar.setFormat("%p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this work; nothing half-done is kept")
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self._cancel)
        self._task: Task | None = None
        self.hide()

    @property
    def task(self) -> Task | None:
        return self._task

    def follow(self, task: Task) -> None:
        """Show this task's progress until it finishes."""
        self._task = task
        self.label.setText(task.title)
        self.label.setToolTip(task.title)
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        task.progressed.connect(self._on_progress)
        task.finished.connect(lambda t=task: self._on_finished(t))
        self.show()

    @Slot(float, str)
    def _on_progress(self, fraction: float, text: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if text:
            self.label.setText(text)

    def _cancel(self) -> None:
        if self._task is not None:
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")
            self._task.cancel()

    def _on_finished(self, task: Task) -> None:
        if task is self._task:
            self._task = None
            self.hide()
