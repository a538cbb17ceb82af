"""The app's map renderer for files (PNG, SVG) and for the PDF dossier's images.

It paints the SAME geometry build as the canvas (:mod:`gui.geometry_paths`): one path per style
class, points in one call per size, labels when few are in view. The page has a title, the map
with a scale bar and a north arrow, a legend (every visible layer with its style's entries), the
CRS, the sources and, when any layer is illustrative, "Illustrative sample data — not official".

The scale-bar and north-arrow painters are shared with the canvas overlay.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pyqtgraph as pg
from pyproj import CRS, Geod
from PySide6 import QtCore, QtGui, QtWidgets

from geo.atomic import atomic_write_bytes
from geo.errors import DataWriteError, describe_path
from geo.feedback import ensure_feedback
from gui.geometry_paths import (
    LINE,
    POINT,
    POLYGON,
    GeometryStore,
    LayerShapes,
    RasterImageCache,
    drawn_mask,
    layer_shapes,
    level_for,
    colormap_for,
    paint_path,
)
from layers.style import MARK_BELOW_PX, DrawnClass, drawn_classes, point_sizes_px

DEFAULT_DISPLAY_CRS = "EPSG:7755"
ILLUSTRATIVE_NOTE = "Illustrative sample data — not official"
#: Labels are drawn only when fewer features than this are in view.
MAX_LABELS = 500
SCALE_STEPS = (1.0, 2.0, 5.0)
#: Marker diameters of a style are screen pixels at this resolution; a page at another dpi scales
#: them so its markers look as on the canvas.
SCREEN_DPI = 96.0
_GEOD = Geod(ellps="WGS84")


# ---------------------------------------------------------------- shared overlays


def metres_per_unit(crs: CRS, centre_x: float, centre_y: float) -> float:
    """Ground metres per display-CRS unit at a point (east-west direction).

    Projected CRSs give their axis unit (metre, US foot...); for a geographic CRS one degree of
    longitude is measured geodesically on WGS 84 at the point's latitude.
    """
    if crs.is_geographic:
        lat = min(max(centre_y, -89.0), 89.0)
        _, _, metres = _GEOD.inv(centre_x - 0.5, lat, centre_x + 0.5, lat)
        return float(metres)
    return float(crs.axis_info[0].unit_conversion_factor)


def nice_scale_length_m(max_length_m: float) -> float:
    """The longest round length (1, 2 or 5 × 10ⁿ metres) not above ``max_length_m``."""
    if not math.isfinite(max_length_m) or max_length_m <= 0:
        return 0.0
    exponent = math.floor(math.log10(max_length_m))
    best = 10.0 ** exponent
    for step in SCALE_STEPS:
        if step * 10.0 ** exponent <= max_length_m:
            best = step * 10.0 ** exponent
    return best


def scale_label(length_m: float) -> str:
    """A scale-bar length as text: "500 m", "2 km", "100 km"."""
    if length_m < 1000:
        return f"{length_m:g} m"
    return f"{length_m / 1000:g} km"


def draw_scale_bar(painter: QtGui.QPainter, bottom_left: QtCore.QPointF, metres_per_pixel: float,
                   max_width_px: float, font_px: int) -> None:
    """A two-segment black/white scale bar of a round length, its label above the right end."""
    length_m = nice_scale_length_m(max_width_px * metres_per_pixel)
    if length_m <= 0:
        return
    width_px = length_m / metres_per_pixel
    height_px = max(4.0, font_px * 0.45)
    painter.save()
    painter.setPen(QtGui.QPen(QtGui.QColor("#000000"), max(1.0, font_px / 12)))
    top = bottom_left.y() - height_px
    half = width_px / 2
    painter.setBrush(QtGui.QColor("#000000"))
    painter.drawRect(QtCore.QRectF(bottom_left.x(), top, half, height_px))
    painter.setBrush(QtGui.QColor("#ffffff"))
    painter.drawRect(QtCore.QRectF(bottom_left.x() + half, top, half, height_px))
    font = painter.font()
    font.setPixelSize(font_px)
    painter.setFont(font)
    text_box = QtCore.QRectF(bottom_left.x() - font_px, top - font_px * 1.7, width_px + 2 * font_px, font_px * 1.4)
    halo_text(painter, text_box, QtCore.Qt.AlignmentFlag.AlignCenter, scale_label(length_m))
    painter.restore()


def draw_north_arrow(painter: QtGui.QPainter, top_centre: QtCore.QPointF, size_px: float) -> None:
    """A north arrow (half-filled triangle with an "N" below) whose top is at ``top_centre``."""
    x, y = top_centre.x(), top_centre.y()
    half_width = size_px * 0.32
    tip, base = QtCore.QPointF(x, y), QtCore.QPointF(x, y + size_px * 0.75)
    painter.save()
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QtGui.QPen(QtGui.QColor("#000000"), max(1.0, size_px / 30)))
    painter.setBrush(QtGui.QColor("#ffffff"))
    painter.drawPolygon(QtGui.QPolygonF([tip, QtCore.QPointF(x + half_width, y + size_px * 0.9), base]))
    painter.setBrush(QtGui.QColor("#000000"))
    painter.drawPolygon(QtGui.QPolygonF([tip, base, QtCore.QPointF(x - half_width, y + size_px * 0.9)]))
    font = painter.font()
    font.setPixelSize(max(8, int(size_px * 0.4)))
    font.setBold(True)
    painter.setFont(font)
    text_box = QtCore.QRectF(x - size_px / 2, y + size_px * 0.92, size_px, size_px * 0.5)
    halo_text(painter, text_box, QtCore.Qt.AlignmentFlag.AlignCenter, "N")
    painter.restore()


def halo_text(painter: QtGui.QPainter, box: QtCore.QRectF, flags, text: str) -> None:
    """Text in black with a thin white halo, legible over any map colour."""
    painter.save()
    painter.setPen(QtGui.QColor(255, 255, 255, 220))
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        painter.drawText(box.translated(dx, dy), flags, text)
    painter.setPen(QtGui.QColor("#000000"))
    painter.drawText(box, flags, text)
    painter.restore()


def label_positions(layer, shapes: LayerShapes, view: tuple[float, float, float, float]):
    """Label anchors (display CRS) and texts of a layer's drawn features inside ``view``.

    Returns ``None`` when the layer has no label field or more than :data:`MAX_LABELS` labels
    would be drawn.
    """
    label_field = getattr(layer.style, "label_field", None)
    if not label_field or label_field not in layer.data.columns:
        return None
    geometry = shapes.geometry
    candidates = geometry.features_in_box(*view)
    candidates = candidates[drawn_mask(layer, shapes)[candidates]]
    if len(candidates) == 0 or len(candidates) >= MAX_LABELS:
        return None
    xy = geometry.label_points()[candidates]
    finite = np.isfinite(xy).all(axis=1)
    texts = layer.data[label_field].iloc[candidates[finite]]
    return xy[finite], ["" if text is None or text != text else str(text) for text in texts]


def draw_labels(painter: QtGui.QPainter, to_pixel: QtGui.QTransform, xy: np.ndarray, texts: Sequence[str],
                font_px: int, taken: Optional[list] = None) -> None:
    """Haloed labels centred just above their anchors (anchors in display CRS).

    A label that would overlap one already drawn (this call's or those in ``taken``, a list of
    pixel rectangles that this call extends) is left out, first come first served.
    """
    taken = [] if taken is None else taken
    painter.save()
    font = painter.font()
    font.setPixelSize(font_px)
    painter.setFont(font)
    metrics = QtGui.QFontMetricsF(font)
    for (x, y), text in zip(xy, texts):
        if not text:
            continue
        point = to_pixel.map(QtCore.QPointF(float(x), float(y)))
        width = metrics.horizontalAdvance(text) + 4
        box = QtCore.QRectF(point.x() - width / 2, point.y() - font_px * 1.6, width, font_px * 1.4)
        if any(box.intersects(other) for other in taken):
            continue
        taken.append(box)
        halo_text(painter, box, QtCore.Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


# ---------------------------------------------------------------- layer painting


def qcolor(colour: str, opacity: float) -> QtGui.QColor:
    """``colour`` ("#rrggbb") with an alpha of ``opacity`` (0..1)."""
    result = QtGui.QColor(colour)
    result.setAlphaF(opacity)
    return result


def class_pens(drawn: DrawnClass, kind: str) -> tuple[QtGui.QPen, QtGui.QBrush]:
    """Cosmetic pen and brush of a :class:`~layers.style.DrawnClass` for polygons, lines or point
    markers (and the square marks of small polygons, drawn as markers are)."""
    if kind == POLYGON:
        pen = (QtGui.QPen(qcolor(drawn.outline_colour, drawn.opacity), drawn.outline_width_px)
               if drawn.outline_width_px > 0 else QtGui.QPen(QtCore.Qt.PenStyle.NoPen))  # width 0 would draw 1 px
        brush = QtGui.QBrush(qcolor(drawn.fill_colour, drawn.fill_opacity)) if drawn.fill_opacity > 0 else QtGui.QBrush()
    elif kind == LINE:
        pen = QtGui.QPen(qcolor(drawn.line_colour, drawn.opacity), drawn.line_width_px)
        brush = QtGui.QBrush()
    else:
        pen = QtGui.QPen(qcolor(drawn.point_outline_colour, drawn.opacity), drawn.point_outline_width_px)
        brush = QtGui.QBrush(qcolor(drawn.point_colour, drawn.opacity))
    pen.setCosmetic(True)
    pen.setJoinStyle(QtCore.Qt.PenJoinStyle.RoundJoin)
    return pen, brush


def paint_vector_layer(painter: QtGui.QPainter, layer, shapes: LayerShapes, to_pixel: QtGui.QTransform,
                       units_per_pixel: float, pixel_scale: float = 1.0) -> None:
    """Paint a vector layer: per visible class one polygon path, one line path, one point batch.

    ``pixel_scale`` (the device's dpi / :data:`SCREEN_DPI`) enlarges the markers, which would
    otherwise shrink to specks on a print-resolution page. Line widths stay in device pixels: Qt
    strokes a cosmetic pen wider than 1 px several times slower, over the whole path, which is
    most of the time of a dossier's location maps.
    """
    level = level_for(shapes.geometry.levels, units_per_pixel)
    for drawn in drawn_classes(layer):
        class_shapes = shapes.by_class.get(drawn.index)
        if class_shapes is None or not drawn.visible:
            continue
        painter.save()
        painter.setTransform(to_pixel)
        for kind, path in ((POLYGON, class_shapes.polygon_path(level)), (LINE, class_shapes.line_path(level))):
            if not path.isEmpty():
                paint_path(painter, path, *class_pens(drawn, kind))
        painter.restore()
        if drawn.mark_size_px:
            _paint_small_polygon_marks(painter, to_pixel, shapes, drawn, units_per_pixel, pixel_scale)
        if len(class_shapes.point_x):
            sizes = point_sizes_px(layer)[class_shapes.point_feature] * pixel_scale
            paint_markers(painter, to_pixel, class_shapes.point_x, class_shapes.point_y, sizes, drawn, pixel_scale)


def _paint_small_polygon_marks(painter: QtGui.QPainter, to_pixel: QtGui.QTransform, shapes: LayerShapes,
                               drawn: DrawnClass, units_per_pixel: float, pixel_scale: float) -> None:
    """A square in the class colour on each polygon too small to see at this scale, as on the canvas."""
    marks = shapes.polygon_marks(drawn.index)
    count = marks.count_below(MARK_BELOW_PX * pixel_scale * units_per_pixel)
    if not count:
        return
    side = drawn.mark_size_px * pixel_scale
    px = to_pixel.m11() * marks.x[:count] + to_pixel.m31()
    py = to_pixel.m22() * marks.y[:count] + to_pixel.m32()
    pen, brush = class_pens(drawn, POINT)
    painter.save()
    painter.resetTransform()
    painter.setPen(pen)
    painter.setBrush(brush)
    painter.drawRects([QtCore.QRectF(x - side / 2, y - side / 2, side, side) for x, y in zip(px, py)])
    painter.restore()


def paint_markers(painter: QtGui.QPainter, to_pixel: QtGui.QTransform, x: np.ndarray, y: np.ndarray,
                  sizes_px: np.ndarray, drawn: DrawnClass, pixel_scale: float = 1.0) -> None:
    """Round markers with an outline, grouped by half-pixel size steps (outline widths are
    multiplied by ``pixel_scale``, as the sizes already are).

    On an image each group is one ``drawPixmapFragments`` call stamping a pre-drawn marker (what
    pyqtgraph's scatter does on screen); on a vector device (SVG) each group is two
    ``drawPoints`` calls with a round pen, so markers stay vector circles.
    """
    px = to_pixel.m11() * x + to_pixel.m31()
    py = to_pixel.m22() * y + to_pixel.m32()
    steps = np.round(np.asarray(sizes_px, dtype=float) * 2) / 2
    stamp = isinstance(painter.device(), QtGui.QImage)
    pen, brush = class_pens(drawn, POINT)
    outline_px = drawn.point_outline_width_px * pixel_scale
    painter.save()
    painter.resetTransform()
    for size in np.unique(steps):
        chosen = steps == size
        if stamp:
            _stamp_markers(painter, px[chosen], py[chosen], float(size), pen.color(), brush.color(), outline_px)
        else:
            _round_points(painter, px[chosen], py[chosen], float(size), pen.color(), brush.color(), outline_px)
    painter.restore()


def _marker_pixmap(size: float, outline: QtGui.QColor, fill: QtGui.QColor, outline_px: float) -> QtGui.QPixmap:
    side = int(np.ceil(size + 2 * outline_px + 2))
    pixmap = QtGui.QPixmap(side, side)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    marker = QtGui.QPainter(pixmap)
    marker.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    marker.setPen(QtGui.QPen(outline, outline_px))
    marker.setBrush(fill)
    marker.drawEllipse(QtCore.QPointF(side / 2, side / 2), size / 2, size / 2)
    marker.end()
    return pixmap


def _stamp_markers(painter: QtGui.QPainter, px: np.ndarray, py: np.ndarray, size: float, outline: QtGui.QColor,
                   fill: QtGui.QColor, outline_px: float) -> None:
    pixmap = _marker_pixmap(size, outline, fill, outline_px)
    window = painter.clipBoundingRect() if painter.hasClipping() else QtCore.QRectF(painter.device().rect())
    margin = pixmap.width()
    inside = ((px > window.left() - margin) & (px < window.right() + margin)
              & (py > window.top() - margin) & (py < window.bottom() + margin))
    fragments = pg.Qt.internals.PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)
    fragments.resize(int(inside.sum()))
    table = fragments.ndarray()
    table[:, 0] = px[inside]
    table[:, 1] = py[inside]
    table[:, 2:6] = (0, 0, pixmap.width(), pixmap.height())
    table[:, 6:10] = (1.0, 1.0, 0.0, 1.0)
    painter.drawPixmapFragments(*fragments.drawargs(), pixmap)


def _round_points(painter: QtGui.QPainter, px: np.ndarray, py: np.ndarray, size: float, outline: QtGui.QColor,
                  fill: QtGui.QColor, outline_px: float) -> None:
    points = pg.functions.arrayToQPolygonF(px, py)
    for colour, width in ((outline, size + 2 * outline_px), (fill, size)):
        pen = QtGui.QPen(colour, width)
        pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawPoints(points)


# ---------------------------------------------------------------- the page


@dataclass
class RenderCaches:
    """What successive renders of the same layers can share: their display-CRS geometry, raster
    bounds and ranges, and per-class shapes (the dossier draws one location map per block)."""

    store: GeometryStore = field(default_factory=GeometryStore)
    rasters: RasterImageCache = field(default_factory=RasterImageCache)
    shapes: dict[str, LayerShapes] = field(default_factory=dict)

    def shapes_of(self, layer, geometry) -> LayerShapes:
        """The layer's per-class shapes, rebuilt only when its classes, filter or geometry changed."""
        shapes = layer_shapes(layer, geometry, self.shapes.get(layer.id))
        self.shapes[layer.id] = shapes
        return shapes

    def keep_only(self, layer_list) -> None:
        """Forget the layers that are no longer in ``layer_list``."""
        ids = {layer.id for layer in layer_list}
        self.store.forget_except(ids)
        self.shapes = {layer_id: shapes for layer_id, shapes in self.shapes.items() if layer_id in ids}


@dataclass
class PageLayout:
    """Pixel rectangles of a rendered page."""

    title: QtCore.QRectF
    map: QtCore.QRectF
    legend: QtCore.QRectF
    footer: QtCore.QRectF
    font_px: int


def page_font_px(dpi: float) -> int:
    """The page's body text size in pixels: 9 pt at ``dpi``."""
    return max(9, round(9 * dpi / 72))


def page_layout(width: int, height: int, dpi: float, has_title: bool, legend_text_px: float = 0.0) -> PageLayout:
    """Title band on top, map on the left, legend on the right, notes at the bottom.

    The legend is as wide as its longest entry (``legend_text_px``) needs, within 10 em and 45 %
    of the page, so labels are cut only when the page is too narrow for them.
    """
    font_px = page_font_px(dpi)
    margin = max(8.0, 0.02 * min(width, height))
    title_h = font_px * 2.4 if has_title else 0.0
    footer_h = font_px * 3.3
    legend_w = min(max(legend_text_px + font_px * 2.4, font_px * 10), 0.45 * width)
    top = margin + title_h
    map_h = height - top - footer_h - margin
    return PageLayout(
        title=QtCore.QRectF(margin, margin, width - 2 * margin, title_h),
        map=QtCore.QRectF(margin, top, width - 3 * margin - legend_w, map_h),
        legend=QtCore.QRectF(width - margin - legend_w, top, legend_w, map_h),
        footer=QtCore.QRectF(margin, height - margin - footer_h, width - 2 * margin, footer_h),
        font_px=font_px,
    )


def fit_extent(extent, width_px: float, height_px: float) -> tuple[float, float, float, float]:
    """``extent`` grown on one axis to the aspect ratio of a width × height pixel box."""
    minx, miny, maxx, maxy = extent
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x, span_y = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    units_per_pixel = max(span_x / width_px, span_y / height_px)
    half_x, half_y = units_per_pixel * width_px / 2, units_per_pixel * height_px / 2
    return (cx - half_x, cy - half_y, cx + half_x, cy + half_y)


def world_to_pixel(extent, rect: QtCore.QRectF) -> QtGui.QTransform:
    """Display CRS → pixel transform of ``rect`` showing ``extent`` (y up on the map)."""
    minx, miny, maxx, maxy = extent
    scale = rect.width() / (maxx - minx)
    return QtGui.QTransform(scale, 0, 0, -scale, rect.left() - minx * scale, rect.top() + maxy * scale)


def layers_extent(layer_list, store: GeometryStore, display_crs: CRS,
                  rasters: RasterImageCache) -> Optional[tuple[float, float, float, float]]:
    """Union of the display-CRS bounds of the visible, drawable layers (None when there is none)."""
    boxes = []
    for layer in layer_list:
        if not layer.visible:
            continue
        if layer.kind == "raster":
            bounds = rasters.display_bounds(layer, display_crs)
        elif layer.kind == "vector":
            geometry = store.geometry(layer, display_crs)
            bounds = geometry.bounds if geometry is not None else None
        else:
            bounds = None
        if bounds is not None and np.isfinite(bounds).all():
            boxes.append(bounds)
    if not boxes:
        return None
    boxes = np.asarray(boxes)
    minx, miny = boxes[:, 0].min(), boxes[:, 1].min()
    maxx, maxy = boxes[:, 2].max(), boxes[:, 3].max()
    pad_x, pad_y = 0.03 * (maxx - minx) or 1000.0, 0.03 * (maxy - miny) or 1000.0
    return (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)


def paint_map(painter: QtGui.QPainter, layer_list, rect: QtCore.QRectF, extent, display_crs: CRS,
              font_px: int, pixel_scale: float, caches: RenderCaches, feedback=None) -> None:
    """Paint the visible layers (bottom of the list first) into ``rect`` showing ``extent``.

    Raises :class:`geo.errors.Cancelled` between layers once ``feedback`` is cancelled.
    """
    feedback = ensure_feedback(feedback)
    to_pixel = world_to_pixel(extent, rect)
    units_per_pixel = 1.0 / to_pixel.m11()
    painter.save()
    painter.setClipRect(rect)
    painter.fillRect(rect, QtGui.QColor("#ffffff"))
    drawn = [layer for layer in layer_list if layer.visible]
    labels = []
    for step, layer in enumerate(reversed(drawn)):
        feedback.progress(step / max(len(drawn), 1), f"drawing {layer.name}")
        if layer.kind == "raster":
            painter.setOpacity(float(layer.opacity))
            _paint_raster(painter, layer, extent, rect, to_pixel, display_crs, caches.rasters)
            painter.setOpacity(1.0)
        elif layer.kind == "vector":
            geometry = caches.store.geometry(layer, display_crs)
            if geometry is None:
                continue
            shapes = caches.shapes_of(layer, geometry)
            paint_vector_layer(painter, layer, shapes, to_pixel, units_per_pixel, pixel_scale)
            found = label_positions(layer, shapes, extent)
            if found is not None:
                labels.append(found)
    taken: list = []
    for xy, texts in reversed(labels):
        draw_labels(painter, to_pixel, xy, texts, int(font_px * 0.85), taken)
    painter.restore()
    feedback.progress(1.0, "map drawn")


def _paint_raster(painter, layer, extent, rect: QtCore.QRectF, to_pixel: QtGui.QTransform, display_crs: CRS,
                  rasters: RasterImageCache) -> None:
    image = rasters.image_for_view(layer, display_crs, extent, int(rect.width()), int(rect.height()))
    if image is None:
        return
    left, bottom, right, top = image.bounds
    target = to_pixel.mapRect(QtCore.QRectF(QtCore.QPointF(left, bottom), QtCore.QPointF(right, top)))
    painter.drawImage(target, image.qimage)


def paint_legend(painter: QtGui.QPainter, layer_list, rect: QtCore.QRectF, font_px: int,
                 rasters: RasterImageCache, not_drawn: set[str], pixel_scale: float = 1.0) -> None:
    """Every visible, drawn layer's name with its style's visible legend entries (layers whose
    ids are in ``not_drawn``, e.g. of unknown CRS, are left out); swatches as :func:`paint_swatch`."""
    painter.save()
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QtGui.QPen(QtGui.QColor("#444444"), 1))
    painter.setBrush(QtGui.QColor("#ffffff"))
    painter.drawRect(rect)
    pad = font_px * 0.7
    line_h = font_px * 1.5
    swatch = font_px * 1.1
    y = rect.top() + pad
    font = painter.font()
    font.setPixelSize(int(font_px * 1.1))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QtGui.QColor("#000000"))
    painter.drawText(QtCore.QRectF(rect.left() + pad, y, rect.width() - 2 * pad, line_h), "Legend")
    y += line_h * 1.3
    text_left = rect.left() + pad + swatch + pad * 0.8
    for layer in layer_list:
        if not layer.visible or layer.id in not_drawn:
            continue
        rows = _legend_rows(layer)
        if y + line_h * (1 + len(rows)) > rect.bottom():
            painter.drawText(QtCore.QRectF(rect.left() + pad, y, rect.width(), line_h), "…")
            break
        font.setPixelSize(font_px)
        font.setBold(True)
        painter.setFont(font)
        single = len(rows) == 1 and not rows[0].label
        name_left = text_left if single else rect.left() + pad
        if single:
            paint_swatch(painter, rows[0], layer.geometry_kind,
                         QtCore.QRectF(rect.left() + pad, y + (line_h - swatch) / 2, swatch, swatch), pixel_scale)
        _draw_elided(painter, QtCore.QRectF(name_left, y, rect.right() - pad - name_left, line_h), layer.name)
        y += line_h
        font.setBold(False)
        painter.setFont(font)
        if layer.kind == "raster":
            ramp_box = QtCore.QRectF(rect.left() + pad, y, rect.width() - 2 * pad, line_h)
            y = _legend_ramp(painter, layer, ramp_box, font_px, rasters)
            continue
        for drawn in ([] if single else rows):
            paint_swatch(painter, drawn, layer.geometry_kind,
                         QtCore.QRectF(rect.left() + pad, y + (line_h - swatch) / 2, swatch, swatch), pixel_scale)
            _draw_elided(painter, QtCore.QRectF(text_left, y, rect.right() - pad - text_left, line_h), drawn.label)
            y += line_h
        y += line_h * 0.3
    painter.restore()


def layout_for(layer_list, width: int, height: int, dpi: float, title: Optional[str]) -> PageLayout:
    """The page layout :func:`paint_page` uses for these layers (legend sized to their entries)."""
    return page_layout(width, height, dpi, bool(title), legend_text_width(layer_list, page_font_px(dpi)))


def legend_text_width(layer_list, font_px: int) -> float:
    """Pixels the widest legend line needs: a bold layer name, or a class label after its swatch."""
    font = QtGui.QFont()
    font.setPixelSize(font_px)
    plain = QtGui.QFontMetricsF(font)
    font.setBold(True)
    bold = QtGui.QFontMetricsF(font)
    swatch_and_gap = font_px * 1.9
    widths = [0.0]
    for layer in layer_list:
        if layer.visible:
            widths.append(bold.horizontalAdvance(layer.name) + swatch_and_gap)
            widths += [plain.horizontalAdvance(drawn.label) + swatch_and_gap for drawn in _legend_rows(layer)]
    return max(widths)


def _legend_rows(layer) -> list[DrawnClass]:
    """The classes of a vector layer switched on in the legend (none for a raster)."""
    return [drawn for drawn in drawn_classes(layer) if drawn.visible] if layer.kind == "vector" else []


def _draw_elided(painter: QtGui.QPainter, box: QtCore.QRectF, text: str) -> None:
    metrics = QtGui.QFontMetricsF(painter.font())
    shown = metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, box.width())
    painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft, shown)


def paint_swatch(painter: QtGui.QPainter, drawn: DrawnClass, geometry_kind: Optional[str], box: QtCore.QRectF,
                 pixel_scale: float = 1.0) -> None:
    """A legend symbol drawn as the map draws the class: a marker for points, a stroke for lines,
    a filled and outlined square for areas; widths are multiplied by ``pixel_scale``."""
    kind = geometry_kind if geometry_kind in (POINT, LINE) else POLYGON
    pen, brush = class_pens(drawn, kind)
    pen.setWidthF(pen.widthF() * pixel_scale)
    painter.save()
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    painter.setPen(pen)
    painter.setBrush(brush)
    if kind == POINT:
        diameter = box.height() * 0.8
        painter.drawEllipse(box.center(), diameter / 2, diameter / 2)
    elif kind == LINE:
        painter.drawLine(QtCore.QPointF(box.left(), box.center().y()), QtCore.QPointF(box.right(), box.center().y()))
    else:
        painter.drawRect(box)
    painter.restore()


def _legend_ramp(painter: QtGui.QPainter, layer, box: QtCore.QRectF, font_px: int,
                 rasters: RasterImageCache) -> float:
    """A colour ramp of a raster style with its low and high values; returns the next row's top."""
    style = layer.style
    colormap = colormap_for(style.colormap)
    gradient = QtGui.QLinearGradient(box.left(), 0, box.right(), 0)
    for position, colour in zip(colormap.pos, colormap.getColors(mode="qcolor")):
        gradient.setColorAt(float(position), colour)
    bar = QtCore.QRectF(box.left(), box.top() + 2, box.width(), box.height() * 0.6)
    painter.fillRect(bar, QtGui.QBrush(gradient))
    low, high = rasters.value_range(layer)
    top = bar.bottom() + 2
    text_box = QtCore.QRectF(box.left(), top, box.width(), font_px * 1.3)
    painter.drawText(text_box, QtCore.Qt.AlignmentFlag.AlignLeft, f"{low:.4g}")
    painter.drawText(text_box, QtCore.Qt.AlignmentFlag.AlignRight, f"{high:.4g}")
    return text_box.bottom() + font_px * 0.5


def footer_lines(layer_list, display_crs: CRS) -> list[str]:
    """The CRS, the sources and, when any layer is illustrative, the illustrative-data note."""
    shown = [layer for layer in layer_list if layer.visible]
    crs_name = display_crs.name
    code = display_crs.to_epsg()
    lines = [f"CRS: {crs_name}" + (f" (EPSG:{code})" if code else "")]
    sources = []
    for layer in shown:
        source = Path(layer.source).name if layer.source else layer.name
        if source not in sources:
            sources.append(source)
    lines.append("Sources: " + (", ".join(sources) if sources else "none"))
    if any(layer.illustrative for layer in shown):
        lines.append(ILLUSTRATIVE_NOTE)
    return lines


def paint_page(painter: QtGui.QPainter, layer_list, width: int, height: int, dpi: float, title: Optional[str],
               extent, display_crs: CRS, feedback=None, caches: Optional[RenderCaches] = None) -> None:
    """Paint the whole page (title, map, scale bar, north arrow, legend, notes) at pixel size.

    ``caches`` carries the layers' prepared geometry from one page to the next (default: none kept).
    """
    feedback = ensure_feedback(feedback)
    layout = layout_for(layer_list, width, height, dpi, title)
    painter.fillRect(QtCore.QRectF(0, 0, width, height), QtGui.QColor("#ffffff"))
    caches = caches if caches is not None else RenderCaches()
    caches.keep_only(layer_list)
    store, rasters = caches.store, caches.rasters
    if extent is None:
        extent = layers_extent(layer_list, store, display_crs, rasters) or (0.0, 0.0, 1.0, 1.0)
    extent = fit_extent(extent, layout.map.width(), layout.map.height())
    paint_map(painter, layer_list, layout.map, extent, display_crs, layout.font_px, dpi / SCREEN_DPI, caches,
              feedback.sub(0.0, 0.9))
    painter.setPen(QtGui.QPen(QtGui.QColor("#444444"), 1))
    painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
    painter.drawRect(layout.map)
    units_per_pixel = (extent[2] - extent[0]) / layout.map.width()
    centre = ((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    metres_per_pixel = units_per_pixel * metres_per_unit(display_crs, *centre)
    pad = layout.font_px
    draw_scale_bar(painter, QtCore.QPointF(layout.map.left() + pad, layout.map.bottom() - pad),
                   metres_per_pixel, layout.map.width() / 4, layout.font_px)
    arrow = layout.font_px * 2.6
    draw_north_arrow(painter, QtCore.QPointF(layout.map.right() - pad - arrow / 2, layout.map.top() + pad), arrow)
    not_drawn = set(store.skipped) | {layer.id for layer in layer_list if layer.kind == "raster"
                                      and rasters.display_bounds(layer, display_crs) is None}
    paint_legend(painter, layer_list, layout.legend, layout.font_px, rasters, not_drawn, dpi / SCREEN_DPI)
    _paint_texts(painter, layout, title, footer_lines(layer_list, display_crs))
    feedback.progress(1.0, "page drawn")


def _paint_texts(painter: QtGui.QPainter, layout: PageLayout, title: Optional[str], footer: list[str]) -> None:
    painter.save()
    painter.setPen(QtGui.QColor("#000000"))
    font = painter.font()
    if title:
        font.setPixelSize(int(layout.font_px * 1.7))
        font.setBold(True)
        painter.setFont(font)
        _draw_elided(painter, layout.title, title)
    font.setBold(False)
    font.setPixelSize(int(layout.font_px * 0.85))
    painter.setFont(font)
    line_h = layout.footer.height() / 3
    for row, text in enumerate(footer):
        box = QtCore.QRectF(layout.footer.left(), layout.footer.top() + row * line_h, layout.footer.width(), line_h)
        if text == ILLUSTRATIVE_NOTE:
            painter.setPen(QtGui.QColor("#a50026"))
        _draw_elided(painter, box, text)
    painter.restore()


# ---------------------------------------------------------------- entry points


def ensure_gui_application() -> QtGui.QGuiApplication:
    """The running Qt application, or a new offscreen one when there is no display (the CLI).

    A new one is a ``QApplication``, not a bare ``QGuiApplication``: widgets created later in the
    same process (a test session, a script that also opens a dialog) would otherwise abort Qt.
    """
    app = QtGui.QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QtWidgets.QApplication([])
    return app


def _resolve_crs(display_crs) -> CRS:
    return CRS.from_user_input(display_crs if display_crs is not None else DEFAULT_DISPLAY_CRS)


def render_map_image(layer_list, width: int = 1600, height: int = 1100, dpi: float = 150, title: Optional[str] = None,
                     extent=None, display_crs=None, feedback=None, caches: Optional[RenderCaches] = None) -> QtGui.QImage:
    """The page as an ARGB image of ``width`` × ``height`` pixels tagged with ``dpi``.

    ``extent`` is (minx, miny, maxx, maxy) in ``display_crs`` (default EPSG:7755); by default the
    visible layers' full extent. Pass the same ``caches`` to successive calls over the same layers
    to prepare their geometry once. Raises :class:`geo.errors.Cancelled` when cancelled.
    """
    ensure_gui_application()
    image = QtGui.QImage(int(width), int(height), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QtGui.QPainter(image)
    try:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        paint_page(painter, layer_list, int(width), int(height), dpi, title, extent, _resolve_crs(display_crs), feedback,
                   caches)
    finally:
        painter.end()
    return image


def render_map(layer_list, path, width: int = 1600, height: int = 1100, dpi: float = 150, title: Optional[str] = None,
               extent=None, display_crs=None, feedback=None) -> Path:
    """Write the map page to ``path`` as PNG or SVG (chosen by the extension), atomically.

    Raises
    ------
    DataWriteError
        Unknown extension, or the file cannot be written.
    geo.errors.Cancelled
        ``feedback`` was cancelled; no file is left behind.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise DataWriteError(f"{describe_path(target)}: a map can be written as .png or .svg, not {suffix or 'no extension'}")
    feedback = ensure_feedback(feedback)
    if suffix == ".png":
        image = render_map_image(layer_list, width, height, dpi, title, extent, display_crs, feedback.sub(0, 0.95))
        payload = image_bytes(image, target)
    else:
        payload = _svg_bytes(layer_list, int(width), int(height), dpi, title, extent, _resolve_crs(display_crs),
                             feedback)
    feedback.check()
    atomic_write_bytes(target, payload)
    feedback.progress(1.0, f"wrote {target.name}")
    return target


def image_bytes(image: QtGui.QImage, target: Path, image_format: str = "PNG") -> bytes:
    """``image`` encoded in memory, so the file is written (and its errors seen) by Python, not Qt.

    Raises
    ------
    DataWriteError
        Qt could not encode the image (the message names ``target``).
    """
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, image_format):
        raise DataWriteError(f"{describe_path(target)}: the {image_format} image could not be encoded")
    return bytes(buffer.data())


def _svg_bytes(layer_list, width: int, height: int, dpi: float, title, extent, display_crs: CRS, feedback) -> bytes:
    """The map page as SVG, drawn into memory: QSvgGenerator writing to a file ignores a full disk."""
    from PySide6.QtSvg import QSvgGenerator

    ensure_gui_application()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QtCore.QSize(width, height))
    generator.setViewBox(QtCore.QRect(0, 0, width, height))
    generator.setResolution(int(round(dpi)))
    generator.setTitle(title or "Khanij map")
    generator.setDescription("Map rendered by Khanij")
    painter = QtGui.QPainter(generator)
    try:
        paint_page(painter, layer_list, width, height, dpi, title, extent, display_crs, feedback.sub(0, 0.95))
    finally:
        painter.end()
    return with_generic_font_family(bytes(buffer.data()).decode("utf-8")).encode("utf-8")


#: CSS generic families; an SVG font list ending in none of them gets ``sans-serif`` appended.
GENERIC_FONT_FAMILIES = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui")
_FONT_FAMILY = re.compile(r'font-family="([^"]*)"')


def with_generic_font_family(svg: str) -> str:
    """``svg`` with every ``font-family`` list ending in a CSS generic family, so a viewer without
    the named font falls back to a sans-serif one (Qt writes "Sans Serif", which is no CSS name)."""
    def fix(match: re.Match) -> str:
        names = [name.strip() for name in match.group(1).split(",") if name.strip()]
        names = [name for name in names if name.lower() != "sans serif"]
        if not names or names[-1].strip("'\"").lower() not in GENERIC_FONT_FAMILIES:
            names.append("sans-serif")
        return f'font-family="{", ".join(names)}"'

    return _FONT_FAMILY.sub(fix, svg)
