"""geo.zonal_stats: coverage-weighted statistics on small rasters whose answers are known."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Polygon, box

from geo import zonal_stats
from geo.errors import CrsError, DataReadError

CRS_UTM = "EPSG:32644"
PIXEL_M = 100.0
ORIGIN = (500_000.0, 2_600_000.0)  # top-left corner, UTM 44N (central India)


def write_raster(path, values, nodata=None, crs=CRS_UTM):
    values = np.asarray(values, dtype="float32")
    profile = dict(driver="GTiff", width=values.shape[1], height=values.shape[0], count=1, dtype="float32",
                   crs=crs, transform=from_origin(*ORIGIN, PIXEL_M, PIXEL_M), nodata=nodata)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
    return path


def blocks(*geometries, crs=CRS_UTM, index=None):
    return gpd.GeoDataFrame({"name": [f"b{i}" for i in range(len(geometries))]}, geometry=list(geometries),
                            crs=crs, index=index)


@pytest.fixture
def two_values(tmp_path):
    """Left column of pixels 10, right column 40 (2 x 2 pixels of 100 m)."""
    return write_raster(tmp_path / "two.tif", [[10, 40], [10, 40]])


def test_mean_is_area_weighted_over_two_known_values(two_values):
    x0, y_top = ORIGIN
    # 75 m of the left (10) column and 25 m of the right (40) column, full height 200 m:
    # area-weighted mean = (75 * 10 + 25 * 40) / 100 = 17.5
    block = box(x0 + 25, y_top - 200, x0 + 125, y_top)
    table = zonal_stats(blocks(block), two_values)
    assert table.loc[0, "mean"] == pytest.approx(17.5)
    assert table.loc[0, "max"] == 40 and table.loc[0, "min"] == 10
    assert table.loc[0, "count"] == pytest.approx(2.0)  # 1 pixel-equivalent of each value
    assert not table.loc[0, "no_data"]


def test_block_smaller_than_a_pixel_gets_the_pixel_value(two_values):
    x0, y_top = ORIGIN
    tiny = box(x0 + 120, y_top - 30, x0 + 130, y_top - 20)  # 10 m square inside the 40 pixel
    table = zonal_stats(blocks(tiny), two_values)
    assert table.loc[0, "mean"] == pytest.approx(40.0)
    assert table.loc[0, "count"] == pytest.approx(0.01)


def test_block_off_the_raster_is_no_data_not_zero(two_values):
    x0, y_top = ORIGIN
    far = box(x0 + 10_000, y_top - 200, x0 + 10_100, y_top - 100)
    table = zonal_stats(blocks(far, box(x0, y_top - 100, x0 + 100, y_top), index=[7, 3]), two_values)
    assert list(table.index) == [7, 3]
    assert bool(table.loc[7, "no_data"]) and table.loc[7, "count"] == 0
    assert pd.isna(table.loc[7, "mean"]) and pd.isna(table.loc[7, "max"])
    assert not table.loc[3, "no_data"] and table.loc[3, "mean"] == pytest.approx(10.0)
    assert not np.isnan(table["mean"].to_numpy(dtype=float, na_value=-1)).any()  # NA, never NaN


def test_nodata_pixels_are_left_out_and_all_nodata_is_no_data(tmp_path):
    path = write_raster(tmp_path / "holes.tif", [[-9999, 30], [-9999, -9999]], nodata=-9999)
    x0, y_top = ORIGIN
    table = zonal_stats(blocks(box(x0, y_top - 200, x0 + 200, y_top), box(x0, y_top - 200, x0 + 100, y_top)), path)
    assert table.loc[0, "mean"] == pytest.approx(30.0) and table.loc[0, "count"] == pytest.approx(1.0)
    assert bool(table.loc[1, "no_data"])


def test_polygons_in_another_crs_are_reprojected_to_the_raster(two_values):
    x0, y_top = ORIGIN
    block = blocks(box(x0 + 25, y_top - 200, x0 + 125, y_top)).to_crs("EPSG:4326")
    table = zonal_stats(block, two_values)
    assert table.loc[0, "mean"] == pytest.approx(17.5, rel=1e-3)


def test_empty_and_missing_geometries_are_no_data(two_values):
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries([None, Polygon()]), crs=CRS_UTM)
    table = zonal_stats(frame, two_values)
    assert table["no_data"].all()


def test_real_reference_rasters(reference):
    folder = reference / "rasterstats"
    polygons = gpd.read_file(folder / "polygons.shp")
    nodata_everywhere = zonal_stats(polygons, folder / "all_nodata.tif")
    assert nodata_everywhere["no_data"].all() and (nodata_everywhere["count"] == 0).all()
    slope = zonal_stats(polygons, folder / "slope.tif")
    # rasterstats counts pixel centres (75 and 50); exact coverage is close to those counts.
    assert slope.loc[0, "count"] == pytest.approx(75, rel=0.05)
    assert slope.loc[1, "count"] == pytest.approx(50, rel=0.05)
    assert slope.loc[0, "mean"] == pytest.approx(14.66, rel=0.05)


def test_missing_crs_and_unreadable_pixels_are_clear_errors(external, two_values):
    no_crs = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(CrsError, match="no CRS"):
        zonal_stats(no_crs, two_values)
    corrupt = external / "rasterio-testdata" / "tests" / "data" / "corrupt.tif"
    with rasterio.open(corrupt) as raster:
        left, bottom, right, top = raster.bounds
    frame = gpd.GeoDataFrame(geometry=[box(left, bottom, right, top)], crs="EPSG:3857")
    with pytest.raises(DataReadError, match="corrupt.tif"):
        zonal_stats(frame, corrupt)


def test_unknown_statistic_is_refused(two_values):
    with pytest.raises(ValueError, match="unsupported"):
        zonal_stats(blocks(box(0, 0, 1, 1)), two_values, stats=("mode",))
