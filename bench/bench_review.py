"""Benchmark: the review store on PostgreSQL/PostGIS (and the GeoPackage for comparison).

1. Publish 10,000 scored blocks (every column of the score output, ~100, plus the geometry):
   :meth:`PostgresStore.publish` streams the rows with COPY; the peer, in the same run and the
   same transaction shape, sends one parameterised INSERT per block and per score row.
2. List a tranche of 1,000 blocks with their latest decisions (after 1,500 decisions): the store
   reads the decision kept on each block row; the peer asks the audit log for each block's latest
   decision, one query per block.

The blocks are the sample atlas's scored blocks repeated and shifted (the real columns and
shapes of ``khanij score --sample``). Without ``--db`` a throwaway cluster is started as the
tests do (``bash .ci/setup`` installs PostgreSQL 15 + PostGIS 3).

Run: ``.venv/bin/python bench/bench_review.py [--blocks 10000] [--db CONNINFO]``
(targets: publish 10,000 ≤ 10 s; list 1,000 ≤ 0.2 s).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import uuid
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import best_of  # noqa: E402

LIST_BLOCKS = 1_000


def scored_blocks(count: int, folder: Path) -> gpd.GeoDataFrame:
    """``count`` scored blocks: the sample score output repeated, each copy shifted and renamed."""
    import main

    path = folder / "scores.gpkg"
    assert main.main(["score", "--sample", "-o", str(path)]) == 0
    sample = gpd.read_file(path)
    copies = []
    for copy in range(-(-count // len(sample))):
        shifted = sample.copy()
        shifted["block_id"] = shifted["block_id"] + f"-{copy:04d}"
        shifted.geometry = shapely.transform(sample.geometry.values, lambda xy, c=copy: xy + [0.001 * c, 0.0])
        copies.append(shifted)
    return gpd.GeoDataFrame(pd.concat(copies, ignore_index=True).iloc[:count], crs=sample.crs)


def publish_row_by_row(store, scores, tranche: str) -> None:
    """The peer: the same tables filled with one INSERT per row (what COPY replaces)."""
    from layers.review.model import STORE_SRID, publish_rows

    rows = publish_rows(scores, tranche, "bench")
    with store.connection.transaction(), store.connection.cursor() as cur:
        cur.execute("INSERT INTO review.tranches (tranche) VALUES (%s)", (tranche,))
        run_id = cur.execute("INSERT INTO review.runs (tranche, source, n_blocks) VALUES (%s, %s, %s) RETURNING run_id",
                             (tranche, "bench", len(rows.blocks))).fetchone()[0]
        for block_id, name, readiness, score, wkb in rows.block_rows():
            cur.execute("INSERT INTO review.blocks (tranche, block_id, block_name, run_id, readiness, score, geom) "
                        "VALUES (%s, %s, %s, %s, %s, %s, ST_Multi(ST_GeomFromWKB(%s, %s)))",
                        (tranche, block_id, name, run_id, readiness, score, wkb, STORE_SRID))
        for (_position, *row), record in zip(rows.score_rows(), json.loads(rows.records)):
            cur.execute("INSERT INTO review.scores (run_id, tranche, block_id, readiness, score, gates, as_of, "
                        "rules_version, rules_sha256, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (run_id, tranche, *row, json.dumps(record, ensure_ascii=False)))


def latest_decisions_one_query_per_block(store, tranche: str) -> list:
    """The peer of listing: each block's latest decision asked of the audit log, one query per block."""
    with store.connection.cursor() as cur:
        blocks = cur.execute("SELECT block_id, block_name, readiness, score FROM review.blocks WHERE tranche = %s "
                             "ORDER BY score DESC", (tranche,)).fetchall()
        listing = [(*block, cur.execute("SELECT decision, version, reviewer, decided_at, comment FROM review.audit "
                                        "WHERE tranche = %s AND block_id = %s ORDER BY version DESC LIMIT 1",
                                        (tranche, block[0])).fetchone()) for block in blocks]
    store.connection.rollback()
    return listing


def make_decisions(store, tranche: str, count: int) -> None:
    versions = store.blocks(tranche).set_index("block_id")["version"].to_dict()
    blocks = list(versions)
    for number in range(count):
        block = blocks[number % len(blocks)]
        versions[block] = store.decide(tranche, block, ("proposed", "needs information", "approved")[number % 3],
                                       f"bench #{number}", versions[block]).version


def run(conninfo: str, count: int, folder: Path) -> None:
    from layers.review import open_store
    from layers.review.pg_store import install_schema

    install_schema(conninfo)
    scores = scored_blocks(count, folder)
    print(f"{len(scores):,} scored blocks, {len(scores.columns)} columns each")
    with open_store(conninfo) as store:
        copy_s = best_of(lambda: store.publish(scores, f"copy-{uuid.uuid4().hex[:8]}", "bench"), 3)
        rows_s = best_of(lambda: publish_row_by_row(store, scores, f"rows-{uuid.uuid4().hex[:8]}"), 1)
        print(f"publish {len(scores):,} blocks to PostGIS, COPY:           {copy_s:7.2f} s  (target ≤ 10 s)")
        print(f"publish {len(scores):,} blocks to PostGIS, row-by-row peer: {rows_s:7.2f} s  "
              f"→ COPY is {rows_s / copy_s:.1f}x faster")

        tranche = f"list-{uuid.uuid4().hex[:8]}"
        store.publish(scores.iloc[:LIST_BLOCKS], tranche, "bench")
        make_decisions(store, tranche, LIST_BLOCKS * 3 // 2)
        list_s = best_of(lambda: store.blocks(tranche), 5)
        peer_s = best_of(lambda: latest_decisions_one_query_per_block(store, tranche), 3)
        print(f"list {LIST_BLOCKS:,} blocks with latest decisions, store:      {list_s:7.3f} s  (target ≤ 0.2 s)")
        print(f"list {LIST_BLOCKS:,} blocks, one audit query per block (peer): {peer_s:7.3f} s  "
              f"→ the store is {peer_s / list_s:.1f}x faster")

    gpkg = folder / "review.gpkg"
    with open_store(gpkg, user="bench", create=True) as local:
        gpkg_s = best_of(lambda: local.publish(scores, f"copy-{uuid.uuid4().hex[:8]}", "bench"), 1)
        local.publish(scores.iloc[:LIST_BLOCKS], "list", "bench")
        make_decisions(local, "list", LIST_BLOCKS * 3 // 2)
        gpkg_list_s = best_of(lambda: local.blocks("list"), 5)
    print(f"GeoPackage for comparison: publish {len(scores):,} in {gpkg_s:.2f} s; list {LIST_BLOCKS:,} in {gpkg_list_s:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--db", help="a PostgreSQL database to use (default: a throwaway cluster)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        conninfo = args.db
        if conninfo is None:
            from tests.review.pg_cluster import throwaway_cluster

            conninfo = stack.enter_context(throwaway_cluster()).conninfo()
        run(conninfo, args.blocks, Path(folder))


if __name__ == "__main__":
    main()
