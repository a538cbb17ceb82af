"""Draw a :class:`assessment.report.Dossier` as a PDF: the cover with the tranche ranking, then one
section per block with its location map (the app's renderer) and tables.

Every word and number comes from :mod:`assessment.report`; this module only lays it out. Text is
shaped with HarfBuzz in Noto Sans with Noto Sans Devanagari and Noto Sans Math (arrows, ≤ ≥) as
fallbacks (shipped in ``gui/fonts`` under the SIL OFL), so Devanagari names and ₹ print correctly; imported text is
printed as text (no markup is interpreted). Every page has a header and "page n of N".
"""
from __future__ import annotations

import datetime
import io
import math
import os
import unicodedata
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from fpdf import FPDF
from fpdf.fonts import FontFace
from PySide6 import QtCore, QtGui

from assessment.report import BlockReport, Dossier, Table
from geo.atomic import atomic_path
from geo.errors import DataWriteError, describe_path
from geo.feedback import ensure_feedback
from layers.style import READINESS_COLOURS, SingleStyle

FONT_DIR = Path(__file__).with_name("fonts")
FONT, FONT_DEVANAGARI, FONT_SYMBOLS = "NotoSans", "NotoSansDevanagari", "NotoSansMath"
DISPLAY_CRS = "EPSG:7755"
#: Location map size in pixels and its resolution (about 210 dpi once placed 180 mm wide).
MAP_PX = (1500, 960)
MAP_DPI = 200
MAP_JPEG_QUALITY = 88
#: The location map shows at least this far around the block, and the nearest infrastructure up to
#: :data:`MAX_CONTEXT_KM` away.
MIN_CONTEXT_KM, MAX_CONTEXT_KM = 5.0, 30.0
HEADER_FILL = (226, 232, 243)
CELL_PAD_MM = 1.2
MARGIN_MM = 15
BASE_PT = 9


class DossierPDF(FPDF):
    """A4 portrait pages with a running header and a "page n of N" footer."""

    def __init__(self, dossier: Dossier):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.dossier = dossier
        self.section = ""
        for family, stem in ((FONT, "NotoSans"), (FONT_DEVANAGARI, "NotoSansDevanagari")):
            self.add_font(family, "", str(FONT_DIR / f"{stem}-Regular.ttf"))
            self.add_font(family, "B", str(FONT_DIR / f"{stem}-Bold.ttf"))
        self.add_font(FONT_SYMBOLS, "", str(FONT_DIR / "NotoSansMath-Regular.ttf"))
        self.set_fallback_fonts([FONT_DEVANAGARI, FONT_SYMBOLS], exact_match=False)
        self.set_margins(MARGIN_MM, 20, MARGIN_MM)
        self.c_margin = CELL_PAD_MM
        self.set_auto_page_break(True, margin=16)
        self.set_title(dossier.title)
        self.set_creator("Khanij")
        self.set_creation_date(datetime.datetime.combine(dossier.generated, datetime.time(), datetime.timezone.utc))

    def shaping_for(self, *texts: str) -> None:
        """Shape with HarfBuzz only the text that needs it (see :func:`needs_shaping`): shaping is
        what makes Devanagari and right-to-left text correct, and the slowest part of the layout."""
        self.set_text_shaping(any(needs_shaping(text) for text in texts))

    def header(self) -> None:
        self.shaping_for(self.dossier.title, self.section)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(80, 80, 80)
        left = f"Khanij · {self.dossier.title}" + (f" · {self.section}" if self.section else "")
        self.set_xy(MARGIN_MM, 8)
        self.cell(self.epw * 0.75, 5, left, new_x="RIGHT", new_y="TOP")
        self.cell(self.epw * 0.25, 5, self.dossier.generated.isoformat(), align="R")
        if self.dossier.illustrative:
            self.set_xy(MARGIN_MM, 12.5)
            self.set_text_color(165, 0, 38)
            self.cell(self.epw, 4, "ILLUSTRATIVE SAMPLE DATA — NOT OFFICIAL")
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN_MM, 17, self.w - MARGIN_MM, 17)
        self.set_text_color(0, 0, 0)
        self.set_y(20)

    def footer(self) -> None:
        self.shaping_for(self.dossier.rules)
        self.set_y(-12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(80, 80, 80)
        self.cell(self.epw / 2, 5, self.dossier.rules[:90])
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # -- building blocks ------------------------------------------------------------------------

    def heading(self, text: str, size: float = 12.0, keep_mm: float = 25.0) -> None:
        """A bold heading kept on the same page as the first ``keep_mm`` of what follows."""
        if self.will_page_break(size * 0.6 + keep_mm):
            self.add_page()
        self.shaping_for(text)
        self.ln(1.5)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FONT, "", BASE_PT)

    def paragraph(self, text: str, size: float = BASE_PT, colour=(0, 0, 0)) -> None:
        self.shaping_for(text)
        self.set_font(FONT, "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def key_values(self, rows: Sequence[tuple[str, str]], key_share: float = 0.3, size: float = BASE_PT - 0.5) -> None:
        """Label in bold, value beside it (wrapped); a row never splits from its label."""
        self.shaping_for(*(text for row in rows for text in row))
        line_h = size * 0.47
        key_w = self.epw * key_share
        for key, value in rows:
            lines = max(1, math.ceil(self.get_string_width(value) / max(self.epw - key_w - 2 * CELL_PAD_MM, 1)))
            if self.will_page_break(lines * line_h + 1.2):
                self.add_page()
            top = self.get_y()
            self.set_font(FONT, "B", size)
            self.cell(key_w, line_h + 1.2, key)
            self.set_font(FONT, "", size)
            self.set_xy(self.l_margin + key_w, top)
            self.multi_cell(self.epw - key_w, line_h, value, align="L", new_x="LMARGIN", new_y="NEXT",
                            padding=(0.6, CELL_PAD_MM))
        self.ln(2)

    def grid(self, table: Table, headings: bool = True, size: float = BASE_PT - 0.5, fills: Optional[dict] = None) -> None:
        """A table across the text width; its header repeats on each page it spans."""
        if not table.rows:
            return
        self.shaping_for(*table.columns, *(value for row in table.rows for value in row))
        self.set_font(FONT, "", size)
        widths = [self.epw * w / sum(table.widths) for w in table.widths]
        if headings and self._fits_one_line(table, widths, size):
            self._one_line_grid(table, widths, size, fills)
            return
        align = tuple({"L": "LEFT", "R": "RIGHT", "C": "CENTER"}[a] for a in table.align)
        with self.table(col_widths=tuple(table.widths), text_align=align, line_height=size * 0.47,
                        first_row_as_headings=headings, repeat_headings=1 if headings else 0,
                        headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL),
                        borders_layout="HORIZONTAL_LINES" if headings else "NONE", padding=(0.8, CELL_PAD_MM),
                        width=self.epw, markdown=False) as drawn:
            if headings:
                header = drawn.row()
                for column in table.columns:
                    header.cell(column)
            for values in table.rows:
                row = drawn.row()
                for index, value in enumerate(values):
                    style = None
                    if not headings and index == 0:
                        style = FontFace(emphasis="BOLD")
                    elif fills and value in fills:
                        style = FontFace(emphasis="BOLD", color=fills[value])
                    row.cell(value, style=style)
        self.ln(2)


    def _fits_one_line(self, table: Table, widths: list[float], size: float) -> bool:
        """Whether every cell (header in bold) fits its column on one line."""
        room = [w - 2 * CELL_PAD_MM for w in widths]
        self.set_font(FONT, "B", size)
        header_fits = all(self.get_string_width(text) <= r for text, r in zip(table.columns, room))
        self.set_font(FONT, "", size)
        return header_fits and all(self.get_string_width(text) <= r for row in table.rows for text, r in zip(row, room))

    def _one_line_grid(self, table: Table, widths: list[float], size: float, fills: Optional[dict]) -> None:
        """The same table as :meth:`grid` drawn with plain cells (fast: no line breaking)."""
        height = size * 0.47 + 1.6
        align = [{"L": "L", "R": "R", "C": "C"}[a] for a in table.align]

        def header() -> None:
            self.set_font(FONT, "B", size)
            self.set_fill_color(*HEADER_FILL)
            for text, width, where in zip(table.columns, widths, align):
                self.cell(width, height, text, align=where, fill=True)
            self.ln(height)
            self.set_font(FONT, "", size)

        header()
        for values in table.rows:
            if self.will_page_break(height):
                self.add_page()
                header()
            top = self.get_y()
            for text, width, where in zip(values, widths, align):
                colour = fills.get(text) if fills else None
                if colour:
                    self.set_font(FONT, "B", size)
                    self.set_text_color(*colour)
                self.cell(width, height, text, align=where)
                if colour:
                    self.set_font(FONT, "", size)
                    self.set_text_color(0, 0, 0)
            self.ln(height)
            self.set_draw_color(170, 170, 170)
            self.line(self.l_margin, top + height, self.l_margin + sum(widths), top + height)
        self.ln(2)


def needs_shaping(text: str) -> bool:
    """True when ``text`` has combining marks (Devanagari vowel signs, viramas …) or right-to-left
    letters, which print correctly only when shaped."""
    return any(unicodedata.category(char) in ("Mn", "Mc", "Me") or unicodedata.bidirectional(char) in ("R", "AL")
               for char in text if ord(char) > 0x2FF)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


READINESS_RGB = {name: _rgb(colour) for name, colour in READINESS_COLOURS.items()}
STATUS_RGB = {"pass": _rgb(READINESS_COLOURS["Ready"]), "fail": _rgb(READINESS_COLOURS["Not ready"]),
              "unknown": _rgb(READINESS_COLOURS["Ready with conditions"])}


# ---------------------------------------------------------------- location maps


def location_extent(geometry_display, context_km: float) -> tuple[float, float, float, float]:
    """A square-ish window (display CRS metres) around a block, ``context_km`` beyond its edges."""
    minx, miny, maxx, maxy = geometry_display.bounds
    pad = max(context_km, MIN_CONTEXT_KM, 0.6 * max(maxx - minx, maxy - miny) / 1000.0) * 1000.0
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def context_km(row_distances: Sequence[float]) -> float:
    """How far around the block the map reaches: to the nearest infrastructure, within limits."""
    finite = [d for d in row_distances if d is not None and math.isfinite(d)]
    return min(max(finite, default=MIN_CONTEXT_KM) * 1.15, MAX_CONTEXT_KM)


def highlight_layer(block: BlockReport):
    """The block itself as a thick outline drawn above everything else."""
    import geopandas as gpd

    from layers.layer import Layer

    frame = gpd.GeoDataFrame({"block": [block.block_id]}, geometry=[block.geometry_wgs84], crs="EPSG:4326")
    style = SingleStyle(colour="#000000", stroke_colour="#000000", fill_opacity=0.0, line_width=2.6)
    return Layer(f"This block: {block.block_id}", frame, role=None, style=style, illustrative=block.illustrative)


def location_map_jpeg(block: BlockReport, map_layers, distances_km: Sequence[float], feedback=None) -> bytes:
    """The block's location map (block, deposits by stage, forest, protected areas, infrastructure,
    boundaries) rendered by the app's renderer, as JPEG bytes."""
    import geopandas as gpd

    from gui.render import render_map_image
    from layers.layer import LayerList

    display = gpd.GeoSeries([block.geometry_wgs84], crs="EPSG:4326").to_crs(DISPLAY_CRS).iloc[0]
    extent = location_extent(display, context_km(distances_km))
    layers = LayerList([highlight_layer(block), *[layer for layer in map_layers if layer.kind == "vector"]])
    image = render_map_image(layers, MAP_PX[0], MAP_PX[1], MAP_DPI, title=None, extent=extent,
                             display_crs=DISPLAY_CRS, feedback=feedback)
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QtGui.QImage.Format.Format_RGB32).save(buffer, "JPG", MAP_JPEG_QUALITY)
    return bytes(buffer.data())


# ---------------------------------------------------------------- pages


def cover_page(pdf: DossierPDF) -> None:
    dossier = pdf.dossier
    pdf.section = "Tranche ranking"
    pdf.add_page()
    pdf.shaping_for(dossier.title)
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, dossier.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    counts = {name: sum(1 for row in dossier.ranking.rows if row[6] == name) for name in READINESS_RGB}
    summary = (f"{len(dossier.ranking.rows)} blocks ranked: " + ", ".join(f"{n} {name}" for name, n in counts.items())
               + f". Sections follow for {len(dossier.blocks)} block(s). Generated {dossier.generated.isoformat()}.")
    pdf.paragraph(summary, 10)
    if dossier.illustrative:
        pdf.paragraph("Illustrative sample data — not official. Do not use for a decision.", 10, (165, 0, 38))
    pdf.paragraph("Ranked by readiness class (Ready, Ready with conditions, Not ready), then by score.", 8.5, (70, 70, 70))
    pdf.ln(2)
    pdf.heading("Tranche ranking")
    pdf.grid(dossier.ranking, fills=READINESS_RGB)
    pdf.heading("Rules and sources", 10)
    pdf.key_values([("Rules", dossier.rules or "not recorded"), ("Data sources", "; ".join(dossier.sources) or "not recorded")],
                   0.18)


def block_section(pdf: DossierPDF, block: BlockReport, map_jpeg: Optional[bytes]) -> None:
    pdf.section = block.block_id
    pdf.add_page()
    pdf.shaping_for(block.title)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 7.5, block.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*READINESS_RGB.get(block.readiness, (0, 0, 0)))
    score = "—" if block.score is None else f"{block.score:.1f}"
    pdf.multi_cell(0, 6, f"{block.readiness or 'not scored'} · score {score} of 100", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if block.missing:
        pdf.paragraph(f"Missing: {block.missing}", BASE_PT, (165, 0, 38))
    pdf.ln(1)
    if map_jpeg is not None:
        width = pdf.epw
        height = width * MAP_PX[1] / MAP_PX[0]
        if pdf.will_page_break(height + 2):
            pdf.add_page()
        pdf.image(io.BytesIO(map_jpeg), x=pdf.l_margin, w=width, h=height, alt_text=f"Location map of {block.block_id}")
        pdf.set_y(pdf.get_y() + 1)
        pdf.paragraph("Location map: the block outlined in black; deposits by UNFC stage; forest, protected areas, "
                      "infrastructure and state boundaries as in the legend.", 7.5, (70, 70, 70))
    pdf.heading("Block", 11)
    pdf.key_values(block.facts)
    pdf.heading("Classification", 11)
    pdf.key_values(block.classification)
    pdf.heading("Statutory gates", 11)
    pdf.grid(block.gates_table(), fills=STATUS_RGB)
    pdf.heading("Conditions", 11)
    if block.conditions:
        pdf.grid(Table(["Condition", "Source"], [[text, source or "—"] for text, source in block.conditions],
                       [5.0, 3.5], "LL"))
    else:
        pdf.paragraph("No conditions apply.")
    pdf.heading("Scored criteria", 11)
    pdf.grid(block.criteria_table())
    pdf.heading("Resources inside the block", 11)
    pdf.paragraph(block.resources_note)
    if block.resources is not None:
        pdf.grid(block.resources)
    pdf.heading("Boundary corners", 11)
    pdf.paragraph(block.corner_note, 8)
    pdf.grid(block.corners)
    pdf.heading("What is missing", 11)
    pdf.paragraph(block.missing or "Nothing: the block meets the stage needed for the intended licence.")
    if block.explanation:
        pdf.heading("Reasoning (as written by the scorer)", 11)
        pdf.paragraph(block.explanation, 8)
    pdf.heading("Provenance", 11)
    pdf.key_values(block.provenance, 0.22)


def write_dossier_pdf(dossier: Dossier, path: os.PathLike | str, map_layers=None,
                      distances_km: Optional[dict[str, Sequence[float]]] = None, feedback=None) -> Path:
    """Write the dossier to ``path`` atomically.

    Parameters
    ----------
    dossier : Dossier
        From :func:`assessment.report.build_dossier`.
    map_layers : LayerList, optional
        Context layers of the location maps (top first); without them no map is drawn.
    distances_km : dict, optional
        Per block id, the distances (km) to the nearest infrastructure, which set the map's reach.

    Raises
    ------
    DataWriteError
        The file cannot be written.
    Cancelled
        ``feedback`` was cancelled; no file is left behind.
    """
    feedback = ensure_feedback(feedback)
    target = Path(path)
    pdf = DossierPDF(dossier)
    cover_page(pdf)
    count = max(len(dossier.blocks), 1)
    for number, block in enumerate(dossier.blocks):
        feedback.progress(0.95 * number / count, f"block {block.block_id}")
        jpeg = (location_map_jpeg(block, map_layers, (distances_km or {}).get(block.block_id, ()))
                if map_layers is not None else None)
        block_section(pdf, block, jpeg)
    feedback.progress(0.96, f"writing {target.name}")
    with atomic_path(target) as tmp:
        try:
            pdf.output(str(tmp))
        except OSError as exc:
            raise DataWriteError(f"{describe_path(target)}: cannot write: {exc.strerror or exc}") from exc
    feedback.progress(1.0, f"wrote {target.name}")
    return target


def infrastructure_distances(scores) -> dict[str, list[float]]:
    """Per block id, its ``infra_<layer>_km`` values (the map reaches the nearest of them)."""
    from assessment.fields import guess_fields

    columns = [c for c in scores.columns if str(c).startswith("infra_") and str(c).endswith("_km")]
    key = guess_fields([str(c) for c in scores.columns], "blocks").get("block_id")
    if key is None or not columns:
        return {}
    values = scores[columns].apply(lambda col: np.asarray(col, dtype=float))
    return {str(block): [float(v) for v in row] for block, row in zip(scores[key], values.to_numpy())}
