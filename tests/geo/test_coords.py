"""Coordinate parsing and formatting: a table of written forms, good and bad, plus UTM zones."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import geo
from geo.coords import (format_decimal, format_dms, parse_dms, parse_dms_array, to_utm, utm_epsg,
                        utm_zone)
from geo.errors import CoordinateError

DMS = 23 + 21 / 60 + 15.6 / 3600          # 23°21'15.6"
DM = 23 + 21.26 / 60                      # 23°21.26'
LON = 85 + 18 / 60 + 36 / 3600            # 85°18'36" = 85.31

GOOD = [
    ("23°21'15.6\"N", DMS),
    ("23 21 15.6 N", DMS),
    ("23-21-15.6N", DMS),
    ("N 23° 21.26'", DM),
    ("23°21.26'N", DM),
    ("23d21m15.6s N", DMS),
    ("23d 21m 15.6s", DMS),
    ("23d21m15.6s S", -DMS),
    ("23d 21m 15.6 S", -DMS),              # a capital S set apart is the hemisphere
    ("23d 21m 15.6s s", -DMS),             # seconds unit, then the hemisphere
    ("23 deg 21 min 15.6 sec N", DMS),
    ("85:18:36E", LON),
    ("85:18:36 w", -LON),
    ("-85:18:36", -LON),
    ("23.3543", 23.3543),
    ("-23.3543", -23.3543),
    ("+23.3543", 23.3543),
    ("+23.3543 N", 23.3543),
    ("23°21′15.6″N", DMS),                 # typographic primes
    ("23°21’15.6”N", DMS),                 # typographic quotes
    ("23º21'15.6\"N", DMS),                # ordinal indicator for degrees
    ("23°21'15.6''N", DMS),                # two apostrophes for seconds
    ("23 21 15.6 s", -DMS),                # lower-case hemisphere
    ("  23 °  21 '  15.6 \"  N  ", DMS),   # spaces anywhere
    ("S 23 21 15.6", -DMS),
    ("23° 15.6\"", 23 + 15.6 / 3600),      # minutes left out but seconds marked
    ("85°18'36\"E", LON),
    ("90", 90.0),
    ("180W", -180.0),
    ("0", 0.0),
    (".5", 0.5),
    ("23.", 23.0),
    ("−23.5", -23.5),                      # Unicode minus sign
    (23.3543, 23.3543),                    # a number passes through
]

BAD = [
    ("23°61'N", "minutes 61 are 60 or more"),
    ("23 21 60", "seconds 60 are 60 or more"),
    ("23 21 75.5 N", "seconds 75.5 are 60 or more"),
    ("185", "185 degrees is beyond 180"),
    ("95N", "95 degrees is beyond 90"),
    ("23.5 21", "only the last number may have decimals"),
    ("23.5 21.5", "decimals in more than one field"),
    ("23 21.5 15.5", "decimals in more than one field"),
    ("23N 85E", "is in the middle"),
    ("N 23 S", "two hemisphere letters"),
    ("-23S", "both a sign '-' and the hemisphere 'S'"),
    ("-85W", "both a sign '-' and the hemisphere 'W'"),
    ("+23S", "both a sign '+' and the hemisphere 'S'"),
    ("", "it is empty"),
    ("   ", "it is empty"),
    (None, "it is empty"),
    (float("nan"), "it is empty"),
    ("abc", "unexpected 'abc'"),
    ("NA", "unexpected 'NA'"),
    ("23,5", "unexpected character ','"),
    ("23 21 15 10", "more than three numbers"),
    ("23 S 21", "is in the middle"),
    ("21' 15\"", "the degrees are missing"),
    ("23°21°", "degrees given twice or out of order"),
    ("23'21°", "the degrees are missing"),
    ("°23", "does not follow a number"),
    ("N -23", "unexpected '-'"),
    ("23--21", "unexpected '-'"),
    ("1e5", "is in the middle"),
    (200.0, "200 degrees is beyond 180"),
    ("23d 21m 15.6 s", "could mean seconds or south"),
    ("23 deg 21 min 15.6 s", "could mean seconds or south"),
]


def test_the_tables_are_big_enough():
    assert len(GOOD) + len(BAD) >= 30 and len(BAD) >= 10


@pytest.mark.parametrize("text, expected", GOOD)
def test_reads_written_forms(text, expected):
    assert parse_dms(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text, reason", BAD)
def test_refuses_what_it_cannot_read_unambiguously(text, reason):
    with pytest.raises(CoordinateError) as caught:
        parse_dms(text)
    message = str(caught.value)
    assert reason in message
    shown = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    assert message.startswith(f"'{shown}' cannot be read as a coordinate: ")


def test_coordinate_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_dms("23°61'N")


def test_axis_checks_the_hemisphere_and_the_range():
    assert parse_dms("85 18 36 E", axis="lon") == pytest.approx(LON)
    with pytest.raises(CoordinateError, match="marks a longitude where a latitude is expected"):
        parse_dms("85 18 36 E", axis="lat")
    with pytest.raises(CoordinateError, match="marks a latitude where a longitude is expected"):
        parse_dms("23 21 N", axis="lon")
    with pytest.raises(CoordinateError, match="95 degrees is beyond 90"):
        parse_dms("95", axis="lat")
    assert parse_dms("95", axis="lon") == 95.0


def test_public_names_resolve_lazily():
    assert geo.parse_dms is parse_dms and geo.format_dms is format_dms and geo.utm_zone is utm_zone


def test_array_reads_a_mixed_column_and_reports_positions():
    column = pd.Series(["23.5", "23 30 00 N", "abc", None, 5, " 12.5 ", "200", "23°61'"],
                       index=[10, 11, 12, 13, 14, 15, 16, 17])
    values, problems = parse_dms_array(column)
    np.testing.assert_array_equal(np.isnan(values), [False, False, True, True, False, False, True, True])
    np.testing.assert_allclose(values[[0, 1, 4, 5]], [23.5, 23.5, 5.0, 12.5])
    assert [index for index, _ in problems] == [2, 3, 6, 7]
    assert problems[2][1] == "'200' cannot be read as a coordinate: 200 degrees is beyond 180"
    assert "minutes 61 are 60 or more" in problems[3][1]


def test_array_agrees_with_the_single_parser_on_the_whole_table():
    texts = [text for text, _ in GOOD + BAD]
    values, problems = parse_dms_array(texts, axis=None)
    bad = {index for index, _ in problems}
    for index, text in enumerate(texts):
        if index in bad:
            with pytest.raises(CoordinateError):
                parse_dms(text)
        else:
            assert values[index] == parse_dms(text)
    assert bad == set(range(len(GOOD), len(texts)))


def test_array_range_check_applies_to_plain_decimals_with_an_axis():
    values, problems = parse_dms_array(["95.25", "22.39"], axis="lat")
    assert np.isnan(values[0]) and values[1] == 22.39
    assert problems == [(0, "'95.25' cannot be read as a coordinate: 95.25 degrees is beyond 90")]


@pytest.mark.parametrize("value, axis, decimals, expected", [
    (DMS, "lat", 2, "23°21'15.60\"N"),
    (-DMS, "lat", 1, "23°21'15.6\"S"),
    (LON, "lon", 2, "85°18'36.00\"E"),
    (-LON, "lon", 0, "85°18'36\"W"),
    (23 + 59 / 60 + 59.999 / 3600, "lat", 2, "24°00'00.00\"N"),   # rounding carries to the degree
    (23 + 21 / 60 + 59.996 / 3600, "lat", 2, "23°22'00.00\"N"),   # ... and to the minute
    (23 + 21 / 60 + 5.5 / 3600, "lat", 2, "23°21'05.50\"N"),
    (0.0, "lat", 2, "0°00'00.00\"N"),
    (-0.0, "lon", 0, "0°00'00\"E"),
    (-180.0, "lon", 3, "180°00'00.000\"W"),
])
def test_format_dms(value, axis, decimals, expected):
    assert format_dms(value, axis=axis, decimals=decimals) == expected


def test_format_then_parse_round_trips():
    for value in (DMS, -DMS, 8.0711, 37.0841):
        assert parse_dms(format_dms(value, decimals=3)) == pytest.approx(value, abs=0.0005 / 3600)


def test_format_refuses_out_of_range_values():
    with pytest.raises(CoordinateError, match="latitude 91 is outside"):
        format_dms(91.0)
    with pytest.raises(ValueError):
        format_dms(10.0, axis="x")


def test_format_decimal():
    assert format_decimal(23.3543) == "23.354300"
    assert format_decimal(-85.31, decimals=2) == "-85.31"


# India spans UTM zones 42N (west of 72°E) to 47N (east of 96°E).
@pytest.mark.parametrize("place, lon, lat, zone", [
    ("Rajkot", 70.80, 22.30, "42N"),
    ("Jaisalmer", 70.91, 26.92, "42N"),
    ("Ahmedabad", 72.58, 23.02, "43N"),
    ("Jaipur", 75.79, 26.91, "43N"),
    ("Delhi", 77.21, 28.61, "43N"),
    ("Mumbai", 72.88, 19.08, "43N"),
    ("Nagpur", 79.09, 21.15, "44N"),
    ("Chennai", 80.27, 13.08, "44N"),
    ("Ranchi", 85.31, 23.35, "45N"),
    ("Kolkata", 88.36, 22.57, "45N"),
    ("Guwahati", 91.74, 26.14, "46N"),
    ("Port Blair", 92.73, 11.62, "46N"),
    ("Kibithu", 96.98, 28.28, "47N"),
])
def test_utm_zones_across_india(place, lon, lat, zone):
    assert utm_zone(lon, lat) == zone
    assert utm_epsg(lon, lat) == 32600 + int(zone[:-1])


def test_utm_zone_edges_and_south():
    assert utm_zone(72.0, 20.0) == "43N"        # a zone starts at its western meridian
    assert utm_zone(-180.0, 0.0) == "1N"
    assert utm_zone(180.0, 0.0) == "60N"
    assert utm_zone(147.0, -42.0) == "55S" and utm_epsg(147.0, -42.0) == 32755
    with pytest.raises(CoordinateError):
        utm_zone(181.0, 0.0)


def test_to_utm_matches_pyproj_in_the_zone():
    easting, northing, zone = to_utm(85.31, 23.31)
    expected = Transformer.from_crs(4326, 32645, always_xy=True).transform(85.31, 23.31)
    assert zone == "45N"
    assert (easting, northing) == pytest.approx(expected, abs=1e-6)
    easting, northing, zone = to_utm(87.0, 0.0)      # central meridian of 45N on the equator
    assert (easting, northing) == pytest.approx((500000.0, 0.0), abs=1e-6)


def test_docstring_examples_run():
    import geo.coords as module

    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0
