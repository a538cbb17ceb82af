"""A throwaway PostgreSQL 15 cluster: initdb in a temporary folder, a Unix socket only, stopped and removed after.

PostgreSQL refuses to run as root, so as root (CI, the development machine) the cluster runs as
the ``postgres`` system user that Debian's postgresql-15 package creates. Used by the tests'
session fixture and by ``bench/bench_review.py``.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A running cluster with a database ``khanij``, reachable over its socket as the superuser."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError("PostgreSQL 15 is missing: run 'bash .ci/setup' (it installs postgresql-15)")
    folder = Path(tempfile.mkdtemp(prefix="khanij-pg-"))
    superuser = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    run = dict(check=True, capture_output=True, text=True)
    try:
        subprocess.run(_as_cluster_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", superuser, "--auth=trust",
                                         "--encoding=UTF8", "--locale=C.UTF-8"]), **run)
        options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c port={PG_PORT} -c fsync=off"
        subprocess.run(_as_cluster_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                         str(folder / "server.log"), "-w", "start"]), **run)
        cluster = Cluster(folder, superuser)
        cluster.sql("CREATE DATABASE khanij", dbname="postgres")
        yield cluster
    finally:
        subprocess.run(_as_cluster_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
