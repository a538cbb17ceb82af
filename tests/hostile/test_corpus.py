"""The hostile corpus through every command (issue 16, point 6).

:mod:`make_corpus` writes every class of hostile input into a temporary folder; :mod:`run_corpus`
runs each file through ``info``, ``convert --table``, ``resources``, ``score`` in each role,
``report`` and ``export-map`` (rules files through ``score --rules``, projects through ``score
--project`` and ``export-map --project``) in worker subprocesses limited to 2 GB of address space,
replacing a worker that overruns its time. The tests below read that one run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from make_corpus import make_corpus, make_rules_and_projects  # noqa: E402
from run_corpus import MEMORY_LIMIT_BYTES, good_inputs, run_corpus, summary  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(the cases, every run of every case)."""
    work = tmp_path_factory.mktemp("hostile")
    (work / "corpus").mkdir()
    cases = make_corpus(work / "corpus") + make_rules_and_projects(work / "corpus")
    runs = run_corpus(cases, good_inputs(work / "good"), work / "out", REPO, workers=2)
    print(summary(runs))
    return cases, runs


def _show(runs) -> list[str]:
    return [f"{run.file} {run.command}: exit {run.code}: {run.message[:200]}" for run in runs]


def test_the_corpus_covers_every_class_of_issue_16(corpus):
    cases, runs = corpus
    names = " ".join(case.name for case in cases)
    for needed in ("dbf with fewer records", "zero record length", "shx whose offsets", "cpg", "unclosed ring",
                   "nan", "1e308", "collapsed", "array and object properties", "no placemarks", "120,000 placemarks",
                   "dimension bomb", "bad shared strings", "no sheets", "malformed styles", "entity bomb",
                   "1 MB line", "NUL", "UTF-16 with tabs", "damaged CRS", "rotated", "complex", "pending WAL",
                   "without geometry", "300 layers", "600 folders", "NaN bands", "nested", "overflows", "wrong types"):
        assert needed in names, needed
    commands = {run.command for run in runs}
    assert {"info", "convert", "resources", "report", "export-map", "score--blocks", "score--deposits", "score--forest",
            "score--protected", "score--infra", "score--boundaries", "score--raster", "score--rules",
            "score--project", "export-map--project"} <= commands


def test_no_run_crashes_hangs_or_runs_out_of_memory(corpus):
    _, runs = corpus
    assert _show(r for r in runs if r.traceback or r.code not in (0, 3)) == []
    assert max(r.peak_mb for r in runs) < MEMORY_LIMIT_BYTES / 2**20


def test_a_table_without_geometry_is_refused_where_it_would_be_drawn_or_scored(corpus):
    cases, runs = corpus
    tables = {case.name for case in cases if "without geometry" in case.name}
    drawn_or_scored = [r for r in runs if r.case in tables and r.command in ("export-map", "score--blocks")]
    assert drawn_or_scored and _show(r for r in drawn_or_scored if r.code != 3) == []


def test_every_refusal_names_the_file(corpus):
    _, runs = corpus
    assert _show(r for r in runs if r.code == 3 and not r.names_file) == []


def test_files_that_must_be_refused_are_refused_by_every_command(corpus):
    cases, runs = corpus
    refused = {case.name for case in cases if case.outcome == "refuse"}
    assert _show(r for r in runs if r.case in refused and r.code != 3) == []


def test_files_read_with_a_warning_say_so_in_info(corpus):
    cases, runs = corpus
    warned = {case.name for case in cases if case.outcome == "warn"}
    infos = [r for r in runs if r.case in warned and r.command == "info"]
    assert infos and _show(r for r in infos if r.code != 0 or "!" not in r.extra["stdout"]) == []


def test_sources_and_their_side_files_are_unchanged_and_no_partial_output_is_left(corpus):
    _, runs = corpus
    assert _show(r for r in runs if r.source_changed) == []
    assert _show(r for r in runs if r.partial_output) == []
