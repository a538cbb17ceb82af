"""A real map canvas shown offscreen and drawn once, for the GUI tests."""
from gui.canvas import MapCanvas


def make_canvas(qtbot, layer_list, size=(800, 500)) -> MapCanvas:
    canvas = MapCanvas(layer_list)
    qtbot.addWidget(canvas)
    canvas.resize(*size)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.zoom_to_full_extent()
    canvas.grab_map_image()
    return canvas
