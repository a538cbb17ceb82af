"""``khanij export-map`` (HTML, PNG, SVG) and the table outputs of ``khanij score``, end to end."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest

import main
from layers.atlas import sample_role_paths
from layers.style import READINESS_COLOURS, UNFC_STAGE_COLOURS

HOSTILE = ("=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3", "@SUM(A1)", "<script>alert(1)</script> {{ x }}")


# The CLI makes a QGuiApplication when none exists; make it the QApplication later widget tests need.
pytestmark = pytest.mark.usefixtures("qapp")

def _colour_in(image, rect, colour: str) -> bool:
    from PySide6.QtGui import QColor

    wanted = QColor(colour).rgb() & 0xFFFFFF
    return any(image.pixel(x, y) & 0xFFFFFF == wanted
               for x in range(int(rect.left()), int(rect.right()), 2) for y in range(int(rect.top()), int(rect.bottom()), 2))


def test_png_of_the_sample_atlas_has_a_legend_and_is_not_blank(tmp_path):
    from PySide6.QtGui import QImage

    from gui.render import layout_for
    from layers.atlas import load_sample_atlas

    out = tmp_path / "map.png"
    assert main.main(["export-map", "--png", str(out), "--width", "1200", "--height", "800", "--dpi", "100",
                      "--title", "Sample atlas"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    layout = layout_for(load_sample_atlas(), 1200, 800, 100, "Sample atlas")
    for colour in UNFC_STAGE_COLOURS.values():
        assert _colour_in(image, layout.legend, colour), colour
    map_colours = {image.pixel(x, y) for x in range(int(layout.map.left()), int(layout.map.right()), 9)
                   for y in range(int(layout.map.top()), int(layout.map.bottom()), 9)}
    assert len(map_colours) > 20


def test_svg_parses_and_carries_the_legend(tmp_path):
    out = tmp_path / "map.svg"
    assert main.main(["export-map", "--svg", str(out), "--width", "900", "--height", "600"]) == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert "Legend" in "".join(root.itertext())


def test_html_of_scores_colours_blocks_by_readiness(scores_path, tmp_path):
    out = tmp_path / "scores.html"
    assert main.main(["export-map", str(scores_path), "--html", str(out), "--title", "Tranche"]) == 0
    text = out.read_text(encoding="utf-8")
    for colour in READINESS_COLOURS.values():
        assert colour in text
    assert "States (illustrative)" in text or "State boundaries (sample atlas)" in text
    assert "<script src=" not in text and "<link " not in text


def test_map_of_sample_scores_given_as_a_file_says_illustrative(scores_path, tmp_path):
    from gui.render import ILLUSTRATIVE_NOTE

    out = tmp_path / "scores.svg"
    assert main.main(["export-map", str(scores_path), "--svg", str(out)]) == 0
    assert ILLUSTRATIVE_NOTE in out.read_text(encoding="utf-8")
    own = tmp_path / "own.gpkg"
    gpd.read_file(scores_path).drop(columns="illustrative").to_file(own)
    assert main.main(["export-map", str(own), "--svg", str(out)]) == 0
    assert ILLUSTRATIVE_NOTE not in out.read_text(encoding="utf-8")


def test_unwritable_map_target_exits_4(tmp_path, capsys):
    for option in ("--html", "--png", "--svg"):
        target = tmp_path / "nowhere" / f"map.{option[2:]}"
        assert main.main(["export-map", option, str(target)]) == 4
        assert "does not exist" in capsys.readouterr().err


@pytest.fixture(scope="module")
def hostile_blocks(tmp_path_factory) -> Path:
    blocks = gpd.read_file(sample_role_paths()["blocks"])
    for row, value in enumerate(HOSTILE):
        blocks.loc[row, "block_name"] = value
    path = tmp_path_factory.mktemp("hostile") / "blocks.gpkg"
    blocks.to_file(path)
    return path


def test_score_xlsx_keeps_hostile_values_as_text(hostile_blocks, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "scores.xlsx"
    assert main.main(["score", "--blocks", str(hostile_blocks), "--deposits", sample_role_paths()["deposits"],
                      "-o", str(out)]) == 0
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    column = header.index("block_name") + 1
    values = {sheet.cell(row=r, column=column).value: sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)}
    for value in HOSTILE:
        assert value in values
        assert values[value].data_type == "s"
    assert "readiness" in header and "explanation" in header


def test_score_csv_has_a_bom_and_gpkg_all_columns(hostile_blocks, tmp_path):
    csv, gpkg = tmp_path / "s.csv", tmp_path / "s.gpkg"
    for out in (csv, gpkg):
        assert main.main(["score", "--blocks", str(hostile_blocks), "--deposits", sample_role_paths()["deposits"],
                          "-o", str(out)]) == 0
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    scored = gpd.read_file(gpkg)
    for column in ("area_ha", "gate_stage", "readiness", "score", "missing", "explanation", "rules_sha256"):
        assert column in scored.columns
    assert scored.crs is not None and len(scored) == 35
