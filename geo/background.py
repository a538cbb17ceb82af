"""Heavy work in a second process while this one goes on: on a 2-core workstation, zonal
statistics (exactextract, which holds the GIL for much of its run) then overlap the vector
analysis instead of following it. Cancelling stops the worker at once.
"""
from __future__ import annotations

import importlib
import multiprocessing
from multiprocessing.pool import AsyncResult
from typing import Any, Callable, Optional

from geo.feedback import Feedback

POLL_SECONDS = 0.1


def _import(module: str) -> None:
    importlib.import_module(module)


class Pending:
    """The answer of one call submitted to a :class:`BackgroundWorker`."""

    def __init__(self, pending: AsyncResult) -> None:
        self._pending = pending

    def result(self, feedback: Feedback) -> Any:
        """Wait for the answer, checking ``feedback`` for a cancel; the worker's exception is re-raised.

        Raises
        ------
        geo.errors.Cancelled
            The user cancelled while waiting (close the worker to stop it).
        """
        while True:
            try:
                return self._pending.get(timeout=POLL_SECONDS)
            except multiprocessing.TimeoutError:
                feedback.check()


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
        self._pool = multiprocessing.get_context("forkserver").Pool(1)
        if warm_up:
            self._pool.apply_async(_import, (warm_up,))

    def submit(self, function: Callable[..., Any], *args: Any) -> Pending:
        """Queue ``function(*args)`` in the worker; calls run one after another."""
        return Pending(self._pool.apply_async(function, args))

    def close(self) -> None:
        """Stop the worker (at once, if it is still running)."""
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> "BackgroundWorker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
