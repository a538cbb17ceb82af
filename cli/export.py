"""``khanij report`` and ``khanij export-map``: the headless twins of File → Export.

Both run with no display (an offscreen Qt application is made when there is none), write
atomically, and leave no file when cancelled. The content comes from :mod:`assessment.report`,
:mod:`layers.html_map` and the app's renderer (:mod:`gui.render`, :mod:`gui.report_pdf`, imported
only when a command runs); this module only gathers the layers.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from cli.common import stderr_feedback
from geo.errors import DataReadError, describe_path
from geo.feedback import Feedback, ensure_feedback

if TYPE_CHECKING:
    import geopandas as gpd

SCORED_LAYER_NAME = "Scored blocks"


# ---------------------------------------------------------------- layers


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
    from assessment.score_table import read_scores
    from gui.render import ensure_gui_application
    from gui.report_pdf import infrastructure_distances, write_dossier_pdf
    from layers.layer import LayerList
    from layers.scoring_setup import read_scoring_inputs

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
        from cli.review import dossier_decisions
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


def cmd_report(args: argparse.Namespace) -> int:
    return run_report(args, stderr_feedback())


def cmd_export_map(args: argparse.Namespace) -> int:
    return run_export_map(args, stderr_feedback())


def add_parsers(sub) -> None:
    """``khanij report`` and ``khanij export-map`` on the main parser's subparsers."""
    p = sub.add_parser("report", help="per-block PDF dossier from a score output")
    p.add_argument("scores", metavar="SCORES")
    p.add_argument("--block", action="append", default=[], metavar="ID",
                   help="only this block (repeatable; default: every block)")
    p.add_argument("--layer", action="append", default=[], metavar="FILE",
                   help="deposits, forest, protected-area, infrastructure or boundary layer for the location maps "
                        "and the resources table (default for sample-atlas scores: the sample atlas)")
    p.add_argument("--admin", action="append", default=[], metavar="FILE",
                   help="administrative areas (states, districts, tehsils or villages; repeatable): each block's "
                        "state, district, tehsil and villages are found by overlay (levels from the columns, "
                        "e.g. DISTRICT, SUB_DIST; a NAME column is the level below the finest)")
    p.add_argument("--review-db", dest="review_db", metavar="DB",
                   help="add each block's review decisions and their history from this review store (see 'khanij review')")
    p.add_argument("--tranche", metavar="NAME", help="the tranche in --review-db (default: the score file's name)")
    p.add_argument("-o", "--output", metavar="OUT.pdf", required=True)
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("export-map", help="export a map as offline HTML, PNG or SVG")
    p.add_argument("files", nargs="*", metavar="FILE", help="layers to map (default: the sample atlas)")
    p.add_argument("--project", metavar="P", help="map the layers, styles and extent of a .khanij project")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--html", metavar="OUT", help="offline HTML map (Leaflet inlined, no network)")
    group.add_argument("--png", metavar="OUT", help="PNG image with legend, scale bar and north arrow")
    group.add_argument("--svg", metavar="OUT", help="SVG drawing with legend, scale bar and north arrow")
    p.add_argument("--width", type=int, default=1600, help="image width in pixels (default 1600)")
    p.add_argument("--height", type=int, default=1100, help="image height in pixels (default 1100)")
    p.add_argument("--dpi", type=int, default=150, help="resolution that sets text and symbol sizes (default 150)")
    p.add_argument("--title", help="title printed on the map")
    p.set_defaults(handler=cmd_export_map)
