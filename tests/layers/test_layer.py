"""Layers read from real files, their evented attributes, caches and filters; the layer list's events."""
from __future__ import annotations

import numpy as np
import pytest

from layers.layer import EVIDENCE_OPACITY, Layer, LayerList
from layers.style import Category, CategorisedStyle, RasterStyle, SingleStyle, unfc_stage_style

STATES = "india-in-data-states-2019/shapefile/india_states.shp"
STATIONS = "datameet-railways/stations.json"
DEM = "gnr605-mumbai-dem/data/dem.tif"

BLOCKS_CSV = """block_name,lat,lon,Mineral,Licence,ST_NM
Salal-Haimana,33.15,74.83,Lithium,ML,Jammu & Kashmir
Katghora,22.50,82.55,Lithium,CL,Chhattisgarh
Kurumkel,21.93,84.92,Graphite,EL,Odisha
Tumkur,13.34,77.10,Nickel,ML,Karnataka
"""


@pytest.fixture(scope="module")
def states(external):
    return Layer.from_file(external / STATES)


@pytest.fixture
def blocks_csv(tmp_path):
    path = tmp_path / "auction_blocks.csv"
    path.write_text(BLOCKS_CSV, encoding="utf-8")
    return path


def licence_style():
    return CategorisedStyle("Licence", [Category("ML", "#0072b2", "ML"), Category("CL", "#009e73", "CL")])


def test_states_shapefile_becomes_a_boundary_layer(states, external):
    assert states.kind == "vector" and states.role == "boundaries" and states.name == "india_states"
    assert states.source == external / STATES and states.layer_name == states.read_result.layer
    assert states.fields == {"state": "ST_NM"}
    assert states.geometry_kind == "polygon" and states.feature_count == 271
    assert states.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = states.bounds  # null geometries (6 rows) do not make it NaN
    assert 68 < minx < 69 and 6 < miny < 7 and 97 < maxx < 98 and 37 < maxy < 38
    assert isinstance(states.style, SingleStyle) and states.style.fill_opacity == 0.0
    assert states.read_result.null_geometries == 6
    assert not states.missing and not states.illustrative


def test_stations_json_is_infrastructure(external):
    layer = Layer.from_file(external / STATIONS)
    assert (layer.name, layer.role, layer.geometry_kind) == ("stations", "infrastructure", "point")
    assert layer.fields == {"name": "name", "state": "state"}


def test_raster_layer(external):
    layer = Layer.from_file(external / DEM)
    assert layer.kind == "raster" and layer.role == "evidence" and isinstance(layer.style, RasterStyle)
    assert layer.opacity == EVIDENCE_OPACITY < 1.0
    assert Layer.from_file(external / DEM, opacity=1.0).opacity == 1.0
    assert layer.geometry_kind is None and layer.fields == {} and layer.columns == []
    assert layer.bounds == pytest.approx((72.89375, 19.1143056, 72.92375, 19.1429167), abs=1e-6)
    assert layer.class_indices().size == 0 and layer.feature_count == 0


def test_csv_points_guess_blocks_and_keep_read_options(blocks_csv):
    layer = Layer.from_file(blocks_csv, encoding="utf-8")
    assert layer.geometry_kind == "point" and layer.role == "deposits"  # blocks are polygons; it has a commodity
    layer = Layer.from_file(blocks_csv, role="blocks", encoding="utf-8")
    assert layer.fields == {"block_name": "block_name", "state": "ST_NM", "commodity": "Mineral", "licence": "Licence"}
    assert layer.read_options == {"encoding": "utf-8"}


def test_a_score_output_is_a_result_and_gets_no_role(tmp_path):
    from main import main
    for command in (["score", "--sample"], ["screen", "--state", "Goa", "--cell", "5km"]):
        output = tmp_path / f"{command[0]}.gpkg"
        assert main([*command, "-o", str(output)]) == 0
        layer = Layer.from_file(output)
        assert layer.role is None and layer.style.field == "readiness", command  # drawn by readiness, not a stage
        assert Layer.from_file(output, role="blocks").role == "blocks"  # the user may still choose one


def test_explicit_role_and_name_win(external):
    layer = Layer.from_file(external / STATIONS, role="boundaries", name="Railway stations", illustrative=True)
    assert layer.role == "boundaries" and layer.name == "Railway stations" and layer.illustrative


def test_unknown_role_or_kind_is_refused():
    with pytest.raises(ValueError, match="role"):
        Layer("x", role="mines")
    with pytest.raises(ValueError, match="kind"):
        Layer("x", kind="mesh")


def test_setting_attributes_emits_once_and_only_on_change(blocks_csv):
    layer = Layer.from_file(blocks_csv, role="blocks")
    seen = []
    for emitter in layer.events:
        emitter.connect(lambda event: seen.append((event.type, event.value)))
    layer.visible = False
    layer.visible = False
    layer.opacity = 0.25
    layer.name = "Blocks"
    layer.name = "Blocks"
    layer.role = "deposits"
    assert seen == [("visible", False), ("opacity", 0.25), ("name", "Blocks"), ("role", "deposits")]
    with pytest.raises(ValueError, match="opacity"):
        layer.opacity = 1.5
    with pytest.raises(ValueError, match="role"):
        layer.role = "roads"
    assert layer.opacity == 0.25 and layer.role == "deposits"


def test_class_indices_cached_until_style_or_data_change(blocks_csv):
    layer = Layer.from_file(blocks_csv, role="blocks")
    layer.style = licence_style()
    first = layer.class_indices()
    assert first.tolist() == [0, 1, -1, 0]
    assert layer.class_indices() is first
    style = layer.style
    style.categories.append(Category("EL", "#d55e00", "EL"))
    layer.style = style  # edited in place, assigned back: emits and recomputes
    assert layer.class_indices().tolist() == [0, 1, 2, 0]
    layer.data = layer.data.iloc[:2]
    assert layer.class_indices().tolist() == [0, 1]


def test_shown_mask_combines_filter_and_legend(blocks_csv):
    layer = Layer.from_file(blocks_csv, role="blocks")
    layer.style = licence_style()
    layer.style.categories[1].visible = False
    layer.style = layer.style
    layer.filter_mask = [True, True, True, False]
    assert layer.shown_mask().tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="does not fit"):
        layer.filter_mask = [True]


def test_filter_by_states(states):
    layer = Layer.from_read_result(states.read_result)
    seen = []
    layer.events.filter.connect(seen.append)
    layer.set_filter_states(["Odisha", "Jharkhand"])
    shown = set(layer.data.loc[layer.filter_mask, "ST_NM"])
    assert shown == {"Odisha", "Jharkhand"} and len(seen) == 1
    assert layer.filter_states() == ["Jharkhand", "Odisha"]
    mask = layer.filter_mask.copy()
    mask[np.flatnonzero(mask)[0]] = False  # hide one part of Odisha/Jharkhand only
    layer.filter_mask = mask
    assert layer.filter_states() is None
    layer.set_filter_states(None)
    assert layer.filter_mask is None and layer.filter_states() is None


def test_filter_by_states_needs_a_state_field(external):
    layer = Layer.from_file(external / DEM)
    with pytest.raises(ValueError, match="no state field"):
        layer.set_filter_states(["Goa"])


def test_new_data_of_another_length_drops_the_filter(blocks_csv):
    layer = Layer.from_file(blocks_csv, role="blocks")
    layer.filter_mask = [True, False, True, True]
    seen = []
    layer.events.filter.connect(lambda event: seen.append("filter"))
    layer.events.data.connect(lambda event: seen.append("data"))
    layer.data = layer.data.iloc[:3]
    assert layer.filter_mask is None and seen == ["filter", "data"]


def test_missing_source_layer(tmp_path):
    layer = Layer.missing_source("Deposits", tmp_path / "gone.gpkg", reason="file not found", role="deposits")
    assert layer.missing and layer.data is None and layer.missing_reason == "file not found"
    assert layer.bounds is None and layer.geometry_kind is None and layer.feature_count == 0
    assert layer.class_indices().size == 0 and layer.shown_mask().size == 0
    assert isinstance(layer.style, SingleStyle)


def test_ids_are_unique_and_kept():
    assert Layer("a").id != Layer("a").id
    assert Layer("a", id="abc").id == "abc"


# -- LayerList ------------------------------------------------------------------------------------


def record(layers: LayerList):
    log = []
    for name in ("inserted", "removed", "moved", "reordered", "changed"):
        getattr(layers.events, name).connect(lambda event: log.append(event.type))
    layers.events.layer_changed.connect(lambda event: log.append(("layer_changed", event.layer.name, event.what)))
    return log


def test_each_change_emits_changed_once_after_the_detail():
    a, b, c = Layer("a"), Layer("b"), Layer("c")
    layers = LayerList([a, b])
    log = record(layers)
    layers.append(c)
    layers.move(2, 0)
    layers.remove(b)
    a.visible = False
    a.style = SingleStyle(colour="#000000")
    assert log == ["inserted", "changed", "moved", "reordered", "changed", "removed", "changed",
                   ("layer_changed", "a", "visible"), "changed", ("layer_changed", "a", "style"), "changed"]
    assert [layer.name for layer in layers] == ["c", "a"]


def test_removed_layer_no_longer_relays():
    a = Layer("a")
    layers = LayerList([a])
    log = record(layers)
    layers.pop()
    log.clear()
    a.visible = False
    assert log == []


def test_batch_coalesces_and_nests():
    a, b = Layer("a"), Layer("b")
    layers = LayerList()
    log = record(layers)
    with layers.batch():
        layers.extend([a, b])
        with layers.batch():
            a.opacity = 0.5
            b.visible = False
        layers.move(0, 1)
        assert "changed" not in log
    assert log.count("changed") == 1 and log[-1] == "changed"
    log.clear()
    layers.extend([Layer("c"), Layer("d")])
    layers.clear()
    assert log.count("changed") == 2
    with layers.batch():
        pass
    assert log.count("changed") == 2  # an empty batch says nothing


def test_batch_emits_even_when_the_body_raises():
    layers = LayerList()
    log = record(layers)
    with pytest.raises(RuntimeError):
        with layers.batch():
            layers.append(Layer("a"))
            raise RuntimeError("boom")
    assert log == ["inserted", "changed"]


def test_layer_list_refuses_duplicates_and_non_layers():
    a = Layer("a")
    layers = LayerList([a])
    with pytest.raises(ValueError, match="already"):
        layers.append(a)
    with pytest.raises(TypeError):
        layers.append("a")


def test_by_role_and_find(external, states):
    stations = Layer.from_file(external / STATIONS)
    layers = LayerList([stations, states, Layer("Other stations", role="infrastructure")])
    assert layers.by_role("infrastructure") == [stations, layers[2]]
    assert layers.by_role("forest") == []
    assert layers.find("india_states") is states and layers.find("nope") is None


DEPOSITS_CSV = """Deposit Name,Latitude,Longitude,Commodity,UNFC_CODE,Tonnage
Salal-Haimana,33.15,74.83,Lithium,G3,5.9
Katghora,22.50,82.55,Lithium,E2F2G4,
Kurumkel,21.93,84.92,Graphite,(3;3;2),12.1
Tumkur,13.34,77.10,Nickel,331,0.8
Unknown prospect,24.10,86.20,REE,,
Hutti,16.20,76.65,Gold,Inferred,3.2
"""


def test_deposits_get_the_unfc_stage_style_whatever_the_notation(tmp_path):
    path = tmp_path / "critical mineral deposits.csv"
    path.write_text(DEPOSITS_CSV, encoding="utf-8")
    layer = Layer.from_file(path)
    assert layer.role == "deposits" and layer.geometry_kind == "point"
    assert layer.fields == {"name": "Deposit Name", "commodity": "Commodity", "unfc": "UNFC_CODE",
                            "tonnage_mt": "Tonnage"}
    assert layer.style == unfc_stage_style("UNFC_CODE")
    stages = [layer.style.categories[i].value if i >= 0 else None for i in layer.class_indices()]
    assert stages == ["G3", "G4", "G2", "G1", None, "G3"]
    layer.style.size_field = layer.fields["tonnage_mt"]
    sizes = layer.style.sizes(layer.data)
    assert sizes.argmax() == 2 and sizes[4] == sizes.min()
