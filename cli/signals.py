"""Ctrl-C, SIGTERM and SIGHUP while a command runs: the first cancels cooperatively, a second
unwinds at once, and a step stuck in a library call ends the process; no partial output is left.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Iterator, Optional

from geo.exit_codes import EXIT_CANCELLED


class Stopped(BaseException):
    """A second SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so every write in progress removes
    its temporary file (a BaseException, so ``except Exception`` clean-up code lets it through)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _on_stop_signal(signum: int, frame) -> None:
    """A first Ctrl-C, SIGTERM or SIGHUP cancels cooperatively: the next progress check raises
    ``Cancelled``, which unwinds every write in progress (removing its temporary file), and no
    write is put in place after it, even when a library would swallow an exception raised here
    or abort on it (PySide's start-up does both). A second one removes the partial outputs at once
    and unwinds from wherever the program is; after it the default action (ending the process)
    is back."""
    from geo.atomic import remove_partial_outputs
    from geo.feedback import request_stop, stop_requested

    if stop_requested() is None:
        request_stop(signum)
        return
    remove_partial_outputs()
    for number in STOP_SIGNALS:
        signal.signal(number, signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


STOP_ESCALATE_S = 2.0  # how long a stop signal waits for a progress check before it unwinds the program
STOP_GRACE_S = 5.0  # how long a step stuck in a library call may take to see a stop signal


@contextlib.contextmanager
def stop_signals_handled() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP handled as :func:`_on_stop_signal` says while a command runs
    (from the main thread; the previous handlers are restored after).

    Python runs a signal handler only between two steps of the main thread, never while it waits
    inside a library call (reading a FIFO blocks for ever). So a watchdog thread also hears
    each signal, through the wake-up file descriptor (:func:`_watchdog`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    early: list[int] = []  # signals that arrive while the handler's own modules load
    previous = {number: signal.signal(number, lambda signum, frame: early.append(signum)) for number in STOP_SIGNALS}
    finished = threading.Event()
    watchdog = None
    try:
        import geo.atomic  # noqa: F401 - loaded here, never inside the handler
        from geo.feedback import clear_stop, request_stop

        clear_stop()
        watchdog = _start_watchdog(finished)
        for number in STOP_SIGNALS:
            signal.signal(number, _on_stop_signal)
        for signum in early:
            request_stop(signum)
        yield
    finally:
        finished.set()
        for number, handler in previous.items():
            signal.signal(number, handler)
        if watchdog is not None:
            wake_write, previous_wakeup = watchdog
            signal.set_wakeup_fd(previous_wakeup)
            os.close(wake_write)  # the watchdog reads the end of the pipe and returns


def _start_watchdog(finished: threading.Event) -> Optional[tuple[int, int]]:
    """Start :func:`_watchdog` on a pipe that Python's C-level handler writes each signal to;
    returns the pipe's write end and the wake-up descriptor it replaced. POSIX only (Windows
    takes only a socket there, and has no SIGTERM to deliver to a console program)."""
    if os.name != "posix":
        return None
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    threading.Thread(target=_watchdog, args=(wake_read, finished), name="khanij-stop-watchdog", daemon=True).start()
    return wake_write, signal.set_wakeup_fd(wake_write)


def _watchdog(wake_read: int, finished: threading.Event) -> None:
    """After the first stop signal: if the command has not finished STOP_ESCALATE_S later (no
    progress check came, e.g. waiting for Dask workers), deliver the signal again to the main
    thread, which unwinds at once (:func:`_on_stop_signal`'s second case); if it still has not
    finished STOP_GRACE_S after the signal (stuck inside a library call), end the process."""
    import _thread

    from geo.atomic import remove_partial_outputs

    try:
        while True:
            received = os.read(wake_read, 1)
            if not received or finished.is_set():
                return
            signum = received[0]
            if signum in STOP_SIGNALS:
                break
        if finished.wait(STOP_ESCALATE_S):
            return
        _thread.interrupt_main(signum)
        if finished.wait(STOP_GRACE_S - STOP_ESCALATE_S):
            return
        remove_partial_outputs()
        name = signal.Signals(signum).name
        os.write(2, f"\nkhanij: stopped by {name}: a step did not answer within {STOP_GRACE_S:.0f} s; "
                    f"no partial output was left\n".encode())
        os._exit(128 + signum)
    finally:
        os.close(wake_read)


def stop_exit_code() -> int:
    """The exit code of a run stopped by a signal: 130 for Ctrl-C, 128 + the signal otherwise."""
    from geo.feedback import stop_requested

    signum = stop_requested()
    return EXIT_CANCELLED if signum in (None, signal.SIGINT) else 128 + signum

