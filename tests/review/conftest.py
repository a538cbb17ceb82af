"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the review-store tests (one per session).

``initdb`` in a temporary folder, the server listening on a Unix socket in that folder only
(``listen_addresses=''``), stopped and removed at the end. PostgreSQL refuses to run as root, so
as root (CI, this machine) the cluster runs as the ``postgres`` system user that Debian's package
creates. ``.ci/setup`` installs the server: these tests are never skipped.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5432  # only names the socket file; nothing listens on TCP


@dataclass
class Cluster:
    socket_dir: Path
    superuser: str

    def conninfo(self, user: str | None = None, dbname: str = "khanij") -> str:
        return f"host={self.socket_dir} port={PG_PORT} dbname={dbname} user={user or self.superuser}"

    def sql(self, statement: str, params: tuple = (), dbname: str = "khanij") -> None:
        import psycopg

        with psycopg.connect(self.conninfo(dbname=dbname), autocommit=True) as connection:
            connection.execute(statement, params)


def _as_cluster_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def pg_cluster():
    """A running cluster with a database ``khanij``, reachable over its socket as the superuser."""
    assert (PG_BIN / "initdb").exists(), "PostgreSQL 15 is missing: run 'bash .ci/setup' (it installs postgresql-15)"
    folder = Path(tempfile.mkdtemp(prefix="khanij-pg-"))
    superuser = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(_as_cluster_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", superuser, "--auth=trust",
                                     "--encoding=UTF8", "--locale=C.UTF-8"]), **run)
    options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c port={PG_PORT} -c fsync=off"
    subprocess.run(_as_cluster_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                     str(folder / "server.log"), "-w", "start"]), **run)
    try:
        cluster = Cluster(folder, superuser)
        cluster.sql("CREATE DATABASE khanij", dbname="postgres")
        yield cluster
    finally:
        subprocess.run(_as_cluster_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def review_db(pg_cluster):
    """The review schema installed, with login roles ana (owner), ravi and sita (reviewers), meena (read only)."""
    from layers.review.pg_store import OWNER_ROLE, READ_ROLE, REVIEWER_ROLE, install_schema

    install_schema(pg_cluster.conninfo())
    for user, role in (("ana", OWNER_ROLE), ("ravi", REVIEWER_ROLE), ("sita", REVIEWER_ROLE), ("meena", READ_ROLE)):
        pg_cluster.sql(f"CREATE ROLE {user} LOGIN IN ROLE {role}")
    return pg_cluster
