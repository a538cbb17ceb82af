"""The review store on both back-ends: publish, list, decide, history, stale versions, the audit log."""
from __future__ import annotations

import json
import sqlite3
import uuid

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from layers.review import ReviewError, ReviewRefused, StaleDecision, open_store

BACKENDS = ["gpkg", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def scores(scores_path):
    return gpd.read_file(scores_path)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """(kind, open_as): open the same store as a named user; PostgreSQL logs in as that role."""
    kind = request.param
    if kind == "gpkg":
        path = tmp_path / "review.gpkg"
        return kind, lambda user: open_store(path, user=user, create=True)
    cluster = request.getfixturevalue("review_db")
    return kind, lambda user: open_store(cluster.conninfo(user))


def fresh_tranche() -> str:
    return f"tranche-{uuid.uuid4().hex[:8]}"


def test_publish_lists_every_block_with_no_decision_yet(backend, scores):
    kind, open_as = backend
    tranche = fresh_tranche()
    with open_as("ana") as store:
        store.publish(scores, tranche, "scores.gpkg")
        listing = store.blocks(tranche)
        assert [t.n_blocks for t in store.tranches() if t.name == tranche] == [len(scores)]
    assert sorted(listing["block_id"]) == sorted(scores["block_id"])
    assert listing["score"].is_monotonic_decreasing
    assert (listing["version"] == 0).all() and listing["decision"].isna().all()
    best = scores.loc[scores["score"].idxmax()]
    assert listing.iloc[0]["block_id"] == best["block_id"]
    assert listing.iloc[0]["readiness"] == best["readiness"]


def test_scores_keep_every_column_of_the_run_and_its_key_columns(backend, scores, scores_path):
    kind, open_as = backend
    tranche = fresh_tranche()
    with open_as("ana") as store:
        run_id = store.publish(scores, tranche, "scores.gpkg")
        if kind == "gpkg":
            rows = pd.read_sql_query("SELECT * FROM review_scores WHERE run_id = ?", store.connection, params=(run_id,))
            run = store.connection.execute("SELECT as_of, rules_version, rules_sha256 FROM review_runs WHERE run_id = ?",
                                           (run_id,)).fetchone()
        else:
            with store.connection.cursor() as cur:
                cur.execute("SELECT block_id, gates, as_of::text, rules_sha256, data::text AS data FROM review.scores "
                            "WHERE run_id = %s", (run_id,))
                rows = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
                run = cur.execute("SELECT as_of::text, rules_version, rules_sha256 FROM review.runs WHERE run_id = %s",
                                  (run_id,)).fetchone()
            store.connection.rollback()
    assert len(rows) == len(scores)
    first = scores.iloc[0]
    stored = rows.set_index("block_id").loc[first["block_id"]]
    data = json.loads(stored["data"])
    assert set(data) == set(scores.columns) - {"geometry"}
    assert data["explanation"] == first["explanation"]
    assert stored["gates"] == (f"stage: {first['gate_stage']}; protected: {first['gate_protected']}; "
                               f"state: {first['gate_state']}")
    assert run == (first["as_of"], first["rules_version"], first["rules_sha256"])


def test_a_decision_on_a_stale_version_is_refused_naming_who_changed_it(backend, scores):
    kind, open_as = backend
    tranche = fresh_tranche()
    with open_as("ana") as owner:
        owner.publish(scores, tranche)
    block = scores["block_id"].iloc[3]
    with open_as("ravi") as ravi, open_as("sita") as sita:
        read_by_sita = sita.blocks(tranche).set_index("block_id").loc[block, "version"]
        first = ravi.decide(tranche, block, "needs information", "Drilling logs of 2019?", based_on=0)
        assert (first.version, first.reviewer, first.decision) == (1, "ravi", "needs information")
        with pytest.raises(StaleDecision) as refused:
            sita.decide(tranche, block, "approved", "fine", based_on=int(read_by_sita))
        message = str(refused.value)
        assert "ravi" in message and "needs information" in message and first.decided_at.strftime("%Y-%m-%d %H:%M") in message
        again = sita.decide(tranche, block, "approved", "logs received", based_on=refused.value.current.version)
        assert (again.version, again.reviewer) == (2, "sita")
        history = sita.history(tranche, block)
    assert list(history["decision"]) == ["needs information", "approved"]
    assert list(history["reviewer"]) == ["ravi", "sita"]
    assert list(history["version"]) == [1, 2]
    assert list(history["comment"]) == ["Drilling logs of 2019?", "logs received"]


def test_republishing_a_tranche_keeps_its_decisions(backend, scores):
    kind, open_as = backend
    tranche = fresh_tranche()
    block = scores["block_id"].iloc[0]
    with open_as("ana") as store:
        first_run = store.publish(scores, tranche)
        store.decide(tranche, block, "proposed", "", based_on=0)
        second_run = store.publish(scores, tranche)
        row = store.blocks(tranche).set_index("block_id").loc[block]
    assert second_run > first_run
    assert (row["decision"], row["version"]) == ("proposed", 1)


def test_unknown_decision_and_block_are_explained(backend, scores):
    kind, open_as = backend
    tranche = fresh_tranche()
    with open_as("ana") as store:
        store.publish(scores, tranche)
        with pytest.raises(ReviewError, match="'maybe' is not a decision; use one of: proposed"):
            store.decide(tranche, scores["block_id"].iloc[0], "maybe", "", based_on=0)
        with pytest.raises(ReviewError, match="has no block 'XX-99'"):
            store.decide(tranche, "XX-99", "approved", "", based_on=0)
        with pytest.raises(ReviewError, match="no tranche 'nope'"):
            store.tranche("nope")


def test_withdrawing_a_tranche_records_it_on_every_block_and_stops_decisions(backend, scores):
    kind, open_as = backend
    tranche = fresh_tranche()
    with open_as("ana") as owner:
        owner.publish(scores, tranche)
        assert owner.withdraw(tranche, "state asked to re-survey") == len(scores)
        listing = owner.blocks(tranche)
        assert set(listing["decision"]) == {"withdrawn"} and set(listing["reviewer"]) == {"ana"}
        assert owner.tranche(tranche).withdrawn_by == "ana"
        with pytest.raises(ReviewError, match="withdrawn"):
            owner.decide(tranche, listing["block_id"].iloc[0], "approved", "", based_on=1)
        assert len(owner.history(tranche)) == len(scores)


def test_geopackage_blocks_open_as_a_layer_with_srid_and_latest_decision(tmp_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ravi", create=True) as store:
        store.publish(scores, "T1")
        store.decide("T1", scores["block_id"].iloc[0], "approved", "ok", based_on=0)
    info = pyogrio.read_info(path, layer="review_blocks")
    assert (info["crs"], info["geometry_type"], info["features"]) == ("EPSG:4326", "MultiPolygon", len(scores))
    layer = pyogrio.read_dataframe(path, layer="review_blocks")
    expected = scores.to_crs(4326).set_index("block_id").geometry
    for block_id, geometry in zip(layer["block_id"], layer.geometry):
        assert geometry.equals_exact(expected[block_id], 1e-9) or geometry.equals(expected[block_id])
    assert layer.set_index("block_id").loc[scores["block_id"].iloc[0], "decision"] == "approved"
    assert set(pyogrio.list_layers(path)[:, 0]) >= {"review_blocks", "review_audit", "review_scores", "review_runs"}


def test_geopackage_audit_log_is_append_only(tmp_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ravi", create=True) as store:
        store.publish(scores, "T1")
        store.decide("T1", scores["block_id"].iloc[0], "approved", "ok", based_on=0)
    raw = sqlite3.connect(path)
    for statement in ("UPDATE review_audit SET decision = 'rejected'", "DELETE FROM review_audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT decision FROM review_audit").fetchall() == [("approved",)]
    raw.close()


def test_read_only_geopackage_can_be_viewed_not_decided(tmp_path, scores):
    path = tmp_path / "review.gpkg"
    with open_store(path, user="ana", create=True) as store:
        store.publish(scores, "T1")
    with open_store(path, user="meena", read_only=True) as viewer:
        assert len(viewer.blocks("T1")) == len(scores)
        with pytest.raises(ReviewRefused, match="review.gpkg is read-only to you \\(meena\\): you can view"):
            viewer.decide("T1", scores["block_id"].iloc[0], "approved", "", based_on=0)
        with pytest.raises(ReviewRefused):
            viewer.publish(scores, "T2")
    with open_store(path) as store:
        assert store.blocks("T1")["version"].eq(0).all() and [t.name for t in store.tranches()] == ["T1"]
