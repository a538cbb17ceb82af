"""Shared test set-up: Qt offscreen (``--headed`` to watch), paths to the shared real data, and
a guard that the shared source files are byte-for-byte unchanged after the whole suite."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXTERNAL = SHARED / "data" / "external"
REFERENCE = SHARED / "data" / "reference"


def pytest_addoption(parser):
    parser.addoption("--headed", action="store_true", help="show Qt windows instead of rendering offscreen")


def pytest_configure(config):
    if not config.getoption("--headed"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("KHANIJ_SETTINGS_ORG", "khanij-tests")
    config._khanij_source_digests = source_digests()


def source_digests() -> dict[str, str]:
    """SHA-256 of every file under shared/data (the inputs Khanij must never modify)."""
    digests = {}
    for path in sorted((SHARED / "data").rglob("*")):
        if path.is_file():
            digests[str(path.relative_to(SHARED))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_khanij_source_digests", None)
    if before is None:
        return
    after = source_digests()
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if changed:
        print("\nSOURCE FILES CHANGED BY THE TEST SUITE (they must stay read-only):")
        for name in changed:
            print(f"  {name}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``shared/`` folder beside the repository."""
    return SHARED


@pytest.fixture(scope="session")
def external() -> Path:
    """``shared/data/external``: real third-party files, good and broken."""
    assert EXTERNAL.is_dir(), f"shared test data missing at {EXTERNAL}"
    return EXTERNAL


@pytest.fixture(scope="session")
def reference() -> Path:
    """``shared/data/reference``: other projects' test data with the values they assert."""
    assert REFERENCE.is_dir(), f"shared reference data missing at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def scores_path(tmp_path_factory) -> Path:
    """``khanij score --sample`` written once per session as a GeoPackage (a real score output)."""
    import main

    path = tmp_path_factory.mktemp("scores") / "scores.gpkg"
    assert main.main(["score", "--sample", "-o", str(path)]) == 0
    return path
