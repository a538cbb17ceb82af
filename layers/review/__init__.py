"""The review store: a scored tranche, the reviewers' decisions on its blocks and their audit log.

Two back-ends with one schema: a GeoPackage (the default, one file, no server) and PostgreSQL 15
with PostGIS 3 (``postgresql://…`` or any libpq connection string) when several officials share
the review. :func:`open_store` picks the back-end from the target; :func:`read_scored_blocks` reads
the score output a tranche is published from (the Review panel and ``khanij review publish``).
"""
from __future__ import annotations

from typing import Optional

from layers.review.model import (
    DECISIONS, HISTORY_COLUMNS, LISTING_COLUMNS, Decision, ReviewConnectionError, ReviewError, ReviewRefused,
    ReviewStore, Run, StaleDecision, Tranche, format_time,
)

__all__ = ["DECISIONS", "HISTORY_COLUMNS", "LISTING_COLUMNS", "Decision", "ReviewConnectionError", "ReviewError",
           "ReviewRefused", "ReviewStore", "Run", "StaleDecision", "Tranche", "format_time", "is_postgres", "open_store",
           "read_scored_blocks"]


def is_postgres(target: str) -> bool:
    """A PostgreSQL URI (``postgresql://…``) or a libpq keyword string (``service=review``, ``host=… dbname=…``)."""
    text = str(target).strip()
    return text.startswith(("postgresql://", "postgres://")) or ("=" in text and not text.lower().endswith(".gpkg"))


def open_store(target, user: Optional[str] = None, create: bool = False, read_only: bool = False) -> ReviewStore:
    """The review store at ``target``: a GeoPackage path or a PostgreSQL connection string.

    ``user`` names the reviewer in a GeoPackage (default: the login name); PostgreSQL records the
    database user, who cannot be someone else. ``create`` makes a GeoPackage that does not exist
    yet (publishing does); a PostgreSQL schema is made once by ``khanij review init``.
    ``read_only`` opens a GeoPackage for viewing only (on PostgreSQL the database's roles decide).
    """
    if is_postgres(str(target)):
        from layers.review.pg_store import PostgresStore

        return PostgresStore(str(target))
    from layers.review.gpkg_store import GeoPackageStore

    return GeoPackageStore(target, user=user, create=create, read_only=read_only)


def read_scored_blocks(path: str):
    """The scored blocks of a score output, with their shapes (DataReadError naming the file otherwise)."""
    import geopandas as gpd

    from geo import read
    from geo.errors import DataReadError, describe_path
    from geo.tables import require_columns

    result = read(path)
    if not isinstance(result.data, gpd.GeoDataFrame) or result.data.crs is None:
        raise DataReadError(f"{describe_path(path)}: publish the GeoPackage 'khanij score -o OUT.gpkg' wrote; "
                            "the review store needs the blocks' shapes and CRS")
    require_columns(result.data, ("readiness", "score"), path, result.layer)
    return result.data
