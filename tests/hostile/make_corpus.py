"""Write Khanij's hostile-input corpus into a folder: deterministic, built from nothing but code.

Each case is one file (with its side files) that a reader might accept and then choke on, lose
data from, be tricked into reading something else by, or be made slow by. The classes follow
issue 16 and GDAL's and openpyxl's bug trackers: inconsistent shapefile parts, geometry GEOS
rejects, unhashable properties, tables without geometry, empty and huge KML/KMZ, damaged and
"dimension bomb" XLSX, hostile CSV, odd GeoTIFFs, GeoPackages with a pending WAL, files that point
at the network or at other files.

Run ``python tests/hostile/make_corpus.py OUTDIR`` to look at the files; the tests call
:func:`make_corpus` on a temporary folder.
"""
from __future__ import annotations

import io
import json
import sqlite3
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

POLYGON = [[[85.0, 23.0], [85.1, 23.0], [85.1, 23.1], [85.0, 23.1], [85.0, 23.0]]]
"""A small block in Jharkhand (longitude, latitude)."""


@dataclass(frozen=True)
class Case:
    """One hostile file. ``outcome`` is what every reader must do with it: "refuse" (exit 3 naming
    the file), "read" (exit 0 or 3, never a crash), or "warn" (read, with a message naming it)."""

    name: str
    path: Path
    outcome: str


def _feature(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": {"name": "B1", "unfc": "331", "tonnage_mt": 1.5, **properties},
            "geometry": geometry}


def _geojson(path: Path, features, **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}, allow_nan=True))
    return path


def _shapefile(folder: Path, stem: str, count: int = 3) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame({"name": [f"B{i}" for i in range(count)], "unfc": ["331"] * count,
                              "tonnage_mt": [1.0 + i for i in range(count)]},
                             geometry=[box(85 + i * 0.1, 23, 85.05 + i * 0.1, 23.05) for i in range(count)],
                             crs="EPSG:4326")
    path = folder / f"{stem}.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def _patch(path: Path, offset: int, payload: bytes) -> None:
    data = bytearray(path.read_bytes())
    data[offset:offset + len(payload)] = payload
    path.write_bytes(bytes(data))


def _shapefile_cases(folder: Path) -> list[Case]:
    cases = []
    shp = _shapefile(folder, "dbf_fewer_records")
    _patch(shp.with_suffix(".dbf"), 4, struct.pack("<I", 1))
    cases.append(Case("dbf with fewer records than the shp", shp, "refuse"))
    shp = _shapefile(folder, "dbf_zero_record_length")
    _patch(shp.with_suffix(".dbf"), 10, struct.pack("<H", 0))
    cases.append(Case("dbf with a zero record length", shp, "refuse"))
    shp = _shapefile(folder, "dbf_short_header")
    _patch(shp.with_suffix(".dbf"), 8, struct.pack("<H", 1))
    cases.append(Case("dbf whose header length is shorter than a header", shp, "refuse"))
    shp = _shapefile(folder, "shx_one_offset")
    shx = shp.with_suffix(".shx")
    first = shx.read_bytes()[100:108]
    _patch(shx, 100, first * 3)
    cases.append(Case("shx whose offsets all point at the first record", shp, "refuse"))
    shp = _shapefile(folder, "shx_past_end")
    _patch(shp.with_suffix(".shx"), 108, struct.pack(">i", 10**8))
    cases.append(Case("shx offset past the end of the shp", shp, "refuse"))
    shp = _shapefile(folder, "cpg_utf16_declared")
    shp.with_suffix(".cpg").write_text("UTF-16")
    cases.append(Case("cpg declaring UTF-16", shp, "warn"))
    shp = _shapefile(folder, "cpg_saved_as_utf16")
    shp.with_suffix(".cpg").write_bytes("UTF-8".encode("utf-16"))
    cases.append(Case("cpg saved as UTF-16 with a BOM", shp, "read"))
    shp = _shapefile(folder, "cpg_binary_junk")
    shp.with_suffix(".cpg").write_bytes(b"UT\x00F\xff\xfe\x01-8\x00\x00junk")
    cases.append(Case("cpg holding binary junk with NUL", shp, "warn"))
    return cases


def _geometry_cases(folder: Path) -> list[Case]:
    def case(stem, geometry, outcome="read", **props):
        return Case(stem.replace("_", " "), _geojson(folder / f"{stem}.geojson", [_feature(geometry, **props)]), outcome)

    unclosed = {"type": "Polygon", "coordinates": [[[85.0, 23.0], [85.1, 23.0], [85.1, 23.1], [85.0, 23.1]]]}
    huge = {"type": "Polygon", "coordinates": [[[1e308, 1e308], [-1e308, 1e308], [-1e308, -1e308], [1e308, 1e308]]]}
    infinite = {"type": "Polygon", "coordinates": [[[85, 23], [float("inf"), 23], [85.1, 23.1], [85, 23]]]}
    nan = {"type": "Polygon", "coordinates": [[[85, 23], [float("nan"), 23], [85.1, float("nan")], [85, 23]]]}
    collapsed = {"type": "Polygon", "coordinates": [[[85, 23], [85, 23], [85, 23], [85, 23]]]}
    bowtie = {"type": "Polygon", "coordinates": [[[85, 23], [85.1, 23.1], [85.1, 23], [85, 23.1], [85, 23]]]}
    points = {"type": "MultiPoint", "coordinates": [[85 + i * 1e-3, 23] for i in range(2000)]}
    return [
        case("unclosed_ring", unclosed), case("coordinates_1e308", huge), case("infinite_vertex", infinite),
        case("nan_vertices", nan), case("collapsed_shell", collapsed), case("bowtie", bowtie),
        case("many_points_as_block", points),
        case("array_and_object_properties", {"type": "Polygon", "coordinates": POLYGON},
             tags=["a", "b"], owner={"name": "x", "share": [1, 2]}),
        Case("geojson crs link", _geojson(folder / "crs_link.geojson", [_feature({"type": "Polygon", "coordinates": POLYGON})],
                                          crs={"type": "link", "properties": {"href": "http://192.0.2.1/crs"}}), "warn"),
        Case("integer property beyond 64 bits", _write(folder / "huge_integer.geojson", json.dumps(
            {"type": "FeatureCollection", "features": [_feature({"type": "Point", "coordinates": [85, 23]})]})
            .replace('"tonnage_mt": 1.5', '"tonnage_mt": 1' + "0" * 30)), "read"),
        Case("coordinates that are strings", _geojson(folder / "string_coordinates.geojson", [
            _feature({"type": "Point", "coordinates": ["85", "23"]})]), "read"),
        Case("topojson whose arcs index past the end", _write(folder / "bad_arcs.topojson", json.dumps(
            {"type": "Topology", "objects": {"b": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 7, -99]]}]}}, "arcs": [[[85, 23], [85.1, 23], [85, 23.1]]]})),
             "read"),
        Case("deeply nested json", _write(folder / "deep_nesting.geojson", '{"type":"FeatureCollection","features":[' +
                                         '[' * 100_000 + ']' * 100_000 + ']}'), "read"),
        Case("geojson features not a list", _write(folder / "features_object.geojson",
                                                   '{"type":"FeatureCollection","features":{"a":1}}'), "read"),
    ]


def _write(path: Path, text) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _kml(placemarks: str, folders: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f'{folders}{placemarks}</Document></kml>')


def _placemark(i: int) -> str:
    return f'<Placemark><name>P{i}</name><Point><coordinates>{85 + (i % 1000) * 1e-4},23</coordinates></Point></Placemark>'


def _kml_cases(folder: Path) -> list[Case]:
    many = _kml("".join(_placemark(i) for i in range(120_000)))
    kmz = folder / "many_placemarks.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", many)
    bomb = folder / "entity_bomb.kml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
                    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
                    + ']><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&i;</name>'
                    '<Point><coordinates>85,23</coordinates></Point></Placemark></Document></kml>')
    folders = "".join(f"<Folder><name>F{i}</name>{_placemark(i)}</Folder>" for i in range(600))
    slip = folder / "zip_slip.kmz"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../../evil.kml", _kml(_placemark(1)))
    return [
        Case("kml with no placemarks", _write(folder / "no_placemarks.kml", _kml("")), "refuse"),
        Case("kmz with 120,000 placemarks", kmz, "refuse"),
        Case("kml entity bomb", bomb, "read"),
        Case("kml with 600 folders", _write(folder / "600_folders.kml", _kml("", folders)), "read"),
        Case("kmz zip slip name", slip, "read"),
        Case("kmz that is not a zip", _write(folder / "not_a_zip.kmz", b"PK\x03\x04" + b"\x00" * 64), "refuse"),
    ]


def _table_cases(folder: Path) -> list[Case]:
    header = "name,lat,lon,unfc,tonnage_mt\n"
    return [
        Case("csv with one 1 MB line", _write(folder / "one_long_line.csv", header + "B1,23,85,331," + "9" * 1_000_000 + "\n"), "read"),
        Case("csv with NUL bytes", _write(folder / "nul_bytes.csv", (header + "B\x001,23,85,331,1\n").encode()), "read"),
        Case("csv in UTF-16 with tabs", _write(folder / "utf16_tabs.csv", header.replace(",", "\t").encode("utf-16")
                                               + "B1\t23\t85\t331\t1\n".encode("utf-16-le")), "read"),
        Case("csv without coordinates", _write(folder / "no_coordinates.csv", "name,unfc,tonnage_mt\nB1,331,1\n"), "read"),
        Case("csv of binary junk", _write(folder / "binary.csv", bytes(range(256)) * 40), "read"),
        Case("csv with a quote never closed", _write(folder / "open_quote.csv", header + 'B1,23,85,"331,1\n' * 3), "read"),
    ]


def _xlsx(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                  'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                  'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
              'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
             'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets>'
             '</workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                  '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                  '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _sheet(rows: str, dimension: str = "A1:E2") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>')


_ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>lat</t></is></c>'
         '<c r="C1" t="inlineStr"><is><t>lon</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>B1</t></is></c>'
         '<c r="B2"><v>23</v></c><c r="C2"><v>85</v></c></row>')


def _xlsx_cases(folder: Path) -> list[Case]:
    base = {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _ROOT_RELS,
            "xl/workbook.xml": _WORKBOOK.format(sheets='<sheet name="S1" sheetId="1" r:id="rId1"/>'),
            "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS}
    bomb_entities = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                     + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + ']>')
    far_cell = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return [
        Case("xlsx dimension bomb", _xlsx(folder / "dimension_bomb.xlsx", {
            **base, "xl/worksheets/sheet1.xml": _sheet(_ROWS, "A1:XFD1048576")}), "read"),
        Case("xlsx with a cell at the last row and column", _xlsx(folder / "far_cell.xlsx", {
            **base, "xl/worksheets/sheet1.xml": _sheet(_ROWS + far_cell, "A1:XFD1048576")}), "read"),
        Case("xlsx with no sheets", _xlsx(folder / "no_sheets.xlsx", {
            **base, "xl/workbook.xml": _WORKBOOK.format(sheets="")}), "refuse"),
        Case("xlsx with bad shared strings", _xlsx(folder / "bad_shared_strings.xlsx", {
            **base, "xl/worksheets/sheet1.xml": _sheet('<row r="1"><c r="A1" t="s"><v>99</v></c></row>'),
            "xl/sharedStrings.xml": "<sst><si><t>only"}), "read"),
        Case("xlsx with an entity bomb", _xlsx(folder / "entity_bomb.xlsx", {
            **base, "xl/worksheets/sheet1.xml": '<?xml version="1.0"?>' + bomb_entities + _sheet(
                '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row>').split("?>", 1)[1]}), "read"),
        Case("xlsx with malformed styles", _xlsx(folder / "bad_styles.xlsx", {
            **base, "xl/worksheets/sheet1.xml": _sheet(_ROWS), "xl/styles.xml": "<styleSheet><cellXfs count='9'>"}), "read"),
        Case("xlsx that is not a zip", _write(folder / "not_a_zip.xlsx", b"not a workbook"), "refuse"),
        Case("xlsx with a date in the year 99999", _xlsx(folder / "far_date.xlsx", {
            **base, "xl/worksheets/sheet1.xml": _sheet(_ROWS.replace('<c r="C2"><v>85</v></c>',
                                                                     '<c r="C2" t="d"><v>99999-01-01T00:00:00</v></c>'))}),
             "read"),
    ]


def _raster_cases(folder: Path) -> list[Case]:
    import rasterio
    from affine import Affine

    def tif(stem, dtype="float32", transform=Affine(0.01, 0, 85, 0, -0.01, 23.1), crs="EPSG:4326", data=None):
        path = folder / f"{stem}.tif"
        data = np.ones((1, 10, 10), dtype=dtype) if data is None else data
        with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype=dtype, crs=crs,
                           transform=transform) as dataset:
            dataset.write(data)
        return path

    rotated = tif("rotated", transform=Affine(0.01, 0.005, 85, 0.005, -0.01, 23.1))
    complex_pixels = tif("complex_pixels", dtype="complex64")
    bad_crs = tif("bad_projected_crs", crs="EPSG:32645", transform=Affine(100, 0, 300000, 0, -100, 2600000))
    data = bytearray(bad_crs.read_bytes())
    # ProjectedCSTypeGeoKey (3072), stored in the key directory itself: EPSG:32645 becomes a code
    # no registry has, and the citation that would let GDAL guess it goes too.
    key = data.find(struct.pack("<HHHH", 3072, 0, 1, 32645))
    assert key >= 0
    data[key:key + 8] = struct.pack("<HHHH", 3072, 0, 1, 29999)
    marker = data.find(b"WGS 84 / UTM zone 45N")
    if marker >= 0:
        data[marker:marker + 21] = b"x" * 21
    bad_crs.write_bytes(bytes(data))
    passwd = folder / "passwd.vrt"
    passwd.write_text('<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand dataType="Byte" band="1">'
                      '<SimpleSource><SourceFilename>/etc/passwd</SourceFilename><SourceBand>1</SourceBand>'
                      '</SimpleSource></VRTRasterBand></VRTDataset>')
    sparse = folder / "sparse_100k.tif"
    with rasterio.open(sparse, "w", driver="GTiff", width=100_000, height=100_000, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(1e-4, 0, 80, 0, -1e-4, 28), tiled=True, sparse_ok=True,
                       nodata=-9999):
        pass  # no block written: a few hundred bytes that declare 40 GB of pixels
    truncated = tif("truncated")
    truncated.write_bytes(truncated.read_bytes()[:300])
    refused = {"geotiff with a rotated geotransform": rotated, "geotiff of complex pixels": complex_pixels,
               "geotiff with a damaged CRS": bad_crs, "vrt reading /etc/passwd": passwd, "truncated geotiff": truncated}
    return [Case("sparse 100,000 × 100,000 geotiff", sparse, "read"),
            *(Case(name, path, "refuse") for name, path in refused.items())]


def _geopackage_cases(folder: Path) -> list[Case]:
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame({"name": ["B1"], "unfc": ["331"], "tonnage_mt": [1.0]},
                             geometry=[box(85, 23, 85.1, 23.1)], crs="EPSG:4326")
    wal = folder / "pending_wal.gpkg"
    frame.to_file(wal, engine="pyogrio", SPATIAL_INDEX="NO")  # no R-tree triggers: sqlite3 lacks their ST_ functions
    _leave_pending_wal(wal)
    attributes = folder / "attributes_only.gpkg"
    frame.drop(columns="geometry").pipe(lambda df: gpd.GeoDataFrame(df)).to_file(attributes, engine="pyogrio",
                                                                                 layer="table")
    many = folder / "300_layers.gpkg"
    frame.to_file(many, layer="l000", engine="pyogrio")
    _clone_layer(many, "l000", [f"l{i:03d}" for i in range(1, 300)])
    truncated = folder / "truncated.gpkg"
    truncated.write_bytes(wal.read_bytes()[:2048])
    return [
        Case("geopackage with a pending WAL", wal, "read"),
        Case("geopackage table without geometry", attributes, "read"),
        Case("geopackage with 300 layers", many, "read"),
        Case("truncated geopackage", truncated, "refuse"),
    ]


def _clone_layer(path: Path, layer: str, names: list[str]) -> None:
    """Add copies of a GeoPackage layer under ``names`` (plain tables registered as feature tables;
    no spatial index), much faster than one GDAL write per layer."""
    with sqlite3.connect(path) as connection:
        for name in names:
            connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM "{layer}"')
            connection.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id, min_x, min_y, "
                               "max_x, max_y) SELECT ?, data_type, ?, srs_id, min_x, min_y, max_x, max_y "
                               "FROM gpkg_contents WHERE table_name = ?", (name, name, layer))
            connection.execute("INSERT INTO gpkg_geometry_columns SELECT ?, column_name, geometry_type_name, srs_id, "
                               "z, m FROM gpkg_geometry_columns WHERE table_name = ?", (name, layer))
    connection.close()


def _leave_pending_wal(path: Path) -> None:
    """Switch ``path`` to WAL mode and leave a committed transaction in ``-wal`` (not checkpointed),
    as a process that crashed (or still has it open) would."""
    import os

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute(f"UPDATE \"{path.stem}\" SET name = 'changed in the WAL'")
    connection.commit()
    # Copy the files as they are while the connection is open: closing would checkpoint the WAL.
    copies = {suffix: Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm")}
    connection.close()
    for suffix, payload in copies.items():
        Path(f"{path}{suffix}").write_bytes(payload)
    os.utime(path)


RULES = Path(__file__).resolve().parents[2] / "assessment" / "rules.toml"
"""The shipped rules, which the hostile rules files below change in one place each."""


def _rules_with(folder: Path, stem: str, old: str, new: str) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert old in text, old
    return _write(folder / f"{stem}.toml", text.replace(old, new, 1))


def _project_and_rules_cases(folder: Path) -> list[Case]:
    bands = "tonnage_bands = [[0.0, 0], [1.0, 30], [10.0, 50], [100.0, 70]]"
    return [
        Case("rules nested 10,000 tables deep", _write(folder / "deep.toml", "a = " + "[" * 10_000 + "]" * 10_000), "refuse"),
        Case("rules with NaN bands", _rules_with(folder, "nan_bands", bands,
                                                 "tonnage_bands = [[0.0, 0], [nan, 30], [10.0, 50], [100.0, nan]]"), "refuse"),
        Case("rules with an integer that overflows a float", _rules_with(folder, "overflow_weight", "exploration = 25",
                                                                          "exploration = " + "9" * 400), "refuse"),
        Case("rules with an infinite weight", _rules_with(folder, "inf_weight", "exploration = 25", "exploration = inf"),
             "refuse"),
        Case("rules with text where a band is", _rules_with(folder, "wrong_type_bands", bands,
                                                            'tonnage_bands = "high"'), "refuse"),
        Case("rules nested 100 tables deep in a valid file", _rules_with(folder, "deep_valid", "[weights]",
                                                                         "[x" + ".x" * 99 + "]\n[weights]"), "refuse"),
        Case("project nested 100,000 lists deep", _write(folder / "deep.khanij", "[" * 100_000 + "]" * 100_000), "refuse"),
        Case("project with the wrong types", _write(folder / "wrong_types.khanij", json.dumps(
            {"format": "khanij-project", "version": 1, "layers": {"a": 1}, "extent": "everywhere"})), "refuse"),
        Case("project whose layer kinds are numbers", _write(folder / "layer_numbers.khanij", json.dumps(
            {"format": "khanij-project", "version": 1, "layers": [{"id": 1, "kind": 7, "name": [], "style": 3}]})),
             "refuse"),
    ]


def make_corpus(folder: Path) -> list[Case]:
    """Write every hostile case into ``folder`` (which must exist) and describe them."""
    folder = Path(folder)
    return [*_shapefile_cases(folder), *_geometry_cases(folder), *_kml_cases(folder), *_table_cases(folder),
            *_xlsx_cases(folder), *_raster_cases(folder), *_geopackage_cases(folder)]


def make_rules_and_projects(folder: Path) -> list[Case]:
    """Hostile rules files and projects (for ``score --rules`` and ``export-map --project``)."""
    return _project_and_rules_cases(Path(folder))


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for item in make_corpus(out) + make_rules_and_projects(out):
        print(f"{item.outcome:7s} {item.path.name:40s} {item.name}")
