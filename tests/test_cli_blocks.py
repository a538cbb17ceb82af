"""`khanij blocks pillars` and `khanij blocks from-pillars`: pillar tables out and blocks back in,
bad rows named by row, exit codes."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import main
from layers.atlas import ATLAS_DIR
from layers.editing import BLOCK_FIELDS

TENDER_TEXT = """Annexure-I: boundary pillars of the Kundru East block (WGS 84)
Pillar No.   Latitude        Longitude
BP-1   23°21'15.6"N   85°18'42.1"E
BP-2   23°21'15.6"N   85°19'42.1"E
BP-3   23°22'15.6"N   85°19'42.1"E
BP-4   23°22'15.6"N   85°18'42.1"E
BP-5   23°61'00"N     85°18'00"E
Total area: 290 ha
"""


def test_pillar_table_of_the_sample_blocks_and_back(tmp_path, capsys):
    table = tmp_path / "pillars.xlsx"
    assert main.main(["blocks", "pillars", str(ATLAS_DIR / "blocks.gpkg"), "-o", str(table)]) == 0
    written = pd.read_excel(table)
    assert list(written.columns) == ["block_id", "pillar", "latitude_dms", "longitude_dms", "latitude", "longitude",
                                     "area_ha", "perimeter_km", "toposheets"]
    assert written["pillar"].iloc[0] == "BP-1" and written["latitude_dms"].iloc[0].endswith('"N')
    blocks = tmp_path / "blocks.gpkg"
    assert main.main(["blocks", "from-pillars", str(table), "-o", str(blocks)]) == 0
    assert "35 block(s) from 35 pillar list(s)" in capsys.readouterr().out
    rebuilt = gpd.read_file(blocks).to_crs(7755)
    original = gpd.read_file(ATLAS_DIR / "blocks.gpkg").to_crs(7755)
    assert list(rebuilt.columns[:len(BLOCK_FIELDS)]) == list(BLOCK_FIELDS)
    assert list(rebuilt["block_id"]) == list(original["block_id"])
    gaps = [a.hausdorff_distance(b) for a, b in zip(original.geometry, rebuilt.geometry)]
    assert np.max(gaps) < 0.01


def test_tender_text_reports_the_bad_row_and_the_area_difference(tmp_path, capsys):
    source = tmp_path / "kundru_east.txt"
    source.write_text(TENDER_TEXT, encoding="utf-8")
    out = tmp_path / "kundru.gpkg"
    assert main.main(["blocks", "from-pillars", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "kundru_east.txt, row 7: latitude" in err and "minutes 61" in err
    assert "differ by -7.80 %: differs by more than 1 %" in err
    made = gpd.read_file(out)
    assert list(made["block_id"]) == ["kundru_east"] and len(made.geometry.iloc[0].exterior.coords) == 5
    strict = tmp_path / "strict.gpkg"
    assert main.main(["blocks", "from-pillars", str(source), "-o", str(strict), "--strict"]) == 3
    assert not strict.exists()


def test_out_of_order_pillars_make_no_block_and_exit_3(tmp_path, capsys):
    source = tmp_path / "crossed.csv"
    pd.DataFrame({"block_id": ["X"] * 4, "order": [1, 2, 3, 4], "latitude": [23.30, 23.31, 23.30, 23.31],
                  "longitude": [85.30, 85.31, 85.31, 85.30]}).to_csv(source, index=False)
    assert main.main(["blocks", "from-pillars", str(source), "-o", str(tmp_path / "x.gpkg")]) == 3
    err = capsys.readouterr().err
    assert "Block X: the side BP-1–BP-2 crosses the side BP-3–BP-4" in err
    assert not (tmp_path / "x.gpkg").exists()


@pytest.mark.parametrize("output, code", [("pillars.txt", 4), ("pillars.csv", 0)])
def test_pillar_table_output_types(tmp_path, output, code):
    assert main.main(["blocks", "pillars", str(ATLAS_DIR / "blocks.gpkg"), "-o", str(tmp_path / output)]) == code
