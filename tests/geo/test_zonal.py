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


# ----- against python-rasterstats' own test data (reference/rasterstats, expected.csv) -----------
# rasterstats takes pixels by their centre (or all touched) and weights them equally; exactextract
# weights every pixel by the share of it the polygon covers. Where polygons cover whole pixels the
# two agree exactly; elsewhere count and mean differ (tested with answers computed independently),
# and min/max match rasterstats' all_touched rule.


@pytest.fixture(scope="module")
def rasterstats_ref(reference):
    folder = reference / "rasterstats"
    expected = pd.read_csv(folder / "expected.csv", dtype=str)
    return folder, expected


def reference_value(expected, test, feature, statistic) -> str:
    row = expected[(expected["test"] == test) & (expected["feature_index"] == str(feature))
                   & (expected["statistic"] == statistic)]
    assert len(row) == 1, (test, feature, statistic)
    return row["expected"].iloc[0]


def reference_polygons(folder, raster):
    """polygons.shp has no .prj; it is in the rasters' Albers CRS (rasterstats never checks)."""
    with rasterio.open(folder / raster) as source:
        return gpd.read_file(folder / "polygons.shp").set_crs(source.crs, allow_override=True)


def coverage_by_supersampling(folder, raster, polygon, factor=20):
    """Each pixel's covered share, estimated on a grid ``factor`` times finer, and the pixels."""
    from rasterio import features
    from rasterio.transform import Affine

    with rasterio.open(folder / raster) as source:
        pixels = source.read(1, masked=True)
        fine = features.geometry_mask([polygon], (source.height * factor, source.width * factor),
                                      source.transform * Affine.scale(1 / factor), invert=True)
    share = fine.reshape(source.height, factor, source.width, factor).mean(axis=(1, 3))
    return share * ~np.ma.getmaskarray(pixels), pixels


@pytest.mark.parametrize("raster, test", [("slope.tif", "test_main"), ("slope_nodata.tif", "test_some_nodata")])
def test_count_and_mean_are_coverage_weighted_unlike_rasterstats_centres(rasterstats_ref, raster, test):
    folder, expected = rasterstats_ref
    polygons = reference_polygons(folder, raster)
    table = zonal_stats(polygons, folder / raster)
    for i, polygon in enumerate(polygons.geometry):
        share, pixels = coverage_by_supersampling(folder, raster, polygon)
        assert table.loc[i, "count"] == pytest.approx(share.sum(), rel=2e-3)
        assert table.loc[i, "mean"] == pytest.approx((share * pixels.filled(0)).sum() / share.sum(), rel=1e-3)
        centres = int(reference_value(expected, test, i, "count"))  # rasterstats: whole pixels by centre
        all_touched = int(reference_value(expected, "test_all_touched", i, "count"))
        assert centres != pytest.approx(table.loc[i, "count"], abs=0.5) and table.loc[i, "count"] < all_touched
    if raster == "slope.tif":  # no nodata under the polygons: the count is the area in pixels
        with rasterio.open(folder / raster) as source:
            pixel_area = abs(source.transform.a * source.transform.e)
        assert table["count"].to_numpy(dtype=float) == pytest.approx(polygons.area.to_numpy() / pixel_area, rel=1e-7)
        centre_mean = float(reference_value(expected, "test_main", 0, "mean"))
        assert table.loc[0, "mean"] == pytest.approx(15.02, abs=0.01) and abs(table.loc[0, "mean"] - centre_mean) > 0.3


@pytest.mark.parametrize("raster", ["slope.tif", "slope_nodata.tif"])
def test_min_and_max_follow_the_all_touched_rule(rasterstats_ref, raster):
    from rasterio import features

    folder, _expected = rasterstats_ref
    polygons = reference_polygons(folder, raster)
    table = zonal_stats(polygons, folder / raster)
    with rasterio.open(folder / raster) as source:
        pixels = source.read(1, masked=True)
        for i, polygon in enumerate(polygons.geometry):
            touched = features.geometry_mask([polygon], pixels.shape, source.transform, all_touched=True, invert=True)
            values = pixels[touched & ~np.ma.getmaskarray(pixels)]
            assert (table.loc[i, "min"], table.loc[i, "max"]) == (values.min(), values.max())


def test_nodata_everywhere_and_a_dataset_mask_give_no_data_rows(rasterstats_ref):
    folder, expected = rasterstats_ref
    polygons = reference_polygons(folder, "all_nodata.tif")
    everywhere = zonal_stats(polygons, folder / "all_nodata.tif")
    assert [int(reference_value(expected, "test_all_nodata", i, "count")) for i in (0, 1)] == [0, 0]
    assert everywhere["no_data"].all() and (everywhere["count"] == 0).all() and everywhere["mean"].isna().all()
    masked = zonal_stats(polygons, folder / "dataset_mask.tif")  # an internal mask band, no nodata value
    assert int(reference_value(expected, "test_dataset_mask", 1, "count")) == 0
    assert bool(masked.loc[1, "no_data"]) and pd.isna(masked.loc[1, "mean"])
    assert not masked.loc[0, "no_data"] and masked.loc[0, "mean"] == 22.0


def write_array(path, values, transform, nodata):
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float32", crs=CRS_UTM, transform=transform, nodata=nodata) as dst:
        dst.write(np.asarray(values, dtype="float32"), 1)
    return path


def test_whole_pixels_agree_with_rasterstats_exactly_and_nan_is_left_out(rasterstats_ref, tmp_path):
    from rasterio.transform import Affine

    _folder, expected = rasterstats_ref
    # test_nan_nodata: [[nan, 12.25], [-999, 12.75]], nodata -999, a polygon over all four pixels.
    path = write_array(tmp_path / "nan.tif", np.array([[np.nan, 12.25], [-999, 12.75]]), Affine(1, 0, 0, 0, -1, 2), -999)
    row = zonal_stats(blocks(box(0, 0, 2, 2)), path).iloc[0]
    nodata, count, mean, low, high = reference_value(expected, "test_nan_nodata", 0, "nodata / count / mean / min / max").split(" / ")
    assert (row["count"], row["mean"], row["min"], row["max"]) == (float(count), float(mean), float(low), float(high))
    # test_nan_counts: [[nan]*3, [0]*3, [1, 4, 5]], nodata 0: only the three last pixels count.
    path = write_array(tmp_path / "counts.tif", np.array([[np.nan] * 3, [0, 0, 0], [1, 4, 5]]), Affine(1, 0, 1, 0, -1, 3), 0)
    row = zonal_stats(blocks(box(1, 0, 4, 3)), path).iloc[0]
    assert row["count"] == float(reference_value(expected, "test_nan_counts", 0, "count / nodata / nan").split(" / ")[0])
    assert row["mean"] == pytest.approx(10 / 3)


def test_a_partly_covered_pixel_weighs_by_its_share_where_rasterstats_counts_centres(rasterstats_ref, tmp_path):
    from rasterio.transform import Affine

    _folder, expected = rasterstats_ref
    path = write_array(tmp_path / "cut.tif", np.array([[100, 1], [100, 1]]), Affine(1, 0, 0, 0, -1, 2), None)
    cut = Polygon([(0, 0), (0, 0.5), (1, 1.5), (1.5, 2), (2, 2), (2, 0), (0, 0)])
    # The edge y = x + 0.5 leaves 1/8 of the top-left pixel (100), 7/8 of the top-right (1) and of
    # the bottom-left (100), all of the bottom-right (1); rasterstats drops the top-left centre.
    weighted = (0.125 * 100 + 0.875 * 1 + 0.875 * 100 + 1 * 1) / (0.125 + 0.875 + 0.875 + 1)
    row = zonal_stats(blocks(cut), path).iloc[0]
    assert row["mean"] == pytest.approx(weighted) and row["count"] == pytest.approx(2.875)
    assert float(reference_value(expected, "test_geojson_out_with_no_properties", 0, "mean")) == 34.0 != round(weighted)


def test_points_and_lines_are_refused_and_a_wrong_crs_is_not_silent_no_data(rasterstats_ref):
    from geo.errors import GeometryError

    folder, expected = rasterstats_ref
    for name in ("points.shp", "lines.shp"):
        with pytest.raises(GeometryError, match="slope.tif need polygons"):
            zonal_stats(gpd.read_file(folder / name), folder / "slope.tif")
    # multipolygons.shp says WGS 84 but holds the rasters' Albers metres (rasterstats ignores CRSs).
    multipolygon = gpd.read_file(folder / "multipolygons.shp")
    with pytest.raises(CrsError, match="do not fit their CRS"):
        zonal_stats(multipolygon, folder / "slope.tif")
    with rasterio.open(folder / "slope.tif") as source:
        right = multipolygon.set_crs(source.crs, allow_override=True)
        pixel_area = abs(source.transform.a * source.transform.e)
    count = zonal_stats(right, folder / "slope.tif").loc[0, "count"]
    assert count == pytest.approx(right.area.iloc[0] / pixel_area)
    assert int(reference_value(expected, "test_multipolygons", 0, "count")) == 125 != round(count)


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
