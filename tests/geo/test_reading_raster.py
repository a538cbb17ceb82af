"""geo.read on rasters: RasterSource metadata, overview-aware reads, point values, corrupt and
all-nodata files."""
from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

import geo
from geo.errors import CrsError, DataReadError
from geo.raster import RasterSource

DATA = "rasterio-testdata/tests/data"
DEM = "gnr605-mumbai-dem/data/dem.tif"


def test_mumbai_dem_metadata_and_values(external):
    result = geo.read(external / DEM)
    dem = result.data
    assert isinstance(dem, RasterSource) and result.kind == "raster" and result.layer == "dem"
    assert (dem.width, dem.height, dem.count, dem.dtypes, dem.nodata) == (108, 103, 1, ("int16",), -32768.0)
    assert dem.crs.to_epsg() == 4326 and not dem.all_nodata and dem.overviews == []
    pixels = dem.read()
    assert pixels.shape == (103, 108) and isinstance(pixels, np.ma.MaskedArray)
    with rasterio.open(external / DEM) as dataset:
        expected = dataset.read(1, masked=True)
    assert np.ma.allequal(pixels, expected) and pixels.count() == expected.count()
    centre = dem.value_at(72.9088, 19.1286)
    row, col = rasterio.transform.rowcol(dem.transform, 72.9088, 19.1286)
    assert centre == [int(expected[row, col])]
    assert dem.value_at(80.0, 19.0) is None  # outside


def test_value_at_transforms_the_point_from_another_crs(external):
    dem = geo.read(external / DEM).data
    x, y = 8116290.0, 2170430.0  # the same place as below, in EPSG:3857 metres
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(x, y)
    assert dem.value_at(x, y, crs="EPSG:3857") == dem.value_at(lon, lat)


def test_read_bounds_and_decimated_out_shape(external):
    rgb = geo.read(external / DATA / "RGB.byte.tif").data
    assert rgb.count == 3 and rgb.crs.to_epsg() == 32618
    left, bottom, right, top = rgb.bounds
    window = rgb.read(2, bounds=(left, bottom, left + 30000, bottom + 15000))
    assert window.shape == (50, 100)  # 300 m pixels
    small = rgb.read(1, out_shape=(72, 80))
    assert small.shape == (72, 80) and small.mask.any() and not small.mask.all()  # nodata 0 masked
    assert rgb.read(1, bounds=(0, 0, 10, 10)).size == 0  # no overlap: empty, no error
    with pytest.raises(DataReadError, match=r"RGB\.byte\.tif has 3 band\(s\); band 4 does not exist"):
        rgb.read(4)


def test_overviews_are_listed_and_used(tmp_path):
    path = tmp_path / "grid.tif"
    profile = dict(driver="GTiff", width=512, height=512, count=1, dtype="float32", crs="EPSG:32645",
                   transform=Affine(100, 0, 300000, 0, -100, 2600000), tiled=True, nodata=-9999.0)
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.arange(512 * 512, dtype="float32").reshape(1, 512, 512))
        dataset.build_overviews([2, 4, 8])
    grid = geo.read(path).data
    assert grid.overviews == [2, 4, 8]
    assert grid.read(out_shape=(64, 64)).shape == (64, 64)


def test_nan_pixels_are_masked_and_all_nodata_found_block_by_block(tmp_path):
    path = tmp_path / "sparse.tif"
    data = np.full((1, 600, 600), np.nan, dtype="float32")
    data[0, 300, 300] = 5.0  # one pixel the 256-pixel decimated read misses
    with rasterio.open(path, "w", driver="GTiff", width=600, height=600, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.001, 0, 85, 0, -0.001, 24)) as dataset:
        dataset.write(data)
    sparse = geo.read(path).data
    assert not sparse.all_nodata
    assert sparse.read().count() == 1


def test_all_nodata_raster_opens_and_says_so(external):
    result = geo.read(external / DATA / "all-nodata.tif")
    assert result.data.all_nodata
    assert "all-nodata.tif contains only nodata" in result.messages[0]


def test_corrupt_raster_fails_at_open_naming_the_file(external):
    with pytest.raises(DataReadError, match=r"^corrupt\.tif: pixels cannot be read \(the file is damaged"):
        geo.read(external / DATA / "corrupt.tif")


def test_raster_that_is_not_a_raster_is_refused(tmp_path):
    path = tmp_path / "fake.tif"
    path.write_bytes(b"II*\x00 this is not really a tiff")
    with pytest.raises(DataReadError, match=r"fake\.tif cannot be read as a raster"):
        geo.read(path)


def test_raster_without_crs_is_unknown_and_can_be_assigned(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       transform=Affine(1, 0, 0, 0, -1, 4)) as dataset:
        dataset.write(np.ones((1, 4, 4), dtype="uint8"))
    result = geo.read(path)
    assert result.crs is None and result.crs_status == "unknown"
    with pytest.raises(CrsError, match=r"nocrs\.tif has no CRS"):
        result.data.value_at(85.0, 23.0, crs="EPSG:4326")
    assigned = geo.read(path, crs="EPSG:32645")
    assert assigned.crs_status == "assigned" and assigned.data.crs.to_epsg() == 32645
    assert result.data.crs is None


def test_raster_without_geotransform_says_so_in_words_not_a_warning(tmp_path, recwarn):
    path = tmp_path / "scan.tif"
    with pytest.warns(rasterio.errors.NotGeoreferencedWarning):  # rasterio itself warns on writing it
        with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8") as dataset:
            dataset.write(np.ones((1, 4, 4), dtype="uint8"))
    recwarn.clear()
    result = geo.read(path)
    assert not result.data.georeferenced and result.data.read().count() == 16
    assert result.messages[0].startswith("scan.tif is not georeferenced (it has no geotransform)")
    assert not [w for w in recwarn if issubclass(w.category, rasterio.errors.NotGeoreferencedWarning)]
    assert result.crs_status == "unknown"


def test_world_grid_covers_india_and_shade_in_web_mercator(external):
    world = geo.read(external / DATA / "world.byte.tif").data
    assert world.value_at(85.31, 23.31) is not None and world.nodata is None
    shade = geo.read(external / DATA / "shade.tif")
    assert shade.crs_label == "EPSG:3857" and shade.data.nodata == 255
