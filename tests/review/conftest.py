"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the review-store tests (one per session).

``.ci/setup`` installs the server: the tests marked ``postgres`` are never skipped.
"""
from __future__ import annotations

import pytest

from tests.review.pg_cluster import throwaway_cluster


@pytest.fixture(scope="session")
def pg_cluster():
    """A running cluster (Unix socket only) with a database ``khanij``, stopped and removed at the end."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def review_db(pg_cluster):
    """The review schema installed, with login roles ana (owner), ravi and sita (reviewers), meena (read only)."""
    from layers.review.pg_store import OWNER_ROLE, READ_ROLE, REVIEWER_ROLE, install_schema

    install_schema(pg_cluster.conninfo())
    for user, role in (("ana", OWNER_ROLE), ("ravi", REVIEWER_ROLE), ("sita", REVIEWER_ROLE), ("meena", READ_ROLE)):
        pg_cluster.sql(f"CREATE ROLE {user} LOGIN IN ROLE {role}")
    return pg_cluster
