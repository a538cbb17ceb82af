"""Scoring partitioned on a Dask cluster (``khanij score --dask``), identical to one machine's run.

The layers are prepared once here, exactly as :func:`assessment.scoring.score` prepares them (one
working CRS, repairs, the run's notes), and the deposits are assigned to blocks once: the rule "a
deposit on a shared boundary counts in the first block of the layer" needs the whole layer. Then:

- the blocks are cut into spatial partitions along their Hilbert curve (dask-geopandas), so each
  partition is a compact patch of the map; a partition carries its blocks, the deposits counted in
  them and each block's position in the user's layer (for "Block 12" labels);
- the constraint layers (forest, protected areas, boundaries, infrastructure) are broadcast: one
  copy per worker, since the nearest protected area or station of a block may lie anywhere;
- each partition's zonal statistics read the rasters through exactextract, which reads only the
  raster windows under that partition's blocks, at most 16 M cells at a time, never the whole
  raster; the evidence percentiles are taken among the raster's valid pixels (the same
  decimated sample on every worker), so they are global;
- every partition runs :func:`assessment.scoring.score_prepared`, gates to explanations, on its
  worker; the rows come back in the user's order.

Dask retries a partition whose worker died; cancelling (the feedback, or Ctrl-C) cancels every
pending partition before the error propagates, so nothing is written.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
import os
import re
from typing import Iterable, Iterator, Optional

import geopandas as gpd
import numpy as np
import pandas as pd

from assessment.criteria import Context
from assessment.rules import Rules, load_rules
from assessment.scoring import parse_as_of, prepare, score_prepared
from geo.errors import KhanijError
from geo.feedback import Feedback, ensure_feedback

#: Blocks per partition: large enough that a task's overhead is small, small enough that a 2-worker
#: cluster has several partitions each to balance (and to retry after a lost worker).
BLOCKS_PER_PARTITION = 2_000
PARTITIONS_PER_WORKER = 4
#: Blocks per partition scored in this process (no client): few partitions, so their overhead stays
#: small, each small enough that its working memory is a fraction of a national screen's.
BLOCKS_PER_LOCAL_PARTITION = 20_000
POLL_SECONDS = 0.2
CONNECT_TIMEOUT = "10s"
_LOCAL = re.compile(r"^local(?::(\d+))?$")


class ClusterError(KhanijError, ValueError):
    """The ``--dask`` option names no usable cluster (exit code 3, one line naming the address)."""


@dataclasses.dataclass
class Partition:
    """One spatial partition: its blocks as the user gave them and as prepared, their deposits."""

    numbers: np.ndarray          # 1-based positions of the blocks in the user's layer
    blocks: gpd.GeoDataFrame     # the user's rows
    prepared: gpd.GeoDataFrame   # the same rows in the working CRS, repaired
    area_ha: np.ndarray
    deposits: gpd.GeoDataFrame
    deposit_block: np.ndarray    # per deposit, the position of its block in this partition


def score_distributed(client, blocks: gpd.GeoDataFrame, deposits: Optional[gpd.GeoDataFrame], forest=None,
                      protected=None, infrastructure: Iterable = (), rasters: Iterable = (),
                      rules: Rules | os.PathLike | str | None = None, feedback: Optional[Feedback] = None, *,
                      boundaries: Optional[gpd.GeoDataFrame] = None, as_of: datetime.date | str | None = None,
                      partitions: Optional[int] = None) -> gpd.GeoDataFrame:
    """:func:`assessment.scoring.score` run in spatial partitions on the Dask ``client``'s cluster.

    Parameters are those of :func:`assessment.scoring.score`, plus the client and ``partitions``
    (default: about :data:`BLOCKS_PER_PARTITION` blocks each, at least
    :data:`PARTITIONS_PER_WORKER` per worker). The result is the same table, row for row and value
    for value. Without a client (None) the partitions are scored one after another in this
    process: the same table, with the peak memory of one partition's work instead of the whole
    layer's (a national screen of 150,000 cells).

    Raises
    ------
    Cancelled
        The feedback was cancelled; the cluster's pending work is cancelled first.
    """
    import dask

    feedback = ensure_feedback(feedback)
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    as_of = parse_as_of(as_of) if as_of is not None else rules.as_of
    feedback.progress(0.0, "preparing the layers")
    ctx, notes = prepare(blocks, deposits, forest, protected, infrastructure, list(rasters), rules, boundaries, as_of)
    workers = len(client.scheduler_info()["workers"]) if client is not None else 1
    count = partitions or _partition_count(len(blocks), workers)
    feedback.progress(0.05, f"splitting {len(blocks):,} blocks into {count} spatial partitions")
    if client is None:
        tables = _score_here(ctx, blocks, count, notes, feedback.sub(0.05, 0.98))
    else:
        shared = dask.delayed(_without_blocks(ctx), traverse=False)
        tasks = [dask.delayed(_score_partition, pure=True)(part, shared, notes)
                 for part in _partitions(ctx, blocks, count)]
        futures = client.compute(tasks)
        try:
            tables = _gather(client, futures, feedback.sub(0.05, 0.98))
        except BaseException:
            client.cancel(futures)
            raise
    order = np.argsort(np.concatenate([numbers for numbers, _ in tables]), kind="stable")
    table = _inferred_as_one(pd.concat([t for _, t in tables]).iloc[order], [t for _, t in tables])
    feedback.progress(1.0, "scored")
    return gpd.GeoDataFrame(table, geometry=blocks.geometry.name, crs=blocks.crs)


def _inferred_as_one(table: pd.DataFrame, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``table`` with the dtype of each column that differs between ``parts`` inferred again from
    all its values, as one run infers it (a partition whose blocks all lack a stage holds None
    only, an object column, where the whole layer's column is text)."""
    for column in table.columns:
        if len({str(part[column].dtype) for part in parts}) > 1:
            table[column] = table[column].infer_objects()
    return table


def _partition_count(n_blocks: int, n_workers: int) -> int:
    wanted = max(int(np.ceil(n_blocks / BLOCKS_PER_PARTITION)), PARTITIONS_PER_WORKER * max(1, n_workers))
    return max(1, min(n_blocks, wanted))


def _partitions(ctx: Context, blocks: gpd.GeoDataFrame, count: int) -> Iterator[Partition]:
    """The blocks in ``count`` runs along their Hilbert curve (blocks without a geometry last)."""
    import dask_geopandas

    placed = ctx.placed
    distance = np.full(ctx.n_blocks, np.iinfo(np.int64).max, dtype=np.int64)
    if placed.any():
        located = dask_geopandas.from_geopandas(gpd.GeoDataFrame(geometry=ctx.blocks.geometry[placed]), npartitions=1)
        distance[placed] = located.hilbert_distance(total_bounds=ctx.blocks.geometry[placed].total_bounds).compute(
            scheduler="sync").to_numpy()
    local = np.full(ctx.n_blocks, -1, dtype=np.int64)
    for positions in np.array_split(np.argsort(distance, kind="stable"), count):
        positions = np.sort(positions)
        local[positions] = np.arange(len(positions))
        counted = np.flatnonzero(np.isin(ctx.deposit_block, positions))
        yield Partition(numbers=positions + 1, blocks=blocks.iloc[positions], prepared=ctx.blocks.iloc[positions],
                        area_ha=ctx.area_ha[positions],
                        deposits=ctx.deposits.iloc[counted].reset_index(drop=True),
                        deposit_block=local[ctx.deposit_block[counted]])


def _without_blocks(ctx: Context) -> Context:
    """The run's context minus its blocks and deposits: what every partition shares."""
    return dataclasses.replace(ctx, blocks=ctx.blocks.iloc[:0], area_ha=ctx.area_ha[:0],
                               deposits=ctx.deposits.iloc[:0], deposit_block=ctx.deposit_block[:0])


def _score_partition(part: Partition, shared: Context, notes: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Score one partition on a worker: (the blocks' numbers, their rows of the result)."""
    ctx = dataclasses.replace(shared, blocks=part.prepared.reset_index(drop=True), area_ha=part.area_ha,
                              deposits=part.deposits, deposit_block=part.deposit_block,
                              block_numbers=part.numbers)
    return part.numbers, pd.DataFrame(score_prepared(ctx, notes, part.blocks))


def _score_here(ctx: Context, blocks: gpd.GeoDataFrame, count: int, notes: list[str], feedback: Feedback) -> list:
    """Every partition's result, scored in this process one after another (a cancel stops between two)."""
    shared, tables = _without_blocks(ctx), []
    for part in _partitions(ctx, blocks, count):
        feedback.check()
        tables.append(_score_partition(part, shared, notes))
        feedback.progress(len(tables) / count, f"scored {len(tables)} of {count} partitions")
    return tables


def _gather(client, futures, feedback: Feedback) -> list:
    """Every future's result in submission order, reporting progress and honouring a cancel."""
    from distributed import wait

    pending, total = list(futures), len(futures)
    while pending:
        feedback.check()
        with contextlib.suppress(TimeoutError):
            wait(pending, timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
        still = [future for future in pending if not future.done()]
        if len(still) < len(pending):
            feedback.progress((total - len(still)) / total, f"scored {total - len(still)} of {total} partitions")
        pending = still
    return client.gather(futures)


@contextlib.contextmanager
def dask_client(scheduler: str) -> Iterator:
    """A Dask client for ``--dask``: ``local`` or ``local:N`` starts a LocalCluster of N worker
    processes (default: one per core) on the loopback interface, closed afterwards; anything
    else is a scheduler address (``tcp://host:8786``).

    Raises
    ------
    ClusterError
        ``local:0``, or no scheduler answers at the address.
    """
    from distributed import Client

    match = _LOCAL.match(scheduler.strip())
    if match is None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"--dask {scheduler}: cannot reach a Dask scheduler there ({exc}); give its address "
                               "as tcp://host:8786, or local[:N] for a cluster on this machine") from None
        with client:
            yield client
        return
    workers = int(match.group(1) or os.cpu_count() or 1)
    if workers < 1:
        raise ClusterError(f"--dask {scheduler}: the number of local workers must be at least 1")
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def local_cluster(workers: int, processes: bool = True):
    """A LocalCluster of ``workers`` single-threaded workers that listens on the loopback interface
    only: the scheduler, the workers and their HTTP endpoints (which Dask opens even without a
    dashboard, on all interfaces and port 8787 unless told otherwise) on free loopback ports.
    ``processes=False`` keeps the workers in this process (in-process transport, no sockets for
    the work)."""
    from distributed import LocalCluster

    loopback = "127.0.0.1"
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                        **({"host": loopback} if processes else {}),
                        dashboard_address=f"{loopback}:0", worker_dashboard_address=f"{loopback}:0")


