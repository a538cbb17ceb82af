"""Who may do what is the database's job: read-only, reviewer and owner roles; the audit log stays as written."""
from __future__ import annotations

import uuid

import geopandas as gpd
import psycopg
import pytest

from layers.review import ReviewRefused, open_store

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def tranche(review_db, scores_path):
    name = f"roles-{uuid.uuid4().hex[:8]}"
    with open_store(review_db.conninfo("ana")) as owner:
        owner.publish(gpd.read_file(scores_path), name, "scores.gpkg")
        return name, owner.blocks(name)["block_id"].iloc[0]


def test_read_only_role_views_but_cannot_decide(review_db, tranche):
    name, block = tranche
    with open_store(review_db.conninfo("meena")) as viewer:
        assert len(viewer.blocks(name)) > 0
        with pytest.raises(ReviewRefused) as refused:
            viewer.decide(name, block, "approved", "", based_on=0)
    assert "refused to let meena decide" in str(refused.value)
    assert "khanij_reviewer" in str(refused.value)


def test_reviewer_cannot_publish_or_withdraw(review_db, tranche, scores_path):
    name, block = tranche
    with open_store(review_db.conninfo("ravi")) as reviewer:
        with pytest.raises(ReviewRefused, match="refused to let ravi publish.*khanij_owner"):
            reviewer.publish(gpd.read_file(scores_path), f"{name}-by-ravi")
        with pytest.raises(ReviewRefused, match="refused to let ravi withdraw.*khanij_owner"):
            reviewer.withdraw(name, "")
        with pytest.raises(ReviewRefused, match="only an owner"):
            reviewer.decide(name, block, "withdrawn", "", based_on=0)
        assert reviewer.blocks(name).set_index("block_id").loc[block, "version"] == 0
        assert name in [t.name for t in reviewer.tranches()] and f"{name}-by-ravi" not in [t.name for t in reviewer.tranches()]


def test_the_database_stamps_who_decided_not_the_client(review_db, tranche):
    name, block = tranche
    with psycopg.connect(review_db.conninfo("ravi")) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("UPDATE review.blocks SET reviewer = 'sita' WHERE tranche = %s", (name,))
        connection.rollback()
        connection.execute("UPDATE review.blocks SET decision = 'proposed' WHERE tranche = %s AND block_id = %s",
                           (name, block))
        connection.commit()
        logged = connection.execute("SELECT reviewer, decision, version FROM review.audit WHERE tranche = %s "
                                    "AND block_id = %s", (name, block)).fetchall()
    assert logged[-1] == ("ravi", "proposed", logged[-1][2]) and logged[-1][2] >= 1


@pytest.mark.parametrize("user", ["ravi", "ana", "meena"])
@pytest.mark.parametrize("statement", ["UPDATE review.audit SET decision = 'approved'", "DELETE FROM review.audit",
                                       "TRUNCATE review.audit",
                                       "INSERT INTO review.audit (tranche, block_id, version, decision, reviewer, "
                                       "decided_at) VALUES ('x', 'y', 1, 'approved', 'sita', now())"])
def test_nobody_alters_the_audit_log(review_db, tranche, user, statement):
    with psycopg.connect(review_db.conninfo(user)) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement)


def test_even_the_superuser_cannot_rewrite_the_log(review_db, tranche):
    with psycopg.connect(review_db.conninfo()) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            connection.execute("DELETE FROM review.audit")


def test_blocks_are_a_postgis_layer_with_srid(review_db, tranche, scores_path):
    name, _ = tranche
    scores = gpd.read_file(scores_path).to_crs(4326).set_index("block_id")
    with psycopg.connect(review_db.conninfo("meena")) as connection:
        registered = connection.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_schema = 'review' AND f_table_name = 'blocks'").fetchall()
        rows = connection.execute("SELECT block_id, ST_SRID(geom), ST_Area(geom) FROM review.blocks WHERE tranche = %s",
                                  (name,)).fetchall()
    assert registered == [("MULTIPOLYGON", 4326)]
    assert len(rows) == len(scores)
    for block_id, srid, area in rows:
        assert srid == 4326 and area == pytest.approx(scores.geometry[block_id].area, rel=1e-9)


def test_unreachable_or_empty_database_is_a_clear_message(review_db):
    from layers.review import ReviewConnectionError, ReviewError

    with pytest.raises(ReviewConnectionError, match="cannot connect to the review database .*does not exist"):
        open_store(review_db.conninfo("ana", dbname="nowhere"))
    with pytest.raises(ReviewError, match="has no review schema; an administrator runs 'khanij review init"):
        open_store(review_db.conninfo("ana", dbname="postgres"))


def test_passwords_are_dropped_from_what_is_shown_or_kept():
    from layers.review.pg_store import safe_conninfo

    shown = safe_conninfo("postgresql://ravi:s3cret@db.example/review?sslmode=require")
    assert "s3cret" not in shown and "ravi" in shown and "sslmode=require" in shown
