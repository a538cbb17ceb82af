"""The review store in a GeoPackage: one file, no server, for one official or a small office.

The tables live beside any others in the file (a tranche's own GeoPackage, or ``review.gpkg``):
``review_blocks`` is a GeoPackage feature table (MultiPolygon, EPSG:4326, registered in
``gpkg_contents`` and ``gpkg_geometry_columns``) so QGIS and ArcGIS open it as a layer with each
block's latest decision; ``review_tranches``, ``review_runs``, ``review_scores`` and
``review_audit`` are attribute tables. Triggers write the audit log from every change of a
decision and refuse any UPDATE or DELETE of the log. Writers take SQLite's write lock at the
start of the transaction (``BEGIN IMMEDIATE``) and wait for each other.
"""
from __future__ import annotations

import datetime
import getpass
import os
import sqlite3
import struct
from pathlib import Path
from typing import Optional

import pandas as pd

from geo.errors import describe_path
from layers.review.model import (
    HISTORY_COLUMNS, LISTING_COLUMNS, OWNER_ONLY_DECISION, STORE_SRID, Decision, ReviewConnectionError,
    ReviewError, ReviewRefused, ReviewStore, StaleDecision, Tranche, check_decision, publish_rows, score_frame, utc_now,
)

BUSY_TIMEOUT_S = 60.0
GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10300

# The GeoPackage 1.3 core tables (OGC 12-128r18, clauses 1.1.2-1.1.3) and the review tables.
SCHEMA = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');

CREATE TABLE IF NOT EXISTS review_tranches (
  tranche TEXT PRIMARY KEY, published_by TEXT NOT NULL, published_at DATETIME NOT NULL,
  withdrawn_by TEXT, withdrawn_at DATETIME);
CREATE TABLE IF NOT EXISTS review_runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT, tranche TEXT NOT NULL REFERENCES review_tranches(tranche),
  published_by TEXT NOT NULL, published_at DATETIME NOT NULL, source TEXT,
  as_of DATE, rules_version TEXT, rules_sha256 TEXT, n_blocks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS review_blocks (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON,
  tranche TEXT NOT NULL REFERENCES review_tranches(tranche), block_id TEXT NOT NULL, block_name TEXT,
  run_id INTEGER REFERENCES review_runs(run_id), readiness TEXT, score REAL,
  version INTEGER NOT NULL DEFAULT 0,
  decision TEXT CHECK (decision IN ('proposed', 'needs information', 'approved', 'rejected', 'withdrawn')),
  reviewer TEXT, comment TEXT, decided_at DATETIME,
  UNIQUE (tranche, block_id));
CREATE TABLE IF NOT EXISTS review_scores (
  run_id INTEGER NOT NULL REFERENCES review_runs(run_id), tranche TEXT NOT NULL, block_id TEXT NOT NULL,
  readiness TEXT, score REAL, gates TEXT, as_of DATE, rules_version TEXT, rules_sha256 TEXT,
  data TEXT NOT NULL, PRIMARY KEY (run_id, block_id));
CREATE TABLE IF NOT EXISTS review_audit (
  entry_id INTEGER PRIMARY KEY AUTOINCREMENT, tranche TEXT NOT NULL, block_id TEXT NOT NULL,
  version INTEGER NOT NULL, decision TEXT NOT NULL, reviewer TEXT NOT NULL, comment TEXT, decided_at DATETIME NOT NULL);
CREATE INDEX IF NOT EXISTS review_audit_block ON review_audit (tranche, block_id, version);

CREATE TRIGGER IF NOT EXISTS review_blocks_audit AFTER UPDATE OF version, decision, comment ON review_blocks
BEGIN
  INSERT INTO review_audit (tranche, block_id, version, decision, reviewer, comment, decided_at)
  VALUES (NEW.tranche, NEW.block_id, NEW.version, NEW.decision, NEW.reviewer, NEW.comment, NEW.decided_at);
END;
CREATE TRIGGER IF NOT EXISTS review_audit_no_update BEFORE UPDATE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the review audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS review_audit_no_delete BEFORE DELETE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the review audit log is append-only'); END;

INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('review_blocks', 'features', 'review_blocks', 'Blocks under review with their latest decision', 4326);
INSERT OR IGNORE INTO gpkg_geometry_columns VALUES ('review_blocks', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('review_tranches', 'attributes', 'review_tranches', 'Tranches published for review'),
       ('review_runs', 'attributes', 'review_runs', 'Score runs published, with rules version, hash and as-of date'),
       ('review_scores', 'attributes', 'review_scores', 'Every score row of every run (full row as JSON in data)'),
       ('review_audit', 'attributes', 'review_audit', 'Append-only log of every review decision');
"""


def gpkg_geometry(wkb: Optional[bytes], bounds) -> Optional[bytes]:
    """A GeoPackage geometry blob: the ``GP`` header (version 0, little-endian, XY envelope, SRID) + WKB."""
    if wkb is None:
        return None
    flags = 0b0000_0011  # envelope [minx, maxx, miny, maxy], little-endian
    minx, miny, maxx, maxy = bounds
    return b"GP" + struct.pack("<BBi4d", 0, flags, STORE_SRID, minx, maxx, miny, maxy) + wkb


def _stamp(moment: datetime.datetime) -> str:
    """A GeoPackage DATETIME: ISO 8601 in UTC with milliseconds and a ``Z``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _time(text: Optional[str]) -> Optional[datetime.datetime]:
    return datetime.datetime.fromisoformat(text) if text else None


class GeoPackageStore(ReviewStore):
    """The review tables in a GeoPackage (made by ``create`` when the file does not exist yet).

    ``read_only`` (or a file the user may not write) opens it for viewing: decisions are refused.
    """

    def __init__(self, path: os.PathLike | str, user: Optional[str] = None, create: bool = False,
                 read_only: bool = False):
        self.path = Path(path)
        self.location = describe_path(self.path)
        self.user = user or getpass.getuser()
        self.read_only = read_only or (self.path.exists() and not os.access(self.path, os.W_OK))
        if not self.path.exists() and not create:
            raise ReviewConnectionError(f"{self.location}: no review store there yet; publish a scored tranche "
                                        "to it first ('khanij review publish SCORES.gpkg --db PATH.gpkg')")
        if not self.path.exists() and not self.path.parent.is_dir():
            raise ReviewConnectionError(f"{self.location}: cannot make the review GeoPackage: "
                                        f"the folder {self.path.parent} does not exist")
        uri = f"{self.path.resolve().as_uri()}?mode={'ro' if self.read_only else 'rwc'}"
        try:
            self.connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                              check_same_thread=False)
            if not self.read_only:
                self._create_schema()
        except sqlite3.DatabaseError as exc:
            raise ReviewConnectionError(f"{self.location}: not a GeoPackage the review store can use: {exc}") from exc

    def _create_schema(self) -> None:
        _register_envelope_functions(self.connection)
        self.connection.executescript(f"BEGIN IMMEDIATE; PRAGMA application_id = {GPKG_APPLICATION_ID}; "
                                      f"PRAGMA user_version = {GPKG_USER_VERSION}; {SCHEMA} COMMIT;")

    def _write(self):
        return _WriteTransaction(self)

    def close(self) -> None:
        self.connection.close()

    # ------------------------------------------------------------ publish

    def publish(self, scores, tranche: str, source: str = "") -> int:
        rows = publish_rows(scores, tranche, source or tranche)
        now = _stamp(utc_now())
        bounds = [None if g is None else _bounds(g) for g in rows.blocks["wkb"]]
        with self._write() as db:
            db.execute("INSERT INTO review_tranches (tranche, published_by, published_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (tranche) DO NOTHING", (tranche, self.user, now))
            run_id = db.execute(
                "INSERT INTO review_runs (tranche, published_by, published_at, source, as_of, rules_version, "
                "rules_sha256, n_blocks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (tranche, self.user, now, rows.source, rows.as_of, rows.rules_version, rows.rules_sha256,
                 len(rows.blocks))).lastrowid
            db.executemany(
                "INSERT INTO review_blocks (tranche, block_id, block_name, run_id, readiness, score, geom) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tranche, block_id) DO UPDATE SET "
                "block_name = excluded.block_name, run_id = excluded.run_id, readiness = excluded.readiness, "
                "score = excluded.score, geom = excluded.geom",
                ((tranche, block_id, name, run_id, readiness, score, gpkg_geometry(wkb, box))
                 for (block_id, name, readiness, score, wkb), box in zip(rows.block_rows(), bounds)))
            db.execute("CREATE TEMP TABLE publish_scores (position INTEGER PRIMARY KEY, block_id TEXT, readiness TEXT, "
                       "score REAL, gates TEXT, as_of TEXT, rules_version TEXT, rules_sha256 TEXT)")
            db.executemany("INSERT INTO temp.publish_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.score_rows())
            db.execute(
                "INSERT INTO review_scores (run_id, tranche, block_id, readiness, score, gates, as_of, rules_version, "
                "rules_sha256, data) SELECT ?, ?, s.block_id, s.readiness, s.score, s.gates, s.as_of, s.rules_version, "
                "s.rules_sha256, e.value FROM json_each(?) AS e CROSS JOIN temp.publish_scores AS s "
                "ON s.position = e.key + 1",  # CROSS JOIN: SQLite reads the array once, each row by its key
                (run_id, tranche, rows.records))
            db.execute("DROP TABLE temp.publish_scores")
            self._update_extent(db)
        return run_id

    def _update_extent(self, db: sqlite3.Connection) -> None:
        """gpkg_contents' extent of review_blocks, from the envelopes in the geometry headers."""
        extent = db.execute("SELECT min(geom_minx(geom)), min(geom_miny(geom)), max(geom_maxx(geom)), "
                            "max(geom_maxy(geom)) FROM review_blocks").fetchone()
        db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                   "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'review_blocks'", extent)

    # ------------------------------------------------------------ read

    def tranches(self) -> list[Tranche]:
        rows = self.connection.execute(
            "SELECT t.tranche, t.published_by, t.published_at, count(b.fid), t.withdrawn_by, t.withdrawn_at "
            "FROM review_tranches t LEFT JOIN review_blocks b ON b.tranche = t.tranche "
            "GROUP BY t.tranche ORDER BY t.published_at DESC").fetchall() if self._has_schema() else []
        return [Tranche(name, by, _time(at), n, wby, _time(wat)) for name, by, at, n, wby, wat in rows]

    def _has_schema(self) -> bool:
        return self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'review_blocks'").fetchone() is not None

    def blocks(self, tranche: str) -> pd.DataFrame:
        frame = pd.read_sql_query(
            f"SELECT {', '.join(LISTING_COLUMNS)} FROM review_blocks WHERE tranche = ? "
            "ORDER BY score IS NULL, score DESC, block_id", self.connection, params=(tranche,))
        frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True, format="ISO8601")
        return frame

    def history(self, tranche: str, block_id: Optional[str] = None) -> pd.DataFrame:
        query = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM review_audit WHERE tranche = ?"
        params: tuple = (tranche,)
        if block_id is not None:
            query += " AND block_id = ?"
            params += (block_id,)
        frame = pd.read_sql_query(query + " ORDER BY entry_id", self.connection, params=params)
        frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True, format="ISO8601")
        return frame

    def latest_scores(self, tranche: str) -> pd.DataFrame:
        rows = self.connection.execute(
            "SELECT data FROM review_scores WHERE run_id = (SELECT max(run_id) FROM review_runs WHERE tranche = ?) "
            "ORDER BY score IS NULL, score DESC, block_id", (tranche,)).fetchall()
        return score_frame(row[0] for row in rows)

    # ------------------------------------------------------------ decide

    def decide(self, tranche: str, block_id: str, decision: str, comment: str, based_on: int) -> Decision:
        check_decision(decision)
        now = utc_now()
        with self._write() as db:
            withdrawn = db.execute("SELECT withdrawn_by, withdrawn_at FROM review_tranches WHERE tranche = ?",
                                   (tranche,)).fetchone()
            if withdrawn is None:
                raise ReviewError(f"{self.location}: no tranche '{tranche}'")
            if withdrawn[1]:
                raise ReviewError(f"tranche {tranche} was withdrawn by {withdrawn[0]} on {withdrawn[1][:19]} UTC; "
                                  "it takes no more decisions")
            updated = db.execute(
                "UPDATE review_blocks SET decision = ?, comment = ?, reviewer = ?, decided_at = ?, version = version + 1 "
                "WHERE tranche = ? AND block_id = ? AND version = ?",
                (decision, comment, self.user, _stamp(now), tranche, block_id, based_on)).rowcount
            current = self._current(db, tranche, block_id)
        if not updated:
            raise StaleDecision(current, based_on)
        return current

    def _current(self, db: sqlite3.Connection, tranche: str, block_id: str) -> Decision:
        row = db.execute("SELECT version, decision, reviewer, comment, decided_at FROM review_blocks "
                         "WHERE tranche = ? AND block_id = ?", (tranche, block_id)).fetchone()
        if row is None:
            raise ReviewError(f"{self.location}: tranche {tranche} has no block '{block_id}'")
        version, decision, reviewer, comment, decided_at = row
        return Decision(tranche, block_id, version, decision or "", reviewer or "", comment or "", _time(decided_at))

    def withdraw(self, tranche: str, comment: str) -> int:
        now = _stamp(utc_now())
        with self._write() as db:
            db.execute("UPDATE review_tranches SET withdrawn_by = ?, withdrawn_at = ? WHERE tranche = ?",
                       (self.user, now, tranche))
            return db.execute(
                "UPDATE review_blocks SET decision = ?, comment = ?, reviewer = ?, decided_at = ?, "
                "version = version + 1 WHERE tranche = ?",
                (OWNER_ONLY_DECISION, comment, self.user, now, tranche)).rowcount


def _bounds(wkb: bytes) -> tuple[float, float, float, float]:
    import shapely

    return shapely.from_wkb(wkb).bounds


class _WriteTransaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error); a read-only file is refused in words."""

    def __init__(self, store: GeoPackageStore):
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        if self.store.read_only:
            raise ReviewRefused(f"{self.store.location} is read-only to you ({self.store.user}): you can view the "
                                "review but not change it; ask its owner for write access")
        self.store.connection.execute("BEGIN IMMEDIATE")
        return self.store.connection

    def __exit__(self, kind, exc, tb):
        connection = self.store.connection
        if kind is None:
            connection.execute("COMMIT")
            return False
        connection.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            raise ReviewRefused(f"{self.store.location} is read-only to you: {exc}") from exc
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise ReviewError(f"{self.store.location} stayed locked by another writer for {BUSY_TIMEOUT_S:.0f} s; "
                              "try again") from exc
        if isinstance(exc, sqlite3.DatabaseError):
            raise ReviewError(f"{self.store.location}: the database refused: {exc}") from exc
        return False


def _register_envelope_functions(connection: sqlite3.Connection) -> None:
    """SQL functions reading the envelope of a GeoPackage geometry header (for the layer's extent)."""
    for index, name in enumerate(("geom_minx", "geom_maxx", "geom_miny", "geom_maxy")):
        connection.create_function(name, 1, lambda blob, i=index: struct.unpack_from("<4d", blob, 8)[i] if blob else None,
                                   deterministic=True)
