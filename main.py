"""Khanij: with no arguments, open the desktop app on the sample atlas; subcommands run headless.

Exit codes: 0 success; 2 usage error; 3 an input is unreadable or invalid; 4 an output cannot be
written; 130 cancelled. A user error prints one clear line, never a traceback (``--debug`` shows
it).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Callable, Optional, Sequence

EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_OUTPUT, EXIT_CANCELLED = 0, 2, 3, 4, 130

SUBCOMMANDS = ("gui", "info", "convert", "resources", "score", "screen", "report", "export-map", "sample-atlas",
               "review", "blocks")


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see (exit 2)."""


def stderr_feedback():
    """A feedback object that reports progress on stderr: a bar on a terminal, lines otherwise."""
    from geo.feedback import Feedback

    interactive = sys.stderr.isatty()
    last = {"line": ""}

    def report(fraction: float, text: str) -> None:
        if interactive:
            filled = int(fraction * 30)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {text[:60]:<60}")
            if fraction >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            line = f"{fraction:4.0%} {text}"
            if line != last["line"]:
                print(line, file=sys.stderr, flush=True)
                last["line"] = line

    def warn(text: str) -> None:
        if interactive:
            sys.stderr.write("\n")
        print(f"khanij: warning: {text}", file=sys.stderr, flush=True)

    return Feedback(report, warn)


# --- subcommand handlers -------------------------------------------------------------------
# Each handler calls the public API of geo / layers / assessment (or gui for the app) and only
# formats its answer; no analysis lives here.


def cmd_gui(args: argparse.Namespace) -> int:
    from gui.app import run

    return run(args.files, screenshot=args.screenshot)


def cmd_info(args: argparse.Namespace) -> int:
    from geo.info import describe, describe_text

    if args.json:
        print(json.dumps(describe(args.file, encoding=args.encoding), ensure_ascii=False, indent=2))
    else:
        print(describe_text(args.file, encoding=args.encoding))
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    from assessment.convert_cli import run_convert

    return run_convert(args)


def cmd_resources(args: argparse.Namespace) -> int:
    from assessment.convert_cli import run_resources

    return run_resources(args)


def as_of_date(text: str):
    """``--as-of`` as a date (argparse turns a ValueError into a usage error, exit 2)."""
    from assessment.scoring import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_score(args: argparse.Namespace) -> int:
    from assessment.score_cli import run_score

    if args.project:
        own_layers = [flag for flag, given in (("--sample", args.sample), ("--blocks", args.blocks),
                      ("--deposits", args.deposits), ("--forest", args.forest), ("--protected", args.protected),
                      ("--infra", args.infra), ("--raster", args.raster), ("--boundaries", args.boundaries),
                      ("--rules", args.rules)) if given]
        if own_layers:
            raise UsageError(f"score --project takes its layers and rules from the project's scoring set-up; "
                             f"drop {', '.join(own_layers)}")
        from layers.scoring_setup import run_score_project

        return run_score_project(args, stderr_feedback())
    if args.sample:
        fill_sample_layers(args)
        args.blocks = args.blocks or sample_role_paths()["blocks"]
    if not (args.blocks and args.deposits):
        raise UsageError("score needs --project, --sample, or --blocks and --deposits")
    refuse_overwriting_inputs(args)
    return run_score(args, stderr_feedback())


def cmd_screen(args: argparse.Namespace) -> int:
    from assessment.screen_cli import run_screen
    from assessment.screening import parse_cell_size

    try:
        parse_cell_size(args.cell)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fill_sample_layers(args)
    return run_screen(args, stderr_feedback())


def fill_sample_layers(args: argparse.Namespace) -> None:
    """The sample atlas's deposits, forest, protected areas, stations, magnetic grid and state
    boundaries for each of those layers not given on the command line."""
    roles = sample_role_paths()
    args.deposits = args.deposits or roles["deposits"]
    args.forest = args.forest or roles["forest"]
    args.protected = args.protected or roles["protected_areas"]
    args.infra = args.infra or list(roles["infrastructure"])
    args.raster = args.raster or list(roles["evidence"])
    args.boundaries = args.boundaries or roles["boundaries"]


def sample_role_paths() -> dict:
    from layers.atlas import sample_role_paths as paths

    return paths()


def cmd_report(args: argparse.Namespace) -> int:
    from gui.export_cli import run_report

    return run_report(args, stderr_feedback())


def cmd_export_map(args: argparse.Namespace) -> int:
    from gui.export_cli import run_export_map

    return run_export_map(args, stderr_feedback())


def cmd_sample_atlas(args: argparse.Namespace) -> int:
    from layers.atlas import write_sample_atlas

    written = write_sample_atlas(args.outdir)
    for path in written:
        print(path)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="khanij",
        description="Desktop GIS for India's critical-mineral exploration and block auctions. "
        "With no command, opens the app (on the sample atlas when no file is given).",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the desktop app with these files or a project")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.set_defaults(handler=cmd_gui)

    p = sub.add_parser("info", help="describe a vector or raster file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--encoding", help="attribute encoding to use instead of the detected one")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("convert", help="convert UNFC / India / JORC classification codes")
    p.add_argument("code", nargs="?", metavar="CODE", help="one code to convert")
    p.add_argument("--to", choices=("jorc", "unfc", "india", "stage"), default=None,
                   help="target scheme (default: JORC for UNFC/India codes, India for JORC names)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", metavar="IN", help="convert a column of this CSV/XLSX/vector file")
    p.add_argument("--column", metavar="COL", help="the column to convert (with --table)")
    p.add_argument("--layer", help="layer of a multi-layer input (with --table)")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv, .xlsx or .gpkg)")
    p.set_defaults(handler=cmd_convert)

    p = sub.add_parser("resources", help="resource statement: tonnage by category, grouped")
    p.add_argument("input", metavar="IN")
    p.add_argument("--by", choices=("state", "district", "commodity", "block"), default="state")
    p.add_argument("--column", metavar="COL", help="the classification column (default: guessed)")
    p.add_argument("--layer", help="layer of a multi-layer input")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv or .xlsx); stdout when absent")
    p.set_defaults(handler=cmd_resources)

    p = sub.add_parser("score", help="score blocks for auction readiness")
    p.add_argument("--sample", action="store_true", help="score the embedded sample atlas")
    p.add_argument("--project", metavar="P.khanij",
                   help="score a project as its scoring set-up says (what the app's Run scores)")
    p.add_argument("--blocks", metavar="B", help="candidate blocks (polygons)")
    p.add_argument("--deposits", metavar="D", help="deposits (points or polygons) with unfc/stage, tonnage")
    p.add_argument("--forest", metavar="F", help="forest land polygons")
    p.add_argument("--protected", metavar="P", help="national parks, sanctuaries and eco-sensitive zones")
    p.add_argument("--infra", metavar="I", action="append", default=[],
                   help="infrastructure layer to measure distances to (repeatable)")
    p.add_argument("--raster", metavar="R", action="append", default=[],
                   help="evidence raster summarised over each block (repeatable)")
    p.add_argument("--boundaries", metavar="S", help="state boundaries for the state gate")
    p.add_argument("--rules", metavar="R.toml", help="a rules file of your own (default: the shipped rules)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of", type=as_of_date,
                   help="apply the rules in force on this date (default: the rules file's as_of, today)")
    p.add_argument("--dask", metavar="SCHEDULER",
                   help="score in spatial partitions on a Dask cluster: a scheduler address (tcp://host:8786), "
                        "or local[:N] for a cluster of N worker processes on this machine (default N: one per core); "
                        "the result is identical to the run without it")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".gpkg, .csv or .xlsx")
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("screen", help="tessellate a state into candidate cells and score every cell")
    p.add_argument("--state", required=True, help="the state to screen, as named in the boundaries layer")
    p.add_argument("--cell", default="1km", help="cell size, e.g. 1km or 500m (default 1km)")
    p.add_argument("--boundaries", metavar="S", help="state boundaries (default: the sample atlas's)")
    p.add_argument("--deposits", metavar="D", help="deposits (default: the sample atlas's)")
    p.add_argument("--forest", metavar="F", help="forest land polygons (default: the sample atlas's)")
    p.add_argument("--protected", metavar="P",
                   help="national parks, sanctuaries and ESZs; NP/WS and their 1 km zone are cut out of the cells "
                        "(default: the sample atlas's)")
    p.add_argument("--infra", metavar="I", action="append", default=[],
                   help="infrastructure layer (repeatable; default: the sample atlas's stations)")
    p.add_argument("--raster", metavar="R", action="append", default=[],
                   help="evidence raster (repeatable; default: the sample atlas's magnetic grid)")
    p.add_argument("--rules", metavar="R.toml", help="a rules file of your own (default: the shipped rules)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of", type=as_of_date,
                   help="apply the rules in force on this date (default: today)")
    p.add_argument("--dask", metavar="SCHEDULER",
                   help="score the cells on a Dask cluster: a scheduler address, or local[:N] (as for score)")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".gpkg or .parquet (GeoParquet)")
    p.set_defaults(handler=cmd_screen)

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

    from layers.review.cli import add_parser as add_review_parser

    add_review_parser(sub)

    p = sub.add_parser("sample-atlas", help="write the embedded sample atlas to files")
    p.add_argument("outdir", metavar="OUTDIR")
    p.set_defaults(handler=cmd_sample_atlas)

    from layers.blocks_cli import add_parser as add_blocks_parser

    add_blocks_parser(sub)
    return parser


def _normalise_argv(argv: Sequence[str]) -> list[str]:
    """``khanij FILE…`` means ``khanij gui FILE…``: insert the implied subcommand."""
    argv = list(argv)
    positional = [a for a in argv if not a.startswith("-")]
    if not positional and not any(a in ("-h", "--help") for a in argv):
        return argv + ["gui"]
    if positional and positional[0] not in SUBCOMMANDS:
        first = positional[0]
        if _looks_like_subcommand(first):
            raise UsageError(f"unknown subcommand {first!r}; the subcommands are {', '.join(SUBCOMMANDS)} "
                             f"(or give files to open: khanij FILE…)")
        index = argv.index(first)
        return argv[:index] + ["gui"] + argv[index:]
    return argv


def _looks_like_subcommand(word: str) -> bool:
    """A bare word that names no file ("review"): a mistyped or unknown subcommand, not a file."""
    return re.fullmatch(r"[a-z][a-z-]*", word) is not None and not Path(word).exists()


SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")


def _input_paths(args: argparse.Namespace) -> list[str]:
    """Every file a command reads, from whichever of the usual options it has."""
    paths = []
    for name in ("file", "table", "input", "scores", "project", "blocks", "deposits", "forest",
                 "protected", "boundaries", "rules"):
        value = getattr(args, name, None)
        if value:
            paths.append(value)
    for name in ("files", "infra", "raster", "layer", "admin"):
        value = getattr(args, name, None)
        if isinstance(value, list):
            paths.extend(value)
    return paths


def _output_paths(args: argparse.Namespace) -> list[str]:
    return [value for name in ("output", "html", "png", "svg", "screenshot") if (value := getattr(args, name, None))]


def _files_of(path: str) -> set[Path]:
    """The file itself and, for a shapefile, every sidecar a write could clobber."""
    resolved = Path(path).resolve()
    if resolved.suffix.lower() in SHAPEFILE_SIDECARS:
        return {resolved.with_suffix(suffix) for suffix in SHAPEFILE_SIDECARS} | {resolved}
    return {resolved}


def refuse_overwriting_inputs(args: argparse.Namespace) -> None:
    """Source files are read-only to Khanij: an output that would replace an input is a usage error.

    Raises
    ------
    UsageError
        An output path is one of the inputs (or a sidecar of an input shapefile).
    """
    for output in _output_paths(args):
        target = Path(output).resolve()
        for source in _input_paths(args):
            if target in _files_of(source):
                raise UsageError(f"{Path(output).name} is the input file {Path(source).name}; write the output "
                                 f"to another file (inputs are never changed)")


def refuse_unwritable_outputs(args: argparse.Namespace) -> None:
    """Fail before any work when an output is a folder or its folder does not exist (exit 4).

    Raises
    ------
    DataWriteError
    """
    from geo.errors import DataWriteError

    for output in _output_paths(args):
        target = Path(output)
        if target.is_dir():
            raise DataWriteError(f"{target.name}: cannot write: it is a folder")
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise DataWriteError(f"{target.name}: cannot write, the folder {folder} does not exist")


def exit_code_for(exc: BaseException) -> Optional[int]:
    """Exit code for an expected error, or None for a bug."""
    from geo.errors import Cancelled, DataWriteError, KhanijError

    if isinstance(exc, (Cancelled, KeyboardInterrupt)):
        return EXIT_CANCELLED
    if isinstance(exc, DataWriteError):
        return EXIT_OUTPUT
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, KhanijError):
        return EXIT_INPUT
    return None


def error_line(exc: BaseException, code: int) -> str:
    """The one line a user error prints, e.g. ``khanij: error: x.shp: file not found``."""
    if code == EXIT_CANCELLED:
        return f"khanij: cancelled: {str(exc) or 'no output was written'}"
    return f"khanij: error: {str(exc) or type(exc).__name__}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        argv = _normalise_argv(argv)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(error_line(exc, EXIT_USAGE), file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        refuse_overwriting_inputs(args)
        refuse_unwritable_outputs(args)
        return handler(args)
    except BrokenPipeError:
        # The reader of our output stopped early (``khanij info X | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except BaseException as exc:  # noqa: BLE001 - every error becomes an exit code and a message
        if isinstance(exc, SystemExit):
            raise
        code = exit_code_for(exc)
        if code is None or args.debug:
            traceback.print_exc()
        if code is None:
            print(f"khanij: internal error: {exc}", file=sys.stderr)
            return 1
        print(error_line(exc, code), file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
