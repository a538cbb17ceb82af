"""The embedded sample atlas: shipped files, their design (every gate exercised), provenance,
reproducibility, and the loader/writer in layers.atlas."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import rasterio.mask
import shapely
from pandas.testing import assert_frame_equal
from pyproj import CRS, Geod, Transformer

from assessment.rules import load_rules
from geo.errors import DataWriteError
from layers.atlas import ATLAS_DIR, ATLAS_LAYERS, load_sample_atlas, sample_role_paths, write_sample_atlas

ILLUSTRATIVE = "illustrative sample — not official data"
GEOD = Geod(ellps="WGS84")
GPKGS = ("states", "deposits", "blocks", "forest", "protected_areas", "railway_stations")
COLUMNS = {
    "states": ["state", "state_lgd", "illustrative"],
    "deposits": ["name", "state", "district", "commodity", "unfc", "stage", "tonnage_mt", "grade", "grade_unit",
                 "agency", "year", "remarks", "source", "illustrative"],
    "blocks": ["block_id", "block_name", "state", "district", "commodity", "licence", "unfc", "stage",
               "potentiality", "tranche", "source", "design_note", "illustrative"],
    "forest": ["name", "forest_type", "illustrative"],
    "protected_areas": ["name", "pa_type", "state", "esz_notified", "interstate", "illustrative"],
    "railway_stations": ["code", "name", "state", "zone", "illustrative"],
}
COUNTS = {"states": (36, 36), "deposits": (120, 200), "blocks": (25, 35), "forest": (20, 120),
          "protected_areas": (15, 40), "railway_stations": (1000, 8000)}


@pytest.fixture(scope="module")
def atlas() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(ATLAS_DIR / f"{name}.gpkg") for name in GPKGS}


def block(atlas, block_id):
    rows = atlas["blocks"][atlas["blocks"]["block_id"] == block_id]
    assert len(rows) == 1, block_id
    return rows.geometry.iloc[0]


def local(geom):
    """A transformer into azimuthal-equidistant metres around ``geom`` (geodesic to < 1e-5 nearby)."""
    centre = geom.centroid
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return lambda g: shapely.transform(g, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def distance_km(a, b) -> float:
    to_m = local(a)
    return to_m(a).distance(to_m(b)) / 1000.0


def area_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4


def parks(atlas):
    pa = atlas["protected_areas"]
    return pa[pa["pa_type"].isin(["national park", "wildlife sanctuary"])]


def nearest_park(atlas, geom):
    candidates = parks(atlas)
    distances = [distance_km(geom, g) for g in candidates.geometry]
    index = int(np.argmin(distances))
    return candidates.iloc[index], distances[index]


# ---------------------------------------------------------------------------------------------
# Files, columns, markers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GPKGS)
def test_each_layer_has_its_columns_count_crs_and_illustrative_marker(atlas, name):
    frame = atlas[name]
    assert [c for c in frame.columns if c != "geometry"] == COLUMNS[name]
    low, high = COUNTS[name]
    assert low <= len(frame) <= high
    assert frame.crs.to_epsg() == 4326
    assert (frame["illustrative"] == ILLUSTRATIVE).all()
    assert frame.geometry.notna().all() and frame.geometry.is_valid.all()
    info = pyogrio.read_info(ATLAS_DIR / f"{name}.gpkg")
    assert info["layer_name"] == name
    assert pyogrio.list_layers(ATLAS_DIR / f"{name}.gpkg").shape[0] == 1
    assert info["layer_metadata"]["illustrative"] == ILLUSTRATIVE
    assert info["layer_metadata"]["DESCRIPTION"].startswith(ILLUSTRATIVE)


def test_raster_is_an_illustrative_compressed_nt_grid_with_overviews():
    path = ATLAS_DIR / "magnetic_anomaly.tif"
    with rasterio.open(path) as src:
        assert src.tags()["ILLUSTRATIVE"] == ILLUSTRATIVE
        assert src.tags()["UNITS"] == "nT"
        assert src.crs.to_epsg() == 4326
        assert src.dtypes == ("float32",) and src.nodata == -9999.0
        assert src.res == pytest.approx((0.01, 0.01))
        assert src.compression.name.lower() == "deflate"
        assert src.overviews(1) == [2, 4, 8, 16]
        data = src.read(1, masked=True)
        assert 0.3 < data.count() / data.size < 0.7  # the state, nodata outside it
        assert data.min() < 0 < 500 < data.max()
    assert path.stat().st_size < 2_000_000


def test_whole_atlas_is_a_few_megabytes():
    sizes = {p.name: p.stat().st_size for p in ATLAS_DIR.iterdir() if p.is_file() and p.suffix in (".gpkg", ".tif")}
    assert len(sizes) == 7
    assert sum(sizes.values()) < 5_000_000
    assert sizes["railway_stations.gpkg"] < 1_000_000


# ---------------------------------------------------------------------------------------------
# Deposits and states
# ---------------------------------------------------------------------------------------------
def test_deposits_cover_all_stages_several_states_and_minerals(atlas):
    deposits = atlas["deposits"]
    shares = deposits["stage"].value_counts(normalize=True)
    for stage in ("G1", "G2", "G3", "G4"):
        assert shares[stage] > 0.15, stage
    assert deposits["state"].nunique() >= 7
    commodities = {c.strip().lower() for value in deposits["commodity"] for c in value.split(";")}
    critical = {"lithium", "ree", "graphite", "nickel", "pge", "molybdenum", "tungsten", "potash", "glauconite",
                "vanadium", "cobalt", "tin", "copper", "titanium", "tantalum"}
    assert len(commodities & critical) >= 12
    assert {"gold", "diamond", "iron ore", "bauxite"} <= commodities
    assert set(deposits["grade_unit"]) >= {"%", "g/t", "ppm"}
    assert deposits["tonnage_mt"].notna().mean() > 0.7
    codes = set(deposits["unfc"])
    assert {"331", "332", "333", "334", "111", "122", "221", "G4"} <= codes
    assert any(re.fullmatch(r"E\dF\dG\d", code) for code in codes)


def test_deposit_grades_are_physical(atlas):
    deposits = atlas["deposits"]
    percent = deposits[deposits.grade_unit == "%"].grade.dropna()
    assert len(percent) > 100
    assert percent.between(0, 100, inclusive="neither").all(), deposits.loc[percent.index[percent >= 100], "name"]
    assert (deposits.grade.dropna() > 0).all()


def test_every_deposit_lies_in_the_state_it_names(atlas):
    states = atlas["states"].set_index("state")
    for name, state, point in zip(atlas["deposits"]["name"], atlas["deposits"]["state"], atlas["deposits"].geometry):
        assert states.geometry[state].contains(point), name


def test_salal_haimana_carries_the_public_resource(atlas):
    row = atlas["deposits"][atlas["deposits"]["name"] == "Salal-Haimana lithium"].iloc[0]
    assert (row["unfc"], row["stage"], row["tonnage_mt"], row["grade"], row["grade_unit"]) == ("333", "G3", 5.9, 583.0, "ppm")
    assert block(atlas, "JK-CL-01").contains(row.geometry)


def test_states_are_a_simplified_coverage_with_lgd_codes(atlas, external):
    states = atlas["states"]
    assert shapely.coverage_is_valid(states.geometry.values)
    assert states.set_index("state")["state_lgd"]["Andhra Pradesh"] == 28
    assert {"Jharkhand", "Odisha", "Jammu & Kashmir", "Ladakh"} <= set(states["state"])
    assert "Dadra and Nagar Haveli and Daman and Diu" in set(states["state"])    # one UT since 26 Jan 2020
    assert not {"Dadra & Nagar Haveli", "Daman & Diu"} & set(states["state"])
    original = gpd.read_file(external / "datta07-indian-shapefiles/INDIA/INDIA_STATES.geojson")
    assert shapely.get_num_coordinates(states.geometry.values).sum() < 0.5 * shapely.get_num_coordinates(
        original.geometry.values).sum()
    jharkhand = original[original["STNAME"] == "JHARKHAND"].geometry.iloc[0]
    assert area_ha(states.set_index("state").geometry["Jharkhand"]) == pytest.approx(area_ha(jharkhand), rel=0.01)


def test_stations_are_real_datameet_stations(atlas, external):
    source = json.loads((external / "datameet-railways/stations.json").read_text(encoding="utf-8"))
    published = {f["properties"]["code"]: (f["properties"]["name"], tuple(f["geometry"]["coordinates"]))
                 for f in source["features"] if f["geometry"]}
    stations = atlas["railway_stations"]
    assert stations["code"].is_unique
    for code, name, point in zip(stations["code"], stations["name"], stations.geometry):
        assert published[code] == (name, (point.x, point.y)), code
    assert stations["code"].str.fullmatch(r"[A-Z]{1,5}").all()  # no placeholders such as XX-BECE
    assert stations["state"].nunique() >= 10


# ---------------------------------------------------------------------------------------------
# Blocks: every gate exercised, relations really hold
# ---------------------------------------------------------------------------------------------
def test_blocks_have_all_licences_realistic_sizes_and_shapes(atlas):
    blocks = atlas["blocks"]
    assert set(blocks["licence"]) == {"ML", "CL", "EL"}
    assert blocks["block_id"].is_unique
    assert blocks["block_id"].str.fullmatch(r"[A-Z]{2}-(ML|CL|EL)-\d\d").all()
    assert all(bid.split("-")[1] == licence for bid, licence in zip(blocks["block_id"], blocks["licence"]))
    for bid, geom in zip(blocks["block_id"], blocks.geometry):
        assert 100 <= area_ha(geom) <= 2500.5, bid
        assert len(geom.exterior.coords) - 1 >= 8, bid  # irregular, not a square
    assert blocks["design_note"].str.startswith("expected: ").all()


def test_public_block_areas_are_kept(atlas):
    assert area_ha(block(atlas, "CG-CL-01")) == pytest.approx(256.12, rel=1e-3)
    assert area_ha(block(atlas, "CG-CL-02")) == pytest.approx(2500, rel=1e-3)
    assert area_ha(block(atlas, "CG-CL-03")) == pytest.approx(176, rel=1e-3)
    assert area_ha(block(atlas, "CG-CL-04")) == pytest.approx(240, rel=1e-3)


def test_stage_gate_cases_are_present(atlas):
    blocks = atlas["blocks"].set_index("block_id")
    assert blocks.loc["JH-ML-02", ["licence", "stage"]].tolist() == ["ML", "G3"]
    assert blocks.loc["KA-ML-01", ["licence", "stage"]].tolist() == ["ML", "G4"]
    assert blocks.loc["CG-CL-01", ["licence", "stage"]].tolist() == ["CL", "G4"]
    assert blocks.loc["JH-EL-01", ["licence", "commodity"]].tolist() == ["EL", "Iron ore"]
    assert blocks.loc["AP-CL-01", ["stage", "unfc", "potentiality"]].tolist() == ["", "", "yes"]
    assert blocks.loc["AP-ML-01", ["stage", "unfc"]].tolist() == ["", ""]
    assert "stage fail" in blocks.loc["JH-ML-02", "design_note"]
    assert "stage fail" in blocks.loc["JH-EL-01", "design_note"]


def test_inside_sanctuary_block_intersects_a_sanctuary(atlas):
    park, km = nearest_park(atlas, block(atlas, "CG-EL-01"))
    assert km == 0.0 and park["pa_type"] == "wildlife sanctuary"


def test_one_km_block_is_just_outside_a_national_park_without_esz(atlas):
    park, km = nearest_park(atlas, block(atlas, "JH-CL-03"))
    assert park["pa_type"] == "national park"
    assert (park["esz_notified"], park["interstate"]) == ("no", "no")
    assert 0.2 <= km <= 0.9


def test_esz_block_is_inside_a_notified_esz_beyond_one_km(atlas):
    geom = block(atlas, "JH-CL-02")
    esz = atlas["protected_areas"][atlas["protected_areas"]["pa_type"] == "eco-sensitive zone"]
    assert (esz["esz_notified"] == "yes").all()
    assert esz.intersects(geom).any()
    _, km = nearest_park(atlas, geom)
    assert km > 1.0


@pytest.mark.parametrize("block_id", ["JH-CL-04", "OD-EL-01", "GJ-CL-01", "OD-ML-03"])
def test_nbwl_blocks_are_three_to_eight_km_from_a_park(atlas, block_id):
    geom = block(atlas, block_id)
    _, km = nearest_park(atlas, geom)
    assert 3.0 <= km <= 8.0
    esz = atlas["protected_areas"][atlas["protected_areas"]["pa_type"] == "eco-sensitive zone"]
    assert not esz.intersects(geom).any()


def test_carve_out_blocks_are_within_one_km_but_exempt(atlas):
    park, km = nearest_park(atlas, block(atlas, "OD-CL-02"))
    assert km < 1.0 and park["esz_notified"] == "yes"
    esz = atlas["protected_areas"][atlas["protected_areas"]["pa_type"] == "eco-sensitive zone"]
    assert not esz.intersects(block(atlas, "OD-CL-02")).any()
    park, km = nearest_park(atlas, block(atlas, "OD-CL-03"))
    assert km < 1.0 and park["interstate"] == "yes" and park["esz_notified"] == "no"


def forest_shares(atlas, geom) -> tuple[float, float]:
    """(union share, sum of individual shares) of forest inside the block."""
    to_m = local(geom)
    block_m = to_m(geom)
    pieces = [to_m(f).intersection(block_m) for f in atlas["forest"].geometry if f.intersects(geom)]
    return shapely.union_all(pieces).area / block_m.area, sum(p.area for p in pieces) / block_m.area


def test_half_forest_block_is_covered_by_two_overlapping_polygons(atlas):
    union, total = forest_shares(atlas, block(atlas, "OD-CL-01"))
    assert 0.4 <= union <= 0.6
    assert total > union + 0.1  # double counting would be wrong


def test_katghora_forest_matches_the_public_figure(atlas):
    geom = block(atlas, "CG-CL-01")
    union, _ = forest_shares(atlas, geom)
    assert union * area_ha(geom) == pytest.approx(84.86, rel=0.01)


def test_wrong_state_block_is_outside_its_listed_state_and_others_inside(atlas):
    states = atlas["states"].set_index("state").geometry
    blocks = atlas["blocks"]
    for bid, state, geom in zip(blocks["block_id"], blocks["state"], blocks.geometry):
        if bid == "JH-CL-05":
            assert state == "Jharkhand" and not geom.intersects(states["Jharkhand"])
            assert geom.within(states["West Bengal"])
        else:
            assert geom.within(states[state]), bid


def test_ready_blocks_are_clear_of_forest_and_parks(atlas):
    blocks = atlas["blocks"]
    ready = blocks[blocks["design_note"].str.contains(r"-> Ready\. ")]
    assert len(ready) >= 10
    for bid, geom in zip(ready["block_id"], ready.geometry):
        assert not atlas["forest"].intersects(geom).any(), bid
        assert nearest_park(atlas, geom)[1] > 10.0, bid


def test_deposits_fall_inside_blocks_and_one_on_a_boundary(atlas):
    deposits, blocks = atlas["deposits"], atlas["blocks"]
    inside = gpd.sjoin(deposits, blocks[["block_id", "geometry"]], predicate="intersects")
    assert inside["block_id"].nunique() >= 25
    babja = block(atlas, "OD-ML-01")
    on_edge = deposits[deposits.touches(babja)]
    assert len(on_edge) == 1 and on_edge.geometry.iloc[0].distance(babja.exterior) == 0.0


def test_magnetic_evidence_differs_between_blocks(atlas):
    means = {}
    with rasterio.open(ATLAS_DIR / "magnetic_anomaly.tif") as src:
        for bid in ("OD-EL-01", "OD-ML-03", "OD-ML-01", "OD-ML-04"):
            data, _ = rasterio.mask.mask(src, [block(atlas, bid)], crop=True, filled=False, all_touched=True)
            means[bid] = float(data.mean())
    assert min(means["OD-EL-01"], means["OD-ML-03"]) > 300
    assert max(means["OD-ML-01"], means["OD-ML-04"]) < 100


def test_readme_gives_sources_licences_and_the_design_of_every_block(atlas):
    text = (ATLAS_DIR / "README.md").read_text(encoding="utf-8")
    for needle in ("1ebf2076e8b43eb51739a847c2911127a70f3b59", "e0c538a1e41ae5eace454d2818902e1065608e16",
                   "MIT License", "CC0", "Permission is hereby granted", "illustrative location"):
        assert needle in text, needle
    for bid in atlas["blocks"]["block_id"]:
        assert f"| {bid} |" in text, bid
    assert (ATLAS_DIR / "sources/datta07-INDIAN-SHAPEFILES/LICENSE").is_file()


def test_atlas_sources_are_the_permissive_files_and_nothing_test_use_only(external):
    """Each committed source is byte-identical to a shared external file whose folder SOURCES.md
    licenses permissively (MIT, CC0), never one marked "test use only"; the sha256 in
    sources/README.md is the file's."""
    sources = ATLAS_DIR / "sources"
    inventory = (external / "SOURCES.md").read_text(encoding="utf-8")
    licences = dict(re.findall(r"^\| `([^`/]+)/` \| .*? \| .*? \| (.*?) \|", inventory, re.M))
    by_digest = {hashlib.sha256(path.read_bytes()).hexdigest(): path.relative_to(external)
                 for path in external.rglob("*") if path.is_file()}
    readme = (sources / "README.md").read_text(encoding="utf-8")
    data_files = [p for p in sources.rglob("*") if p.is_file() and p.name not in ("README.md", "LICENSE")]
    assert sorted(p.name for p in data_files) == ["INDIA_STATES.geojson", "stations.json"]
    for path in data_files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{digest}`" in readme, path.name
        folder = by_digest[digest].parts[0]
        assert "test use only" not in licences[folder].lower(), folder
        assert re.search(r"\b(MIT|CC0)\b", licences[folder]), (folder, licences[folder])


# ---------------------------------------------------------------------------------------------
# Reproducibility: the committed builder makes exactly the shipped files
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("build_sample_atlas", ATLAS_DIR / "build_sample_atlas.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        outdir = tmp_path_factory.mktemp("atlas")
        module.build(outdir)
    finally:
        del sys.modules[spec.name]
    return outdir


@pytest.mark.parametrize("name", GPKGS)
def test_rebuild_gives_the_shipped_tables_and_geometries(atlas, rebuilt, name):
    new, shipped = gpd.read_file(rebuilt / f"{name}.gpkg"), atlas[name]
    assert_frame_equal(new.drop(columns="geometry"), shipped.drop(columns="geometry"), check_exact=True)
    assert new.crs == shipped.crs
    assert list(new.geometry.to_wkb()) == list(shipped.geometry.to_wkb())  # bit-identical coordinates


def test_rebuild_gives_the_shipped_raster_and_readme(rebuilt):
    with rasterio.open(rebuilt / "magnetic_anomaly.tif") as new, rasterio.open(ATLAS_DIR / "magnetic_anomaly.tif") as old:
        assert new.profile == old.profile
        np.testing.assert_array_equal(new.read(1), old.read(1))
    assert (rebuilt / "README.md").read_text(encoding="utf-8") == (ATLAS_DIR / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# layers.atlas
# ---------------------------------------------------------------------------------------------
def test_role_paths_point_at_the_shipped_files():
    paths = sample_role_paths()
    assert set(paths) == {"blocks", "deposits", "forest", "protected_areas", "boundaries", "infrastructure", "evidence"}
    for role in ("blocks", "deposits", "forest", "protected_areas", "boundaries"):
        assert isinstance(paths[role], str) and (ATLAS_DIR / paths[role]).is_file()
    assert [p.rsplit("/", 1)[1] for p in paths["infrastructure"]] == ["railway_stations.gpkg"]
    assert [p.rsplit("/", 1)[1] for p in paths["evidence"]] == ["magnetic_anomaly.tif"]


def test_load_sample_atlas_in_drawing_order_all_illustrative():
    layers = load_sample_atlas()
    assert [layer.role for layer in layers] == ["deposits", "blocks", "infrastructure", "protected_areas", "forest",
                                                "evidence", "boundaries"]
    assert all(layer.illustrative and layer.name.endswith("(illustrative)") for layer in layers)
    assert all(not layer.missing and layer.data is not None for layer in layers)
    deposits = layers.by_role("deposits")[0]
    assert deposits.fields["stage"] == "stage" and deposits.style.classifier == "unfc_stage"
    assert layers.by_role("protected_areas")[0].fields["esz"] == "esz_notified"
    assert layers.by_role("blocks")[0].fields["potentiality"] == "potentiality"
    assert layers.by_role("evidence")[0].kind == "raster"


def test_write_sample_atlas_copies_every_file(tmp_path):
    out = tmp_path / "new" / "atlas"
    written = write_sample_atlas(out)
    names = [file_name for _, file_name, _ in ATLAS_LAYERS] + ["README.md"]
    assert [p.name for p in written] == names
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary files left
    for path in written:
        assert path.read_bytes() == (ATLAS_DIR / path.name).read_bytes()


def test_write_sample_atlas_to_an_impossible_folder_names_it(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataWriteError, match="a-file"):
        write_sample_atlas(blocker / "atlas")


def test_design_notes_name_the_law_not_the_rules_files_keys(atlas):
    citations = load_rules().citations
    notes = "\n".join(atlas["blocks"]["design_note"])
    keys = re.findall(r"[(,] ?([A-Z][A-Za-z0-9]*-?[A-Za-z0-9]*)[,)]", notes)
    assert not [key for key in keys if key in citations]
    for rule_id in ("W1", "W2", "W3", "W4", "W6", "W11"):
        assert f"({citations[rule_id].short_name}" in notes or f"; {citations[rule_id].short_name})" in notes
