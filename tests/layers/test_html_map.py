"""The offline HTML map: escaped attributes, no network, opened in real headless Chromium."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, shape

from geo.errors import Cancelled, DataWriteError
from geo.feedback import Feedback
from layers.html_map import (COORD_DECIMALS, build_html_map, display_tolerance_deg, escape_text, format_value,
                             page_layer, write_html_map)
from layers.atlas import load_sample_atlas
from layers.layer import Layer, LayerList
from layers.style import (MARK_BELOW_PX, MARK_SIZE_PX, UNFC_STAGE_COLOURS, drawn_classes, point_sizes_px,
                          readiness_style)

CHROMIUM = "/usr/bin/chromium"
HOSTILE = '<script>window.kjPwned = 1</script> "quoted" \'single\' {{ 7*7 }}'
DEVANAGARI = "खनिज ब्लॉक ₹"


def chromium_dump(page: Path, tmp_path: Path, netlog: Path | None = None) -> str:
    """The DOM of ``page`` after load, opened offline (dead proxy) in headless Chromium."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", "--proxy-server=127.0.0.1:9",
               "--virtual-time-budget=4000", "--window-size=1200,800", "--dump-dom"]
    if netlog is not None:
        command.append(f"--log-net-log={netlog}")
    done = subprocess.run(command + [page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def page_requests(netlog: Path) -> list[str]:
    """http(s) URLs requested BY THE PAGE (Chromium's own update/account pings are "not an origin")."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        url = str(params.get("url") or "")
        if event["type"] == start_job and url.startswith(("http:", "https:")) and params.get("initiator") != "not an origin":
            urls.append(url)
    return urls


PROBE = """
<script>
(function () {
  var result = {};
  result.paths = document.querySelectorAll(".leaflet-overlay-pane path.leaflet-interactive").length;
  var counts = {};
  Object.keys(window.khanijLayers).forEach(function (name) { counts[name] = window.khanijLayers[name].getLayers().length; });
  result.counts = counts;
  var target = window.khanijLayers["blocks"].getLayers()[0]._path;
  var box = target.getBoundingClientRect();
  target.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window,
    clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}));
  var popup = document.querySelector(".leaflet-popup-content");
  result.popupText = popup ? popup.textContent : null;
  result.popupScripts = popup ? popup.querySelectorAll("script").length : -1;
  result.pwned = window.kjPwned === 1;
  result.legend = document.querySelector(".kj-panel") ? document.body.textContent.indexOf("G3 Preliminary exploration") >= 0 : false;
  var out = document.createElement("pre");
  out.id = "kj-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


def probe_result(dom: str) -> dict:
    found = re.search(r'<pre id="kj-probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.fixture
def small_layers() -> LayerList:
    """Three blocks (one with hostile text), four deposits G1–G4 and two 'states' in EPSG:4326."""
    square = lambda x, y, d=0.2: Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)])  # noqa: E731
    blocks = gpd.GeoDataFrame({
        "block_id": ["B-1", "B-2", "B-3"],
        "name": [HOSTILE, DEVANAGARI, "=HYPERLINK(\"http://x\")"],
        "stage": ["G2", "G3", "G4"],
        "score": [81.23456789, 40.0, np.nan],
    }, geometry=[square(85.0, 23.0), square(85.4, 23.0), square(85.8, 23.0)], crs="EPSG:4326")
    deposits = gpd.GeoDataFrame({
        "name": ["d1", "d2", "d3", "d4"], "unfc": ["111", "222", "333", "334"],
    }, geometry=[Point(85.1 + 0.123456789, 23.1), Point(85.5, 23.1), Point(85.9, 23.1), Point(86.3, 23.3)],
        crs="EPSG:4326")
    states = gpd.GeoDataFrame({"state": ["Jharkhand", "Odisha"]},
                              geometry=[square(84.0, 22.0, 3.0), square(84.0, 19.0, 3.0)], crs="EPSG:4326")
    return LayerList([
        Layer("deposits", deposits, role="deposits", fields={"unfc": "unfc"}),
        Layer("blocks", blocks, role="blocks", fields={"stage": "stage"}),
        Layer("states", states, role="boundaries"),
    ])


def test_escape_text_neutralises_markup_quotes_and_templates():
    escaped = escape_text(HOSTILE)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and "'" not in escaped
    assert "{" not in escaped and "}" not in escaped
    assert escape_text("x" * 1000).endswith("…") and len(escape_text("x" * 1000)) == 300
    assert escape_text(DEVANAGARI) == DEVANAGARI


def test_format_value():
    assert format_value(81.23456789) == "81.2346"
    assert format_value(40.0) == "40"
    assert format_value(np.nan) == "" and format_value(None) == ""
    assert format_value(7) == "7"


def test_page_has_no_remote_resource_and_escaped_values(small_layers, tmp_path):
    text = write_html_map(small_layers, tmp_path / "map.html", title="Tranche <7>").read_text(encoding="utf-8")
    assert not re.search(r'<(script|link|img)[^>]+(src|href)\s*=\s*["\']?(https?:)?//', text, re.I)
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text and "fontawesome" not in text
    assert "window.kjPwned" in text and "<script>window.kjPwned" not in text
    assert "{{ 7*7 }}" not in text and "&#123;&#123; 7*7 &#125;&#125;" in text
    assert DEVANAGARI in text
    assert "Leaflet 1.9.4" in text and "BSD 2-Clause License" in text
    assert "Tranche &lt;7&gt;" in text


def test_coordinates_are_rounded(small_layers, tmp_path):
    text = build_html_map(small_layers)
    coordinates = re.findall(r'"coordinates":(\[[^"]*?\])(?=\})', text)
    assert coordinates
    for group in coordinates:
        for number in re.findall(r"-?\d+\.(\d+)", group):
            assert len(number) <= COORD_DECIMALS
    assert "85.223457" in text


def test_styles_are_the_apps(small_layers):
    text = build_html_map(small_layers)
    for colour in UNFC_STAGE_COLOURS.values():
        assert colour in text
    assert "G1 Detailed exploration" in text and "stage unknown" in text


def test_large_layer_is_simplified_and_says_so():
    ring = [(85 + 2 * np.cos(a), 23 + 2 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 20_001)[:-1]]
    big = gpd.GeoDataFrame({"name": ["circle"]}, geometry=[Polygon(ring)], crs="EPSG:4326")
    assert display_tolerance_deg(np.asarray(big.geometry.values), budget=1000) is not None
    assert display_tolerance_deg(np.asarray(big.geometry.values), budget=100_000) is None
    text = build_html_map(LayerList([Layer("circle", big, role="boundaries")]), vertex_budget=1000)
    assert re.search(r"circle: simplified for display, tolerance [0-9.e-]+° \(about [0-9,]+ m\)", text)
    drawn = re.search(r'"coordinates":\[\[(.*?)\]\]', text).group(1)
    assert drawn.count("],[") < 20_000


def test_blocks_carry_a_rounded_anchor_on_their_surface_and_square_styles(small_layers):
    blocks = page_layer(next(layer for layer in small_layers if layer.role == "blocks"))
    for feature in json.loads(blocks.collection)["features"]:
        anchor = feature["properties"]["a"]
        assert shape(feature["geometry"]).contains(Point(anchor))
        assert all(len(repr(value).partition(".")[2]) <= COORD_DECIMALS for value in anchor)
    assert [mark["fillColor"] for mark in blocks.mark_styles] == [style["fillColor"] for style in blocks.styles]
    assert {mark["radius"] for mark in blocks.mark_styles} == {MARK_SIZE_PX / 2}
    deposits = page_layer(next(layer for layer in small_layers if layer.role == "deposits"))
    assert deposits.mark_styles is None and '"a":' not in deposits.collection


def test_scored_blocks_coloured_by_readiness_with_score(tmp_path):
    blocks = gpd.GeoDataFrame({"block_id": ["A", "B"], "readiness": ["Ready", "Not ready"], "score": [71.5, 20.0]},
                              geometry=[Point(85, 23).buffer(0.1), Point(86, 23).buffer(0.1)], crs="EPSG:4326")
    layer = Layer("scored blocks", blocks, role="blocks", style=readiness_style())
    states = Layer("states", gpd.GeoDataFrame(geometry=[Point(85.5, 23).buffer(2)], crs="EPSG:4326"), role="boundaries")
    text = build_html_map(LayerList([layer, states]))
    assert "#009e73" in text and "#a50026" in text and "Ready with conditions" in text
    assert '"p":["A","Ready","71.5"]' in text


def test_cancelled_export_leaves_no_file(small_layers, tmp_path):
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Cancelled):
        write_html_map(small_layers, tmp_path / "map.html", feedback=feedback)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_target(small_layers, tmp_path):
    with pytest.raises(DataWriteError, match="does not exist"):
        write_html_map(small_layers, tmp_path / "no" / "map.html")


def test_chromium_draws_features_opens_escaped_popup_offline(small_layers, tmp_path):
    html_path = write_html_map(small_layers, tmp_path / "map.html")
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(html_path.read_text(encoding="utf-8").replace("</html>", PROBE + "</html>"), encoding="utf-8")
    netlog = tmp_path / "net.json"
    result = probe_result(chromium_dump(probe_page, tmp_path, netlog))
    assert result["counts"] == {"states": 2, "blocks": 3, "deposits": 4}
    assert result["paths"] == 2 + 3 + 4
    assert result["popupText"] is not None and HOSTILE in result["popupText"]
    assert "81.2346" in result["popupText"]
    assert result["popupScripts"] == 0 and result["pwned"] is False
    assert result["legend"] is True
    assert page_requests(netlog) == []


def test_network_probe_sees_a_page_request(tmp_path):
    """Control for the offline check: a page that does fetch something is caught."""
    page = tmp_path / "control.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>')
    netlog = tmp_path / "net.json"
    chromium_dump(page, tmp_path, netlog)
    assert page_requests(netlog) == ["http://example.invalid/x.png"]


SQUARES_PROBE = """
<script>
(function () {
  var map = window.khanijMap, name = %(name)s;
  var polygons = window.khanijLayers[name].getLayers(), squares = window.khanijSquares[name];
  var result = {blocks: polygons.length};
  function shownSquares() { return squares.getLayers().filter(function (s) { return map.hasLayer(s); }); }
  function narrowBlocks() {
    var zoom = map.getZoom();
    return polygons.filter(function (polygon) {
      var b = polygon.getBounds(), sw = map.project(b.getSouthWest(), zoom), ne = map.project(b.getNorthEast(), zoom);
      return Math.max(ne.x - sw.x, sw.y - ne.y) < %(below)s;
    }).length;
  }
  function counts() { return {squares: shownSquares().length, narrow: narrowBlocks(), zoom: map.getZoom()}; }
  function clickAt(latlng) {
    var point = map.latLngToContainerPoint(latlng), box = map.getContainer().getBoundingClientRect();
    var x = box.left + point.x, y = box.top + point.y;
    document.elementFromPoint(x, y).dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true,
      view: window, clientX: x, clientY: y}));
    var popup = document.querySelector(".leaflet-popup-content");
    var seen = popup ? {text: popup.textContent, scripts: popup.querySelectorAll("script").length} : null;
    map.closePopup();
    return seen;
  }
  result.national = counts();
  var shown = shownSquares();
  var lonely = shown.map(function (square) {
    var p = map.latLngToLayerPoint(square.getLatLng());
    var gap = Math.min.apply(null, shown.filter(function (o) { return o !== square; }).map(function (o) {
      return p.distanceTo(map.latLngToLayerPoint(o.getLatLng()));
    }));
    return {square: square, gap: gap};
  }).sort(function (a, b) { return b.gap - a.gap; })[0].square;
  var anchor = lonely.getLatLng();
  var block = polygons.filter(function (polygon) {
    var a = polygon.feature.properties.a;
    return a[0] === anchor.lng && a[1] === anchor.lat;
  })[0];
  map.setView(anchor, map.getZoom(), {animate: false});
  result.squarePopup = clickAt(anchor);
  map.setZoom(%(middle_zoom)s, {animate: false});
  result.middle = counts();
  map.fitBounds(block.getBounds(), {animate: false});
  result.zoomedIn = counts();
  result.squareOfBlockShown = map.hasLayer(lonely);
  result.polygonShown = map.hasLayer(block);
  result.polygonPopup = clickAt(anchor);
  map.fitBounds(window.khanijLayers[name].getBounds(), {animate: false});
  map.setZoom(4, {animate: false});
  var before = counts();
  var toggle = Array.prototype.filter.call(document.querySelectorAll(".leaflet-control-layers label"),
    function (label) { return label.textContent.trim() === name; })[0].querySelector("input");
  toggle.click();
  result.toggledOff = {before: before.squares, squares: shownSquares().length,
                       polygons: polygons.filter(function (p) { return map.hasLayer(p); }).length};
  toggle.click();
  result.toggledOn = shownSquares().length;
  result.pwned = window.kjPwned === 1;
  var out = document.createElement("pre");
  out.id = "kj-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


MIDDLE_ZOOM = 8


def web_mercator_span_px(frame: gpd.GeoDataFrame, zoom: int) -> np.ndarray:
    """The larger side of each feature's bounding box in Leaflet's pixels at ``zoom`` (EPSG:3857)."""
    bounds = frame.geometry.to_crs(3857).bounds
    metres_per_px = 2 * np.pi * 6_378_137 / (256 * 2 ** zoom)
    return np.maximum(bounds.maxx - bounds.minx, bounds.maxy - bounds.miny).to_numpy() / metres_per_px


@pytest.mark.parametrize("with_stations", [True, False], ids=["canvas renderer", "svg renderer"])
def test_small_blocks_get_squares_at_national_zoom(with_stations, tmp_path):
    """Blocks narrower than MARK_BELOW_PX on screen show a square (same popup, same layer entry)."""
    atlas = load_sample_atlas()
    blocks = next(layer for layer in atlas if layer.role == "blocks")
    blocks.data["block_name"] = [f"{HOSTILE} {number}" for number in range(len(blocks.data))]
    next(layer for layer in atlas if layer.role == "deposits").visible = False  # drawn above the blocks
    layers = LayerList([layer for layer in atlas if with_stations or layer.role != "infrastructure"])
    narrow_at_middle_zoom = int((web_mercator_span_px(blocks.data, MIDDLE_ZOOM) < MARK_BELOW_PX).sum())
    html_path = write_html_map(layers, tmp_path / "atlas.html")
    assert ('"preferCanvas": true' in html_path.read_text(encoding="utf-8")) is with_stations
    probe_page = tmp_path / "probe.html"
    probe = SQUARES_PROBE % {"name": json.dumps(blocks.name), "below": MARK_BELOW_PX, "middle_zoom": MIDDLE_ZOOM}
    probe_page.write_text(html_path.read_text(encoding="utf-8").replace("</html>", probe + "</html>"), encoding="utf-8")
    result = probe_result(chromium_dump(probe_page, tmp_path))
    assert result["blocks"] == len(blocks.data) == 35
    assert result["national"]["squares"] == result["national"]["narrow"] == 35
    assert result["middle"] == {"squares": narrow_at_middle_zoom, "narrow": narrow_at_middle_zoom, "zoom": MIDDLE_ZOOM}
    assert 0 < narrow_at_middle_zoom < 35
    assert result["zoomedIn"]["squares"] == result["zoomedIn"]["narrow"]
    assert result["squareOfBlockShown"] is False and result["polygonShown"] is True
    assert result["squarePopup"] is not None and HOSTILE in result["squarePopup"]["text"]
    assert result["squarePopup"] == result["polygonPopup"] and result["squarePopup"]["scripts"] == 0
    assert result["toggledOff"] == {"before": 35, "squares": 0, "polygons": 0}
    assert result["toggledOn"] == 35 and result["pwned"] is False


SEARCH_PROBE = """
<script>
(function () {
  var map = window.khanijMap, result = {};
  result.marks = document.querySelectorAll("path.kj-mark").length;
  result.zoom = map.getZoom();
  result.densePanes = Array.prototype.map.call(document.querySelectorAll(".leaflet-pane"), function (pane) {
    return pane.className + "|" + pane.style.display; }).filter(function (t) { return t.indexOf("kjDense") >= 0; });
  var input = document.getElementById("kj-search");
  input.value = %(query)s;
  input.dispatchEvent(new Event("input"));
  result.hits = Array.prototype.map.call(document.querySelectorAll(".kj-hit"), function (h) { return h.textContent; });
  input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter"}));
  var popup = document.querySelector(".leaflet-popup-content");
  result.popupText = popup ? popup.textContent : null;
  result.popupLabels = popup ? Array.prototype.map.call(popup.querySelectorAll("th"), function (th) { return th.textContent; }) : [];
  result.zoomAfter = map.getZoom();
  map.setZoom(8, {animate: false});
  result.densePanesZoomed = Array.prototype.map.call(document.querySelectorAll(".leaflet-pane"), function (pane) {
    return pane.className + "|" + pane.style.display; }).filter(function (t) { return t.indexOf("kjDense") >= 0; });
  var out = document.createElement("pre");
  out.id = "kj-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


@pytest.fixture(scope="module")
def sample_scores_file(tmp_path_factory) -> Path:
    """The sample atlas scored by the CLI, under a name that says nothing about its role."""
    from main import main

    path = tmp_path_factory.mktemp("scores") / "results.gpkg"
    assert main(["score", "--sample", "-o", str(path)]) == 0
    return path


def test_any_score_output_shows_every_block_and_finds_one_by_id_with_a_readable_popup(sample_scores_file, tmp_path):
    """A score file opened as it is (its role guessed from its columns): every scored block is
    drawn at the opening national view (a square per block, counted in the DOM), the search box
    finds a block, and its popup reads in words with the whole explanation and no internal column."""
    from cli.export import file_layer

    scores = gpd.read_file(sample_scores_file)
    layer = file_layer(str(sample_scores_file))
    assert layer.role != "blocks", "the file name suggests no role"
    layers = LayerList([layer])
    html_path = write_html_map(layers, tmp_path / "scores.html")
    target = scores.loc[scores["explanation"].str.len().idxmax()]
    probe_page = tmp_path / "probe.html"
    probe = SEARCH_PROBE % {"query": json.dumps(target["block_id"].lower())}
    probe_page.write_text(html_path.read_text(encoding="utf-8").replace("</html>", probe + "</html>"), encoding="utf-8")
    result = probe_result(chromium_dump(probe_page, tmp_path))
    assert result["marks"] == len(scores) == 35 and result["zoom"] <= 5
    assert any(hit.startswith(target["block_id"]) for hit in result["hits"])
    assert result["zoomAfter"] > result["zoom"]
    labels = result["popupLabels"]
    assert {"Block id", "Readiness", "Score (of 100)", "Area (ha)", "Explanation", "What is missing",
            "Nearest national park / sanctuary", "Distance to it (km)", "Gate: Protected areas (law)"} <= set(labels)
    assert not [label for label in labels if "_" in label], "no raw column names"
    text = result["popupText"]
    assert len(target["explanation"]) > 300 and " ".join(target["explanation"].split()) in " ".join(text.split())
    assert target["gate_protected_rule"] not in text, "rule ids are for machines; the law is cited in words"
    assert target["nearest_protected_name"] in text


def test_dense_station_points_wait_for_state_scale(tmp_path):
    atlas = load_sample_atlas()
    stations = next(layer for layer in atlas if layer.role == "infrastructure")
    html_path = write_html_map(LayerList([stations, next(layer for layer in atlas if layer.role == "blocks")]),
                               tmp_path / "atlas.html")
    text = html_path.read_text(encoding="utf-8")
    assert "drawn from zoom 7 (state scale)" in text
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(text.replace("</html>", SEARCH_PROBE % {"query": '"JH-CL"'} + "</html>"), encoding="utf-8")
    result = probe_result(chromium_dump(probe_page, tmp_path))
    assert len(result["densePanes"]) == 1 and result["densePanes"][0].endswith("|none")
    assert len(result["densePanesZoomed"]) == 1 and result["densePanesZoomed"][0].endswith("|")
    assert result["hits"] and all("JH-CL" in hit for hit in result["hits"])


def page_spec(text: str) -> dict:
    """The layers, styles and legend the page's script draws (its embedded JSON)."""
    start = text.index("var spec = ") + len("var spec = ")
    return json.JSONDecoder().raw_decode(text, start)[0]


def leaflet_options(drawn, kind: str) -> dict:
    """What Leaflet must be given for a class the app draws as ``drawn``."""
    if kind == "line":
        return {"color": drawn.line_colour, "weight": drawn.line_width_px, "opacity": drawn.opacity}
    if kind == "point":
        return marker_options(drawn, drawn.point_size_px)
    return {"color": drawn.outline_colour, "weight": drawn.outline_width_px, "opacity": drawn.opacity,
            "stroke": drawn.outline_width_px > 0, "fill": drawn.fill_opacity > 0, "fillColor": drawn.fill_colour,
            "fillOpacity": drawn.fill_opacity}


def marker_options(drawn, size_px: float) -> dict:
    return {"color": drawn.point_outline_colour, "weight": drawn.point_outline_width_px, "fillColor": drawn.point_colour,
            "fillOpacity": drawn.opacity, "opacity": drawn.opacity, "radius": size_px / 2}


def test_page_draws_every_class_as_the_app_resolves_it(external):
    from tests.layers.style_cases import style_case_layers

    layers = style_case_layers(external)
    spec = page_spec(build_html_map(layers))
    drawn_layers = {entry["name"]: entry for entry in spec["layers"]}
    assert set(drawn_layers) == {layer.name for layer in layers}
    for layer in layers:
        page, classes = drawn_layers[layer.name], drawn_classes(layer)
        assert page["styles"] == [leaflet_options(drawn, layer.geometry_kind) for drawn in classes], layer.name
        marked = classes[0].mark_size_px > 0
        assert page["markStyles"] == ([marker_options(drawn, drawn.mark_size_px) for drawn in classes] if marked
                                      else None), layer.name
    radii = [feature["properties"]["r"] for feature in drawn_layers["deposits"]["data"]["features"]]
    assert radii == [round(size / 2, 1) for size in point_sizes_px(layers.find("deposits"))]
    assert len(set(radii)) > 10
    readiness = drawn_layers["readiness"]["data"]["features"]
    assert len(readiness) == int((layers.find("readiness").data["readiness"] != "Not ready").sum())
    legend = spec["legend"]
    assert "Not ready" not in legend and "Ready with conditions" in legend
    assert "background:rgba(85,85,85,0);border:0.8px solid rgba(85,85,85,1)" in legend       # states: outline only
    assert "background:rgba(0,114,178,0.3);border:0.8px solid rgba(51,51,51,0.5)" in legend  # a G1 block at 0.5
    assert "background:rgba(177,89,40,0.6);height:2.5px" in legend                           # the roads


MARKERS_PROBE = """
<script>
(function () {
  var layer = window.khanijLayers[%(name)s], result = {radii: [], fills: []};
  layer.eachLayer(function (marker) {
    result.radii.push(marker.getRadius());
    result.fills.push([marker.options.fillColor, marker.options.fillOpacity, marker.options.weight]);
  });
  var out = document.createElement("pre");
  out.id = "kj-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


def test_chromium_draws_graduated_markers_at_the_resolved_sizes(external, tmp_path):
    from tests.layers.style_cases import style_case_layers

    deposits = style_case_layers(external).find("deposits")
    html_path = write_html_map(LayerList([deposits]), tmp_path / "deposits.html")
    probe_page = tmp_path / "probe.html"
    probe = MARKERS_PROBE % {"name": json.dumps(deposits.name)}
    probe_page.write_text(html_path.read_text(encoding="utf-8").replace("</html>", probe + "</html>"), encoding="utf-8")
    result = probe_result(chromium_dump(probe_page, tmp_path))
    assert result["radii"] == pytest.approx([round(size / 2, 1) for size in point_sizes_px(deposits)])
    classes = drawn_classes(deposits)
    expected = [[classes[k].point_colour, classes[k].opacity, classes[k].point_outline_width_px]
                for k in deposits.class_indices()]
    assert result["fills"] == expected
