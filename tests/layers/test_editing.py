"""The blocks edit session: commands, undo/redo, the source untouched until save, atomic saves."""
from __future__ import annotations

import hashlib
import shutil

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.errors import DataWriteError, GeometryError
from layers.atlas import ATLAS_DIR
from layers.editing import (BLOCK_FIELDS, AddBlock, AddVertex, DeleteBlock, DeleteVertex, EditSession, MoveBlock,
                            MoveVertex, ReplaceGeometry, SetAttribute, new_blocks_layer, outer_ring)


@pytest.fixture
def atlas_copy(tmp_path):
    """The sample atlas's blocks and states GeoPackages copied (two files; the blocks one is edited)."""
    for name in ("blocks.gpkg", "states.gpkg"):
        shutil.copyfile(ATLAS_DIR / name, tmp_path / name)
    return tmp_path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_command_undoes_and_redoes_to_the_same_layer(atlas_copy):
    session = EditSession.open(atlas_copy / "blocks.gpkg")
    original = session.frame.copy()
    fid = int(session.frame.index[3])
    ring = outer_ring(session.geometry(fid))
    new = session.push(AddBlock(shapely.box(85.0, 23.0, 85.02, 23.02), {"block_id": "NEW-1", "licence": "EL"}))
    commands = [MoveVertex(fid, 0, (ring[0][0] + 0.001, ring[0][1])), AddVertex(fid, 1, (ring[0][0], ring[0][1] - 0.002)),
                DeleteVertex(fid, 2), MoveBlock(new, 0.01, -0.01), SetAttribute(fid, "licence", "CL"),
                DeleteBlock(int(session.frame.index[0]))]
    for command in commands:
        session.push(command)
    assert session.frame.loc[new, "block_id"] == "NEW-1"
    assert session.geometry(new).bounds == pytest.approx((85.01, 22.99, 85.03, 23.01))
    assert session.frame.loc[fid, "licence"] == "CL"
    assert len(outer_ring(session.geometry(fid))) == len(ring)  # one added, one deleted
    edited = session.frame.copy()
    for _ in range(len(commands) + 1):
        session.undo.undo()
    assert not session.undo.can_undo
    assert list(session.frame.index) == list(original.index)
    assert session.frame.geometry.geom_equals(original.geometry).all()
    assert session.frame.drop(columns="geometry").equals(original.drop(columns="geometry"))
    for _ in range(len(commands) + 1):
        session.undo.redo()
    assert list(session.frame.index) == list(edited.index)
    assert session.frame.geometry.geom_equals(edited.geometry).all()


def test_source_is_untouched_until_save_then_written_atomically_with_other_layers_kept(atlas_copy):
    source = atlas_copy / "blocks.gpkg"
    before = _digest(source)
    session = EditSession.open(source)
    fid = int(session.frame.index[0])
    session.push(SetAttribute(fid, "block_name", "Renamed block"))
    session.push(MoveBlock(fid, 0.005, 0.0))
    assert _digest(source) == before and session.modified
    assert session.save() == source
    assert not session.modified
    saved = gpd.read_file(source, layer=session.layer)
    assert saved.loc[0, "block_name"] == "Renamed block" and len(saved) == len(session.frame)
    assert saved.geometry.iloc[0].equals_exact(session.geometry(fid), 1e-9)
    assert [name for name, _ in pyogrio.list_layers(source)] == [session.layer]
    assert not [p for p in atlas_copy.iterdir() if ".part" in p.name]


def test_a_shapefile_is_saved_to_a_geopackage_beside_it(tmp_path):
    shapefile = tmp_path / "blocks.shp"
    gpd.read_file(ATLAS_DIR / "blocks.gpkg").to_file(shapefile)
    before = {p.name: _digest(p) for p in tmp_path.glob("blocks.*")}
    session = EditSession.open(shapefile)
    session.push(DeleteBlock(int(session.frame.index[-1])))
    assert session.save() == tmp_path / "blocks.gpkg"
    assert len(gpd.read_file(tmp_path / "blocks.gpkg")) == len(session.frame)
    assert {p.name: _digest(p) for p in tmp_path.glob("blocks.*") if p.suffix != ".gpkg"} == before
    assert session.source == tmp_path / "blocks.gpkg" and not session.modified  # later saves go there


def test_a_geopackage_beside_the_shapefile_is_never_written_into(atlas_copy):
    shapefile = atlas_copy / "blocks.shp"
    gpd.read_file(atlas_copy / "blocks.gpkg").to_file(shapefile)
    before = {p.name: _digest(p) for p in atlas_copy.iterdir()}
    session = EditSession.open(shapefile)
    session.push(DeleteBlock(int(session.frame.index[-1])))
    assert session.save_target() == atlas_copy / "blocks_edited.gpkg"  # blocks.gpkg is someone else's
    (atlas_copy / "blocks_edited.gpkg").write_bytes(b"")
    assert session.save_target() == atlas_copy / "blocks_edited_2.gpkg"
    elsewhere = session.save(atlas_copy / "edited.gpkg")  # the user names the file
    assert len(gpd.read_file(elsewhere)) == len(session.frame)
    assert {name: digest for name, digest in ((p.name, _digest(p)) for p in atlas_copy.iterdir())
            if name in before} == before


def test_new_blocks_layer_has_the_block_fields_and_saves_drawn_blocks(tmp_path):
    path = tmp_path / "tranche.gpkg"
    session = new_blocks_layer(path)
    created = gpd.read_file(path)
    assert list(created.columns) == [*BLOCK_FIELDS, "geometry"] and len(created) == 0
    fid = session.push(AddBlock(shapely.Polygon([(85.0, 23.0), (85.0, 23.01), (85.01, 23.01)]), {"block_id": "T-1"}))
    session.push(SetAttribute(fid, "state", "Jharkhand"))
    session.save()
    saved = gpd.read_file(path)
    assert saved.loc[0, "block_id"] == "T-1" and saved.loc[0, "state"] == "Jharkhand" and saved.crs.to_epsg() == 4326


def test_refused_edits_leave_the_layer_as_it_was(tmp_path):
    session = new_blocks_layer(tmp_path / "b.gpkg")
    fid = session.push(AddBlock(shapely.Polygon([(85.0, 23.0), (85.0, 23.01), (85.01, 23.01)])))
    with pytest.raises(GeometryError, match="at least three vertices"):
        session.push(DeleteVertex(fid, 0))
    with pytest.raises(GeometryError, match="no vertex 9"):
        session.push(MoveVertex(fid, 8, (0.0, 0.0)))
    assert len(outer_ring(session.geometry(fid))) == 3 and session.undo.undo_text == "add block"
    with pytest.raises(DataWriteError, match=r"\.gpkg"):
        session.save(tmp_path / "b.shp")


def test_replace_geometry_and_the_clean_mark(tmp_path):
    session = new_blocks_layer(tmp_path / "b.gpkg")
    assert not session.modified
    fid = session.push(AddBlock(shapely.box(85.0, 23.0, 85.01, 23.01)))
    session.push(ReplaceGeometry(fid, shapely.box(85.0, 23.0, 85.02, 23.02)))
    assert session.modified
    session.undo.undo()
    session.undo.undo()
    assert not session.modified  # back at the saved (empty) state


def test_snapper_prefers_a_vertex_then_an_edge_within_the_tolerance():
    from layers.editing import Snapper

    snapper = Snapper([shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)])
    assert snapper.snap(103, 2, 5) == (100.0, 0.0, "vertex")
    assert snapper.snap(104, 50, 5) == (100.0, 50.0, "edge")
    assert snapper.snap(150, 50, 5) is None
    assert Snapper([]).snap(0, 0, 5) is None


def test_the_sample_atlas_is_never_written_by_a_save():
    source = ATLAS_DIR / "blocks.gpkg"
    before = _digest(source)
    session = EditSession.open(source)
    session.push(DeleteBlock(int(session.frame.index[0])))
    assert session.shipped
    with pytest.raises(DataWriteError, match="sample atlas"):
        session.save()
    assert _digest(source) == before and session.modified
