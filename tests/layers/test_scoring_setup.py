"""The scoring set-up (Qt-free): proposals instead of silent roles, the field mapping applied,
saved and restored with the project, and ``khanij score --project`` scoring what it says."""
from __future__ import annotations

import datetime
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

import geo
from assessment.scoring import score
from layers.atlas import ATLAS_DIR, load_sample_atlas
from layers.layer import Layer, LayerList
from layers.project import load_project, save_project
from layers.scoring_setup import PROJECT_KEY, ScoringSetup, mapped_frame, read_fields, score_project

AMC = "datameet-municipal/Ahmedabad/AMC Facilities.kml"


@pytest.fixture
def atlas():
    return load_sample_atlas()


def test_opening_a_file_proposes_a_role_and_changes_nothing(atlas, external):
    setup = ScoringSetup.from_roles(atlas)
    saved, key = setup.to_dict(atlas), setup.inputs_key(atlas)
    kml = [Layer.from_read_result(result) for result in geo.read_all(external / AMC)]
    atlas.extend(kml)
    assert setup.to_dict(atlas) == saved and setup.inputs_key(atlas) == key
    proposed = setup.proposals(atlas)
    assert {layer.name for layer, _role in proposed} == {layer.name for layer in kml if layer.role is not None}
    assert {role for _layer, role in proposed} == {"infrastructure"}
    first = proposed[0][0]
    setup.accept(first)
    assert first in setup.layers_for("infrastructure", atlas)
    assert setup.inputs_key(atlas) != key
    setup.dismiss(proposed[1][0])
    assert proposed[1][0] not in [layer for layer, _role in setup.proposals(atlas)]


def test_a_licence_column_named_proposed_is_scored_once_mapped(atlas, tmp_path):
    setup = ScoringSetup.from_roles(atlas)
    blocks = setup.layer_for("blocks", atlas)
    expected = score(**setup.score_inputs(atlas))
    renamed = blocks.data.rename(columns={"licence": "Proposed"})
    own = Layer("Proposed blocks", renamed, role="blocks",
                fields={field: column for field, column in blocks.fields.items() if field != "licence"})
    atlas.append(own)
    setup.assign("blocks", own)
    unmapped = score(**setup.score_inputs(atlas))      # without the mapping the licence is unknown
    assert unmapped["score"].tolist() != expected["score"].tolist()
    own.fields = {**own.fields, "licence": "Proposed"}
    got = score(**setup.score_inputs(atlas))
    assert got["score"].tolist() == expected["score"].tolist()
    assert got["licence"].tolist() == expected["licence"].tolist() == blocks.data["licence"].tolist()


def test_mapped_frame_keeps_guessed_names_and_moves_a_clashing_column():
    frame = pd.DataFrame({"licence": ["old"], "Proposed": ["ML"], "state": ["Odisha"]})
    assert mapped_frame(frame, {"licence": "licence"}, "blocks") is frame
    moved = mapped_frame(frame, {"licence": "Proposed"}, "blocks")
    assert list(moved.columns) == ["licence_unmapped", "licence", "state"]
    assert moved["licence"].tolist() == ["ML"]


def test_the_setup_is_saved_in_the_project_and_scored_by_the_cli(atlas, tmp_path):
    setup = ScoringSetup.from_roles(atlas)
    setup.assign("forest", None)
    setup.as_of = "2025-11-12"
    path = tmp_path / "tranche.khanij"
    save_project(path, atlas, extra={PROJECT_KEY: setup.to_dict(atlas, tmp_path)})
    project = load_project(path)
    again = ScoringSetup()
    assert again.restore(project.extra[PROJECT_KEY], project.layers, tmp_path) == []
    assert again.to_dict(project.layers, tmp_path) == setup.to_dict(atlas, tmp_path)
    assert again.as_of == datetime.date(2025, 11, 12)

    table, notes, inputs = score_project(path)
    assert notes == [] and set(table["as_of"]) == {"2025-11-12"} and table["s_forest"].isna().all()
    items = inputs["item"].tolist()
    assert items == ["Blocks", "Deposits", "Protected areas", "State boundaries", "Infrastructure",
                     "Evidence rasters", "Rules", "As of"]                          # each once, no forest
    assert inputs.set_index("item").loc["As of", "name"] == "2025-11-12"
    assert "licence = licence" in inputs.set_index("item").loc["Blocks", "detail"]
    out = tmp_path / "out.gpkg"
    run = subprocess.run([sys.executable, "-m", "main", "score", "--project", str(path), "-o", str(out)],
                         capture_output=True, text=True, cwd=ATLAS_DIR.parents[1])
    assert run.returncode == 0, run.stderr
    written = gpd.read_file(out, layer="scores")
    assert written["score"].tolist() == pytest.approx(table["score"].tolist())
    assert gpd.read_file(out, layer="scoring_inputs")["item"].tolist() == items


def test_score_project_on_a_dask_cluster_writes_the_same_table(atlas, tmp_path):
    from distributed import Client

    from assessment.distributed import local_cluster

    setup = ScoringSetup.from_roles(atlas)
    path = tmp_path / "tranche.khanij"
    save_project(path, atlas, extra={PROJECT_KEY: setup.to_dict(atlas, tmp_path)})
    single, _notes, _inputs = score_project(path, as_of="2025-06-01")
    with local_cluster(2, processes=False) as cluster, Client(cluster) as client:
        clustered, _notes, _inputs = score_project(path, as_of="2025-06-01", client=client)
    pd.testing.assert_frame_equal(pd.DataFrame(clustered), pd.DataFrame(single), check_exact=True)

    out = tmp_path / "dask.gpkg"
    run = subprocess.run([sys.executable, "-m", "main", "score", "--project", str(path), "--as-of", "2025-06-01",
                          "--dask", "local:1", "-o", str(out)], capture_output=True, text=True, cwd=ATLAS_DIR.parents[1])
    assert run.returncode == 0, run.stderr
    written = gpd.read_file(out, layer="scores")
    assert written["explanation"].tolist() == single["explanation"].tolist()
    assert written["score"].tolist() == single["score"].tolist()


def test_score_project_refuses_a_setup_without_blocks_and_flags_that_clash(atlas, tmp_path):
    path = tmp_path / "empty.khanij"
    save_project(path, atlas, extra={PROJECT_KEY: ScoringSetup().to_dict(atlas)})
    run = subprocess.run([sys.executable, "-m", "main", "score", "--project", str(path), "-o", str(tmp_path / "o.csv")],
                         capture_output=True, text=True, cwd=ATLAS_DIR.parents[1])
    assert run.returncode == 3 and "no blocks layer" in run.stderr and "empty.khanij" in run.stderr
    run = subprocess.run([sys.executable, "-m", "main", "score", "--project", str(path), "--sample",
                          "-o", str(tmp_path / "o.csv")], capture_output=True, text=True, cwd=ATLAS_DIR.parents[1])
    assert run.returncode == 2 and "--sample" in run.stderr


def test_out_of_date_key_follows_every_input(atlas):
    setup = ScoringSetup.from_roles(atlas)
    key = setup.inputs_key(atlas)
    blocks = setup.layer_for("blocks", atlas)
    blocks.set_filter_states(["Odisha"])
    assert setup.inputs_key(atlas) != key
    blocks.set_filter_states(None)
    assert setup.inputs_key(atlas) == key
    setup.as_of = "2020-01-01"
    assert setup.inputs_key(atlas) != key


def test_columns_the_score_does_not_read_leave_the_key_and_those_it_reads_change_it(atlas):
    setup = ScoringSetup.from_roles(atlas)
    key = setup.inputs_key(atlas)
    deposits = setup.layer_for("deposits", atlas)
    codes = deposits.data["unfc"].to_numpy()
    deposits.add_columns({"unfc_to": codes, "unfc_note": ["checked"] * len(codes)})
    assert setup.inputs_key(atlas) == key                       # the converter's columns are not read
    deposits.add_columns({"unfc_note": ["checked"] * len(codes)})
    assert setup.inputs_key(atlas) == key                       # the same values again
    deposits.add_columns({"unfc_note": ["re-checked"] * len(codes)})
    assert setup.inputs_key(atlas) != key                       # a column's values changed
    key = setup.inputs_key(atlas)
    blocks = setup.layer_for("blocks", atlas)
    blocks.add_columns({"village": ["Kundru"] * blocks.feature_count})
    assert dict(read_fields(blocks, "blocks"))["village"] == "village"
    assert setup.inputs_key(atlas) != key                       # a column the score finds by name
    key = setup.inputs_key(atlas)
    blocks.data = blocks.data.copy()
    assert setup.inputs_key(atlas) != key                       # the features replaced (an edit)
