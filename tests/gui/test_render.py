"""The file renderer (PNG/SVG) on small real files written in tmp_path."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely
from PySide6 import QtGui

from geo.errors import Cancelled, DataWriteError
from geo.feedback import Feedback
from gui.render import ILLUSTRATIVE_NOTE, layout_for, legend_text_width, nice_scale_length_m, page_font_px, render_map, render_map_image, scale_label
from layers.layer import Layer, LayerList
from layers.style import UNFC_STAGE_COLOURS, Category, CategorisedStyle

STAGES = ("G1", "G2", "G3", "G4")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def layer_list(tmp_path):
    frame = gpd.GeoDataFrame(
        {"stage": list(STAGES), "name": [f"Block {s}" for s in STAGES]},
        geometry=[shapely.box(3.8e6 + i * 1.5e5, 3.5e6, 3.9e6 + i * 1.5e5, 3.6e6) for i in range(4)],
        crs="EPSG:7755",
    )
    frame.to_file(tmp_path / "blocks.gpkg", driver="GPKG")
    blocks = Layer.from_file(tmp_path / "blocks.gpkg")
    blocks.style = CategorisedStyle("stage", [Category(s, UNFC_STAGE_COLOURS[s], f"{s} stage") for s in STAGES])
    return LayerList([blocks])


def colours_in(image: QtGui.QImage, rect) -> set[str]:
    found = set()
    for x in range(int(rect.left()), int(rect.right()), 2):
        for y in range(int(rect.top()), int(rect.bottom()), 2):
            found.add(image.pixelColor(x, y).name())
    return found


def blended(colour: str, alpha: float) -> str:
    rgb = QtGui.QColor(colour)
    mixed = [round(c * alpha + 255 * (1 - alpha)) for c in (rgb.red(), rgb.green(), rgb.blue())]
    return QtGui.QColor(*mixed).name()


def near_any(colour: str, found: set[str], tolerance: int = 3) -> bool:
    target = QtGui.QColor(colour)
    return any(
        max(abs(target.red() - c.red()), abs(target.green() - c.green()), abs(target.blue() - c.blue())) <= tolerance
        for c in map(QtGui.QColor, found)
    )


def test_png_has_map_and_legend_swatches(qapp, tmp_path, layer_list):
    target = tmp_path / "map.png"
    render_map(layer_list, target, width=1200, height=800, dpi=100, title="Blocks by stage")
    image = QtGui.QImage(str(target))
    assert (image.width(), image.height()) == (1200, 800)
    layout = layout_for(layer_list, 1200, 800, 100, "Blocks by stage")
    legend = colours_in(image, layout.legend)
    in_map = colours_in(image, layout.map)
    for stage in STAGES:
        swatch = blended(UNFC_STAGE_COLOURS[stage], 0.6)
        assert near_any(swatch, legend), stage
        assert near_any(swatch, in_map), stage
    assert abs(image.dotsPerMeterX() - 100 / 0.0254) < 2


def test_svg_parses_and_carries_the_notes(qapp, tmp_path, layer_list):
    layer_list[0].illustrative = True
    target = tmp_path / "map.svg"
    render_map(layer_list, target, width=1000, height=700, dpi=96, title="Blocks")
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 1000 700"
    texts = " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))
    assert "Blocks" in texts and "G3 stage" in texts and ILLUSTRATIVE_NOTE in texts and "EPSG:7755" in texts
    assert len(list(root.iter(f"{SVG}path"))) >= 4


def test_cancelling_leaves_no_file(qapp, tmp_path, layer_list):
    feedback = Feedback(on_progress=lambda fraction, text: feedback.cancel() if fraction > 0.1 else None)
    for name in ("map.png", "map.svg"):
        with pytest.raises(Cancelled):
            render_map(layer_list, tmp_path / name, feedback=feedback)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blocks.gpkg"]


def test_unknown_extension_is_refused(qapp, tmp_path, layer_list):
    with pytest.raises(DataWriteError, match="map.jpg"):
        render_map(layer_list, tmp_path / "map.jpg")


def test_explicit_extent_zooms_in(qapp, layer_list):
    full = render_map_image(layer_list, width=600, height=400, dpi=72)
    zoomed = render_map_image(layer_list, width=600, height=400, dpi=72, extent=(3.8e6, 3.5e6, 3.9e6, 3.6e6))
    layout = layout_for(layer_list, 600, 400, 72, None)
    g1 = blended(UNFC_STAGE_COLOURS["G1"], 0.6)
    g4 = blended(UNFC_STAGE_COLOURS["G4"], 0.6)
    assert near_any(g4, colours_in(full, layout.map))
    assert near_any(g1, colours_in(zoomed, layout.map)) and not near_any(g4, colours_in(zoomed, layout.map))


@pytest.mark.parametrize("max_m, expected", [(180_000, 100_000), (260_000, 200_000), (7_300, 5_000), (900, 500)])
def test_scale_bar_lengths_are_round(max_m, expected):
    assert nice_scale_length_m(max_m) == expected
    assert scale_label(expected) in ("100 km", "200 km", "5 km", "500 m")


def test_sample_atlas_page_is_marked_illustrative(qapp, tmp_path):
    from layers.atlas import load_sample_atlas

    atlas = load_sample_atlas()
    render_map(atlas, tmp_path / "atlas.svg", width=1200, height=800, dpi=96, title="Sample atlas")
    root = ET.parse(tmp_path / "atlas.svg").getroot()
    texts = " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))
    assert ILLUSTRATIVE_NOTE in texts
    for layer in atlas:
        assert layer.name in texts
    image = render_map_image(atlas, width=1200, height=800, dpi=96)
    legend = colours_in(image, layout_for(atlas, 1200, 800, 96, None).legend)
    assert near_any(UNFC_STAGE_COLOURS["G1"], legend, 8)


def test_legend_is_as_wide_as_its_longest_entry(qapp, layer_list):
    short = layout_for(layer_list, 1600, 1100, 150, None).legend.width()
    layer_list[0].name = "Deposits mapped by the Geological Survey of India"
    needed = legend_text_width(layer_list, page_font_px(150))
    wide = layout_for(layer_list, 1600, 1100, 150, None).legend.width()
    assert wide > short and wide >= needed


def test_blocks_too_small_to_see_get_a_square_mark_in_their_class_colour(qapp, tmp_path):
    tiny = gpd.GeoDataFrame({"stage": ["G1", "G4"]}, crs="EPSG:7755",
                            geometry=[shapely.box(3.8e6, 3.5e6, 3.801e6, 3.501e6), shapely.box(4.5e6, 3.5e6, 4.501e6, 3.501e6)])
    tiny.to_file(tmp_path / "tiny.gpkg", driver="GPKG")
    blocks = Layer.from_file(tmp_path / "tiny.gpkg", role="blocks")
    blocks.style = CategorisedStyle("stage", [Category(s, UNFC_STAGE_COLOURS[s], s) for s in STAGES])
    extent = (3.0e6, 3.0e6, 5.0e6, 4.0e6)  # 2000 km across 600 px: a 1 km block is a third of a pixel
    layout = layout_for(LayerList([blocks]), 900, 500, 72, None)
    marked = colours_in(render_map_image(LayerList([blocks]), width=900, height=500, dpi=72, extent=extent), layout.map)
    assert near_any(UNFC_STAGE_COLOURS["G1"], marked, 8) and near_any(UNFC_STAGE_COLOURS["G4"], marked, 8)
    blocks.role = "forest"  # only blocks get marks: other tiny polygons stay as they are
    unmarked = colours_in(render_map_image(LayerList([blocks]), width=900, height=500, dpi=72, extent=extent), layout.map)
    assert not near_any(UNFC_STAGE_COLOURS["G1"], unmarked, 8)


def test_svg_fonts_end_in_a_css_generic_family(qapp, tmp_path, layer_list):
    import re

    target = render_map(layer_list, tmp_path / "map.svg", width=800, height=600, dpi=96, title="Blocks")
    families = re.findall(r'font-family="([^"]*)"', target.read_text(encoding="utf-8"))
    assert families and all(f.split(",")[-1].strip() == "sans-serif" for f in families), set(families)
    ET.parse(target)


def test_any_score_output_is_drawn_in_readiness_colours_with_marks_on_a_national_map(qapp, tmp_path):
    """A score file whatever role its name suggests: every block (a few km wide, far below a pixel
    at national scale) shows as a square in its readiness colour."""
    from cli.export import file_layer
    from layers.layer import LayerList
    from layers.style import READINESS_COLOURS
    from main import main

    path = tmp_path / "results.gpkg"
    assert main(["score", "--sample", "-o", str(path)]) == 0
    layers = LayerList([file_layer(str(path))])
    assert layers[0].role != "blocks", "the file name suggests no role"
    image = render_map_image(layers, width=1000, height=800, dpi=96)
    in_map = colours_in(image, layout_for(layers, 1000, 800, 96, None).map)
    for colour in READINESS_COLOURS.values():
        assert near_any(colour, in_map, 8), colour
