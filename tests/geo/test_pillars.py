"""Boundary pillars: pasted tender text, CSV/XLSX pillar tables, ring checks, and the round trip
blocks → pillar table → blocks on the sample atlas."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.pillars import (Pillar, check_ring, parse_pillar_text, pillar_table, pillars_to_blocks, polygon_pillars,
                         read_pillar_table, reordered)
from geo.tables import write_table
from layers.atlas import ATLAS_DIR

# Kundru-like block near Ranchi: BP-1 … BP-4 as a tender annexure writes them.
BP1 = (23 + 21 / 60 + 15.6 / 3600, 85 + 18 / 60 + 42.1 / 3600)

# (text, expected [(label, lat, lon)], expected problem rows): the forms tender documents use.
CORPUS = [
    ('BP-1 23°21\'15.6"N 85°18\'42.1"E', [("BP-1", *BP1)], []),
    ("BP-1 23°21'15.6\"N 85°18'42.1\"E\nBP-2 23°21'15.6\"N 85°19'42.1\"E", [("BP-1", *BP1), ("BP-2", BP1[0], BP1[1] + 1 / 60)], []),
    ("B.P. 1, 23 21 15.6 N, 85 18 42.1 E", [("BP-1", *BP1)], []),
    ("BP1\t23°21′15.6″N\t85°18′42.1″E", [("BP-1", *BP1)], []),
    ("Pillar No. 1: 23-21-15.6N, 85-18-42.1E", [("BP-1", *BP1)], []),
    ("1. 23:21:15.6N 85:18:42.1E", [("BP-1", *BP1)], []),
    ("1 23 21 15.6 N 85 18 42.1 E", [("BP-1", *BP1)], []),
    ("1   23.354333   85.311694", [("BP-1", 23.354333, 85.311694)], []),
    ("P-1 | 23.354333 | 85.311694", [("BP-1", 23.354333, 85.311694)], []),
    ('23°21\'15.6"N    85°18\'42.1"E', [("BP-1", *BP1)], []),
    ("N 23° 21.26'  E 85° 18.7'", [("BP-1", 23 + 21.26 / 60, 85 + 18.7 / 60)], []),
    ("23d21m15.6s N 85d18m42.1s E", [("BP-1", *BP1)], []),
    ("BP-1 85°18'42.1\"E 23°21'15.6\"N", [("BP-1", *BP1)], []),  # longitude first, told by its letter
    ("Pillar  Latitude  Longitude\nBP-1  23°21'15.6\"N  85°18'42.1\"E", [("BP-1", *BP1)], []),  # heading skipped
    ("BP-1\n23°21'15.6\"N\n85°18'42.1\"E\nBP-2\n23°22'00\"N\n85°18'42.1\"E",  # PDF table copied cell by cell
     [("BP-1", *BP1), ("BP-2", 23 + 22 / 60, BP1[1])], []),
    ("Latitude\n23°21'15.6\"N\n23°22'00\"N\nLongitude\n85°18'42.1\"E\n85°19'00\"E",  # column after column
     [("BP-1", *BP1), ("BP-2", 23 + 22 / 60, 85 + 19 / 60)], []),
    ("BP-1 23°21'15.6\"N 85°18'42.1\"E\nArea: 512.36 ha", [("BP-1", *BP1)], []),
    # bad ones: reported by line, never guessed
    ("BP-1 23°61'15.6\"N 85°18'42.1\"E", [], [1]),  # minutes 61
    ("BP-1 23 21 85 18", [], [1]),  # four bare numbers: which are which?
    ("BP-1 abc def", [], [1]),
    ("BP-1 95.5 85.3", [], [1]),  # latitude beyond 90
    ("BP-1 23°21'15.6\"N 85°18'42.1\"E\nBP-2 23°21'15.6\"N 85°18'42.1\"E 12\nBP-3 23.36 85.32",
     [("BP-1", *BP1), ("BP-3", 23.36, 85.32)], [2]),
    ("BP-1 23°21'15.6\"S 85°18'42.1\"N", [], [1]),  # two latitude letters
    ("BP-7", [], [1]),  # a label with no coordinates
    ("23°21'15.6\"N\n23°22'00\"N\n85°18'42.1\"E", [], [3]),  # three cells cannot pair
]


@pytest.mark.parametrize("text, expected, problem_rows", CORPUS, ids=[f"text{i}" for i in range(len(CORPUS))])
def test_pillar_text_corpus(text, expected, problem_rows):
    found = parse_pillar_text(text)
    assert [p.label for p in found.pillars] == [e[0] for e in expected]
    for pillar, (_, lat, lon) in zip(found.pillars, expected):
        assert pillar.lat == pytest.approx(lat, abs=1e-7) and pillar.lon == pytest.approx(lon, abs=1e-7)
    assert [p.row for p in found.problems] == problem_rows
    assert all(p.reason for p in found.problems)


def test_corpus_has_twenty_texts_with_bad_ones():
    assert len(CORPUS) >= 20 and sum(1 for _, _, rows in CORPUS if rows) >= 5


def test_stated_area_in_hectares_or_square_km():
    assert parse_pillar_text("Area: 512.36 ha").stated_area_ha == pytest.approx(512.36)
    assert parse_pillar_text("Total area 5.12 sq. km").stated_area_ha == pytest.approx(512.0)
    assert parse_pillar_text("Area - 1,204.5 Hectares").stated_area_ha == pytest.approx(1204.5)


def _square(lat0=23.35, lon0=85.31, side=0.01) -> list[Pillar]:
    corners = [(lat0, lon0), (lat0 + side, lon0), (lat0 + side, lon0 + side), (lat0, lon0 + side)]
    return [Pillar(f"BP-{i}", lat, lon) for i, (lat, lon) in enumerate(corners, start=1)]


def test_ring_out_of_order_is_reported_with_the_crossing_sides_and_reordering_mends_it():
    pillars = _square()
    swapped = [pillars[0], pillars[2], pillars[1], pillars[3]]
    check = check_ring(swapped)
    assert not check.ok
    assert check.crossings == [(0, 2)]
    assert "BP-1–BP-3 crosses the side BP-2–BP-4" in check.errors[0]
    proposal = reordered(swapped)
    assert [p.label for p in proposal] == ["BP-1", "BP-2", "BP-3", "BP-4"]
    assert check_ring(proposal).ok


def test_stated_area_off_by_more_than_one_percent_is_flagged():
    check = check_ring(_square())
    assert check.ok and 110 < check.area_ha < 115  # 0.01° square at 23°N ≈ 113 ha
    near = check_ring(_square(), stated_area_ha=check.area_ha * 1.005)
    far = check_ring(_square(), stated_area_ha=check.area_ha * 1.02)
    assert not near.area_flagged and far.area_flagged
    assert "differ by +2.00 %" in far.findings()[-1]


def test_closed_list_and_too_few_pillars():
    pillars = _square()
    closed = check_ring(pillars + [Pillar("BP-5", pillars[0].lat, pillars[0].lon)])
    assert closed.ok and len(closed.polygon.exterior.coords) == 5
    two = check_ring(pillars[:2])
    assert two.polygon is None and "at least three distinct pillars" in two.errors[-1]


def test_sample_atlas_blocks_round_trip_through_a_pillar_table_to_one_centimetre(tmp_path):
    blocks = gpd.read_file(ATLAS_DIR / "blocks.gpkg")
    table, problems = pillar_table(blocks)
    assert problems == []
    assert set(table["block_id"]) == set(blocks["block_id"])
    first = table[table["block_id"] == blocks["block_id"].iloc[0]]
    assert first["pillar"].iloc[0] == "BP-1" and first["toposheets"].iloc[0]
    for suffix in ("csv", "xlsx"):
        path = write_table(table, tmp_path / f"pillars.{suffix}")
        lists, bad = read_pillar_table(path)
        assert bad == []
        rebuilt, findings = pillars_to_blocks(lists, crs="EPSG:7755")
        assert not [f for f in findings if "not made" in f]
        original = blocks.to_crs("EPSG:7755").set_index("block_id").geometry
        for block_id, geometry in zip(rebuilt["block_id"], rebuilt.geometry):
            source = original[block_id]
            a = np.asarray(source.exterior.coords)[:-1]
            b = np.asarray(geometry.exterior.coords)[:-1]
            assert a.shape == b.shape
            assert np.abs(a - b).max() < 0.01  # metres


def test_dms_columns_alone_also_round_trip_to_one_centimetre(tmp_path):
    blocks = gpd.read_file(ATLAS_DIR / "blocks.gpkg").head(5)
    table, _ = pillar_table(blocks)
    dms_only = table.drop(columns=["latitude", "longitude"]).rename(
        columns={"latitude_dms": "latitude", "longitude_dms": "longitude"})
    lists, bad = read_pillar_table(write_table(dms_only, tmp_path / "dms.csv"))
    assert bad == []
    rebuilt, _ = pillars_to_blocks(lists, crs="EPSG:7755")
    original = blocks.to_crs("EPSG:7755").geometry
    assert max(shapely.hausdorff_distance(a, b) for a, b in zip(original, rebuilt.geometry)) < 0.01


def test_pillar_csv_with_bad_rows_reports_them_by_row_and_builds_the_good_blocks(tmp_path):
    rows = [
        ("A", 1, "23°21'15.6\"N", "85°18'42.1\"E", "512", "Jharkhand"),
        ("A", 2, "23°21'15.6\"N", "85°19'42.1\"E", "", "Jharkhand"),
        ("A", 3, "23°22'15.6\"N", "85°19'42.1\"E", "", ""),
        ("A", 4, "23°22'15.6\"N", "85°18'42.1\"E", "", ""),
        ("B", "BP-1", "23.40", "85.40", "", "Jharkhand"),
        ("B", "BP-2", "23.41", "85.40", "", "Jharkhand"),
        ("B", "BP-3", "23°61'0\"N", "85.41", "", ""),  # bad minutes: row 8
        ("", 1, "23.5", "85.5", "", ""),  # no block id: row 9
        ("C", "x", "23.5", "85.5", "", ""),  # order not a number: row 10
        ("D", 1, "23.60", "85.60", "", ""),
        ("D", 1, "23.61", "85.60", "", ""),  # order repeated: rows 11 and 12
        ("D", 2, "23.61", "85.61", "", ""),
    ]
    frame = pd.DataFrame(rows, columns=["Block_ID", "Seq", "Latitude", "Longitude", "Area_ha", "State"])
    path = tmp_path / "pillars.csv"
    frame.to_csv(path, index=False)
    lists, problems = read_pillar_table(path)
    assert [p.row for p in problems] == [8, 9, 10, 11, 12]
    assert "minutes 61" in problems[0].reason and "block id" in problems[1].reason
    assert "not a number" in problems[2].reason and "more than one pillar" in problems[3].reason
    by_id = {item.block_id: item for item in lists}
    assert sorted(by_id) == ["A", "B"]
    assert by_id["A"].attributes == {"block_id": "A", "state": "Jharkhand"} and by_id["A"].stated_area_ha == 512
    blocks, findings = pillars_to_blocks(lists)
    assert list(blocks["block_id"]) == ["A"]
    assert any(f.startswith("Block A: The stated area 512.00 ha") and "more than 1 %" in f for f in findings)
    assert "Block B was not made (its pillars need correcting)." in findings


def test_polygon_with_a_hole_or_two_parts_has_no_pillar_list():
    from geo.errors import GeometryError

    holed = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)], [[(0.2, 0.2), (0.2, 0.4), (0.4, 0.4), (0.4, 0.2)]])
    with pytest.raises(GeometryError, match="hole"):
        polygon_pillars(holed, "EPSG:4326")
    two = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)])
    with pytest.raises(GeometryError, match="2 parts"):
        polygon_pillars(two, "EPSG:4326")
    assert math.isclose(polygon_pillars(shapely.box(85, 23, 85.1, 23.1), "EPSG:4326")[0].lon, 85.1)


def test_headings_with_one_number_are_skipped_but_lines_with_two_are_read():
    found = parse_pillar_text("Annexure-I: boundary pillars (WGS 84)\nBP-1 23.35 85.31\nSee sheet 73E/7 and 73E/8")
    assert [p.label for p in found.pillars] == ["BP-1"]
    assert [p.row for p in found.problems] == [3]


def test_one_block_pillar_sheet_is_its_rows_of_the_pillar_table():
    """The dossier's pillar table of a block (pillar_sheet) is the exported table's rows of it."""
    from geo.pillars import pillar_sheet

    blocks = gpd.read_file(ATLAS_DIR / "blocks.gpkg").to_crs("EPSG:7755")
    table, _ = pillar_table(blocks)
    block = blocks.iloc[4]
    sheet = pillar_sheet(block.geometry, blocks.crs)
    rows = table[table["block_id"] == block["block_id"]]
    assert pd.DataFrame(sheet.rows()).equals(rows[["pillar", "latitude_dms", "longitude_dms", "latitude",
                                                   "longitude"]].reset_index(drop=True))
    assert round(sheet.area_ha, 4) == rows["area_ha"].iloc[0] and "; ".join(sheet.toposheets) == rows["toposheets"].iloc[0]
    assert [p.label for p in sheet.pillars] == [f"BP-{i}" for i in range(1, len(rows) + 1)]
