"""Opening a file never touches the network and a raster reads no file but its own (issue 16).

A loopback "canary" HTTP server counts every connection made to it while hostile files that point
at it (a GeoJSON CRS link, VRT sources on /vsicurl/, an OGR VRT disguised as GeoJSON, a GML schema)
go through info, score, export-map and geo.read. The count must stay 0.
"""
from __future__ import annotations

import json
import socket
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

import geo
import main
from geo.errors import DataReadError


@pytest.fixture
def canary():
    """A loopback TCP server that counts connections; yields (port, connections list)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    connections = []

    def serve():
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            connections.append(client.getpeername())
            client.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], connections
    server.close()


def _point_collection(crs_member: dict) -> dict:
    return {"type": "FeatureCollection", "crs": crs_member,
            "features": [{"type": "Feature", "properties": {"name": "A"},
                          "geometry": {"type": "Polygon", "coordinates": [[[85, 23], [85.1, 23], [85.1, 23.1], [85, 23]]]}}]}


def _write_tif(path, value=7):
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8", crs="EPSG:4326",
                       transform=from_origin(85, 23.1, 0.025, 0.025)) as dataset:
        dataset.write(np.full((1, 4, 4), value, dtype="uint8"))


def _vrt(source: str, relative: bool = False) -> str:
    return (f'<VRTDataset rasterXSize="4" rasterYSize="4"><SRS>EPSG:4326</SRS>'
            '<GeoTransform>85, 0.025, 0, 23.1, 0, -0.025</GeoTransform>'
            '<VRTRasterBand dataType="Byte" band="1"><SimpleSource>'
            f'<SourceFilename relativeToVRT="{int(relative)}">{source}</SourceFilename>'
            '<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>')


def test_files_pointing_at_a_web_server_make_no_connection(tmp_path, canary, capsys):
    port, connections = canary
    url = f"http://127.0.0.1:{port}/x"
    link = tmp_path / "link.geojson"
    link.write_text(json.dumps(_point_collection({"type": "link", "properties": {"href": url, "type": "proj4"}})))
    named = tmp_path / "named.geojson"
    named.write_text(json.dumps(_point_collection({"type": "name", "properties": {"name": url}})))
    curl_vrt = tmp_path / "curl.vrt"
    curl_vrt.write_text(_vrt(f"/vsicurl/{url}.tif"))
    ogr_vrt = tmp_path / "disguised.geojson"
    ogr_vrt.write_text(f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/{url}.geojson'
                       '</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>')
    gml = tmp_path / "schema.gml"
    gml.write_text(f'<?xml version="1.0"?><wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" '
                   f'xmlns:gml="http://www.opengis.net/gml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                   f'xsi:schemaLocation="http://www.opengis.net/wfs {url}.xsd"><gml:featureMember>'
                   '<Block><gml:Point><gml:coordinates>85,23</gml:coordinates></gml:Point></Block>'
                   '</gml:featureMember></wfs:FeatureCollection>')
    network_link = tmp_path / "network_link.kml"
    network_link.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                            f'<NetworkLink><Link><href>{url}.kml</href></Link></NetworkLink>'
                            f'<Style id="s"><IconStyle><Icon><href>{url}.png</href></Icon></IconStyle></Style>'
                            '<Placemark><styleUrl>#s</styleUrl><Point><coordinates>85,23</coordinates></Point>'
                            '</Placemark></Document></kml>')
    linked_workbook = tmp_path / "external_link.xlsx"
    pd.DataFrame({"name": ["A"], "lat": [23.0], "lon": [85.0]}).to_excel(linked_workbook, index=False)
    with zipfile.ZipFile(linked_workbook, "a") as archive:
        archive.writestr("xl/externalLinks/_rels/externalLink1.xml.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         f'relationships/externalLinkPath" Target="{url}.xlsx" TargetMode="External"/></Relationships>')
    for path in (link, named, curl_vrt, ogr_vrt, gml, network_link, linked_workbook):
        assert main.main(["info", str(path)]) in (0, 3)
    deposits = tmp_path / "deposits.geojson"
    deposits.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"unfc": "331", "tonnage_mt": 1.0},
         "geometry": {"type": "Point", "coordinates": [85.05, 23.05]}}]}))
    assert main.main(["score", "--blocks", str(link), "--deposits", str(deposits), "--raster", str(curl_vrt),
                      "-o", str(tmp_path / "s.gpkg")]) == 3
    assert main.main(["export-map", str(link), str(named), str(network_link), "--html", str(tmp_path / "m.html")]) == 0
    capsys.readouterr()
    assert connections == []


def test_a_geojson_crs_link_is_ignored_and_said(tmp_path):
    path = tmp_path / "link.geojson"
    path.write_text(json.dumps(_point_collection({"type": "link", "properties": {"href": "http://192.0.2.1/crs"}})))
    result = geo.read(path)
    assert result.crs_status == "assumed"
    assert any("does not fetch" in message and "link.geojson" in message for message in result.messages)


@pytest.mark.parametrize("source", ["/etc/passwd", "../outside.tif", "/vsicurl/http://192.0.2.1/a.tif",
                                    "/vsizip//tmp/x.zip/a.tif", "WMS:http://192.0.2.1/wms"])
def test_a_vrt_reading_outside_its_folder_is_refused(tmp_path, source):
    folder = tmp_path / "rasters"
    folder.mkdir()
    _write_tif(tmp_path / "outside.tif")
    vrt = folder / "evidence.vrt"
    vrt.write_text(_vrt(source, relative=not source.startswith("/") and ":" not in source))
    with pytest.raises(DataReadError, match=r"evidence\.vrt: the VRT reads"):
        geo.read(vrt)


def test_a_vrt_over_a_file_beside_it_is_read(tmp_path):
    _write_tif(tmp_path / "band.tif", value=9)
    vrt = tmp_path / "evidence.vrt"
    vrt.write_text(_vrt("band.tif", relative=True))
    assert geo.read(vrt).data.read(1).max() == 9


def test_a_nested_vrt_that_leaves_the_folder_is_refused(tmp_path):
    (tmp_path / "inner.vrt").write_text(_vrt("/etc/passwd"))
    outer = tmp_path / "outer.vrt"
    outer.write_text(_vrt("inner.vrt", relative=True))
    with pytest.raises(DataReadError, match=r"outer\.vrt: the VRT reads '/etc/passwd'"):
        geo.read(outer)


def test_a_tif_that_is_really_a_vrt_is_refused(tmp_path):
    disguised = tmp_path / "evidence.tif"
    disguised.write_text(_vrt("/etc/passwd"))
    with pytest.raises(DataReadError, match=r"evidence\.tif"):
        geo.read(disguised)


def test_pyogrio_has_no_vrt_or_web_drivers():
    import geo.vector  # noqa: F401 - the import that registers pyogrio's drivers
    import pyogrio

    assert not {"OGR_VRT", "GDALG", "WFS", "HTTP", "GPSBabel"} & set(pyogrio.list_drivers())
