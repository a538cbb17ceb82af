"""A worker process for heavy work beside the caller: answers, errors and a cancel that stops it."""
import time

import pytest

from geo.background import BackgroundWorker
from geo.errors import Cancelled, DataReadError
from geo.feedback import Feedback
from geo.zonal import zonal_stats


def test_answers_come_back_in_order():
    with BackgroundWorker(warm_up="geo.zonal") as worker:
        first, second = worker.submit(sum, [1, 2, 3]), worker.submit(max, [4, 9, 2])
        assert (first.result(Feedback()), second.result(Feedback())) == (6, 9)


def test_the_workers_error_is_raised_here_with_its_message(external, tmp_path):
    import geopandas as gpd
    from shapely import box

    polygons = gpd.GeoSeries([box(14321900, 4532500, 14322000, 4532600)], crs="EPSG:3857")
    corrupt = external / "rasterio-testdata" / "tests" / "data" / "corrupt.tif"
    with BackgroundWorker() as worker:
        with pytest.raises(DataReadError, match="corrupt.tif"):
            worker.submit(zonal_stats, polygons, str(corrupt), ("mean",)).result(Feedback())


def test_cancel_while_waiting_stops_the_worker():
    feedback = Feedback()
    worker = BackgroundWorker()
    pending = worker.submit(time.sleep, 60)
    started = time.perf_counter()
    feedback.cancel()
    with pytest.raises(Cancelled):
        pending.result(feedback)
    worker.close()
    assert time.perf_counter() - started < 10


def test_a_worker_killed_mid_call_is_reported_not_waited_for():
    import os
    import signal

    from geo.background import WorkerLost

    with BackgroundWorker() as worker:
        pid = worker.submit(os.getpid).result(Feedback())
        pending = worker.submit(time.sleep, 60)
        os.kill(pid, signal.SIGKILL)
        started = time.perf_counter()
        with pytest.raises(WorkerLost, match="sleep stopped before answering"):
            pending.result(Feedback())
    assert time.perf_counter() - started < 10
