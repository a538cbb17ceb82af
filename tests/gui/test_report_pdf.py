"""The PDF dossier: pages, header and page numbers, gates and scores in the text, every page
renders, Devanagari/₹/hostile text printed as text, atomic and cancellable."""
from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest

import main
from assessment.report import Dossier, Table, build_dossier
from geo.errors import Cancelled
from geo.feedback import Feedback
from gui.report_pdf import DossierPDF, FONT, needs_shaping, write_dossier_pdf

BLOCKS = ("JH-CL-01", "OD-ML-01", "JH-EL-01")


# The CLI makes a QGuiApplication when none exists; make it the QApplication later widget tests need.
pytestmark = pytest.mark.usefixtures("qapp")

@pytest.fixture(scope="module")
def dossier_pdf(scores_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "dossier.pdf"
    args = ["report", str(scores_path), "-o", str(out)]
    for block in BLOCKS:
        args += ["--block", block]
    assert main.main(args) == 0
    return out


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_every_page_has_header_and_page_number(dossier_pdf):
    pages = pdf_pages(dossier_pdf)
    sections = []
    for number in range(1, pages + 1):
        text = page_text(dossier_pdf, number)
        assert f"Page {number} of {pages}" in text
        header = re.search(r"Khanij · Auction-readiness dossier · (\S+(?: ranking| to short references| inputs)?)", text)
        assert header, text[:300]
        assert "ILLUSTRATIVE SAMPLE DATA" in text
        sections.append(header.group(1))
    # the cover (ranking of all 35 blocks) then each block's section, each starting on a new page
    assert sections[0] == "Tranche ranking" and sections[-2:] == ["Scoring inputs", "Key to short references"]
    chosen = [s for s in dict.fromkeys(sections) if s not in ("Tranche ranking", "Scoring inputs", "Key to short references")]
    assert set(chosen) == set(BLOCKS)
    for block in BLOCKS:
        assert 2 <= sections.count(block) <= 5, sections
    assert pages == (sections.count("Tranche ranking") + sum(sections.count(b) for b in BLOCKS)
                     + sections.count("Scoring inputs") + sections.count("Key to short references"))


def test_text_has_each_blocks_gates_score_and_provenance(dossier_pdf, scores_path):
    scores = gpd.read_file(scores_path).set_index("block_id")
    text = subprocess.run(["pdftotext", "-layout", str(dossier_pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for block in BLOCKS:
        row = scores.loc[block]
        section = flat[flat.index(f"{block} — {row['block_name']}"):]
        assert f"{row['readiness']} · score {row['score']:.1f} of 100" in section
        for gate, column in (("Exploration stage", "gate_stage"), ("Protected areas", "gate_protected"),
                             ("Listed state", "gate_state")):
            assert re.search(rf"{gate}\s+{row[column]}\b", section), (block, gate)
        assert row["rules_sha256"] in section
        assert "Boundary pillars" in section and "Scored criteria" in section and "Mineral Block Summary" in section
        assert f"{row['nearest_railway_stations_name']}, {row['nearest_railway_stations_km']:.2f} km" in section
        assert f"{row['nearest_protected_name']}, {row['nearest_protected_km']:.2f} km" in section
    assert "DOMAIN" not in flat and "rules.toml" not in flat
    key = flat[flat.rindex("Key to short references"):]
    for rule_id in ("W1", "W11", "MMDR15-AUCTION", "SRK"):
        assert f" {rule_id} " in key, rule_id
    assert "JH-EL-01" in flat and "Seventh Schedule" in flat


def test_bookmarks_lead_to_the_cover_each_block_and_the_key(dossier_pdf, scores_path):
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(dossier_pdf)], capture_output=True, text=True,
                         check=True).stdout
    titles = re.findall(r'<item page="\d+">([^<]*)</item>', xml)
    names = gpd.read_file(scores_path).set_index("block_id")["block_name"]
    ranked = [title.split(" — ")[0] for title in titles[1:-2]]
    assert titles[0] == "Cover and tranche ranking" and titles[-2:] == ["Scoring inputs", "Key to short references"]
    assert sorted(ranked) == sorted(BLOCKS)
    assert all(f"{block} — {names[block]}" in titles for block in BLOCKS)


def test_every_page_renders_and_is_not_blank(dossier_pdf, tmp_path):
    from PySide6.QtGui import QImage

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(dossier_pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pdf_pages(dossier_pdf)
    for image_path in images:
        image = QImage(str(image_path))
        assert image.width() > 200
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 2, image_path


def test_location_map_is_drawn(dossier_pdf):
    out = subprocess.run(["pdfimages", "-list", str(dossier_pdf)], capture_output=True, text=True, check=True).stdout
    assert len([line for line in out.splitlines() if " image " in line]) == len(BLOCKS)


ARABIC = "منجم الذهب"
HOSTILE_NAME = ("खनिज ब्लॉक ₹ 300 <script>{{x}}</script> **bold** =1+2 \u202e" + ARABIC + "\u202c ⛏😀 𒀀 \x07bell "
                + "Longname " * 560)


def body_lines(path: Path, page: int) -> list[str]:
    """The text lines of a page other than its running header and footer."""
    lines = [line.strip() for line in page_text(path, page).splitlines() if line.strip()]
    return [line for line in lines if not line.startswith(("Khanij ·", "ILLUSTRATIVE", "rules version"))
            and not re.search(r"Page \d+ of \d+$", line)]


def hostile_dossier_pdf(scores_path, tmp_path) -> tuple[Path, list[str]]:
    """A dossier of a block named with Devanagari, ₹, markup, Arabic inside a right-to-left
    override, emoji, a cuneiform sign no font has, a control character and 5,000 characters more."""
    scores = gpd.read_file(scores_path)
    scores.loc[scores["block_id"] == "JH-CL-01", "block_name"] = HOSTILE_NAME
    warnings = []
    feedback = Feedback()
    feedback.warn = warnings.append
    out = write_dossier_pdf(build_dossier(scores, None, block_ids=["JH-CL-01"]), tmp_path / "d.pdf", feedback=feedback)
    return out, warnings


def test_devanagari_arabic_emoji_and_hostile_text_print_as_text(scores_path, tmp_path):
    from gui.report_pdf import EMOJI_FONT_PATHS

    assert any(path.is_file() for path in EMOJI_FONT_PATHS), "the colour emoji font of .ci/setup is installed"
    out, warnings = hostile_dossier_pdf(scores_path, tmp_path)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\+NotoSans\s", fonts) and re.search(r"\+NotoSansDevanagari\s", fonts)
    assert re.search(r"\+NotoSansArabic\s", fonts) and "Type 3" in fonts       # emoji: colour bitmaps
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "ब्लॉक ₹ 300 <script>{{x}}</script> **bold** =1+2" in text
    assert set(ARABIC.replace(" ", "")) <= set(text) and "😀" in text
    squeezed = "".join(text.split())
    for code in ("U+12000", "U+0007"):      # in brackets in its place (pdftotext may mirror them beside Arabic)
        assert len(re.findall(rf"[\[\]]{re.escape(code)}[\[\]]", squeezed)) == 3, code   # ranking, title, summary
    not_drawn = " ".join(text[text.rindex("Characters not drawn"):].split())
    assert "U+12000 cuneiform sign a" in not_drawn and "U+0007 control character" in not_drawn
    assert "grinning face" not in not_drawn
    assert any("U+12000 (cuneiform sign a)" in warning and "JH-CL-01" in warning for warning in warnings)


def test_without_an_emoji_font_emoji_are_named_not_dropped(scores_path, tmp_path, monkeypatch):
    from gui import report_pdf

    monkeypatch.setattr(report_pdf, "EMOJI_FONT_PATHS", ())
    out, warnings = hostile_dossier_pdf(scores_path, tmp_path)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "[U+26CF][U+1F600]" in text.replace(" ", "")
    assert "U+1F600 grinning face" in " ".join(text[text.rindex("Characters not drawn"):].split())
    assert any("U+1F600 (grinning face)" in warning for warning in warnings)


def test_a_5000_character_name_wraps_without_blank_pages(scores_path, tmp_path):
    out, _warnings = hostile_dossier_pdf(scores_path, tmp_path)
    pages = pdf_pages(out)
    assert all(body_lines(out, page) for page in range(1, pages + 1))
    words = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert words.count("Longname") == 3 * 560      # whole, legible: in the ranking, the title and the summary


def test_shaping_only_where_needed():
    assert needs_shaping("खनिज") and needs_shaping("שלום") and needs_shaping("a\u202eb") and needs_shaping("👩\u200d🔬")
    assert not needs_shaping("Salal-Haimana — ₹ 3,00,000 · 23°21'15\"N →")


@pytest.mark.parametrize("cancel_at", ["block JH-CL-01", "block OD-ML-01", "writing d.pdf"])
def test_cancelled_report_leaves_no_file(scores_path, tmp_path, cancel_at):
    from layers.atlas import load_sample_atlas

    dossier = build_dossier(gpd.read_file(scores_path), None, block_ids=["JH-CL-01", "OD-ML-01"])
    seen = []

    def on_progress(_fraction, text):
        seen.append(text)
        if text == cancel_at:
            feedback.cancel()

    feedback = Feedback(on_progress)
    with pytest.raises(Cancelled):
        write_dossier_pdf(dossier, tmp_path / "d.pdf", load_sample_atlas(), feedback=feedback)
    assert cancel_at in seen
    assert list(tmp_path.iterdir()) == []


def test_lines_are_wrapped_within_their_width():
    pdf = DossierPDF(Dossier("t", datetime.date(2025, 1, 1), False, Table(["a"], [], [1.0], "L"), [], [], ""))
    pdf.set_font(FONT, "", 8.5)
    text = ("Muskaniya-Gareriatola-Barwari " + "x" * 400 + " खनिज ब्लॉक ₹ 300 " + "SHA-256 " + "0123456789abcdef" * 4)
    for width in (12.0, 30.0, 90.0):
        lines = pdf.wrap(text, width)
        assert all(pdf.get_string_width(line) <= width + 1e-6 for line in lines), width
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert pdf.wrap("Muskaniya-Gareriatola-Barwari", 30.0)[0].endswith("-"), "a long name breaks at a hyphen"


def test_location_map_marks_the_nearest_station(scores_path):
    from geo import geodesic_distance_km
    from gui.render import RenderCaches
    from gui.report_pdf import DISPLAY_CRS, nearest_layers
    from layers.atlas import load_sample_atlas

    scores = gpd.read_file(scores_path)
    atlas = load_sample_atlas()
    for block in build_dossier(scores, None, block_ids=["TN-ML-01", "JH-CL-01"]).blocks:
        display = gpd.GeoSeries([block.geometry_wgs84], crs=4326).to_crs(DISPLAY_CRS).iloc[0]
        everywhere = (-1e8, -1e8, 1e8, 1e8)
        [marked] = nearest_layers(display, atlas, RenderCaches(), everywhere)
        assert marked.name == "Nearest: Railway stations (illustrative)" and len(marked.data) == 1
        station = marked.data.geometry.to_crs(4326).iloc[0]
        expected = scores.loc[scores["block_id"] == block.block_id, "infra_railway_stations_km"].iloc[0]
        assert geodesic_distance_km(block.geometry_wgs84, station, 4326) == pytest.approx(expected, abs=0.01)
        assert marked.style.label_field == "name"
        far_away = (0.0, 0.0, 1.0, 1.0)
        assert nearest_layers(display, atlas, RenderCaches(), far_away) == []


def test_a_score_file_without_findings_columns_has_its_explanation_printed(scores_path, tmp_path):
    scores = gpd.read_file(scores_path)
    scores = scores.drop(columns=[c for c in scores.columns if c.endswith(("_finding", "_source", "_rule"))])
    raw = "Scored by another tool; its sentences are its own."
    scores.loc[scores["block_id"] == "JH-CL-01", "explanation"] = raw
    out = write_dossier_pdf(build_dossier(scores, None, block_ids=["JH-CL-01"]), tmp_path / "d.pdf")
    flat = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"Reasoning (as written by the scorer) {raw}" in flat
    assert "not recorded in the score file: see the scorer's reasoning below" in flat and "No conditions apply" not in flat


def test_report_cli_errors(scores_path, tmp_path, capsys):
    assert main.main(["report", str(scores_path), "-o", str(tmp_path / "missing" / "d.pdf")]) == 4
    assert "does not exist" in capsys.readouterr().err
    assert main.main(["report", str(scores_path), "--block", "NOPE", "-o", str(tmp_path / "d.pdf")]) == 3
    assert "NOPE" in capsys.readouterr().err
    csv = tmp_path / "scores.csv"
    gpd.read_file(scores_path).drop(columns="geometry").to_csv(csv, index=False)
    assert main.main(["report", str(csv), "-o", str(tmp_path / "d.pdf")]) == 3
    assert "shapes" in capsys.readouterr().err
    assert list(tmp_path.glob("*.pdf")) == []


def test_zone_names_are_written_on_their_edges_clear_of_the_block(scores_path):
    """Dudhiasol East lies 7 km from Similipal: the 10 km line crosses it, the 1 km line is east of it."""
    import shapely

    from cli.export import context_layers
    from gui.report_pdf import DISPLAY_CRS, ZONE_LABEL_CLEARANCE_M, location_extent, map_context, zone_layers

    block = build_dossier(gpd.read_file(scores_path), None, block_ids=["OD-ML-03"]).blocks[0]
    display = gpd.GeoSeries([block.geometry_wgs84], crs=4326).to_crs(DISPLAY_CRS).iloc[0]
    context = map_context(context_layers([], True))
    zones = zone_layers(context, location_extent(display, 8.0), True, display)
    assert [layer.data["zone"].iloc[0] for layer in zones] == ["1 km no-mining zone", "10 km NBWL zone"]
    parks = shapely.union_all(context.npws.values)
    for layer, km in zip(zones, (1.0, 10.0)):
        label = layer.data["label"].iloc[0]
        assert label.distance(parks) == pytest.approx(km * 1000.0, rel=0.01)
        assert label.distance(display) >= ZONE_LABEL_CLEARANCE_M - 1.0
