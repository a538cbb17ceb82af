"""A small Qt-free progress-and-cancel object for long work (QGIS's ``QgsFeedback`` is the model).

Long functions (read, score, export) take ``feedback=None``; they call ``feedback.progress`` as
they go and ``feedback.check()`` between steps, which raises :class:`geo.errors.Cancelled` once
the user has asked to cancel. The GUI subclasses nothing: it passes a callback that emits a Qt
signal, and sets ``cancel()`` from the Cancel button. The CLI passes one that prints to stderr.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional

from geo.errors import Cancelled

ProgressCallback = Callable[[float, str], None]

_stop_signal: list[int] = []  # the signal that asked the whole process to stop, once one has


def request_stop(signum: int) -> None:
    """The process was asked to stop (Ctrl-C, SIGTERM): every feedback reports cancelled from now
    on, and no atomic write puts its file in place (:func:`check_stop`)."""
    if not _stop_signal:
        _stop_signal.append(signum)


def stop_requested() -> Optional[int]:
    """The signal number of a stop request, or None."""
    return _stop_signal[0] if _stop_signal else None


def clear_stop() -> None:
    """Forget a stop request (a new command starts)."""
    _stop_signal.clear()


def check_stop() -> None:
    """Raise :class:`Cancelled` once the process has been asked to stop."""
    if _stop_signal:
        raise Cancelled("interrupted: no output was written")


class Feedback:
    """Progress reporting and cooperative cancellation, safe to share between two threads.

    Parameters
    ----------
    on_progress : callable, optional
        Called as ``on_progress(fraction, text)`` with ``fraction`` in [0, 1].
    """

    def __init__(self, on_progress: Optional[ProgressCallback] = None,
                 on_warning: Optional[Callable[[str], None]] = None) -> None:
        self._on_progress = on_progress
        self._on_warning = on_warning
        self._cancelled = threading.Event()
        self._settled = threading.Event()
        self.fraction = 0.0
        self.text = ""
        self.warnings: list[str] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set() or stop_requested() is not None

    def cancel(self) -> None:
        self._cancelled.set()

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress; raises :class:`Cancelled` if the user has cancelled."""
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.text = text or self.text
        if self._on_progress is not None:
            self._on_progress(self.fraction, self.text)
        self.check()

    def warn(self, text: str) -> None:
        """Report something the user must know about a result that was still produced (QGIS's
        ``pushWarning``): kept in :attr:`warnings` and passed to ``on_warning``."""
        self.warnings.append(text)
        if self._on_warning is not None:
            self._on_warning(text)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user has asked to cancel (never once :meth:`settle` was called)."""
        if self._settled.is_set():
            return
        if self._cancelled.is_set():
            raise Cancelled("cancelled by the user")
        check_stop()

    def settle(self, text: str = "") -> None:
        """The work has stored its result for good (a committed transaction): a Cancel can undo
        nothing from now on, so neither :meth:`progress` nor :meth:`check` raises any more and
        the work ends as a success. :attr:`cancelled` still says whether the user asked, so the
        caller can say the Cancel came too late. ``text`` is reported at full progress.
        """
        self._settled.set()
        self.progress(1.0, text)

    def sub(self, start: float, end: float) -> "SubFeedback":
        """A view of this feedback mapping [0, 1] onto [start, end] of the parent's range."""
        return SubFeedback(self, start, end)


class SubFeedback(Feedback):
    """Part of a parent's progress range; cancelling either cancels both."""

    def __init__(self, parent: Feedback, start: float, end: float) -> None:
        super().__init__()
        self._parent = parent
        self._start, self._end = start, end
        self._cancelled, self._settled = parent._cancelled, parent._settled

    def progress(self, fraction: float, text: str = "") -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        self.fraction = fraction
        self._parent.progress(self._start + (self._end - self._start) * fraction, text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        self._parent.warn(text)


def ensure_feedback(feedback: Optional[Feedback]) -> Feedback:
    """The given feedback, or a silent one, so callees never test for None."""
    return feedback if feedback is not None else Feedback()
