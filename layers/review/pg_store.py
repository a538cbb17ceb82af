"""The review store in PostgreSQL 15 + PostGIS 3, for a team sharing one review (psycopg 3).

Schema ``review``: ``blocks`` (MultiPolygon, SRID 4326, with each block's latest decision: QGIS
and ArcGIS open it as a layer), ``tranches``, ``runs``, ``scores`` and ``audit``. Who may do what
is the database's job, through three group roles made by :func:`install_schema`:

- ``khanij_read`` sees every table;
- ``khanij_reviewer`` (also a reader) may change only a block's decision, comment and version;
- ``khanij_owner`` (also a reviewer) publishes tranches and withdraws them.

Triggers record who decided and when (the database user and the server's clock, not what the
client says), write every decision to ``audit`` (a SECURITY DEFINER function: nobody needs, or
has, any write privilege on the log) and refuse every UPDATE, DELETE or TRUNCATE of the log.
Passwords are never handled here: libpq reads PGPASSWORD, ~/.pgpass or a service file.
All SQL is parameterised; publishing streams the rows with COPY.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd
import psycopg
from psycopg import errors as pg_errors

from layers.review.model import (
    HISTORY_COLUMNS, LISTING_COLUMNS, OWNER_ONLY_DECISION, STORE_SRID, Decision, ReviewConnectionError,
    ReviewError, ReviewRefused, ReviewStore, StaleDecision, Tranche, check_decision, publish_rows, score_frame,
)

READ_ROLE, REVIEWER_ROLE, OWNER_ROLE = "khanij_read", "khanij_reviewer", "khanij_owner"
CONNECT_TIMEOUT_S = 10

SCHEMA = f"""
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS review;
DO $roles$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READ_ROLE}') THEN CREATE ROLE {READ_ROLE} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{REVIEWER_ROLE}') THEN CREATE ROLE {REVIEWER_ROLE} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN CREATE ROLE {OWNER_ROLE} NOLOGIN; END IF;
END $roles$;
GRANT {READ_ROLE} TO {REVIEWER_ROLE};
GRANT {REVIEWER_ROLE} TO {OWNER_ROLE};

CREATE TABLE IF NOT EXISTS review.tranches (
  tranche text PRIMARY KEY,
  published_by text NOT NULL DEFAULT current_user, published_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_by text, withdrawn_at timestamptz);
CREATE TABLE IF NOT EXISTS review.runs (
  run_id bigserial PRIMARY KEY, tranche text NOT NULL REFERENCES review.tranches,
  published_by text NOT NULL DEFAULT current_user, published_at timestamptz NOT NULL DEFAULT now(),
  source text, as_of date, rules_version text, rules_sha256 text, n_blocks integer NOT NULL);
CREATE TABLE IF NOT EXISTS review.blocks (
  fid bigserial PRIMARY KEY,
  tranche text NOT NULL REFERENCES review.tranches, block_id text NOT NULL, block_name text,
  run_id bigint REFERENCES review.runs, readiness text, score double precision,
  version integer NOT NULL DEFAULT 0,
  decision text CHECK (decision IN ('proposed', 'needs information', 'approved', 'rejected', 'withdrawn')),
  reviewer text, comment text, decided_at timestamptz,
  geom geometry(MultiPolygon, {STORE_SRID}),
  UNIQUE (tranche, block_id));
CREATE INDEX IF NOT EXISTS blocks_geom ON review.blocks USING gist (geom);
CREATE TABLE IF NOT EXISTS review.scores (
  run_id bigint NOT NULL REFERENCES review.runs, tranche text NOT NULL, block_id text NOT NULL,
  readiness text, score double precision, gates text, as_of date, rules_version text, rules_sha256 text,
  data json NOT NULL, PRIMARY KEY (run_id, block_id));
CREATE TABLE IF NOT EXISTS review.audit (
  entry_id bigserial PRIMARY KEY, tranche text NOT NULL, block_id text NOT NULL, version integer NOT NULL,
  decision text NOT NULL, reviewer text NOT NULL, comment text, decided_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS audit_block ON review.audit (tranche, block_id, version);

CREATE OR REPLACE FUNCTION review.stamp_decision() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.decision IS NOT DISTINCT FROM OLD.decision AND NEW.comment IS NOT DISTINCT FROM OLD.comment
     AND NEW.version = OLD.version THEN
    RETURN NEW;  -- a new score run of the block, not a decision
  END IF;
  IF NEW.decision = '{OWNER_ONLY_DECISION}' AND NOT pg_has_role(current_user, '{OWNER_ROLE}', 'MEMBER') THEN
    RAISE EXCEPTION 'only an owner (role {OWNER_ROLE}) can withdraw; % is not one', current_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.decision IS DISTINCT FROM '{OWNER_ONLY_DECISION}' AND EXISTS (
       SELECT FROM review.tranches WHERE tranche = NEW.tranche AND withdrawn_at IS NOT NULL) THEN
    RAISE EXCEPTION 'tranche % was withdrawn; it takes no more decisions', NEW.tranche
      USING ERRCODE = 'check_violation';
  END IF;
  NEW.version := OLD.version + 1;
  NEW.reviewer := current_user;
  NEW.decided_at := clock_timestamp();
  RETURN NEW;
END $fn$;
CREATE OR REPLACE TRIGGER blocks_stamp_decision BEFORE UPDATE ON review.blocks
  FOR EACH ROW EXECUTE FUNCTION review.stamp_decision();

CREATE OR REPLACE FUNCTION review.log_decision() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF NEW.version <> OLD.version THEN
    INSERT INTO review.audit (tranche, block_id, version, decision, reviewer, comment, decided_at)
    VALUES (NEW.tranche, NEW.block_id, NEW.version, NEW.decision, NEW.reviewer, NEW.comment, NEW.decided_at);
  END IF;
  RETURN NULL;
END $fn$;
CREATE OR REPLACE TRIGGER blocks_log_decision AFTER UPDATE ON review.blocks
  FOR EACH ROW EXECUTE FUNCTION review.log_decision();

CREATE OR REPLACE FUNCTION review.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the review audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $fn$;
CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON review.audit
  FOR EACH ROW EXECUTE FUNCTION review.refuse_audit_change();
CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON review.audit
  FOR EACH STATEMENT EXECUTE FUNCTION review.refuse_audit_change();

REVOKE ALL ON ALL TABLES IN SCHEMA review FROM PUBLIC;
GRANT USAGE ON SCHEMA review TO {READ_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA review TO {READ_ROLE};
GRANT UPDATE (decision, comment, version) ON review.blocks TO {REVIEWER_ROLE};
GRANT INSERT, UPDATE, DELETE ON review.tranches, review.runs, review.blocks, review.scores TO {OWNER_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA review TO {OWNER_ROLE};
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON review.audit FROM {READ_ROLE}, {REVIEWER_ROLE}, {OWNER_ROLE};
"""

# What each action needs, for the message when the database refuses it.
NEEDED_ROLE = {"publish": OWNER_ROLE, "withdraw": OWNER_ROLE, "decide": REVIEWER_ROLE}


def install_schema(conninfo: str) -> None:
    """Create (or bring up to date) the review schema, its roles, triggers and privileges.

    Run once per database by an administrator (creating the PostGIS extension and roles needs a
    superuser or a role with CREATEROLE that owns the database); then grant the roles to people,
    e.g. ``GRANT khanij_reviewer TO ravi``.
    """
    with _connect(conninfo) as connection:
        try:
            connection.execute(SCHEMA)
        except pg_errors.InsufficientPrivilege as exc:
            raise ReviewRefused(f"the database refused to set up the review schema: {exc.diag.message_primary}; "
                                "an administrator (superuser) runs 'khanij review init'") from exc


def _connect(conninfo: str) -> psycopg.Connection:
    try:
        return psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        raise ReviewConnectionError(f"cannot connect to the review database {safe_conninfo(conninfo)}: "
                                    f"{str(exc).strip()}") from exc
    except psycopg.ProgrammingError as exc:
        raise ReviewConnectionError(f"not a PostgreSQL connection string: {safe_conninfo(conninfo)}: {exc}") from exc


def build_conninfo(**parts: str) -> str:
    """A libpq connection string from the fields given (``service``, ``host``, ``port``, ``dbname``, ``user``, …)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**{key: value.strip() for key, value in parts.items() if value and value.strip()})


def safe_conninfo(conninfo: str) -> str:
    """The connection string without any password, to show or to store."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "(unreadable connection string)"
    parts.pop("password", None)
    return make_conninfo(**parts)


class PostgresStore(ReviewStore):
    """A connection to the review schema of a PostgreSQL/PostGIS database, as the database user it logs in as."""

    def __init__(self, conninfo: str):
        self.connection = _connect(conninfo)
        info = self.connection.info
        self.user = info.user
        self.location = f"database {info.dbname} on {info.host}" + (f":{info.port}" if not info.host.startswith("/") else "")
        try:
            self.connection.execute("SELECT 1 FROM review.blocks LIMIT 0")
        except pg_errors.UndefinedTable as exc:
            self.connection.close()
            raise ReviewError(f"{self.location} has no review schema; an administrator runs "
                              "'khanij review init --db …' once") from exc
        except pg_errors.InsufficientPrivilege as exc:
            self.connection.close()
            raise ReviewRefused(f"{self.location} refused {self.user}: {exc.diag.message_primary}; ask an "
                                f"administrator for one of the roles {READ_ROLE}, {REVIEWER_ROLE} or {OWNER_ROLE}") from exc
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()

    def _transaction(self, action: str):
        return _Transaction(self, action)

    # ------------------------------------------------------------ publish

    def publish(self, scores, tranche: str, source: str = "") -> int:
        rows = publish_rows(scores, tranche, source or tranche)
        with self._transaction("publish") as cur:
            cur.execute("INSERT INTO review.tranches (tranche) VALUES (%s) ON CONFLICT (tranche) DO NOTHING", (tranche,))
            run_id = cur.execute(
                "INSERT INTO review.runs (tranche, source, as_of, rules_version, rules_sha256, n_blocks) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING run_id",
                (tranche, rows.source, rows.as_of, rows.rules_version, rows.rules_sha256, len(rows.blocks))).fetchone()[0]
            cur.execute("CREATE TEMP TABLE publish_blocks (block_id text, block_name text, readiness text, "
                        "score double precision, wkb bytea) ON COMMIT DROP")
            with cur.copy("COPY publish_blocks (block_id, block_name, readiness, score, wkb) FROM STDIN") as copy:
                for row in rows.block_rows():
                    copy.write_row(row)
            cur.execute(
                "INSERT INTO review.blocks (tranche, block_id, block_name, run_id, readiness, score, geom) "
                "SELECT %s, block_id, block_name, %s, readiness, score, ST_Multi(ST_GeomFromWKB(wkb, %s)) "
                "FROM publish_blocks ON CONFLICT (tranche, block_id) DO UPDATE SET block_name = EXCLUDED.block_name, "
                "run_id = EXCLUDED.run_id, readiness = EXCLUDED.readiness, score = EXCLUDED.score, geom = EXCLUDED.geom",
                (tranche, run_id, STORE_SRID))
            cur.execute("CREATE TEMP TABLE publish_scores (position bigint PRIMARY KEY, block_id text, readiness text, "
                        "score double precision, gates text, as_of date, rules_version text, rules_sha256 text) "
                        "ON COMMIT DROP")
            with cur.copy("COPY publish_scores (position, block_id, readiness, score, gates, as_of, rules_version, "
                          "rules_sha256) FROM STDIN") as copy:
                for row in rows.score_rows():
                    copy.write_row(row)
            cur.execute(
                "INSERT INTO review.scores (run_id, tranche, block_id, readiness, score, gates, as_of, rules_version, "
                "rules_sha256, data) SELECT %s, %s, s.block_id, s.readiness, s.score, s.gates, s.as_of, "
                "s.rules_version, s.rules_sha256, e.value FROM publish_scores s "
                "JOIN json_array_elements(%s::json) WITH ORDINALITY AS e (value, position) USING (position)",
                (run_id, tranche, rows.records))
        return run_id

    # ------------------------------------------------------------ read

    def _frame(self, query: str, params: tuple, columns) -> pd.DataFrame:
        with self._transaction("view") as cur:
            rows = cur.execute(query, params).fetchall()
        frame = pd.DataFrame(rows, columns=list(columns))
        if "decided_at" in frame:
            frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True)
        return frame

    def tranches(self) -> list[Tranche]:
        with self._transaction("view") as cur:
            rows = cur.execute(
                "SELECT t.tranche, t.published_by, t.published_at, count(b.fid), t.withdrawn_by, t.withdrawn_at "
                "FROM review.tranches t LEFT JOIN review.blocks b USING (tranche) "
                "GROUP BY t.tranche ORDER BY t.published_at DESC").fetchall()
        return [Tranche(*row) for row in rows]

    def blocks(self, tranche: str) -> pd.DataFrame:
        return self._frame(f"SELECT {', '.join(LISTING_COLUMNS)} FROM review.blocks WHERE tranche = %s "
                           "ORDER BY score DESC NULLS LAST, block_id", (tranche,), LISTING_COLUMNS)

    def history(self, tranche: str, block_id: Optional[str] = None) -> pd.DataFrame:
        if block_id is None:
            return self._frame(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM review.audit WHERE tranche = %s "
                               "ORDER BY entry_id", (tranche,), HISTORY_COLUMNS)
        return self._frame(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM review.audit WHERE tranche = %s "
                           "AND block_id = %s ORDER BY entry_id", (tranche, block_id), HISTORY_COLUMNS)

    def latest_scores(self, tranche: str) -> pd.DataFrame:
        with self._transaction("view") as cur:
            rows = cur.execute(
                "SELECT data FROM review.scores WHERE run_id = (SELECT max(run_id) FROM review.runs WHERE tranche = %s) "
                "ORDER BY score DESC NULLS LAST, block_id", (tranche,)).fetchall()
        return score_frame(row[0] for row in rows)

    # ------------------------------------------------------------ decide

    def decide(self, tranche: str, block_id: str, decision: str, comment: str, based_on: int) -> Decision:
        check_decision(decision)
        with self._transaction("decide") as cur:
            row = cur.execute(
                "UPDATE review.blocks SET decision = %s, comment = %s, version = version + 1 "
                "WHERE tranche = %s AND block_id = %s AND version = %s "
                "RETURNING version, decision, reviewer, comment, decided_at",
                (decision, comment, tranche, block_id, based_on)).fetchone()
            if row is None:
                current = cur.execute("SELECT version, decision, reviewer, comment, decided_at FROM review.blocks "
                                      "WHERE tranche = %s AND block_id = %s", (tranche, block_id)).fetchone()
        if row is not None:
            return Decision(tranche, block_id, *row)
        if current is None:
            raise ReviewError(f"{self.location}: tranche {tranche} has no block '{block_id}'")
        version, last, reviewer, last_comment, decided_at = current
        raise StaleDecision(Decision(tranche, block_id, version, last or "", reviewer or "", last_comment or "",
                                     decided_at), based_on)

    def withdraw(self, tranche: str, comment: str) -> int:
        with self._transaction("withdraw") as cur:
            cur.execute("UPDATE review.tranches SET withdrawn_by = current_user, withdrawn_at = now() "
                        "WHERE tranche = %s", (tranche,))
            return cur.execute("UPDATE review.blocks SET decision = %s, comment = %s, version = version + 1 "
                               "WHERE tranche = %s", (OWNER_ONLY_DECISION, comment, tranche)).rowcount


class _Transaction:
    """One transaction; a refusal by the database becomes :class:`ReviewRefused` naming the role needed."""

    def __init__(self, store: PostgresStore, action: str):
        self.store = store
        self.action = action

    def __enter__(self) -> psycopg.Cursor:
        self.transaction = self.store.connection.transaction()
        self.transaction.__enter__()
        self.cursor = self.store.connection.cursor()
        return self.cursor

    def __exit__(self, kind, exc, tb):
        self.cursor.close()
        self.transaction.__exit__(kind, exc, tb)
        store = self.store
        if isinstance(exc, pg_errors.InsufficientPrivilege):
            role = NEEDED_ROLE.get(self.action, READ_ROLE)
            raise ReviewRefused(f"{store.location} refused to let {store.user} {self.action}: "
                                f"{exc.diag.message_primary} (this needs the role {role})") from exc
        if isinstance(exc, pg_errors.CheckViolation):
            raise ReviewError(f"{store.location} refused: {exc.diag.message_primary}") from exc
        if isinstance(exc, psycopg.OperationalError):
            raise ReviewConnectionError(f"{store.location}: the connection failed: {str(exc).strip()}") from exc
        if isinstance(exc, psycopg.Error):
            raise ReviewError(f"{store.location}: the database refused: {str(exc).strip()}") from exc
        return False
