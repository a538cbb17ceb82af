"""Timing helpers shared by the benchmark scripts (run from the repository: python bench/bench_x.py)."""
from __future__ import annotations

import time
from typing import Callable


def best_of(function: Callable[[], object], repeats: int) -> float:
    """Shortest wall time of ``repeats`` calls of ``function``, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)
