"""Two reviewers deciding at once never lose each other's work (PostgreSQL and GeoPackage).

Two writers, each with its own connection, record 500 decisions each on the same ten blocks at the
same time. A writer whose version went stale is refused (:class:`StaleDecision`), reads the
version it is told about and decides again, as a reviewer does in the panel. Every one of the
1,000 decisions must then be in the audit log exactly once, each block's versions contiguous.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import geopandas as gpd
import pytest

from layers.review import StaleDecision, open_store

DECISIONS_PER_WRITER = 500
SHARED_BLOCKS = 10


def decide_many(store, tranche: str, blocks: list[str], writer: str, start: threading.Barrier, stale: Counter) -> None:
    versions = store.blocks(tranche).set_index("block_id")["version"].to_dict()
    start.wait()
    for number in range(DECISIONS_PER_WRITER):
        block = blocks[number % len(blocks)]
        decision = ("proposed", "needs information", "approved", "rejected")[number % 4]
        while True:
            try:
                versions[block] = store.decide(tranche, block, decision, f"{writer} #{number}", versions[block]).version
                break
            except StaleDecision as refused:
                stale[writer] += 1
                versions[block] = refused.current.version


def run_two_writers(open_as, scores) -> tuple:
    tranche = f"busy-{uuid.uuid4().hex[:8]}"
    with open_as("ana") as owner:
        owner.publish(scores, tranche)
        blocks = list(owner.blocks(tranche)["block_id"][:SHARED_BLOCKS])
    stale: Counter = Counter()
    start = threading.Barrier(2)
    stores = [open_as("ravi"), open_as("sita")]
    errors = []

    def work(store, writer):
        try:
            decide_many(store, tranche, blocks, writer, start, stale)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=work, args=(store, store.user)) for store in stores]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert not errors, errors
    history = stores[0].history(tranche)
    final = stores[0].blocks(tranche).set_index("block_id")["version"]
    for store in stores:
        store.close()
    print(f"\n2 writers x {DECISIONS_PER_WRITER} decisions in {elapsed:.2f} s; stale refusals "
          f"{dict(stale)}; audit rows {len(history)}")
    return history, final, blocks


def assert_nothing_lost(history, final, blocks) -> None:
    assert len(history) == 2 * DECISIONS_PER_WRITER
    expected = {f"{writer} #{n}" for writer in ("ravi", "sita") for n in range(DECISIONS_PER_WRITER)}
    assert Counter(history["comment"]) == Counter(expected)
    assert set(history["reviewer"]) == {"ravi", "sita"}
    assert all(history[history["comment"].str.startswith(r)]["reviewer"].eq(r).all() for r in ("ravi", "sita"))
    for block, versions in history.groupby("block_id")["version"]:
        assert list(versions) == list(range(1, len(versions) + 1)), block
        assert final[block] == len(versions)
    assert set(history["block_id"]) == set(blocks)


@pytest.mark.postgres
def test_two_writers_on_postgres_lose_nothing(review_db, scores_path):
    scores = gpd.read_file(scores_path)
    assert_nothing_lost(*run_two_writers(lambda user: open_store(review_db.conninfo(user)), scores))


def test_two_writers_on_a_geopackage_lose_nothing(tmp_path, scores_path):
    scores = gpd.read_file(scores_path)
    path = tmp_path / "review.gpkg"
    assert_nothing_lost(*run_two_writers(lambda user: open_store(path, user=user, create=True), scores))
