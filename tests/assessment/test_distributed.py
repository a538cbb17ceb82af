"""Scoring on a Dask cluster (issue 14): the same table as one machine, to the last digit and word.

Every cluster here starts inside the test: in-process workers (no network at all) or worker
processes on the loopback interface.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from distributed import Client

from assessment.distributed import local_cluster, score_distributed
from assessment.score_inputs import read_layer
from assessment.scoring import score
from geo.errors import Cancelled
from geo.feedback import Feedback
from layers.atlas import sample_role_paths

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2025-06-01"


def assert_identical(single: gpd.GeoDataFrame, distributed: gpd.GeoDataFrame) -> None:
    assert isinstance(distributed, gpd.GeoDataFrame) and distributed.crs == single.crs
    pd.testing.assert_frame_equal(pd.DataFrame(distributed), pd.DataFrame(single), check_exact=True)


@pytest.fixture(scope="module")
def sample_layers():
    roles = sample_role_paths()
    blocks = read_layer(roles["blocks"], "blocks", polygons=True)
    deposits = read_layer(roles["deposits"], "deposits")
    return blocks, deposits, dict(
        forest=read_layer(roles["forest"], "forest", polygons=True),
        protected=read_layer(roles["protected_areas"], "protected areas", polygons=True),
        boundaries=read_layer(roles["boundaries"], "boundaries", polygons=True),
        infrastructure=[(Path(p).stem, read_layer(p, "infrastructure")) for p in roles["infrastructure"]],
        rasters=[(Path(p).stem, p) for p in roles["evidence"]], as_of=AS_OF)


@pytest.fixture(scope="module")
def threads_client():
    with local_cluster(2, processes=False) as cluster, Client(cluster) as client:
        yield client


def test_sample_atlas_on_a_cluster_is_identical_to_one_machine(sample_layers, threads_client):
    blocks, deposits, layers = sample_layers
    single = score(blocks, deposits, **layers)
    distributed = score_distributed(threads_client, blocks, deposits, partitions=5, **layers)
    assert_identical(single, distributed)
    assert distributed["explanation"].str.startswith("Block ").all()


def test_one_block_per_partition_gives_the_same_columns_and_types(sample_layers, threads_client):
    blocks, deposits, layers = sample_layers
    single = score(blocks, deposits, **layers)
    assert single["stage"].isna().any() and single["stage"].notna().any()  # partitions of None only
    assert_identical(single, score_distributed(threads_client, blocks, deposits, partitions=len(blocks), **layers))


def test_blocks_without_an_id_keep_their_number_in_the_users_layer(sample_layers, threads_client):
    blocks, deposits, layers = sample_layers
    anonymous = blocks.drop(columns=["block_id", "block_name"]).iloc[::-1]
    single = score(anonymous, deposits, **layers)
    distributed = score_distributed(threads_client, anonymous, deposits, partitions=7, **layers)
    assert_identical(single, distributed)
    assert distributed["explanation"].iloc[0].startswith("Block 1: ")


def _bench_score_module():
    spec = importlib.util.spec_from_file_location("bench_score", REPO / "bench" / "bench_score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def benchmark_data(tmp_path_factory):
    """The benchmark's synthetic data at scale 0.1: 1,000 blocks, 10,000 deposits, a 2529² raster."""
    blocks, deposits, forest, protected, stations, raster = _bench_score_module().make_data(
        tmp_path_factory.mktemp("bench"), 0.1)
    layers = dict(forest=forest, protected=protected, infrastructure=[("stations", stations)],
                  rasters=[("evidence", raster)], as_of=AS_OF)
    return blocks, deposits, layers, score(blocks, deposits, **layers)


def test_benchmark_data_at_scale_0_1_on_a_cluster_is_identical(benchmark_data, threads_client):
    blocks, deposits, layers, single = benchmark_data
    assert len(single) == 1000 and single["evidence_evidence_mean"].notna().sum() > 500
    distributed = score_distributed(threads_client, blocks, deposits, **layers)
    assert_identical(single, distributed)


def test_a_worker_killed_mid_run_is_retried_and_the_result_is_unchanged(benchmark_data):
    blocks, deposits, layers, single = benchmark_data
    with local_cluster(2) as cluster, Client(cluster) as client:
        answer = {}
        run = threading.Thread(target=lambda: answer.update(
            table=score_distributed(client, blocks, deposits, partitions=8, **layers)))
        run.start()
        victim = None
        while victim is None and run.is_alive():
            busy = [worker for worker, tasks in client.processing().items() if tasks]
            victim = busy[0] if busy else None
            time.sleep(0.05)
        assert victim is not None, "the run ended before any partition was seen running"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        run.join(timeout=600)
        assert not run.is_alive()
    assert_identical(single, answer["table"])


def test_cancel_stops_the_clusters_work(sample_layers, threads_client):
    blocks, deposits, layers = sample_layers
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Cancelled):
        score_distributed(threads_client, blocks, deposits, feedback=feedback, partitions=4, **layers)
    deadline = time.monotonic() + 30
    while threads_client.processing() and any(threads_client.processing().values()):
        assert time.monotonic() < deadline, "the cluster still runs the cancelled partitions"
        time.sleep(0.1)


def test_partitions_scored_here_give_the_same_table_and_stop_between_two_on_cancel(sample_layers):
    blocks, deposits, layers = sample_layers
    assert_identical(score(blocks, deposits, **layers), score_distributed(None, blocks, deposits, partitions=4, **layers))
    feedback = Feedback()
    seen = []
    feedback.progress = lambda fraction, message="": seen.append(message) or (
        feedback.cancel() if message.startswith("scored 1 of") else None)
    with pytest.raises(Cancelled):
        score_distributed(None, blocks, deposits, feedback=feedback, partitions=4, **layers)
    assert not any(message.startswith("scored 2 of") for message in seen)


def test_cli_dask_local_writes_the_same_table_and_ctrl_c_leaves_no_output(tmp_path):
    single, distributed = tmp_path / "single.gpkg", tmp_path / "dask.gpkg"
    khanij = [sys.executable, str(REPO / "main.py"), "score", "--sample", "--as-of", AS_OF]
    assert subprocess.run([*khanij, "-o", str(single)], capture_output=True).returncode == 0
    done = subprocess.run([*khanij, "--dask", "local:1", "-o", str(distributed)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(gpd.read_file(distributed), gpd.read_file(single), check_exact=True)

    interrupted = tmp_path / "interrupted.gpkg"
    process = subprocess.Popen([*khanij, "--dask", "local:1", "-o", str(interrupted)], stderr=subprocess.PIPE,
                               text=True)
    for line in process.stderr:
        if "spatial partitions" in line:
            process.send_signal(signal.SIGINT)
            break
    rest = process.communicate(timeout=120)[1]
    assert process.returncode == 130, rest
    assert "cancelled" in rest
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dask.gpkg", "single.gpkg"]


def test_cli_names_a_scheduler_that_does_not_answer(tmp_path, capsys):
    from main import main

    out = tmp_path / "x.gpkg"
    assert main(["score", "--sample", "--dask", "tcp://127.0.0.1:9", "-o", str(out)]) == 3
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err and not out.exists()


def test_local_clusters_listen_on_the_loopback_interface_only(threads_client):
    import psutil

    with local_cluster(1) as cluster, Client(cluster) as client:
        client.run(os.getpid)  # the worker process is up
        processes = [psutil.Process(), *psutil.Process().children(recursive=True)]
        listening = {(connection.laddr.ip, connection.laddr.port) for process in processes
                     for connection in process.net_connections(kind="inet") if connection.status == psutil.CONN_LISTEN}
    assert len(listening) >= 4  # scheduler, worker, and their HTTP endpoints (the in-process cluster's too)
    assert {ip for ip, _port in listening} == {"127.0.0.1"}
    assert 8787 not in {port for _ip, port in listening}
