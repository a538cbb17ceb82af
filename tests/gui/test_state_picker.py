"""The state picker on real files: each state once (features dissolved by the state field, a
districts layer read as districts), the merged UT once, and a reopened project shows its filter."""
from __future__ import annotations

import json

import pytest

from layers.atlas import load_sample_atlas
from layers.layer import Layer, LayerList

from gui.main_window import MainWindow
from gui.state_picker import ALL_INDIA, StatePicker

DISTRICTS = "india-in-data-kashmir/india_districts_ladakh_ut.geojson"
MERGED = "Dadra and Nagar Haveli and Daman and Diu"


def items(picker) -> list[str]:
    return [picker.itemText(i) for i in range(picker.count())]


def test_the_shipped_states_list_each_state_once_with_the_merged_union_territory(qtbot):
    picker = StatePicker(load_sample_atlas())
    qtbot.addWidget(picker)
    names = items(picker)
    assert names[0] == ALL_INDIA and len(names) == len(set(names)) == 37
    assert names.count(MERGED) == 1
    assert not any(name in ("Dadra & Nagar Haveli", "Daman & Diu") for name in names)


def test_a_districts_layer_lists_each_state_once_and_zooms_to_all_its_districts(qtbot, external):
    districts = Layer.from_file(external / DISTRICTS)
    assert districts.role == "boundaries" and "district" in districts.fields
    picker = StatePicker(LayerList([districts]))
    qtbot.addWidget(picker)
    names = items(picker)[1:]
    states = districts.data[districts.fields["state"]].dropna().str.strip().unique()
    assert len(names) == len(set(names)) == len(states) < 40
    assert not set(names) & set(districts.data["district"]) - set(states)
    with qtbot.waitSignal(picker.stateChosen) as blocker:
        picker.choose("Odisha")
    name, layer, positions = blocker.args
    assert name == "Odisha" and layer is districts
    assert sorted(positions) == sorted((districts.data["st_nm"].str.strip() == "Odisha").to_numpy().nonzero()[0].tolist())
    assert len(positions) > 20


def test_a_reopened_project_shows_the_state_its_layers_are_filtered_to(qtbot, atlas_window, tmp_path):
    window = atlas_window
    window.state_picker.choose("Odisha")
    project = tmp_path / "odisha.khanij"
    assert window.write_project(project)

    again = MainWindow()
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.loadFinished, timeout=60000):
        again.open_paths([str(project)])
    assert again.state_picker.currentText() == "Odisha"
    blocks = again.scoring_setup.layer_for("blocks", again.layer_list)
    assert blocks.filter_states() == ["Odisha"]

    saved = json.loads(project.read_text(encoding="utf-8"))
    for entry in saved["layers"]:
        if entry["filter"]:
            entry["filter"] = {"states": ["Odisha", "Jharkhand"]}
    project.write_text(json.dumps(saved), encoding="utf-8")
    third = MainWindow()
    qtbot.addWidget(third)
    with qtbot.waitSignal(third.loadFinished, timeout=60000):
        third.open_paths([str(project)])
    assert third.state_picker.currentText() == ALL_INDIA
    assert all(layer.filter_mask is None for layer in third.layer_list)
    assert any("was removed" in message for message in third.messages)
