"""The offline HTML map (folium): one self-contained file an official can open with no network.

Leaflet's JavaScript and CSS are inlined from the vendored copy in ``layers/vendor/leaflet``
(BSD-2-Clause, its licence travels inside the page); folium's default CDN links (Leaflet, jQuery,
Bootstrap, Font Awesome) are removed, and no tile layer is added: the state boundaries are the base
layer. The page draws every vector layer with the SAME resolved classes as the app
(:func:`layers.style.drawn_classes`: colours, opacities, widths, marker sizes, class labels,
legend), with a layer control, a scale bar, popups listing the attributes and a tooltip.

Safety: attribute values come from imported files and are untrusted. Every value, field name and
layer name is HTML-escaped here (:func:`escape_text`) and braces become character references, so
``<script>``, quotes and ``{{ }}`` display as text in popups and tooltips and never reach a
template engine. Long texts of ordinary layers are shortened to :data:`MAX_TEXT_CHARS`; a score
output's popup shows its columns in words with units, leaves out internal columns (rule ids,
JSON copies, the hash) and carries the whole explanation in a scrollable cell. A search box finds
a block by id or name; a dense infrastructure point layer is drawn from state scale on.

Small blocks: a polygon of a blocks layer or of any score output (:func:`layers.style.marks_small_polygons`) narrower on screen than
:data:`~layers.style.MARK_BELOW_PX` also gets a :data:`~layers.style.MARK_SIZE_PX` square in its
class colour at a point on its surface (re-decided at every zoom), as on the canvas and in the
PNG/SVG/PDF maps, so candidate blocks stay visible on a national map. A square opens the same
popup as its polygon and belongs to the same entry of the layer control.

Size: coordinates are rounded to :data:`COORD_DECIMALS` decimals (about 0.1 m); a layer with more
than :data:`VERTEX_BUDGET` vertices is simplified for display and the tolerance is written on the
map. Raster layers are not part of the HTML map (the notes box says so).

Examples
--------
>>> escape_text('<script>alert("x")</script> {{ 7*7 }}')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#123;&#123; 7*7 &#125;&#125;'
"""
from __future__ import annotations

import html
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd
import shapely

from geo.atomic import atomic_write_text
from geo.feedback import ensure_feedback
from layers.style import MARK_BELOW_PX, DrawnClass, drawn_classes, is_scored, marks_small_polygons, point_sizes_px

LEAFLET_DIR = Path(__file__).with_name("vendor") / "leaflet"
COORD_DECIMALS = 6
#: A layer with more vertices than this is simplified for display.
VERTEX_BUDGET = 150_000
#: Texts of ordinary layers longer than this are shortened in popups (the full value stays in the
#: data files); a score output's texts (the explanation, findings) are shown whole, scrollable.
MAX_TEXT_CHARS = 300
#: A point layer of infrastructure with more features than this (a country's railway stations) is
#: drawn only from :data:`DENSE_POINTS_FROM_ZOOM` (state scale) so it does not bury the blocks.
DENSE_POINTS_ABOVE = 300
DENSE_POINTS_FROM_ZOOM = 7
#: The search box lists at most this many matching blocks.
SEARCH_RESULTS = 8
#: With more features than this in the page, Leaflet draws on a canvas instead of SVG (faster).
CANVAS_ABOVE = 5_000
#: Fields shown first in a popup when present (a scored block's id, class and score lead).
FIRST_FIELDS = ("name", "block_id", "block_name", "readiness", "score", "licence", "stage", "unfc")
TOOLTIP_FIELDS = ("name", "block_name", "block_id", "state", "code")
SEARCH_FIELDS = ("block_id", "block_name", "name", "id")
ILLUSTRATIVE_NOTE = "Illustrative sample data — not official"
_METRES_PER_DEGREE = 111_320.0


def escape_text(value: object, limit: Optional[int] = MAX_TEXT_CHARS) -> str:
    """``value`` as text safe inside HTML and any template: escaped, braces as references,
    shortened to ``limit`` characters (None: whole)."""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def format_value(value: object) -> str:
    """An attribute value as popup text: missing → empty, floats to at most 4 decimals."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return ""
        return f"{float(value):.4f}".rstrip("0").rstrip(".")
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


@dataclass
class PageLayer:
    """One layer as the page draws it: escaped names, Leaflet styles per class, GeoJSON text."""

    name: str
    visible: bool
    base: bool
    fields: list[str]
    tooltip: int
    styles: list[dict]
    legend: list[tuple[str, str]]  # (swatch CSS, label) of each class switched on
    geometry_kind: str
    collection: str
    features: int
    tolerance_deg: Optional[float]
    illustrative: bool
    mark_styles: Optional[list[dict]] = None
    searchable: bool = False
    min_zoom: Optional[int] = None


# ---------------------------------------------------------------- layers → page data


def display_tolerance_deg(geometries: np.ndarray, budget: int = VERTEX_BUDGET) -> Optional[float]:
    """Simplification tolerance (degrees) that brings a layer near ``budget`` vertices, or None.

    The tolerance is the layer's extent divided by a resolution proportional to the vertex
    budget, rounded up to 1, 2 or 5 × 10ⁿ degrees so the stated figure is a round number.
    """
    vertices = int(shapely.get_num_coordinates(geometries).sum())
    if vertices <= budget:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(geometries)
    span = max(maxx - minx, maxy - miny, 1e-9)
    raw = span / (4.0 * math.sqrt(budget)) * math.sqrt(vertices / budget)
    exponent = math.floor(math.log10(raw))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * 10.0 ** exponent >= raw:
            return step * 10.0 ** exponent
    return 10.0 ** (exponent + 1)


def leaflet_styles(layer) -> tuple[list[dict], list[tuple[str, str]], list[dict]]:
    """Leaflet path options per style class (the last is "other"), the legend rows (swatch CSS,
    label) of the classes switched on, and the options of the class's squares marking polygons
    too small to see.

    Every value is the app's :func:`layers.style.drawn_classes` (the layer's opacity applied), so
    the page draws a class as the canvas and the PNG/SVG/PDF maps do.
    """
    kind = layer.geometry_kind
    styles, legend, marks = [], [], []
    for drawn in drawn_classes(layer):
        if kind == "line":
            options = {"color": drawn.line_colour, "weight": drawn.line_width_px, "opacity": drawn.opacity}
        elif kind == "point":
            options = _marker_options(drawn, drawn.point_size_px / 2)
        else:
            options = {"color": drawn.outline_colour, "weight": drawn.outline_width_px, "opacity": drawn.opacity,
                       "stroke": drawn.outline_width_px > 0, "fill": drawn.fill_opacity > 0,
                       "fillColor": drawn.fill_colour, "fillOpacity": drawn.fill_opacity}
        styles.append(options)
        marks.append(_marker_options(drawn, drawn.mark_size_px / 2))
        if drawn.visible:
            legend.append((_swatch_css(options, kind), drawn.label))
    return styles, legend, marks


def _marker_options(drawn: DrawnClass, radius_px: float) -> dict:
    """Leaflet options of a point marker (or a block's square, ``radius_px`` half its side)."""
    return {"color": drawn.point_outline_colour, "weight": drawn.point_outline_width_px,
            "fillColor": drawn.point_colour, "fillOpacity": drawn.opacity, "opacity": drawn.opacity,
            "radius": radius_px}


def _rgba(colour: str, opacity: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{opacity:.3g})"


def _swatch_css(options: dict, kind: Optional[str]) -> str:
    """The inline CSS of a legend swatch painted with a class's Leaflet options."""
    if kind == "line":
        return f"background:{_rgba(options['color'], options['opacity'])};height:{options['weight']}px"
    fill = options["fillOpacity"] if options.get("fill", True) else 0.0
    return (f"background:{_rgba(options['fillColor'], fill)};"
            f"border:{options['weight']}px solid {_rgba(options['color'], options['opacity'])}")


def _ordered_fields(columns: Sequence[str]) -> list[str]:
    lowered = {c.lower(): c for c in columns}
    first = [lowered[name] for name in FIRST_FIELDS if name in lowered]
    return first + [c for c in columns if c not in first]


def popup_fields(layer) -> tuple[list[str], list[str], Optional[int]]:
    """(columns, labels, text limit) of a layer's popup: a score output's columns in words with
    their units, internal columns left out and texts whole; other layers' columns as named."""
    if is_scored(layer):
        from assessment.score_table import popup_fields as score_popup_fields

        pairs = score_popup_fields(layer.columns)
        return [column for column, _ in pairs], [label for _, label in pairs], None
    fields = _ordered_fields(layer.columns)
    return fields, fields, MAX_TEXT_CHARS


def _popup_value(column: str, value) -> str:
    if column == "conditions" and isinstance(value, str):
        from assessment.score_table import conditions_text

        return conditions_text(value)
    return format_value(value)


def _search_key(frame: pd.DataFrame, row: int, fields: Sequence[str]) -> str:
    """What the search box matches a block on: its id and name fields, lower case."""
    keys = [c for c in fields if c.lower() in SEARCH_FIELDS]
    return " · ".join(format_value(frame[c].iloc[row]) for c in keys if format_value(frame[c].iloc[row]))


def page_layer(layer, base: bool = False, vertex_budget: int = VERTEX_BUDGET) -> Optional[PageLayer]:
    """The page data of a vector layer (None for rasters, tables, missing or empty layers)."""
    frame = layer.data
    if layer.kind != "vector" or layer.missing or frame is None or not hasattr(frame, "geometry") or frame.crs is None:
        return None
    shown = layer.shown_mask()
    classes = layer.class_indices()
    geometry = frame.geometry.to_crs(4326).values
    keep = shown & ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    rows = np.flatnonzero(keep)
    if not len(rows):
        return None
    geometries = np.asarray(geometry[rows], dtype=object)
    tolerance = display_tolerance_deg(geometries, vertex_budget) if layer.geometry_kind != "point" else None
    if tolerance is not None:
        geometries = shapely.simplify(geometries, tolerance, preserve_topology=True)
    geometries = shapely.transform(geometries, lambda xy: np.round(xy, COORD_DECIMALS))
    texts = shapely.to_geojson(geometries)
    marked = marks_small_polygons(layer)
    anchors = _anchors(geometries) if marked else None
    fields, labels, limit = popup_fields(layer)
    values = frame.iloc[rows][fields]
    search = [_search_key(values, i, fields) for i in range(len(rows))] if marked else None
    radii = _radii(layer, rows)
    style_count = len(getattr(layer.style, "categories", ())) + 1 if hasattr(layer.style, "categories") else 1
    class_of = np.where(classes[rows] < 0, style_count - 1, classes[rows]) if style_count > 1 else np.zeros(len(rows), int)
    features = []
    for position, (text, row) in enumerate(zip(texts, values.itertuples(index=False, name=None))):
        props = {"k": int(class_of[position]),
                 "p": [escape_text(_popup_value(c, v), limit) for c, v in zip(fields, row)]}
        if search is not None:
            props["s"] = escape_text(search[position])
        if radii is not None:
            props["r"] = round(float(radii[position]), 1)
        if anchors is not None:
            props["a"] = anchors[position]
        features.append(f'{{"type":"Feature","geometry":{text},"properties":{_json(props)}}}')
    collection = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    styles, legend, mark_styles = leaflet_styles(layer)
    tooltip_field = getattr(layer.style, "label_field", None) or next(
        (f for f in fields if f.lower() in TOOLTIP_FIELDS), None)
    dense = layer.role == "infrastructure" and layer.geometry_kind == "point" and len(rows) > DENSE_POINTS_ABOVE
    return PageLayer(
        name=escape_text(layer.name), visible=bool(layer.visible) or base, base=base,
        fields=[escape_text(label) for label in labels],
        tooltip=fields.index(tooltip_field) if tooltip_field in fields else -1,
        styles=styles, legend=[(paint, escape_text(label)) for paint, label in legend],
        geometry_kind=layer.geometry_kind or "polygon", collection=collection, features=len(rows),
        tolerance_deg=tolerance, illustrative=bool(layer.illustrative), mark_styles=mark_styles if marked else None,
        searchable=marked, min_zoom=DENSE_POINTS_FROM_ZOOM if dense else None,
    )


def _anchors(geometries: np.ndarray) -> list[list[float]]:
    """[lon, lat] of a point on each (drawn, rounded) polygon's surface, where its square goes."""
    xy = np.round(shapely.get_coordinates(shapely.point_on_surface(geometries)), COORD_DECIMALS)
    return xy.tolist()


def _radii(layer, rows: np.ndarray) -> Optional[np.ndarray]:
    """Per-feature marker radius (px) when the style sizes points by a field."""
    if layer.geometry_kind != "point" or not getattr(layer.style, "size_field", None):
        return None
    return point_sizes_px(layer)[rows] / 2


def _json(value) -> str:
    """Compact JSON that cannot close a ``<script>`` element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


# ---------------------------------------------------------------- the page


def _leaflet_inline() -> tuple[str, str, str]:
    """(JavaScript, CSS, licence) of the vendored Leaflet."""
    read = lambda name: (LEAFLET_DIR / name).read_text(encoding="utf-8")  # noqa: E731
    return read("leaflet.js"), read("leaflet.css"), read("LICENSE.txt")


def _legend_html(page_layers: Sequence[PageLayer]) -> str:
    """Legend entries, top of the drawing order first (as in the app), each swatch painted as its class."""
    parts = ['<div class="kj-title">Legend</div>']
    for layer in reversed(page_layers):
        swatch_class = {"point": "kj-dot", "line": "kj-line"}.get(layer.geometry_kind, "kj-box")
        rows = layer.legend
        if len(rows) == 1 and not rows[0][1]:
            parts.append(f'<div class="kj-row kj-layer"><span class="{swatch_class}" style="{rows[0][0]}">'
                         f'</span>{layer.name}</div>')
            continue
        parts.append(f'<div class="kj-layer">{layer.name}</div>')
        parts += [f'<div class="kj-row"><span class="{swatch_class}" style="{paint}"></span>{label}</div>'
                  for paint, label in rows]
    return "".join(parts)


def _notes_html(title: Optional[str], page_layers: Sequence[PageLayer], omitted: Sequence[str]) -> str:
    parts = [f'<div class="kj-title">{escape_text(title)}</div>'] if title else []
    if any(layer.illustrative for layer in page_layers):
        parts.append(f'<div class="kj-warn">{ILLUSTRATIVE_NOTE}</div>')
    parts.append(f"<div>Coordinates: WGS 84 (EPSG:4326), rounded to {COORD_DECIMALS} decimals. No background tiles.</div>")
    for layer in page_layers:
        if layer.tolerance_deg is not None:
            metres = layer.tolerance_deg * _METRES_PER_DEGREE
            parts.append(f"<div>{layer.name}: simplified for display, tolerance {layer.tolerance_deg:g}° "
                         f"(about {metres:,.0f} m).</div>")
    for layer in page_layers:
        if layer.min_zoom is not None:
            parts.append(f"<div>{layer.name} ({layer.features:,}): drawn from zoom {layer.min_zoom} (state scale) "
                         "so they do not hide the blocks; zoom in to see them.</div>")
    if omitted:
        parts.append("<div>Not in this map (raster or non-spatial): " + ", ".join(escape_text(n) for n in omitted) + ".</div>")
    parts.append('<div class="kj-small">Made with Khanij. Map library: Leaflet 1.9.4 (BSD-2-Clause, licence in this '
                 "file's source).</div>")
    return "".join(parts)


_PAGE_CSS = """
.leaflet-container{background:#ffffff}
.kj-box{display:inline-block;width:14px;height:11px;margin-right:6px;vertical-align:middle}
.kj-dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;vertical-align:middle}
.kj-line{display:inline-block;width:16px;margin-right:6px;vertical-align:middle}
.kj-panel{background:#fff;padding:6px 9px;border:1px solid #777;border-radius:4px;font:12px/1.45 sans-serif;
  max-height:45vh;overflow:auto;max-width:300px}
.kj-title{font-weight:bold;font-size:13px;margin-bottom:3px}
.kj-layer{font-weight:bold;margin-top:4px}
.kj-warn{color:#a50026;font-weight:bold}
.kj-small{color:#555;font-size:11px;margin-top:3px}
.kj-popup table{border-collapse:collapse;font:12px sans-serif;table-layout:fixed;width:100%}
.kj-popup th{text-align:left;padding:1px 8px 1px 0;color:#444;vertical-align:top;width:38%;font-weight:600}
.kj-popup td{padding:1px 0;word-break:break-word}
.kj-popup td div{max-height:11em;overflow-y:auto;white-space:pre-line}
.kj-search input{width:230px;font:13px sans-serif;padding:3px 5px}
.kj-search .kj-hit{cursor:pointer;padding:2px 3px;border-bottom:1px solid #eee}
.kj-search .kj-hit:hover,.kj-search .kj-hit:focus{background:#e2e8f3}
.kj-popup .kj-title{margin-bottom:4px}
"""

_SCRIPT = """
(function () {
  var map = %(map)s;
  var spec = %(spec)s;
  window.khanijMap = map;
  function popupHtml(layer, values) {
    var rows = "";
    for (var i = 0; i < values.length; i++) {
      if (values[i] !== "") { rows += "<tr><th>" + layer.fields[i] + "</th><td><div>" + values[i] + "</div></td></tr>"; }
    }
    return '<div class="kj-popup"><div class="kj-title">' + layer.name + "</div><table>" + rows + "</table></div>";
  }
  function bindInfo(layer, values, leafletLayer) {
    leafletLayer.bindPopup(function () { return popupHtml(layer, values); }, {minWidth: 380, maxWidth: 460, maxHeight: 400});
    if (layer.tooltip >= 0 && values[layer.tooltip] !== "") {
      leafletLayer.bindTooltip(values[layer.tooltip], {sticky: true});
    }
  }
  // A circle marker drawn as a square of side 2 × radius px, by either renderer (Leaflet 1.9.4).
  var Square = L.CircleMarker.extend({
    _updatePath: function () {
      var p = this._point, h = this._radius;
      this._parts = this._empty() ? [] : [[L.point(p.x - h, p.y - h), L.point(p.x + h, p.y - h),
                                           L.point(p.x + h, p.y + h), L.point(p.x - h, p.y + h)]];
      this._renderer._updatePoly(this, true);
    },
    _containsPoint: function (p) {
      var reach = this._radius + this._clickTolerance();
      return Math.abs(p.x - this._point.x) <= reach && Math.abs(p.y - this._point.y) <= reach;
    }
  });
  var squares = [];
  function showSquares() {
    var limit = spec.markBelowPx / map.getZoomScale(map.getZoom(), 0);
    squares.forEach(function (mark) {
      var show = mark.span0 < limit;
      if (show !== mark.group.hasLayer(mark.square)) {
        if (show) { mark.group.addLayer(mark.square); } else { mark.group.removeLayer(mark.square); }
      }
    });
  }
  function spanAtZoom0(bounds) {
    var a = map.project(bounds.getSouthWest(), 0), b = map.project(bounds.getNorthEast(), 0);
    return Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y));
  }
  var base = {}, overlays = {}, found = [], densePanes = [];
  window.khanijLayers = {};
  window.khanijSquares = {};
  spec.layers.forEach(function (layer, number) {
    var marks = layer.markStyles ? L.layerGroup() : null;
    var pane = null, renderer = null;
    if (layer.minZoom !== null) {
      pane = "kjDense" + number;
      map.createPane(pane).style.zIndex = 390;
      renderer = map.options.preferCanvas ? L.canvas({pane: pane}) : L.svg({pane: pane});
      densePanes.push({pane: map.getPane(pane), minZoom: layer.minZoom});
    }
    // Leaflet re-applies the style to every marker after pointToLayer (radius included), so a
    // graduated size has to be part of the style itself.
    var featureStyle = function (feature) {
      var options = Object.assign({}, layer.styles[feature.properties.k]);
      if (feature.properties.r) { options.radius = feature.properties.r; }
      return options;
    };
    var group = L.geoJSON(layer.data, {
      style: featureStyle,
      pointToLayer: function (feature, latlng) {
        var options = featureStyle(feature);
        if (pane) { options.pane = pane; options.renderer = renderer; }
        return L.circleMarker(latlng, options);
      },
      onEachFeature: function (feature, leafletLayer) {
        var values = feature.properties.p, anchor = feature.properties.a;
        bindInfo(layer, values, leafletLayer);
        if (marks && anchor) {
          var options = Object.assign({className: "kj-mark"}, layer.markStyles[feature.properties.k]);
          var square = new Square([anchor[1], anchor[0]], options);
          bindInfo(layer, values, square);
          squares.push({square: square, group: marks, span0: spanAtZoom0(leafletLayer.getBounds())});
        }
        if (layer.searchable && feature.properties.s) {
          found.push({key: feature.properties.s, lower: feature.properties.s.toLowerCase(), polygon: leafletLayer,
                      anchor: anchor ? L.latLng(anchor[1], anchor[0]) : null});
        }
      }
    });
    var entry = marks ? L.layerGroup([group, marks]) : group;
    (layer.base ? base : overlays)[layer.name] = entry;
    window.khanijLayers[layer.name] = group;
    if (marks) { window.khanijSquares[layer.name] = marks; }
    if (layer.visible) { entry.addTo(map); }
  });
  L.control.layers(base, overlays, {collapsed: false, position: "topright"}).addTo(map);
  L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
  function panel(position, content) {
    var Panel = L.Control.extend({onAdd: function () {
      var div = L.DomUtil.create("div", "kj-panel");
      div.innerHTML = content;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }});
    new Panel({position: position}).addTo(map);
  }
  panel("bottomright", spec.legend);
  panel("topleft", spec.notes);
  function showDense() {
    densePanes.forEach(function (dense) { dense.pane.style.display = map.getZoom() < dense.minZoom ? "none" : ""; });
  }
  if (found.length) {
    // The search box: a block by (part of) its id or name; choosing one zooms to it and opens its popup.
    var Search = L.Control.extend({onAdd: function () {
      var div = L.DomUtil.create("div", "kj-panel kj-search");
      var input = L.DomUtil.create("input", "", div);
      input.type = "search";
      input.id = "kj-search";
      input.placeholder = "Find a block by id or name";
      input.setAttribute("aria-label", "Find a block by id or name");
      var list = L.DomUtil.create("div", "", div);
      function go(hit) {
        map.fitBounds(hit.polygon.getBounds(), {animate: false, maxZoom: 12, padding: [40, 40]});
        hit.polygon.openPopup(hit.anchor || hit.polygon.getBounds().getCenter());
      }
      function matches() {
        var text = input.value.trim().toLowerCase();
        return text ? found.filter(function (hit) { return hit.lower.indexOf(text) >= 0; }) : [];
      }
      input.addEventListener("input", function () {
        list.innerHTML = "";
        matches().slice(0, %(search_results)d).forEach(function (hit) {
          var row = L.DomUtil.create("div", "kj-hit", list);
          row.tabIndex = 0;
          row.textContent = hit.key;
          row.addEventListener("click", function () { go(hit); });
          row.addEventListener("keydown", function (event) { if (event.key === "Enter") { go(hit); } });
        });
      });
      input.addEventListener("keydown", function (event) {
        var hits = matches();
        if (event.key === "Enter" && hits.length) { go(hits[0]); }
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }});
    new Search({position: "topleft"}).addTo(map);
    window.khanijSearch = found;
  }
  map.on("zoomend", showSquares);
  map.on("zoomend", showDense);
  map.fitBounds(spec.bounds, {animate: false});
  showSquares();
  showDense();
})();
"""


def _leaflet_bounds(boxes: Sequence[tuple]) -> list[list[float]]:
    """[[south, west], [north, east]] around (minx, miny, maxx, maxy) boxes in degrees."""
    boxes = np.asarray(boxes, dtype=float)
    return [[float(boxes[:, 1].min()), float(boxes[:, 0].min())], [float(boxes[:, 3].max()), float(boxes[:, 2].max())]]


def _wgs84_bounds(layer) -> tuple[float, float, float, float]:
    return tuple(layer.data.geometry.to_crs(4326).total_bounds)


def _boundaries_layer(layer_list):
    """The state-boundaries layer of the list, or the sample atlas's when the list has none."""
    own = [layer for layer in layer_list if layer.role == "boundaries" and layer.kind == "vector" and not layer.missing]
    if own:
        return own[0], False
    from layers.atlas import sample_role_paths
    from layers.layer import Layer

    states = Layer.from_file(sample_role_paths()["boundaries"], role="boundaries")
    states.name = "State boundaries (sample atlas)"
    states.illustrative = True
    return states, True


def build_html_map(layer_list, title: Optional[str] = None, feedback=None, vertex_budget: int = VERTEX_BUDGET) -> str:
    """The whole offline page as text.

    Parameters
    ----------
    layer_list : LayerList or sequence of Layer
        Index 0 is the top of the drawing order (as in the app); hidden layers are in the layer
        control but switched off.
    title : str, optional
        Shown in the notes box and as the page title.
    feedback : geo.feedback.Feedback, optional
        Progress per layer; cancelling raises :class:`geo.errors.Cancelled`.
    vertex_budget : int
        A layer with more vertices is simplified for display (the tolerance is written on the map).
    """
    import folium
    from branca.element import Element, MacroElement
    from jinja2 import Template

    feedback = ensure_feedback(feedback)
    layers = list(layer_list)
    boundaries, added = _boundaries_layer(layers)
    drawn = [boundaries] + [layer for layer in reversed(layers) if layer is not boundaries]
    page_layers, bounds, omitted, names = [], [], [], set()
    for step, layer in enumerate(drawn):
        feedback.progress(0.9 * step / len(drawn), f"preparing {layer.name}")
        page = page_layer(layer, base=layer is boundaries, vertex_budget=vertex_budget)
        if page is None:
            omitted.append(layer.name)
            continue
        page.name = _unique(page.name, names)
        page_layers.append(page)
        if layer is not boundaries or len(drawn) == 1:
            bounds.append(_wgs84_bounds(layer))
    if not bounds:
        bounds = [_wgs84_bounds(boundaries)]
    feedback.progress(0.9, "writing the page")
    js, css, licence = _leaflet_inline()
    total = sum(p.features for p in page_layers)
    page = folium.Map(tiles=None, location=[22.0, 80.0], zoom_start=5, prefer_canvas=total > CANVAS_ABOVE,
                      control_scale=False)
    page.default_js, page.default_css = [], []
    root = page.get_root()
    root.header.add_child(Element(f"<title>{escape_text(title or 'Khanij map')}</title>"), name="title")
    root.header.add_child(Element("<!-- Leaflet 1.9.4, inlined. Its licence:\n" + licence.replace("--", "- -")
                                  + "\n-->"), name="leaflet_licence")
    root.header.add_child(Element(f"<style>{css}</style><style>{_PAGE_CSS}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    spec = ('{"layers":[' + ",".join(_layer_json(p) for p in page_layers) + '],'
            f'"bounds":{_json(_leaflet_bounds(bounds))},"markBelowPx":{MARK_BELOW_PX},'
            f'"legend":{_json(_legend_html(page_layers))},'
            f'"notes":{_json(_notes_html(title, page_layers, omitted))}}}')
    script = _SCRIPT % {"map": page.get_name(), "spec": spec, "search_results": SEARCH_RESULTS}
    macro = MacroElement()
    macro._template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")
    macro.code = script
    page.add_child(macro)
    text = root.render()
    feedback.progress(1.0, "page ready")
    return text


def _layer_json(page: PageLayer) -> str:
    head = {"name": page.name, "visible": page.visible, "base": page.base, "fields": page.fields,
            "tooltip": page.tooltip, "styles": page.styles, "markStyles": page.mark_styles,
            "searchable": page.searchable, "minZoom": page.min_zoom}
    return _json(head)[:-1] + ',"data":' + page.collection.replace("</", "<\\/") + "}"


def _unique(name: str, taken: set) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    taken.add(candidate)
    return candidate


def write_html_map(layer_list, path: os.PathLike | str, title: Optional[str] = None, feedback=None) -> Path:
    """Write the offline HTML map to ``path`` atomically (see :func:`build_html_map`).

    Raises
    ------
    DataWriteError
        The file cannot be written (the message names it).
    Cancelled
        ``feedback`` was cancelled; no file is left behind.
    """
    feedback = ensure_feedback(feedback)
    text = build_html_map(layer_list, title, feedback.sub(0.0, 0.95))
    feedback.check()
    atomic_write_text(path, text)
    feedback.progress(1.0, f"wrote {Path(path).name}")
    return Path(path)
