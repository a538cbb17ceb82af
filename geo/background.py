"""Heavy work in a second process while this one goes on: on a 2-core workstation, zonal
statistics (exactextract, which holds the GIL for much of its run) then overlap the vector
analysis instead of following it. Cancelling stops the worker at once; a worker that dies (killed,
or out of memory) is reported, never waited for.
"""
from __future__ import annotations

import importlib
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Optional

from geo.errors import KhanijError
from geo.feedback import Feedback

POLL_SECONDS = 0.1


def _import(module: str) -> None:
    importlib.import_module(module)


class WorkerLost(KhanijError, RuntimeError):
    """The worker process stopped before answering (it was killed, or ran out of memory)."""


class Pending:
    """The answer of one call submitted to a :class:`BackgroundWorker`."""

    def __init__(self, pending: Future, what: str) -> None:
        self._pending, self._what = pending, what

    def result(self, feedback: Feedback) -> Any:
        """Wait for the answer, checking ``feedback`` for a cancel; the worker's exception is re-raised.

        Raises
        ------
        geo.errors.Cancelled
            The user cancelled while waiting (close the worker to stop it).
        WorkerLost
            The worker process died before answering.
        """
        while True:
            try:
                return self._pending.result(timeout=POLL_SECONDS)
            except FutureTimeout:
                feedback.check()
            except BrokenProcessPool:
                raise WorkerLost(f"the worker process running {self._what} stopped before answering (it was "
                                 "killed, or the machine ran out of memory); nothing was written, run it again") from None


class BackgroundWorker:
    """One worker process, started at once so its imports overlap the caller's own work.

    The process is started by the ``forkserver`` method: a clean interpreter, never a fork of a
    process that runs Qt threads. Submitted functions and arguments must be picklable
    (module-level functions, GeoSeries, paths). Use as a context manager, or call :meth:`close`,
    so the worker never outlives the caller.

    Parameters
    ----------
    warm_up : str, optional
        A module the worker imports straight away (e.g. ``"geo.zonal"``).

    Examples
    --------
    >>> with BackgroundWorker() as worker:   # doctest: +SKIP
    ...     worker.submit(sum, [1, 2, 3]).result(Feedback())
    6
    """

    def __init__(self, warm_up: Optional[str] = None) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
        if warm_up:
            self._pool.submit(_import, warm_up)

    def submit(self, function: Callable[..., Any], *args: Any) -> Pending:
        """Queue ``function(*args)`` in the worker; calls run one after another."""
        return Pending(self._pool.submit(function, *args), getattr(function, "__name__", "a job"))

    def close(self) -> None:
        """Stop the worker (at once, if it is still running)."""
        # What Python 3.14's ProcessPoolExecutor.terminate_workers() does; 3.11 has only shutdown(),
        # which waits for the running call to finish.
        processes = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()

    def __enter__(self) -> "BackgroundWorker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
