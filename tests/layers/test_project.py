"""The project file: round trip, relative paths, missing sources, damaged files, atomic saves."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from geo.errors import DataReadError, DataWriteError
from layers.layer import Layer, LayerList
from layers.project import load_project, save_project
from layers.style import Category, CategorisedStyle, RasterStyle, unfc_stage_style

REPO = Path(__file__).resolve().parents[2]

BLOCKS_CSV = """block_name,lat,lon,Mineral,Licence,ST_NM,G_STAGE
Salal-Haimana,33.15,74.83,Lithium,ML,Jammu & Kashmir,G3
Katghora,22.50,82.55,Lithium,CL,Chhattisgarh,G4
Kurumkel,21.93,84.92,Graphite,EL,Odisha,G2
Tumkur,13.34,77.10,Nickel,ML,Karnataka,G1
Deogarh,21.50,84.70,Graphite,CL,Odisha,333
"""
EXTRA = {"rules": "default", "blocks_layer": "Blocks", "weights": {"stage": 30, "forest": 10}, "note": "खनिज"}


@pytest.fixture
def workspace(tmp_path):
    """A project folder with a data subfolder holding one CSV, as a user would keep them."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "auction blocks.csv").write_text(BLOCKS_CSV, encoding="utf-8")
    return tmp_path


def build_layers(workspace: Path, external: Path) -> LayerList:
    states = Layer.from_file(external / "india-in-data-states-2019/shapefile/india_states.shp")
    states.set_filter_states(["Odisha", "Jharkhand"])
    states.opacity = 0.7
    stations = Layer.from_file(external / "datameet-railways/stations.json", name="Railway stations")
    stations.visible = False
    dem = Layer.from_file(external / "gnr605-mumbai-dem/data/dem.tif")
    dem.style = RasterStyle(colormap="terrain", vmin=0.0, vmax=250.0)
    blocks = Layer.from_file(workspace / "data" / "auction blocks.csv", role="deposits", encoding="utf-8")
    blocks.fields["stage"] = "G_STAGE"
    blocks.style = unfc_stage_style("G_STAGE")
    blocks.style.categories[3].visible = False
    blocks.filter_mask = [True, True, False, True, True]  # one of two Odisha rows: saved as rows
    gone = Layer.missing_source("Forest", workspace / "data" / "forest.gpkg", role="forest", reason="not found")
    return LayerList([blocks, stations, states, dem, gone])


def saved(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_round_trip_restores_everything(workspace, external):
    layers = build_layers(workspace, external)
    path = save_project(workspace / "survey.khanij", layers, extent=(68.0, 6.5, 97.5, 37.1), extra=EXTRA)
    project = load_project(path)
    assert [layer.name for layer in project.layers] == [layer.name for layer in layers]
    for before, after in zip(layers, project.layers):
        assert (after.id, after.kind, after.role, after.fields, after.visible, after.opacity, after.style,
                after.illustrative, after.missing, after.layer_name) == \
               (before.id, before.kind, before.role, before.fields, before.visible, before.opacity, before.style,
                before.illustrative, before.missing, before.layer_name)
        assert after.source == before.source
        if before.filter_mask is None:
            assert after.filter_mask is None
        else:
            np.testing.assert_array_equal(after.filter_mask, before.filter_mask)
    assert project.layers[0].read_options == {"encoding": "utf-8"}
    assert project.layers[2].filter_states() == ["Jharkhand", "Odisha"]
    assert project.extent == (68.0, 6.5, 97.5, 37.1) and project.display_crs == "EPSG:7755"
    assert project.extra == EXTRA
    assert project.layers[4].missing and any("forest.gpkg" in message for message in project.messages)


def test_saving_again_gives_the_same_bytes(workspace, external):
    first = save_project(workspace / "a.khanij", build_layers(workspace, external), extent=None, extra=EXTRA)
    project = load_project(first)
    second = save_project(workspace / "b.khanij", project.layers, project.extent, project.display_crs, project.extra)
    assert first.read_bytes() == second.read_bytes()


def test_file_format_header_and_relative_paths(workspace, external):
    path = save_project(workspace / "p.khanij", build_layers(workspace, external), extra=EXTRA)
    content = saved(path)
    assert (content["format"], content["version"]) == ("khanij-project", 1)
    sources = [entry["source"] for entry in content["layers"]]
    assert sources[0] == "data/auction blocks.csv" and sources[4] == "data/forest.gpkg"
    assert all(not Path(source).is_absolute() for source in sources)
    assert content["layers"][2]["filter"] == {"states": ["Jharkhand", "Odisha"]}
    assert content["layers"][0]["filter"] == {"hidden_rows": [2], "feature_count": 5}
    assert "खनिज" in path.read_text(encoding="utf-8")  # UTF-8 text, not \\u escapes


def test_moving_the_project_folder_keeps_its_layers(workspace, tmp_path_factory):
    layer = Layer.from_file(workspace / "data" / "auction blocks.csv", role="blocks")
    save_project(workspace / "p.khanij", LayerList([layer]))
    moved = tmp_path_factory.mktemp("elsewhere") / "project"
    shutil.copytree(workspace, moved)
    shutil.rmtree(workspace / "data")
    project = load_project(moved / "p.khanij")
    (restored,) = project.layers
    assert not restored.missing and restored.source == moved / "data" / "auction blocks.csv"
    assert restored.feature_count == 5 and project.messages == []


def test_missing_source_opens_as_missing_and_is_kept_on_save(workspace):
    csv = workspace / "data" / "auction blocks.csv"
    layer = Layer.from_file(csv, role="blocks")
    layer.style = CategorisedStyle("Licence", [Category("ML", "#0072b2", "Mining lease")])
    save_project(workspace / "p.khanij", LayerList([layer]))
    text = csv.read_text(encoding="utf-8")
    csv.unlink()
    project = load_project(workspace / "p.khanij")
    (missing,) = project.layers
    assert missing.missing and missing.data is None and missing.role == "blocks" and missing.style == layer.style
    assert "auction blocks.csv" in project.messages[0] and "missing" in project.messages[0]
    save_project(workspace / "p.khanij", project.layers)
    csv.write_text(text, encoding="utf-8")
    (back,) = load_project(workspace / "p.khanij").layers
    assert not back.missing and back.feature_count == 5 and back.style == layer.style and back.id == layer.id


def test_unreadable_source_opens_as_missing(workspace, external):
    corrupt = workspace / "data" / "corrupt.tif"
    shutil.copy(external / "rasterio-testdata/tests/data/corrupt.tif", corrupt)
    save_project(workspace / "p.khanij", LayerList([Layer.missing_source("Anomaly", corrupt, kind="raster",
                                                                          role="evidence")]))
    project = load_project(workspace / "p.khanij")
    (layer,) = project.layers
    assert layer.missing and layer.kind == "raster" and "corrupt.tif" in layer.missing_reason


def test_layer_made_in_memory_is_kept_as_missing(workspace):
    layer = Layer.from_file(workspace / "data" / "auction blocks.csv", role="blocks")
    layer.source = None
    save_project(workspace / "p.khanij", LayerList([layer]))
    (restored,) = load_project(workspace / "p.khanij").layers
    assert restored.missing and restored.source is None and "never saved" in restored.missing_reason


@pytest.mark.parametrize("content, message", [
    (b"{not json", "damaged"),
    (b"\xff\xfe\x00garbage", "not a Khanij project"),
    (b'{"format": "qgis", "version": 1}', "not a Khanij project"),
    (b'[1, 2]', "not a Khanij project"),
    (b'{"format": "khanij-project", "version": 2, "layers": []}', "newer Khanij"),
    (b'{"format": "khanij-project", "version": "one"}', "unknown project version"),
    (b'{"format": "khanij-project", "version": 1, "layers": [{"id": "x", "name": "n", "kind": "vector"}]}',
     "layer 1 of the project is damaged: 'style' is missing"),
    (b'{"format": "khanij-project", "version": 1, "layers": {"a": 1}}', "list of layers is damaged"),
    (b'{"format": "khanij-project", "version": 1, "layers": [], "extent": [1, 2]}', "extent"),
])
def test_damaged_project_file_names_the_file(tmp_path, content, message):
    path = tmp_path / "broken.khanij"
    path.write_bytes(content)
    with pytest.raises(DataReadError, match=message) as caught:
        load_project(path)
    assert "broken.khanij" in str(caught.value)


def test_absent_project_file(tmp_path):
    with pytest.raises(DataReadError, match="nothere.khanij: the project file does not exist"):
        load_project(tmp_path / "nothere.khanij")


def test_failed_save_leaves_the_old_file_and_no_temporary(workspace):
    layer = Layer.from_file(workspace / "data" / "auction blocks.csv", role="blocks")
    path = save_project(workspace / "p.khanij", LayerList([layer]), extra=EXTRA)
    before = path.read_bytes()
    # The serialiser has written megabytes of the new file when it meets something that is not JSON.
    extra = {"big": "x" * 3_000_000, "zzz": object()}
    with pytest.raises(DataWriteError, match="p.khanij: cannot save the project"):
        save_project(path, LayerList([layer]), extra=extra)
    assert path.read_bytes() == before
    assert sorted(p.name for p in workspace.iterdir()) == ["data", "p.khanij"]


def test_bad_extent_or_missing_folder_is_a_write_error(workspace):
    with pytest.raises(DataWriteError, match="extent"):
        save_project(workspace / "p.khanij", LayerList(), extent=(1, 2, 3))
    with pytest.raises(DataWriteError, match="does not exist"):
        save_project(workspace / "no" / "p.khanij", LayerList())
    assert not (workspace / "p.khanij").exists()


def test_killed_save_leaves_the_old_file_intact(workspace):
    """A process killed (SIGKILL) after writing the new content but before the rename."""
    path = save_project(workspace / "p.khanij", LayerList(), extra=EXTRA)
    before = path.read_bytes()
    child = textwrap.dedent(f"""
        import os, sys, time
        from layers.layer import LayerList
        from layers.project import save_project

        def stall(fd):
            print("written", flush=True)
            time.sleep(120)

        os.fsync = stall
        save_project({str(path)!r}, LayerList(), extra={{"big": "y" * 1_000_000}})
    """)
    process = subprocess.Popen([sys.executable, "-c", child], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "written"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert load_project(path).extra == EXTRA
    leftovers = [p.name for p in workspace.iterdir() if p.name not in ("data", "p.khanij")]
    assert all(name.startswith(".p.") and name.endswith(".part.khanij") for name in leftovers)
