"""The map canvas on small real files written in tmp_path, rendered offscreen."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from PySide6 import QtCore, QtGui, QtWidgets
from rasterio.transform import from_origin

from geo.measure import geodesic_length_km
from gui.canvas import IdentifyHit, MapCanvas, RasterHit
from gui.canvas_tools import Markers, PathItem, format_length_km
from layers.layer import Layer, LayerList
from layers.style import UNFC_STAGE_COLOURS, Category, CategorisedStyle, RasterStyle, SingleStyle
from tests.gui.canvas_helpers import make_canvas

STAGES = ("G1", "G2", "G3", "G4")
# Four 100 km squares side by side in EPSG:7755 (India NSF LCC), one per stage.
SQUARE_M = 100_000.0
ORIGIN = (3_800_000.0, 3_500_000.0)


def stage_style(field: str = "stage") -> CategorisedStyle:
    """The app's G1-G4 colours, classed by the plain value of ``field``."""
    return CategorisedStyle(field, [Category(stage, UNFC_STAGE_COLOURS[stage], stage) for stage in STAGES])


def square(i: int, j: int = 0) -> shapely.Polygon:
    x0, y0 = ORIGIN[0] + i * SQUARE_M * 1.5, ORIGIN[1] + j * SQUARE_M * 1.5
    return shapely.box(x0, y0, x0 + SQUARE_M, y0 + SQUARE_M)


def centre(i: int, j: int = 0) -> tuple[float, float]:
    point = square(i, j).centroid
    return point.x, point.y


@pytest.fixture
def blocks_path(tmp_path):
    frame = gpd.GeoDataFrame({"stage": list(STAGES), "block_name": [f"Block {s}" for s in STAGES],
                              "area_note": [1.5, 2.5, 3.5, 4.5]},
                             geometry=[square(i) for i in range(4)], crs="EPSG:7755")
    path = tmp_path / "blocks.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


@pytest.fixture
def deposits_path(tmp_path):
    """Three points in WGS 84 (a different CRS from the display), just north of the squares."""
    frame = gpd.GeoDataFrame({"stage": ["G1", "G3", "G4"], "name": ["Alpha", "Beta", "Gamma"],
                              "tonnes": [1.0, 10.0, 100.0]},
                             geometry=[shapely.Point(c[0], c[1] + SQUARE_M) for c in map(centre, (0, 1, 2))],
                             crs="EPSG:7755").to_crs("EPSG:4326")
    path = tmp_path / "deposits.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


@pytest.fixture
def blocks(blocks_path):
    layer = Layer.from_file(blocks_path)
    layer.style = stage_style()
    return layer


@pytest.fixture
def canvas(qtbot, blocks):
    return make_canvas(qtbot, LayerList([blocks]))



def double_click(widget, pos: QtCore.QPoint) -> None:
    """What a user's double-click delivers: press, release, double-click, release."""
    left = QtCore.Qt.MouseButton.LeftButton
    local = QtCore.QPointF(pos)
    scene_pos = QtCore.QPointF(widget.mapToGlobal(pos))
    for kind, buttons in ((QtCore.QEvent.Type.MouseButtonPress, left),
                          (QtCore.QEvent.Type.MouseButtonRelease, QtCore.Qt.MouseButton.NoButton),
                          (QtCore.QEvent.Type.MouseButtonDblClick, left),
                          (QtCore.QEvent.Type.MouseButtonRelease, QtCore.Qt.MouseButton.NoButton)):
        event = QtGui.QMouseEvent(kind, local, scene_pos, left, buttons, QtCore.Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(widget, event)


def pixel_colour(canvas: MapCanvas, x: float, y: float) -> QtGui.QColor:
    image = canvas.grab_map_image()
    point = canvas.pixel_of(x, y)
    return image.pixelColor(point)


def blended(colour: str, alpha: float) -> tuple[int, int, int]:
    """``colour`` at ``alpha`` over white."""
    rgb = QtGui.QColor(colour)
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in (rgb.red(), rgb.green(), rgb.blue()))


def close_to(colour: QtGui.QColor, rgb, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip((colour.red(), colour.green(), colour.blue()), rgb))


def is_white(colour: QtGui.QColor) -> bool:
    return close_to(colour, (255, 255, 255), 2)


def test_stage_colours_appear_at_their_squares(canvas, blocks):
    for i, stage in enumerate(STAGES):
        colour = pixel_colour(canvas, *centre(i))
        assert close_to(colour, blended(UNFC_STAGE_COLOURS[stage], blocks.style.fill_opacity)), (stage, colour.name())


def test_toggling_visibility_changes_the_image(qtbot, canvas, blocks):
    shown = canvas.grab_map_image()
    blocks.visible = False
    hidden = canvas.grab_map_image()
    assert shown != hidden
    assert is_white(hidden.pixelColor(canvas.pixel_of(*centre(0))))
    blocks.visible = True
    assert canvas.grab_map_image() == shown


def test_filter_mask_hides_features(canvas, blocks):
    blocks.filter_mask = np.array([True, False, True, True])
    assert is_white(pixel_colour(canvas, *centre(1)))
    assert not is_white(pixel_colour(canvas, *centre(0)))


def test_hidden_category_is_not_drawn(canvas, blocks):
    blocks.style.categories[2].visible = False
    blocks.style = blocks.style
    assert is_white(pixel_colour(canvas, *centre(2)))
    assert not is_white(pixel_colour(canvas, *centre(3)))


def test_one_path_item_per_class_for_1000_polygons(qtbot, tmp_path):
    rng = np.random.default_rng(7)
    x = rng.uniform(3.5e6, 4.5e6, 1000)
    y = rng.uniform(3.0e6, 4.0e6, 1000)
    stages = rng.choice(list(STAGES) + ["unknown"], 1000)
    frame = gpd.GeoDataFrame({"stage": stages}, geometry=shapely.buffer(shapely.points(x, y), 3000, quad_segs=3),
                             crs="EPSG:7755")
    frame.to_file(tmp_path / "many_blocks.gpkg", driver="GPKG")
    layer = Layer.from_file(tmp_path / "many_blocks.gpkg")
    layer.style = stage_style()
    canvas = make_canvas(qtbot, LayerList([layer]))
    paths = [item for item in canvas.view.scene().items() if isinstance(item, PathItem) and not item.path().isEmpty()]
    assert len(paths) == 5  # G1-G4 and "other"
    assert len(canvas.view.scene().items()) < 40


def test_points_one_scatter_per_class_and_graduated_sizes(qtbot, blocks, deposits_path):
    deposits = Layer.from_file(deposits_path)
    deposits.style = stage_style()
    deposits.style.size_field = "tonnes"
    canvas = make_canvas(qtbot, LayerList([deposits, blocks]))
    markers = [item for item in canvas.view.scene().items()     # circles; blocks' squares mark tiny blocks
               if isinstance(item, Markers) and item.opts["symbol"] == "o"]
    assert len(markers) == 3
    sizes = sorted(float(item.data["size"][0]) for item in markers)
    assert sizes[0] == pytest.approx(5.0) and sizes[-1] == pytest.approx(18.0)
    assert markers[0].zValue() == 0 or all(item.parentItem().zValue() == 2 for item in markers)


def test_layer_order_sets_z(qtbot, blocks, deposits_path):
    deposits = Layer.from_file(deposits_path)
    deposits.style = stage_style()
    layer_list = LayerList([deposits, blocks])
    canvas = make_canvas(qtbot, layer_list)
    top = [item for item in canvas.view.scene().items()
           if isinstance(item, Markers) and item.opts["symbol"] == "o"][0].parentItem()
    bottom = [item for item in canvas.view.scene().items() if isinstance(item, PathItem)
              and not item.path().isEmpty()][0].parentItem()
    assert top.zValue() > bottom.zValue()
    layer_list.move(0, 1)
    canvas.flush()
    assert top.zValue() < bottom.zValue()


def test_identify_click_returns_the_feature_attributes(qtbot, canvas, blocks):
    canvas.set_tool("identify")
    with qtbot.waitSignal(canvas.identified) as signal:
        qtbot.mouseClick(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=canvas.pixel_of(*centre(2)))
    hits = signal.args[0]
    assert len(hits) == 1 and isinstance(hits[0], IdentifyHit)
    assert hits[0].layer is blocks and hits[0].index == 2
    assert hits[0].attributes == {"stage": "G3", "block_name": "Block G3", "area_note": 3.5}


def test_identify_finds_points_within_a_few_pixels(qtbot, blocks, deposits_path):
    deposits = Layer.from_file(deposits_path)
    deposits.style = stage_style()
    canvas = make_canvas(qtbot, LayerList([deposits, blocks]))
    x, y = centre(1)
    y += SQUARE_M
    near = canvas.map_coordinate(canvas.pixel_of(x, y) + QtCore.QPoint(2, 1))
    hits = canvas.tools.identify_at(*near)
    assert [(hit.layer.name, hit.attributes["name"]) for hit in hits] == [(deposits.name, "Beta")]
    far = canvas.map_coordinate(canvas.pixel_of(x, y) + QtCore.QPoint(30, 0))
    assert canvas.tools.identify_at(*far) == []


def test_set_selection_draws_the_highlight(canvas, blocks):
    before = pixel_colour(canvas, *centre(3))
    canvas.set_selection(blocks, [3])
    after = pixel_colour(canvas, *centre(3))
    assert before != after and after.red() > after.blue()  # yellow wash over the G4 fill
    assert canvas.selection(blocks).tolist() == [3]
    canvas.set_selection(blocks, [])
    assert pixel_colour(canvas, *centre(3)) == before


def test_select_box_emits_selection(qtbot, canvas, blocks):
    canvas.set_tool("select")
    canvas.set_selection_layer(blocks)
    start = canvas.pixel_of(centre(0)[0], centre(0)[1] + SQUARE_M * 0.7)
    end = canvas.pixel_of(*centre(1))
    with qtbot.waitSignal(canvas.selectionChanged) as signal:
        qtbot.mousePress(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 6):
            qtbot.mouseMove(canvas.viewport(), start + (end - start) * step / 5)
        qtbot.mouseRelease(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=end)
    layer, indices = signal.args
    assert layer is blocks and list(indices) == [0, 1]


def test_select_click_picks_one_polygon(qtbot, canvas, blocks):
    canvas.set_tool("select")
    canvas.set_selection_layer(blocks)
    with qtbot.waitSignal(canvas.selectionChanged) as signal:
        qtbot.mouseClick(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=canvas.pixel_of(*centre(1)))
    assert list(signal.args[1]) == [1]


def test_ten_model_changes_redraw_once(qtbot, canvas, blocks):
    layer_list = canvas.layer_list
    before = canvas.redraw_count
    with layer_list.batch():
        for step in range(10):
            blocks.opacity = 0.5 + step / 20
    qtbot.wait(20)
    assert canvas.redraw_count == before + 1
    for step in range(10):
        blocks.visible = step % 2 == 0
    qtbot.wait(20)
    assert canvas.redraw_count == before + 2


def test_measure_distance_uses_geodesic_length(qtbot, canvas):
    canvas.set_tool("measure_distance")
    a, b = centre(0), centre(3)
    texts = []
    canvas.measured.connect(texts.append)
    qtbot.mouseClick(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=canvas.pixel_of(*a))
    double_click(canvas.viewport(), canvas.pixel_of(*b))
    clicked_a = canvas.map_coordinate(canvas.pixel_of(*a))
    clicked_b = canvas.map_coordinate(canvas.pixel_of(*b))
    expected = geodesic_length_km(shapely.LineString([clicked_a, clicked_b]), "EPSG:7755")
    assert texts and texts[-1] == format_length_km(expected)
    assert 440 < expected < 460  # 450 km of LCC grid, close to true scale near the standard parallels
    assert canvas.tools.measure_text() == texts[-1]
    canvas.tools.click(*a, double=False, modifiers=QtCore.Qt.KeyboardModifier.NoModifier)
    assert canvas.tools.measure_text() == ""  # a click after the double-click starts a new line


def test_measure_area_reports_hectares_and_km2(qtbot, canvas):
    canvas.set_tool("measure_area")
    texts = []
    canvas.measured.connect(texts.append)
    for corner in ((0, 0), (SQUARE_M, 0), (SQUARE_M, SQUARE_M)):
        x, y = ORIGIN[0] + corner[0], ORIGIN[1] + corner[1]
        qtbot.mouseClick(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=canvas.pixel_of(x, y))
    assert texts[-1].endswith(" km²)") and " ha (" in texts[-1]
    hectares = float(texts[-1].split(" ha")[0].replace(",", ""))
    assert 400_000 < hectares < 600_000  # half of a 100 km square, about 5,000 km²


def test_unknown_crs_layer_is_skipped_with_a_reason(qtbot, blocks, tmp_path):
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)])
    frame.to_file(tmp_path / "nocrs.gpkg", driver="GPKG")
    no_crs = Layer.from_file(tmp_path / "nocrs.gpkg")
    assert no_crs.crs is None
    canvas = make_canvas(qtbot, LayerList([no_crs, blocks]))
    skipped = canvas.skipped_layers()
    assert list(skipped) == [no_crs.name] and "unknown" in skipped[no_crs.name]


def test_zoom_and_extent_round_trip(canvas, blocks):
    canvas.zoom_to_features(blocks, [2])
    minx, miny, maxx, maxy = canvas.extent()
    x, y = centre(2)
    assert minx < x < maxx and miny < y < maxy
    assert maxx - minx < SQUARE_M * 2.5
    zoomed = canvas.scale_denominator()
    canvas.zoom_to_full_extent()
    assert canvas.scale_denominator() > zoomed * 2
    canvas.zoom_to_bounds(78.0, 20.0, 80.0, 22.0, crs="EPSG:4326")
    centre_lonlat = canvas._to_wgs84.transform(*np.mean(np.reshape(canvas.extent(), (2, 2)), axis=0))
    assert centre_lonlat == pytest.approx((79.0, 21.0), abs=0.05)


def test_zooming_in_swaps_in_finer_detail(canvas, blocks):
    class_items = next(iter(canvas._items[blocks.id].classes.values()))
    coarse = class_items.level
    canvas.zoom_to_bounds(*(np.array(square(0).bounds) + [0, 0, -99_000, -99_000]))
    assert class_items.level > coarse


def test_cursor_reports_wgs84(qtbot, canvas):
    x, y = centre(1)
    with qtbot.waitSignal(canvas.cursorMoved) as signal:
        qtbot.mouseMove(canvas.viewport(), canvas.pixel_of(x, y))
    lon, lat = signal.args
    expected = canvas._to_wgs84.transform(*canvas.map_coordinate(canvas.pixel_of(x, y)))
    assert (lon, lat) == pytest.approx(expected)
    assert 60 < lon < 100 and 0 < lat < 40


def test_labels_drawn_for_few_features(canvas, blocks):
    plain = canvas.grab_map_image()
    blocks.style.label_field = "block_name"
    blocks.style = blocks.style
    assert canvas.grab_map_image() != plain


def test_raster_is_drawn_with_nodata_transparent(qtbot, tmp_path, blocks):
    """A WGS 84 raster over the first two squares, left half nodata, warped into EPSG:7755."""
    lonlat = shapely.get_coordinates(gpd.GeoSeries([square(0).union(square(1))], crs="EPSG:7755")
                                     .to_crs("EPSG:4326").envelope.values)
    west, south = lonlat.min(axis=0)
    east, north = lonlat.max(axis=0)
    values = np.tile(np.linspace(0, 100, 40, dtype="float32"), (30, 1))
    values[:, :20] = -9999
    path = tmp_path / "magnetic.tif"
    with rasterio.open(path, "w", driver="GTiff", width=40, height=30, count=1, dtype="float32", nodata=-9999,
                       crs="EPSG:4326", transform=from_origin(west, north, (east - west) / 40, (north - south) / 30)) as out:
        out.write(values, 1)
    raster = Layer.from_file(path)
    raster.style = RasterStyle(colormap="viridis", vmin=0, vmax=100)
    blocks.visible = False
    canvas = make_canvas(qtbot, LayerList([raster, blocks]))
    data_point = gpd.GeoSeries([shapely.Point(west + (east - west) * 0.9, (south + north) / 2)], crs="EPSG:4326")
    empty_point = gpd.GeoSeries([shapely.Point(west + (east - west) * 0.1, (south + north) / 2)], crs="EPSG:4326")
    data_xy = data_point.to_crs("EPSG:7755").iloc[0]
    empty_xy = empty_point.to_crs("EPSG:7755").iloc[0]
    assert not is_white(pixel_colour(canvas, data_xy.x, data_xy.y))
    assert is_white(pixel_colour(canvas, empty_xy.x, empty_xy.y))
    hits = canvas.tools.identify_at(data_xy.x, data_xy.y)
    assert len(hits) == 1 and isinstance(hits[0], RasterHit) and hits[0].values[0] > 80
    viridis = pixel_colour(canvas, data_xy.x, data_xy.y)
    raster.style = RasterStyle(colormap="gray", vmin=0, vmax=100)
    grey = pixel_colour(canvas, data_xy.x, data_xy.y)
    assert grey != viridis and grey.red() == grey.green() == grey.blue()


def test_single_style_lines_are_stroked(qtbot, tmp_path):
    x0, y0 = ORIGIN
    frame = gpd.GeoDataFrame({"name": ["rail"]}, geometry=[shapely.LineString([(x0, y0), (x0 + 4e5, y0)])],
                             crs="EPSG:7755")
    frame.to_file(tmp_path / "rail.gpkg", driver="GPKG")
    line = Layer.from_file(tmp_path / "rail.gpkg")
    line.style = SingleStyle(colour="#ff0000", line_width=3.0)
    canvas = make_canvas(qtbot, LayerList([line]))
    colour = pixel_colour(canvas, x0 + 2e5, y0)
    assert colour.red() > 200 and colour.green() < 80


def test_sample_atlas_draws_every_layer_and_identifies_a_deposit(qtbot):
    from layers.atlas import load_sample_atlas

    atlas = load_sample_atlas()
    canvas = make_canvas(qtbot, atlas)
    assert canvas.skipped_layers() == {}
    deposits = atlas.by_role("deposits")[0]
    classes = deposits.class_indices()
    first_g1 = int(np.flatnonzero(classes == 0)[0])
    for layer in atlas:
        layer.visible = layer is deposits
    point = canvas.layer_geometry(deposits).geoms[first_g1]
    canvas.zoom_to_features(deposits, [first_g1])
    colour = pixel_colour(canvas, point.x, point.y)
    assert close_to(colour, blended(UNFC_STAGE_COLOURS["G1"], 1.0), 10), colour.name()
    hits = canvas.tools.identify_at(point.x, point.y)
    assert first_g1 in [hit.index for hit in hits if hit.layer is deposits]
    hit = next(hit for hit in hits if hit.index == first_g1)
    assert hit.attributes["name"] == deposits.data["name"].iloc[first_g1]


def test_display_crs_change_keeps_the_map(canvas, blocks):
    canvas.set_display_crs("EPSG:4326")
    lonlat = gpd.GeoSeries([shapely.Point(centre(1))], crs="EPSG:7755").to_crs("EPSG:4326").iloc[0]
    colour = pixel_colour(canvas, lonlat.x, lonlat.y)
    assert close_to(colour, blended(UNFC_STAGE_COLOURS["G2"], blocks.style.fill_opacity))
    assert canvas.display_crs.to_epsg() == 4326
    assert canvas.scale_denominator() > 0


def test_removing_a_layer_removes_its_items(canvas, blocks):
    assert any(isinstance(item, PathItem) and not item.path().isEmpty() for item in canvas.view.scene().items())
    canvas.layer_list.remove(blocks)
    canvas.flush()
    assert not any(isinstance(item, PathItem) and not item.path().isEmpty() for item in canvas.view.scene().items())
    assert is_white(pixel_colour(canvas, *centre(0)))


def write_raster(path, crs: str, west: float, north: float, pixel: float, size: int = 20):
    values = np.arange(size * size, dtype="float32").reshape(size, size)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32", crs=crs,
                       transform=from_origin(west, north, pixel, pixel)) as out:
        out.write(values, 1)
    return Layer.from_file(path)


def test_world_raster_is_cut_to_india_and_a_far_raster_is_skipped(qtbot, tmp_path, blocks):
    world = write_raster(tmp_path / "world.tif", "EPSG:4326", -180.0, 90.0, 18.0)
    americas = write_raster(tmp_path / "americas.tif", "EPSG:32618", 100_000.0, 2_000_000.0, 1_000.0)
    canvas = make_canvas(qtbot, LayerList([americas, world, blocks]))
    skipped = canvas.skipped_layers()
    assert list(skipped) == [americas.name] and "outside the area" in skipped[americas.name]
    bounds = canvas._rasters.display_bounds(world, canvas.display_crs)
    assert np.isfinite(bounds).all() and bounds[2] - bounds[0] < 6_000_000  # India's area of use, not the globe
    blocks.visible = False
    assert not is_white(pixel_colour(canvas, *centre(1)))


def drag(qtbot, widget, start: QtCore.QPoint, end: QtCore.QPoint) -> None:
    qtbot.mousePress(widget, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(widget, start + (end - start) * step / 5)
    qtbot.mouseRelease(widget, QtCore.Qt.MouseButton.LeftButton, pos=end)


def test_zoom_box_and_pan_drag_move_the_view(qtbot, canvas):
    full = canvas.extent()
    canvas.set_tool("zoom_box")
    with qtbot.waitSignal(canvas.extentChanged):
        drag(qtbot, canvas.viewport(), canvas.pixel_of(*ORIGIN), canvas.pixel_of(*square(1).bounds[2:]))
    zoomed = canvas.extent()
    assert zoomed[2] - zoomed[0] < (full[2] - full[0]) / 2
    assert zoomed[0] < centre(0)[0] < zoomed[2]


def test_pan_drag_moves_the_view(qtbot, canvas):
    before = canvas.extent()
    drag(qtbot, canvas.viewport(), QtCore.QPoint(400, 250), QtCore.QPoint(300, 250))
    after = canvas.extent()
    assert after[0] > before[0] and after[2] - after[0] == pytest.approx(before[2] - before[0])


def test_blocks_too_small_to_see_get_a_mark_that_identify_finds(qtbot, tmp_path):
    tiny = shapely.box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + 1_000.0, ORIGIN[1] + 1_000.0)   # 1 km: under a pixel
    far = square(8, 4)
    frame = gpd.GeoDataFrame({"stage": ["G1", "G4"]}, geometry=[tiny, far], crs="EPSG:7755")
    frame.to_file(tmp_path / "small_blocks.gpkg", driver="GPKG")
    blocks = Layer.from_file(tmp_path / "small_blocks.gpkg", role="blocks")
    blocks.style = stage_style()
    other = Layer.from_file(tmp_path / "small_blocks.gpkg", role="forest")
    other.style = stage_style()
    canvas = make_canvas(qtbot, LayerList([blocks]))
    anchor = tiny.centroid
    assert canvas.marked_features(blocks).tolist() == [0]
    assert pixel_colour(canvas, anchor.x, anchor.y).name() == UNFC_STAGE_COLOURS["G1"]
    beside = canvas.map_coordinate(canvas.pixel_of(anchor.x, anchor.y) + QtCore.QPoint(3, -3))
    assert [hit.index for hit in canvas.tools.identify_at(*beside)] == [0]

    canvas.layer_list.append(other)
    canvas.layer_list.remove(blocks)                 # the same polygons in another role: no mark
    canvas.flush()
    assert canvas.marked_features(other).tolist() == []
    assert canvas.tools.identify_at(*beside) == []

    canvas.layer_list.append(blocks)
    canvas.layer_list.remove(other)
    canvas.zoom_to_features(blocks, [0])             # close in, the block is drawn as itself
    assert canvas.marked_features(blocks).tolist() == []
    assert is_white(pixel_colour(canvas, anchor.x - 2_000.0, anchor.y))
