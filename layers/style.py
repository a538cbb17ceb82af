"""Styles as data: what colour, size and label each feature gets (DESIGN.md §2, §7).

The canvas, the PNG/SVG/PDF renderer and the HTML export all read these objects, so a G3 deposit
has the same colour everywhere. A categorised style has the shape of QGIS's
``QgsRendererCategory`` list: (value, colour, label, visible).

How each class is drawn (fill and its opacity, outline, line and marker, in screen pixels, with the
layer's opacity applied) is resolved once here, by :func:`drawn_classes` into :class:`DrawnClass`
values; the canvas, the file renderer, the HTML map and the legend swatches only translate them
into pens, brushes or Leaflet options.

Examples
--------
>>> import pandas as pd
>>> style = CategorisedStyle("licence", [Category("ML", "#0072b2", "Mining lease")])
>>> style.classify(pd.Series(["ML", "CL", None])).tolist()
[0, -1, -1]
>>> style.colours(style.classify(pd.Series(["ML", "CL"]))).tolist()
['#0072b2', '#9e9e9e']
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from assessment.conversion import stages_of
from assessment.screening import GRID_COLUMNS

# Okabe & Ito (2008) colours, each with a contrast of at least 3:1 against white (WCAG 2.1 §1.4.11
# for graphics) and told apart under protanopia, deuteranopia and tritanopia.
UNFC_STAGE_COLOURS = {
    "G1": "#0072b2",  # blue: detailed exploration
    "G2": "#009e73",  # bluish green: general exploration
    "G3": "#d55e00",  # vermillion: preliminary exploration
    "G4": "#cc79a7",  # reddish purple: reconnaissance
}
UNFC_STAGE_LABELS = {
    "G1": "G1 Detailed exploration",
    "G2": "G2 General exploration",
    "G3": "G3 Preliminary exploration",
    "G4": "G4 Reconnaissance",
}
STAGE_UNKNOWN_LABEL = "stage unknown"
STAGE_UNKNOWN_COLOUR = "#666666"  # dark grey: legible on white, apart from G1-G4 under colour blindness

READINESS_COLOURS = {
    "Ready": "#009e73",
    "Ready with conditions": "#b07800",
    "Not ready": "#a50026",
}

# Roles whose features are classed by exploration stage by default.
STAGE_STYLED_ROLES = ("deposits", "blocks")

#: Polygons of these roles narrower on screen than MARK_BELOW_PX (the larger side of their
#: bounding box) also get a square mark of MARK_SIZE_PX in their class colour, so a 2 km block
#: stays visible on a state or India map (the canvas, the file renderer and the HTML map).
MARKED_ROLES = ("blocks",)
MARK_BELOW_PX = 7.0
MARK_SIZE_PX = 12.0
CLASSIFIERS = ("value", "unfc_stage")

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _check_colour(colour: str, what: str) -> None:
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
        raise ValueError(f"{what}: colour {colour!r} is not of the form #rrggbb")


def _as_text(values: pd.Series) -> pd.Series:
    """Values as trimmed strings (missing stays missing); whole floats lose their ``.0``."""
    series = pd.Series(values)
    if pd.api.types.is_float_dtype(series.dtype):
        finite = series.dropna()
        if (finite == finite.round()).all():
            series = series.astype("Int64")
    return series.astype("string").str.strip()


def _stage_labels(values: pd.Series) -> pd.Series:
    """Each value read in any UNFC/CRIRSCO notation and reduced to its stage "G1".."G4" (or missing)."""
    return stages_of(pd.Series(values)).astype("string")


@dataclass
class Category:
    """One class of a categorised style: features whose value is ``value`` are drawn in ``colour``."""

    value: str
    colour: str
    label: str
    visible: bool = True

    def __post_init__(self):
        _check_colour(self.colour, f"category {self.value!r}")


@dataclass
class CategorisedStyle:
    """Colour by category of one field, optionally sized by another and labelled by a third.

    ``field``, ``size_field`` and ``label_field`` are the layer's actual column names. A column
    the data does not have classes every feature as "other" (a finding, not an error).
    ``classifier="unfc_stage"`` reads each value in any notation (331, E2F2G3, (3,3,1), G3,
    "Inferred") and classes it by stage G1..G4; ``"value"`` compares the text of the value.
    ``outline=False`` draws polygons without an outline (a screen's grid of cells, where an
    outline round each cell would hide the colours at state scale).
    """

    field: str
    categories: list[Category]
    classifier: str = "value"
    other_colour: str = "#9e9e9e"
    other_label: str = "other / unknown"
    other_visible: bool = True
    stroke_colour: str = "#333333"
    fill_opacity: float = 0.6
    point_size: float = 7.0
    size_field: str | None = None
    size_range: tuple[float, float] = (5.0, 18.0)
    label_field: str | None = None
    outline: bool = True

    def __post_init__(self):
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"style of {self.field!r}: unknown classifier {self.classifier!r} "
                             f"(expected one of {', '.join(CLASSIFIERS)})")
        _check_colour(self.other_colour, f"style of {self.field!r}, other")
        _check_colour(self.stroke_colour, f"style of {self.field!r}, stroke")
        self.size_range = tuple(float(size) for size in self.size_range)

    def classify(self, values: pd.Series) -> np.ndarray:
        """The category index of every value (``-1`` = other / unknown), as an int array."""
        keys = _stage_labels(values) if self.classifier == "unfc_stage" else _as_text(values)
        lookup = {category.value: index for index, category in enumerate(self.categories)}
        codes = keys.map(lookup, na_action="ignore")
        return codes.fillna(-1).to_numpy(dtype=np.int64)

    def classify_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """:meth:`classify` on ``frame[field]``; all ``-1`` when the column is absent."""
        if self.field not in frame.columns:
            return np.full(len(frame), -1, dtype=np.int64)
        return self.classify(frame[self.field])

    def colour_of(self, index: int) -> str:
        """The colour of category ``index`` (``-1`` → the "other" colour)."""
        return self.other_colour if index < 0 else self.categories[index].colour

    def colours(self, indices: np.ndarray) -> np.ndarray:
        """The colour of each category index, vectorised (``-1`` → the "other" colour)."""
        table = np.array([category.colour for category in self.categories] + [self.other_colour], dtype=object)
        return table[np.asarray(indices)]

    def visible_mask(self, indices: np.ndarray) -> np.ndarray:
        """Whether each feature's category is switched on in the legend."""
        table = np.array([category.visible for category in self.categories] + [self.other_visible], dtype=bool)
        return table[np.asarray(indices)]

    def sizes(self, frame: pd.DataFrame) -> np.ndarray:
        """Point size of every feature (screen pixels).

        Graduated by ``size_field`` when set: symbol *area* grows with the value (size ∝ √value)
        from ``size_range[0]`` at the smallest to ``size_range[1]`` at the largest; missing,
        negative or non-numeric values get the smallest size, and equal values the largest.
        Otherwise every feature gets ``point_size``.
        """
        if self.size_field is None or self.size_field not in frame.columns:
            return np.full(len(frame), float(self.point_size))
        values = pd.to_numeric(frame[self.size_field], errors="coerce").to_numpy(dtype=float)
        roots = np.sqrt(np.where(values >= 0, values, np.nan))
        smallest, largest = self.size_range
        if np.isnan(roots).all():
            return np.full(len(frame), smallest)
        low, high = np.nanmin(roots), np.nanmax(roots)
        scaled = (roots - low) / (high - low) if high > low else np.ones_like(roots)
        return np.where(np.isnan(scaled), smallest, smallest + scaled * (largest - smallest))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with a ``"type"`` key (see :func:`style_from_dict`)."""
        data = asdict(self)
        data["size_range"] = list(self.size_range)
        return {"type": "categorised", **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CategorisedStyle":
        values = _known_keys(cls, data)
        values["categories"] = [Category(**_known_keys(Category, item)) for item in data["categories"]]
        return cls(**values)


@dataclass
class SingleStyle:
    """Every feature in one colour."""

    colour: str = "#1f78b4"
    stroke_colour: str = "#333333"
    fill_opacity: float = 0.4
    point_size: float = 6.0
    line_width: float = 1.2
    label_field: str | None = None

    def __post_init__(self):
        _check_colour(self.colour, "single-colour style")
        _check_colour(self.stroke_colour, "single-colour style, stroke")

    def to_dict(self) -> dict[str, Any]:
        return {"type": "single", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SingleStyle":
        return cls(**_known_keys(cls, data))


@dataclass
class RasterStyle:
    """A colour ramp (a matplotlib/pyqtgraph colormap name) stretched from ``vmin`` to ``vmax``
    (``None``: the band's own range) over one band."""

    colormap: str = "viridis"
    vmin: float | None = None
    vmax: float | None = None
    band: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"type": "raster", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RasterStyle":
        return cls(**_known_keys(cls, data))


Style = CategorisedStyle | SingleStyle | RasterStyle
_STYLE_TYPES = {"categorised": CategorisedStyle, "single": SingleStyle, "raster": RasterStyle}


def _known_keys(cls, data: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that are fields of ``cls`` (a newer file's extra keys are ignored)."""
    names = {item.name for item in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def style_from_dict(data: dict[str, Any]) -> Style:
    """Rebuild a style saved with ``to_dict()``.

    Raises
    ------
    ValueError
        Unknown style type, a missing key or a bad colour.
    """
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in _STYLE_TYPES:
        raise ValueError(f"unknown style type {kind!r}")
    try:
        return _STYLE_TYPES[kind].from_dict(data)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{kind} style is incomplete or malformed: {exc}") from exc


def unfc_stage_style(field: str) -> CategorisedStyle:
    """G1–G4 by exploration stage, read from ``field`` in any notation (the one legend of the app)."""
    categories = [Category(stage, colour, UNFC_STAGE_LABELS[stage])
                  for stage, colour in UNFC_STAGE_COLOURS.items()]
    return CategorisedStyle(field, categories, classifier="unfc_stage", other_colour=STAGE_UNKNOWN_COLOUR,
                            other_label=STAGE_UNKNOWN_LABEL)


def readiness_style(field: str = "readiness", outline: bool = True) -> CategorisedStyle:
    """Scored blocks coloured by readiness class (the ``readiness`` output column)."""
    categories = [Category(name, colour, name) for name, colour in READINESS_COLOURS.items()]
    return CategorisedStyle(field, categories, classifier="value", other_label="not scored",
                            fill_opacity=0.5, outline=outline)


def is_screen(layer) -> bool:
    """Whether a vector layer is a national screen's scored grid of cells (a score output with the
    grid's :data:`~assessment.screening.GRID_COLUMNS`)."""
    return is_scored(layer) and set(GRID_COLUMNS) <= set(layer.columns)


def is_scored(layer) -> bool:
    """Whether a vector layer is a score output (it has the ``readiness`` and ``score`` columns)."""
    return layer.kind == "vector" and {"readiness", "score"} <= set(layer.columns)


def _stage_field(layer) -> str | None:
    """The column a deposits/blocks layer's stage is read from: ``unfc`` first, else ``stage``."""
    return layer.fields.get("unfc") or layer.fields.get("stage")


def default_style_for(layer) -> Style:
    """The style a layer gets when it is opened.

    Rasters get a :class:`RasterStyle`; a score output (blocks or screening cells, with
    ``readiness`` and ``score``) gets :func:`readiness_style`; deposits and blocks with a ``unfc``
    or ``stage`` field get :func:`unfc_stage_style` on it; everything else one colour chosen by role.
    """
    if layer.kind == "raster":
        return RasterStyle(colormap=EVIDENCE_RAMP if layer.role == "evidence" else "viridis")
    if is_scored(layer):
        return readiness_style(outline=not is_screen(layer))
    if layer.role in STAGE_STYLED_ROLES and _stage_field(layer):
        return unfc_stage_style(_stage_field(layer))
    return SingleStyle(**ROLE_STYLE_SETTINGS.get(layer.role, {}))


# Geophysical anomaly grids read best on a diverging ramp: lows blue, background white, highs red.
EVIDENCE_RAMP = "CET-D1"

# One colour per role when nothing better is known; boundaries are outlines only; infrastructure
# points are small and grey so that thousands of stations do not drown the deposits.
ROLE_STYLE_SETTINGS: dict[str, dict[str, Any]] = {
    "deposits": {"colour": "#e69f00", "fill_opacity": 0.7, "point_size": 7.0},
    "blocks": {"colour": "#56b4e9", "fill_opacity": 0.35},
    "forest": {"colour": "#2e7d32", "fill_opacity": 0.35},
    "protected_areas": {"colour": "#6a3d9a", "fill_opacity": 0.3},
    "infrastructure": {"colour": "#8c8c8c", "stroke_colour": "#8c8c8c", "fill_opacity": 1.0, "point_size": 2.5},
    "boundaries": {"colour": "#555555", "fill_opacity": 0.0, "line_width": 0.8},
}


def marks_small_polygons(layer) -> bool:
    """Whether ``layer``'s polygons too small to see get a square mark: blocks and score outputs,
    scattered over a state or India; not a screen's cells, which tile the state edge to edge."""
    return (layer.geometry_kind == "polygon" and (layer.role in MARKED_ROLES or is_scored(layer))
            and not is_screen(layer))


# ---------------------------------------------------------------- how a class is drawn

#: Widths (screen pixels) of a categorised style's strokes; a single-colour style's polygon outlines
#: and lines take its own ``line_width``.
LINE_WIDTH_PX = 1.2
OUTLINE_WIDTH_PX = 0.8
#: Outline of a point marker and of a small polygon's square mark.
MARKER_OUTLINE_PX = 0.8


@dataclass(frozen=True)
class DrawnClass:
    """How one class of a vector style is drawn, the layer's opacity already applied.

    The canvas, the PNG/SVG/PDF renderer, the HTML map and the legend swatches only translate these
    values into pens, brushes or Leaflet options, so a class looks the same in all of them. Sizes
    and widths are screen pixels (96 dpi); opacities are 0..1.

    Attributes
    ----------
    index : int
        The class's category index (``-1`` = "other"; ``0`` for a single-colour style).
    label : str
        Its legend label (empty for a single-colour style: the layer's name labels it).
    visible : bool
        Whether the class is switched on in the legend.
    fill_colour, fill_opacity : str, float
        A polygon's interior; ``fill_opacity`` 0 means the polygon is drawn as an outline only.
    outline_colour, outline_width_px : str, float
        A polygon's outline: the style's stroke colour, or the class colour for an outline-only
        polygon (its outline is all that shows the class).
    line_colour, line_width_px : str, float
        A line feature.
    point_colour, point_size_px : str, float
        A point marker's fill and diameter (the style's size; graduated sizes per feature come from
        :func:`point_sizes_px`).
    point_outline_colour, point_outline_width_px : str, float
        A point marker's outline; the small-polygon mark is drawn with the same colours.
    opacity : float
        Of the outlines, lines and markers (the layer's opacity).
    mark_size_px : float
        Side of the square mark on the class's polygons narrower than :data:`MARK_BELOW_PX`
        (0 when the layer's polygons get no mark).
    """

    index: int
    label: str
    visible: bool
    fill_colour: str
    fill_opacity: float
    outline_colour: str
    outline_width_px: float
    line_colour: str
    line_width_px: float
    point_colour: str
    point_size_px: float
    point_outline_colour: str
    point_outline_width_px: float
    opacity: float
    mark_size_px: float


def resolve_classes(style: CategorisedStyle | SingleStyle, opacity: float = 1.0,
                    marked: bool = False) -> list[DrawnClass]:
    """The :class:`DrawnClass` of every class of a vector style: one per category then "other", or
    one for a single-colour style.

    Parameters
    ----------
    style : CategorisedStyle or SingleStyle
    opacity : float
        The layer's opacity (0..1); it multiplies every opacity of the answer.
    marked : bool
        Whether the layer's polygons too small to see get a square mark
        (:func:`marks_small_polygons`).
    """
    opacity = min(max(float(opacity), 0.0), 1.0)
    fill_opacity = min(max(float(style.fill_opacity), 0.0), 1.0)
    if isinstance(style, CategorisedStyle):
        line_width, outline_width = LINE_WIDTH_PX, OUTLINE_WIDTH_PX if style.outline else 0.0
        entries = [(index, category.colour, category.label, category.visible)
                   for index, category in enumerate(style.categories)]
        entries.append((-1, style.other_colour, style.other_label, style.other_visible))
    else:
        line_width = outline_width = float(style.line_width)
        entries = [(0, style.colour, "", True)]
    return [
        DrawnClass(index=index, label=label, visible=bool(visible),
                   fill_colour=colour, fill_opacity=fill_opacity * opacity,
                   outline_colour=style.stroke_colour if fill_opacity > 0 else colour,
                   outline_width_px=outline_width, line_colour=colour, line_width_px=line_width,
                   point_colour=colour, point_size_px=float(style.point_size),
                   point_outline_colour=style.stroke_colour, point_outline_width_px=MARKER_OUTLINE_PX,
                   opacity=opacity, mark_size_px=MARK_SIZE_PX if marked else 0.0)
        for index, colour, label, visible in entries
    ]


def drawn_classes(layer) -> list[DrawnClass]:
    """:func:`resolve_classes` of a vector layer: its style, its opacity, and the square marks of
    its small polygons when it is a polygon layer of blocks or a score output."""
    return resolve_classes(layer.style, layer.opacity, marks_small_polygons(layer))


def point_sizes_px(layer) -> np.ndarray:
    """Marker diameter (screen pixels) of every feature of a vector layer: graduated by the
    style's size field when it has one (:meth:`CategorisedStyle.sizes`), else the style's size."""
    style = layer.style
    if isinstance(style, CategorisedStyle):
        return np.asarray(style.sizes(layer.data), dtype=float)
    return np.full(layer.feature_count, float(style.point_size))
