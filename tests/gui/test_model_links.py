"""A widget listening to the layer model stops listening when it is deleted."""
import shiboken6

from layers.layer import Layer, LayerList
from gui.canvas import MapCanvas
from gui.layer_tree import LayerTree
from gui.state_picker import StatePicker


def test_deleted_widgets_leave_no_callback_on_the_model(qtbot, tmp_path):
    import geopandas as gpd
    from shapely import box

    gpd.GeoDataFrame({"state": ["Odisha"]}, geometry=[box(84, 20, 85, 21)], crs="EPSG:4326").to_file(tmp_path / "states.gpkg")
    layer_list = LayerList([Layer.from_file(tmp_path / "states.gpkg", role="boundaries")])
    before = len(layer_list.events.changed)
    picker, tree, canvas = StatePicker(layer_list), LayerTree(layer_list), MapCanvas(layer_list)
    assert len(layer_list.events.changed) == before + 3
    for widget in (picker, tree, canvas):
        shiboken6.delete(widget)
    assert len(layer_list.events.changed) == before
    layer_list[0].visible = False  # would call into deleted C++ objects before
