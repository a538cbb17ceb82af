"""The canvas, the file renderer and the layer-tree swatches draw every class exactly as
:func:`layers.style.drawn_classes` resolves it (the HTML map is checked in tests/layers)."""
from __future__ import annotations

import re
import numpy as np
import pytest
from PySide6 import QtGui

from gui.layer_tree import LayerTree
from gui.render import render_map
from layers.layer import LayerList
from layers.style import drawn_classes, point_sizes_px
from tests.gui.canvas_helpers import make_canvas
from tests.layers.style_cases import style_case_layers


@pytest.fixture
def layers(external) -> LayerList:
    return style_case_layers(external)


def same_colour(colour: QtGui.QColor, hex_colour: str, opacity: float) -> bool:
    return colour.name() == hex_colour and abs(colour.alphaF() - opacity) < 1 / 255


def test_canvas_pens_brushes_and_sizes_are_the_resolved_ones(qtbot, layers):
    canvas = make_canvas(qtbot, layers, size=(900, 700))
    for layer in layers:
        items = canvas._items[layer.id]
        assert items.group.opacity() == 1.0, layer.name       # the layer's opacity is in the colours
        checked = 0
        for drawn in drawn_classes(layer):
            class_items = items.classes.get(drawn.index)
            if class_items is None:
                continue
            if class_items.polygon is not None:
                pen, brush = class_items.polygon.pen(), class_items.polygon.brush()
                assert same_colour(pen.color(), drawn.outline_colour, drawn.opacity), (layer.name, drawn.label)
                assert pen.widthF() == pytest.approx(drawn.outline_width_px) and pen.isCosmetic()
                if drawn.fill_opacity > 0:
                    assert same_colour(brush.color(), drawn.fill_colour, drawn.fill_opacity), (layer.name, drawn.label)
                else:
                    assert brush.style() == QtGui.Qt.BrushStyle.NoBrush
                assert class_items.polygon.isVisible() == drawn.visible
            if class_items.line is not None:
                pen = class_items.line.pen()
                assert same_colour(pen.color(), drawn.line_colour, drawn.opacity)
                assert pen.widthF() == pytest.approx(drawn.line_width_px)
            for markers, sizes in ((class_items.points, point_sizes_px(layer)[class_items.shapes.point_feature]),
                                   (class_items.marks, drawn.mark_size_px)):
                if markers is None:
                    continue
                assert same_colour(markers.opts["pen"].color(), drawn.point_outline_colour, drawn.opacity)
                assert markers.opts["pen"].widthF() == pytest.approx(drawn.point_outline_width_px)
                assert same_colour(markers.opts["brush"].color(), drawn.point_colour, drawn.opacity)
                shown = np.where(markers.data["size"] < 0, markers.opts["size"], markers.data["size"])
                assert np.allclose(shown, sizes)
                assert markers.isVisible() == drawn.visible
            checked += 1
        assert checked, layer.name
    marked = [class_items.marks for class_items in canvas._items[layers.find("blocks").id].classes.values()]
    assert any(marks is not None for marks in marked)


def svg_groups(path) -> list[dict]:
    """The painting state (fill, stroke, opacities, width) of every group Qt's SVG generator wrote."""
    groups = []
    for match in re.finditer(r"<g ([^>]*)>", path.read_text(), re.S):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        groups.append({key: attributes.get(key) for key in ("fill", "fill-opacity", "stroke", "stroke-opacity",
                                                             "stroke-width")})
    return groups


def painted(groups, **wanted) -> bool:
    """Whether a group has these colours, with opacities and width within rounding."""
    def matches(group):
        for key, value in wanted.items():
            attribute = key.replace("_", "-")
            if isinstance(value, str):
                if group[attribute] != value:
                    return False
            elif group[attribute] is None or abs(float(group[attribute]) - value) > 0.01:
                return False
        return True
    return any(matches(group) for group in groups)


def test_file_renderer_paints_each_class_as_resolved(qapp, tmp_path, layers):
    for layer in layers:
        path = render_map(LayerList([layer]), tmp_path / f"{layer.name}.svg", dpi=96)   # 96 dpi: no scaling
        groups = svg_groups(path)
        classes = layer.class_indices()
        for drawn in drawn_classes(layer):
            present = bool((classes == drawn.index).any())
            if layer.geometry_kind == "polygon":
                fill = dict(fill=drawn.fill_colour, fill_opacity=drawn.fill_opacity, stroke="none")
                assert painted(groups, **fill) == (present and drawn.visible and drawn.fill_opacity > 0), drawn.label
                if present and drawn.visible:
                    assert painted(groups, fill="none", stroke=drawn.outline_colour, stroke_opacity=drawn.opacity,
                                   stroke_width=drawn.outline_width_px), (layer.name, drawn.label)
            elif layer.geometry_kind == "line":
                assert painted(groups, fill="none", stroke=drawn.line_colour, stroke_opacity=drawn.opacity,
                               stroke_width=drawn.line_width_px)
            elif present:
                sizes = np.round(point_sizes_px(layer)[classes == drawn.index] * 2) / 2
                widths = {round(float(group["stroke-width"]), 2) for group in groups
                          if group["stroke"] == drawn.point_colour and group["fill"] == "none"
                          and abs(float(group["stroke-opacity"]) - drawn.opacity) < 0.01}
                outlines = {round(size + 2 * drawn.point_outline_width_px, 2) for size in sizes.tolist()}
                expected = set(sizes.tolist()) | (outlines if drawn.point_outline_colour == drawn.point_colour else set())
                assert widths == expected, (layer.name, drawn.label)     # marker diameters
                for size in set(sizes.tolist()):
                    assert painted(groups, fill="none", stroke=drawn.point_outline_colour, stroke_opacity=drawn.opacity,
                                   stroke_width=size + 2 * drawn.point_outline_width_px)
        if drawn_classes(layer)[0].mark_size_px:
            visible = [drawn for drawn in drawn_classes(layer) if drawn.visible and (classes == drawn.index).any()]
            assert any(painted(groups, fill=drawn.point_colour, fill_opacity=drawn.opacity,
                               stroke=drawn.point_outline_colour, stroke_width=drawn.point_outline_width_px)
                       for drawn in visible), layer.name                      # squares on blocks too small to see


def icon_pixel(item, x: int, y: int) -> QtGui.QColor:
    return item.icon(0).pixmap(16, 16).toImage().pixelColor(x, y)


def close_colour(colour: QtGui.QColor, hex_colour: str, opacity: float) -> bool:
    expected = QtGui.QColor(hex_colour)
    if abs(colour.alphaF() - opacity) > 2 / 255:
        return False
    return opacity == 0 or all(abs(a - b) <= 3 for a, b in zip(colour.getRgb()[:3], expected.getRgb()[:3]))


def test_layer_tree_swatches_show_the_resolved_fill_line_and_marker(qtbot, layers):
    tree = LayerTree(layers)
    qtbot.addWidget(tree)
    items = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    for layer in layers:
        item = items[layer.name]
        classes = drawn_classes(layer)
        symbols = [item.child(i) for i in range(item.childCount())] or [item]
        assert len(symbols) == len(classes)
        for symbol, drawn in zip(symbols, classes):
            centre = icon_pixel(symbol, 8, 8)
            if layer.geometry_kind == "point":
                assert close_colour(centre, drawn.point_colour, drawn.opacity), (layer.name, drawn.label)
            elif layer.geometry_kind == "line":
                assert close_colour(centre, drawn.line_colour, drawn.opacity), layer.name
            else:
                assert close_colour(centre, drawn.fill_colour, drawn.fill_opacity), (layer.name, drawn.label)
    outline = icon_pixel(items["states"], 8, 2)          # the outline-only square is outlined in its colour
    assert outline.name() == "#555555" and outline.alphaF() > 0.5


def test_a_screens_cells_are_drawn_without_outlines_everywhere(tmp_path):
    """A screen's grid of cells: at state scale an outline round each cell hides its colour, so
    the canvas, the files and the HTML page draw the cells filled only; scored blocks keep theirs."""
    from PySide6 import QtCore

    from cli.main import main
    from gui.render import POLYGON, class_pens
    from layers.html_map import leaflet_styles
    from layers.layer import Layer
    from layers.style import drawn_classes, is_screen, style_from_dict

    assert main(["screen", "--state", "Goa", "--cell", "2km", "-o", str(tmp_path / "cells.gpkg")]) == 0
    assert main(["score", "--sample", "-o", str(tmp_path / "blocks.gpkg")]) == 0
    cells, blocks = Layer.from_file(tmp_path / "cells.gpkg"), Layer.from_file(tmp_path / "blocks.gpkg")
    assert is_screen(cells) and not is_screen(blocks)
    assert not cells.style.outline and blocks.style.outline
    assert {drawn.outline_width_px for drawn in drawn_classes(cells)} == {0.0}
    assert {drawn.mark_size_px for drawn in drawn_classes(cells)} == {0.0}  # cells tile the state: no marks
    assert all(drawn.mark_size_px > 0 for drawn in drawn_classes(blocks))
    assert all(drawn.outline_width_px > 0 for drawn in drawn_classes(blocks))
    assert {class_pens(drawn, POLYGON)[0].style() for drawn in drawn_classes(cells)} == {QtCore.Qt.PenStyle.NoPen}
    assert {class_pens(drawn, POLYGON)[0].style() for drawn in drawn_classes(blocks)} == {QtCore.Qt.PenStyle.SolidLine}
    assert [options["stroke"] for options in leaflet_styles(cells)[0]] == [False] * 4
    assert all(options["stroke"] for options in leaflet_styles(blocks)[0])
    assert style_from_dict(cells.style.to_dict()).outline is False
    page = tmp_path / "cells.html"
    assert main(["export-map", "--html", str(page), str(tmp_path / "cells.gpkg")]) == 0
    assert page.read_text(encoding="utf-8").count('"stroke":false') == 4  # each class of the cells, as the app draws them
