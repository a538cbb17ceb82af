"""The layer tree is a view of the LayerList: checkboxes, legend, groups, order, context menu."""
from __future__ import annotations

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from layers.layer import Layer, LayerList
from layers.style import UNFC_STAGE_COLOURS

from gui.layer_tree import GROUP, KIND_ROLE, LEGEND, STATE_ENTRY, LayerTree, drop_index


@pytest.fixture
def deposits_path(tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["Jhariya", "Keonjhar", "Bailadila", "Sandur", "Nowhere"],
         "state": ["Jharkhand", "Odisha", "Chhattisgarh", "Karnataka", "Odisha"],
         "unfc": ["111", "222", "331", "334", None],
         "tonnage": [12.0, 3.5, 40.0, 1.0, None]},
        geometry=gpd.points_from_xy([86.4, 85.6, 81.2, 76.6, 85.0], [23.7, 21.6, 18.7, 15.1, 21.0]),
        crs="EPSG:4326")
    path = tmp_path / "deposits.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


@pytest.fixture
def layer_list(deposits_path, external):
    deposits = Layer.from_file(deposits_path, role="deposits")
    states = Layer.from_file(external / "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson", role="boundaries")
    return LayerList([deposits, states])


@pytest.fixture
def tree(qtbot, layer_list):
    widget = LayerTree(layer_list)
    qtbot.addWidget(widget)
    return widget


def _changes(layer_list):
    seen = []
    layer_list.events.changed.connect(lambda event: seen.append(event))
    return seen


def test_every_layer_with_checkbox_and_legend(tree, layer_list):
    items = tree.layer_items()
    assert [item.text(0) for item in items] == ["deposits", "INDIA_STATES"]
    assert all(item.checkState(0) == Qt.CheckState.Checked for item in items)
    legend = [items[0].child(i) for i in range(items[0].childCount())]
    assert [child.data(0, KIND_ROLE) for child in legend] == [LEGEND] * 5
    assert [child.text(0) for child in legend] == ["G1 Detailed exploration", "G2 General exploration",
                                                   "G3 Preliminary exploration", "G4 Reconnaissance", "stage unknown"]
    centre = legend[2].icon(0).pixmap(16, 16).toImage().pixelColor(8, 8)
    assert centre.name() == UNFC_STAGE_COLOURS["G3"]
    assert items[1].childCount() == 0          # one colour: the swatch is the layer's icon


def test_checkbox_sets_visibility_and_category_visibility(tree, layer_list, qtbot):
    deposits = layer_list[0]
    changes = _changes(layer_list)
    tree.layer_items()[0].setCheckState(0, Qt.CheckState.Unchecked)
    assert deposits.visible is False
    assert len(changes) == 1
    qtbot.waitUntil(lambda: tree.layer_items()[0].checkState(0) == Qt.CheckState.Unchecked)

    g1 = tree.layer_items()[0].child(0)             # 111 and 331 are G1
    g1.setCheckState(0, Qt.CheckState.Unchecked)
    assert deposits.style.categories[0].visible is False
    assert deposits.shown_mask().tolist() == [False, True, False, True, True]


def test_group_by_role_toggles_members_in_one_change(tree, layer_list):
    tree.set_mode("role")
    groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [g.text(0) for g in groups] == ["Deposits", "Boundaries"]
    assert all(g.data(0, KIND_ROLE) == GROUP for g in groups)
    changes = _changes(layer_list)
    groups[1].setCheckState(0, Qt.CheckState.Unchecked)
    assert layer_list[1].visible is False
    assert len(changes) == 1


def test_group_by_state_filters_features(tree, layer_list, qtbot):
    tree.set_mode("state")
    titles = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert titles == ["Chhattisgarh", "Jharkhand", "Karnataka", "Odisha", "Other layers"]
    odisha = tree.topLevelItem(3).child(0)
    assert odisha.data(0, KIND_ROLE) == STATE_ENTRY
    assert odisha.text(0) == "deposits (2)"
    changes = _changes(layer_list)
    odisha.setCheckState(0, Qt.CheckState.Unchecked)
    assert layer_list[0].filter_mask.tolist() == [True, False, True, True, False]
    assert len(changes) == 1
    qtbot.waitUntil(lambda: tree.topLevelItem(3).child(0).checkState(0) == Qt.CheckState.Unchecked)
    tree.topLevelItem(3).child(0).setCheckState(0, Qt.CheckState.Checked)
    assert layer_list[0].filter_mask is None


def test_reorder_and_context_menu(tree, layer_list, qtbot):
    deposits, states = layer_list
    assert drop_index(layer_list, deposits, states, below=True) == 1
    assert drop_index(layer_list, states, deposits, below=False) == 0
    tree.move_layer(deposits, 1)
    assert list(layer_list) == [states, deposits]
    qtbot.waitUntil(lambda: tree.layer_items()[0].text(0) == "INDIA_STATES")

    menu = tree.layer_menu(states)
    texts = [action.text() for action in menu.actions() if action.text()]
    assert texts == ["Zoom to layer", "Open attribute table", "Style…", "Rename…", "Set role", "Remove layer",
                     "Properties…"]
    with qtbot.waitSignal(tree.zoomToLayer) as zoom:
        menu.actions()[0].trigger()
    assert zoom.args == [states]
    role_menu = next(a for a in menu.actions() if a.text() == "Set role").menu()
    next(a for a in role_menu.actions() if a.text() == "Deposits").trigger()
    assert states.role == "deposits"
    next(a for a in menu.actions() if a.text() == "Remove layer").trigger()
    assert list(layer_list) == [deposits]


def test_many_model_changes_rebuild_once(tree, layer_list, qtbot):
    before = tree.rebuild_count
    for layer in layer_list:
        layer.visible = False
        layer.opacity = 0.5
    QApplication.processEvents()
    qtbot.waitUntil(lambda: tree.rebuild_count == before + 1)
    QApplication.processEvents()
    assert tree.rebuild_count == before + 1
    assert all(item.checkState(0) == Qt.CheckState.Unchecked for item in tree.layer_items())


def test_style_dialog_changes_colour_size_and_labels(tree, layer_list, qtbot):
    from gui.style_dialog import StyleDialog

    deposits = layer_list[0]
    dialog = StyleDialog(deposits)
    qtbot.addWidget(dialog)
    page = dialog.page
    page.categories.cellWidget(0, 1).set_colour("#112233")
    page.categories.item(0, 3).setText("G1 drilled")
    page.size_field.setCurrentIndex(page.size_field.findData("tonnage"))
    page.label_field.setCurrentIndex(page.label_field.findData("name"))
    dialog.accept()
    style = deposits.style
    assert style.categories[0].colour == "#112233" and style.categories[0].label == "G1 drilled"
    assert style.size_field == "tonnage" and style.label_field == "name"
    sizes = style.sizes(deposits.data)
    assert sizes[2] == max(sizes) and sizes[3] < sizes[0]          # 40 Mt largest, 1 Mt smaller than 12 Mt
    first = tree.layer_items()[0].child(0)
    assert first.text(0) == "G1 drilled"
    assert first.icon(0).pixmap(16, 16).toImage().pixelColor(8, 8).name() == "#112233"


def test_style_dialog_classifies_by_value(tree, layer_list, qtbot):
    from gui.style_dialog import StyleDialog

    deposits = layer_list[0]
    dialog = StyleDialog(deposits)
    qtbot.addWidget(dialog)
    page = dialog.page
    page.field.setCurrentIndex(page.field.findData("state"))
    page.classifier.setCurrentIndex(page.classifier.findData("value"))
    page.reclassify()
    dialog.apply()
    assert [c.value for c in deposits.style.categories] == ["Odisha", "Chhattisgarh", "Jharkhand", "Karnataka"]
    assert len(set(c.colour for c in deposits.style.categories)) == 4
