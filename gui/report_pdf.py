"""Draw a :class:`assessment.report.Dossier` as a PDF: the cover with the tranche ranking, then one
section per block with its location map (the app's renderer) and tables.

Every word and number comes from :mod:`assessment.report`; this module only lays it out. Text is
shaped with HarfBuzz in Noto Sans with Noto Sans Devanagari, Noto Sans Arabic and Noto Sans Math
(arrows, ≤ ≥) as fallbacks (shipped in ``gui/fonts`` under the SIL OFL), and the system's colour
emoji font where there is one, so Devanagari names, Arabic (right to left), ₹ and emoji print
correctly; a character no font draws is printed as its code and listed on a last page (never left
out silently); imported text is printed as text (no markup is interpreted). Every page has a header and "page n of N".
"""
from __future__ import annotations

import datetime
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from fpdf import FPDF
from PySide6 import QtCore, QtGui

from assessment.report import BlockReport, Dossier, Table
from geo.atomic import atomic_path
from geo.feedback import ensure_feedback
from layers.style import READINESS_COLOURS, SingleStyle

FONT_DIR = Path(__file__).with_name("fonts")
FONT, FONT_DEVANAGARI, FONT_ARABIC, FONT_SYMBOLS = "NotoSans", "NotoSansDevanagari", "NotoSansArabic", "NotoSansMath"
#: Emoji are drawn with the system's colour emoji font where there is one (too large to ship:
#: Debian's fonts-noto-color-emoji); without it they are named as not drawn.
FONT_EMOJI = "NotoColorEmoji"
EMOJI_FONT_PATHS = (Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"),
                    Path("/usr/share/fonts/noto/NotoColorEmoji.ttf"),
                    Path("/usr/share/fonts/google-noto-color-emoji/NotoColorEmoji.ttf"),
                    Path("C:/Windows/Fonts/seguiemj.ttf"))
#: Characters that print nothing of their own (joiners, direction marks, variation selectors)
#: and so are never reported as not drawn.
_INVISIBLE_CATEGORIES = ("Cf", "Mn", "Me", "Zs", "Zl", "Zp")
DISPLAY_CRS = "EPSG:7755"


@lru_cache(maxsize=None)
def crs_of(name: str):
    """The pyproj CRS of ``name``, made once: a block map's layers, renderer and geometry cache
    all get the same object (parsing and comparing CRSs was a tenth of a map's time)."""
    from pyproj import CRS

    return CRS.from_user_input(name)


@lru_cache(maxsize=None)
def transformer(source: str, target: str):
    """A pyproj transformer (longitude, latitude order), made once per pair."""
    from pyproj import Transformer

    return Transformer.from_crs(crs_of(source), crs_of(target), always_xy=True)
#: Location map size in pixels and its resolution (about 210 dpi once placed 180 mm wide).
MAP_PX = (1500, 960)
MAP_DPI = 170
MAP_JPEG_QUALITY = 88
#: The block map shows at least this far around the block, and the nearest protected area or
#: infrastructure up to :data:`MAX_CONTEXT_KM` away (block scale: the block stays a large part of the map).
MIN_CONTEXT_KM, MAX_CONTEXT_KM = 3.0, 8.0
#: The block's outline on its map, in map pixels (about 0.6 mm once placed).
HIGHLIGHT_LINE_PX = 5.0
HEADER_FILL = (226, 232, 243)
CELL_PAD_MM = 1.2
#: A row taller than a page starts where it is when at least this many of its lines fit there.
MIN_SPLIT_LINES = 3
MARGIN_MM = 15
BASE_PT = 9


@dataclass(frozen=True)
class CellStyle:
    """How one cell's text is printed."""

    bold: bool = False
    colour: tuple[int, int, int] = (0, 0, 0)


class DossierPDF(FPDF):
    """A4 portrait pages with a running header and a "page n of N" footer."""

    def __init__(self, dossier: Dossier):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.dossier = dossier
        self.section = ""
        self._widths: dict[tuple, float] = {}
        for family in (FONT, FONT_DEVANAGARI, FONT_ARABIC):
            self.add_font(family, "", str(FONT_DIR / f"{family}-Regular.ttf"))
            self.add_font(family, "B", str(FONT_DIR / f"{family}-Bold.ttf"))
        self.add_font(FONT_SYMBOLS, "", str(FONT_DIR / "NotoSansMath-Regular.ttf"))
        fallbacks = [FONT_DEVANAGARI, FONT_ARABIC, FONT_SYMBOLS]
        emoji = next((path for path in EMOJI_FONT_PATHS if path.is_file()), None)
        if emoji is not None:
            self.add_font(FONT_EMOJI, "", str(emoji))
            fallbacks.append(FONT_EMOJI)
        self.set_fallback_fonts(fallbacks, exact_match=False)
        #: Every character some font draws, and those no font draws: character → the sections it was in.
        self.drawn = frozenset(chr(code) for font in self.fonts.values() for code in font.cmap) | {"\n"}
        self.main_font_chars = frozenset.intersection(*(frozenset(map(chr, self.fonts[key].cmap))
                                                        for key in (FONT.lower(), FONT.lower() + "B")))
        self.not_drawn: dict[str, list[str]] = {}
        self.set_margins(MARGIN_MM, 20, MARGIN_MM)
        self.c_margin = CELL_PAD_MM
        self.set_auto_page_break(True, margin=16)
        self.set_title(dossier.title)
        self.set_creator("Khanij")
        self.set_creation_date(datetime.datetime.combine(dossier.generated, datetime.time(), datetime.timezone.utc))

    def cell(self, *args, **kwargs):
        """fpdf2's cell, the font always set anew in the text: fpdf2 2.8 leaves the page's font set
        to a fallback font (Devanagari, Arabic, emoji) after a line that starts with one, and the
        next line in the same font would be drawn with the fallback's glyph numbers (garbage)."""
        self.current_font_is_set_on_page = False
        return super().cell(*args, **kwargs)

    def line_at(self, x: float, y: float, width: float, height: float, text: str, align: str) -> None:
        """One line of a cell ``width`` × ``height`` mm at (``x``, ``y``), aligned "L", "R" or "C"
        inside the cell's padding. A line the main font draws whole, unshaped, is placed with
        fpdf2's plain ``text`` (a sixth of the time of ``cell``, which searches the fallback fonts
        character by character and was most of a dossier's layout time); any other with ``cell``."""
        if self.text_shaping or not set(text) <= self.main_font_chars:
            self.set_xy(x, y)
            self.cell(width, height, text, align=align)
            return
        room = width - 2 * self.c_margin
        shift = {"L": 0.0, "R": room - self.text_width(text), "C": (room - self.text_width(text)) / 2}[align]
        self.current_font_is_set_on_page = False
        self.text(x + self.c_margin + shift, y + 0.5 * height + 0.3 * self.font_size, text)

    def drawable(self, text: str) -> str:
        """``text`` with each character no font can draw replaced by its code (``[U+1F600]``)
        and recorded in :attr:`not_drawn` (listed at the end of the dossier): fpdf2 would leave
        it out without a word."""
        if set(text) <= self.drawn:
            return text
        shown = []
        for char in text:
            if char in self.drawn or (unicodedata.category(char) in _INVISIBLE_CATEGORIES and char != "\t"):
                shown.append(char)
                continue
            where = self.not_drawn.setdefault(char, [])
            if self.section not in where:
                where.append(self.section)
            shown.append(f"[U+{ord(char):04X}]")
        return "".join(shown)

    def shaping_for(self, *texts: str) -> None:
        """Shape with HarfBuzz only the text that needs it (see :func:`needs_shaping`): shaping is
        what makes Devanagari and right-to-left text correct, and the slowest part of the layout."""
        self.set_text_shaping(any(needs_shaping(text) for text in texts))

    def header(self) -> None:
        """The running header; the text shaping of the page broken from is kept (a Devanagari or
        Arabic paragraph that runs onto this page stays shaped)."""
        shaping = self.text_shaping
        self.shaping_for(self.dossier.title, self.section)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(80, 80, 80)
        left = f"Khanij · {self.dossier.title}" + (f" · {self.section}" if self.section else "")
        self.set_xy(MARGIN_MM, 8)
        self.cell(self.epw * 0.75, 5, self.drawable(left), new_x="RIGHT", new_y="TOP")
        self.cell(self.epw * 0.25, 5, self.dossier.generated.isoformat(), align="R")
        if self.dossier.illustrative:
            self.set_xy(MARGIN_MM, 12.5)
            self.set_text_color(165, 0, 38)
            self.cell(self.epw, 4, "ILLUSTRATIVE SAMPLE DATA — NOT OFFICIAL")
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN_MM, 17, self.w - MARGIN_MM, 17)
        self.set_text_color(0, 0, 0)
        self.set_y(20)
        self.text_shaping = shaping

    def footer(self) -> None:
        shaping = self.text_shaping
        self.shaping_for(self.dossier.rules_short)
        self.set_y(-12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(80, 80, 80)
        self.cell(self.epw * 0.75, 5, self.drawable(self.dossier.rules_short))
        self.cell(self.epw * 0.25, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)
        self.text_shaping = shaping

    # -- building blocks ------------------------------------------------------------------------
    #
    # Text is broken into lines here (word widths measured once and cached) and each line drawn
    # with a plain cell: fpdf2's own multi_cell/table line breaking measures every character
    # again for every line and was most of a 100-block dossier's time.

    def text_width(self, text: str) -> float:
        """Width (mm) of ``text`` in the current font, size and shaping; cached."""
        key = (self.font_family, self.font_style, self.font_size_pt, self.text_shaping is not None, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def wrap(self, text: str, width_mm: float) -> list[str]:
        """``text`` in lines no wider than ``width_mm`` in the current font: broken at spaces and
        line breaks, and inside a word only when the word alone is wider (hashes, paths)."""
        lines: list[str] = []
        space = self.text_width(" ")
        for paragraph in str(text).split("\n"):
            line, line_w = "", 0.0
            for word in paragraph.split(" "):
                word_w = self.text_width(word)
                if line and line_w + space + word_w <= width_mm:
                    line, line_w = f"{line} {word}", line_w + space + word_w
                    continue
                if line:
                    lines.append(line)
                pieces = self._split_word(word, width_mm) if word_w > width_mm else [word]
                lines += pieces[:-1]
                line, line_w = pieces[-1], self.text_width(pieces[-1])
            lines.append(line)
        return lines

    def _split_word(self, word: str, width_mm: float) -> list[str]:
        """A word wider than ``width_mm`` in lines: after its hyphens where that is enough, else
        between characters."""
        pieces, piece, piece_w = [], "", 0.0
        for part in re.findall(r"[^-]+-*|-+", word):
            units = list(part) if self.text_width(part) > width_mm else [part]
            for unit in units:
                unit_w = self.text_width(unit)
                if piece and piece_w + unit_w > width_mm:
                    pieces.append(piece)
                    piece, piece_w = "", 0.0
                piece, piece_w = piece + unit, piece_w + unit_w
        return pieces + [piece]

    def _set_style(self, size: float, style: CellStyle) -> None:
        self.set_font(FONT, "B" if style.bold else "", size)
        self.set_text_color(*style.colour)

    def rows(self, rows: Sequence[Sequence[str]], widths: Sequence[float], align: str, size: float,
             styles, rule: bool = False, fill=None, repeat=None, pad_mm: float = 0.8, middle: bool = True) -> None:
        """Rows of wrapped cells across ``widths`` (mm), from the current position down.

        A row that does not fit the rest of the page starts the next one (after ``repeat()``, which
        draws the table's header again); only a row taller than a whole page is split between pages,
        from where it starts (so a page is never left empty before it).
        ``styles(row, column, text)`` gives each cell's :class:`CellStyle`; cells shorter than their
        row are centred in it when ``middle``, else at its top.
        """
        for row_index, values in enumerate(rows):
            cells = []
            for column, (text, width) in enumerate(zip(values, widths)):
                style = styles(row_index, column, text)
                self._set_style(size, style)
                cells.append((style, self.wrap(self.drawable(str(text)), width - 2 * CELL_PAD_MM)))
            self._draw_row(cells, widths, align, size, rule, fill, repeat, pad_mm, middle)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, "", BASE_PT)

    def _draw_row(self, cells, widths, align: str, size: float, rule: bool, fill, repeat, pad_mm: float,
                  middle: bool) -> None:
        line_h = size * 0.47
        total = max(len(lines) for _style, lines in cells)
        page_lines = int((self.page_break_trigger - self.t_margin - 2 * pad_mm) // line_h)
        done, fresh_page = 0, False
        while done < total:
            room = int((self.page_break_trigger - self.get_y() - 2 * pad_mm) // line_h)
            taller_than_a_page = total - done > page_lines - 2 and room >= MIN_SPLIT_LINES
            if room < total - done and not fresh_page and not taller_than_a_page:
                self.add_page()
                if repeat is not None:
                    repeat()
                fresh_page = True
                continue
            take = max(1, min(room, total - done))
            top = self.get_y()
            height = take * line_h + 2 * pad_mm
            if fill is not None:
                self.set_fill_color(*fill)
                self.rect(self.l_margin, top, sum(widths), height, style="F")
            x = self.l_margin
            for (style, lines), width, where in zip(cells, widths, align):
                shown = lines[done:done + take]
                offset = (take - len(shown)) * line_h / 2 if middle and take == total else 0.0
                self._set_style(size, style)
                for number, line in enumerate(shown):
                    self.line_at(x, top + pad_mm + offset + number * line_h, width, line_h, line, where)
                x += width
            self.set_y(top + height)
            if rule:
                self.set_draw_color(170, 170, 170)
                self.line(self.l_margin, top + height, self.l_margin + sum(widths), top + height)
            done += take
            fresh_page = False

    def heading(self, text: str, size: float = 12.0, keep_mm: float = 25.0) -> None:
        """A bold heading kept on the same page as the first ``keep_mm`` of what follows."""
        if self.will_page_break(size * 0.6 + keep_mm):
            self.add_page()
        self.shaping_for(text)
        self.ln(1.5)
        self.rows([[text]], [self.epw], "L", size, lambda *_: CellStyle(bold=True), pad_mm=0.2)
        self.ln(0.8)

    def paragraph(self, text: str, size: float = BASE_PT, colour=(0, 0, 0), bold: bool = False) -> None:
        self.shaping_for(text)
        self.rows([[text]], [self.epw], "L", size, lambda *_: CellStyle(bold, colour), pad_mm=0.0)

    def key_values(self, rows: Sequence[tuple[str, str]], key_share: float = 0.3, size: float = BASE_PT - 0.5) -> None:
        """Label in bold, value beside it (wrapped); a row never splits from its label."""
        self.shaping_for(*(text for row in rows for text in row))
        key_w = self.epw * key_share
        self.rows(rows, [key_w, self.epw - key_w], "LL", size, lambda _r, column, _t: CellStyle(bold=column == 0),
                  pad_mm=0.6, middle=False)
        self.ln(2)

    def grid(self, table: Table, headings: bool = True, size: float = BASE_PT - 0.5, fills: Optional[dict] = None) -> None:
        """A table across the text width; its header repeats on each page it spans. Cells whose
        text is a key of ``fills`` are printed in bold in that colour."""
        if not table.rows:
            return
        self.shaping_for(*table.columns, *(value for row in table.rows for value in row))
        widths = [self.epw * w / sum(table.widths) for w in table.widths]
        align = table.align

        def header() -> None:
            self.rows([table.columns], widths, align, size, lambda *_: CellStyle(bold=True), fill=HEADER_FILL)

        def style(_row: int, column: int, text: str) -> CellStyle:
            if not headings and column == 0:
                return CellStyle(bold=True)
            if fills and text in fills:
                return CellStyle(bold=True, colour=fills[text])
            return CellStyle()

        if headings:
            first_row_mm = size * 0.47 * 2 + 1.6
            if self.will_page_break(2 * first_row_mm):
                self.add_page()
            header()
        self.rows(table.rows, widths, align, size, style, rule=headings, repeat=header if headings else None)
        self.ln(2)


def needs_shaping(text: str) -> bool:
    """True when ``text`` has combining marks (Devanagari vowel signs, viramas …), right-to-left
    letters or direction controls, or joiners (emoji sequences), which print correctly only when
    shaped."""
    return any(unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
               or unicodedata.bidirectional(char) in ("R", "AL", "RLO", "RLE", "RLI", "LRO", "LRE", "LRI")
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


def highlight_layer(block: BlockReport, source=None):
    """The block itself as a thick outline drawn above everything else (``source``: the scores file)."""
    import geopandas as gpd

    from layers.layer import Layer

    frame = gpd.GeoDataFrame({"block": [block.block_id]}, geometry=[block.geometry_wgs84], crs=crs_of("EPSG:4326"))
    style = SingleStyle(colour="#000000", stroke_colour="#000000", fill_opacity=0.0, line_width=HIGHLIGHT_LINE_PX)
    return Layer(f"This block: {block.block_id}", frame, source=source, role=None, style=style,
                 illustrative=block.illustrative)


NEAREST_STYLE = {"colour": "#d62728", "stroke_colour": "#000000", "fill_opacity": 1.0, "point_size": 9.0,
                 "line_width": 3.0}


def nearest_layers(block_display, map_layers, caches, extent) -> list:
    """Per infrastructure layer, its feature nearest the block as a layer of its own: a larger red
    marker labelled with the feature's name, so the map shows which station the distance is to
    (left out when it lies beyond the map's ``extent``)."""
    import shapely

    from assessment.fields import guess_fields
    from layers.layer import Layer

    display_crs = crs_of(DISPLAY_CRS)
    found = []
    for layer in map_layers:
        if layer.role != "infrastructure" or layer.kind != "vector" or not layer.visible:
            continue
        geometry = caches.store.geometry(layer, display_crs)
        if geometry is None or not len(geometry):
            continue
        nearest = geometry.tree.query_nearest(block_display, return_distance=False, all_matches=False)
        if not len(nearest) or not shapely.intersects(shapely.box(*extent), geometry.geoms[int(nearest[-1])]):
            continue
        name_field = guess_fields([str(c) for c in layer.data.columns], "infrastructure").get("name")
        style = SingleStyle(**NEAREST_STYLE, label_field=name_field)
        found.append(Layer(f"Nearest: {layer.name}", layer.data.iloc[[int(nearest[-1])]], source=layer.source,
                           role=None, style=style, illustrative=layer.illustrative))
    return found


ZONE_STYLES = {
    "npws": {"colour": "#6a3d9a", "stroke_colour": "#4b2a6e", "fill_opacity": 0.35, "line_width": 1.5},
    "esz": {"colour": "#b2df8a", "stroke_colour": "#33a02c", "fill_opacity": 0.35, "line_width": 1.5},
    "1 km": {"colour": "#e31a1c", "stroke_colour": "#e31a1c", "fill_opacity": 0.0, "line_width": 2.5},
    "10 km": {"colour": "#ff7f00", "stroke_colour": "#ff7f00", "fill_opacity": 0.0, "line_width": 2.0},
}
PILLAR_STYLE = {"colour": "#000000", "stroke_colour": "#ffffff", "fill_opacity": 1.0, "point_size": 7.0,
                "label_field": "pillar"}
NO_MINING_KM, NBWL_KM = 1.0, 10.0
#: Graticule steps tried (degrees), the first giving at most :data:`GRATICULE_LINES` lines across.
GRATICULE_STEPS = (1 / 60, 2 / 60, 5 / 60, 10 / 60, 15 / 60, 0.5, 1.0, 2.0)
GRATICULE_LINES = 8
#: Points per graticule line: meridians and parallels are near straight across a block map in
#: the Lambert conformal conic display CRS.
GRATICULE_SAMPLES = 6
INSET_SHARE = 0.24


@dataclass
class MapContext:
    """The layers of every block map, prepared once per dossier: the context layers with the
    protected areas split into national parks/sanctuaries and eco-sensitive zones (each its own
    legend entry, the parks labelled by name), the parks in the display CRS for the 1 km and
    10 km zones, and the state outlines for the locator inset."""

    layers: list
    npws: object = None
    npws_names: Sequence[str] = ()
    states: object = None
    #: The locator inset's state outlines, drawn once per state (see :func:`draw_locator`).
    insets: dict = field(default_factory=dict)
    #: The context layers' geometry for the questions asked of every map (what is in view, the
    #: nearest feature), kept whole: the renderer's own cache forgets the layers a map leaves out.
    lookup: object = None

    def __post_init__(self):
        from gui.render import RenderCaches

        self.lookup = self.lookup or RenderCaches()


def map_context(map_layers) -> MapContext:
    import geopandas as gpd

    from assessment.criteria.protected import is_eco_sensitive
    from assessment.fields import guess_fields
    from layers.layer import Layer

    layers, npws, names, states = [], None, (), None
    for layer in (l for l in map_layers if l.kind == "vector"):
        if layer.role == "boundaries" and states is None:
            states = layer.data.geometry.to_crs(DISPLAY_CRS)
        if layer.role != "protected_areas" or not len(layer.data):
            layers.append(layer)
            continue
        fields = guess_fields([str(c) for c in layer.data.columns], "protected_areas")
        esz = (is_eco_sensitive(layer.data[fields["pa_type"]]) if "pa_type" in fields
               else np.zeros(len(layer.data), dtype=bool))
        name_field = fields.get("name")
        for kind, chosen, title in (("npws", ~esz, "National parks and wildlife sanctuaries"),
                                    ("esz", esz, "Eco-sensitive zones (notified)")):
            if chosen.any():
                style = SingleStyle(**ZONE_STYLES[kind], label_field=name_field if kind == "npws" else None)
                layers.append(Layer(title, layer.data[chosen], source=layer.source, role=None, style=style,
                                    illustrative=layer.illustrative))
        npws = gpd.GeoSeries(layer.data.geometry[~esz].to_crs(DISPLAY_CRS).values, crs=DISPLAY_CRS)
        names = [str(v) for v in layer.data[name_field][~esz]] if name_field else [""] * int((~esz).sum())
    return MapContext(layers, npws, names, states)


def nearest_protected_layer(block_display, context: MapContext, extent) -> list:
    """The nearest park or sanctuary named at its point nearest the block (where the distance is
    measured to), when that point is on the map."""
    import geopandas as gpd
    import shapely

    from layers.layer import Layer

    if context.npws is None or not len(context.npws):
        return []
    position = int(context.npws.sindex.nearest(block_display, return_all=False)[1][0])
    line = shapely.shortest_line(block_display, context.npws.iloc[position])
    point = shapely.get_point(line, 1)
    if not shapely.box(*extent).contains(point):
        return []
    frame = gpd.GeoDataFrame({"name": [context.npws_names[position]]}, geometry=[point], crs=crs_of(DISPLAY_CRS))
    style = SingleStyle(**NEAREST_STYLE, label_field="name")
    return [Layer("Nearest national park or sanctuary", frame, role=None, style=style)]


#: A zone's name is written on its edge at least this far (m) from the block (clear of its pillars).
ZONE_LABEL_CLEARANCE_M = 800.0
ZONE_TITLES = ((NBWL_KM, "10 km zone (NBWL Standing Committee)", "10 km NBWL zone"),
               (NO_MINING_KM, "1 km no-mining zone", "1 km no-mining zone"))


def zone_layers(context: MapContext, extent, illustrative: bool, block_display=None) -> list:
    """The 1 km no-mining zone and the 10 km NBWL zone around the parks and sanctuaries near the
    map (outlines, each its own legend entry). Each frame's ``label`` column says where the
    zone's name is written on the map: the point of its outer edge nearest the block, at least
    :data:`ZONE_LABEL_CLEARANCE_M` from it (display CRS; None without a block)."""
    import geopandas as gpd
    import shapely

    from layers.layer import Layer

    if context.npws is None or not len(context.npws):
        return []
    reach = shapely.box(*extent).buffer(NBWL_KM * 1000.0)
    near = context.npws[context.npws.intersects(reach)]
    found = []
    for km, title, short in ZONE_TITLES:
        if not len(near):
            break
        outer = shapely.union_all(near.buffer(km * 1000.0).values)
        ring = shapely.difference(outer, shapely.union_all(near.values))
        edge = (shapely.difference(outer.boundary, block_display.buffer(ZONE_LABEL_CLEARANCE_M))
                if block_display is not None else None)
        label = shapely.get_point(shapely.shortest_line(block_display, edge), 1) if edge and not edge.is_empty else None
        frame = gpd.GeoDataFrame({"zone": [short], "label": [label]}, geometry=[ring], crs=crs_of(DISPLAY_CRS))
        found.append(Layer(title, frame, role=None, style=SingleStyle(**ZONE_STYLES[f"{km:g} km"]),
                           illustrative=illustrative))
    return found[::-1]


def draw_zone_labels(painter: QtGui.QPainter, rect: QtCore.QRectF, to_pixel: QtGui.QTransform, zones,
                     font_px: int) -> None:
    """Each zone's name (bold, haloed) where its outer edge passes nearest the block, when that
    point is on the map."""
    from gui.render import halo_text

    painter.save()
    font = painter.font()
    font.setPixelSize(int(font_px * 0.85))
    font.setBold(True)
    painter.setFont(font)
    for layer in zones:
        point = layer.data["label"].iloc[0]
        if point is None:
            continue
        anchor = to_pixel.map(QtCore.QPointF(point.x, point.y))
        if not rect.contains(anchor):
            continue
        box = QtCore.QRectF(anchor.x() + 4, anchor.y() - font_px * 1.3, font_px * 12, font_px * 1.2)
        side = QtCore.Qt.AlignmentFlag.AlignLeft
        if box.right() > rect.right():                  # near the right edge: the name ends at the line
            box.moveRight(anchor.x() - 4)
            side = QtCore.Qt.AlignmentFlag.AlignRight
        halo_text(painter, box, side | QtCore.Qt.AlignmentFlag.AlignVCenter, str(layer.data["zone"].iloc[0]))
    painter.restore()


def has_features_in(layer, extent, caches) -> bool:
    """Whether ``layer`` has a feature within ``extent`` (display CRS): the block map's legend
    lists only what the map shows, as a print layout's legend filtered by its map does."""
    import shapely

    geometry = caches.store.geometry(layer, crs_of(DISPLAY_CRS))
    return geometry is not None and len(geometry) > 0 and len(geometry.tree.query(shapely.box(*extent))) > 0


def pillar_layer(block: BlockReport):
    """The block's boundary pillars, labelled BP-1 … as in its table."""
    import geopandas as gpd
    from shapely.geometry import Point

    from layers.layer import Layer

    frame = gpd.GeoDataFrame({"pillar": [p.label for p in block.pillars]},
                             geometry=[Point(p.lon, p.lat) for p in block.pillars], crs=crs_of("EPSG:4326"))
    return Layer("Boundary pillars (BP-1 …)", frame, role=None, style=SingleStyle(**PILLAR_STYLE),
                 illustrative=block.illustrative)


def location_map_jpeg(block: BlockReport, map_layers, distances_km: Sequence[float], feedback=None,
                      caches=None, context: Optional[MapContext] = None) -> bytes:
    """The block map at block scale, rendered by the app's renderer, as JPEG bytes: the block and
    its numbered pillars, the nearest infrastructure named, parks and sanctuaries (named) with
    their 1 km and 10 km zones, eco-sensitive zones, forest, deposits by stage, a latitude/
    longitude graticule and a locator inset of the block in its state.

    ``caches`` (a :class:`gui.render.RenderCaches`) shares the layers' prepared geometry between
    the blocks' maps; ``context`` (:func:`map_context`) their split protected areas.
    """
    import shapely

    from gui.render import RenderCaches, fit_extent, layout_for, render_map_image, world_to_pixel
    from layers.layer import LayerList

    caches = caches if caches is not None else RenderCaches()
    context = context if context is not None else map_context(map_layers)
    display = shapely.transform(block.geometry_wgs84, lambda xy: np.column_stack(
        transformer("EPSG:4326", DISPLAY_CRS).transform(xy[:, 0], xy[:, 1])))
    extent = location_extent(display, context_km(distances_km))
    scores_source = next((layer.source for layer in context.layers if layer.role == "blocks"), None)
    in_view = [layer for layer in context.layers if has_features_in(layer, extent, context.lookup)]
    zones = zone_layers(context, extent, block.illustrative, display)
    layers = LayerList([*nearest_layers(display, context.layers, context.lookup, extent),
                        *nearest_protected_layer(display, context, extent), pillar_layer(block),
                        highlight_layer(block, scores_source), *zones, *in_view])
    image = render_map_image(layers, MAP_PX[0], MAP_PX[1], MAP_DPI, title=None, extent=extent,
                             display_crs=crs_of(DISPLAY_CRS), feedback=feedback, caches=caches)
    layout = layout_for(layers, MAP_PX[0], MAP_PX[1], MAP_DPI, None)
    shown = fit_extent(extent, layout.map.width(), layout.map.height())
    painter = QtGui.QPainter(image)
    try:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        to_pixel = world_to_pixel(shown, layout.map)
        draw_graticule(painter, layout.map, shown, to_pixel, layout.font_px)
        draw_zone_labels(painter, layout.map, to_pixel, zones, layout.font_px)
        if context.states is not None:
            draw_locator(painter, layout.map, context, display)
    finally:
        painter.end()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QtGui.QImage.Format.Format_RGB32).save(buffer, "JPG", MAP_JPEG_QUALITY)
    return bytes(buffer.data())


def graticule_step(span_deg: float) -> float:
    """The graticule interval (degrees) for a map ``span_deg`` wide: the finest of
    :data:`GRATICULE_STEPS` giving at most :data:`GRATICULE_LINES` lines."""
    return next((step for step in GRATICULE_STEPS if span_deg / step <= GRATICULE_LINES), GRATICULE_STEPS[-1])


def _dm_label(value: float, axis: str) -> str:
    """A graticule label in degrees and whole minutes: 23°15'N."""
    hemisphere = ("N" if value >= 0 else "S") if axis == "lat" else ("E" if value >= 0 else "W")
    minutes = round(abs(value) * 60)
    return f"{minutes // 60}°{minutes % 60:02d}'{hemisphere}"


def draw_graticule(painter: QtGui.QPainter, rect: QtCore.QRectF, extent, to_pixel: QtGui.QTransform,
                   font_px: int) -> None:
    """Meridians and parallels (WGS 84) across the map ``rect``, labelled on its edges."""
    to_display = transformer("EPSG:4326", DISPLAY_CRS)
    to_wgs84 = transformer(DISPLAY_CRS, "EPSG:4326")
    corners = np.array([[extent[0], extent[1]], [extent[2], extent[1]], [extent[0], extent[3]], [extent[2], extent[3]]])
    lons, lats = to_wgs84.transform(corners[:, 0], corners[:, 1])
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    step = graticule_step(max(east - west, north - south))
    painter.save()
    painter.setClipRect(rect)
    # Thin dashed lines without antialiasing: as clear on paper, and antialiased dashes were a
    # fifth of a block map's drawing time.
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
    pen = QtGui.QPen(QtGui.QColor(90, 90, 90, 170), 1.0)
    pen.setStyle(QtCore.Qt.PenStyle.DashLine)
    font = painter.font()
    font.setPixelSize(int(font_px * 0.8))
    painter.setFont(font)
    samples = np.linspace(0.0, 1.0, GRATICULE_SAMPLES)
    for axis, first, last, across in (("lon", west, east, (south, north)), ("lat", south, north, (west, east))):
        value = np.ceil(first / step) * step
        while value <= last + 1e-12:
            along = across[0] + samples * (across[1] - across[0])
            lon, lat = (np.full_like(along, value), along) if axis == "lon" else (along, np.full_like(along, value))
            x, y = to_display.transform(lon, lat)
            points = [to_pixel.map(QtCore.QPointF(float(px), float(py))) for px, py in zip(x, y)]
            painter.setPen(pen)
            painter.drawPolyline(QtGui.QPolygonF(points))
            _graticule_label(painter, rect, points, _dm_label(float(value), axis), axis, font_px)
            value += step
    painter.restore()


def _graticule_label(painter: QtGui.QPainter, rect: QtCore.QRectF, points, text: str, axis: str, font_px: int) -> None:
    """The label where a meridian meets the bottom edge, or a parallel the left edge."""
    if axis == "lon":
        inside = [p for p in points if rect.left() < p.x() < rect.right()]
        anchor = max(inside, key=lambda p: p.y(), default=None)
        if anchor is None:
            return
        box = QtCore.QRectF(anchor.x() + 3, rect.bottom() - font_px * 1.4, font_px * 6, font_px * 1.2)
        scale_bar = QtCore.QRectF(rect.left(), rect.bottom() - font_px * 3.5, rect.width() / 4 + font_px * 3,
                                  font_px * 3.5)
        if box.intersects(scale_bar) or box.right() > rect.right():
            return
    else:
        inside = [p for p in points if rect.top() < p.y() < rect.bottom()]
        anchor = min(inside, key=lambda p: p.x(), default=None)
        if anchor is None:
            return
        box = QtCore.QRectF(rect.left() + 3, anchor.y() - font_px * 1.25, font_px * 7, font_px * 1.2)
    from gui.render import halo_text

    halo_text(painter, box, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, text)


def draw_locator(painter: QtGui.QPainter, rect: QtCore.QRectF, context: MapContext, block_display) -> None:
    """An inset in the map's top-left corner: the state holding the block, the block as a red
    square. The state's outline is prepared once per state and map size (``context.insets``)."""
    import shapely

    states = context.states
    centre = block_display.representative_point()
    holding = states[states.intersects(centre)]
    if not len(holding):
        holding = states[states.distance(centre) == states.distance(centre).min()]
    side = rect.width() * INSET_SHARE
    box = QtCore.QRectF(rect.left() + 6, rect.top() + 6, side, side)
    key = (tuple(holding.index), box.x(), box.y(), side)
    if key not in context.insets:
        outline = shapely.union_all(holding.values)
        minx, miny, maxx, maxy = outline.bounds
        scale = 0.9 * side / max(maxx - minx, maxy - miny, 1.0)
        centre_xy = ((minx + maxx) / 2, (miny + maxy) / 2)
        simple = shapely.simplify(outline, (maxx - minx) / 400)
        rings = [np.asarray(polygon.exterior.coords) for polygon in getattr(simple, "geoms", [simple])
                 if getattr(polygon, "exterior", None) is not None]
        to_box = lambda xy: np.column_stack([box.center().x() + (xy[:, 0] - centre_xy[0]) * scale,  # noqa: E731
                                             box.center().y() - (xy[:, 1] - centre_xy[1]) * scale])
        polygons = [QtGui.QPolygonF([QtCore.QPointF(x, y) for x, y in to_box(ring)]) for ring in rings]
        context.insets[key] = (polygons, to_box)
    polygons, to_box = context.insets[key]
    (spot_x, spot_y), = to_box(np.array([[centre.x, centre.y]]))
    painter.save()
    painter.setPen(QtGui.QPen(QtGui.QColor("#444444"), 1.5))
    painter.setBrush(QtGui.QColor("#ffffff"))
    painter.drawRect(box)
    painter.setBrush(QtGui.QColor("#e8e8e8"))
    for polygon in polygons:
        painter.drawPolygon(polygon)
    mark = max(6.0, side * 0.04)
    painter.setPen(QtGui.QPen(QtGui.QColor("#000000"), 1.2))
    painter.setBrush(QtGui.QColor("#d62728"))
    painter.drawRect(QtCore.QRectF(spot_x - mark / 2, spot_y - mark / 2, mark, mark))
    painter.restore()


# ---------------------------------------------------------------- pages


def cover_page(pdf: DossierPDF) -> None:
    dossier = pdf.dossier
    pdf.section = "Tranche ranking"
    pdf.add_page()
    pdf.start_section("Cover and tranche ranking", level=0)
    pdf.paragraph(dossier.title, 18, bold=True)
    pdf.ln(1.5)
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
    """One block: the Mineral Block Summary, its map, pillars, land, resources, gates, conditions,
    criteria, what is missing and the provenance."""
    pdf.section = block.block_id
    pdf.add_page()
    pdf.start_section(block.title, level=0)
    pdf.paragraph(block.title, 15, bold=True)
    pdf.ln(0.8)
    score = "—" if block.score is None else f"{block.score:.1f}"
    pdf.paragraph(f"{block.readiness or 'not scored'} · score {score} of 100", 11,
                  READINESS_RGB.get(block.readiness, (0, 0, 0)), bold=True)
    pdf.ln(0.8)
    if block.missing_items:
        pdf.paragraph("Missing: " + "; ".join(block.missing_items), BASE_PT, (165, 0, 38))
    pdf.ln(1)
    if map_jpeg is not None:
        width = pdf.epw
        height = width * MAP_PX[1] / MAP_PX[0]
        if pdf.will_page_break(height + 2):
            pdf.add_page()
        pdf.image(io.BytesIO(map_jpeg), x=pdf.l_margin, w=width, h=height, alt_text=f"Block map of {block.block_id}")
        pdf.set_y(pdf.get_y() + 1)
        pdf.paragraph(MAP_CAPTION, 7.5, (70, 70, 70))
    pdf.heading("Mineral Block Summary", 11)
    pdf.key_values(block.facts)
    pdf.heading("Boundary pillars", 11)
    pdf.paragraph(block.corner_note, 8)
    pdf.grid(block.corners)
    pdf.heading("Land: forest by legal status and non-forest", 11)
    pdf.grid(block.land)
    pdf.paragraph(block.land_note, 8, (70, 70, 70))
    pdf.heading("Resources by category", 11)
    if block.resources is not None:
        pdf.grid(block.resources)
    pdf.paragraph(block.resources_note, 8)
    if block.geology:
        pdf.ln(1)
        pdf.key_values([(f"Geology note: {name}", note) for name, note in block.geology])
    pdf.heading("Classification of the block", 11)
    pdf.key_values(block.classification)
    pdf.heading("Statutory gates", 11)
    pdf.grid(block.gates_table(), fills=STATUS_RGB)
    pdf.heading("Conditions", 11)
    if block.conditions:
        pdf.grid(Table(["Condition", "Law"], [[text, source or "—"] for text, source in block.conditions],
                       [5.0, 3.5], "LL"))
    else:
        pdf.paragraph(block.conditions_note)
    pdf.heading("Scored criteria", 11)
    pdf.grid(block.criteria_table())
    pdf.heading("What is missing", 11)
    if block.missing_items:
        for item in block.missing_items:
            pdf.paragraph(f"•  {item}")
    else:
        pdf.paragraph("Nothing: every gate is passed for the intended licence.")
    if block.explanation:
        pdf.heading("Reasoning (as written by the scorer)", 11)
        pdf.paragraph(block.explanation, 8)
    pdf.heading("Provenance", 11)
    pdf.key_values(block.provenance, 0.22)
    review_section(pdf, block)


def review_section(pdf: DossierPDF, block: BlockReport) -> None:
    """The block's review decisions, oldest first (issue 15), when the dossier was made with a review store."""
    if block.review is None:
        return
    pdf.heading("Review decisions", 11)
    if block.review.rows:
        pdf.grid(block.review)
    else:
        pdf.paragraph("No decision recorded yet.")


MAP_CAPTION = ("Block map: the block outlined in black with its boundary pillars BP-1 … numbered as in the table; "
               "national parks and sanctuaries with their 1 km no-mining zone and 10 km NBWL zone, eco-sensitive "
               "zones, forest, deposits by UNFC stage; the nearest protected area and the nearest feature of each "
               "infrastructure layer named in red; latitude/longitude graticule (WGS 84); the inset locates the "
               "block in its state.")


def end_page(pdf: DossierPDF, title: str, intro: str, table: Table) -> None:
    """A page after the blocks (bookmarked, its title in the running header): title, a line
    saying what the table holds, the table."""
    pdf.section = title
    pdf.add_page()
    pdf.start_section(title, level=0)
    pdf.paragraph(title, 15, bold=True)
    pdf.ln(1)
    pdf.paragraph(intro, 9, (70, 70, 70))
    pdf.ln(1)
    pdf.grid(table)


def inputs_page(pdf: DossierPDF) -> None:
    """What the scores were computed from: layers with their roles and fields, rules, as-of date."""
    if pdf.dossier.inputs is not None:
        end_page(pdf, "Scoring inputs", "The layers (with the fields each role was read from), the rules file and "
                 "the as-of date the scores in this dossier were computed from, each once.", pdf.dossier.inputs)


def key_page(pdf: DossierPDF) -> None:
    """The key to the short references printed in the dossier (rule ids, classification sources)."""
    if pdf.dossier.key:
        end_page(pdf, "Key to short references", "The short references in the tables (the Key column of the gates, "
                 "notes in brackets) stand for these laws and sources.",
                 Table(["Reference", "Law or source"], [[code, text] for code, text in pdf.dossier.key], [2.0, 7.0], "LL"))


def not_drawn_rows(pdf: DossierPDF) -> list[list[str]]:
    """One row per character no font could draw: its code, its Unicode name, where it was."""
    return [[f"U+{ord(char):04X}", unicodedata.name(char, "control character").lower(), ", ".join(where)]
            for char, where in sorted(pdf.not_drawn.items())]


def not_drawn_page(pdf: DossierPDF) -> None:
    """The characters no font could draw, named (printed in their place as ``[U+…]``)."""
    rows = not_drawn_rows(pdf)
    if rows:
        end_page(pdf, "Characters not drawn", "No font of this dossier can draw these characters; each is printed in "
                 "its place as its code in brackets, e.g. [U+1F600].", Table(["Code", "Character", "Where"], rows,
                                                                              [1.3, 4.0, 4.0], "LLL"))


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
    from gui.render import RenderCaches

    feedback = ensure_feedback(feedback)
    target = Path(path)
    pdf = DossierPDF(dossier)
    caches = RenderCaches()
    context = map_context(map_layers) if map_layers is not None else None
    cover_page(pdf)
    count = max(len(dossier.blocks), 1)
    for number, block in enumerate(dossier.blocks):
        feedback.progress(0.95 * number / count, f"block {block.block_id}")
        jpeg = (location_map_jpeg(block, map_layers, (distances_km or {}).get(block.block_id, ()), caches=caches,
                                  context=context)
                if map_layers is not None else None)
        block_section(pdf, block, jpeg)
    inputs_page(pdf)
    key_page(pdf)
    not_drawn_page(pdf)
    for code, name, where in not_drawn_rows(pdf):
        feedback.warn(f"{target.name}: no font draws {code} ({name}) in {where}; it is printed as [{code}]")
    feedback.progress(0.96, f"writing {target.name}")
    with atomic_path(target) as tmp:
        pdf.output(str(tmp))
    feedback.progress(1.0, f"wrote {target.name}")
    return target


def infrastructure_distances(scores) -> dict[str, list[float]]:
    """Per block id, its ``infra_<layer>_km`` and ``protected_km`` values (the map reaches the
    nearest of them, within :data:`MAX_CONTEXT_KM`)."""
    from assessment.fields import guess_fields

    columns = [c for c in scores.columns if str(c).startswith("infra_") and str(c).endswith("_km")]
    columns += [c for c in scores.columns if c == "protected_km"]
    key = guess_fields([str(c) for c in scores.columns], "blocks").get("block_id")
    if key is None or not columns:
        return {}
    values = scores[columns].apply(lambda col: np.asarray(col, dtype=float))
    return {str(block): [float(v) for v in row] for block, row in zip(scores[key], values.to_numpy())}
