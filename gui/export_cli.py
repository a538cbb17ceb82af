"""``khanij report`` and ``khanij export-map``: the headless twins of File → Export.

Both run with no display (an offscreen Qt application is made when there is none), write
atomically, and leave no file when cancelled. The content comes from :mod:`assessment.report`,
:mod:`layers.html_map` and the app's renderer; this module only gathers the layers.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:
    import geopandas as gpd

from geo.errors import DataReadError, describe_path
from geo.feedback import Feedback, ensure_feedback

REQUIRED_SCORE_COLUMNS = ("readiness", "score", "explanation")
SCORED_LAYER_NAME = "Scored blocks"


# ---------------------------------------------------------------- layers


def read_scores(path) -> "gpd.GeoDataFrame":
    """A score output with its block geometries (a GeoPackage or any vector file ``khanij score`` wrote).

    Raises
    ------
    DataReadError
        Unreadable, without geometries, or not a score output (the message names the file).
    """
    import geopandas as gpd

    from geo import read
    from geo.tables import require_columns

    result = read(path)
    if result.kind == "raster" or not isinstance(result.data, gpd.GeoDataFrame) or result.data.crs is None:
        raise DataReadError(f"{describe_path(path)}: the dossier needs the blocks' shapes; give the GeoPackage "
                            "written by 'khanij score -o OUT.gpkg' (CSV/XLSX score tables have no geometry)")
    require_columns(result.data, REQUIRED_SCORE_COLUMNS, path, result.layer)
    return result.data


def read_scoring_inputs(path):
    """What a score GeoPackage records it was computed from (its ``scoring_inputs`` layer, written
    by ``khanij score --project`` and the app's table export), or None where it records nothing."""
    from geo import list_layers, read
    from layers.scoring_setup import INPUTS_SHEET

    if Path(path).suffix.lower() != ".gpkg" or INPUTS_SHEET not in list_layers(path):
        return None
    return read(path, INPUTS_SHEET).data


def styled_for_export(layers) -> None:
    """Scored blocks are coloured by readiness (their score is in the popup / table)."""
    from layers.style import is_scored, readiness_style

    for layer in layers:
        if is_scored(layer):
            layer.style = readiness_style()


def scored_layer(scores, source, illustrative: bool):
    from layers.layer import Layer
    from layers.style import readiness_style

    return Layer(SCORED_LAYER_NAME, scores, source=source, role="blocks", style=readiness_style(),
                 illustrative=illustrative)


def context_layers(files: Sequence[str], illustrative_scores: bool, feedback=None):
    """The layers drawn around each block: the files given, else the sample atlas for sample scores."""
    from layers.atlas import load_sample_atlas
    from layers.layer import LayerList

    if files:
        return LayerList([file_layer(path) for path in files])
    if illustrative_scores:
        atlas = load_sample_atlas(feedback)
        return LayerList([layer for layer in atlas if layer.role != "blocks" and layer.kind == "vector"])
    return LayerList([])


def _illustrative(frame) -> bool:
    """Whether a table says it is the sample atlas's (an ``illustrative`` column marking it so)."""
    column = next((c for c in frame.columns if str(c).lower() == "illustrative"), None)
    return column is not None and frame[column].astype(str).str.contains("illustrative", case=False).any()


def file_layer(path):
    """A layer of a file given on the command line, marked illustrative when its table says so
    (the sample atlas's files and the scores made from them), so exports carry the note."""
    from layers.layer import Layer

    layer = Layer.from_file(path)
    if layer.kind == "table":
        raise DataReadError(f"{describe_path(path)}: a table without geometries has nothing to draw on a map; "
                            "give a layer of points, lines or polygons (for a CSV or XLSX: latitude and "
                            "longitude columns)")
    layer.illustrative = layer.kind == "vector" and _illustrative(layer.data)
    return layer


# ---------------------------------------------------------------- khanij report


def read_admin(path) -> "gpd.GeoDataFrame":
    """An administrative layer (polygons with a CRS); errors name the file."""
    import geopandas as gpd

    from geo import read

    result = read(path)
    if result.kind == "raster" or not isinstance(result.data, gpd.GeoDataFrame) or result.data.crs is None:
        raise DataReadError(f"{describe_path(path)}: --admin needs polygons with a CRS (states, districts, tehsils "
                            "or villages)")
    return result.data


def admin_of(frame, path):
    """The :class:`assessment.report.AdminLayer` of a file, its levels guessed from its columns."""
    from assessment.report import admin_layer

    try:
        return admin_layer(frame, source=Path(path).name)
    except ValueError as exc:
        raise DataReadError(str(exc)) from exc


def run_report(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Write the per-block PDF dossier of ``args.scores`` to ``args.output``; returns 0."""
    from assessment.report import build_dossier
    from gui.render import ensure_gui_application
    from gui.report_pdf import infrastructure_distances, write_dossier_pdf
    from layers.layer import LayerList

    feedback = ensure_feedback(feedback)
    ensure_gui_application()
    feedback.progress(0.0, f"reading {describe_path(args.scores)}")
    scores = read_scores(args.scores)
    illustrative = _illustrative(scores)
    context = context_layers(getattr(args, "layer", None) or [], illustrative, feedback.sub(0.0, 0.05))
    admin = [admin_of(read_admin(path), path) for path in getattr(args, "admin", None) or []]
    deposits, forest = (next((layer.data for layer in context if layer.role == role), None) for role in ("deposits", "forest"))
    sources = [Path(args.scores).name] + [Path(layer.source).name for layer in context if layer.source]
    sources += [Path(path).name for path in getattr(args, "admin", None) or []]
    try:
        dossier = build_dossier(scores, deposits, block_ids=args.block, sources=sources,
                                feedback=feedback.sub(0.05, 0.1), forest=forest, admin=admin,
                                inputs=read_scoring_inputs(args.scores))
    except KeyError as exc:
        raise DataReadError(f"{describe_path(args.scores)}: {exc.args[0]}") from exc
    if getattr(args, "review_db", None):  # issue 15: the review decisions of each block
        from layers.review.cli import dossier_decisions
        from layers.review.decisions import attach_to_dossier

        attach_to_dossier(dossier, dossier_decisions(args.review_db, args.tranche, Path(args.scores).stem))
    map_layers = LayerList([*[l for l in context if l.role == "deposits"], scored_layer(scores, args.scores, illustrative),
                            *[l for l in context if l.role != "deposits"]])
    write_dossier_pdf(dossier, args.output, map_layers, infrastructure_distances(scores), feedback.sub(0.1, 1.0))
    print(f"{len(dossier.blocks)} block section(s) → {args.output}")
    return 0


# ---------------------------------------------------------------- khanij export-map


def map_layers_of(args: argparse.Namespace, feedback=None):
    """(layers, extent, display CRS) from ``--project``, the files given, or the sample atlas."""
    from layers.atlas import load_sample_atlas
    from layers.layer import LayerList
    from layers.project import load_project

    if args.project:
        project = load_project(args.project, feedback)
        return project.layers, project.extent, project.display_crs
    if args.files:
        return LayerList([file_layer(path) for path in args.files]), None, None
    return load_sample_atlas(feedback), None, None


def run_export_map(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Write the map of ``args`` as offline HTML, PNG or SVG; returns 0."""
    feedback = ensure_feedback(feedback)
    layers, extent, display_crs = map_layers_of(args, feedback.sub(0.0, 0.3))
    styled_for_export(layers)
    rest = feedback.sub(0.3, 1.0)
    if args.html:
        from layers.html_map import write_html_map

        target = write_html_map(layers, args.html, title=args.title, feedback=rest)
    else:
        from gui.render import render_map

        target = render_map(layers, args.png or args.svg, width=args.width, height=args.height, dpi=args.dpi,
                            title=args.title, extent=extent, display_crs=display_crs, feedback=rest)
    print(f"map → {target}")
    return 0
