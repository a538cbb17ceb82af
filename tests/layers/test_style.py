"""Styles as data: classification, colours, sizes, legend, persistence and the default palettes."""
from __future__ import annotations

import itertools
import json
import numpy as np
import pandas as pd
import pytest

from layers.layer import Layer
from layers.style import (
    LINE_WIDTH_PX, MARK_SIZE_PX, MARKER_OUTLINE_PX, OUTLINE_WIDTH_PX, READINESS_COLOURS, STAGE_UNKNOWN_COLOUR,
    STAGE_UNKNOWN_LABEL, UNFC_STAGE_COLOURS, UNFC_STAGE_LABELS, CategorisedStyle, Category, RasterStyle,
    SingleStyle, default_style_for, drawn_classes, point_sizes_px, readiness_style, resolve_classes,
    style_from_dict, unfc_stage_style,
)

# Machado, Oliveira & Fernandes (2009) full-severity dichromacy matrices, linear RGB.
CVD_MATRICES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal": np.eye(3),
}


def linear_rgb(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def cielab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    ratio = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(ratio > 0.008856, np.cbrt(ratio), 7.787 * ratio + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def contrast_on_white(colour: str) -> float:
    luminance = np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(colour)
    return 1.05 / (luminance + 0.05)


def smallest_difference(colours, matrix) -> float:
    """Smallest CIE76 ΔE between any two colours as seen through ``matrix``."""
    seen = [cielab(np.asarray(matrix) @ linear_rgb(colour)) for colour in colours]
    return min(np.linalg.norm(a - b) for a, b in itertools.combinations(seen, 2))


@pytest.mark.parametrize("palette", [
    list(UNFC_STAGE_COLOURS.values()) + [unfc_stage_style("x").other_colour],
    list(READINESS_COLOURS.values()),
], ids=["unfc_stage", "readiness"])
def test_palettes_are_legible_on_white_and_colour_blind_safe(palette):
    assert all(contrast_on_white(colour) >= 3.0 for colour in palette)  # WCAG 2.1 §1.4.11
    for vision, matrix in CVD_MATRICES.items():
        assert smallest_difference(palette, matrix) > 10, vision


def licence_style() -> CategorisedStyle:
    return CategorisedStyle("licence", [Category("ML", "#0072b2", "Mining lease"),
                                        Category("CL", "#009e73", "Composite licence", visible=False)])


def test_value_classifier_trims_text_and_marks_unknown_as_other():
    indices = licence_style().classify(pd.Series([" ML", "CL", "EL", None, np.nan]))
    assert indices.dtype.kind == "i"
    assert indices.tolist() == [0, 1, -1, -1, -1]


def test_value_classifier_reads_whole_floats_as_integers():
    style = CategorisedStyle("year", [Category("2019", "#000000", "2019")])
    assert style.classify(pd.Series([2019.0, np.nan, 2020.0])).tolist() == [0, -1, -1]
    assert style.classify(pd.Series([2019, 2020])).tolist() == [0, -1]


def test_colours_visibility_and_legend():
    style = licence_style()
    indices = style.classify(pd.Series(["ML", "CL", "EL"]))
    assert style.colours(indices).tolist() == ["#0072b2", "#009e73", "#9e9e9e"]
    assert [style.colour_of(i) for i in indices] == ["#0072b2", "#009e73", "#9e9e9e"]
    assert style.visible_mask(indices).tolist() == [True, False, True]
    assert [(c.fill_colour, c.label, c.visible) for c in resolve_classes(style)] == [
        ("#0072b2", "Mining lease", True), ("#009e73", "Composite licence", False), ("#9e9e9e", "other / unknown", True)]


def test_missing_column_classes_everything_as_other():
    frame = pd.DataFrame({"something": [1, 2]})
    assert licence_style().classify_frame(frame).tolist() == [-1, -1]


def test_sizes_are_graduated_by_square_root():
    frame = pd.DataFrame({"t": [0.0, 25.0, 100.0, None, "n/a", -3.0]})
    style = CategorisedStyle("x", [], size_field="t", size_range=(4, 14))
    sizes = style.sizes(frame)
    np.testing.assert_allclose(sizes, [4.0, 9.0, 14.0, 4.0, 4.0, 4.0])
    assert CategorisedStyle("x", [], point_size=6).sizes(frame).tolist() == [6.0] * 6
    assert CategorisedStyle("x", [], size_field="absent").sizes(frame).tolist() == [7.0] * 6
    same = pd.DataFrame({"t": [5.0, 5.0]})
    assert CategorisedStyle("x", [], size_field="t", size_range=(4, 14)).sizes(same).tolist() == [14.0, 14.0]


def test_bad_colour_or_classifier_is_refused():
    with pytest.raises(ValueError, match="#rrggbb"):
        Category("G1", "blue", "G1")
    with pytest.raises(ValueError, match="classifier"):
        CategorisedStyle("f", [], classifier="jenks")


@pytest.mark.parametrize("style", [
    licence_style(),
    CategorisedStyle("t", [], size_field="t", size_range=(3, 9), label_field="name"),
    unfc_stage_style("G_STAGE"),
    readiness_style(),
    SingleStyle(colour="#123456", label_field="name"),
    RasterStyle(colormap="magma", vmin=-5.0, vmax=12.5, band=2),
])
def test_styles_round_trip_through_json(style):
    data = json.loads(json.dumps(style.to_dict()))
    assert style_from_dict(data) == style


def test_style_from_dict_ignores_unknown_keys_and_refuses_junk():
    data = SingleStyle().to_dict() | {"added_in_a_later_version": 1}
    assert style_from_dict(data) == SingleStyle()
    with pytest.raises(ValueError, match="unknown style type"):
        style_from_dict({"type": "heatmap"})
    with pytest.raises(ValueError, match="categorised style"):
        style_from_dict({"type": "categorised", "field": "x"})


def test_unfc_stage_style_legend():
    style = unfc_stage_style("UNFC")
    assert style.classifier == "unfc_stage" and style.field == "UNFC"
    assert [drawn.label for drawn in resolve_classes(style)] == [
        "G1 Detailed exploration", "G2 General exploration", "G3 Preliminary exploration",
        "G4 Reconnaissance", "stage unknown"]
    assert [drawn.fill_colour for drawn in resolve_classes(style)[:4]] == list(UNFC_STAGE_COLOURS.values())


def test_readiness_style_classes_the_output_column():
    style = readiness_style()
    indices = style.classify(pd.Series(["Ready", "Not ready", "Ready with conditions", ""]))
    assert style.colours(indices).tolist() == [READINESS_COLOURS["Ready"], READINESS_COLOURS["Not ready"],
                                               READINESS_COLOURS["Ready with conditions"], style.other_colour]


def layer(kind="vector", role=None, fields=None):
    return Layer("test", kind=kind, role=role, fields=fields)


def test_default_style_by_role_and_stage_field():
    assert default_style_for(layer(role="deposits", fields={"unfc": "UNFC_CODE", "stage": "G"})) == \
        unfc_stage_style("UNFC_CODE")
    assert default_style_for(layer(role="blocks", fields={"stage": "Expl_Stage"})) == unfc_stage_style("Expl_Stage")
    assert isinstance(default_style_for(layer(role="deposits")), SingleStyle)
    assert isinstance(default_style_for(layer(role="forest", fields={"stage": "x"})), SingleStyle)
    assert default_style_for(layer(role="boundaries")).fill_opacity == 0.0
    assert default_style_for(layer()) == SingleStyle()
    assert isinstance(default_style_for(layer(kind="raster", role="evidence")), RasterStyle)


@pytest.mark.parametrize("value, stage", [
    ("331", "G1"), ("332", "G2"), ("333", "G3"), ("334", "G4"), ("111", "G1"), ("122", "G2"), ("222", "G2"),
    (333, "G3"), (334.0, "G4"),
    ("(3,3,1)", "G1"), ("E2F2G3", "G3"), ("e1 f1 g1", "G1"), ("E1.F2.G2", "G2"), ("E3;F2;G4", "G4"),
    ("G1", "G1"), ("G2 ", "G2"), ("g3", "G3"), ("G4", "G4"),
    ("Measured", "G1"), ("Indicated", "G2"), ("Inferred", "G3"), ("Exploration Target", "G4"),
])
def test_unfc_stage_style_classes_every_notation(value, stage):
    style = unfc_stage_style("UNFC")
    (index,) = style.classify(pd.Series([value]))
    assert style.categories[index].value == stage
    assert style.colour_of(index) == UNFC_STAGE_COLOURS[stage]


def test_unfc_stage_style_unreadable_values_are_stage_unknown():
    style = unfc_stage_style("UNFC")
    values = pd.Series(["335", "G5", "xyz", None, np.nan, "", "E1F1"], dtype=object)
    indices = style.classify(values)
    assert indices.tolist() == [-1] * 7
    assert set(style.colours(indices)) == {style.other_colour}


def test_unfc_stage_style_on_a_numeric_column_with_gaps():
    style = unfc_stage_style("UNFC")
    assert style.classify(pd.Series([331.0, np.nan, 333.0, 334.0])).tolist() == [0, -1, 2, 3]


# ---------------------------------------------------------------- how a class is drawn


@pytest.fixture
def case_layers(external):
    from tests.layers.style_cases import style_case_layers

    return {layer.name: layer for layer in style_case_layers(external)}


def test_stage_classes_are_drawn_in_their_colours_with_the_layer_opacity(case_layers):
    blocks = case_layers["blocks"]
    classes = drawn_classes(blocks)
    assert [(c.index, c.label, c.fill_colour) for c in classes] == (
        [(i, UNFC_STAGE_LABELS[s], UNFC_STAGE_COLOURS[s]) for i, s in enumerate(UNFC_STAGE_COLOURS)]
        + [(-1, STAGE_UNKNOWN_LABEL, STAGE_UNKNOWN_COLOUR)])
    for drawn in classes:
        assert drawn.fill_opacity == pytest.approx(0.6 * 0.5) and drawn.opacity == 0.5
        assert (drawn.outline_colour, drawn.outline_width_px) == ("#333333", OUTLINE_WIDTH_PX)
        assert drawn.mark_size_px == MARK_SIZE_PX and drawn.visible
    assert {c.mark_size_px for c in drawn_classes(case_layers["deposits"])} == {0.0}


def test_readiness_classes_keep_a_class_switched_off(case_layers):
    classes = drawn_classes(case_layers["readiness"])
    assert [(c.label, c.fill_colour, c.visible) for c in classes] == [
        ("Ready", READINESS_COLOURS["Ready"], True),
        ("Ready with conditions", READINESS_COLOURS["Ready with conditions"], True),
        ("Not ready", READINESS_COLOURS["Not ready"], False),
        ("not scored", "#9e9e9e", True)]
    assert {c.fill_opacity for c in classes} == {0.5} and {c.mark_size_px for c in classes} == {MARK_SIZE_PX}


def test_outline_only_polygons_are_outlined_in_their_own_colour(case_layers):
    (states,) = drawn_classes(case_layers["states"])
    assert states.fill_opacity == 0.0
    assert (states.outline_colour, states.outline_width_px) == ("#555555", 0.8)
    (forest,) = drawn_classes(case_layers["forest"])
    assert (forest.fill_opacity, forest.outline_colour, forest.outline_width_px) == (0.35, "#333333", 1.2)


def test_lines_and_points_take_their_widths_sizes_and_opacity(case_layers):
    (roads,) = drawn_classes(case_layers["roads"])
    assert (roads.line_colour, roads.line_width_px, roads.opacity) == ("#b15928", 2.5, 0.6)
    (stations,) = drawn_classes(case_layers["stations"])
    assert (stations.point_colour, stations.point_size_px, stations.point_outline_width_px) == ("#8c8c8c", 2.5,
                                                                                              MARKER_OUTLINE_PX)
    categorised = resolve_classes(unfc_stage_style("unfc"))
    assert {(c.line_width_px, c.outline_width_px, c.opacity) for c in categorised} == {(LINE_WIDTH_PX, OUTLINE_WIDTH_PX, 1.0)}


def test_point_sizes_are_graduated_per_feature(case_layers):
    deposits = case_layers["deposits"]
    sizes = point_sizes_px(deposits)
    tonnage = pd.to_numeric(deposits.data["tonnage_mt"], errors="coerce").to_numpy()
    assert len(sizes) == deposits.feature_count
    assert sizes[np.nanargmax(tonnage)] == 18.0 and sizes.min() == 5.0
    assert (point_sizes_px(case_layers["stations"]) == 2.5).all()

